"""The files a sign-on import changes, read and written round trip (ruamel.yaml), so that the
comments, the order and the quoting of a hand-edited file survive: content/signatories.yaml,
content/private/signatories.yaml, the letter's signatory list, and the import's memory
(content/signatories-import.yaml: each form's column mapping, the rows already imported, the
pairs a person said are not duplicates)."""

from __future__ import annotations

import io
from pathlib import Path

from ...core.errors import ContentError, Problem
from ...core.project import Project, Unreadable, read_content_file
from ...core.write import write_atomic

MEMORY_FILE = "signatories-import.yaml"  # under content/
PRIVATE_FILE = "private/signatories.yaml"
MAX_BYTES = 16 * 1024 * 1024

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
        except (Unreadable, UnicodeDecodeError) as error:
            raise ContentError([Problem(self.shown_as, None, None, "",
                                        str(error) if isinstance(error, Unreadable)
                                        else "expected UTF-8 text")]) from None
        except YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise ContentError([Problem(
                self.shown_as, mark.line + 1 if mark else None,
                mark.column + 1 if mark else None, "",
                f"not valid YAML ({getattr(error, 'problem', None) or error}); fix it first, "
                "then import again")]) from None
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


def signatories(project: Project) -> Document:
    return Document(project, project.content / "signatories.yaml")


def private(project: Project) -> Document:
    return Document(project, project.content / PRIVATE_FILE, _PRIVATE_HEADER)


def memory(project: Project) -> Document:
    return Document(project, project.content / MEMORY_FILE, _MEMORY_HEADER)


def letter(project: Project, ident: str) -> Document:
    from ...content.reader import SLUG, did_you_mean

    known = sorted(path.stem for path in project.letter_files())
    if not SLUG.match(ident) or ident not in known:
        raise ContentError([Problem("--letter", None, None, ident,
                                    f"no letter '{ident}'; expected one of: "
                                    f"{', '.join(known) or 'none'}" + did_you_mean(ident, known))])
    return Document(project, project.letters_dir / f"{ident}.yaml")


def letter_members(document: Document) -> set[str]:
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
