"""TLS for both mail servers: certificates always verified — against the system's CAs, or
only against a private CA the user names (`ca_file`) — and one clear error when they cannot be.
There is no way to skip the check."""

from __future__ import annotations

import os
import ssl

from konpfoi.errors import DeliveryError, InvalidInput


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Certificates verified against the system's CAs, or only against `ca_file` when given."""
    if not ca_file:
        return ssl.create_default_context()
    path = os.path.expanduser(ca_file)
    try:
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise InvalidInput(f"ca_file {path}: cannot be read as a PEM certificate ({exc})",
                           hint="give the CA certificate your server's certificate is "
                                "signed with (Proton Mail Bridge: export it from Bridge)"
                           ) from None


def cannot_connect(what: str, exc: BaseException) -> DeliveryError:
    """One clear line for a failed connection; a certificate problem says how to trust it."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryError(
            f"the certificate of {what} cannot be verified ({exc.verify_message})",
            hint="for a private server (Proton Mail Bridge, a self-hosted one) give its CA "
                 "certificate as ca_file in konpfoi.yaml; konpfoi never skips the check")
    return DeliveryError(f"cannot connect to {what} ({exc})",
                         hint="check the imap settings in konpfoi.yaml and the network")
