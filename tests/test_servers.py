"""The loopback servers in tests/servers/ are real and each option does what it says.

Nothing here imports konpfoi: the servers are exercised with imaplib, smtplib and psycopg.
"""

from __future__ import annotations

import base64
import datetime as dt
import imaplib
import re
import smtplib
import socket
import ssl
import textwrap
from pathlib import Path

import pytest
from servers import IMAP_PASSWORD, IMAP_USER, Dovecot, PostgresCluster, SmtpServer
from servers.dovecot import group_alive

pytest_plugins = ["pytester"]  # servers.fixtures comes from conftest

RAW = (b"From: Trust FOI <foi@trust.nhs.uk>\r\nTo: jo@example.org\r\n"
       b"Subject: Re: FOI K-0001\r\nMessage-ID: <reply-1@trust.nhs.uk>\r\n"
       b"Date: Tue, 20 Oct 2026 10:00:00 +0000\r\n\r\nOur answer.\r\n")


def _xoauth2(user: str, token: str):
    """An imaplib authobject: the XOAUTH2 string, then an empty line to an error challenge."""
    blob = f"user={user}\x01auth=Bearer {token}\x01\x01".encode()
    return lambda challenge: blob if not challenge else b""


def _oauthbearer(user: str, token: str):
    blob = f"n,a={user},\x01auth=Bearer {token}\x01\x01".encode()
    return lambda challenge: blob if not challenge else b"\x01"


# ---- IMAP -----------------------------------------------------------------------------------


def test_imap_login_and_special_use_folders(dovecot: Dovecot) -> None:
    assert dovecot.host == "127.0.0.1"
    client = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10)
    assert client.welcome.startswith(b"* OK")
    assert client.login(IMAP_USER, IMAP_PASSWORD)[0] == "OK"
    typ, listing = client.list()
    assert typ == "OK"
    flags = {line.decode().rsplit(" ", 1)[-1].strip('"'): line.decode() for line in listing}
    assert r"\Sent" in flags["Sent"] and r"\Drafts" in flags["Drafts"]
    assert r"\Trash" in flags["Trash"] and r"\Junk" in flags["Junk"]
    assert "INBOX" in flags
    typ, subscribed = client.lsub()  # auto = subscribe
    assert {"Sent", "Drafts", "Trash", "Junk"} <= {
        line.decode().rsplit(" ", 1)[-1].strip('"') for line in subscribed}
    client.logout()

    refused = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10)
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        refused.login(IMAP_USER, "wrong")
    refused.shutdown()


def test_append_then_peek_leaves_unseen(dovecot: Dovecot) -> None:
    when = dt.datetime(2026, 10, 20, 10, 0, 5, tzinfo=dt.UTC)
    uid = dovecot.append(IMAP_USER, "INBOX", RAW, date=when)
    assert uid == 1
    client = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10)
    client.login(IMAP_USER, IMAP_PASSWORD)
    assert client.select("INBOX")[0] == "OK"
    typ, data = client.uid("FETCH", str(uid), "(BODY.PEEK[] INTERNALDATE)")
    assert typ == "OK" and data[0][1] == RAW
    assert b'INTERNALDATE "20-Oct-2026 10:00:05 +0000"' in data[0][0]
    typ, data = client.uid("FETCH", str(uid), "(FLAGS)")
    assert b"\\Seen" not in data[0]
    client.uid("FETCH", str(uid), "(BODY[])")  # a plain BODY[] does set \Seen: a real server
    typ, data = client.uid("FETCH", str(uid), "(FLAGS)")
    assert b"\\Seen" in data[0]
    client.logout()
    assert dovecot.messages(IMAP_USER, "INBOX") == [RAW]


def test_append_to_sent_with_flags(dovecot: Dovecot) -> None:
    first = dovecot.append(IMAP_USER, "Sent", RAW, flags=(r"\Seen",))
    second = dovecot.append(IMAP_USER, "Sent", RAW.replace(b"reply-1", b"reply-2"))
    assert second == first + 1
    fetched = dovecot.fetch(IMAP_USER, "Sent")
    assert [uid for uid, _, _ in fetched] == [first, second]
    assert r"\Seen" in fetched[0][1] and r"\Seen" not in fetched[1][1]
    assert dovecot.flags(IMAP_USER, "Sent")[first] >= {r"\Seen"}
    assert dovecot.messages(IMAP_USER, "Drafts") == []


def test_uidvalidity_is_stable(dovecot: Dovecot) -> None:
    before = dovecot.uidvalidity(IMAP_USER, "INBOX")
    dovecot.append(IMAP_USER, "INBOX", RAW)
    assert dovecot.uidvalidity(IMAP_USER, "INBOX") == before
    client = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10)
    client.login(IMAP_USER, IMAP_PASSWORD)
    client.select("INBOX", readonly=True)
    assert int(client.response("UIDVALIDITY")[1][0]) == before
    client.logout()
    assert dovecot.uidvalidity(IMAP_USER, "Sent") > 0


def test_shared_server_keeps_accounts_apart(imap_account, dovecot_shared: Dovecot) -> None:
    other = f"other-{imap_account.user}"
    dovecot_shared.add_user(other, "pw")
    dovecot_shared.append(imap_account.user, "INBOX", RAW)
    assert dovecot_shared.messages(imap_account.user, "INBOX") == [RAW]
    assert dovecot_shared.messages(other, "INBOX") == []
    for user, password in [(imap_account.user, imap_account.password), (other, "pw")]:
        client = imaplib.IMAP4(imap_account.host, imap_account.port, timeout=10)
        assert client.login(user, password)[0] == "OK"  # a user added just now logs in
        client.logout()


def test_tls_verified_with_ca_file_and_refused_without(dovecot_tls: Dovecot) -> None:
    ca = dovecot_tls.ca_file
    assert ca is not None and ca.is_file()
    implicit = imaplib.IMAP4_SSL(dovecot_tls.host, dovecot_tls.ssl_port, timeout=10,
                                 ssl_context=ssl.create_default_context(cafile=str(ca)))
    assert implicit.login(IMAP_USER, IMAP_PASSWORD)[0] == "OK"
    assert implicit.sock.version() in ("TLSv1.2", "TLSv1.3")
    implicit.logout()

    plain = imaplib.IMAP4(dovecot_tls.host, dovecot_tls.port, timeout=10)
    assert "STARTTLS" in plain.capabilities
    plain.starttls(ssl.create_default_context(cafile=str(ca)))
    assert plain.login(IMAP_USER, IMAP_PASSWORD)[0] == "OK"
    plain.logout()

    with pytest.raises(ssl.SSLCertVerificationError):
        imaplib.IMAP4_SSL(dovecot_tls.host, dovecot_tls.ssl_port, timeout=10,
                          ssl_context=ssl.create_default_context())
    untrusting = imaplib.IMAP4(dovecot_tls.host, dovecot_tls.port, timeout=10)
    with pytest.raises(ssl.SSLCertVerificationError):
        untrusting.starttls(ssl.create_default_context())
    untrusting.sock.close()


def test_ssl_required_refuses_login_before_starttls(dovecot_factory) -> None:
    server = dovecot_factory(ssl_required=True)
    assert server.host != "127.0.0.1"  # else Dovecot counts loopback as secured
    client = imaplib.IMAP4(server.host, server.port, timeout=10)
    assert "LOGINDISABLED" in client.capabilities
    with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED|Plaintext"):
        client.login(IMAP_USER, IMAP_PASSWORD)
    client.starttls(server.ssl_context())
    assert client.login(IMAP_USER, IMAP_PASSWORD)[0] == "OK"
    client.logout()
    server.append(IMAP_USER, "INBOX", RAW)  # the helpers use implicit TLS
    assert server.messages(IMAP_USER, "INBOX") == [RAW]


def test_xoauth2_good_token_accepted_bad_refused(dovecot_oauth: Dovecot) -> None:
    dovecot_oauth.add_token(IMAP_USER, "good-token")
    dovecot_oauth.add_token("someone@example.org", "their-token")
    client = imaplib.IMAP4(dovecot_oauth.host, dovecot_oauth.port, timeout=10)
    assert "AUTH=XOAUTH2" in client.capabilities and "AUTH=OAUTHBEARER" in client.capabilities
    assert client.authenticate("XOAUTH2", _xoauth2(IMAP_USER, "good-token"))[0] == "OK"
    assert client.select("INBOX")[0] == "OK"
    client.logout()

    for user, token in [(IMAP_USER, "bad-token"), (IMAP_USER, "their-token")]:
        refused = imaplib.IMAP4(dovecot_oauth.host, dovecot_oauth.port, timeout=10)
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            refused.authenticate("XOAUTH2", _xoauth2(user, token))
        refused.shutdown()

    dovecot_oauth.revoke_token("good-token")
    revoked = imaplib.IMAP4(dovecot_oauth.host, dovecot_oauth.port, timeout=10)
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        revoked.authenticate("XOAUTH2", _xoauth2(IMAP_USER, "good-token"))
    revoked.shutdown()
    assert dovecot_oauth.introspection.requests.count("good-token") == 2


def test_oauthbearer_and_password_on_the_oauth_server(dovecot_oauth: Dovecot) -> None:
    dovecot_oauth.add_token(IMAP_USER, "bearer-token")
    client = imaplib.IMAP4(dovecot_oauth.host, dovecot_oauth.port, timeout=10)
    assert client.authenticate("OAUTHBEARER", _oauthbearer(IMAP_USER, "bearer-token"))[0] \
        == "OK"
    client.logout()
    client = imaplib.IMAP4(dovecot_oauth.host, dovecot_oauth.port, timeout=10)
    assert client.login(IMAP_USER, IMAP_PASSWORD)[0] == "OK"
    client.logout()
    token_only = "token-only@example.org"  # no password anywhere: the helpers still work
    dovecot_oauth.add_token(token_only, "t2")
    dovecot_oauth.append(token_only, "Drafts", RAW)
    assert dovecot_oauth.messages(token_only, "Drafts") == [RAW]


def test_dovecot_cleans_up(dovecot_factory) -> None:  # (the fixture: skip without dovecot)
    server = Dovecot({IMAP_USER: IMAP_PASSWORD}, tls=True, oauth2=True).start()
    folder, port, pid = server.folder, server.port, server.proc.pid
    assert server.started_in < 2
    server.stop()
    assert not folder.exists()
    assert not group_alive(pid)  # master, login, auth, imap: all gone (zombies aside)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


# ---- PostgreSQL -----------------------------------------------------------------------------


def test_pg_url_connects_and_two_connections_see_commits(pg_url: str,
                                                         postgres: PostgresCluster) -> None:
    psycopg = pytest.importorskip("psycopg")
    assert pg_url.startswith("postgresql://postgres@/test_")
    assert f"host={postgres.sockdir}" in pg_url
    with psycopg.connect(pg_url) as a, psycopg.connect(pg_url) as b:
        a.execute("CREATE TABLE ledger (id serial PRIMARY KEY, item text NOT NULL)")
        a.commit()
        a.execute("INSERT INTO ledger (item) VALUES ('K-0001')")
        assert b.execute("SELECT count(*) FROM ledger").fetchone() == (0,)  # not committed
        b.rollback()
        a.commit()
        assert b.execute("SELECT item FROM ledger").fetchall() == [("K-0001",)]
        assert a.execute("SELECT count(*) FROM pg_stat_activity "
                         "WHERE datname = current_database()").fetchone()[0] >= 2


def test_pg_each_test_gets_an_empty_database(pg_url: str, postgres: PostgresCluster) -> None:
    psycopg = pytest.importorskip("psycopg")
    name = pg_url.split("/")[3].split("?")[0]
    assert name in postgres.databases()
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables "
                            "WHERE schemaname = 'public'").fetchone() == (0,)
        assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
        assert conn.execute("SHOW unix_socket_directories").fetchone() == (str(
            postgres.sockdir),)


@pytest.mark.parametrize("method", ["scram-sha-256", "md5"])
def test_pg_password_role(postgres: PostgresCluster, pg_url: str, method: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    role = f"ledger_{method[:3]}_{pg_url[-20:-15].replace('_', '')}"
    role = re.sub(r"\W", "", role)
    postgres.create_role(role, "p@ss w'rd", method=method)
    name = pg_url.split("/")[3].split("?")[0]
    with psycopg.connect(postgres.url(name, role, "p@ss w'rd")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (role,)
        stored = postgres.psql(f"SELECT rolpassword FROM pg_authid WHERE rolname = '{role}'")
        assert stored.startswith("SCRAM-SHA-256$" if method == "scram-sha-256" else "md5")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(postgres.url(name, role, "wrong"))
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(postgres.url(name, role), passfile="/dev/null")
    # everyone else still gets in on trust
    with psycopg.connect(pg_url):
        pass


def test_pg_drop_database(postgres: PostgresCluster) -> None:
    url = postgres.create_database("dropme")
    assert "dropme" in postgres.databases() and url.startswith("postgresql://postgres@/dropme?")
    postgres.drop_database("dropme")
    assert "dropme" not in postgres.databases()


# ---- SMTP -----------------------------------------------------------------------------------

MSG = RAW.replace(b"Message-ID: <reply-1@trust.nhs.uk>", b"Message-ID: <K-0001@konpfoi>")


def _send(server: SmtpServer, msg: bytes = MSG, rcpts=("foi@trust.nhs.uk",)) -> dict:
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        return client.sendmail("jo@example.org", list(rcpts), msg)


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_smtp_auth_plain_and_login(smtp_server, mechanism: str) -> None:
    server = smtp_server(users={"jo@example.org": "app-password"})
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        client.ehlo()
        assert {"PLAIN", "LOGIN"} <= set(client.esmtp_features["auth"].split())
        with pytest.raises(smtplib.SMTPSenderRefused, match="530"):
            client.sendmail("jo@example.org", ["foi@trust.nhs.uk"], MSG)  # AUTH first
        client.user, client.password = "jo@example.org", "wrong"
        method = client.auth_plain if mechanism == "PLAIN" else client.auth_login
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.auth(mechanism, method, initial_response_ok=mechanism == "PLAIN")
        client.password = "app-password"
        assert client.auth(mechanism, method)[0] == 235
        client.sendmail("jo@example.org", ["foi@trust.nhs.uk"], MSG)
    assert server.received[0].user == "jo@example.org"
    assert server.received[0].raw == MSG
    assert server.counters.auth == [(mechanism, "jo@example.org", False),
                                    (mechanism, "jo@example.org", True)]


def test_smtp_xoauth2(smtp_server) -> None:
    server = smtp_server(tokens={"ya29.good": "jo@example.org"})
    for token, code in [("ya29.good", 235), ("ya29.bad", 535)]:
        with smtplib.SMTP(server.host, server.port, timeout=10) as client:
            client.ehlo()
            assert client.esmtp_features["auth"].split() == ["XOAUTH2"]
            blob = f"user=jo@example.org\x01auth=Bearer {token}\x01\x01"
            challenges = []

            def answer(challenge=None, blob=blob, challenges=challenges):
                if challenge is None:
                    return blob
                challenges.append(challenge)
                return ""

            if code == 235:
                assert client.auth("XOAUTH2", answer)[0] == 235
                client.sendmail("jo@example.org", ["foi@trust.nhs.uk"], MSG)
            else:
                with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
                    client.auth("XOAUTH2", answer)
                assert refused.value.smtp_code == 535
                assert b'"status": "400"' in challenges[0]
    assert [r.user for r in server.received] == ["jo@example.org"]


def test_smtp_starttls_with_ca_file(smtp_server) -> None:
    server = smtp_server(users={"jo": "pw"}, starttls=True, require_starttls=True)
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        client.ehlo()
        assert client.has_extn("starttls") and not client.has_extn("auth")
        client.starttls(context=ssl.create_default_context(cafile=str(server.ca_file)))
        client.ehlo()
        assert client.has_extn("auth")
        client.login("jo", "pw")
        client.sendmail("jo@example.org", ["foi@trust.nhs.uk"], MSG)
    assert server.received[0].tls
    with (smtplib.SMTP(server.host, server.port, timeout=10) as client,
          pytest.raises(ssl.SSLCertVerificationError)):
        client.starttls(context=ssl.create_default_context())
    with (smtplib.SMTP(server.host, server.port, timeout=10) as client,
          pytest.raises(smtplib.SMTPSenderRefused, match="STARTTLS")):
        client.sendmail("jo@example.org", ["foi@trust.nhs.uk"], MSG)


def test_smtp_implicit_tls(smtp_server) -> None:
    server = smtp_server(users={"jo": "pw"}, implicit_tls=True)
    with smtplib.SMTP_SSL(server.host, server.port, timeout=10,
                          context=server.ssl_context()) as client:
        client.login("jo", "pw")
        client.sendmail("jo@example.org", ["foi@trust.nhs.uk"], MSG)
    assert server.received[0].tls and server.message_ids() == ["<K-0001@konpfoi>"]
    with pytest.raises(ssl.SSLCertVerificationError):
        smtplib.SMTP_SSL(server.host, server.port, timeout=10,
                         context=ssl.create_default_context())


def test_smtp_temporary_refusal_then_accept(smtp_server) -> None:
    server = smtp_server(tempfail_first=2)
    for _ in range(2):
        with pytest.raises(smtplib.SMTPDataError) as refused:
            _send(server)
        assert refused.value.smtp_code == 451
    assert _send(server) == {}
    assert server.data_attempts == 3 and server.message_ids() == ["<K-0001@konpfoi>"]


def test_smtp_refuses_a_recipient(smtp_server) -> None:
    server = smtp_server(reject={"gone@trust.nhs.uk"})
    refused = _send(server, rcpts=("foi@trust.nhs.uk", "gone@trust.nhs.uk"))
    assert refused == {"gone@trust.nhs.uk": (550, b"5.1.1 No such user here")}
    assert server.received[0].rcpt_tos == ["foi@trust.nhs.uk"]
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        _send(server, rcpts=("gone@trust.nhs.uk",))
    assert len(server.received) == 1


def test_smtp_drops_mid_data(smtp_server) -> None:
    server = smtp_server(drop_at=2)
    msgs = [MSG.replace(b"K-0001", f"K-000{i}".encode()) for i in (1, 2, 3)]
    _send(server, msgs[0])
    with pytest.raises(smtplib.SMTPServerDisconnected):
        _send(server, msgs[1])
    _send(server, msgs[2])
    assert server.message_ids() == ["<K-0001@konpfoi>", "<K-0003@konpfoi>"]
    assert server.unanswered == [] and server.data_attempts == 3


def test_smtp_drops_after_data_without_answer(smtp_server) -> None:
    server = smtp_server(drop_at=1, drop="after-data")
    with pytest.raises(smtplib.SMTPServerDisconnected):
        _send(server)
    assert server.received == [] and [u.raw for u in server.unanswered] == [MSG]
    _send(server)
    assert server.message_ids() == ["<K-0001@konpfoi>"]


# ---- the fixtures as a plugin ---------------------------------------------------------------


def test_fixtures_load_as_a_plugin_from_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(Path(__file__).parent)
    pytester.makeconftest('pytest_plugins = ["servers.fixtures"]\n')
    pytester.makepyfile(textwrap.dedent("""\
        import smtplib

        def test_uses_plugin_fixture(smtp_server):
            server = smtp_server()
            with smtplib.SMTP(server.host, server.port, timeout=10) as client:
                client.sendmail("a@example.org", ["b@example.org"], b"Subject: x\\r\\n\\r\\nx")
            assert len(server.received) == 1
        """))
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_xoauth2_strings_are_well_formed() -> None:
    assert base64.b64encode(_xoauth2("a@b", "t")(b"")).startswith(b"dXNlcj1hQGIB")
