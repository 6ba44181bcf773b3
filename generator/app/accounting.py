"""`carta status`: the campaign's dashboard on the terminal, or as JSON for scripts and CI."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import click

from .display import print_table

HELP = {
    "status": "Show where the campaign stands: letters sent, replies received, for each "
              "recipient the days waiting and whether its reply is overdue, and the demands by "
              "status. Exit 1 with --overdue when a reply is overdue.",
    "since": "Also list what changed from this date (YYYY-MM-DD) on: letters, replies, "
             "statuses, deadlines passed.",
    "json": "Print one JSON object instead (its fields are described in the README).",
    "overdue": "Exit with status 1 when any reply or demand is overdue (for a cron job or a "
               "scheduled CI run).",
    "reminder": "Instead of a follow-up, draft a reminder to each recipient whose reply to "
                "LETTER is overdue on --date (default: today; also CARTA_TODAY): a letter "
                "citing its date, the days since and the demands still open, ready to build.",
    "demands": "Demands across the campaign.",
    "demands_update": "Update many demands at once from FILE.csv (columns id, status, and "
                      "optionally completion, note, source, date) in the demand_status block "
                      "of LETTER, a follow-up; a row with a source also records a milestone. "
                      "Every row is checked first; nothing is written unless all are good.",
    "update_letter": "The follow-up whose demand_status block gets the rows.",
    "update_dry_run": "Check the rows and say what would change, writing nothing.",
    "today": "The day to judge by, as YYYY-MM-DD (default: today; also CARTA_TODAY). For "
             "tests, and to look ahead.",
}

# How each state of an awaited reply reads on the dashboard.
STATE_WORDS = {"replied": "replied", "overdue": "OVERDUE", "waiting": "waiting",
               "no-deadline": "no deadline"}


def today_option(function):
    """--today, the injectable clock of every command that judges by today's date."""
    return click.option("--today", "today", type=click.DateTime(["%Y-%m-%d"]),
                        envvar="CARTA_TODAY", help=HELP["today"])(function)


def clock(today: datetime.datetime | None) -> datetime.date:
    return today.date() if today else datetime.date.today()


@click.command(help=HELP["status"])
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help=HELP["since"])
@click.option("--json", "as_json", is_flag=True, help=HELP["json"])
@click.option("--overdue", "fail_overdue", is_flag=True, help=HELP["overdue"])
@today_option
@click.pass_obj
def status(options, since, as_json, fail_overdue, today) -> None:
    from ..campaign.assemble import validate
    from ..campaign.deadlines import Calendar
    from ..campaign.status import campaign_status

    project = options.project()
    # A letter with problems is left out, not the whole dashboard: say which, on stderr.
    content = validate(project, drafts=True, partial=True)
    for ident in content.not_valid:
        click.echo(f"warning: {ident} has problems and is left out; run 'carta check'",
                   err=True)
    found = campaign_status(content, clock(today), Calendar.of(project.settings),
                            project.settings.locales[0], since.date() if since else None)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        show(found)
    if fail_overdue and (found["summary"]["overdue"] or found["summary"]["demands_overdue"]):
        raise SystemExit(1)


def show(found: dict) -> None:
    """The dashboard, as plain lines a person reads top to bottom."""
    summary = found["summary"]
    click.echo(f"Campaign status on {found['today']}")
    click.echo(f"  {_count(summary['letters_sent'], 'letter')} sent, "
               f"{summary['replies_received']} of {summary['replies_awaited']} replies "
               f"received, {summary['overdue']} overdue, {summary['waiting']} still in time")
    for letter in found["letters"]:
        if not letter["sent"]:
            click.echo(f"\n{letter['id']} ({letter['date']}): "
                       + ("a draft, not sent" if letter["draft"] else "not sent yet"))
            continue
        click.echo(f"\n{letter['id']} ({letter['date']})")
        rows = []
        for each in letter["recipients"]:
            if each["state"] == "replied":
                detail = f"replied on {each['reply']['date']}, after {each['days_waiting']} days"
            else:
                detail = f"waiting {each['days_waiting']} days"
                if each["state"] == "overdue":
                    detail += f", {each['days_overdue']} past {each['reply_by']}"
                elif each["reply_by"]:
                    detail += f", due {each['reply_by']}"
            rows.append(("  " + each["name"], STATE_WORDS[each["state"]], detail))
        if rows:
            print_table(rows)
        else:
            click.echo("  no recipients: no reply awaited")
    late = [entry for entry in found["demand_deadlines"] if entry["overdue"]]
    if late:
        click.echo("\nDemands whose answer is overdue")
        print_table([(f"  {entry['demand']}", f"due {entry['reply_by']}",
                      f"in {entry['letter']}") for entry in late])
    counts = found["demands"]["by_status"]
    click.echo("\nDemands by status")
    print_table([(f"  {name}", str(count)) for name, count in counts.items()])
    click.echo("\nDemands on the OGP scale (given, or as their status stands for)")
    print_table([(f"  {name}", str(count))
                 for name, count in found["demands"]["by_completion"].items()])
    if found["since"]:
        click.echo(f"\nSince {found['since']}")
        if not found["changes"]:
            click.echo("  nothing changed")
        for event in found["changes"]:
            click.echo(f"  {event['date']}  {_change(event)}")


def _change(event: dict) -> str:
    kind = event["kind"]
    if kind == "letter":
        return f"letter {event['letter']} sent"
    if kind == "reply":
        return f"reply {event['reply']} from {event['recipient']} to {event['letter']}"
    if kind == "status":
        return f"{event['demand']}: {event['status']} (by {event['set_by']})"
    if kind == "deadline":
        return f"deadline passed without a reply: {event['recipient']}, {event['letter']}"
    return f"answer on {event['demand']} due ({event['letter']})"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


def say_reminders(options, letter: str, when: datetime.datetime | None, new_id) -> None:
    """`carta followup LETTER --reminder`: draft the reminders and say what was written."""
    import os

    from ..authoring.reminder import remind

    if new_id:
        raise click.UsageError("--id: each reminder is named after its date and recipient "
                               "(<date>-recordatorio-<recipient>); rename the file afterwards "
                               "if you like")
    if when is None and os.environ.get("CARTA_TODAY"):
        when = click.DateTime(["%Y-%m-%d"]).convert(os.environ["CARTA_TODAY"], None, None)
    project = options.project()
    written = remind(project, letter, clock(when))
    if not written:
        options.say(f"no reply to {letter} is overdue on {clock(when).isoformat()}: no "
                    "reminder written ('carta status' shows who is waited for)")
    for each in written:
        options.say(f"wrote {project.shown(each.letter)} (to {each.recipient}, "
                    f"{each.days} days after the letter; {_count(each.carried, 'open demand')})")
        for path, copied, total in each.catalogs:
            options.say(f"wrote {project.shown(path)} ({copied} of {total} messages "
                        "translated)")
    if written:
        options.say("next: read and edit them if you like; 'carta check' and 'carta build' "
                    "take them as they are")


@click.group(help=HELP["demands"])
def demands() -> None:
    pass


@demands.command("update", help=HELP["demands_update"])
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--letter", required=True, help=HELP["update_letter"])
@click.option("--dry-run", is_flag=True, help=HELP["update_dry_run"])
@click.pass_obj
def demands_update(options, file: Path, letter: str, dry_run: bool) -> None:
    from ..authoring.demands_update import update_demands

    project = options.project()
    changes = update_demands(project, file, letter, dry_run)
    verb = "would update" if dry_run else "updated"
    for change in changes:
        said = ", ".join(f"{key} {value}" for key, value in change.fields.items())
        options.say(f"{verb} {change.demand}{' (added)' if change.added else ''}: {said}"
                    + (f"; milestone of {change.milestone['date']} from "
                       f"{change.milestone['source']}" if change.milestone else ""))
    where = project.shown(project.letters_dir / f"{letter}.yaml")
    options.say(f"{_count(len(changes), 'demand')} "
                f"{'checked; nothing written' if dry_run else 'written'}"
                f" ({where})")
