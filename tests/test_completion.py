"""Progress on the OGP scale: `completion:` and `milestones:` per demand, read with located
problems, shown as a bar with the level's name in a follow-up's status section (PDF and
page) and in the site's tracker (axe-core clean at both widths), reported by `carta status`,
and updated in bulk by `carta demands update FILE.csv`.

Every organisation, person and event here is fictional."""

from __future__ import annotations

import json
import re

import pypdf
import pytest
from accounting_helpers import CHROMIUM, axe_violations, chromium, write_reply
from click.testing import CliRunner
from test_html_pages import WIDTHS

from generator.app.cli import cli

LETTER = "content/letters/carta-prueba.yaml"
FOLLOWUP = "2024-05-01-seguimiento"
FOLLOWUP_FILE = f"content/letters/{FOLLOWUP}.yaml"
UPDATE = """\
id,status,completion,note,source,date
demanda-a,partially-met,substantial,Se publicaron 8 de 10 informes ficticios.,https://example.org/avance,2024-04-20
"""


def run(root, *args):
    return CliRunner().invoke(cli, ["--project", str(root), *args])


def text_of(pdf) -> str:
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages).split())


@pytest.fixture
def campaign(sample):
    """The sample letter and its follow-up of 1 May 2024, its placeholders written."""
    assert run(sample.root, "followup", "carta-prueba", "--date", "2024-05-01").exit_code == 0
    path = sample.root / FOLLOWUP_FILE
    path.write_text(re.sub(r"\[\[TODO: [^]]*\]\]", "Texto ficticio del seguimiento.",
                           path.read_text()))
    return sample


def test_completion_and_milestones_problems_are_located(sample):
    sample.replace(LETTER, "      - id: demanda-a\n", "      - id: demanda-a\n"
                   "        completion: halfway\n"
                   "        milestones:\n"
                   "          - text: Sin fecha.\n"
                   "          - date: 2024-02-01\n"
                   "            text: Con una fuente rara.\n"
                   "            source: ftp://example.org\n")
    result = run(sample.root, "check")
    assert result.exit_code == 1
    out = result.output
    assert ("content/letters/carta-prueba.yaml:16:9: body[4].demands[1].completion: expected "
            "one of no-evidence, not-started, limited, substantial, complete") in out
    assert "content/letters/carta-prueba.yaml:18:13: body[4].demands[1].milestones[1].date: " \
           "required field is missing" in out
    assert ("content/letters/carta-prueba.yaml:21:13: body[4].demands[1].milestones[2].source: "
            "expected the id of a letter or a reply, or a web address (https://...), found "
            "'ftp://example.org'") in out


def test_check_reports_a_milestone_source_naming_no_letter_or_reply(sample):
    """A source that is no letter's or reply's id is refused by `carta check` with its place
    (the timeline would link to nothing), as is a web address with no host; a letter's own id
    and a whole web address pass."""
    sample.replace(LETTER, "      - id: demanda-a\n", "      - id: demanda-a\n"
                   "        milestones:\n"
                   "          - date: 2024-02-01\n"
                   "            text: Un avance ficticio.\n"
                   "            source: carta-prueva\n"
                   "          - date: 2024-02-03\n"
                   "            text: Otro avance ficticio.\n"
                   "            source: carta-prueba\n"
                   "          - date: 2024-02-04\n"
                   "            text: Un tercer avance ficticio.\n"
                   "            source: https://example.org/avance\n")
    result = run(sample.root, "check")
    assert result.exit_code == 1
    assert ("Error: 1 problem found:\n  content/letters/carta-prueba.yaml:19:13: "
            "body[4].demands[1].milestones[1].source: unknown letter or reply 'carta-prueva'; "
            "expected the id of a file in content/letters or content/responses, or a web "
            "address (https://...); did you mean 'carta-prueba'?") in result.output
    assert run(sample.root, "build", "--format", "html").exit_code == 1  # build refuses too
    sample.replace(LETTER, "source: carta-prueva", "source: https://")
    result = run(sample.root, "check")
    assert ("content/letters/carta-prueba.yaml:19:13: body[4].demands[1].milestones[1].source: "
            "expected a whole web address such as https://example.org/page (a host name, no "
            "spaces), found 'https://'") in result.output
    sample.replace(LETTER, "source: https://\n", "source: https://example.org/otro\n")
    assert run(sample.root, "check").exit_code == 0


def test_csv_update_checks_every_row_first_and_writes_nothing_on_a_problem(campaign):
    before = (campaign.root / FOLLOWUP_FILE).read_bytes()
    campaign.write("malo.csv", "id,estado,completion\ndemanda-z,,half\n,pending\n")
    result = run(campaign.root, "demands", "update", str(campaign.root / "malo.csv"),
                 "--letter", FOLLOWUP)
    assert result.exit_code == 1
    assert "malo.csv:1:2: estado: unknown column; expected: id, status, completion, note, " \
           "source, date" in result.output
    assert "malo.csv:1: expected a header row naming the columns" in result.output
    campaign.write("malo.csv", "id,status,completion,source\ndemanda-z,pending,half,\n"
                   "demanda-a,done,,https://example.org\n")
    result = run(campaign.root, "demands", "update", str(campaign.root / "malo.csv"),
                 "--letter", FOLLOWUP)
    assert result.exit_code == 1
    out = result.output
    assert "4 problems found" in out
    assert "malo.csv:2:1: id: unknown demand 'demanda-z'; expected a demand raised in this " \
           "letter's campaign (demanda-a, demanda-b)" in out
    assert "malo.csv:2:3: completion: expected one of no-evidence, not-started, limited, " \
           "substantial, complete (or nothing), found 'half'" in out
    assert "malo.csv:3:2: status: expected one of pending" in out
    assert "malo.csv:3:4: source: a source records a milestone, whose text is the note" in out
    assert (campaign.root / FOLLOWUP_FILE).read_bytes() == before


def test_csv_update_sources_must_name_a_letter_or_reply_or_be_a_whole_address(campaign):
    """Each row's source is checked against the project's letters and replies, with its row
    and column and a "did you mean"; a web address must have a host; nothing is written."""
    before = (campaign.root / FOLLOWUP_FILE).read_bytes()
    write_reply(campaign.root, "respuesta-ejemplo", "2024-04-01", "organismo-ejemplo",
                "carta-prueba")
    campaign.write("fuentes.csv", "id,status,note,source\n"
                   "demanda-a,pending,Un avance ficticio.,carta-prueva\n"
                   "demanda-b,met,Otro avance ficticio.,respuesta-ejemplp\n")
    result = run(campaign.root, "demands", "update", str(campaign.root / "fuentes.csv"),
                 "--letter", FOLLOWUP)
    assert result.exit_code == 1
    out = result.output
    assert "2 problems found" in out
    assert ("fuentes.csv:2:4: source: unknown letter or reply 'carta-prueva'; expected the id "
            "of a file in content/letters or content/responses, or a web address "
            "(https://...); did you mean 'carta-prueba'?") in out
    assert "fuentes.csv:3:4: source: unknown letter or reply 'respuesta-ejemplp'" in out
    assert "did you mean 'respuesta-ejemplo'?" in out
    campaign.write("fuentes.csv", "id,status,note,source\n"
                   "demanda-a,pending,Un avance ficticio.,https://\n"
                   "demanda-b,met,Otro avance ficticio.,https://example.org/a b\n")
    out = run(campaign.root, "demands", "update", str(campaign.root / "fuentes.csv"),
              "--letter", FOLLOWUP, "--dry-run").output
    assert ("fuentes.csv:2:4: source: expected a whole web address such as "
            "https://example.org/page (a host name, no spaces), found 'https://'") in out
    assert "fuentes.csv:3:4: source: expected a whole web address" in out
    assert (campaign.root / FOLLOWUP_FILE).read_bytes() == before
    # The letter's and the reply's own ids are good sources.
    campaign.write("fuentes.csv", "id,status,note,source\n"
                   "demanda-a,pending,Un avance ficticio.,carta-prueba\n"
                   "demanda-b,met,Otro avance ficticio.,respuesta-ejemplo\n")
    done = run(campaign.root, "demands", "update", str(campaign.root / "fuentes.csv"),
               "--letter", FOLLOWUP)
    assert done.exit_code == 0, done.output
    assert "milestone of 2024-05-01 from respuesta-ejemplo" in done.output


def test_csv_update_dry_run_then_write_keeps_the_files_comments(campaign):
    campaign.write("avance.csv", UPDATE)
    csv_path = str(campaign.root / "avance.csv")
    before = (campaign.root / FOLLOWUP_FILE).read_text()
    dry = run(campaign.root, "demands", "update", csv_path, "--letter", FOLLOWUP, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert ("would update demanda-a: status partially-met, completion substantial, note Se "
            "publicaron 8 de 10 informes ficticios.; milestone of 2024-04-20 from "
            "https://example.org/avance") in dry.output
    assert (campaign.root / FOLLOWUP_FILE).read_text() == before
    done = run(campaign.root, "demands", "update", csv_path, "--letter", FOLLOWUP)
    assert done.exit_code == 0, done.output
    after = (campaign.root / FOLLOWUP_FILE).read_text()
    assert "# Follow-up of carta-prueba (2024-03-01), drafted by carta followup." in after
    assert "        completion: substantial\n" in after
    assert "            source: https://example.org/avance\n" in after
    assert run(campaign.root, "check").exit_code == 0
    # Once more: the milestone is not recorded twice.
    assert run(campaign.root, "demands", "update", csv_path, "--letter", FOLLOWUP).exit_code == 0
    assert (campaign.root / FOLLOWUP_FILE).read_text().count("https://example.org/avance") == 1


def test_a_demand_raised_in_the_letter_itself_cannot_be_updated_there(campaign):
    campaign.write("avance.csv", UPDATE)
    result = run(campaign.root, "demands", "update", str(campaign.root / "avance.csv"),
                 "--letter", "carta-prueba")
    assert result.exit_code == 1
    assert "'carta-prueba' follows no letter, so it reports no demand's status" in result.output


@pytest.fixture
def updated(campaign):
    campaign.write("avance.csv", UPDATE)
    assert run(campaign.root, "demands", "update", str(campaign.root / "avance.csv"),
               "--letter", FOLLOWUP).exit_code == 0
    return campaign


def test_the_status_section_shows_the_level_and_the_milestone(updated):
    result = run(updated.root, "build", FOLLOWUP)
    assert result.exit_code == 0, result.output
    folder = updated.root / "output" / FOLLOWUP
    text = text_of(folder / f"{FOLLOWUP}.es.pdf")
    assert "Estado: atendida en parte. Cumplimiento: sustancial" in text
    # An address may wrap after its "//" on the narrower measure; the reader reads it whole.
    unwrapped = text.replace(":// ", "://")
    assert ("20 de abril de 2024: Se publicaron 8 de 10 informes ficticios. "
            "(https://example.org/avance)") in unwrapped
    html = (folder / f"{FOLLOWUP}.es.html").read_text()
    assert ('<span class="completion" data-level="substantial"><span class="completion-track" '
            'aria-hidden="true">') in html
    assert '<span class="completion-label">Cumplimiento: sustancial</span>' in html


def test_status_reports_each_level_given_or_derived(updated):
    result = run(updated.root, "status", "--json", "--today", "2024-05-02")
    found = json.loads(result.output)
    items = {item["id"]: item for item in found["demands"]["items"]}
    assert items["demanda-a"]["completion"] == "substantial"
    assert items["demanda-a"]["completion_given"] is True
    assert items["demanda-a"]["milestones"] == [{
        "date": "2024-04-20", "text": "Se publicaron 8 de 10 informes ficticios.",
        "source": "https://example.org/avance"}]
    # demanda-b, met in the first letter: complete, as its status stands for.
    assert (items["demanda-b"]["completion"], items["demanda-b"]["completion_given"]) == \
        ("complete", False)
    assert found["demands"]["by_completion"] == {"no-evidence": 0, "not-started": 0,
                                                 "limited": 0, "substantial": 1, "complete": 1}


@pytest.fixture
def site(updated):
    updated.write("carta.toml", '[project]\nlocales = ["es", "en"]\n')
    result = run(updated.root, "site", "--allow-untranslated", "--jobs", "2")
    assert result.exit_code == 0, result.output
    return updated.root / "output" / "site"


def test_the_tracker_shows_the_bar_and_the_milestones(site):
    html = (site / "index.html").read_text()
    assert '<span class="completion-label">Cumplimiento: sustancial</span>' in html
    assert '<time datetime="2024-04-20">20 de abril de 2024</time>: Se publicaron' in html
    english = (site / "index.en.html").read_text()
    assert '<span class="completion-label">Completion: substantial</span>' in english
    # Milestones are not translated: on the English page, marked as Spanish.
    assert '<time datetime="2024-04-20">April 20, 2024</time>: <span lang="es">Se publicaron' \
        in english
    letter = (site / "letters" / FOLLOWUP / f"{FOLLOWUP}.en.html").read_text()
    assert '<time datetime="2024-04-20">April 20, 2024</time>: <span lang="es">Se publicaron' \
        in letter
    assert '<span lang="es">' not in (site / "letters" / FOLLOWUP / f"{FOLLOWUP}.es.html") \
        .read_text().split('class="milestones"')[1].split("</ul>")[0]
    # And in the timeline, linked to its source.
    assert ('<span class="event" lang="es-ES"><a href="https://example.org/avance">Se publicaron 8 '
            'de 10 informes ficticios.</a></span>') in english


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="Debian's chromium is not installed at "
                    "/usr/bin/chromium (.ci/run installs it)")
def test_axe_finds_no_violation_in_the_tracker_and_status_section(site, updated):
    def bar_is_two_thirds(page):
        bar = page.locator(".completion-fill").first.bounding_box()
        track = page.locator(".completion-track").first.bounding_box()
        assert bar["width"] == pytest.approx(track["width"] * 0.67, abs=3)  # "substantial"

    with chromium() as browser:
        for path in (site / "index.html", site / "index.en.html",
                     site / "letters" / FOLLOWUP / f"{FOLLOWUP}.es.html"):
            for width in WIDTHS:
                violations, _ = axe_violations(browser, path, width, bar_is_two_thirds)
                assert violations == [], f"{path.name} at {width}px"


@pytest.mark.parametrize(("source", "good"), [
    ("https://example.org/avance", True), ("http://ejemplo.españa/x", True),
    ("https://127.0.0.1/x", True), ("https://[::1]:8000/", True),
    ("https://localhost:8000/x", True), ("carta-prueba", True),
    ("https://", False), ("https://cafe", False), ("https://example.org:abc/", False),
    ("https://exa mple.org", False), ("ftp://example.org", False), ("Carta Prueba", False),
])
def test_the_shape_of_a_milestones_source(source, good):
    from generator.content.progress import source_shape

    assert (source_shape(source) is None) is good
