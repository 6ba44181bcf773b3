"""The seed letter's English as revised for issue 24: the glossary now catches what the old
translation got wrong, and the revision fixes what no glossary can see (tense, the list's
grammar, words the Spanish does not say, register).

The old English is inlined below, message by message, so that the test needs no git history.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner
from conftest import REPO, SEED_ID
from pdftext import body_text, normalize, read_pages

from generator.app.cli import cli
from generator.core.project import load_project
from generator.pipeline.run import build

PO = f"content/locale/en/LC_MESSAGES/{SEED_ID}.po"

# The English before the revision: (msgctxt, first words of the Spanish) -> msgstr. The messages
# not listed read the same before and after.
OLD = {
    ("paragraph", "El pasado 23 de mayo"):
        "On May 23, the Núcleo de Organizaciones de la Sociedad Civil (the Núcleo), the core "
        "group of Mexican civil society organizations in the national open government process, "
        "reached the unanimous conclusion that the conditions for genuine co-creation and honest "
        "dialogue with the official counterparts no longer existed. These civil society "
        "organizations decided to leave the Secretariado Técnico Tripartita (Tripartite Technical"
        " Secretariat, STT) and the Third National Action Plan (3PNA), mainly because of:",
    ("grievance:sin-respuesta-vigilancia", "la falta de respuesta"):
        "the lack of response from the STT counterparts, the Secretaría de la Función Pública "
        "(Ministry of Public Administration) and the Instituto Nacional de Acceso a la "
        "Información Pública y Protección de Datos Personales (National Institute for Access to "
        "Public Information and Protection of Personal Data, INAI), to the request for action in "
        "the case of illegal digital surveillance against health rights defenders participating "
        "in the 3PNA.[^citizenlab-carta-stt]",
    ("paragraph", "El grupo de organizaciones"):
        "The group of Mexican civil society organizations not only demanded that its counterparts"
        " provide an explanation and open investigations into the cases of illegal surveillance, "
        "but also saw the STT as the appropriate co-creation platform for committing proactively "
        "to the joint development of mechanisms that would guarantee transparency, accountability"
        " and legal controls over government surveillance. Unfortunately, the Secretaría de la "
        "Función Pública gave no official or public response to the letter.",
    ("paragraph", "El 19 junio pasado,"):
        "On June 19, another revelation of illegal digital surveillance shook Mexico and the "
        "international community, in the form of technical evidence of the use of the same "
        "high-tech spyware, Pegasus, with which attempts had been made to infect renowned human "
        "rights defenders, investigative journalists and members of anti-corruption civil "
        "society, including a founding civil society member of the Steering Committee, Juan "
        "Pardinas.[^nyt-gobierno-espia] Since no government body carried out a proactive "
        "investigation into the surveillance cases, several of those targeted filed a criminal "
        "complaint with the Fiscalía Especializada en Delitos contra la Libertad de Expresión "
        "(Special Prosecutor's Office for Crimes against Freedom of Expression).",
    ("paragraph", "Distintas y erráticas declaraciones"):
        "Government officials have made differing and erratic statements since the scandals "
        "became public. Initially, a presidential spokesperson denied any responsibility, and "
        "three days later President Enrique Peña Nieto downplayed the impact of the surveillance "
        "in Mexico, acknowledged that the country has the surveillance technology, described the "
        "accusations as false and even threatened journalists, civil society organizations and "
        "the alleged victims for spreading false rumors. The President himself retracted his "
        "statements on June 23.",
    ("paragraph", "Al día de hoy,"):
        "To date, CitizenLab has identified and technically verified more than 100 attempted "
        "infections with Pegasus spyware targeting 22 members of civil society, including human "
        "rights lawyers, journalists, opposition parties and even the independent investigators "
        "of the Ayotzinapa case.[^citizenlab-targeted-threats] Moreover, investigative journalism"
        " has revealed evidence that the Procuraduría General de la República (Office of the "
        "Attorney General) purchased Pegasus from NSO Group. The official investigation is viewed"
        " with skepticism by the victims and by civil society, since no external commission of "
        "specialists has been established and the authorities have not answered many of the "
        "requests.",
    ("paragraph", "La única colaboración actualmente"):
        "Currently, the only collaboration between civil society and an official institution is "
        "with the INAI, which drafted an Intervention Proposal on proactive transparency "
        "regarding the contracting of specialized services and the protection of personal data in"
        " matters of surveillance; the proposal is being reviewed by civil society organizations "
        "with a view to establishing working groups.",
    ("paragraph", "Desde el anuncio de"):
        "Since the Núcleo announced the suspension of its participation in the STT, the situation"
        " in the country has worsened, and the Mexican government's lack of proactivity has "
        "damaged the image of open government, as OGP promotes it, in our country.",
    ("paragraph", "Más aún, la falta"):
        "Moreover, the lack of action by the government and by OGP has left the Núcleo uncertain "
        "about what actions can be taken to restore the process.",
    ("paragraph", "Desde el Primer Plan"):
        "Since the First Action Plan, we civil society organizations have built an alliance for "
        "co-creation among equals. The creation of the STT as the governing body of the open "
        "government process set the standards for co-creation and guided each of the Action "
        "Plans, to the point that the international OGP community has recognized it as "
        "innovative.",
    ("paragraph", "Sin la participación del"):
        "Without the participation of the Núcleo, implementing the commitments of the Action Plan"
        " is a matter for the Mexican State, and as such, progress on it must be reported "
        "publicly and to OGP. However, we maintain our initial concern about the partial "
        "fulfillment of the commitments and about the narrowing of their scope from what was "
        "agreed in the 2016 co-creation process.",
    ("paragraph", "Luego de cuatro meses"):
        "Four months after the suspension of our participation in the Mexican open government "
        "process, the Núcleo observes with great concern that the situation in the country is "
        "worsening, not only with the growing number of surveillance revelations, but also with "
        "respect to other core elements needed to achieve genuine open government, such as "
        "violence against journalists, violence in general, corruption and impunity. The Mexican "
        "government's lack of response undermines the process of opening up government and the "
        "legitimacy of the Partnership.",
    ("paragraph", "Si quedase alguna esperanza"):
        "If any hope remains of repairing the open government process, firmer action would be "
        "needed. The Núcleo therefore asks the Steering Committee for the following:",
    ("demand:excusar-gobierno-comite", "Que exprese al Gobierno"):
        "To convey to the Mexican government our request that it recuse itself from participating"
        " in the Steering Committee.",
    ("demand:reagendar-mision", "Compartir con los miembros"):
        "To share with the members of the OGP Steering Committee the Núcleo's concern about the "
        "delay of the Steering Committee's mission to Mexico, and our hope that it will be "
        "rescheduled in the coming weeks.",
    ("demand:mecanismo-respuesta-rapida", "Solicitamos al Comité Directivo"):
        "We ask the Steering Committee to define and implement the Rapid Response Mechanism "
        "agreed on July 28 at the High-Level Meeting, so as to respond promptly to national "
        "situations such as the one currently unfolding in Mexico's governmental open government "
        "process.",
    ("reference:citizenlab-carta-stt", "Ver el reporte informe"):
        "See the CitizenLab technical report https://goo.gl/QW3bQa and the letter from the "
        "Mexican organizations to the STT https://goo.gl/z4reBU",
}

# What `carta check --strict` says of the old English, as (field, finding) with the glossary's
# line left out: every finding of issue 24 that is a matter of terms.
OLD_FINDINGS = {
    # The INAI glossed by translating the letter's own slip, not by the institute's name.
    ("body[2].grievances[1].text",
     '"Instituto Nacional de Acceso a la Información Pública y Protección de Datos Personales" is '
     'first used here, in reading order; add the gloss "National Institute for Transparency, '
     'Access to Information and Personal Data Protection"'),
    ("body[2].grievances[1].text",
     '"National Institute for Access to Public Information and Protection of Personal Data" is a '
     'forbidden variant in en; write "INAI"'),
    # "CitizenLab" for Citizen Lab, in the text and in its note.
    ("body[7].paragraph", '"CitizenLab" is a forbidden variant in en; write "Citizen Lab"'),
    ("body[7].paragraph", 'the source says "CitizenLab"; translate it as "Citizen Lab"'),
    ("references[1].text", '"CitizenLab" is a forbidden variant in en; write "Citizen Lab"'),
    ("references[1].text", 'the source says "CitizenLab"; translate it as "Citizen Lab"'),
    # "First Action Plan" beside "Third National Action Plan".
    ("body[12].paragraph",
     '"First Action Plan" is a forbidden variant in en; write "First National Action Plan"'),
    ("body[12].paragraph",
     'the source says "Primer Plan de Acción"; translate it as "First National Action Plan"'),
    # "governing body" overstating "espacio de gobierno".
    ("body[12].paragraph",
     '"governing body" is a forbidden variant in en; write "governance forum" or "governance '
     'forums"'),
    ("body[12].paragraph",
     'the source says "espacio de gobierno"; translate it as "governance forum" or "governance '
     'forums"'),
    # The calque "Mexico's governmental open government process".
    ("body[16].demands[3].text",
     '"governmental" is a forbidden variant in en; write "government" or "government\'s"'),
}

FINDING = re.compile(r'^\s*\S+\.po:\d+: (\S+): msgctxt "[^"]+": glossary: (.*) '
                     r'\(content/glossary\.yaml:\d+\)$')


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def read(po: Path) -> Catalog:
    with po.open("rb") as stream:
        return read_po(stream, locale="en")


def message(catalog: Catalog, context: str, start: str) -> Message:
    """The one message with this msgctxt whose Spanish begins with `start`."""
    found = [entry for entry in catalog if entry.id and entry.context == context
             and " ".join(entry.id.split()).startswith(start)]
    assert len(found) == 1, (context, start, len(found))
    return found[0]


def glossary_findings(output: str) -> set[tuple[str, str]]:
    return {(match[1], match[2]) for line in output.splitlines()
            if (match := FINDING.match(line))}


@pytest.fixture(scope="module")
def current() -> Catalog:
    return read(REPO / PO)


def test_the_old_messages_are_the_current_ones_before_the_revision(current):
    # What the other tests say of "the old English" holds only if OLD replaces messages that
    # still exist, each with a text that has since changed.
    for (context, start), old in OLD.items():
        assert message(current, context, start).string != old


def test_the_glossary_flags_the_old_english_and_not_the_revised(seed_copy):
    revised = run("--project", str(seed_copy), "check", "--strict")
    assert revised.exit_code == 0, revised.output
    assert "glossary:" not in revised.output

    po = seed_copy / PO
    catalog = read(po)
    for (context, start), old in OLD.items():
        message(catalog, context, start).string = old
    with po.open("wb") as stream:
        write_po(stream, catalog, width=100)
    result = run("--project", str(seed_copy), "check", "--strict")
    assert result.exit_code == 1
    assert glossary_findings(result.output) == OLD_FINDINGS, result.output
    assert "11 problems found" in result.output  # nothing but the glossary's findings


# What no glossary can see, revised: (msgctxt, first words of the Spanish, the old English's
# wording, the revision's).
BEYOND_THE_GLOSSARY = [
    # Mixed tenses: "If any hope remains ..., firmer action would be needed".
    ("paragraph", "Si quedase alguna esperanza", "If any hope remains",
     "Should any hope remain of repairing the open government process, firmer action would be "
     "needed."),
    # The list of requests follows its lead-in ...
    ("paragraph", "Si quedase alguna esperanza", "for the following:",
     "asks the Steering Committee to:"),
    ("demand:excusar-gobierno-comite", "Que exprese al Gobierno", "To convey",
     "Convey to the Mexican"),
    ("demand:reagendar-mision", "Compartir con los miembros", "To share", "Share with the members"),
    # ... and item 3 does not ask again.
    ("demand:mecanismo-respuesta-rapida", "Solicitamos al Comité Directivo",
     "We ask the Steering Committee", "Define and implement the Rapid Response Mechanism"),
    # Words the Spanish does not say, and a calque.
    ("paragraph", "Desde el anuncio de", "as OGP promotes it",
     "the image of OGP's open government in our country"),
    ("demand:mecanismo-respuesta-rapida", "Solicitamos al Comité Directivo",
     "Mexico's governmental open government process",
     "the government's open government process in Mexico"),
    # "establecimos": a completed act.
    ("paragraph", "Desde el Primer Plan", "have built an alliance", "established an alliance"),
    # Register.
    ("paragraph", "Sin la participación del", "we maintain our initial concern",
     "we remain concerned, as we were from the start,"),
    ("paragraph", "El grupo de organizaciones", "demanded that its counterparts",
     "called on its counterparts"),
    ("paragraph", "La única colaboración actualmente", "in matters of surveillance",
     "relating to surveillance"),
]


@pytest.mark.parametrize(("context", "start", "old", "new"), BEYOND_THE_GLOSSARY)
def test_what_the_glossary_cannot_see_is_revised(current, context, start, old, new):
    assert old in " ".join(OLD[(context, start)].split())  # the finding was in the old English
    text = " ".join(message(current, context, start).string.split())
    assert old not in text
    assert new in text


def test_each_request_completes_its_lead_in(current):
    lead_in = message(current, "paragraph", "Si quedase alguna esperanza").string
    assert lead_in.endswith(" asks the Steering Committee to:")
    demands = [entry.string for entry in current
               if entry.context and entry.context.startswith("demand:")]
    assert len(demands) == 3
    # A bare verb, so that "asks the Steering Committee to: 1. Convey ..." reads as a sentence.
    assert [text.split()[0] for text in demands] == ["Convey", "Share", "Define"]


def test_the_english_pdf_says_the_revised_text(tmp_path):
    build(load_project(REPO), letters=(SEED_ID,), locales=("en",), formats=("pdf",),
          output=tmp_path)
    pages = read_pages(tmp_path / SEED_ID / f"{SEED_ID}.en.pdf")
    body = body_text(pages)
    notes = " ".join(page.small for page in pages)
    assert normalize("Instituto Nacional de Acceso a la Información Pública y Protección de Datos "
                     "Personales (National Institute for Transparency, Access to Information "
                     "and Personal Data Protection, INAI)") in body
    assert normalize("To date, Citizen Lab has identified") in body
    assert normalize("See the Citizen Lab technical report") in notes
    assert "CitizenLab" not in body + notes
    assert normalize("As early as the First National Action Plan") in body
    assert normalize("as the governance forum of the open government process") in body
    # The lead-in, then the three requests, in reading order.
    order = [body.index(normalize(text)) for text in (
        "The Núcleo therefore asks the Steering Committee to:",
        "Convey to the Mexican government our request", "Share with the members of the OGP",
        "Define and implement the Rapid Response Mechanism")]
    assert order == sorted(order)
