"""OpenDocument (ODT) copies: carta's DOCX converted by LibreOffice, the one module that runs it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..core.errors import BuildError


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    found = soffice()
    if found is None:
        raise BuildError("--format odt needs LibreOffice, which converts carta's DOCX: install "
                         "it (Debian: apt-get install libreoffice-writer-nogui), or build "
                         "--format docx, which needs nothing more")
    return found


def convert(data: bytes, extension: str, target: str, profile: Path, name: str,
            timeout: float = 300) -> bytes:
    """`data` (a file of `extension`) converted by LibreOffice to `target` ("odt", "pdf"),
    with its own user profile, so that runs in parallel do not wait on each other."""
    program = require_soffice()
    with tempfile.TemporaryDirectory(prefix="carta-office-") as folder:
        source = Path(folder) / f"letter.{extension}"
        source.write_bytes(data)
        command = [program, f"-env:UserInstallation={profile.resolve().as_uri()}",
                   "--headless", "--norestore", "--nolockcheck", "--convert-to", target,
                   "--outdir", folder, str(source)]
        try:
            finished = subprocess.run(command, capture_output=True, timeout=timeout,
                                      stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise BuildError(f"{name}: LibreOffice did not convert the DOCX to {target} within "
                             f"{timeout:.0f} s") from None
        result = Path(folder) / f"letter.{target}"
        if not result.is_file():
            detail = (finished.stderr or finished.stdout).decode("utf-8", "replace").strip()
            raise BuildError(f"{name}: LibreOffice could not convert the DOCX to {target} "
                             f"(exit {finished.returncode}): {detail[-300:] or 'no message'}")
        return result.read_bytes()


class OdtConverter:
    """DOCX to ODT for one worker process: LibreOffice's profile is made once, at the first
    document, in the build's scratch folder (tempfile.tempdir), and removed with it."""

    def __init__(self):
        self._profile: Path | None = None

    def convert(self, docx_bytes: bytes, name: str) -> bytes:
        if self._profile is None:
            self._profile = Path(tempfile.mkdtemp(prefix="carta-lo-profile-"))
        return convert(docx_bytes, "docx", "odt", self._profile, name)
