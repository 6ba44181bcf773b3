"""What the campaign site's extras cost (issue 26): share images, feeds, calendars,
campaign.json, the timeline. Prints figures, no verdicts.

    .venv/bin/python benchmarks/site_extras_benchmark.py [--letters 20] [--repeat 3]

On a fictional project of N letters in es and en (each with a reply deadline), it times
`carta site` twice in one process after a first run: once as it is, and once with the extras
replaced by nothing, alternating the two and printing medians with the spread (min-max); then
the share image alone, per image, warm. The machine may be shared: read the spread.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

from click.testing import CliRunner

from generator.app.cli import cli

LETTER = """\
id: carta-{n:03d}
date: {date}
language: es
sender: coalicion-ejemplo
recipients: [organismo-ejemplo]
subject: Carta ficticia número {n}
reply_by: 30 working days
body:
  - paragraph: Texto ficticio de la carta número {n} de la Coalición Ejemplo.
  - demands:
      - id: demanda-{n:03d}
        text: Una demanda ficticia número {n}.
"""


def project(root: Path, letters: int) -> None:
    CliRunner().invoke(cli, ["init", str(root)])
    (root / "carta.toml").write_text('[project]\nlocales = ["es", "en"]\n')
    for path in (root / "content/letters").glob("*.yaml"):
        path.unlink()
    start = datetime.date(2024, 1, 1)
    for n in range(letters):
        (root / f"content/letters/carta-{n:03d}.yaml").write_text(
            LETTER.format(n=n, date=start + datetime.timedelta(days=7 * n)))


def site(root: Path) -> float:
    began = time.perf_counter()
    result = CliRunner().invoke(cli, ["--project", str(root), "site", "--jobs", "1",
                                      "--allow-untranslated"], env={"CARTA_TODAY": "2025-01-01"})
    assert result.exit_code == 0, result.output
    return time.perf_counter() - began


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} s ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    from generator.delivery import site_extras, social

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        project(root, options.letters)
        site(root)  # the build itself, out of the way
        with_extras, without = [], []
        for _ in range(options.repeat):
            with_extras.append(site(root))
            with mock.patch.object(site_extras.SiteExtras, "write_files", lambda *a: None), \
                    mock.patch.object(site_extras.SiteExtras, "index_context",
                                      lambda *a: {}):
                without.append(site(root))
        print(f"{options.letters} letters, es and en; carta site with nothing to rebuild:")
        print(f"  with feeds, calendars, campaign.json, timeline: {spread(with_extras)}")
        print(f"  without them:                                   {spread(without)}")
        pdf = root / "output/carta-000/carta-000.es.pdf"
        times = []
        for _ in range(options.repeat * 5):
            began = time.perf_counter()
            social.share_image(pdf, "Carta ficticia número 0", "Coalición Ejemplo",
                               "1 de enero de 2024")
            times.append(time.perf_counter() - began)
        print(f"  one share image (1200x630, page 1 rendered): {spread(times)}")


if __name__ == "__main__":
    main()
