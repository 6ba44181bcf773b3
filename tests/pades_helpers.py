"""Test certificates for the PAdES tests, made here with cryptography: a fictional CA, signers it
issued (valid, expired), a stranger's CA, their files outside the project, and a local RFC 3161
timestamp server on 127.0.0.1 built on pyHanko's DummyTimeStamper."""

from __future__ import annotations

import datetime
import http.server
import io
import threading
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime.now(datetime.UTC)
SIGNER = "Organización Ejemplo A"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Red Ejemplo de Prueba")])


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issued:
    key: object
    certificate: x509.Certificate
    issuer: x509.Certificate | None = None

    def pem(self) -> bytes:
        chain = [self.certificate] + ([self.issuer] if self.issuer else [])
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)

    def key_pem(self, passphrase: bytes | None = None) -> bytes:
        encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                      else serialization.NoEncryption())
        return self.key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8, encryption)

    def pkcs12(self, passphrase: bytes | None, with_key: bool = True) -> bytes:
        encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                      else serialization.NoEncryption())
        return pkcs12.serialize_key_and_certificates(
            b"signer", self.key if with_key else None, self.certificate,
            [self.issuer] if self.issuer else None, encryption)


def make_ca(common: str = "Autoridad Ejemplo de Prueba") -> Issued:
    key = _key()
    certificate = (
        x509.CertificateBuilder().subject_name(_name(common)).issuer_name(_name(common))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=30))
        .not_valid_after(NOW + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256()))
    return Issued(key, certificate)


def issue(ca: Issued, common: str = SIGNER, days: tuple[int, int] = (-1, 365),
          timestamping: bool = False) -> Issued:
    """A certificate issued by `ca`, valid from NOW + days[0] to NOW + days[1]."""
    key = _key()
    builder = (
        x509.CertificateBuilder().subject_name(_name(common))
        .issuer_name(ca.certificate.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + datetime.timedelta(days=days[0]))
        .not_valid_after(NOW + datetime.timedelta(days=days[1]))
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True))
    if timestamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return Issued(key, builder.sign(ca.key, hashes.SHA256()), ca.certificate)


def write_private(path: Path, data: bytes, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(data)
    path.chmod(mode)
    return path


def write_trust(path: Path, ca: Issued) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    return path


def add_signing(project: Path, lines: str) -> None:
    """Append a [signing] section to the project's carta.toml."""
    settings = project / "carta.toml"
    settings.write_text(settings.read_text("utf-8") + "\n[signing]\n" + lines, "utf-8")


def xmp_of(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return pdf.Root.Metadata.read_bytes()


class TimestampServer:
    """An RFC 3161 timestamp authority on 127.0.0.1 (a thread), answering with pyHanko's
    DummyTimeStamper and the TSA certificate `tsa`."""

    def __init__(self, tsa: Issued):
        from asn1crypto import keys, tsp
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        timestamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(
                tsa.certificate.public_bytes(serialization.Encoding.DER)),
            tsa_key=keys.PrivateKeyInfo.load(tsa.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())))
        self.requests = 0
        server_self = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = tsp.TimeStampReq.load(body)
                answer = timestamper.request_tsa_response(request).dump()
                server_self.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
