"""`carta signatories import`: form exports (CSV of Google Forms and of Excel in Spanish, XLSX,
ODS) into content/signatories.yaml, with stable ids, re-imports that change nothing, located
row errors, and the round trip that keeps a hand-edited file's comments.

Every name here is fictional; the fixtures come from tests/signon_fixtures.py."""

from __future__ import annotations

import re
import textwrap

import pypdf
import pytest
import signon_fixtures
from click.testing import CliRunner
from pdftext import normalize

from generator.app.cli import cli

LETTER = "content/letters/carta-prueba.yaml"


def run(sample, *args: str):
    return CliRunner().invoke(cli, ["--project", str(sample.root), *args])


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    paths, planted = signon_fixtures.write_all(folder)
    return paths, planted


def with_logos(sample, planted):
    signon_fixtures.write_logos(sample.root / "content", planted)
    return sample


def files(sample) -> dict[str, bytes]:
    content = sample.root / "content"
    return {str(path.relative_to(content)): path.read_bytes()
            for path in sorted(content.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("name", list(signon_fixtures.WRITERS))
def test_every_bad_row_is_reported_with_file_row_and_column_and_nothing_is_written(
        sample, exports, name):
    paths, planted = exports
    with_logos(sample, planted)
    before = files(sample)
    result = run(sample, "signatories", "import", str(paths[name]))
    assert result.exit_code == 1, result.output
    lines = [line.strip() for line in result.output.splitlines()
             if re.search(rf"{re.escape(name)}:\d+:", line)]
    assert result.output.startswith(f"{paths[name]}: ")  # the mapping is shown first
    for row, column in planted.bad.items():
        assert any(re.search(rf"{re.escape(name)}:{row}:\d+: {re.escape(column)}: ", line)
                   for line in lines), (row, column, result.output)
    assert len(lines) == len(planted.bad)
    assert "Nothing was written" in result.output
    assert "Traceback" not in result.output
    assert files(sample) == before


def test_the_four_exports_import_the_same_signatories(tmp_path, exports):
    from conftest import SampleProject

    paths, planted = exports
    written = {}
    for name, path in paths.items():
        sample = with_logos(SampleProject(tmp_path / name), planted)
        result = run(sample, "signatories", "import", str(path), "--skip-bad-rows")
        assert result.exit_code == 0, result.output
        assert f"{planted.good} new, 0 changed, 0 unchanged, {len(planted.bad)} bad rows " \
               "skipped" in result.output
        written[name] = (sample.root / "content/signatories.yaml").read_text("utf-8")
    assert len(set(written.values())) == 1, "the four formats disagree"
    text = written["google.csv"]
    # Accents read right from Windows-1252 and UTF-8 alike; trailing spaces gone; a
    # Google timestamp (day first) and an ODS date cell give the same date.
    assert "Coordinación" not in text  # the authoriser's role is private
    assert re.search(r"name: \S.*\S\n", text) and not re.search(r"name: .* \n", text)
    assert "signed: '2024-02-01'" in text
    assert "country: México" in text


def test_a_reimport_changes_nothing_and_says_so(sample, exports):
    paths, planted = exports
    with_logos(sample, planted)
    first = run(sample, "signatories", "import", str(paths["google.csv"]), "--skip-bad-rows",
                "--letter", "carta-prueba")
    assert first.exit_code == 0, first.output
    before = files(sample)
    for name in paths:  # the same rows, from each format
        again = run(sample, "signatories", "import", str(paths[name]), "--skip-bad-rows",
                    "--letter", "carta-prueba")
        assert again.exit_code == 0, again.output
        assert f"0 new, 0 changed, {planted.good} unchanged" in again.output
        assert "no change: everything in this file is imported already" in again.output
        assert "as remembered for this form" in again.output
        assert files(sample) == before


SMALL = """\
Marca temporal,Nombre de la organización,Ciudad,País,Sitio web,Correo electrónico
25/02/2024 10:00:00,Organización Ejemplo A,Ciudad Ejemplo,México,ejemplo-a.org,a@ejemplo.org
28/02/2024 11:00:00,Red Ejemplo B,Villa Ficticia,Guatemala,https://ejemplo-b.org,b@ejemplo.org
"""


def test_import_then_build_prints_the_names_and_keeps_contacts_private(sample, tmp_path):
    export = tmp_path / "firmas.csv"
    export.write_text(SMALL, encoding="utf-8")
    result = run(sample, "signatories", "import", str(export), "--letter", "carta-prueba",
                 "--tier", "Firmantes")
    assert result.exit_code == 0, result.output
    assert "name              <- Nombre de la organización" in result.output
    assert "kind              =  organization (every row)" in result.output
    built = run(sample, "build")
    assert built.exit_code == 0, built.output
    pdf = sample.root / "output/carta-prueba/carta-prueba.es.pdf"
    text = normalize(" ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages))
    assert "Firmantes" in text
    assert "Organización Ejemplo A" in text and "Red Ejemplo B" in text
    assert "Villa Ficticia, Guatemala" in text
    html = (sample.root / "output/carta-prueba/carta-prueba.es.html").read_text("utf-8")
    assert "Red Ejemplo B" in html
    for private in ("a@ejemplo.org", "b@ejemplo.org"):
        assert private not in text and private not in html
        assert private not in (sample.root / "content/signatories.yaml").read_text("utf-8")
        assert private in (sample.root / "content/private/signatories.yaml").read_text("utf-8")
    metadata = " ".join(str(value) for value in pypdf.PdfReader(pdf).metadata.values())
    assert "ejemplo.org" not in metadata
    public = (sample.root / "content/signatories.yaml").read_text("utf-8")
    assert "url: https://ejemplo-a.org" in public  # a bare domain gets its scheme
    assert "organizacion-ejemplo-a:" in public and "red-ejemplo-b:" in public


def test_a_changed_row_is_shown_and_applied_only_with_update_keeping_comments(sample,
                                                                            tmp_path):
    export = tmp_path / "firmas.csv"
    export.write_text(SMALL, encoding="utf-8")
    assert run(sample, "signatories", "import", str(export)).exit_code == 0
    yaml = sample.root / "content/signatories.yaml"
    # A person's hand edits: a comment, and a name given per locale.
    yaml.write_text("# Revisado por la coordinación\n" + yaml.read_text("utf-8").replace(
        "name: Red Ejemplo B", "name: {es: Red Ejemplo B, en: Example Network B}  # ok"),
        encoding="utf-8")
    export.write_text(SMALL.replace("Villa Ficticia", "Pueblo Ficticio"), encoding="utf-8")
    shown = run(sample, "signatories", "import", str(export))
    assert shown.exit_code == 0, shown.output
    assert "changed in row 3: red-ejemplo-b (Red Ejemplo B)" in shown.output
    assert "place: Villa Ficticia -> Pueblo Ficticio" in shown.output
    assert "0 new, 1 changed, 1 unchanged" in shown.output
    assert "--update" in shown.output
    assert "Villa Ficticia" in yaml.read_text("utf-8")
    updated = run(sample, "signatories", "import", str(export), "--update")
    assert updated.exit_code == 0, updated.output
    text = yaml.read_text("utf-8")
    assert "place: Pueblo Ficticio" in text and "Villa Ficticia" not in text
    assert text.startswith("# Revisado por la coordinación\n")
    assert "{es: Red Ejemplo B, en: Example Network B}  # ok" in text
    assert "0 new, 0 changed, 2 unchanged" in run(sample, "signatories", "import",
                                                  str(export)).output


def test_dry_run_shows_what_would_change_and_writes_nothing(sample, tmp_path):
    export = tmp_path / "firmas.csv"
    export.write_text(SMALL, encoding="utf-8")
    before = files(sample)
    result = run(sample, "-v", "signatories", "import", str(export), "--dry-run",
                 "--letter", "carta-prueba")
    assert result.exit_code == 0, result.output
    assert "would add organizacion-ejemplo-a: Organización Ejemplo A (row 2)" in result.output
    assert "would add 2 to letter carta-prueba" in result.output
    assert "dry run: nothing written" in result.output
    assert files(sample) == before


def test_a_mapping_given_once_is_remembered_for_the_next_export(sample, tmp_path):
    export = tmp_path / "formulario.csv"
    export.write_text("Quién firma;Lugar;Dónde\nColectivo Ejemplo C;Ciudad Ejemplo;Chile\n",
                      encoding="cp1252")
    refused = run(sample, "signatories", "import", str(export))
    assert refused.exit_code == 1
    assert "no column found for the signatory's name" in refused.output
    assert "--map name=" in refused.output
    given = run(sample, "signatories", "import", str(export), "--map", "name=Quién firma",
                "--map", "place=Lugar", "--map", "country=Dónde", "--kind", "organization")
    assert given.exit_code == 0, given.output
    assert "as given with --map" in given.output
    export.write_text("Quién firma;Lugar;Dónde\nColectivo Ejemplo C;Ciudad Ejemplo;Chile\n"
                      "Comité Ejemplo D;Villa Ejemplo;Perú\n", encoding="cp1252")
    later = run(sample, "signatories", "import", str(export))
    assert later.exit_code == 0, later.output
    assert "as remembered for this form" in later.output
    assert "1 new, 0 changed, 1 unchanged" in later.output
    text = (sample.root / "content/signatories.yaml").read_text("utf-8")
    assert "comite-ejemplo-d:" in text and "country: Perú" in text


def test_a_wrong_map_option_is_named(sample, tmp_path):
    export = tmp_path / "f.csv"
    export.write_text("Nombre,Ciudad\nRed Ejemplo E,Ciudad Ejemplo\n", encoding="utf-8")
    result = run(sample, "signatories", "import", str(export), "--map", "nmae=Nombre",
                 "--map", "place=Ciudadd")
    assert result.exit_code == 1
    assert "unknown field 'nmae'" in result.output and "did you mean 'name'" in result.output
    assert "no column 'Ciudadd'" in result.output and "'Ciudad'" in result.output


def test_ids_are_stable_slugs_with_a_suffix_on_collision(sample, tmp_path):
    export = tmp_path / "f.csv"
    export.write_text("Nombre,Tipo\nAna Ejemplo,persona\nAna Ejemplo,organización\n"
                      "Árbol Ñandú Ejemplo,organización\n", encoding="utf-8")
    first = run(sample, "signatories", "import", str(export))
    assert first.exit_code == 0, first.output
    text = (sample.root / "content/signatories.yaml").read_text("utf-8")
    assert "ana-ejemplo:\n  kind: individual" in text
    assert "ana-ejemplo-2:\n  kind: organization" in text
    assert "arbol-nandu-ejemplo:" in text
    export.write_text("Nombre,Tipo\nÁrbol Ñandú Ejemplo,organización\nAna Ejemplo,"
                      "organización\nAna Ejemplo,persona\n", encoding="utf-8")
    again = run(sample, "signatories", "import", str(export))
    assert "0 new, 0 changed, 3 unchanged" in again.output
    assert (sample.root / "content/signatories.yaml").read_text("utf-8") == text


def test_the_letter_list_keeps_its_comments_and_gets_the_new_ids(sample, tmp_path):
    sample.write("content/signatories.yaml", """\
        # Firmantes escritos a mano
        org-manual:
          kind: organization
          name: Organización Ejemplo Manual
        """)
    sample.replace(LETTER, "references:",
                   "signatories:\n  - org-manual   # la primera\nreferences:")
    export = tmp_path / "f.csv"
    export.write_text(SMALL, encoding="utf-8")
    result = run(sample, "signatories", "import", str(export), "--letter", "carta-prueba")
    assert result.exit_code == 0, result.output
    letter = (sample.root / LETTER).read_text("utf-8")
    assert "  - org-manual   # la primera\n" in letter
    assert letter.index("org-manual") < letter.index("organizacion-ejemplo-a") \
        < letter.index("red-ejemplo-b")
    assert (sample.root / "content/signatories.yaml").read_text("utf-8").startswith(
        "# Firmantes escritos a mano\norg-manual:")
    assert run(sample, "check").exit_code == 0


def test_people_forms_map_the_organisation_as_affiliation(sample, tmp_path):
    export = tmp_path / "personas.csv"
    export.write_text(textwrap.dedent("""\
        Nombre completo,Organización,País
        Lucía Ejemplo Prueba,Organización Ejemplo F,Colombia
        """), encoding="utf-8")
    result = run(sample, "signatories", "import", str(export))
    assert result.exit_code == 0, result.output
    assert "affiliation       <- Organización" in result.output
    text = (sample.root / "content/signatories.yaml").read_text("utf-8")
    assert "kind: individual" in text and "affiliation: Organización Ejemplo F" in text


def test_a_formula_of_a_workbook_is_its_saved_value_never_evaluated(sample, exports):
    paths, planted = exports
    with_logos(sample, planted)
    result = run(sample, "signatories", "import", str(paths["respuestas.xlsx"]))
    row = next(row for row, column in planted.bad.items() if column == "Sitio web")
    assert f"respuestas.xlsx:{row}:6: Sitio web: expected a web address such as " \
           "https://example.org, found 'Sitio'" in result.output


def test_a_duplicate_threshold_out_of_range_is_a_settings_error(sample, tmp_path):
    sample.write("carta.toml", '[project]\nlocales = ["es"]\n\n[signatories]\n'
                               'duplicate_threshold = 120\n')
    result = run(sample, "check")
    assert result.exit_code == 1
    assert "carta.toml:5: signatories.duplicate_threshold: expected a score from 50 to 100" \
        in result.output


def test_an_unknown_letter_is_named_before_anything_is_read(sample, tmp_path):
    export = tmp_path / "f.csv"
    export.write_text(SMALL, encoding="utf-8")
    result = run(sample, "signatories", "import", str(export), "--letter", "carta-prueva")
    assert result.exit_code == 1
    assert "--letter: carta-prueva: no letter 'carta-prueva'; expected one of: carta-prueba" \
        in result.output and "did you mean 'carta-prueba'" in result.output
    assert not (sample.root / "content/signatories.yaml").exists()


def test_an_id_is_never_given_again_once_its_signatory_was_deleted(sample, tmp_path):
    export = tmp_path / "f.csv"
    export.write_text("Nombre,Tipo\nRed Ejemplo,organización\n", encoding="utf-8")
    assert run(sample, "signatories", "import", str(export)).exit_code == 0
    (sample.root / "content/signatories.yaml").write_text("", encoding="utf-8")
    # Another signatory whose name makes the same id: it gets its own.
    export.write_text("Nombre,Tipo\nRed Ejemplo,organización\n\"Red, Ejemplo!\",persona\n",
                      encoding="utf-8")
    result = run(sample, "signatories", "import", str(export))
    assert result.exit_code == 0, result.output
    text = (sample.root / "content/signatories.yaml").read_text("utf-8")
    assert "red-ejemplo-2:\n  kind: individual" in text
    assert "red-ejemplo:" not in text.replace("red-ejemplo-2:", "")


def test_a_cell_over_its_length_limit_and_a_bad_address_are_named(sample, tmp_path):
    export = tmp_path / "f.csv"
    export.write_text("Nombre de la organización;Correo electrónico;Tipo\n"
                      f"{'Organización Ejemplo ' * 12};a@ejemplo.org;organización\n"
                      "Red Ejemplo G;no-es-correo;organización\n"
                      "Red Ejemplo H;h@ejemplo.org;gobierno\n", encoding="utf-8")
    result = run(sample, "signatories", "import", str(export))
    assert result.exit_code == 1
    assert f"{export}:2:1: Nombre de la organización: expected at most 200 characters, " \
           "found 251" in result.output
    assert f"{export}:3:2: Correo electrónico: " in result.output
    assert f"{export}:4:3: Tipo: expected organisation or person" in result.output
    assert not (sample.root / "content/signatories.yaml").exists()


def test_a_new_project_keeps_the_private_folder_out_of_its_repository(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "nuevo")])
    assert result.exit_code == 0, result.output
    ignored = (tmp_path / "nuevo/.gitignore").read_text("utf-8").splitlines()
    assert "content/private/" in ignored and "output/" in ignored
