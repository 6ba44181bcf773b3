"""`carta serve`'s engine between saves (issue 23, item 5): what it does while the author reads,
so that a save pays only for its own letter. In this process, HTML only (no WeasyPrint), no
timings: benchmarks/serve_benchmark.py prints those.

Every name here is fictional."""

from __future__ import annotations

import gc

import jinja2
import pytest
from click.testing import CliRunner

from generator.app.cli import cli
from generator.app.watch import Engine
from generator.core.project import load_project

LETTER = "content/letters/carta-prueba.yaml"


def built_engine(sample, published: list) -> Engine:
    """An engine on a project `carta build` made already: its first pass skips every output."""
    result = CliRunner().invoke(cli, ["--project", str(sample.root), "build", "--format",
                                      "html"])
    assert result.exit_code == 0, result.output
    engine = Engine(load_project(sample.root), formats=("html",),
                    publish=lambda kind, data: published.append((kind, data)))
    engine.rebuild(None)
    assert not [kind for kind, _ in published if kind == "html"]  # nothing was rendered
    published.clear()  # the first pass's own events
    return engine


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()  # the warm-up froze this test process's objects: give them back


def test_the_warm_up_compiles_the_templates_and_writes_nothing(sample, monkeypatch, unfrozen):
    published: list = []
    engine = built_engine(sample, published)
    output = sample.root / "output"
    before = {path: path.stat().st_mtime_ns for path in output.rglob("*")}
    engine._warm_up()
    assert engine.warm
    assert {path: path.stat().st_mtime_ns for path in output.rglob("*")} == before
    assert not published  # no event: nothing was written
    assert gc.get_freeze_count() > 0

    # The first save then compiles no template: it renders with what the warm-up loaded.
    compiled = []
    original = jinja2.Environment.compile

    def counting(self, *args, **kwargs):
        compiled.append(args[1] if len(args) > 1 else kwargs.get("name"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    sample.replace(LETTER, "Primer párrafo", "Párrafo editado")
    engine.rebuild({sample.root / LETTER})
    assert compiled == []
    page = (output / "carta-prueba/carta-prueba.es.html").read_text("utf-8")
    assert "Párrafo editado de la Organización Ejemplo A." in page
    assert [kind for kind, _ in published if kind == "html"] == ["html"]


def test_a_letter_with_a_problem_does_not_stop_the_warm_up(sample, unfrozen):
    published: list = []
    engine = built_engine(sample, published)
    sample.replace(LETTER, "sender: coalicion-ejemplo", "sender: remitente-inexistente")
    engine._warm_up()  # no exception, nothing published: the save says what is wrong
    assert engine.warm and not published
    engine.rebuild({sample.root / LETTER})
    shown = [issue.message for issue in engine.current]
    assert any("remitente-inexistente" in message for message in shown), shown


def test_a_project_without_letters_warms_up(sample, unfrozen):
    (sample.root / LETTER).unlink()
    engine = Engine(load_project(sample.root), formats=("html",))
    engine._warm_up()
    assert engine.warm
