"""Sign-on imports at scale. Prints figures, no verdicts.

    .venv/bin/python benchmarks/signon_benchmark.py [--pairs-rows 5000] [--import-rows 10000]
        [--threshold 90] [--repeat 3]

- duplicates: a generated list of fictional organisations and people with planted duplicates
  of every kind (the same e-mail, the name with a legal form or a leading article, a typo,
  the words in another order); the duplicate finder's precision and recall against the
  planted pairs, and its time;
- import: `carta signatories import` of a generated CSV (a Google-Forms export) into a new
  project, with its duplicate report, timed in one process (median and spread of --repeat
  runs), then the re-import of the same file (a no-op).

The machine may be shared: read the spread before the median.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.content.duplicates import Entry, find_pairs  # noqa: E402

SYLLABLES = ("ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te", "vi",
             "zo", "mar", "len", "tor", "quil", "bran", "dor", "fel", "gri", "hua", "jor")
KINDS = ("Asociación", "Red", "Colectivo", "Fundación", "Centro", "Observatorio", "Unión",
         "Instituto", "Frente", "Alianza", "Movimiento", "Comité", "Coordinadora")
FORMS = (", A.C.", " A.C.", ", S.C.", " Asociación Civil", " I.A.P.")


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def typo(rng: random.Random, name: str) -> str:
    """One letter lost, doubled or swapped, inside a word of at least five letters."""
    words = name.split()
    long = [index for index, text in enumerate(words) if len(text) >= 5]
    index = rng.choice(long)
    text = words[index]
    at = rng.randint(1, len(text) - 2)
    change = rng.choice(("lose", "double", "swap"))
    if change == "lose":
        text = text[:at] + text[at + 1:]
    elif change == "double":
        text = text[:at] + text[at] + text[at:]
    else:
        text = text[:at] + text[at + 1] + text[at] + text[at + 2:]
    words[index] = text
    return " ".join(words)


def generate(rows: int, seed: int = 11) -> tuple[list[dict], set[frozenset[int]]]:
    """`rows` signatories, a tenth of them planted duplicates of an earlier one."""
    rng = random.Random(seed)
    people = rows // 3
    made: list[dict] = []
    seen: set[str] = set()
    truth: set[frozenset[int]] = set()
    while len(made) < rows:
        if made and rng.random() < 0.1:
            index = rng.randrange(len(made))
            original = made[index]
            kind = rng.choice(("email", "form", "typo", "order"))
            copy = dict(original, email=f"otra{len(made)}@ejemplo.org")
            if kind == "email":
                copy["name"] = f"{rng.choice(KINDS)} Ejemplo {word(rng)} {word(rng)}" \
                    if original["kind"] == "organization" else f"{word(rng)} {word(rng)}"
                copy["email"] = original["email"]
            elif kind == "form" and original["kind"] == "organization":
                copy["name"] = rng.choice(("La ", "El ", "")) + original["name"] + \
                    rng.choice(FORMS)
            elif kind in ("typo", "form") and any(len(w) >= 5 for w in original["name"].split()):
                copy["name"] = typo(rng, original["name"])
            else:
                words = original["name"].split()
                copy["name"] = " ".join(words[1:] + words[:1])
            if copy["name"] in seen and kind != "email":
                continue
            seen.add(copy["name"])
            truth.add(frozenset((index, len(made))))
            made.append(copy)
            continue
        number = len(made)
        if number % 3 == 0 and people:
            name, kind = f"{word(rng)} {word(rng)} {word(rng)}", "individual"
        else:
            name, kind = f"{rng.choice(KINDS)} Ejemplo {word(rng)} {word(rng)}", "organization"
        if name in seen:
            continue
        seen.add(name)
        made.append({"name": name, "kind": kind, "email": f"firma{number}@ejemplo.org",
                     "place": f"Ciudad Ejemplo {number % 40 + 1}"})
    return made, truth


def measure_pairs(rows: int, threshold: float) -> None:
    made, truth = generate(rows)
    entries = [Entry(str(index), row["kind"], row["name"], row["email"])
               for index, row in enumerate(made)]
    start = time.perf_counter()
    pairs = find_pairs(entries, threshold)
    seconds = time.perf_counter() - start
    found = {frozenset((int(pair.first.ident), int(pair.second.ident))) for pair in pairs}
    # A pair that joins two copies of the same original is a true pair too.
    group = {}
    for first, second in sorted(sorted(pair) for pair in truth):
        group[second] = group.get(first, first)
    root = {index: group.get(index, index) for index in range(len(made))}
    right = {pair for pair in found if len({root[index] for index in pair}) == 1}
    recall = len(truth & found) / len(truth) if truth else 1.0
    precision = len(right) / len(found) if found else 1.0
    print(f"duplicates: {rows:,} signatories, {len(truth):,} planted pairs, threshold "
          f"{threshold:g}")
    print(f"  found {len(found):,} pairs in {seconds:.2f} s: precision {precision:.3f}, "
          f"recall {recall:.3f}")
    missed = [sorted(pair) for pair in truth - found][:5]
    for first, second in missed:
        print(f"  missed: {made[first]['name']!r} ~ {made[second]['name']!r}")
    wrong = [sorted(pair) for pair in found - right][:5]
    for first, second in wrong:
        print(f"  not planted: {made[first]['name']!r} ~ {made[second]['name']!r}")


def export(made: list[dict]) -> bytes:
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(["Marca temporal", "Dirección de correo electrónico", "Nombre",
                     "Tipo de firmante", "Ciudad", "País"])
    for index, row in enumerate(made):
        writer.writerow([f"{index % 28 + 1:02d}/03/2024 10:00:00", row["email"], row["name"],
                         "organización" if row["kind"] == "organization" else "persona",
                         row["place"], "México"])
    return b"\xef\xbb\xbf" + stream.getvalue().encode("utf-8")


def measure_import(rows: int, repeat: int) -> None:
    from generator.authoring.scaffold import create_project
    from generator.authoring.signon.importing import import_signatories
    from generator.core.project import load_project

    made, _ = generate(rows, seed=23)
    data = export(made)
    times, again, pairs = [], [], 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "proyecto"
            create_project(root)
            path = Path(folder) / "firmas.csv"
            path.write_bytes(data)
            project = load_project(root)
            start = time.perf_counter()
            result = import_signatories(project, path, letter="carta-ejemplo")
            times.append(time.perf_counter() - start)
            pairs = len(result.pairs)
            start = time.perf_counter()
            second = import_signatories(project, path, letter="carta-ejemplo")
            again.append(time.perf_counter() - start)
            assert not second.written and not second.added
    print(f"import: {rows:,} rows (CSV, {len(data) / 2**20:.1f} MB), with the duplicate "
          f"report ({pairs:,} likely pairs)")
    print(f"  first import  {statistics.median(times):.2f} s "
          f"({min(times):.2f}-{max(times):.2f})")
    print(f"  re-import     {statistics.median(again):.2f} s "
          f"({min(again):.2f}-{max(again):.2f}), nothing written")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs-rows", type=int, default=5000)
    parser.add_argument("--import-rows", type=int, default=10000)
    parser.add_argument("--threshold", type=float, default=90.0)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    measure_pairs(options.pairs_rows, options.threshold)
    measure_import(options.import_rows, options.repeat)


if __name__ == "__main__":
    main()
