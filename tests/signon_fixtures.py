"""Form exports for the sign-on tests and benchmark, generated: the same rows as a
Google-Forms CSV (comma, UTF-8 with BOM, a timestamp column), an Excel-es CSV (semicolon,
Windows-1252), an XLSX and an ODS, with planted duplicates of each kind, blank lines,
trailing spaces, a formula cell, a missing name, an unknown country and a logo path outside
the project. Every name is fictional.

    python tests/signon_fixtures.py DIR [ROWS]    writes the four files into DIR
"""

from __future__ import annotations

import csv
import io
import random
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

HEADERS = ("Marca temporal", "Dirección de correo electrónico", "Nombre de la organización",
           "Ciudad", "País", "Sitio web", "Logotipo", "Nombre de quien autoriza", "Cargo")
_KINDS = ("Asociación", "Red", "Colectivo", "Fundación", "Centro", "Observatorio", "Unión",
          "Instituto", "Frente", "Alianza", "Movimiento", "Comité")
_WORDS = ("Alba", "Brisa", "Cedro", "Duna", "Estrella", "Faro", "Granito", "Helecho", "Isla",
          "Jacarandá", "Kiosco", "Laguna", "Magnolia", "Nogal", "Olivo", "Pradera", "Quetzal",
          "Roble", "Sauce", "Tulipán", "Umbral", "Valle", "Yedra", "Zafiro", "Ámbar",
          "Bahía", "Cumbre", "Delta", "Encino", "Fresno", "Girasol", "Horizonte", "Índigo",
          "Junco", "Lirio", "Médano", "Nube", "Ocaso", "Peñasco", "Quebrada", "Ribera",
          "Sendero", "Tormenta", "Urdimbre", "Vereda", "Xólotl", "Yunque", "Zenit")
_COUNTRIES = ("México", "Guatemala", "Colombia", "Perú", "Chile", "Argentina", "Honduras",
              "El Salvador", "Bolivia", "Ecuador")
_GIVEN = ("Ana", "Luis", "Marta", "Jorge", "Lucía", "Pablo", "Elena", "Tomás", "Rosa", "Iván")
_FAMILY = ("Ejemplo", "Muestra", "Prueba", "Ficticio", "Modelo", "Supuesto")


@dataclass
class Planted:
    """What the tests expect to find, by row number (the header is row 1)."""

    same_email: list[tuple[int, int]] = field(default_factory=list)
    same_name: list[tuple[int, int]] = field(default_factory=list)
    similar: list[tuple[int, int]] = field(default_factory=list)
    bad: dict[int, str] = field(default_factory=dict)  # row -> column header
    blank_rows: list[int] = field(default_factory=list)
    logos: list[int] = field(default_factory=list)
    good: int = 0  # rows that import


def make_rows(count: int = 300, seed: int = 7, bad: bool = True,
              blanks: bool = True) -> tuple[list[dict[str, str] | None], Planted]:
    """`count` data rows (None for a blank line), with every kind of planted duplicate."""
    rng = random.Random(seed)
    names = []
    seen = set()
    while len(names) < count:
        name = f"{rng.choice(_KINDS)} Ejemplo {rng.choice(_WORDS)} {rng.choice(_WORDS)}"
        words = name.split()
        # Two names of the same words in another order would be a duplicate not planted.
        key = (words[0], frozenset(words[2:]))
        if words[2] != words[3] and key not in seen:
            seen.add(key)
            names.append(name)
    rows: list[dict[str, str] | None] = []
    planted = Planted()

    def row_for(index: int, name: str) -> dict[str, str]:
        day = 1 + index % 28
        return {
            "Marca temporal": f"{day:02d}/02/2024 {10 + index % 12}:{index % 60:02d}:05",
            "Dirección de correo electrónico": f"contacto{index}@ejemplo.org",
            "Nombre de la organización": name,
            "Ciudad": f"Ciudad Ejemplo {index % 17 + 1}",
            "País": _COUNTRIES[index % len(_COUNTRIES)],
            "Sitio web": f"https://ejemplo.org/{index}",
            "Logotipo": "",
            "Nombre de quien autoriza": f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}",
            "Cargo": "Coordinación",
        }

    for index, name in enumerate(names):
        rows.append(row_for(index, name))

    def number(position: int) -> int:
        return position + 2  # before any blank line is inserted

    # Planted duplicates: each pair rewrites the second row of two.
    pairs = [(10, 11), (40, 41), (70, 71)]
    rows[11]["Dirección de correo electrónico"] = rows[10]["Dirección de correo electrónico"]
    planted.same_email.append((number(10), number(11)))
    rows[41]["Nombre de la organización"] = "La " + rows[40]["Nombre de la organización"] \
        + ", A.C."
    planted.same_name.append((number(40), number(41)))
    original = rows[70]["Nombre de la organización"]
    rows[71]["Nombre de la organización"] = original[:-1]  # a typo: the last letter lost
    planted.similar.append((number(70), number(71)))
    words = rows[100]["Nombre de la organización"].split()
    rows[101]["Nombre de la organización"] = " ".join(words[1:] + words[:1])  # words moved
    planted.similar.append((number(100), number(101)))
    pairs.append((100, 101))
    rows[130]["Nombre de la organización"] += "   "  # trailing spaces, stripped on import
    for position in (20, 21, 22):
        rows[position]["Logotipo"] = f"logos/logo-{position}.png"
        planted.logos.append(number(position))
    if bad:
        rows[150]["Nombre de la organización"] = ""
        planted.bad[number(150)] = "Nombre de la organización"
        rows[160]["Sitio web"] = '=HYPERLINK("https://ejemplo.org/f";"Sitio")'
        planted.bad[number(160)] = "Sitio web"
        rows[170]["Logotipo"] = "../../fuera/logo.png"
        planted.bad[number(170)] = "Logotipo"
        rows[180]["País"] = "Paísficticio"
        planted.bad[number(180)] = "País"
    planted.good = count - len(planted.bad)
    if blanks:
        # Blank lines push later rows down: the planted rows' numbers move with them.
        for at in (250, 120):
            rows.insert(at, None)

        def moved(row: int) -> int:
            return row + sum(1 for at in (120, 250) if row - 2 >= at)

        planted.same_email = [(moved(a), moved(b)) for a, b in planted.same_email]
        planted.same_name = [(moved(a), moved(b)) for a, b in planted.same_name]
        planted.similar = [(moved(a), moved(b)) for a, b in planted.similar]
        planted.bad = {moved(row): column for row, column in planted.bad.items()}
        planted.logos = [moved(row) for row in planted.logos]
        planted.blank_rows = [index + 2 for index, row in enumerate(rows) if row is None]
    return rows, planted


def write_logos(content: Path, planted: Planted) -> None:
    """The logo files the rows name, as small real PNGs inside content/logos/."""
    from PIL import Image

    (content / "logos").mkdir(parents=True, exist_ok=True)
    for position in (20, 21, 22):
        Image.new("RGB", (40, 20), (20 * position % 255, 90, 140)).save(
            content / "logos" / f"logo-{position}.png")


def _grid(rows) -> list[list[str]]:
    return [list(HEADERS)] + [[row[h] for h in HEADERS] if row else [""] * len(HEADERS)
                              for row in rows]


def google_csv(rows) -> bytes:
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, lineterminator="\r\n")
    for cells in _grid(rows):
        writer.writerow(cells if any(cells) else [])
    return b"\xef\xbb\xbf" + stream.getvalue().encode("utf-8")


def excel_es_csv(rows) -> bytes:
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    for cells in _grid(rows):
        writer.writerow(cells if any(cells) else [])
    return stream.getvalue().encode("cp1252")


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx(rows) -> bytes:
    """A minimal workbook: inline strings, and the formula cell as a real formula with the
    value its program saved."""
    lines = []
    for number, cells in enumerate(_grid(rows), start=1):
        if not any(cells):
            continue  # a blank row is a missing <row>, as Excel writes it
        out = []
        for index, text in enumerate(cells):
            ref = f"{_column(index)}{number}"
            if text.startswith("=HYPERLINK"):
                out.append(f'<c r="{ref}" t="str"><f>{escape(text[1:].replace(";", ","))}'
                           f'</f><v>Sitio</v></c>')
            elif text:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">'
                           f'{escape(text)}</t></is></c>')
        lines.append(f'<row r="{number}">{"".join(out)}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<sheetData>{"".join(lines)}</sheetData></worksheet>')
    files = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="applicati'
            'on/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" Conten'
            'tType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="appli'
            'cation/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override'
            ' PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats'
            '-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels":
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxm'
            'lformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://sch'
            'emas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
            '"xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlform'
            'ats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/offic'
            'eDocument/2006/relationships"><sheets><sheet name="Respuestas" sheetId="1" r:id="'
            'rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxm'
            'lformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://sch'
            'emas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="work'
            'sheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return stream.getvalue()


def ods(rows) -> bytes:
    """A minimal OpenDocument spreadsheet: the timestamp as a real date cell, the formula
    cell as a real formula with its saved value."""
    lines = []
    for number, cells in enumerate(_grid(rows), start=1):
        out = []
        for index, text in enumerate(cells):
            if number > 1 and index == 0 and text:
                day, month, rest = text.split("/", 2)
                year, clock = rest.split(" ")
                hours, minutes, seconds = clock.split(":")
                stamp = f"{year}-{month}-{day}T{int(hours):02d}:{minutes}:{seconds}"
                out.append(f'<table:table-cell office:value-type="date" '
                           f'office:date-value="{stamp}"><text:p>{escape(text)}</text:p>'
                           '</table:table-cell>')
            elif text.startswith("=HYPERLINK"):
                formula = escape("of:" + text, {'"': "&quot;"})
                out.append(f'<table:table-cell table:formula="{formula}" '
                           'office:value-type="string" office:string-value="Sitio">'
                           '<text:p>Sitio</text:p></table:table-cell>')
            elif text:
                out.append('<table:table-cell office:value-type="string"><text:p>'
                           f'{escape(text)}</text:p></table:table-cell>')
            else:
                out.append("<table:table-cell/>")
        lines.append(f'<table:table-row>{"".join(out)}</table:table-row>')
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Respuestas">'
        f'{"".join(lines)}</table:table></office:spreadsheet></office:body>'
        '</office:document-content>')
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry'
        ' manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.sprea'
        'dsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="t'
        'ext/xml"/></manifest:manifest>')
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"),
                         "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return stream.getvalue()


WRITERS = {"google.csv": google_csv, "excel-es.csv": excel_es_csv, "respuestas.xlsx": xlsx,
           "respuestas.ods": ods}


def write_all(folder: Path, count: int = 300, bad: bool = True) -> tuple[dict[str, Path],
                                                                       Planted]:
    rows, planted = make_rows(count, bad=bad)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, writer in WRITERS.items():
        paths[name] = folder / name
        paths[name].write_bytes(writer(rows))
    return paths, planted


if __name__ == "__main__":
    written, _ = write_all(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 300)
    for path in written.values():
        print(path)
