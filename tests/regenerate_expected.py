"""Rewrite tests/expected/ from the current templates: run `python tests/regenerate_expected.py`.

Review the diff before committing it: it is what the tests will hold the HTML to.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from generator.build import build
from generator.project import load_project

REPO = Path(__file__).resolve().parent.parent
EXPECTED = REPO / "tests" / "expected"


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        result = build(load_project(REPO), formats=("html",), output=Path(out), jobs=1)
        for path in result.written:
            shutil.copyfile(path, EXPECTED / path.name)
            print(f"wrote {(EXPECTED / path.name).relative_to(REPO)}")


if __name__ == "__main__":
    main()
