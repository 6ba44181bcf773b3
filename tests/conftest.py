"""Shared fixtures: small fictional projects in tmp_path, and the repository's own project."""

from __future__ import annotations

import importlib
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_ID = "2017-09-19-carta-comite-directivo-ogp"

SENDERS = """\
coalicion-ejemplo:
  name:
    es: Coalición Ejemplo
    en: Example Coalition
"""

RECIPIENTS = """\
organismo-ejemplo:
  name:
    es: Organismo Ejemplo A
    en: Example Body A
  salutation:
    es: "Estimados miembros del Organismo Ejemplo A:"
"""

LETTER = """\
id: carta-prueba
date: 2024-03-01
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
body:
  - paragraph: Primer párrafo de la Organización Ejemplo A.[^nota-a]
  - heading: Sección de prueba
  - grievances:
      - id: agravio-a
        text: un agravio ficticio;
      - id: agravio-b
        text: otro agravio ficticio.
  - demands:
      - id: demanda-a
        text: Una demanda ficticia.
      - id: demanda-b
        status: met
        text: Otra demanda ficticia.
references:
  - id: nota-a
    text: Ver https://example.org/nota-a
"""


class SampleProject:
    """A fictional project in a temporary folder, with helpers to break it on purpose."""

    def __init__(self, root: Path):
        self.root = root
        self.write("content/senders.yaml", SENDERS)
        self.write("content/recipients.yaml", RECIPIENTS)
        self.write("content/letters/carta-prueba.yaml", LETTER)
        self.write("carta.toml", '[project]\nlocales = ["es"]\n')

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def replace(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def sample(tmp_path: Path) -> SampleProject:
    return SampleProject(tmp_path / "project")


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A copy of this repository's project (content and settings), safe to break."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "carta.toml", root / "carta.toml")
    return root


@pytest.fixture(autouse=True, scope="session")
def _machine_cache(tmp_path_factory):
    """Builds in tests keep the web fonts in a cache folder of their own, never the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CARTA_CACHE_DIR", str(tmp_path_factory.mktemp("carta-cache")))
        yield


@pytest.fixture
def validations(monkeypatch) -> list:
    """Every call of the content validator, wherever a module of carta looks it up: a test
    that counts them shows a command validates once, whichever way it goes."""
    for path in (REPO / "generator").rglob("*.py"):
        if path.name != "__main__.py":
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            importlib.import_module(name.removesuffix(".__init__"))
    from generator.campaign import assemble

    original = assemble.validate
    calls = []

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("generator") \
                and getattr(module, "validate", None) is original:
            monkeypatch.setattr(module, "validate", counting)
    return calls
