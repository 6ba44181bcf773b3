"""`carta status`: the campaign's dashboard on the terminal, or as JSON for scripts and CI."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import click

from .status_view import Words, check_locale, show

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
    "status_locale": "The language of the dashboard, its words, dates and recipients' names "
                     "(default: the project's first locale); --json is always the same.",
    "today": "The day to judge by, as YYYY-MM-DD (default: today; also CARTA_TODAY). For "
             "tests, and to look ahead.",
}

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
@click.option("--locale", metavar="LOCALE", callback=check_locale, help=HELP["status_locale"])
@today_option
@click.pass_obj
def status(options, since, as_json, fail_overdue, locale, today) -> None:
    from ..campaign.assemble import validate
    from ..campaign.deadlines import Calendar
    from ..campaign.status import campaign_status

    project = options.project()
    # A letter with problems is left out, not the whole dashboard: say which, on stderr.
    content = validate(project, drafts=True, partial=True)
    for ident in content.not_valid:
        click.echo(f"warning: {ident} has problems and is left out; run 'carta check'",
                   err=True)
    # The JSON is the same whatever --locale says (its recipients' names in the first locale).
    locale = project.settings.locales[0] if as_json or not locale else locale
    found = campaign_status(content, clock(today), Calendar.of(project.settings), locale,
                            since.date() if since else None)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        words = Words(project, locale)
        if words.untranslated:
            click.echo(f"note: no template catalog for '{locale}' (templates/locale/{locale}/"
                       "LC_MESSAGES/carta.po): the dashboard's words are in English", err=True)
        show(found, words)
    if fail_overdue and (found["summary"]["overdue"] or found["summary"]["demands_overdue"]):
        raise SystemExit(1)


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
