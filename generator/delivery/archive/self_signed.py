"""`carta keys new`: a self-signed test certificate and its key, for trying signed PDFs.

The certificate says in its own name that it is a carta test certificate trusted by nobody: a
PDF signed with it shows that name in every reader's signature panel, and is valid only
against itself as the trust root (carta verify --trust the .pem file). A coalition signs real
letters with a certificate from a provider, or from its own CA (README, "Archiving").
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from ...core.errors import CartaError
from ...core.write import open_no_follow

LABEL = "carta test certificate, not trusted by anyone"
VALID_DAYS = 365


def new_test_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """Write `folder`/carta-test-signer.key (PEM, mode 600) and .pem (the certificate), both
    new (nothing is overwritten); returns their paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    if not name.strip():
        raise CartaError("--name: expected the organisation's name, found nothing")
    key_path, cert_path = folder / "carta-test-signer.key", folder / "carta-test-signer.pem"
    for path in (key_path, cert_path):
        if os.path.lexists(path):
            raise CartaError(f"{path} exists: carta never replaces a key; move it away, or "
                             "choose another folder with --out")
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(f"{name} (TEST, not trusted)")),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(name)),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, LABEL),
    ])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256()))
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise CartaError(f"cannot create {folder}: {error.strerror}") from None
    _write_new(key_path, key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()), 0o600)
    _write_new(cert_path, certificate.public_bytes(serialization.Encoding.PEM), 0o644)
    return key_path, cert_path


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """A new file created with its final mode (a key is never readable by others, not even
    for a moment), never through a link."""
    descriptor = open_no_follow(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(path, mode)  # exactly `mode`, whatever the umask


def _fit(text: str) -> str:
    """At most 64 bytes of UTF-8 (X.509's limit on a name's part), cut at a character."""
    return text.encode()[:64].decode("utf-8", "ignore")
