"""Long signatory lists: one list of names in reading order, in the PDF's structure tree and in
the HTML, however many columns and pages it is set on (issue 24, defect 8), with the look of the
columns kept (issue 23, item 3). No timings here: benchmarks/scaling.py prints those.

Every name and organisation here is fictional."""

from __future__ import annotations

import re

import pypdf
from test_blocks import translated_sample
from test_pdfua import Element, Tagged, assert_pdf_ua
from test_signatories import build, html, run, sign

# 150 signatories in two tiers: 15 organisations (two columns), 135 people (three columns, in
# smaller type: a tier of more than 40), each with a detail line. Zero-padded numbers keep the
# alphabetical order the order of the numbers.
ORGANIZATIONS = [f"Organización Ejemplo {number:03d}" for number in range(15)]
PEOPLE = [(f"Persona Ejemplo {number:03d}", f"Colectivo Ficticio {number % 7}")
          for number in range(135)]


def signatories_yaml() -> str:
    lines = [f"org-{number:03d}: {{kind: organization, name: {name}, country: México}}"
             for number, name in enumerate(ORGANIZATIONS)]
    lines += [f"persona-{number:03d}: {{kind: individual, name: {name}, affiliation: {where}}}"
              for number, (name, where) in enumerate(PEOPLE)]
    return "\n".join(lines) + "\n"


def tiers_spec() -> str:
    orgs = ", ".join(f"org-{number:03d}" for number in range(len(ORGANIZATIONS)))
    people = ", ".join(f"persona-{number:03d}" for number in range(len(PEOPLE)))
    return ("  order: alphabetical\n  tiers:\n"
            f"    - title: Organizaciones firmantes\n      members: [{orgs}]\n"
            f"    - title: Personas firmantes\n      members: [{people}]\n")


EXPECTED = [[(name, "México") for name in ORGANIZATIONS], PEOPLE]


def squeeze(text: str) -> str:
    return re.sub(r"[\s\u2010\u00ad-]+", "", text)


def name_lists(tagged: Tagged) -> list[Element]:
    """The lists of the PDF that hold signatories (their first item names one)."""
    return [element for element in tagged.document.elements("L")
            if element.children() and re.search(r"(Organización|Persona)Ejemplo\d{3}",
                                                squeeze(tagged.text(element.children()[0])))]


def assert_one_list_per_tier(tagged: Tagged) -> None:
    lists = name_lists(tagged)
    assert len(lists) == 2, [len(found.children()) for found in lists]
    for found, expected in zip(lists, EXPECTED, strict=True):
        # Items right in the list, never a list per column or per page.
        assert [kid.s for kid in found.children()] == ["LI"] * len(expected)
        assert found.parent.s != "L"
        assert [squeeze(tagged.text(item)) for item in found.children()] == \
            [squeeze(name + detail) for name, detail in expected]
    # No list anywhere sits right inside a list.
    assert not [element for element in tagged.document.elements("L")
                if element.parent is not None and element.parent.s == "L"]


def column_lefts(path, name_pattern: str) -> dict[int, set[int]]:
    """Per page, the left edges (in points, rounded) of the lines that start a name."""
    found: dict[int, set[int]] = {}
    for number, page in enumerate(pypdf.PdfReader(path).pages):
        def visit(text, cm, tm, font, size, number=number):
            if re.match(name_pattern, text):
                found.setdefault(number, set()).add(round(tm[4] * cm[0] + cm[4]))
        page.extract_text(visitor_text=visit)
    return found


def test_each_tier_is_one_list_of_names_in_order_across_columns_and_pages(sample):
    sign(sample, signatories_yaml(), tiers_spec())
    build(sample)
    pdf = sample.root / "output/carta-prueba/carta-prueba.es.pdf"
    tagged = Tagged(pdf.read_bytes())
    assert_pdf_ua(tagged, "es-ES")  # "es" without a region: CLDR's likely one
    assert_one_list_per_tier(tagged)

    # The HTML: one list per tier, its items the names in the same order.
    page = html(sample, "es")
    lists = re.findall(r'<ul class="names">(.*?)</ul>', page, re.S)
    assert len(lists) == 2
    for found, expected in zip(lists, EXPECTED, strict=True):
        items = re.findall(r'<li><span class="name">([^<]+)</span>'
                           r'<span class="detail">([^<]+)</span></li>', found)
        assert items == expected
    assert "<ul" not in "".join(lists)

    # The look: organisations in two columns, people in three, and the people's list runs
    # over more than one page, each page with all three columns.
    organizations = column_lefts(pdf, r"Organización Ejemplo \d{3}")
    people = column_lefts(pdf, r"Persona Ejemplo \d{3}")
    assert len(set().union(*organizations.values())) == 2
    assert len(people) >= 2
    assert all(len(lefts) == 3 for lefts in list(people.values())[:-1])
    assert len(set().union(*people.values())) == 3  # the same three columns on every page


def test_a_combined_document_tags_each_tier_as_one_list(tmp_path):
    sample = translated_sample(tmp_path / "proyecto")
    sample.write("content/signatories.yaml", signatories_yaml())
    sample.replace("content/letters/carta-prueba.yaml", "language: es",
                   "language: es\ncombine: [es, en]")
    sample.replace("content/letters/carta-prueba.yaml", "references:",
                   f"signatories:\n{tiers_spec()}references:")
    result = run("--project", str(sample.root), "build", "--allow-untranslated")
    assert result.exit_code == 0, result.output
    tagged = Tagged((sample.root / "output/carta-prueba/carta-prueba.es+en.pdf").read_bytes())
    assert_pdf_ua(tagged, "es-ES")  # "es" without a region: CLDR's likely one
    assert_one_list_per_tier(tagged)
