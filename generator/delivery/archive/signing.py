"""Signing the archive's history: an Ed25519 signature over the manifest's head.

manifest.sig says how many entries it covers and which head they chain to, signed with the
project's private key (never kept in the archive folder or in content/). A signature checked
with the public key proves that the history up to that head is the one that was signed.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from pathlib import Path

from ...core.errors import CartaError
from ...core.project import Project
from ...core.write import staged
from .manifest import HEX_TEXT, Manifest, check_fields, is_count, is_hex, reject_constant, sha256
from .reading import read_bounded

SIGNATURE = "manifest.sig"
SIGNATURE_FORMAT = 1
MAX_SMALL_FILE_BYTES = 64 << 10  # keys, manifest.sig


def _signed_message(entries: int, head: str) -> bytes:
    return f"carta archive manifest\nentries {entries}\nhead {head}\n".encode()


def key_id(public_key) -> str:
    """How messages name a public key ("ed25519:" and 16 hex digits of its hash); no file
    records it, so it is no part of the manifest's or the signature's format."""
    return "ed25519:" + sha256(public_key.public_bytes(*_raw_encoding()))[:16]


def load_key(path: Path, private: bool):
    """An Ed25519 key from a PEM file, or CartaError saying what the file is instead."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    kind = "private" if private else "public"
    data = read_bounded(path, MAX_SMALL_FILE_BYTES, f"an Ed25519 {kind} key", follow=True)
    if data is None:
        raise CartaError(f"{path}: no such file; expected an Ed25519 {kind} key (PEM)")
    try:
        key = (serialization.load_pem_private_key(data, password=None) if private
               else serialization.load_pem_public_key(data))
    except TypeError:
        raise CartaError(f"{path}: the key is protected by a password; carta reads "
                         "unencrypted PEM keys (protect the file itself instead)") from None
    except (ValueError, UnsupportedAlgorithm):
        raise CartaError(f"{path}: expected an Ed25519 {kind} key in PEM form (-----BEGIN "
                         f"{'PRIVATE' if private else 'PUBLIC'} KEY-----), found something "
                         "else") from None
    expected = ed25519.Ed25519PrivateKey if private else ed25519.Ed25519PublicKey
    if not isinstance(key, expected):
        raise CartaError(f"{path}: expected an Ed25519 key, found a {type(key).__name__}")
    return key


def read_signature(folder: Path) -> tuple[dict | None, str | None]:
    """manifest.sig as a dict, or (None, why it cannot be used); (None, None) if absent."""
    data = read_bounded(folder / SIGNATURE, MAX_SMALL_FILE_BYTES, "the manifest signature")
    if data is None:
        return None, None
    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        return None, f"not valid JSON ({error})"
    fields = {
        "format": (str(SIGNATURE_FORMAT), lambda v: v == SIGNATURE_FORMAT),
        "algorithm": ("\"ed25519\"", lambda v: v == "ed25519"),
        "entries": ("a count of entries", is_count),
        "head": (HEX_TEXT, is_hex),
        "public_key": ("a base64 Ed25519 public key", lambda v: _base64(v, 32) is not None),
        "signature": ("a base64 Ed25519 signature", lambda v: _base64(v, 64) is not None),
    }
    found: list[str] = []
    if not check_fields(raw, fields, "", lambda where, message:
                         found.append(f"{where.lstrip('.')}: {message}" if where else message)):
        return None, "; ".join(found)
    return raw, None


def _base64(value, length: int) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if len(data) == length else None


def signature_check(signature: dict, public_key, manifest: Manifest) -> str | None:
    """Why `signature` does not vouch for the whole of `manifest`, or None if it does."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ed25519

    signer = ed25519.Ed25519PublicKey.from_public_bytes(_base64(signature["public_key"], 32))
    if key_id(signer) != key_id(public_key):
        return (f"signed with key {key_id(signer)}, not with the expected key "
                f"{key_id(public_key)}")
    try:
        public_key.verify(_base64(signature["signature"], 64),
                          _signed_message(signature["entries"], signature["head"]))
    except InvalidSignature:
        return "the signature does not match what manifest.sig says it signs (edited)"
    signed, heads = signature["entries"], manifest.heads()
    count = len(manifest.entries)
    if signed > count:
        return (f"it signs {signed} entries, but the manifest has only {count}: entries "
                "were removed after signing")
    if heads[signed] != signature["head"]:
        return (f"it signs head {signature['head']} after entry {signed}, but the manifest's "
                f"chain has {heads[signed]} there: the manifest was changed after signing")
    if signed < count:
        return (f"it covers only the first {signed} of {count} entries: the later ones were "
                "archived without the signing key")
    return None


class Signer:
    """The project's signing key, and what it signs: the manifest's head after a run."""

    def __init__(self, project: Project, folder: Path):
        path = Path(os.path.abspath(project.root / Path(project.settings.signing_key)
                                    .expanduser()))
        check_private_key_file(path, project, folder)
        self.folder = folder
        self.key = load_key(path, private=True)
        self.public = self.key.public_key()

    def check_existing(self, manifest: Manifest) -> None:
        signature, unusable = read_signature(self.folder)
        if unusable:
            raise CartaError(f"{self.folder / SIGNATURE}: {unusable}; carta signs nothing "
                             "over a signature it cannot read. Run 'carta verify'")
        if signature is None:
            return
        why = signature_check(signature, self.public, manifest)
        if why and "covers only the first" not in why:  # a tail archived unsigned is fine
            raise CartaError(f"{self.folder / SIGNATURE}: {why}. carta will not sign a "
                             "manifest that does not extend what was signed before; run "
                             "'carta verify --public-key ...' and restore the archive, or, "
                             "if the key changed on purpose, move manifest.sig aside")

    def sign(self, manifest: Manifest) -> list[str]:
        signature, _ = read_signature(self.folder)
        count, head = len(manifest.entries), manifest.head
        if signature is not None and (signature["entries"], signature["head"]) == (count, head):
            return []
        raw = self.public.public_bytes(*_raw_encoding())
        data = {"format": SIGNATURE_FORMAT, "algorithm": "ed25519", "entries": count,
                "head": head, "public_key": base64.b64encode(raw).decode("ascii"),
                "signature": base64.b64encode(
                    self.key.sign(_signed_message(count, head))).decode("ascii")}
        with staged(self.folder / SIGNATURE, (json.dumps(data, indent=2) + "\n").encode()):
            pass
        return [f"signed the manifest head ({count} entries) with key "
                f"{key_id(self.public)} in {SIGNATURE}"]


def check_private_key_file(path: Path, project: Project, folder: Path,
                           setting: str = "archive.signing_key") -> None:
    """The one rule for every private key carta reads (the manifest's Ed25519 key, the PDF
    signing key): kept outside the project, and its owner's alone. `setting` names the
    carta.toml entry that points at it, for the message. A missing file passes: the loader
    says so, in its own words."""
    if os.path.lexists(path):
        _check_key_place(path, project, folder, setting)
        _check_key_mode(path, setting)


def _check_key_place(path: Path, project: Project, folder: Path, setting: str) -> None:
    """Refuse a private key kept where it would be shared: in the archive, in content/, or
    anywhere else in the project, where one `git add -A` commits it. The path as named and
    the file it leads to both count (a link in the project is one commit from a leak of
    where the key is, and a link to the project one from the key itself)."""
    where = f"carta.toml: {setting}"
    for place, why in ((folder, "the archive folder, which is shared as evidence"),
                       (project.content, "content/, which the coalition shares"),
                       (project.root, f"the project ({project.root}), where 'git add -A' "
                                      "would commit it")):
        if path.is_relative_to(place) or path.resolve().is_relative_to(place.resolve()):
            raise CartaError(f"{where}: {path} is inside {why}; keep the private key outside "
                             "the project (and out of version control): move it, for "
                             "example to ~/.config/carta/archive.key, run 'chmod 600' on it, "
                             f"and set {setting.rpartition('.')[2]} to that path")


def _check_key_mode(path: Path, setting: str) -> None:
    """Refuse a private key that others on the machine can read or change, as ssh does:
    the signature would prove nothing about who made it."""
    try:
        mode = os.stat(path).st_mode  # the file a link leads to: its mode is what protects
    except OSError:
        return  # a link that leads nowhere, say: load_key says what it finds
    if mode & 0o077:
        raise CartaError(f"carta.toml: {setting}: {path} can be read or changed by "
                         f"other users (permissions {stat.S_IMODE(mode):04o}); a private key "
                         f"must be its owner's alone: run 'chmod 600 {path}' and try again")


def _raw_encoding():
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.Raw, serialization.PublicFormat.Raw


def stale_signature_notice(folder: Path, manifest: Manifest) -> list[str]:
    try:
        signature, _ = read_signature(folder)
    except CartaError:
        return []
    if signature is None or signature["entries"] >= len(manifest.entries):
        return []
    return [f"{SIGNATURE} covers only the first {signature['entries']} entries: set "
            "[archive] signing_key in carta.toml and run 'carta archive' to sign the rest"]
