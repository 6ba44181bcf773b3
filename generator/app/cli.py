"""The `carta` command: parsing and messages only; the work is done by the library."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..core.errors import CartaError
from ..core.model import DEFAULT_FORMATS, OFFICE_FORMATS, OUTPUT_FORMATS, PREVIEW_FORMATS
from ..core.version import __version__
from .accounting import HELP as REMINDER_HELP
from .accounting import clock, say_reminders, today_option
from .display import Progress, print_table, say_intake
from .help_texts import HELP


def _check_locales(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]):
    """A locale code Babel does not know is a mistake in the command: exit code 2."""
    from babel import Locale, UnknownLocaleError

    for value in values:
        try:
            Locale.parse(value.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            raise click.BadParameter(
                f"unknown locale '{value}': expected a code such as es, en, fr or pt_BR") \
                from None
    return values


def locale_option(help_text: str):
    """--locale L, repeatable, checked against the locales Babel knows."""
    return click.option("--locale", "locales", multiple=True, help=help_text,
                        callback=_check_locales)


class GlobalOptions:
    """What the global options say, handed to every command."""

    def __init__(self, project_dir: Path, verbosity: int, debug: bool):
        self.project_dir = project_dir
        self.verbosity = verbosity
        self.debug = debug

    def project(self):
        from ..core.project import load_project

        return load_project(self.project_dir)

    def say(self, message: str, level: int = 1) -> None:
        if self.verbosity >= level:
            click.echo(message)


class CartaGroup(click.Group):
    """Turns an unexpected exception into one line, unless --debug asks for the traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:
            if "--debug" in sys.argv or (ctx.obj is not None and ctx.obj.debug):
                raise
            raise CartaError(
                f"internal error: {type(error).__name__}: {error}\n"
                "This is a bug in carta, not in your content. Rerun with --debug to see "
                "the details, and report them.") from None


@click.group(cls=CartaGroup, help=HELP["main"])
@click.version_option(__version__, prog_name="carta")
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
              default=".", help=HELP["project"])
@click.option("-v", "--verbose", count=True, help=HELP["verbose"])
@click.option("-q", "--quiet", is_flag=True, help=HELP["quiet"])
@click.option("--debug", is_flag=True, help=HELP["debug"])
@click.pass_context
def cli(ctx: click.Context, project_dir: Path, verbose: int, quiet: bool, debug: bool) -> None:
    ctx.obj = GlobalOptions(project_dir, 0 if quiet else 1 + verbose, debug)


@cli.command(help=HELP["build"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["locale"])
@click.option("--format", "formats", multiple=True,
              type=click.Choice(OUTPUT_FORMATS), help=HELP["format"])
@click.option("--reference-doc", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=HELP["reference_doc"])
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=HELP["out"])
@click.option("--allow-untranslated", is_flag=True, help=HELP["allow"])
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default=True, help=HELP["jobs"])
@click.option("--force", is_flag=True, help=HELP["force"])
@click.option("--strict", is_flag=True, help=HELP["strict"])
@click.option("--draft", is_flag=True, help=HELP["draft"])
@click.pass_obj
def build(options: GlobalOptions, letters, locales, formats, reference_doc, out, allow_untranslated,
          jobs, force, strict, draft) -> None:
    from ..core.errors import BuildError, ContentError
    from ..pipeline.run import build as run_build

    if reference_doc is not None and not set(OFFICE_FORMATS) & set(formats):
        raise click.BadParameter("a reference document shapes Word and OpenDocument copies "
                                 "only: add --format docx (or odt)",
                                 param_hint="--reference-doc")
    project = options.project()
    with Progress(options.verbosity, options.say, project) as progress:
        # Every letter that can be built is built; those with problems are named at the end.
        result = run_build(
            project, tuple(letters), tuple(locales), tuple(formats) or DEFAULT_FORMATS, out,
            allow_untranslated=allow_untranslated, jobs=jobs, force=force, strict=strict,
            drafts=draft, partial=True, reference_doc=reference_doc,
            report=progress.report,
            warn=lambda message: click.echo(f"warning: {message}", err=True))
    summary = (f"built {len(result.written)}, skipped {len(result.skipped)} unchanged, "
               f"failed {len(result.failed)} in {result.seconds:.1f} s")
    planned = result.plan
    if planned.problems:
        summary += f"; not built: {', '.join(planned.not_planned)}" \
            if planned.not_planned else ""
        raise BuildError(ContentError(planned.problems).message + "\n"
                         + "\n".join(result.failed + [summary]))
    if result.failed:
        raise BuildError("\n".join(result.failed + [summary]))
    options.say(summary)


@cli.command("diff-docx", help=HELP["diff_docx"])
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("letter")
@click.pass_obj
def diff_docx(options: GlobalOptions, file: Path, letter: str) -> None:
    from ..authoring.docx_diff import diff_docx as run_diff

    report = run_diff(options.project(), file, letter)
    click.echo(report.text())


@cli.command(help=HELP["check"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["check_locale"])
@click.option("--draft", is_flag=True, help=HELP["draft"])
@click.option("--strict", is_flag=True, help=HELP["check_strict"])
@click.pass_obj
def check(settings: GlobalOptions, letters, locales, draft, strict) -> None:
    from ..pipeline.checking import check as check_project

    checked = check_project(settings.project(), tuple(letters), tuple(locales), draft, strict,
                            warn=lambda finding: click.echo(f"warning: {finding}", err=True))
    count, warned = checked.letters, checked.glossary_warnings
    settings.say(f"no problems found in {count} letter{'s' if count != 1 else ''}"
                 + (f"; {warned} glossary warning{'s' if warned != 1 else ''} (--strict makes "
                    "them problems)" if warned else ""))


@cli.group(help=HELP["i18n"])
def i18n() -> None:
    pass


def _translations(settings: GlobalOptions, letters, locales):
    """(project, letter, locale) for every translation of the chosen letters."""
    from ..campaign.assemble import validate

    project = settings.project()
    content = validate(project, tuple(letters))
    # The responses received have catalogs of their own; named letters leave them out.
    for letter in (*content.letters, *(() if letters else content.responses)):
        for locale in locales or project.settings.locales:
            if locale != letter.language:
                yield project, letter, locale


@i18n.command(help=HELP["update"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["i18n_locale"])
@click.pass_obj
def update(settings: GlobalOptions, letters, locales) -> None:
    from ..localization import catalogs, glossary

    annotate = None
    for project, letter, locale in _translations(settings, letters, locales):
        annotate = annotate or glossary.annotator(project)
        result = catalogs.update(project, letter, locale, annotate)
        verb = "created" if result.created else "updated"
        settings.say(f"{verb} {project.shown(result.path)}: {result.added} new, "
                     f"{result.fuzzy} fuzzy, {result.obsolete} obsolete")


@i18n.command(help=HELP["stats"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["i18n_locale"])
@click.pass_obj
def stats(settings: GlobalOptions, letters, locales) -> None:
    from ..localization.catalogs import open_translation
    from ..localization.glossary import load_checked

    rows = [("letter", "locale", "translated", "fuzzy", "untranslated", "done")]
    glossary = None
    for number, (project, letter, locale) in enumerate(_translations(settings, letters, locales)):
        if number == 0:
            glossary = load_checked(project)
            rows[0] += ("glossary",) if glossary else ()
        translation = open_translation(project, letter, locale)[0]
        counts = translation.counts()
        rows.append((letter.id, locale, str(counts.translated), str(counts.fuzzy),
                     str(counts.untranslated), f"{counts.percent}%")
                    # Findings in translated messages; 'carta check' lists them.
                    + ((str(len(glossary.check(letter, locale, translation))),)
                       if glossary else ()))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                   .rstrip())


@cli.command(help=HELP["init"])
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def init(options: GlobalOptions, directory: Path) -> None:
    from ..authoring.scaffold import create_project

    for path in create_project(directory):
        options.say(f"created {path}", level=2)
    options.say(f"new letters project in {directory}; try: carta --project {directory} build")


@cli.command(help=HELP["archive"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["archive_locale"])
@click.option("--dry-run", is_flag=True, help=HELP["dry_run"])
@click.option("--accept-layout-warnings", is_flag=True,
              help="Archive a PDF even if a footnote is printed on another page than the one "
                   "that cites it (refused otherwise: an archived PDF is never rewritten).")
@click.pass_obj
def archive(options: GlobalOptions, letters, locales, dry_run, accept_layout_warnings) -> None:
    from ..delivery.archive.store import archive as run_archive
    from .keys import ask_passphrase

    project = options.project()
    would = "would archive" if dry_run else "archived"
    messages = {
        "new": f"{would} {{path}}",
        "revision": f"{would} {{path}}: the content changed, so this is revision "
                    "{revision}; earlier revisions stay",
        "recorded": f"{'would record' if dry_run else 'recorded'} {{path}}, left unrecorded by "
                    "an interrupted run",
        "unchanged": "unchanged {path}: nothing to do",
    }

    def report(action) -> None:
        options.say(messages[action.kind].format(
            path=project.shown(action.path), revision=action.entry.revision))

    run = run_archive(project, tuple(letters), tuple(locales), dry_run, report,
                      accept_layout_warnings, ask_passphrase)
    for notice in run.notices:
        options.say(notice)
    if all(action.kind == "unchanged" for action in run.actions):
        options.say("nothing to do: the archive is up to date")
    if not dry_run:
        # The head is what proves the history later: kept elsewhere, it exposes truncation.
        options.say(f"manifest head: {run.head} ({run.entries} entries); keep it outside the "
                     f"archive and check later with: carta verify --expect-head {run.head}")


@cli.command(help=HELP["verify"] + " Given a PDF file instead, check its signatures alone.")
@click.argument("directory", required=False, metavar="[DIR | FILE.pdf]",
                type=click.Path(exists=True, path_type=Path))
@click.option("--expect-head", metavar="HASH",
              help="Fail unless the manifest's head is HASH (as printed by 'carta archive'): "
                   "a head kept outside the archive exposes removed or rewritten entries.")
@click.option("--public-key", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Check manifest.sig with this Ed25519 public key (PEM). Default for the "
                   "project's own archive: [archive] public_key in carta.toml.")
@click.option("--trust", "trust_file", type=click.Path(dir_okay=False, exists=True,
                                                       path_type=Path),
              help="Check the PDFs' signatures against these root certificates (PEM). "
                   "Default: [signing] trust in carta.toml.")
@click.pass_obj
def verify(options: GlobalOptions, directory, expect_head, public_key, trust_file) -> None:
    import re

    from ..core.errors import ContentError
    from ..delivery.archive.pdf_validation import load_trust
    from ..delivery.archive.store import archive_folder
    from ..delivery.archive.verify import verify as run_verify
    from ..delivery.archive.verify import verify_pdf

    if expect_head is not None:
        expect_head = expect_head.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", expect_head):
            raise click.BadParameter("expected 64 hexadecimal digits, as 'carta archive' and "
                                     "'carta verify' print them", param_hint="--expect-head")
    if trust_file is None:
        try:
            signing = options.project().settings.pdf_signing
        except ContentError:
            signing = None  # a PDF received, checked outside any project
        if signing is not None and signing.trust:
            trust_file = options.project().root / Path(signing.trust).expanduser()
    trust = load_trust(trust_file) if trust_file is not None else None
    if directory is not None and not directory.is_dir():
        problems, lines, notes = verify_pdf(directory, trust)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        for line in lines:
            options.say(line)
        if problems:
            raise ContentError(problems)
        options.say(f"verified {directory}: every signature valid")
        return
    folder = directory
    if folder is None:
        project = options.project()
        folder = archive_folder(project)
        if public_key is None and project.settings.public_key:
            public_key = project.root / project.settings.public_key
    result = run_verify(folder, expect_head, public_key, trust)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.head is not None:
        options.say(f"head: {result.head} ({result.count} entries)")
    if result.problems:
        raise ContentError(result.problems)
    options.say(f"verified {result.count} files in {folder}: all intact")
    if result.signature:
        options.say(result.signature)
    for line in result.pdf_signatures:
        options.say(line)


@cli.command(help=HELP["followup"])
@click.argument("letter")
@click.option("--date", "when", type=click.DateTime(["%Y-%m-%d"]),
              help=HELP["followup_date"])
@click.option("--id", "new_id", help=HELP["followup_id"])
@click.option("--reminder", is_flag=True, help=REMINDER_HELP["reminder"])
@click.pass_obj
def followup(options: GlobalOptions, letter, when, new_id, reminder) -> None:
    from ..authoring.followup import followup as draft_followup

    if reminder:
        return say_reminders(options, letter, when, new_id)
    if when is None:
        raise click.UsageError("Missing option '--date'.")
    project = options.project()
    drafted = draft_followup(project, letter, when.date(), new_id)
    options.say(f"wrote {project.shown(drafted.letter)} ({drafted.carried} demands carried)")
    for path, copied, total in drafted.catalogs:
        options.say(f"wrote {project.shown(path)} ({copied} of {total} messages translated "
                     "from the earlier letters)")
    options.say("next: fill in the [[TODO: ...]] placeholders; 'carta build --draft' prints "
                 "a watermarked draft meanwhile")


@cli.command(help=HELP["watch"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["watch_locale"])
@click.option("--format", "formats", multiple=True, type=click.Choice(PREVIEW_FORMATS),
              help=HELP["format"])
@click.option("--allow-untranslated", is_flag=True, help=HELP["allow"])
@click.option("--draft", is_flag=True, help=HELP["draft"])
@click.option("--interval", type=click.FloatRange(min=0.1), default=1.0, show_default=True,
              help=HELP["interval"])
@click.pass_obj
def watch(options: GlobalOptions, letters, locales, formats, allow_untranslated, draft,
          interval) -> None:
    from .changes import ChangeFeed

    engine = _engine(options, letters, locales, tuple(formats) or PREVIEW_FORMATS, draft,
                     allow_untranslated)
    feed = ChangeFeed(engine.project, interval, report=engine.warn).start()
    try:
        engine.run(feed, ready=lambda: options.say("watching for changes (Ctrl-C to stop)"))
    except KeyboardInterrupt:
        options.say("stopped watching")
    finally:
        feed.close()


def _engine(options: GlobalOptions, letters, locales, formats, draft, allow_untranslated=False):
    """The rebuild engine of `watch` and `serve`, talking to the terminal."""
    from .watch import Engine

    return Engine(options.project(), tuple(letters), tuple(locales), formats, draft,
                  allow_untranslated, say=options.say,
                  warn=lambda message: click.echo(f"warning: {message}", err=True))


@cli.command(help=HELP["serve"])
@locale_option(HELP["serve_locale"])
@click.option("--draft", is_flag=True, help=HELP["draft"])
@click.option("--host", default="127.0.0.1", show_default=True, help=HELP["host"])
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help=HELP["port"])
@click.option("--interval", type=click.FloatRange(min=0.1), default=1.0, show_default=True,
              help=HELP["interval"])
@click.pass_obj
def serve(options: GlobalOptions, locales, draft, host, port, interval) -> None:
    import signal

    from .serve import is_loopback
    from .serve import serve as run_serve

    engine = _engine(options, (), locales, PREVIEW_FORMATS, draft)
    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this machine can read "
                   "the letters", err=True)
    def stop(signum, frame):
        raise KeyboardInterrupt

    # A polite stop (kill, a test's terminate) ends like Ctrl-C: temporary files go.
    signal.signal(signal.SIGTERM, stop)
    try:
        run_serve(engine, host, port, announce=lambda line: click.echo(line), interval=interval,
                  verbose=options.verbosity > 1)
    except OSError as error:
        raise CartaError(f"cannot listen on {host}:{port}: {error.strerror or error}") \
            from None
    except KeyboardInterrupt:
        options.say("stopped serving")


@cli.command(help=HELP["mail"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["mail_locale"])
@click.option("--send", is_flag=True, help=HELP["send"])
@click.option("--limit", type=click.IntRange(min=1), help=HELP["limit"])
@click.option("--resend-unknown", is_flag=True,
              help="Send again the messages whose delivery is unknown (handed to the server, "
                   "no reply recorded). Check first that they did not arrive.")
@click.pass_obj
def mail(options: GlobalOptions, letters, locales, send, limit, resend_unknown) -> None:
    from ..delivery import mail as mailing

    project = options.project()
    drafts = mailing.make_drafts(project, tuple(letters), tuple(locales),
                                 sign=_mail_signer(project))
    for draft, path in zip(drafts, mailing.write_drafts(project, drafts), strict=True):
        names = ", ".join(name for name, _ in draft.attachments)
        options.say(f"wrote {project.shown(path)} (to {', '.join(draft.to)}; {names})")
    if not send:
        options.say(f"{len(drafts)} messages ready, none sent: add --send to send them")
        return
    smtp = mailing.SmtpSettings.load(project.settings.mail)

    def report(kind: str, draft, detail: str) -> None:
        if kind in ("failed", "unknown"):
            click.echo(f"{kind} {draft.who}: {detail}", err=True)
        elif kind == "skipped":
            options.say(f"skipped {draft.who}: {detail}")
        else:
            options.say(f"sent {draft.who} to {', '.join(draft.to + draft.cc)}")

    result, log = mailing.deliver(project, drafts, smtp, limit, resend_unknown, report)
    summary = result.summary(project.shown(log))
    if result.failed or result.unknown:
        hints = []
        if result.failed:
            hints.append("run the same command again to retry the failed ones")
        if result.unknown:
            hints.append("check the unknown ones as said above, then add --resend-unknown to "
                         "send those that did not arrive")
        hint = "; ".join(hints)
        raise CartaError(f"{summary}. {hint[0].upper()}{hint[1:]}.")
    options.say(summary)


def _mail_signer(project):
    """With [signing] sign = [..., "mail"], what signs each attached PDF (its key read now)."""
    settings = project.settings.pdf_signing
    if settings is None or "mail" not in settings.outputs:
        return None
    from functools import partial

    from ..delivery.archive.pdf_signature import PdfSigner, load_credentials, signed_copy
    from ..delivery.archive.store import archive_folder
    from .keys import ask_passphrase

    signer = PdfSigner(load_credentials(project, archive_folder(project), ask_passphrase),
                       settings)
    return partial(signed_copy, signer, project)


@cli.command(help=HELP["site"])
@click.option("--allow-untranslated", is_flag=True, help=HELP["allow"])
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default=True, help=HELP["jobs"])
@today_option
@click.pass_obj
def site(options: GlobalOptions, allow_untranslated, jobs, today) -> None:
    from ..delivery.site import build_site

    project = options.project()
    index = build_site(
        project, report=lambda path: options.say(f"wrote {project.shown(path)}", level=2),
        warn=lambda message: click.echo(f"warning: {message}", err=True),
        jobs=jobs, allow_untranslated=allow_untranslated, today=clock(today))
    options.say(f"campaign site: {project.shown(index)}")


def _check_locale(ctx: click.Context, param: click.Parameter, value: str | None):
    """One locale, checked like --locale's; None when not given."""
    return _check_locales(ctx, param, (value,))[0] if value else None


@cli.group(help=HELP["response"])
def response() -> None:
    pass


@response.command("add", help=HELP["response_add"])
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--replies-to", "replies_to", required=True, metavar="LETTER",
              help=HELP["replies_to"])
@click.option("--from", "sender", metavar="RECIPIENT", help=HELP["response_from"])
@click.option("--date", "when", type=click.DateTime(["%Y-%m-%d"]), help=HELP["response_date"])
@click.option("--id", "ident", help=HELP["response_id"])
@click.option("--language", callback=_check_locale, help=HELP["response_language"])
@click.option("--ocr", is_flag=True, help=HELP["ocr"])
@click.pass_obj
def response_add(options: GlobalOptions, file, replies_to, sender, when, ident, language,
                 ocr) -> None:
    from ..authoring.intake import add_response

    project = options.project()
    added = add_response(project, file, replies_to, sender, when.date() if when else None,
                         ident, language, ocr)
    say_intake(options.say, project, added)


@cli.command("import-scan", help=HELP["import_scan"])
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--date", "when", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help=HELP["scan_date"])
@click.option("--id", "ident", required=True, help=HELP["scan_id"])
@click.option("--language", callback=_check_locale, help=HELP["scan_language"])
@click.option("--sender", help=HELP["scan_sender"])
@click.option("--to", "recipients", multiple=True, help=HELP["scan_to"])
@click.option("--no-ocr", is_flag=True, help=HELP["no_ocr"])
@click.pass_obj
def import_scan(options: GlobalOptions, file, when, ident, language, sender, recipients,
                no_ocr) -> None:
    from ..authoring.intake import import_scan as run_import

    project = options.project()
    imported = run_import(project, file, when.date(), ident, language, sender,
                          tuple(recipients), ocr=not no_ocr)
    say_intake(options.say, project, imported)


@cli.command(help=HELP["doctor"])
@click.pass_obj
def doctor(options: GlobalOptions) -> None:
    from ..core.version import __version__ as version
    from ..outputs.pdf import engine_report, uses_harfbuzz_subsetter

    print_table([("carta", version), ("Python", sys.version.split()[0]), *engine_report()])
    if not uses_harfbuzz_subsetter():
        raise CartaError("the fast, reproducible font subsetter is missing; "
                         "install libharfbuzz-subset0")


from .keys import keys  # noqa: E402  (carta keys: its own module)

cli.add_command(keys)
from .signatories import signatories  # noqa: E402  (the group lives in its own module)

cli.add_command(signatories)
from .accounting import demands as _demands  # noqa: E402 (the commands' own module)
from .accounting import status as _status  # noqa: E402

cli.add_command(_status)
cli.add_command(_demands)


def main() -> None:
    cli(prog_name="carta")
