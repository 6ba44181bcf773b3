"""Likely duplicate signatories: found by the import and by `carta signatories duplicates`,
remembered when a person says "not a duplicate", and warned about by `carta check` (an error
with --strict). Every name here is fictional."""

from __future__ import annotations

import re

import pytest
import signon_fixtures
from click.testing import CliRunner

from generator.app.cli import cli
from generator.content.duplicates import Entry, find_pairs, normalise_name, similarity


def run(sample, *args: str):
    return CliRunner().invoke(cli, ["--project", str(sample.root), *args])


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return signon_fixtures.write_all(tmp_path_factory.mktemp("exports"))


@pytest.fixture
def imported(sample, exports):
    paths, planted = exports
    signon_fixtures.write_logos(sample.root / "content", planted)
    result = run(sample, "signatories", "import", str(paths["google.csv"]), "--skip-bad-rows",
                 "--letter", "carta-prueba")
    assert result.exit_code == 0, result.output
    return sample, planted, result.output


def pairs_in(output: str) -> list[tuple[set[int], str, list[str]]]:
    """(the two source rows, the reasons, the two ids) of each pair the output lists."""
    found = []
    for match in re.finditer(r"likely duplicate \(([^)]*), score [\d.]+\):\n"
                             r"    (\S+): .*row (\d+)\)?\]\n    (\S+): .*row (\d+)\)?\]",
                             output):
        found.append(({int(match.group(3)), int(match.group(5))}, match.group(1),
                      [match.group(2).rstrip(":"), match.group(4).rstrip(":")]))
    return found


def planted_pairs(planted) -> list[tuple[set[int], str]]:
    return [({a, b}, "same e-mail") for a, b in planted.same_email] + \
        [({a, b}, "same name") for a, b in planted.same_name] + \
        [({a, b}, "similar name") for a, b in planted.similar]


def test_the_import_reports_every_planted_pair_with_both_source_rows(imported):
    sample, planted, output = imported
    found = pairs_in(output)
    for rows, reason in planted_pairs(planted):
        assert any(rows == got and reason in reasons for got, reasons, _ in found), \
            (rows, reason, output)
    # and not every pair of names that merely share words
    assert len(found) <= 2 * len(planted_pairs(planted))


def test_the_duplicates_command_lists_the_same_pairs_and_forgets_a_pair_marked_different(
        imported):
    sample, planted, _ = imported
    listed = run(sample, "signatories", "duplicates", "--letter", "carta-prueba")
    assert listed.exit_code == 0, listed.output
    found = pairs_in(listed.output)
    for rows, reason in planted_pairs(planted):
        assert any(rows == got and reason in reasons for got, reasons, _ in found)
    # each pair names where both stand in signatories.yaml
    assert re.search(r"\[content/signatories\.yaml:\d+ \(.*google\.csv row \d+\)\]",
                     listed.output)
    similar = next(ids for got, reasons, ids in found if "similar name" in reasons)
    marked = run(sample, "signatories", "duplicates", "--not-duplicate", *similar)
    assert marked.exit_code == 0 and "remembered" in marked.output
    again = run(sample, "signatories", "duplicates")
    assert sorted(similar) not in [sorted(ids) for _, _, ids in pairs_in(again.output)]
    assert len(pairs_in(again.output)) == len(found) - 1
    assert "already remembered" in run(sample, "signatories", "duplicates",
                                       "--not-duplicate", *reversed(similar)).output


def test_check_warns_about_undecided_pairs_and_strict_makes_them_errors(imported):
    sample, planted, _ = imported
    checked = run(sample, "check")
    assert checked.exit_code == 0, checked.output
    warnings = [line for line in checked.output.splitlines()
                if "likely duplicate signatories" in line]
    assert len(warnings) == len(planted_pairs(planted))
    assert all(line.startswith("warning: content/letters/carta-prueba.yaml:")
               and "--not-duplicate" in line for line in warnings)
    strict = run(sample, "check", "--strict")
    assert strict.exit_code == 1
    assert "likely duplicate signatories" in strict.output


def test_a_duplicate_deleted_by_hand_is_not_imported_again(imported, exports):
    sample, planted, _ = imported
    paths, _ = exports
    output = run(sample, "signatories", "duplicates").output
    drop = next(ids for _, reasons, ids in pairs_in(output) if "same name" in reasons)[1]
    yaml = sample.root / "content/signatories.yaml"
    text = yaml.read_text("utf-8")
    yaml.write_text(re.sub(rf"(?m)^{drop}:\n(  .*\n)+", "", text), encoding="utf-8")
    letter = sample.root / "content/letters/carta-prueba.yaml"
    letter.write_text(re.sub(rf"(?m)^ *- {drop}\n", "", letter.read_text("utf-8")),
                      encoding="utf-8")
    again = run(sample, "signatories", "import", str(paths["google.csv"]), "--skip-bad-rows",
                "--letter", "carta-prueba")
    assert again.exit_code == 0, again.output
    assert "1 rows imported before are no longer in content/signatories.yaml" in again.output
    assert "0 new" in again.output
    assert f"{drop}:" not in yaml.read_text("utf-8")
    assert drop not in letter.read_text("utf-8")


def test_strict_check_requires_an_authorisation_for_every_organisation(sample, tmp_path):
    export = tmp_path / "f.csv"
    export.write_text("Nombre de la organización,Nombre de quien autoriza\n"
                      "Organización Ejemplo A,Ana Ejemplo\nRed Ejemplo B,\n", encoding="utf-8")
    assert run(sample, "signatories", "import", str(export), "--letter",
               "carta-prueba").exit_code == 0
    assert run(sample, "check").exit_code == 0
    strict = run(sample, "check", "--strict")
    assert strict.exit_code == 1
    assert "signatories: red-ejemplo-b: no authorisation on record" in strict.output
    assert "organizacion-ejemplo-a" not in strict.output


@pytest.mark.parametrize("first, second", [
    ("La Red Ejemplo, A.C.", "red ejemplo"),
    ("Colectivo Ejemplo Asociación Civil", "COLECTIVO EJEMPLO"),
    ("L'Association Exemple", "Association Exemple"),
    ("The Example Network Inc.", "Example Network"),
    ("Fundación Ejemplo I.A.P.", "Fundacion Ejemplo"),
])
def test_names_are_the_same_once_legal_forms_articles_and_accents_are_set_aside(first,
                                                                               second):
    assert normalise_name(first) == normalise_name(second)


def test_a_typo_is_a_near_match_and_names_of_common_words_are_not():
    assert similarity("colectivo ejemplo lirio granito", "colectivo ejemplo lirio granit",
                      90) >= 90
    assert similarity("fundacion ejemplo faro nube", "fundacion ejemplo faro yunque", 90) == 0
    assert similarity("ana ejemplo prueba", "prueba ana ejemplo", 90) == 100


def test_pairs_need_the_same_kind_except_for_the_same_email():
    entries = [Entry("a", "organization", "Ana Ejemplo", "x@ejemplo.org"),
               Entry("b", "individual", "Ana Ejemplo", "x@ejemplo.org"),
               Entry("c", "individual", "Ana Ejemplo")]
    found = {(pair.first.ident, pair.second.ident): pair.reasons for pair in find_pairs(entries)}
    assert found == {("a", "b"): ("same e-mail",), ("b", "c"): ("same name",)}
