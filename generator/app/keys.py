"""`carta keys`: the signing certificate's commands (parsing and messages only), and the
passphrase prompt that `carta archive` and `carta mail` use for the [signing] key."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DEFAULT_FOLDER = Path("~/.config/carta")


def ask_passphrase(prompt: str) -> str | None:
    """The key's passphrase, typed at a terminal and never echoed; None without a terminal
    (CARTA_SIGNING_PASSPHRASE is then the only way, and the message says so)."""
    if not sys.stdin.isatty():
        return None
    return click.prompt(prompt, hide_input=True, default="", show_default=False)


@click.group(help="The certificate that signs PDFs ([signing] in carta.toml).")
def keys() -> None:
    pass


@keys.command("new", help="Make a self-signed TEST certificate and its key, to try signed "
              "PDFs: nobody trusts it (its name says so). Signed letters for real need a "
              "certificate from a provider or the coalition's own CA (README, Archiving).")
@click.option("--name", required=True, help="The organisation's name, as the certificate "
              "will show it (\"Organización Ejemplo A\").")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_FOLDER, show_default=True,
              help="Folder for the key and certificate: outside the project.")
@click.pass_obj
def new(options, name: str, out: Path) -> None:
    from ..core.errors import CartaError, ContentError
    from ..delivery.archive.self_signed import LABEL, new_test_certificate

    out = out.expanduser().absolute()
    try:
        root = options.project().root
    except ContentError:  # no project here: any folder will do
        root = None
    if root is not None and out.resolve().is_relative_to(root):
        raise CartaError(f"--out: {out} is inside the project ({root}), where 'git add -A' "
                         "would commit the private key; choose a folder outside it, such as "
                         f"{DEFAULT_FOLDER}")
    key, certificate = new_test_certificate(out, name)
    options.say(f"wrote {key} (the private key, readable by you alone) and {certificate} "
                f"(the certificate: {LABEL})")
    options.say("to sign with it, add to carta.toml:\n\n[signing]\n"
                f"key = \"{key}\"\ncertificate = \"{certificate}\"\n"
                f"trust = \"{certificate}\"  # for carta verify: this test certificate only\n")
