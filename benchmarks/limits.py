"""What real letters hold against carta's check-time limits, and how long a document at each
limit takes to check and to build. Prints figures, no verdicts.

    .venv/bin/python benchmarks/limits.py [--only NAME ...] [--skip-real]

First, for the repository's own project and every project in examples/, the largest of each
measure that content/checks.py limits (longest word, web address and note, most citations and
most note text in one text, the largest translation for its source) and the glossary's size.
Then, per limit, one fictional letter that holds it exactly (or a glossary at its limits): the
time of `carta check` and of a PDF build of that letter, each in this process, from cold
caches of Markdown but with the fonts and WeasyPrint already loaded by a first build.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from babel.messages.pofile import read_po, write_po  # noqa: E402

from generator.content import checks, markdown  # noqa: E402
from generator.content.blocks import letter_texts  # noqa: E402
from generator.content.reader import MAX_TEXT  # noqa: E402
from generator.core.errors import CartaError  # noqa: E402
from generator.core.project import load_project  # noqa: E402
from generator.localization import catalogs, glossary  # noqa: E402
from generator.pipeline.checking import check  # noqa: E402
from generator.pipeline.plan import plan  # noqa: E402
from generator.pipeline.run import build  # noqa: E402

# What real content holds ------------------------------------------------------------------------

def real_maxima(root: Path) -> dict[str, object]:
    project = load_project(root)
    planned = plan(project, allow_untranslated=True)
    sources = {(job.letter.id, slot.field): slot.text for job in planned.jobs
               if job.locale == job.letter.language for slot in letter_texts(job.letter)}
    most: dict[str, object] = {"word": 0, "address": 0, "note": 0, "citations": 0,
                               "notes text": 0, "translation / source": 0.0}
    for job in planned.jobs:
        notes = {reference.id: reference.text for reference in job.letter.references}
        for slot in letter_texts(job.letter):
            runs = markdown.plain_runs(slot.text) if slot.shape == "plain" \
                else markdown.runs(slot.text)
            most["word"] = max(most["word"], *map(len, runs.words), 0)
            most["address"] = max(most["address"], *map(len, runs.addresses),
                                  *map(len, runs.link_targets), 0)
            if slot.field.startswith("references["):
                most["note"] = max(most["note"], len(slot.text))
            if slot.shape != "plain":
                labels = markdown.cited_labels(slot.text)
                most["citations"] = max(most["citations"], len(labels))
                size = sum(len(notes.get(label, "")) for label in dict.fromkeys(labels))
                most["notes text"] = max(most["notes text"],
                                         size + sum(map(len, runs.link_targets)))
            source = sources.get((job.letter.id, slot.field))
            if source and job.locale != job.letter.language and len(source) >= 40:
                most["translation / source"] = round(max(most["translation / source"],
                                                         len(slot.text) / len(source)), 2)
    found, _ = glossary.load(project)
    if found is not None:
        most["glossary terms"] = len(found.terms)
        phrases = [phrase for term in found.terms for phrase in (
            *term.forms, *(p for rule in term.rules.values()
                           for p in (*rule.forms, *rule.forbidden, rule.gloss or "")))]
        most["glossary phrase"] = max(map(len, phrases), default=0)
    return most


# Letters at the limits ----------------------------------------------------------------------

def words(size: int, length: int) -> str:
    """`size` characters of hyphenatable words of `length` letters."""
    word = ("co" * length)[:length]
    return " ".join([word] * (size // (length + 1)))


def note(size: int, label: str) -> str:
    address = f" https://example.org/{label}"
    return (words(size - len(address), 8) + address).strip()


def at_limits() -> dict[str, tuple[list[str], list[tuple[str, str]]]]:
    """name -> (paragraphs, references) of a letter at one limit."""
    citations = checks.MAX_CITATIONS
    per_note = checks.MAX_NOTES_TEXT // citations
    address = "https://example.org/" + "a" * (checks.MAX_ADDRESS - len("https://example.org/"))
    full, rest = divmod(checks.MAX_NOTES_TEXT, checks.MAX_NOTE)
    big = [(f"n{i}", note(checks.MAX_NOTE, f"n{i}")) for i in range(full)]
    big += [(f"n{full}", note(rest, f"n{full}"))] if rest else []
    return {
        "normal text, one paragraph at MAX_TEXT": ([words(MAX_TEXT, 7)], []),
        "MAX_WORD words, one paragraph at MAX_TEXT": ([words(MAX_TEXT, checks.MAX_WORD)], []),
        "a note holding a MAX_ADDRESS address": (["Texto.[^a]"], [("a", address)]),
        "a paragraph with a MAX_ADDRESS named link": ([f"Ver [el informe]({address})."], []),
        "MAX_CITATIONS notes, MAX_NOTES_TEXT in all": (
            ["Texto" + "".join(f" dato[^n{i}]" for i in range(citations)) + "."],
            [(f"n{i}", note(per_note, f"n{i}")) for i in range(citations)]),
        "MAX_NOTE notes, MAX_NOTES_TEXT in all": (
            ["Texto" + "".join(f" dato[^{label}]" for label, _ in big) + "."], big),
    }


def write_letter(root: Path, paragraphs: list[str], references: list[tuple[str, str]],
                 locales: tuple[str, ...] = ("es",)) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "content/letters").mkdir(parents=True)
    (root / "carta.toml").write_text(f"[project]\nlocales = {json.dumps(list(locales))}\n")
    (root / "content/senders.yaml").write_text("c:\n  name: Coalición Ejemplo\n")
    (root / "content/recipients.yaml").write_text("o:\n  name: Organismo Ejemplo A\n")
    body = "".join(f"  - paragraph: {json.dumps(p, ensure_ascii=False)}\n" for p in paragraphs)
    notes = "".join(f"  - id: {label}\n    text: {json.dumps(text, ensure_ascii=False)}\n"
                    for label, text in references)
    (root / "content/letters/carta-x.yaml").write_text(
        "id: carta-x\ndate: 2024-03-01\nlanguage: es\nsender: c\nrecipients: [o]\n"
        f"body:\n{body}" + (f"references:\n{notes}" if notes else ""), encoding="utf-8")


def glossary_at_limits(root: Path) -> None:
    """MAX_TERMS terms, each with forbidden variants, and one translation at MAX_TEXT whose
    words are accepted forms that hold a forbidden variant, and forbidden variants."""
    count = glossary.MAX_TERMS
    source = " ".join(f"Término{i} Ejemplo" for i in range(count))[:MAX_TEXT // 2 - 1] + "."
    english = " ".join(f"Example Term{i} Sample Term{i}" for i in range(count))
    english = (english + " ") * (MAX_TEXT // len(english) + 1)
    write_letter(root, [source], [], ("es", "en"))
    terms = "".join(f"  - term: Término{i} Ejemplo\n    translations:\n      en:\n"
                    f"        use: Example Term{i}\n"
                    f"        forbidden: [Example, Sample Term{i}, Term{i}]\n"
                    for i in range(count))
    (root / "content/glossary.yaml").write_text(f"language: es\nterms:\n{terms}",
                                                encoding="utf-8")
    project = load_project(root)
    planned = plan(project, allow_untranslated=True)
    letter = planned.jobs[0].letter
    path = catalogs.catalog_path(project, letter.id, "en")
    catalogs.update(project, letter, "en")
    with path.open("rb") as stream:
        catalog = read_po(stream, locale="en")
    for message in catalog:
        if message.id:
            message.string = english[:MAX_TEXT].strip() if message.id == source else message.id
    with path.open("wb") as stream:
        write_po(stream, catalog, width=100)


def timed(root: Path, with_build: bool = True) -> str:
    project = load_project(root)
    markdown._summary.cache_clear()
    markdown.runs.cache_clear()
    warnings: list = []
    started = time.perf_counter()
    try:
        check(project, warn=warnings.append)
        verdict = "passes" + (f" ({len(warnings)} glossary warnings)" if warnings else "")
    except CartaError as error:
        verdict = f"refused ({len(getattr(error, 'problems', ()))} problems)"
    checked = time.perf_counter() - started
    if not with_build:
        return f"check {checked:6.2f} s  {verdict}"
    started = time.perf_counter()
    result = build(project, formats=("pdf",), force=True, allow_untranslated=True)
    built = time.perf_counter() - started
    return (f"check {checked:6.2f} s  build {built:6.2f} s  {verdict}"
            + (f", failed: {result.failed}" if result.failed else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=())
    parser.add_argument("--skip-real", action="store_true")
    arguments = parser.parse_args()
    if not arguments.skip_real:
        roots = [REPO, *sorted(path for path in (REPO / "examples").iterdir()
                               if (path / "carta.toml").is_file())]
        print("largest in real content:")
        for root in roots:
            print(f"  {root.relative_to(REPO.parent)}: {real_maxima(root)}")
    print(f"limits: word {checks.MAX_WORD}, address {checks.MAX_ADDRESS:,}, note "
          f"{checks.MAX_NOTE:,}, citations {checks.MAX_CITATIONS}, notes text "
          f"{checks.MAX_NOTES_TEXT:,}, text {MAX_TEXT:,}, glossary terms "
          f"{glossary.MAX_TERMS:,}, phrase {glossary.MAX_PHRASE}, translation "
          f"{checks.TRANSLATION_FACTOR}x source + {checks.TRANSLATION_SLACK}")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "project"
        write_letter(root, ["Calentamiento."], [])
        build(load_project(root), formats=("pdf",), force=True)  # fonts and engine loaded
        for name, (paragraphs, references) in at_limits().items():
            if arguments.only and not any(part in name for part in arguments.only):
                continue
            write_letter(root, paragraphs, references)
            print(f"{name:48} {timed(root)}", flush=True)
        if not arguments.only or any("glossary" in part for part in arguments.only):
            glossary_at_limits(root)
            print(f"{'glossary at MAX_TERMS, translation at MAX_TEXT':48} "
                  f"{timed(root, with_build=False)}", flush=True)


if __name__ == "__main__":
    main()
