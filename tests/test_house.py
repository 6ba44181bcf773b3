"""The house keeps its rules: what a module registers does not depend on which modules were
imported before it, the public API is what it says, and `carta check` validates once."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent

# Each module's dotted name; __main__ runs the CLI when imported, so it is left out.
MODULES = sorted(
    ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
    for path in (REPO / "generator").rglob("*.py") if path.name != "__main__.py")


def _in_fresh_interpreter(code: str) -> str:
    """What `code` prints, run by a new Python that imports carta from this tree."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_block_types_do_not_depend_on_the_order_modules_are_imported_in(seed):
    order = list(MODULES)
    random.Random(seed).shuffle(order)
    printed = _in_fresh_interpreter(
        "import importlib, json, sys\n"
        f"for name in {order!r}:\n"
        "    importlib.import_module(name)\n"
        "from generator.content import blocks\n"
        "print(json.dumps(blocks.kinds()))\n")
    # The same types, in the same order (messages list them), as the declarations alone give.
    alone = _in_fresh_interpreter("import json\nfrom generator.content import blocks\n"
                                  "print(json.dumps(blocks.kinds()))\n")
    assert json.loads(printed) == json.loads(alone)
    assert "response_summary" in json.loads(alone)


def test_generator_build_is_the_function_on_every_access():
    printed = _in_fresh_interpreter(
        "import importlib, inspect, json\n"
        "import generator\n"
        "seen = [generator.build]\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "    seen.append(generator.build)\n"
        "from generator import build\n"
        "seen.append(build)\n"
        "print(json.dumps([inspect.isfunction(each) and each is seen[0] for each in seen]\n"
        "                 + [generator.build.__name__, generator.check.__name__,\n"
        "                    generator.load_project.__name__]))\n")
    *same, build, check, load_project = json.loads(printed)
    assert all(same)
    # generator.check keeps meaning "validate the content".
    assert (build, check, load_project) == ("build", "validate", "load_project")


def test_carta_check_validates_once(validations):
    from generator.app.cli import cli

    calls = validations
    result = CliRunner().invoke(cli, ["--project", str(REPO), "check"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1


def test_every_module_says_its_job_in_one_line():
    for name in MODULES:
        doc = inspect.getdoc(importlib.import_module(name)) or ""
        assert doc and doc.splitlines()[0].strip(), name
