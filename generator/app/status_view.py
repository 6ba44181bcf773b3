"""The `carta status` dashboard as a person reads it, in the project's language.

Every word comes from templates/status.txt through the template catalogs (es, en, fr and any
the project adds), dates are written out in the locale (with the project's region), and counts
take the locale's plural forms. The JSON of `carta status --json` is not touched: its keys and
values stay English, as the README documents them.
"""

from __future__ import annotations

import datetime

import click

from ..core.errors import CartaError
from ..localization import locales
from ..rendering.render import Renderer
from .display import print_table

WORDS_TEMPLATE = "status.txt"


class Words:
    """The dashboard's phrases in one locale: each macro of templates/status.txt, as text."""

    def __init__(self, project, locale: str):
        renderer = Renderer(project)
        self._module = renderer.environment(locale).get_template(WORDS_TEMPLATE).module
        self._dates = locales.with_region(locale, project.settings.regions)
        # The words are written in English: a locale with no template catalog keeps them so.
        self.untranslated = locale.split("_")[0] != "en" and \
            locales.template_catalog(locale, renderer.catalog_dirs) is None

    def __getattr__(self, name: str):
        macro = getattr(self._module, name)
        return lambda *args: str(macro(*args)).strip()

    def date(self, value: str | None) -> str:
        """A YYYY-MM-DD of the JSON as the locale writes it ("10 de abril de 2024")."""
        return locales.format_date(datetime.date.fromisoformat(value), self._dates) \
            if value else ""


def check_locale(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--locale: a code Babel does not know is a mistake in the command (exit code 2)."""
    if value is not None:
        try:
            locales.parse_locale(value)
        except CartaError as error:  # its message names the code and what was expected
            raise click.BadParameter(str(error)) from None
    return value


def show(found: dict, words: Words) -> None:
    """The dashboard, as plain lines a person reads top to bottom."""
    summary = found["summary"]
    click.echo(words.heading(words.date(found["today"])))
    click.echo("  " + words.summary(summary["letters_sent"], summary["replies_received"],
                                    summary["replies_awaited"], summary["overdue"],
                                    summary["waiting"]))
    for letter in found["letters"]:
        title = f"{letter['id']} ({words.date(letter['date'])})"
        if not letter["sent"]:
            click.echo(f"\n{title}: " + (words.draft() if letter["draft"] else words.not_sent()))
            continue
        click.echo(f"\n{title}")
        rows = [("  " + each["name"], words.state(each["state"]), _detail(each, words))
                for each in letter["recipients"]]
        if rows:
            print_table(rows)
        else:
            click.echo("  " + words.no_recipients())
    late = [entry for entry in found["demand_deadlines"] if entry["overdue"]]
    if late:
        click.echo("\n" + words.demands_overdue())
        print_table([(f"  {entry['demand']}", words.due(words.date(entry["reply_by"])),
                      words.in_letter(entry["letter"])) for entry in late])
    click.echo("\n" + words.by_status())
    print_table([(f"  {words.status(name)}", str(count))
                 for name, count in found["demands"]["by_status"].items()])
    click.echo("\n" + words.by_completion())
    print_table([(f"  {words.level(name)}", str(count))
                 for name, count in found["demands"]["by_completion"].items()])
    if found["since"]:
        click.echo("\n" + words.since(words.date(found["since"])))
        if not found["changes"]:
            click.echo("  " + words.nothing_changed())
        for event in found["changes"]:
            click.echo(f"  {words.date(event['date'])}  {_change(event, words)}")


def _detail(each: dict, words: Words) -> str:
    """The third column of a recipient's row: when it replied, or how long it has waited."""
    if each["state"] == "replied":
        return words.replied(words.date(each["reply"]["date"]), each["days_waiting"])
    detail = words.waiting(each["days_waiting"])
    if each["state"] == "overdue":
        return f"{detail}, {words.past(each['days_overdue'], words.date(each['reply_by']))}"
    if each["reply_by"]:
        return f"{detail}, {words.due(words.date(each['reply_by']))}"
    return detail


def _change(event: dict, words: Words) -> str:
    kind = event["kind"]
    if kind == "letter":
        return words.letter_sent(event["letter"])
    if kind == "reply":
        return words.reply(event["reply"], event["recipient"], event["letter"])
    if kind == "status":
        return words.status_set(event["demand"], event["status"], event["set_by"])
    if kind == "deadline":
        return words.deadline_passed(event["recipient"], event["letter"])
    return words.demand_due(event["demand"], event["letter"])
