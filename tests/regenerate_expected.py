"""Rewrite tests/expected/ from the current templates: run `python tests/regenerate_expected.py`.

It holds the HTML of this repository's letters and of every project in examples/
(tests/expected/examples/<example>/).

Review the diff before committing it: it is what the tests will hold the HTML to.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from generator.core.project import load_project
from generator.pipeline.run import build

REPO = Path(__file__).resolve().parent.parent
EXPECTED = REPO / "tests" / "expected"


def write_expected(project: Path, expected: Path) -> None:
    expected.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as out:
        result = build(load_project(project), formats=("html",), output=Path(out), jobs=1,
                       force=True)
        for path in result.written:
            shutil.copyfile(path, expected / path.name)
            print(f"wrote {(expected / path.name).relative_to(REPO)}")


def main() -> None:
    write_expected(REPO, EXPECTED)
    for example in sorted((REPO / "examples").iterdir()):
        if (example / "content").is_dir():
            write_expected(example, EXPECTED / "examples" / example.name)


if __name__ == "__main__":
    main()
