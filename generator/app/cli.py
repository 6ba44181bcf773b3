"""The `carta` command: parsing and messages only; the work is done by the library."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..core.errors import CartaError
from ..core.version import __version__

HELP = {
    "main": "carta turns letters written as YAML and Markdown into PDF and HTML.",
    "project": "The letters project folder (default: the current folder).",
    "verbose": "Say more about what is done.",
    "quiet": "Print only problems.",
    "debug": "Show the full traceback of an unexpected error.",
    "build": "Build PDF and HTML for every letter (or the LETTER ids given) in every locale.",
    "check": "Check content for problems without building anything; exit 1 if there are any.",
    "init": "Create a new letters project in DIR, with an example letter that builds.",
    "locale": "Build only this locale (repeatable). Default: the locales in carta.toml.",
    "check_locale": "Check only this locale's translations (repeatable). Default: the locales "
                    "in carta.toml.",
    "check_strict": "Treat glossary findings (content/glossary.yaml) as problems: exit 1 when a "
                    "translation leaves out an approved term, uses a forbidden variant or misses "
                    "a first-use gloss. Without it they are warnings.",
    "archive_locale": "Archive only this locale (repeatable). Default: the locales in "
                      "carta.toml.",
    "mail_locale": "Attach only this locale's PDFs (repeatable). Default: the locales each "
                   "recipient reads, among those in carta.toml.",
    "watch_locale": "Rebuild only this locale (repeatable). Default: the locales in "
                    "carta.toml.",
    "format": "Build only this format (repeatable). Default: pdf and html; docx and odt are "
              "Word and OpenDocument copies for partners who edit in an office suite.",
    "reference_doc": "With --format docx or odt: take styles, page, header, footer and logo "
                     "from this Word document (a partner's letterhead, .docx or .dotx).",
    "diff_docx": "List what a reviewer changed in a returned DOCX of LETTER, field by field: "
                 "tracked insertions and deletions, comments, and plain edits against the "
                 "letter's current text. Writes nothing.",
    "out": "Write into this folder instead of the project's output/.",
    "jobs": "How many documents to make at once (processes).",
    "strict": "Fail a document when its PDF would leave out a resource it may not load (a file "
              "outside the project, anything on the network), instead of warning.",
    "draft": "Accept letters whose placeholders are not filled yet (from carta followup); "
             "their PDFs are watermarked as drafts.",
    "followup": "Write a draft letter that follows LETTER: same sender and recipients, every "
                "demand not yet met carried with its status, placeholders for the new prose.",
    "followup_date": "The new letter's date, as YYYY-MM-DD.",
    "followup_id": "The new letter's id (default: <date>-seguimiento).",
    "force": "Rebuild every document, even those whose inputs have not changed.",
    "allow": "Build locales whose translations are incomplete, using the source text where a "
             "translation is missing or stale (each one is reported).",
    "i18n": "Keep the letters' translation catalogs (gettext PO files) in step with the content.",
    "update": "Add new texts to each letter's PO catalogs, mark changed ones fuzzy and removed "
              "ones obsolete.",
    "stats": "Show how complete each letter's translation is, per locale.",
    "i18n_locale": "Only this locale (repeatable). Default: the locales in carta.toml.",
    "watch": "Build, then rebuild what each change to content or templates touches, in one "
             "warm process: HTML first, PDF after; a locale with problems is reported and "
             "skipped while the others build. Ctrl-C stops.",
    "interval": "Seconds between looks for changes when file notifications are not available.",
    "serve": "Preview the letters in a browser, rebuilt and reloaded as you save: an index, "
             "each document's web page beside its PDF, and its problems shown over the page. "
             "Writes where 'carta build' writes; publishes nothing. Ctrl-C stops.",
    "host": "The address to listen on. The default serves this machine only; any other "
            "address shows your letters to whoever can reach it.",
    "port": "The port to listen on (0: any free port, printed at start).",
    "serve_locale": "Preview only this locale (repeatable). Default: the locales in carta.toml.",
    "mail": "Write one e-mail (.eml) per recipient copy into output/mail/, with the PDFs "
            "attached; send them with --send. Nothing already delivered is sent again.",
    "send": "Send the messages over SMTP ([mail] in carta.toml, CARTA_SMTP_* variables; the "
            "password only from CARTA_SMTP_PASSWORD).",
    "limit": "Send at most N messages in this run.",
    "doctor": "Report what the PDF engine uses here (WeasyPrint, Pango, font subsetter); "
              "exit 1 if something that matters is missing.",
    "archive": "Add PDF/A copies of the letters, with their sources inside, to the archive "
               "folder and its manifest. Nothing there is ever overwritten.",
    "dry_run": "Only say what would be archived; write nothing.",
    "verify": "Check an archive folder (default: the project's) against its manifest: the "
              "hash chain and its head, hashes, PDF/A identity, embedded sources, and no "
              "hidden, extra or linked files. --expect-head and --public-key check the head "
              "against one recorded elsewhere.",
    "site": "Build the letters (drafts too, watermarked), then write a static campaign site "
            "into output/site/: every letter in every locale, where each demand stands, and a "
            "language switch. It works from a folder or any web host, and loads nothing else.",
    "response": "Record the replies received: the document, its text, and what it says about "
                "each demand (content/responses/).",
    "response_add": "Copy a received reply (FILE: a PDF, or an .eml with its attachments) into "
                    "content/responses/, with its text beside it, and write a YAML stub with "
                    "the date and sender read from it and [[TODO: ...]] for the rest. Never "
                    "overwrites.",
    "replies_to": "The id of the letter the reply answers.",
    "response_from": "Who answered: a recipient id (default: matched from the e-mail's From or "
                     "the PDF's author, when one recipient fits).",
    "response_date": "The reply's date, as YYYY-MM-DD (default: the e-mail's Date, or the "
                     "PDF's creation date).",
    "response_id": "The reply's id (default: <date>-respuesta-<sender>).",
    "response_language": "The reply's language (default: the letter's).",
    "ocr": "Read a scanned PDF by OCR (OCRmyPDF, Tesseract) and keep a searchable PDF/A beside "
           "it. OCR text has errors: check every quote against the document.",
    "import_scan": "Import a letter sent before carta from its scan (FILE, a PDF): the scan, a "
                   "searchable PDF/A read by OCR and its text go into content/scans/, and a "
                   "letter stub that records it into content/letters/, to follow up and "
                   "archive like any letter. Never overwrites.",
    "scan_date": "The letter's date, as YYYY-MM-DD.",
    "scan_id": "The letter's id (lowercase letters, digits, hyphens).",
    "scan_language": "The letter's language, for OCR too (default: the first locale).",
    "scan_sender": "The sender id (default: the only sender, if there is one).",
    "scan_to": "A recipient id (repeatable).",
    "no_ocr": "Keep the scan without reading it by OCR (nothing to search or quote).",
}


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


class Settings:
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
    ctx.obj = Settings(project_dir, 0 if quiet else 1 + verbose, debug)


@cli.command(help=HELP["build"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["locale"])
@click.option("--format", "formats", multiple=True,
              type=click.Choice(["pdf", "html", "docx", "odt"]), help=HELP["format"])
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
def build(settings: Settings, letters, locales, formats, reference_doc, out, allow_untranslated,
          jobs, force, strict, draft) -> None:
    from ..core.errors import BuildError, ContentError
    from ..pipeline.build import DEFAULT_FORMATS
    from ..pipeline.build import build as run_build

    if reference_doc is not None and not {"docx", "odt"} & set(formats):
        raise click.BadParameter("a reference document shapes Word and OpenDocument copies "
                                 "only: add --format docx (or odt)",
                                 param_hint="--reference-doc")
    project = settings.project()
    with Progress(settings, project) as progress:
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
    settings.say(summary)


@cli.command("diff-docx", help=HELP["diff_docx"])
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("letter")
@click.pass_obj
def diff_docx(settings: Settings, file: Path, letter: str) -> None:
    from ..authoring.docx_diff import diff_docx as run_diff

    report = run_diff(settings.project(), file, letter)
    click.echo(report.text())


class Progress:
    """A progress bar on a terminal for builds of several documents; plain lines otherwise;
    nothing with -q. Problems always reach stderr."""

    def __init__(self, settings: Settings, project):
        self.settings = settings
        self.project = project
        self.bar = None

    def __enter__(self):
        return self

    def start(self, total: int) -> None:
        if self.settings.verbosity == 1 and total > 3 and sys.stdout.isatty():
            self.bar = click.progressbar(length=total, label="building", show_pos=True)
            self.bar.__enter__()

    def report(self, kind: str, what) -> None:
        if kind == "start":
            self.start(what)
        elif kind == "failed":
            click.echo(f"failed: {what}", err=True)
        elif self.bar is not None:
            self.bar.update(1)
        elif kind == "wrote" or self.settings.verbosity > 1:
            self.settings.say(f"{kind} {self.project.shown(what)}")

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


@cli.command(help=HELP["check"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["check_locale"])
@click.option("--draft", is_flag=True, help=HELP["draft"])
@click.option("--strict", is_flag=True, help=HELP["check_strict"])
@click.pass_obj
def check(settings: Settings, letters, locales, draft, strict) -> None:
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


def _translations(settings: Settings, letters, locales):
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
def update(settings: Settings, letters, locales) -> None:
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
def stats(settings: Settings, letters, locales) -> None:
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
def init(settings: Settings, directory: Path) -> None:
    from ..authoring.scaffold import create_project

    for path in create_project(directory):
        settings.say(f"created {path}", level=2)
    settings.say(f"new letters project in {directory}; try: carta --project {directory} build")


@cli.command(help=HELP["archive"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["archive_locale"])
@click.option("--dry-run", is_flag=True, help=HELP["dry_run"])
@click.option("--accept-layout-warnings", is_flag=True,
              help="Archive a PDF even if a footnote is printed on another page than the one "
                   "that cites it (refused otherwise: an archived PDF is never rewritten).")
@click.pass_obj
def archive(settings: Settings, letters, locales, dry_run, accept_layout_warnings) -> None:
    from ..delivery.archive import archive as run_archive

    project = settings.project()
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
        settings.say(messages[action.kind].format(
            path=project.shown(action.path), revision=action.entry.revision))

    run = run_archive(project, tuple(letters), tuple(locales), dry_run, report,
                      accept_layout_warnings)
    for notice in run.notices:
        settings.say(notice)
    if all(action.kind == "unchanged" for action in run.actions):
        settings.say("nothing to do: the archive is up to date")
    if not dry_run:
        # The head is what proves the history later: kept elsewhere, it exposes truncation.
        settings.say(f"manifest head: {run.head} ({run.entries} entries); keep it outside the "
                     f"archive and check later with: carta verify --expect-head {run.head}")


@cli.command(help=HELP["verify"])
@click.argument("directory", required=False,
                type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--expect-head", metavar="HASH",
              help="Fail unless the manifest's head is HASH (as printed by 'carta archive'): "
                   "a head kept outside the archive exposes removed or rewritten entries.")
@click.option("--public-key", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Check manifest.sig with this Ed25519 public key (PEM). Default for the "
                   "project's own archive: [archive] public_key in carta.toml.")
@click.pass_obj
def verify(settings: Settings, directory, expect_head, public_key) -> None:
    import re

    from ..core.errors import ContentError
    from ..delivery.archive import archive_folder
    from ..delivery.archive import verify as run_verify

    if expect_head is not None:
        expect_head = expect_head.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", expect_head):
            raise click.BadParameter("expected 64 hexadecimal digits, as 'carta archive' and "
                                     "'carta verify' print them", param_hint="--expect-head")
    folder = directory
    if folder is None:
        project = settings.project()
        folder = archive_folder(project)
        if public_key is None and project.settings.public_key:
            public_key = project.root / project.settings.public_key
    result = run_verify(folder, expect_head, public_key)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.head is not None:
        settings.say(f"head: {result.head} ({result.count} entries)")
    if result.problems:
        raise ContentError(result.problems)
    settings.say(f"verified {result.count} files in {folder}: all intact")
    if result.signature:
        settings.say(result.signature)


@cli.command(help=HELP["followup"])
@click.argument("letter")
@click.option("--date", "when", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help=HELP["followup_date"])
@click.option("--id", "new_id", help=HELP["followup_id"])
@click.pass_obj
def followup(settings: Settings, letter, when, new_id) -> None:
    from ..authoring.followup import followup as draft_followup

    project = settings.project()
    drafted = draft_followup(project, letter, when.date(), new_id)
    settings.say(f"wrote {project.shown(drafted.letter)} ({drafted.carried} demands carried)")
    for path, copied, total in drafted.catalogs:
        settings.say(f"wrote {project.shown(path)} ({copied} of {total} messages translated "
                     "from the earlier letters)")
    settings.say("next: fill in the [[TODO: ...]] placeholders; 'carta build --draft' prints "
                 "a watermarked draft meanwhile")


@cli.command(help=HELP["watch"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["watch_locale"])
@click.option("--format", "formats", multiple=True, type=click.Choice(["pdf", "html"]),
              help=HELP["format"])
@click.option("--allow-untranslated", is_flag=True, help=HELP["allow"])
@click.option("--draft", is_flag=True, help=HELP["draft"])
@click.option("--interval", type=click.FloatRange(min=0.1), default=1.0, show_default=True,
              help=HELP["interval"])
@click.pass_obj
def watch(settings: Settings, letters, locales, formats, allow_untranslated, draft,
          interval) -> None:
    from .watch import FORMATS, ChangeFeed

    engine = _engine(settings, letters, locales, tuple(formats) or FORMATS, draft,
                     allow_untranslated)
    feed = ChangeFeed(engine.project, interval, report=engine.warn).start()
    try:
        engine.run(feed, ready=lambda: settings.say("watching for changes (Ctrl-C to stop)"))
    except KeyboardInterrupt:
        settings.say("stopped watching")
    finally:
        feed.close()


def _engine(settings: Settings, letters, locales, formats, draft, allow_untranslated=False):
    """The rebuild engine of `watch` and `serve`, talking to the terminal."""
    from .watch import Engine

    return Engine(settings.project(), tuple(letters), tuple(locales), formats, draft,
                  allow_untranslated, say=settings.say,
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
def serve(settings: Settings, locales, draft, host, port, interval) -> None:
    import signal

    from .serve import is_loopback
    from .serve import serve as run_serve
    from .watch import FORMATS

    engine = _engine(settings, (), locales, FORMATS, draft)
    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this machine can read "
                   "the letters", err=True)
    def stop(signum, frame):
        raise KeyboardInterrupt

    # A polite stop (kill, a test's terminate) ends like Ctrl-C: temporary files go.
    signal.signal(signal.SIGTERM, stop)
    try:
        run_serve(engine, host, port, announce=lambda line: click.echo(line), interval=interval,
                  verbose=settings.verbosity > 1)
    except OSError as error:
        raise CartaError(f"cannot listen on {host}:{port}: {error.strerror or error}") \
            from None
    except KeyboardInterrupt:
        settings.say("stopped serving")


@cli.command(help=HELP["mail"])
@click.argument("letters", nargs=-1)
@locale_option(HELP["mail_locale"])
@click.option("--send", is_flag=True, help=HELP["send"])
@click.option("--limit", type=click.IntRange(min=1), help=HELP["limit"])
@click.option("--resend-unknown", is_flag=True,
              help="Send again the messages whose delivery is unknown (handed to the server, "
                   "no reply recorded). Check first that they did not arrive.")
@click.pass_obj
def mail(settings: Settings, letters, locales, send, limit, resend_unknown) -> None:
    from ..delivery import mail as mailing

    project = settings.project()
    drafts = mailing.make_drafts(project, tuple(letters), tuple(locales))
    for draft, path in zip(drafts, mailing.write_drafts(project, drafts), strict=True):
        names = ", ".join(name for name, _ in draft.attachments)
        settings.say(f"wrote {project.shown(path)} (to {', '.join(draft.to)}; {names})")
    if not send:
        settings.say(f"{len(drafts)} messages ready, none sent: add --send to send them")
        return
    smtp = mailing.SmtpSettings.load(project.settings.mail)

    def report(kind: str, draft, detail: str) -> None:
        if kind in ("failed", "unknown"):
            click.echo(f"{kind} {draft.who}: {detail}", err=True)
        elif kind == "skipped":
            settings.say(f"skipped {draft.who}: {detail}")
        else:
            settings.say(f"sent {draft.who} to {', '.join(draft.to + draft.cc)}")

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
    settings.say(summary)


@cli.command(help=HELP["site"])
@click.option("--allow-untranslated", is_flag=True, help=HELP["allow"])
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default=True, help=HELP["jobs"])
@click.pass_obj
def site(settings: Settings, allow_untranslated, jobs) -> None:
    from ..delivery.site import build_site

    project = settings.project()
    index = build_site(
        project, report=lambda path: settings.say(f"wrote {project.shown(path)}", level=2),
        warn=lambda message: click.echo(f"warning: {message}", err=True),
        jobs=jobs, allow_untranslated=allow_untranslated)
    settings.say(f"campaign site: {project.shown(index)}")


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
def response_add(settings: Settings, file, replies_to, sender, when, ident, language,
                 ocr) -> None:
    from ..authoring.intake import add_response

    project = settings.project()
    added = add_response(project, file, replies_to, sender, when.date() if when else None,
                         ident, language, ocr)
    _say_intake(settings, project, added)


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
def import_scan(settings: Settings, file, when, ident, language, sender, recipients,
                no_ocr) -> None:
    from ..authoring.intake import import_scan as run_import

    project = settings.project()
    imported = run_import(project, file, when.date(), ident, language, sender,
                          tuple(recipients), ocr=not no_ocr)
    _say_intake(settings, project, imported)


def _say_intake(settings: Settings, project, written) -> None:
    for path in (written.document, written.searchable, written.text, written.stub):
        if path is not None:
            settings.say(f"wrote {project.shown(path)}")
    for note in written.notes:
        click.echo(f"note: {note}", err=True)
    settings.say(f"next: fill in the [[TODO: ...]] placeholders of {project.shown(written.stub)}"
                 "; 'carta check' lists what is left")


@cli.command(help=HELP["doctor"])
@click.pass_obj
def doctor(settings: Settings) -> None:
    from ..core.version import __version__ as version
    from ..outputs.pdf import engine_report, uses_harfbuzz_subsetter

    rows = [("carta", version), ("Python", sys.version.split()[0]), *engine_report()]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        click.echo(f"{name.ljust(width)}  {value}")
    if not uses_harfbuzz_subsetter():
        raise CartaError("the fast, reproducible font subsetter is missing; "
                         "install libharfbuzz-subset0")


def main() -> None:
    cli(prog_name="carta")
