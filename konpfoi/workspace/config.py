"""A workspace's settings (konpfoi.yaml): read with file and line in every error, written with
the comments a new user needs. Never a password."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from konpfoi.errors import InvalidInput, Unsafe
from konpfoi.workspace import ledger_url, mailsettings, yamlfile
from konpfoi.workspace.files import atomic_write
from konpfoi.workspace.mailsettings import SECURITY_MODES, ImapSettings, OAuthSettings

NATIONS = ("england", "wales", "scotland", "northern-ireland")
__all__ = ["SECURITY_MODES", "Config", "ImapSettings", "OAuthSettings", "SmtpSettings"]
# A body's nation in the directory: one of the four, or `uk` for a UK-wide body (DHSC, MHRA,
# UKHSA). Bank holidays are the four nations' only: for a UK-wide body every nation's count.
UK_WIDE = "uk"
BODY_NATIONS = (*NATIONS, UK_WIDE)

# What a draft says where the requester has not yet given their details (FOIA s.8(1)(b)).
NAME_PLACEHOLDER = "[YOUR FULL NAME]"
EMAIL_PLACEHOLDER = "your-email-address@konpfoi.invalid"


def holiday_nations(nation: str | None) -> frozenset[str]:
    """Whose bank holidays a body's own clock skips: its nation's, every nation's for a
    UK-wide body, England's when the nation is unknown."""
    if nation == UK_WIDE:
        return frozenset(NATIONS)
    return frozenset({nation or "england"})


def has_placeholder(text: str) -> bool:
    """Whether a draft still carries a placeholder for the requester's name or email."""
    return NAME_PLACEHOLDER in text or EMAIL_PLACEHOLDER in text


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int | None = None
    user: str | None = None
    security: str = "starttls"
    ca_file: str | None = None  # trust this CA (a private server)
    auth: str = "password"  # password | oauth2
    rate: str | None = None  # the pace of `send`: 20/min by default, "none" to lift it
    sent_copies: str = "auto"  # a copy of each message sent in the IMAP Sent folder


@dataclass(frozen=True)
class GroupSettings:
    """The campaign group a workspace works for: who signs letters from the organisation to an
    MP or a board, and whose name heads a report or a published site."""

    name: str | None = None
    email: str | None = None
    address: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class LetterSettings:
    """What requests say about the campaign. Both are off by default: a body may add together
    the cost of requests "in pursuance of a campaign" (Fees Regulations reg 5; FOIA s.12) or
    call them vexatious (s.14), and naming the campaign or crediting the question set in every
    request tells it they are one. `repeat_months`: how long after an answer konpfoi warns that
    the same request again may be refused as repeated (s.14(2): "a reasonable interval")."""

    name_campaign: bool = False
    credit_questions: bool = False
    repeat_months: int = 12


@dataclass(frozen=True)
class ExtraHoliday:
    date: str
    name: str
    nations: tuple[str, ...]


# A workspace's item id prefix: capital letters (K-0001, S-0001). The ledger keeps the same
# rule (ledger.model.PREFIX_PATTERN); the workspace room cannot import it.
PREFIX_RE = r"[A-Z]{1,5}"


@dataclass(frozen=True)
class Config:
    """What konpfoi.yaml holds. Never a password."""

    name: str | None = None
    email: str | None = None
    prefix: str = "K"
    other_emails: tuple[str, ...] = ()
    address: str | None = None
    signature: str | None = None
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    imap: ImapSettings = field(default_factory=ImapSettings)
    oauth: OAuthSettings = field(default_factory=OAuthSettings)
    group: GroupSettings = field(default_factory=GroupSettings)
    letters: LetterSettings = field(default_factory=LetterSettings)
    rule: str = "a"
    mp_chase_days: int = 15
    holidays_add: tuple[ExtraHoliday, ...] = ()
    holidays_remove: tuple[str, ...] = ()
    ledger: str | None = None  # a shared ledger's URL (never with a password)


def validate_details(config: Config) -> Config:
    """Refuse details that would break an email header or a request, or an id prefix that
    is not 1 to 5 capital letters."""
    import re

    if not re.fullmatch(PREFIX_RE, config.prefix or ""):
        raise InvalidInput(f"id prefix {config.prefix!r}: use 1 to 5 letters, e.g. S",
                           hint="each volunteer's workspace takes its own: K, S, T...")
    for other in config.other_emails:
        if not yamlfile.is_email(other):
            raise InvalidInput(f"not an email address: {other!r}",
                               hint="give an address like name@example.org")
    for key in ("name", "email"):
        value = getattr(config, key)
        if value and any(ch in value for ch in "\r\n\0"):
            raise Unsafe(f"the {key} must be on one line", hint="remove the line break")
    if config.email and not yamlfile.is_email(config.email):
        raise InvalidInput(f"not an email address: {config.email!r}",
                           hint="give an address like name@example.org")
    if config.ledger:
        ledger_url.check(config.ledger, "the ledger setting")
    return config


_CONFIG_TEMPLATE = """\
# konpfoi workspace settings. Personal data: this file is readable by you only.
# An FOI request must give your real name and an address for correspondence (FOIA s.8(1)(b)).
name: {name}
email: {email}
# Postal address (optional; email is a valid address for correspondence).
address: {address}
signature: {signature}
# Other addresses you send from (a Gmail you also use, say): `replies import` skips mail from
# them, and from your email above, as your own.
other_emails: {other_emails}
# Item ids start with this (K-0001). Give each volunteer's workspace its own (S, T, ...) so
# that ledgers can be shared and merged without two items ever having the same id.
prefix: {prefix}

# The group you campaign with (optional): it signs letters from the organisation to MPs and
# boards, and heads reports and the published site.
group:
  name: {group_name}
  email: {group_email}
  address: {group_address}
  website: {group_website}

# The ledger (optional): a group shares one PostgreSQL database, e.g.
# postgresql://jo@db.example.org/campaign?sslmode=verify-full (never a password here: konpfoi
# asks libpq - ~/.pgpass, a service file, PGPASSWORD - or the system keyring). Empty: the
# konpfoi.db file in this folder. KONPFOI_LEDGER overrides it.
ledger: {ledger}

# Sending (konpfoi send). The password is never stored here: konpfoi reads it from
# KONPFOI_SMTP_PASSWORD, the system keyring, or asks.
smtp:
  host: {smtp_host}
  port: {smtp_port}
  user: {smtp_user}
  security: {smtp_security}     # none | starttls | ssl
  rate: 20/min           # the pace of konpfoi send (none: as fast as the server takes)
  sent_copies: auto      # on | off | auto: a copy in your IMAP Sent folder (auto: not for
                         # Gmail, Microsoft 365, Proton Bridge, which keep their own)

{imap}
# What requests say. Off by default: naming the campaign or crediting the question set in
# every request invites a body to add them together and refuse on cost (FOIA s.12, Fees
# Regulations reg 5) or to call them vexatious (s.14).
letters:
  name_campaign: {name_campaign}     # "Our reference: K-0001 (campaign: ...)"
  credit_questions: {credit_questions}  # "Questions: ..., by <the question set's source>"
  repeat_months: {repeat_months}       # warn of a repeated request answered within this (s.14(2))

clocks:
  # rule a: the day of receipt is day 0 (ICO); rule b: a request received on a non-working
  # day counts from the next working day.
  rule: {rule}
  mp_chase_days: {mp_chase_days}  # working days until a letter to an MP or board is due a reminder

# Bank holidays: add a newly proclaimed day, or remove one a source lists wrongly.
holidays:
  add: []        # - {{date: 2027-05-10, name: "Proclaimed holiday", nations: [scotland]}}
  remove: []     # - 2026-06-15
"""


def _yaml_scalar(value: object) -> str:
    import yaml

    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return yaml.safe_dump(list(value), default_flow_style=True, width=1000).strip()
    dumped: str = yaml.safe_dump(value, default_style=None, width=1000, allow_unicode=True)
    if dumped.endswith("\n...\n"):
        dumped = dumped[: -len("\n...\n")]
    dumped = dumped.rstrip("\n")
    if "\n" in dumped:  # a multi-line value: keep it as a literal block
        return "|\n" + "\n".join("  " + line for line in str(value).splitlines())
    return dumped


def render_config(c: Config) -> str:
    """The text of konpfoi.yaml for `c`, with the comments a new user needs."""
    return _CONFIG_TEMPLATE.format(
        name=_yaml_scalar(c.name), email=_yaml_scalar(c.email),
        address=_yaml_scalar(c.address), signature=_yaml_scalar(c.signature),
        other_emails=_yaml_scalar(list(c.other_emails)), prefix=c.prefix,
        smtp_host=_yaml_scalar(c.smtp.host), smtp_port=_yaml_scalar(c.smtp.port),
        smtp_user=_yaml_scalar(c.smtp.user), smtp_security=c.smtp.security,
        imap=mailsettings.TEMPLATE.format(
            imap_host=_yaml_scalar(c.imap.host), imap_port=_yaml_scalar(c.imap.port),
            imap_user=_yaml_scalar(c.imap.user), imap_security=c.imap.security),
        group_name=_yaml_scalar(c.group.name), group_email=_yaml_scalar(c.group.email),
        group_address=_yaml_scalar(c.group.address),
        group_website=_yaml_scalar(c.group.website),
        rule=c.rule, mp_chase_days=c.mp_chase_days,
        name_campaign=_yaml_scalar(c.letters.name_campaign),
        credit_questions=_yaml_scalar(c.letters.credit_questions),
        repeat_months=c.letters.repeat_months, ledger=_yaml_scalar(c.ledger),
    )


def update_config_file(path: Path, given: dict[str, Any]) -> None:
    """Change top-level details in place, keeping the user's comments and other settings."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for key, value in given.items():
        rendered = f"{key}: {_yaml_scalar(value)}"
        for i, line in enumerate(lines):
            if line.startswith(f"{key}:"):
                end = i + 1
                while end < len(lines) and lines[end].startswith("  "):
                    end += 1  # drop the old value's continuation lines
                lines[i:end] = rendered.splitlines()
                break
        else:
            lines[0:0] = rendered.splitlines()
    atomic_write(path, "\n".join(lines) + "\n")
    load_config(path)  # what we wrote must read back


_TOP = {"name", "email", "address", "signature", "smtp", "imap", "oauth", "group", "letters",
        "clocks", "holidays", "other_emails", "prefix", "ledger"}


def load_config(path: Path) -> Config:
    """Read and validate konpfoi.yaml; every error names the file, line and field."""
    data = yamlfile.load(path)
    if data is None:
        return Config()
    ck = yamlfile.Checker(path)
    data = ck.mapping(data, "the workspace config")
    for secret in ("password", "smtp_password", "pass"):
        if secret in data:
            ck.fail(data, secret, "passwords are never stored in konpfoi.yaml",
                    hint="remove it; konpfoi reads KONPFOI_SMTP_PASSWORD or asks")
    ck.fields(data, "config", (), _TOP)
    smtp = ck.mapping(data.get("smtp") or yamlfile.YMap(), "smtp", data, "smtp")
    if "password" in smtp:
        ck.fail(smtp, "password", "passwords are never stored in konpfoi.yaml",
                hint="remove it; konpfoi reads KONPFOI_SMTP_PASSWORD or asks")
    mailsettings.check_secrets(ck, smtp, "smtp")
    ck.fields(smtp, "smtp", (), ("host", "port", "user", "security",
                                 *mailsettings.SMTP_EXTRA_FIELDS))
    security = ck.text(smtp, "security", "smtp") or "starttls"
    if security not in SECURITY_MODES:
        ck.fail(smtp, "security", f"smtp: security must be one of {', '.join(SECURITY_MODES)}")
    port = smtp.get("port")
    if port is not None and (not isinstance(port, int) or not 0 < port < 65536):
        ck.fail(smtp, "port", "smtp: port must be a number from 1 to 65535")
    group = ck.mapping(data.get("group") or yamlfile.YMap(), "group", data, "group")
    ck.fields(group, "group", (), ("name", "email", "address", "website"))
    letters = _letters(ck, ck.mapping(data.get("letters") or yamlfile.YMap(), "letters", data,
                                      "letters"))
    clocks = ck.mapping(data.get("clocks") or yamlfile.YMap(), "clocks", data, "clocks")
    ck.fields(clocks, "clocks", (), ("rule", "mp_chase_days"))
    rule = (ck.text(clocks, "rule", "clocks") or "a").lower()
    if rule not in ("a", "b"):
        ck.fail(clocks, "rule", "clocks: rule must be a or b")
    chase = clocks.get("mp_chase_days", 15)
    if not isinstance(chase, int) or not 1 <= chase <= 250:
        ck.fail(clocks, "mp_chase_days", "clocks: mp_chase_days must be a whole number 1-250")
    hol = ck.mapping(data.get("holidays") or yamlfile.YMap(), "holidays", data, "holidays")
    ck.fields(hol, "holidays", (), ("add", "remove"))
    added = []
    for entry in ck.items(hol, "add", "holidays"):
        entry = ck.mapping(entry, "holidays.add entry", hol, "add")
        ck.fields(entry, "holidays.add", ("date", "name"), ("nations",))
        nations = tuple(ck.text_list(entry, "nations", "holidays.add") or NATIONS)
        for n in nations:
            if n not in NATIONS:
                ck.fail(entry, "nations", f"holidays.add: unknown nation {n!r}",
                        hint="nations are " + ", ".join(NATIONS))
        added.append(ExtraHoliday(str(ck.date(entry, "date", "holidays.add")),
                                  str(ck.text(entry, "name", "holidays.add")), nations))
    removed = []
    for value in ck.items(hol, "remove", "holidays"):
        holder = yamlfile.YMap()
        holder["date"] = value
        holder.line = hol.line_of("remove")
        removed.append(str(ck.date(holder, "date", "holidays.remove")))
    prefix = str(data.get("prefix") or "K").strip().upper()
    others = tuple(a.strip().lower() for a in ck.text_list(data, "other_emails", "config"))
    ledger = ck.text(data, "ledger", "config") or None
    if ledger:
        try:
            ledger_url.check(ledger, "the ledger setting")
        except InvalidInput as exc:
            ck.fail(data, "ledger", exc.message, exc.hint)
        except Unsafe as exc:
            raise Unsafe(f"{path}:{data.line_of('ledger')}: {exc.message}",
                         hint=exc.hint) from None
    config = Config(
        name=ck.text(data, "name", "config") or None,
        email=ck.email(data, "email", "config"),
        prefix=prefix, other_emails=others,
        address=ck.text(data, "address", "config", single_line=False) or None,
        signature=ck.text(data, "signature", "config", single_line=False) or None,
        smtp=SmtpSettings(
            host=ck.text(smtp, "host", "smtp") or None, port=port,
            user=ck.text(smtp, "user", "smtp") or None, security=security,
            **mailsettings.smtp_extras(ck, smtp),
        ),
        imap=mailsettings.load_imap(ck, data), oauth=mailsettings.load_oauth(ck, data),
        group=GroupSettings(
            name=ck.text(group, "name", "group") or None,
            email=ck.email(group, "email", "group"),
            address=ck.text(group, "address", "group", single_line=False) or None,
            website=ck.text(group, "website", "group") or None,
        ),
        letters=letters, rule=rule, mp_chase_days=chase,
        holidays_add=tuple(added), holidays_remove=tuple(removed), ledger=ledger,
    )
    try:
        return validate_details(config)
    except InvalidInput as exc:
        line = data.line_of("prefix") if "prefix" in exc.message and hasattr(
            data, "line_of") else None
        where = f"{path}:{line}" if line else str(path)
        raise InvalidInput(f"{where}: {exc.message}", hint=exc.hint) from None


def _letters(ck: yamlfile.Checker, m: yamlfile.YMap) -> LetterSettings:
    ck.fields(m, "letters", (), ("name_campaign", "credit_questions", "repeat_months"))
    flags = {}
    for key in ("name_campaign", "credit_questions"):
        value = m.get(key, False)
        if not isinstance(value, bool):
            ck.fail(m, key, f"letters: {key} must be true or false")
        flags[key] = value
    months = m.get("repeat_months", 12)
    if not isinstance(months, int) or isinstance(months, bool) or not 0 <= months <= 120:
        ck.fail(m, "repeat_months", "letters: repeat_months must be a whole number 0-120")
    return LetterSettings(flags["name_campaign"], flags["credit_questions"], months)
