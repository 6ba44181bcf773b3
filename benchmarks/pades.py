"""What a PAdES signature costs on the seed letter's archived PDF: the time to add the tagged
field, to sign (invisible and with a visible stamp), and to verify; and the bytes it adds.
Prints figures, no verdicts.

    .venv/bin/python benchmarks/pades.py [--runs N]

The certificates are made here (a fictional CA and signer, RSA 2048); the PDF is the seed
letter's Spanish PDF/A as `carta archive` makes it unsigned, in a temporary copy of the project.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from click.testing import CliRunner  # noqa: E402
from pades_helpers import issue, make_ca  # noqa: E402

from generator.app.cli import cli  # noqa: E402
from generator.core.project import SigningSettings  # noqa: E402
from generator.delivery.archive.pdf_signature import Credentials, PdfSigner, Stamp  # noqa: E402
from generator.delivery.archive.pdf_validation import check_signatures  # noqa: E402

SEED_ID = "2017-09-19-carta-comite-directivo-ogp"


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        shutil.copytree(REPO / "content", root / "content")
        shutil.copy(REPO / "carta.toml", root / "carta.toml")
        result = CliRunner().invoke(cli, ["--project", str(root), "archive", "--locale", "es"])
        assert result.exit_code == 0, result.output
        data = (root / "output/archive" / SEED_ID / f"{SEED_ID}.es.pdf").read_bytes()
    ca = make_ca()
    signer = issue(ca)
    pdf_signer = PdfSigner(Credentials(signer.key, signer.certificate, (signer.issuer,)),
                           SigningSettings(certificate="-", reason="Carta enviada"))
    stamp = Stamp("Núcleo de Organizaciones de la Sociedad Civil", "es",
                  (REPO / "templates/locale",))
    invisible = Stamp(stamp.anchor, "es", stamp.catalog_dirs, visible=False)
    print(f"unsigned PDF: {len(data)} bytes; median of {runs} runs")
    for name, chosen in (("invisible", invisible), ("visible stamp", stamp)):
        prepare, prepared = timed(lambda chosen=chosen: pdf_signer.prepare(data, chosen), runs)
        sign, signed = timed(lambda chosen=chosen, prepared=prepared:
                             pdf_signer.sign(prepared, chosen), runs)
        check, report = timed(lambda signed=signed: check_signatures(signed,
                                                                     (ca.certificate,)), runs)
        assert not report.problems, report.problems
        print(f"{name:14} field {prepare * 1000:7.1f} ms  sign {sign * 1000:7.1f} ms  "
              f"verify {check * 1000:7.1f} ms  +{len(signed) - len(data)} bytes")


if __name__ == "__main__":
    main()
