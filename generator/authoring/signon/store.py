"""The files a sign-on import changes, read and written round trip (ruamel.yaml), so that the
comments, the order and the quoting of a hand-edited file survive: content/signatories.yaml,
content/private/signatories.yaml, the letter's signatory list, and the import's memory
(content/signatories-import.yaml: each form's column mapping, the rows already imported, the
pairs a person said are not duplicates)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from ...core.errors import ContentError, Problem
from ...core.project import Project, Unreadable, read_content_file
from ...core.write import write_atomic

MEMORY_FILE = "signatories-import.yaml"  # under content/
PRIVATE_FILE = "private/signatories.yaml"
MAX_BYTES = 16 * 1024 * 1024
_TOP_KEY = re.compile(r"""([^\s#'"-][^:#]*|'[^']*'|"[^"]*"):(\s|$)""")

_MEMORY_HEADER = (
    "# Written by `carta signatories import` and `carta signatories duplicates`; safe to read,\n"
    "# edit with care. forms: how each form's columns map to signatory fields (the next export\n"
    "# of the same form imports with no --map). rows: which signatory each imported row became,\n"
    "# so a re-import changes nothing. not_duplicates: pairs a person said are different.\n")
_PRIVATE_HEADER = (
    "# Private: contacts and consent of each signatory. carta never prints, renders, embeds or\n"
    "# publishes this file; keep it out of a public repository (carta init's .gitignore does).\n")


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def unreadable(shown_as: str, error: Exception) -> ContentError:
    """A file the import cannot read (either YAML library's errors, or the file-access
    rule's), as the problem to show."""
    if isinstance(error, Unreadable | UnicodeDecodeError):
        message = str(error) if isinstance(error, Unreadable) else "expected UTF-8 text"
        return ContentError([Problem(shown_as, None, None, "", message)])
    mark = getattr(error, "problem_mark", None)
    return ContentError([Problem(
        shown_as, mark.line + 1 if mark else None, mark.column + 1 if mark else None, "",
        f"YAML syntax error: {getattr(error, 'problem', None) or error}; fix it first, then "
        "import again")])


class Document:
    """One YAML file, loaded round trip; `data` is a CommentedMap, empty for a new file."""

    def __init__(self, project: Project, path: Path, header: str = ""):
        from ruamel.yaml import YAMLError
        from ruamel.yaml.comments import CommentedMap

        self.path = path
        self.shown_as = project.shown(path)
        self.header = header
        self.original = b""
        self.data = CommentedMap()
        if not path.exists():
            return
        try:
            self.original = read_content_file(path, (project.root,), MAX_BYTES, "a YAML file")
            loaded = _yaml().load(self.original.decode("utf-8"))
        except (Unreadable, UnicodeDecodeError, YAMLError) as error:
            raise unreadable(self.shown_as, error) from None
        if loaded is None:
            return
        if not isinstance(loaded, CommentedMap):
            raise ContentError([Problem(self.shown_as, 1, 1, "",
                                        "expected a mapping (one entry per id) at the top, "
                                        f"found {type(loaded).__name__}")])
        self.data = loaded

    def text(self) -> bytes:
        stream = io.StringIO()
        if not self.original and self.header:
            stream.write(self.header)
        _yaml().dump(self.data, stream)
        return stream.getvalue().encode("utf-8")

    def changed(self) -> bool:
        return self.text() != self.original

    def write(self) -> bool:
        """Write when something changed; True when written."""
        data = self.text()
        if data == self.original:
            return False
        write_atomic(self.path, data)
        self.original = data
        return True


class Plain:
    """One YAML file read fast (the content loader: the C parser, positions kept), for what an
    import needs to know; written by appending new entries at its end, which keeps every
    comment and the order of what is there. `Document` rewrites a file round trip when an
    entry already there must change (slower: ruamel.yaml is pure Python)."""

    def __init__(self, project: Project, path: Path, header: str = "",
                 positions: bool = True):
        from ...content.load import load_content

        self.project = project
        self.path = path
        self.shown_as = project.shown(path)
        self.header = header
        self.original = b""
        self.data: dict = {}
        self._lines: dict[str, int] | None = None
        if not path.exists():
            return
        if positions:
            loaded = load_content(project, path)
            if loaded.problems:
                raise ContentError([*loaded.problems])
            data = loaded.data
            self.original = path.read_bytes()
        else:
            # No line numbers needed (the private file, the import's memory): libyaml's
            # loader alone, several times faster.
            data = self._load_fast(project, path)
        if data is not None and not isinstance(data, dict):
            raise ContentError([Problem(self.shown_as, 1, 1, "",
                                        "expected a mapping (one entry per id) at the top")])
        self.data = data or {}

    def _load_fast(self, project: Project, path: Path):
        import yaml

        try:
            self.original = read_content_file(path, (project.root,), MAX_BYTES, "a YAML file")
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            return yaml.load(self.original.decode("utf-8"), Loader=loader)  # noqa: S506
        except (Unreadable, UnicodeDecodeError, yaml.YAMLError) as error:
            raise unreadable(self.shown_as, error) from None

    def line(self, key: object) -> int | None:
        """The line where a top-level key stands (for messages)."""
        if self._lines is None:
            self._lines = {}
            text = self.original.decode("utf-8")
            for number, match in enumerate(re.finditer(r"(?m)^.*$", text), start=1):
                found = _TOP_KEY.match(match.group())
                if found:
                    self._lines.setdefault(found.group(1).strip("'\""), number)
        return self._lines.get(str(key))

    def append(self, entries: dict) -> bool:
        """Add `entries` (new keys) at the end of the file; True when written."""
        if not entries:
            return False
        if self._flow():
            document = Document(self.project, self.path, self.header)
            for key, value in entries.items():
                document.data[key] = value
            return document.write()
        text = dump(entries)
        before = self.original.decode("utf-8") if self.original else self.header
        if before and not before.endswith("\n"):
            before += "\n"
        write_atomic(self.path, (before + text).encode("utf-8"))
        return True

    def _flow(self) -> bool:
        """A top mapping written in braces ({a: ...}) cannot take entries appended below."""
        for line in self.original.decode("utf-8").splitlines():
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                return stripped.startswith(("{", "---", "%"))
        return False


def plain(value: object) -> object:
    """Loaded data (positioned mappings and lists) as plain dicts and lists, to dump."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def dump(data: dict) -> str:
    """Plain data as block YAML, fast (libyaml's emitter when there is one)."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100)


def signatories(project: Project) -> Plain:
    return Plain(project, project.content / "signatories.yaml", positions=False)


def private(project: Project) -> Plain:
    return Plain(project, project.content / PRIVATE_FILE, _PRIVATE_HEADER, positions=False)


def memory(project: Project) -> Plain:
    return Plain(project, project.content / MEMORY_FILE, _MEMORY_HEADER, positions=False)


def write_memory(document: Plain, data: dict) -> bool:
    """The import's memory is carta's own file: written whole, its header kept."""
    text = (_MEMORY_HEADER + dump(data)).encode("utf-8")
    if text == document.original:
        return False
    write_atomic(document.path, text)
    document.original = text
    return True


def round_trip(document: Plain) -> Document:
    """The same file, loaded round trip, to change entries already in it."""
    return Document(document.project, document.path, document.header)


def letter(project: Project, ident: str) -> Plain:
    from ...content.reader import SLUG, did_you_mean

    known = sorted(path.stem for path in project.letter_files())
    if not SLUG.match(ident) or ident not in known:
        raise ContentError([Problem("--letter", None, None, ident,
                                    f"no letter '{ident}'; expected one of: "
                                    f"{', '.join(known) or 'none'}" + did_you_mean(ident, known))])
    return Plain(project, project.letters_dir / f"{ident}.yaml")


def letter_members(document: Document | Plain) -> set[str]:
    """Every id a letter's signatory list names already (a plain list, or tiers)."""
    value = document.data.get("signatories")
    if isinstance(value, list):
        return {str(item) for item in value}
    if isinstance(value, dict):
        return {str(member) for tier in value.get("tiers") or () if isinstance(tier, dict)
                for member in tier.get("members") or ()}
    return set()


def add_to_letter(document: Document, idents: list[str], tier: str | None) -> list[str]:
    """Append the ids the letter does not list yet, to its plain list or to the tier titled
    `tier` (made at the end when there is none); the ids added."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    present = letter_members(document)
    new = [ident for ident in dict.fromkeys(idents) if ident not in present]
    if not new:
        return []
    value = document.data.get("signatories")
    if value is None:
        if tier is None:
            document.data["signatories"] = CommentedSeq(new)
            return new
        value = document.data["signatories"] = CommentedMap(tiers=CommentedSeq())
    if isinstance(value, list):
        if tier is None:
            value.extend(new)
            return new
        # A plain list becomes the first tier, untitled, so the new tier can follow it.
        value = document.data["signatories"] = CommentedMap(
            tiers=CommentedSeq([CommentedMap(members=value)]))
    if not isinstance(value, dict) or not isinstance(value.get("tiers"), list):
        raise ContentError([Problem(document.shown_as, None, None, "signatories",
                                    "expected a list of ids or a mapping with tiers; fix it "
                                    "first, then import again")])
    tiers = value["tiers"]
    chosen = None
    if tier is None:
        chosen = tiers[-1] if tiers else None
    else:
        chosen = next((item for item in tiers if isinstance(item, dict)
                       and str(item.get("title", "")) == tier), None)
    if chosen is None:
        chosen = CommentedMap()
        if tier is not None:
            chosen["title"] = tier
        chosen["members"] = CommentedSeq()
        tiers.append(chosen)
    members = chosen.setdefault("members", CommentedSeq())
    members.extend(new)
    return new
