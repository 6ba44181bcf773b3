"""Read YAML files into plain data that remembers the line and column of every key and item."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Problem

# The C parser is ten times faster; the constructor stays in Python either way.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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

    def position(self, index: int) -> tuple[int, int]:
        if 0 <= index < len(self.positions):
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


class _PositionLoader(_BaseLoader):
    """Safe loader whose mappings and sequences record positions and report duplicate keys."""

    def __init__(self, stream, shown_as: str):
        super().__init__(stream)
        self.shown_as = shown_as
        self.problems: list[Problem] = []


def _construct_mapping(loader: _PositionLoader, node: yaml.MappingNode) -> SourceMap:
    loader.flatten_mapping(node)
    mapping = SourceMap()
    mapping.line, mapping.column = _where(node)
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
    return mapping


def _construct_sequence(loader: _PositionLoader, node: yaml.SequenceNode) -> SourceList:
    items = SourceList()
    items.line, items.column = _where(node)
    for child in node.value:
        items.append(loader.construct_object(child, deep=True))
        items.positions.append(_where(child))
    return items


_PositionLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_PositionLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
# Dates stay text here, so that an impossible date ("2017-02-30") becomes a clear validation
# message instead of an exception from deep inside the YAML library.
_PositionLoader.add_constructor("tag:yaml.org,2002:timestamp", _BaseLoader.construct_yaml_str)


def load_yaml(path: Path, shown_as: str) -> YamlFile:
    """Load one YAML file. Syntax and encoding errors come back as problems, never raised."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return YamlFile(path, shown_as, None, (Problem(
            shown_as, None, None, "", f"cannot read the file: {error.strerror}"),))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return YamlFile(path, shown_as, None, (Problem(
            shown_as, line, None, "",
            "expected UTF-8 text, found bytes that are not UTF-8; save the file as UTF-8"),))
    loader = _PositionLoader(text, shown_as)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        detail = error.problem or "unreadable YAML"
        if error.context:
            detail = f"{detail} ({error.context})"
        return YamlFile(path, shown_as, None, (Problem(
            shown_as, line, column, "", f"YAML syntax error: {detail}"),))
    except yaml.YAMLError as error:
        return YamlFile(path, shown_as, None, (Problem(
            shown_as, None, None, "", f"YAML syntax error: {error}"),))
    finally:
        loader.dispose()
    return YamlFile(path, shown_as, data, tuple(loader.problems))
