"""`carta signatories ...`: importing sign-ons from form exports and finding duplicates;
parsing and messages only, the work is in authoring/signon/."""

from __future__ import annotations

from pathlib import Path

import click

HELP = {
    "group": "Sign-ons: import them from form exports, find duplicates.",
    "import": "Import signatories from a form export (FILE: CSV, XLSX or ODS) into "
              "content/signatories.yaml, contacts and consent into the private "
              "content/private/signatories.yaml. The column mapping is guessed from the header "
              "(Spanish, English, French), shown, and remembered for the next export of the "
              "same form. Importing the same file again changes nothing.",
    "map": "FIELD=\"Column\": which column holds a field (repeatable): kind, name, "
           "affiliation, place, country, url, logo, signed, and the private email, "
           "authorised_by, authorised_role, authorised_email, authorised_on, authorised_how, "
           "evidence.",
    "kind": "What every row is, when no column says so.",
    "letter": "Add the imported signatories to this letter's list.",
    "tier": "With --letter: add them to the tier with this title (made at the end when the "
            "letter has none).",
    "update": "Apply the changes of rows already imported (without it they are only shown).",
    "dry_run": "Show what would change, and write nothing.",
    "skip_bad_rows": "Import the good rows even when some are wrong (those are listed).",
    "duplicates": "List likely duplicate signatories (the same e-mail, the same name once "
                  "legal forms, articles, accents and case are set aside, or names alike by "
                  "fuzzy score), with their score and where both come from.",
    "dup_letter": "Only the signatories of this letter.",
    "not_duplicate": "Remember that these two ids are different signatories (the pair is no "
                     "longer reported).",
}


@click.group("signatories", help=HELP["group"])
def signatories() -> None:
    pass


@signatories.command("import", help=HELP["import"])
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--map", "given", multiple=True, metavar="FIELD=COLUMN", help=HELP["map"])
@click.option("--kind", type=click.Choice(("organization", "individual")), help=HELP["kind"])
@click.option("--letter", metavar="LETTER", help=HELP["letter"])
@click.option("--tier", metavar="TITLE", help=HELP["tier"])
@click.option("--update", is_flag=True, help=HELP["update"])
@click.option("--dry-run", is_flag=True, help=HELP["dry_run"])
@click.option("--skip-bad-rows", is_flag=True, help=HELP["skip_bad_rows"])
@click.pass_obj
def import_command(options, file, given, kind, letter, tier, update, dry_run,
                   skip_bad_rows) -> None:
    from ..authoring.signon.importing import import_signatories

    if tier is not None and letter is None:
        raise click.BadParameter("a tier belongs to a letter: add --letter LETTER",
                                 param_hint="--tier")
    project = options.project()
    result = import_signatories(project, file, tuple(given), kind, letter, tier,
                                update=update, dry_run=dry_run, skip_bad_rows=skip_bad_rows,
                                on_mapping=lambda *shown: _say_mapping(options.say, *shown))
    _say_import(options.say, project, result, update, dry_run)


def _say_mapping(say, sheet, mapping, date_order: str) -> None:
    say(f"{sheet.shown_as}: {sheet.described}, {len(sheet.rows)} rows")
    how = {"guessed": "guessed from the header", "remembered": "as remembered for this form",
           "given": "as given with --map"}[mapping.source]
    say(f"columns ({how}):")
    # In the order of the sheet's columns, as the person sees them.
    for name, header in sorted(mapping.columns.items(),
                               key=lambda item: sheet.headers.index(item[1])):
        say(f"  {name:<17} <- {header}")
    if "kind" not in mapping.columns and mapping.kind:
        say(f"  {'kind':<17} =  {mapping.kind} (every row)")
    unused = [h for h in sheet.headers if h not in mapping.columns.values()]
    if unused:
        say(f"  not imported: {', '.join(unused)}")
    for name, headers in mapping.ambiguous.items():
        if name not in mapping.columns:
            say(f"  {name}: could be {' or '.join(headers)}; say which with "
                f"--map {name}=\"...\"")
    if any(name in mapping.columns for name in ("signed", "authorised_on")):
        say("  dates written day and month first are read as "
            + ("day/month/year" if date_order == "dmy" else "month/day/year"))


def _say_import(say, project, result, update: bool, dry_run: bool) -> None:
    for problem in result.skipped:
        click.echo(f"skipped: {problem}", err=True)
    for record, first in result.repeats:
        say(f"row {record.row} repeats row {first} ({record.name}): left out")
    if result.removed:
        say(f"{len(result.removed)} rows imported before are no longer in "
            "content/signatories.yaml (deleted by hand): left out; to import one again, delete "
            "its line under rows: in content/signatories-import.yaml")
        for ident, record in result.removed:
            say(f"    row {record.row}: {record.name} (was {ident})", level=2)
    verb = "would add" if dry_run else "added"
    for ident, record in result.added:
        say(f"{verb} {ident}: {record.name} (row {record.row})", level=2)
    for change in result.changed:
        say(f"changed in row {change.record.row}: {change.ident} ({change.record.name})")
        for name, before, after in change.fields:
            say(f"    {name}: {_shown(before)} -> {_shown(after)}")
    if result.in_letter:
        say(f"{'would add' if dry_run else 'added'} {len(result.in_letter)} to letter "
            f"{result.letter}")
    for pair in result.pairs:
        _say_pair(say, pair)
    parts = [f"{len(result.added)} new", f"{len(result.changed)} changed",
             f"{len(result.unchanged)} unchanged"]
    if result.skipped:
        parts.append(f"{len({p.line for p in result.skipped})} bad rows skipped")
    say(", ".join(parts) + (f", {len(result.pairs)} likely duplicates" if result.pairs else ""))
    if result.changed and not update:
        say("the changed rows were not applied: import again with --update to apply them")
    if dry_run:
        say("dry run: nothing written")
    elif not result.written:
        say("no change: everything in this file is imported already")
    else:
        for path in result.written:
            say(f"wrote {project.shown(path)}")
    if result.pairs:
        say("decide each likely duplicate: delete one of them from content/signatories.yaml "
            "(and from the letters), or run 'carta signatories duplicates --not-duplicate A B'")
    if result.in_letter and not dry_run:
        say(f"next: 'carta check {result.letter}' (it also says who signed after the "
            "letter's date, and so is not printed on it), then 'carta build'")


def _shown(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {text}" for key, text in value.items())
    return str(value)


def _say_pair(say, pair) -> None:
    say(f"likely duplicate ({', '.join(pair.reasons)}, score {pair.score:g}):")
    for entry in (pair.first, pair.second):
        say(f"    {entry.ident}: {entry.name}  [{entry.where}]")


@signatories.command("duplicates", help=HELP["duplicates"])
@click.option("--letter", metavar="LETTER", help=HELP["dup_letter"])
@click.option("--not-duplicate", "distinct", nargs=2, metavar="A B", help=HELP["not_duplicate"])
@click.pass_obj
def duplicates_command(options, letter, distinct) -> None:
    from ..authoring.signon.duplicates_report import duplicates, mark_not_duplicate

    project = options.project()
    if distinct:
        first, second = distinct
        if mark_not_duplicate(project, first, second):
            options.say(f"remembered: {first} and {second} are different signatories")
        else:
            options.say(f"already remembered: {first} and {second} are different signatories")
        return
    pairs = duplicates(project, letter)
    for pair in pairs:
        _say_pair(options.say, pair)
    where = f" on letter {letter}" if letter else ""
    options.say(f"{len(pairs)} likely duplicate pair{'s' if len(pairs) != 1 else ''}{where}"
                if pairs else f"no likely duplicates{where}")
