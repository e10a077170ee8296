"""OAuth2 access tokens for IMAP and SMTP (XOAUTH2 / OAUTHBEARER), from one of three places:

- a command the user gives (`oauth.command`), which prints a token: the convention of msmtp's
  `passwordeval` and isync's `PassCmd`, so oama, mutt_oauth2.py or a password manager work;
- Microsoft 365 / Outlook.com: a device-code sign-in with msal (`konpfoi login`), the refresh
  state kept in the system keyring;
- Gmail: an installed-app sign-in in the browser with google-auth-oauthlib (`konpfoi login`),
  the refresh token kept in the system keyring.

msal and google-auth-oauthlib are the optional extra `konpfoi[oauth]`, imported only here.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

from konpfoi.errors import DeliveryError, InvalidInput
from konpfoi.mail.credentials import from_keyring, to_keyring
from konpfoi.workspace.config import OAuthSettings

MICROSOFT_SCOPES = ["https://outlook.office.com/IMAP.AccessAsUser.All",
                    "https://outlook.office.com/SMTP.Send"]
GOOGLE_SCOPES = ["https://mail.google.com/"]
GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
COMMAND_TIMEOUT = 120
EXTRA_HINT = "pip install 'konpfoi[oauth]'"

Show = Callable[[str], None]


def keyring_name(provider: str, user: str) -> str:
    return f"oauth:{provider}:{user}"


def access_token(settings: OAuthSettings, user: str, *, show: Show | None = None) -> str:
    """A current access token for `user`, refreshed if need be, never written to a file."""
    provider = settings.provider or ("command" if settings.command else None)
    if provider == "command":
        return from_command(settings.command)
    if provider == "microsoft":
        return microsoft(settings, user, show=None)
    if provider == "google":
        return google(settings, user, interactive=False)
    raise InvalidInput("auth: oauth2 is set but no way to get a token is",
                       hint="set oauth.provider (microsoft, google or command) in konpfoi.yaml")


def sign_in(settings: OAuthSettings, user: str, show: Show) -> str:
    """`konpfoi login` for an OAuth2 provider: sign in once, keep the refresh state in the
    keyring, and return a first access token (to check it works)."""
    if settings.provider == "microsoft":
        return microsoft(settings, user, show=show)
    if settings.provider == "google":
        return google(settings, user, interactive=True, show=show)
    if settings.provider == "command" or settings.command:
        return from_command(settings.command)
    raise InvalidInput("no OAuth2 provider is set",
                       hint="set oauth.provider in konpfoi.yaml: microsoft, google or command")


def from_command(command: str | None) -> str:
    """The first line the user's command prints (run by the shell, as msmtp's passwordeval)."""
    if not command:
        raise InvalidInput("oauth.provider is command but oauth.command is not set",
                           hint="e.g. command: oama access you@example.org")
    try:
        done = subprocess.run(command, shell=True, capture_output=True, text=True,  # noqa: S602
                              timeout=COMMAND_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise DeliveryError(f"the token command did not finish in {COMMAND_TIMEOUT} s",
                            hint=f"run it yourself to check: {command}") from None
    token = (done.stdout.strip().splitlines() or [""])[0].strip()
    if done.returncode != 0 or not token:
        why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise DeliveryError(f"the token command gave no token ({why})",
                            hint=f"run it yourself to check: {command}")
    return token


def _need_client_id(settings: OAuthSettings, provider: str) -> str:
    if not settings.client_id:
        raise InvalidInput(f"oauth.client_id is not set for {provider}",
                           hint="register an app (see 'Sign-in' in the README) and put its "
                                "client id in konpfoi.yaml")
    return settings.client_id


def microsoft(settings: OAuthSettings, user: str, *, show: Show | None) -> str:
    """A token for Microsoft 365 / Outlook.com; with `show`, a device-code sign-in first."""
    client_id = _need_client_id(settings, "Microsoft")
    try:
        import msal
    except ImportError:
        raise InvalidInput("Microsoft sign-in needs msal", hint=EXTRA_HINT) from None
    cache = msal.SerializableTokenCache()
    kept = from_keyring(keyring_name("microsoft", user))
    if kept:
        cache.deserialize(kept)
    app = msal.PublicClientApplication(
        client_id, authority=f"https://login.microsoftonline.com/{settings.tenant}",
        token_cache=cache)
    result = None
    accounts = app.get_accounts(username=user)
    if accounts:
        result = app.acquire_token_silent(MICROSOFT_SCOPES, account=accounts[0])
    if not result and show is not None:
        flow = app.initiate_device_flow(scopes=MICROSOFT_SCOPES)
        if "user_code" not in flow:
            raise DeliveryError("Microsoft refused to start a sign-in "
                                f"({flow.get('error_description') or flow.get('error')})",
                                hint="check oauth.client_id and oauth.tenant")
        show(str(flow["message"]))
        result = app.acquire_token_by_device_flow(flow)
    if not result:
        raise InvalidInput(f"not signed in to Microsoft as {user}",
                           hint="run konpfoi login once to sign in")
    if "access_token" not in result:
        raise DeliveryError("Microsoft gave no token "
                            f"({result.get('error_description') or result.get('error')})",
                            hint="run konpfoi login to sign in again")
    if cache.has_state_changed:
        to_keyring(keyring_name("microsoft", user), cache.serialize())
    return str(result["access_token"])


def google(settings: OAuthSettings, user: str, *, interactive: bool,
           show: Show | None = None) -> str:
    """A token for Gmail: refreshed from the keyring, or (interactive) a browser sign-in."""
    client_id = _need_client_id(settings, "Google")
    config = {"client_id": client_id, "client_secret": settings.client_secret or "",
              "auth_uri": GOOGLE_AUTH_URI, "token_uri": GOOGLE_TOKEN_URI,
              "redirect_uris": ["http://localhost"]}
    if interactive:
        try:
            from google_auth_oauthlib.flow import InstalledAppFlow
        except ImportError:
            raise InvalidInput("Google sign-in needs google-auth-oauthlib",
                               hint=EXTRA_HINT) from None
        flow = InstalledAppFlow.from_client_config({"installed": config}, GOOGLE_SCOPES)
        if show is not None:
            show(f"Sign in as {user} in the browser window that opens.")
        creds = flow.run_local_server(port=0, open_browser=True, login_hint=user)
        if not creds.refresh_token:
            raise DeliveryError("Google gave no refresh token",
                                hint="remove konpfoi's access in your Google account, then "
                                     "run konpfoi login again")
        to_keyring(keyring_name("google", user), json.dumps({"refresh_token":
                                                             creds.refresh_token}))
        return str(creds.token)
    kept = from_keyring(keyring_name("google", user))
    if not kept:
        raise InvalidInput(f"not signed in to Google as {user}",
                           hint="run konpfoi login once to sign in")
    try:
        from google.auth.exceptions import RefreshError
        from google.auth.transport.requests import Request
        from google.oauth2.credentials import Credentials
    except ImportError:
        raise InvalidInput("Google sign-in needs google-auth-oauthlib", hint=EXTRA_HINT) from None
    creds = Credentials(None, refresh_token=json.loads(kept)["refresh_token"],
                        token_uri=GOOGLE_TOKEN_URI, client_id=client_id,
                        client_secret=settings.client_secret, scopes=GOOGLE_SCOPES)
    try:
        creds.refresh(Request())
    except RefreshError as exc:
        raise DeliveryError(f"Google refused to refresh the sign-in ({exc})",
                            hint="run konpfoi login to sign in again") from None
    return str(creds.token)
