"""Real servers on loopback for tests: Dovecot IMAP, PostgreSQL, an aiosmtpd SMTP server.

Import as `from servers import Dovecot, PostgresCluster, SmtpServer` (pytest puts tests/
on sys.path); pull the fixtures in with `pytest_plugins = ["servers.fixtures"]`.
"""

from .certs import Certs, make_certs
from .dovecot import IMAP_PASSWORD, IMAP_USER, Dovecot, dovecot_version
from .postgres import PostgresCluster
from .smtp import SmtpServer

__all__ = ["IMAP_PASSWORD", "IMAP_USER", "Certs", "Dovecot", "PostgresCluster", "SmtpServer",
           "dovecot_version", "make_certs"]
