"""Read YAML files into plain data that remembers the line and column of every key and item."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core.errors import Problem, Rank
from ..core.project import Project, TooLarge, Unreadable, read_content_file

# The C parser is ten times faster; the constructor stays in Python either way.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits that keep a pasted blob or a hostile file from hanging a build. A long letter with
# its references is well under 100 KB.
# A sign-on list of 10,000 signatories with places and affiliations is about 2 MB; YAML is read
# in linear time, so 4 MB bounds a check to a few seconds.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 40
MAX_NUMBER_LENGTH = 40
# Tags whose values carta has no use for (bytes, sets, ordered pairs): refused like custom tags.
REFUSED_TAGS = ("binary", "set", "omap", "pairs")


class SourceMap(dict):
    """A YAML mapping that knows where it starts and where each of its keys stands."""

    line: int = 0
    column: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.positions: dict[object, tuple[int, int]] = {}

    def position(self, key: object) -> tuple[int, int]:
        """Where `key` stands, or where the mapping starts when the key is missing."""
        return self.positions.get(key, (self.line, self.column))


class SourceList(list):
    """A YAML sequence that knows where it starts and where each item stands."""

    line: int = 0
    column: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.positions: list[tuple[int, int]] = []

    def position(self, index: int | None) -> tuple[int, int]:
        if isinstance(index, int) and 0 <= index < len(self.positions):
            return self.positions[index]
        return (self.line, self.column)


@dataclass(frozen=True)
class YamlFile:
    """A loaded file: the name to show the user, the data, and the problems met on the way."""

    path: Path
    shown_as: str
    data: object
    problems: tuple[Problem, ...] = ()


def _where(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Refused(Exception):
    """Valid YAML that carta does not accept; stops the file with one problem at `node`."""

    def __init__(self, node: yaml.Node, message: str):
        super().__init__(message)
        self.line, self.column = _where(node)
        self.message = message


class _PositionLoader(_BaseLoader):
    """Safe loader whose mappings and sequences record positions and report duplicate keys."""

    def __init__(self, stream, shown_as: str):
        super().__init__(stream)
        self.shown_as = shown_as
        self.problems: list[Problem] = []
        self.depth = 0

    def construct_object(self, node, deep=False):
        # An alias makes the parser hand over the same node a second time. Refusing aliases
        # outright stops a "billion laughs" file before anything walks its billions of items.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _Refused(node, "this value has an anchor (&name) and is reused through an "
                                 "alias (*name); carta does not accept YAML anchors and aliases: "
                                 "write the value out in full where it is needed")
        return super().construct_object(node, deep)

    def nest(self, node: yaml.Node) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(node, f"expected at most {MAX_DEPTH} levels of nested lists and "
                                 "mappings, found more")


def _construct_mapping(loader: _PositionLoader, node: yaml.MappingNode) -> SourceMap:
    loader.flatten_mapping(node)
    mapping = SourceMap()
    mapping.line, mapping.column = _where(node)
    loader.nest(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line, column = _where(key_node)
        if not isinstance(key, str | int | float | bool) and key is not None:
            loader.problems.append(Problem(
                loader.shown_as, line, column, "",
                "expected a plain key (a word), found a list or mapping used as a key"))
            continue
        if key in mapping:
            first_line, _ = mapping.positions[key]
            loader.problems.append(Problem(
                loader.shown_as, line, column, str(key),
                f"duplicate key (first given at line {first_line}); keep only one"))
            continue
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.positions[key] = (line, column)
    loader.depth -= 1
    return mapping


def _construct_sequence(loader: _PositionLoader, node: yaml.SequenceNode) -> SourceList:
    items = SourceList()
    items.line, items.column = _where(node)
    loader.nest(node)
    for child in node.value:
        items.append(loader.construct_object(child, deep=True))
        items.positions.append(_where(child))
    loader.depth -= 1
    return items


def _construct_int(loader: _PositionLoader, node: yaml.ScalarNode) -> int:
    # Python refuses to turn a number of thousands of digits into text, so stop it here.
    if len(node.value) > MAX_NUMBER_LENGTH:
        raise _Refused(node, f"expected a number of at most {MAX_NUMBER_LENGTH} digits, found "
                             f"one of {len(node.value)}; put it in quotes if it is text")
    return _BaseLoader.construct_yaml_int(loader, node)


def _refuse_tag(loader: _PositionLoader, node: yaml.Node):
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise _Refused(node, f"the YAML tag '{tag}' is not accepted; carta reads plain text, "
                         "numbers, lists and mappings: remove the tag")


_PositionLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_PositionLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
# Dates stay text here, so that an impossible date ("2017-02-30") becomes a clear validation
# message instead of an exception from deep inside the YAML library.
_PositionLoader.add_constructor("tag:yaml.org,2002:timestamp", _BaseLoader.construct_yaml_str)
_PositionLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
# No custom tags, and none of the "python/..." ones: those are how YAML files run code.
_PositionLoader.add_constructor(None, _refuse_tag)
for _tag in REFUSED_TAGS:
    _PositionLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)


def load_content(project: Project, path: Path) -> YamlFile:
    """One YAML file of the project's content, shown by the name it has in its folder (not
    where a symbolic link leads) and read only if it really is inside the project."""
    shown = project.shown(path.parent) + "/" + path.name
    return load_yaml(path, shown, inside=(project.root, project.content))


def load_yaml(path: Path, shown_as: str, inside: tuple[Path, ...] = ()) -> YamlFile:
    """Load one YAML file. Syntax and encoding errors come back as problems, never raised.

    The file is read only if its real path is inside one of the folders `inside` (by default
    the folder it is in): a symbolic link out of the project is refused before any read."""

    def failed(line: int | None, column: int | None, message: str) -> YamlFile:
        return YamlFile(path, shown_as, None, (Problem(shown_as, line, column, "", message,
                                                       rank=Rank.UNREADABLE),))

    try:
        raw = read_content_file(path, inside or (path.parent,), MAX_FILE_BYTES, "a YAML file")
    except FileNotFoundError:
        return failed(None, None, "expected this file, found none")
    except TooLarge as error:
        if not path.resolve().is_file() or path.stat().st_size > 64 * MAX_FILE_BYTES:
            return failed(None, None, str(error))
        line, length = _longest_line(path)
        return failed(line, None, f"expected a file of at most {_size(MAX_FILE_BYTES)}, "
                                  f"found {_size(path.stat().st_size)} (line {line} alone is "
                                  f"{_size(length)}); split it, or remove pasted data")
    except Unreadable as error:
        return failed(None, None, str(error))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return failed(line, None, "expected UTF-8 text, found bytes that are not UTF-8; "
                                  "save the file as UTF-8")
    loader = _PositionLoader(text, shown_as)
    try:
        data = loader.get_single_data()
    except _Refused as refused:
        return failed(refused.line, refused.column, refused.message)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        detail = error.problem or "unreadable YAML"
        if error.context:
            detail = f"{detail} ({error.context})"
        if detail.startswith("but found another document"):
            detail = "expected one document, found a second one after a '---' line"
        else:
            detail = _plain(detail)
        if line is not None and _indented_with_tabs(text, line):
            detail += "; indent with spaces: YAML does not allow tabs for indentation"
        return failed(line, column, f"YAML syntax error: {detail}")
    except yaml.reader.ReaderError as error:
        # A control character or similar; the C reader does not say which, so look it up.
        # Its position counts bytes of UTF-8, the Python reader's counts characters.
        before = text[: error.position] if _BaseLoader is yaml.SafeLoader \
            else raw[: error.position].decode("utf-8", "replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        found = text[len(before): len(before) + 1]
        code = f"U+{ord(found):04X}" if found else "a character"
        return failed(line, column, f"expected text, found the control character {code}; "
                                    "remove it")
    except yaml.YAMLError as error:
        return failed(None, None, f"YAML syntax error: {error}")
    except RecursionError:
        return failed(None, None, f"expected at most {MAX_DEPTH} levels of nested lists and "
                                  "mappings, found more")
    finally:
        loader.dispose()
    return YamlFile(path, shown_as, data, tuple(loader.problems))


# The YAML parser's words for the mistakes people make, and what to do about each. The
# parser's own text follows in brackets, for whoever wants it.
_PLAIN = (
    ("did not find expected '-' indicator",
     "a list item is indented differently from the items before it; start every '- ' of one "
     "list at the same column"),
    ("expected <block end>, but found '-'",
     "a list item ('- ') is indented more or less than the list it belongs to; line it up "
     "with the other items"),
    ("expected <block end>, but found '<block sequence start>'",
     "a list item ('- ') is indented more or less than the list it belongs to; line it up "
     "with the other items"),
    ("did not find expected key",
     "this line is indented differently from the fields around it; line up the fields of one "
     "block at the same column"),
    ("mapping values are not allowed",
     "a ': ' where YAML does not expect one; put a text that holds ': ' in quotes, or check "
     "this line's indentation"),
    ("could not find expected ':'",
     "expected 'field: value' on this line; a ':' is missing, or the line should be indented "
     "under the one before"),
    ("found unexpected end of stream",
     "a quotation mark (\" or ') is opened and never closed"),
    ("did not find expected ',' or ']'",
     "a list in brackets [a, b] is not closed with ']', or its items are not separated by "
     "commas"),
    ("did not find expected ',' or '}'",
     "a mapping in braces {a: b} is not closed with '}', or its items are not separated by "
     "commas"),
)


def _plain(detail: str) -> str:
    for words, plain in _PLAIN:
        if words in detail:
            return f"{plain} (YAML says: {detail})"
    return detail


def _indented_with_tabs(text: str, line: int) -> bool:
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return False
    content = lines[line - 1]
    return "\t" in content[: len(content) - len(content.lstrip())]


def _longest_line(path: Path) -> tuple[int, int]:
    """(number, length in bytes) of the longest line, read in chunks to bound memory."""
    best = (1, 0)
    number, length = 1, 0
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            pieces = chunk.split(b"\n")
            for index, piece in enumerate(pieces):
                length += len(piece)
                if index < len(pieces) - 1:  # this piece ends a line
                    if length > best[1]:
                        best = (number, length)
                    number, length = number + 1, 0
    return best if best[1] >= length else (number, length)


def _size(count: int) -> str:
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} bytes"
    return f"{count / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
