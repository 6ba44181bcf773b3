"""The rebuild engine under `carta watch` and `carta serve`: after each change, only what it
touches is made again, in one warm process.

An edit costs what it touches, not what the project holds. The build records, per output,
every file it was made from (output/.carta-build.json); inverted, that record says which
letters a changed file feeds. Only those letters are validated, planned and made again, by a
`DocumentMaker` kept for the whole session, so WeasyPrint, the fonts and the parsed font CSS
are loaded once. The HTML of every touched document is written (and announced) first, the
PDFs after, because the HTML takes milliseconds and the PDF a tenth of a second or more.

Each letter, and each locale of a letter, is rebuilt or refused on its own (`plan(partial=True)`):
a stale English translation is reported while the Spanish original goes on building. What is
refused keeps its last good output. The project lock is held while a build writes, never while
waiting for the next change.

Changes come from a `ChangeFeed` (app/changes.py).
"""

from __future__ import annotations

import gc
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import CartaError, ContentError, Notice, Problem
from ..core.lock import ProjectBusy
from ..core.model import PREVIEW_FORMATS
from ..core.project import Project, load_project
from .changes import ChangeFeed


@dataclass(frozen=True)
class Issue:
    """One problem as the author sees it: where (file:line:column), which field, what is
    wrong, and the letter it keeps from building (None: every letter, or none in particular)."""

    where: str
    field: str
    message: str
    letter: str | None = None

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.where}:{field} {self.message}" if self.where else self.message

    def as_dict(self) -> dict:
        return {"where": self.where, "field": self.field, "message": self.message,
                "letter": self.letter, "text": str(self)}


_LETTER_FILE = re.compile(r"content/letters/([^/]+)\.ya?ml\Z")
_CATALOG_FILE = re.compile(r"content/locale/[^/]+/LC_MESSAGES/([^/]+)\.po\Z")
_FAILED_DOCUMENT = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*)(?:, [^ ]+)? \([^)]+\): ")


def issue_of(problem: Problem) -> Issue:
    where = problem.file
    if problem.line is not None:
        where += f":{problem.line}"
        if problem.column is not None:
            where += f":{problem.column}"
    found = _LETTER_FILE.search(problem.file) or _CATALOG_FILE.search(problem.file)
    return Issue(where, problem.field, problem.message, found.group(1) if found else None)


def failure_issue(message: str, letters: Iterable[str] = (), output: Path | None = None) \
        -> Issue:
    """A document that could not be made, named by its letter: "carta-x (es): ...", or a
    message naming a path in the letter's output folder (a write that failed)."""
    found = _FAILED_DOCUMENT.match(message)
    if found:
        return Issue("", "", message, found.group(1))
    for letter in letters if output is not None else ():
        if f"{output / letter}{os.sep}" in message:
            return Issue("", "", message, letter)
    return Issue("", "", message)


class Engine:
    """Builds a project once, then again after each change, only what the change touched.

    `publish(kind, data)` hears: ("html", path) and ("pdf", path) as each is written, HTML
    first; ("problems", [Issue]) when the list of problems changes; ("cycle", summary) after
    each rebuild. `say` and `warn` are for the terminal."""

    def __init__(self, project: Project, letters: tuple[str, ...] = (),
                 locales: tuple[str, ...] = (), formats: tuple[str, ...] = PREVIEW_FORMATS,
                 drafts: bool = False, allow_untranslated: bool = False,
                 publish: Callable[[str, object], None] = lambda kind, data: None,
                 say: Callable[[str], None] = lambda message: None,
                 warn: Callable[[str], None] = lambda message: None):
        self.project = project
        self.letters = letters
        self.locales = locales
        self.formats = formats
        self.drafts = drafts
        self.allow_untranslated = allow_untranslated
        self.publish = publish
        self.say = say
        self.warn = warn
        self.maker = None  # made on the first build, then kept warm
        self.issues: dict[str | None, list[Issue]] = {}  # per letter; None: the whole project
        self.current: list[Issue] = []  # every problem now, as last published
        self.cycles = 0
        self.building = False
        self._index: dict[str, set[str]] = {}  # real path of a file -> letters made from it
        self._recorded: set[str] = set()  # letters with at least one recorded output
        self._state_stamp: tuple | None = None
        self._real_of: dict[str, str] = {}
        self._warned_once: set[str] = set()
        self.warm = False

    # The loop ---------------------------------------------------------------------------

    def run(self, feed: ChangeFeed, keep_going: Callable[[], bool] = lambda: True,
            ready: Callable[[], None] = lambda: None) -> None:
        """Build everything (what is up to date is skipped), then rebuild after each change
        until `keep_going` says stop."""
        from ..pipeline.maker import scratch_folder

        # One temporary folder for the whole session: the warm PDF engine keeps its fonts
        # there, and it is removed when the session ends, even by Ctrl-C.
        with scratch_folder():
            pending: set[Path] | None = None  # None: everything
            ready()
            while keep_going():
                if pending is not None and not pending and not self.warm:
                    self._warm_up()
                if pending is not None and not pending:
                    pending = feed.next(timeout=0.25)
                    if not pending:
                        continue
                try:
                    self.rebuild(pending)
                except ProjectBusy as error:
                    # `carta build` (or archive, mail) holds the project: try again shortly.
                    self.say(f"waiting: {error.message}")
                    time.sleep(1)
                    continue
                except Exception as error:  # noqa: BLE001  a bug must not end the session
                    self.issues[None] = [Issue("", "", f"internal error: "
                                               f"{type(error).__name__}: {error}; this is a "
                                               "bug in carta, please report it")]
                    self._publish_issues()
                pending = set()
                # The garbage of this rebuild (a PDF's layout is hundreds of thousands of
                # objects) is collected now, while the author reads, rather than by a full
                # collection the interpreter would start in the middle of the next save's HTML.
                gc.collect()

    def _warm_up(self) -> None:
        """Load the PDF engine now, while the author reads, rather than at the first save."""
        if "pdf" in self.formats:
            self._maker().warm()
        self._warm_templates()
        # What is loaded by now (WeasyPrint, the fonts, the templates) lives as long as the
        # session: out of the collector's sight, each full collection costs less.
        gc.collect()
        gc.freeze()
        self.warm = True

    def _warm_templates(self) -> None:
        """Render one document of the first letter, in each of its locales, and write nothing:
        the templates are compiled and the locales' data (dates, plurals) loaded now. A
        first build that found every output up to date rendered none, and the first save
        would pay it (about 150 ms)."""
        from ..pipeline.plan import plan

        letters = self.all_letters()[:1]
        if not letters:
            return
        try:
            planned = plan(self.project, tuple(letters), self.locales,
                           self.allow_untranslated, self.drafts, partial=True)
            for job in planned.jobs:
                self._maker().html(job)
        except Exception:  # noqa: BLE001  only a head start: the save reports what is wrong
            pass

    def _maker(self):
        if self.maker is None:
            from ..pipeline.maker import DocumentMaker

            self.maker = DocumentMaker(self.project, strict=False)
        return self.maker

    def rebuild(self, changed: set[Path] | None) -> None:
        """One rebuild: of everything (`changed` None), or of what `changed` touches."""
        started = time.perf_counter()
        real = {os.path.realpath(path) for path in changed or ()}
        self._refresh_index()
        if changed is None:
            ids = None
        else:
            if not self._take_in(real):
                self._publish_issues()
                return
            ids = self._affected(real)
            if not ids:
                return
        self.building = True  # until the problems are recorded: what /_carta/status reads
        try:
            issues = self._build_pass(ids)
            covered = set(self.all_letters()) if ids is None else set(ids)
            self._record_issues(covered, issues)
            self._refresh_index()
            self.cycles += 1
        finally:
            self.building = False
        seconds = time.perf_counter() - started
        self.publish("cycle", {"cycle": self.cycles, "letters": sorted(covered),
                               "seconds": round(seconds, 3)})

    # What a change touches --------------------------------------------------------------

    def _take_in(self, real: set[str]) -> bool:
        """Reload what the change makes stale in this warm process; False if the project
        itself cannot be read now (a broken carta.toml: nothing is built until it is fixed)."""
        root = os.path.realpath(self.project.root)
        content = os.path.realpath(self.project.content) + os.sep
        if os.path.join(root, "carta.toml") in real:
            try:
                self.project = load_project(self.project.root)
            except CartaError as error:
                problems = getattr(error, "problems", None)
                self.issues[None] = ([issue_of(problem) for problem in problems] if problems
                                     else [Issue("carta.toml", "", error.message)])
                return False
            self.issues.pop(None, None)
        if self.maker is not None and any(not path.startswith(content) for path in real):
            # A template, a template catalog or the settings changed: Jinja environments and
            # template translations are cached per process, so they are made anew. The PDF
            # engine, with its fonts, stays.
            from ..localization import locales
            from ..rendering.render import Renderer

            locales.template_translations.cache_clear()
            self.maker.project = self.project
            self.maker.renderer = Renderer(self.project)
        return True

    def _affected(self, real: set[str]) -> set[str] | None:
        """The letters to build again: those made from a changed file, a letter file changed
        or added, and those that had problems or were never built."""
        letters_dir = os.path.realpath(self.project.letters_dir)
        ids: set[str] = set()
        for path in real:
            if os.path.dirname(path) == letters_dir and path.endswith((".yaml", ".yml")):
                ids.add(os.path.basename(path).rsplit(".", 1)[0])
            ids |= self._index.get(path, set())
        existing = set(self.all_letters())
        ids |= {letter for letter, found in self.issues.items() if found and letter}
        ids |= existing - self._recorded
        ids &= existing
        gone = [letter for letter in self.issues if letter and letter not in existing]
        for letter in gone:  # a deleted letter's problems go with it
            del self.issues[letter]
        if gone:
            self._publish_issues()
        return ids

    def all_letters(self) -> list[str]:
        stems = [path.stem for path in self.project.letter_files()]
        return [stem for stem in stems if stem in self.letters] if self.letters else stems

    def _refresh_index(self) -> None:
        """Invert the recorded dependencies (output -> files) into file -> letters; read
        again only when the state file changed."""
        from ..pipeline.state import recorded_files, state_path

        try:
            stat = state_path(self.project.output).stat()
        except OSError:
            return  # none yet: every letter counts as never built
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if stamp == self._state_stamp:
            return
        outputs = recorded_files(self.project.output)
        if outputs is None:
            return  # unreadable, or of an older build: every letter counts as never built
        index: dict[str, set[str]] = {}
        real_of = self._real_of  # kept across reads: the same few files recur in every entry
        recorded = set()
        for name, files in outputs.items():
            letter = name.split("/", 1)[0]
            recorded.add(letter)
            for file in files:
                if file not in real_of:
                    real_of[file] = os.path.realpath(file)
                index.setdefault(real_of[file], set()).add(letter)
        self._index, self._recorded, self._state_stamp = index, recorded, stamp

    # Building ---------------------------------------------------------------------------

    def _build_pass(self, ids: set[str] | None) -> list[Issue]:
        """Build the letters `ids` (None: all); the problems found. Given a maker, `build`
        writes every page before the first PDF."""
        from ..pipeline.run import build

        letters = self.letters if ids is None else tuple(sorted(ids))
        try:
            result = build(self.project, letters, self.locales, self.formats,
                           allow_untranslated=self.allow_untranslated, drafts=self.drafts,
                           partial=True, maker=self._maker(), report=self._report,
                           warn=self._warn)
        except ContentError as error:  # nothing at all could be planned
            return [issue_of(problem) for problem in error.problems]
        except CartaError as error:
            if isinstance(error, ProjectBusy):
                raise
            return [failure_issue(error.message)]
        planned = {job.letter.id for job in result.plan.jobs}
        issues = [issue_of(problem) for problem in result.plan.problems]
        return issues + [failure_issue(message, planned, self.project.output)
                         for message in result.failed]

    def _report(self, kind: str, what) -> None:
        if kind == "wrote":
            self.say(f"wrote {self.project.shown(what)}")
            self.publish(what.suffix[1:], what)

    def _warn(self, notice: Notice) -> None:
        if notice.kind == "slow-subsetter":
            if notice.kind in self._warned_once:
                return  # said at the first PDF; not again at every save
            self._warned_once.add(notice.kind)
        self.warn(str(notice))

    # Problems ---------------------------------------------------------------------------

    def _record_issues(self, covered: set[str], issues: list[Issue]) -> None:
        by_letter: dict[str | None, list[Issue]] = {}
        for issue in issues:
            by_letter.setdefault(issue.letter, []).append(issue)
        for letter in covered | {letter for letter in by_letter if letter}:
            self.issues[letter] = by_letter.get(letter, [])
        # Problems of shared files are found again by every build: the latest list stands.
        self.issues[None] = by_letter.get(None, [])
        self._publish_issues()

    def _publish_issues(self) -> None:
        current = sorted({issue for found in self.issues.values() for issue in found},
                         key=lambda issue: (issue.where == "", issue.where, issue.message))
        if current == self.current:
            return
        self.current = current
        if current:
            count = len(current)
            self.warn(f"{count} problem{'s' if count != 1 else ''} (the last good version "
                      "of what they touch stays in output/):\n"
                      + "\n".join(f"  {issue}" for issue in current))
        else:
            self.say("no problems left")
        self.publish("problems", current)

