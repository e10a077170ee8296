"""A throwaway certificate authority and a server certificate for 127.0.0.1 and localhost.

Made with the `cryptography` package when it is installed, else with the `openssl` command.
The CA is a real CA (basicConstraints CA:TRUE, key identifiers) and the server certificate
is signed by it, so Python's strict verification (VERIFY_X509_STRICT, the default from
3.13 on) accepts it: clients verify with ssl.create_default_context(cafile=certs.ca_file).
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

HOSTS = ("localhost",)
IPS = ("127.0.0.1", "127.0.0.2", "::1")


@dataclass(frozen=True)
class Certs:
    ca_file: Path    # the CA certificate (PEM): what a client trusts
    cert_file: Path  # the server certificate (PEM), followed by nothing else
    key_file: Path   # the server's private key (PEM, unencrypted)

    def server_context(self) -> ssl.SSLContext:
        """An SSLContext for a Python server (aiosmtpd) presenting this certificate."""
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        """An SSLContext for a client that trusts only this CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))


def make_certs(folder: Path, common_name: str = "127.0.0.1") -> Certs:
    """Write ca.pem, server.pem and server.key into folder (which must exist)."""
    folder = Path(folder)
    certs = Certs(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    try:
        import cryptography  # noqa: F401
    except ImportError:
        if not shutil.which("openssl"):
            raise RuntimeError("need the cryptography package or the openssl command "
                               "to make a test certificate") from None
        _with_openssl(certs, common_name)
    else:
        _with_cryptography(certs, common_name)
    certs.key_file.chmod(0o600)
    return certs


def _with_cryptography(certs: Certs, common_name: str) -> None:
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "konpfoi test CA")])
    ca = (x509.CertificateBuilder()
          .subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                       crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False,
                                       decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))

    key = ec.generate_private_key(ec.SECP256R1())
    san = [x509.DNSName(h) for h in HOSTS] + [x509.IPAddress(ipaddress.ip_address(i))
                                               for i in IPS]
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False,
                                         crl_sign=False, content_commitment=False,
                                         key_encipherment=True, data_encipherment=False,
                                         key_agreement=True, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectAlternativeName(san), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))

    pem = serialization.Encoding.PEM
    certs.ca_file.write_bytes(ca.public_bytes(pem))
    certs.cert_file.write_bytes(cert.public_bytes(pem))
    certs.key_file.write_bytes(key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def _with_openssl(certs: Certs, common_name: str) -> None:
    folder = certs.ca_file.parent
    ca_key = folder / "ca.key"
    csr = folder / "server.csr"
    ext = folder / "server.ext"
    san = ",".join([f"DNS:{h}" for h in HOSTS] + [f"IP:{i}" for i in IPS])
    ext.write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement\n"
        "extendedKeyUsage=serverAuth\n"
        f"subjectAltName={san}\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", str(ca_key), "-out", str(certs.ca_file), "-days", "30",
        "-subj", "/CN=konpfoi test CA",
        "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
        "-addext", "keyUsage=critical,digitalSignature,keyCertSign,cRLSign")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", str(certs.key_file), "-out", str(csr), "-subj", f"/CN={common_name}")
    run("x509", "-req", "-in", str(csr), "-CA", str(certs.ca_file), "-CAkey", str(ca_key),
        "-CAcreateserial", "-out", str(certs.cert_file), "-days", "30",
        "-extfile", str(ext))
    for leftover in (ca_key, csr, ext, folder / "ca.srl"):
        leftover.unlink(missing_ok=True)
