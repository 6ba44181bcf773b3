"""A corpus of broken content, each case checked through `carta check` for its exact message.

Every file in tests/malformed/ is one case. Its first lines, starting with "#>", say how to
set it up and what `carta check` must say; the rest of the file is written, byte for byte, over
one file of the sample project (the letter, unless `file:` names another):

    #> file: content/senders.yaml           which file the case replaces (default: the letter;
                                            "-" for none; "../x" is beside the project)
    #> setup: mkdir content/img/logo.png    prepare the project (see SETUPS below)
    #> expect: content/senders.yaml:3 | coalicion-ejemplo.logo: expected an image file ...

Each `expect` is one problem: the file, the line (optional), and how the message begins after
"file:line:column: ". A case lists every problem it causes, no more and no fewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SampleProject

from generator.app.cli import cli

CORPUS = Path(__file__).parent / "malformed"
LETTER_FILE = "content/letters/carta-prueba.yaml"


@dataclass
class Case:
    name: str
    body: bytes
    file: str = LETTER_FILE
    setups: list[list[str]] = field(default_factory=list)
    expects: list[tuple[str, int | None, str]] = field(default_factory=list)


def read_case(path: Path) -> Case:
    case = Case(path.stem, b"")
    lines = path.read_bytes().splitlines(keepends=True)
    while lines and lines[0].startswith(b"#>"):
        key, _, value = lines.pop(0)[2:].decode("ascii").strip().partition(":")
        value = value.strip()
        if key == "file":
            case.file = value
        elif key == "setup":
            case.setups.append(value.split())
        elif key == "expect":
            where, _, message = value.partition(" | ")
            file, _, line = where.partition(":")
            case.expects.append((file, int(line) if line else None, message))
        else:
            raise ValueError(f"{path.name}: unknown case key {key!r}")
    case.body = b"".join(lines)
    assert case.expects, f"{path.name} expects nothing"
    return case


def _mkdir(project: Path, relative: str) -> None:
    (project / relative).mkdir(parents=True, exist_ok=True)


def _outside(project: Path, relative: str, *words: str) -> None:
    """A file beside the project, not in it, with the given words as its text."""
    path = project.parent / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(" ".join(words) + "\n", encoding="utf-8")


def _symlink(project: Path, link: str, target: str) -> None:
    """A symbolic link inside the project to `target`, relative to the project's folder."""
    path = project / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.symlink_to(project.parent / target)


def _pad(project: Path, relative: str, marker: str, size: str) -> None:
    """Replace `marker` in a file by `size` letters: a huge paragraph, without storing one."""
    path = project / relative
    path.write_bytes(path.read_bytes().replace(marker.encode(), b"a" * int(size)))


def _write(project: Path, relative: str, *words: str) -> None:
    """A file inside the project with the given words as its text."""
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(" ".join(words) + "\n", encoding="utf-8")


SETUPS = {"mkdir": _mkdir, "outside": _outside, "symlink": _symlink, "pad": _pad,
          "write": _write}
CASES = sorted(CORPUS.glob("*.yaml"))


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_malformed_content_gives_a_clear_message(tmp_path, path):
    case = read_case(path)
    sample = SampleProject(tmp_path / "project")
    if case.file != "-":
        target = sample.root / case.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(case.body)
    for action, *arguments in case.setups:
        SETUPS[action](sample.root, *arguments)

    result = CliRunner().invoke(cli, ["--project", str(sample.root), "check"])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    count = len(case.expects)
    assert lines[0] == f"Error: {count} problem{'s' if count > 1 else ''} found:", result.output
    problems = lines[1:]
    for file, line, message in case.expects:
        where = re.escape(file) + (rf":{line}(?::\d+)?" if line else "")
        pattern = re.compile(rf"  {where}: (.*)")
        found = [m[1] for problem in problems if (m := pattern.fullmatch(problem))]
        assert any(rest.startswith(message) for rest in found), \
            f"expected {file}:{line or ''} {message!r} in:\n{result.output}"
