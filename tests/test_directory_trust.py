"""A directory a campaign can trust: national bodies, roles, doubts, party families, your own
corrections surviving a refresh, the mass-change guard and undo."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import mode, write

from konpfoi.directory import catalogue, doubts, routes
from konpfoi.directory.bodies import Body, Contact
from konpfoi.errors import NotFound
from konpfoi.workspace.config import NATIONS, holiday_nations

pytestmark = pytest.mark.usefixtures("frozen")

MP_COLUMNS = ("pcon_name", "pcon_code", "member_id", "display_as", "party_text",
              "member_email", "region_name", "country_name")


@pytest.fixture(scope="module")
def d():
    return catalogue.load()


def _mps_csv(path: Path, d, n: int | None = None) -> Path:
    """An MP lookup file made from the packaged directory (its first `n` MPs)."""
    mps = sorted((b for b in d if b.kind == "mp" and not b.closed), key=lambda b: b.id)[:n]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(MP_COLUMNS)
    for b in mps:
        w.writerow([b.constituency, b.codes["ons"], b.member_id, b.name, b.party,
                    b.email or "", b.region or "",
                    {"northern-ireland": "Northern Ireland"}.get(b.nation, b.nation.title())])
    return write(path, out.getvalue())


def _email(run, body_id: str, role: str) -> str | None:
    contacts = run.json("bodies", "show", body_id)["contacts"]
    return next((c.get("email") for c in contacts if c["role"] == role), None)


# -- national bodies, nations, search ----------------------------------------------------------


def test_national_bodies_are_found_by_their_short_names(run) -> None:
    assert run.json("bodies", "search", "DHSC")[0]["id"] == "national:DHSC"
    assert run.json("bodies", "search", "NHS England")[0]["id"] == "national:NHSE"
    shown = run.json("bodies", "show", "UKHSA")
    assert (shown["id"], shown["nation"], shown["law"]) == ("national:UKHSA", "uk", "foia")
    assert run.json("bodies", "show", "national:PHS")["law"] == "foisa"
    uk = {b["id"] for b in run.json("bodies", "list", "--nation", "uk")}
    assert {"national:DHSC", "national:MHRA", "national:UKHSA"} <= uk
    assert all(b.startswith("national:") for b in uk)
    out = run("bodies", "list", "--where", "nation=narnia", code=5)
    assert "unknown nation 'narnia'" in out.stderr and "uk" in out.stderr


def test_a_uk_wide_body_counts_every_nations_holidays() -> None:
    assert holiday_nations("uk") == frozenset(NATIONS)
    assert holiday_nations("scotland") == frozenset({"scotland"})
    assert holiday_nations(None) == frozenset({"england"})


def test_no_address_is_made_up_for_national_bodies(d) -> None:
    """NHS England's FOI route is its page until someone sources the address."""
    nhse = d.get("national:NHSE")
    assert nhse.foi_email is None and nhse.contact("foi").url.startswith("https://www.england")
    assert nhse.contact("general").email == "england.contactus@nhs.net"
    for b in d:
        for c in b.contacts:
            assert c.source, (b.id, c.role)


# -- roles and routes --------------------------------------------------------------------------


def test_a_missing_role_names_the_command_that_adds_it(d) -> None:
    qkk = d.get("icb:QKK")
    assert routes.route(qkk, "foi").email == qkk.foi_email
    with pytest.raises(NotFound) as exc:
        routes.route(qkk, "chair")
    assert "icb:QKK" in exc.value.message and "chair" in exc.value.message
    assert "konpfoi bodies set icb:QKK chair=EMAIL --source URL" in exc.value.hint
    wy = d.get("icb:QWO")
    assert routes.route(wy, "chair", fallbacks=("board",)).email == \
        "westyorkshireics.governance@nhs.net"
    with pytest.raises(NotFound) as exc:
        routes.route(d.get("national:NHSE"), "foi")
    assert "https://www.england.nhs.uk/contact-us/foi/" in exc.value.hint


def test_roles_in_a_bodies_file(run, me: Path) -> None:
    write(me / "bodies.yaml", """\
bodies:
  - id: icb:QKK
    contacts: [{role: chair, email: chair@selondon.example.nhs.uk, source: board page}]
""")
    assert run.json("bodies", "show", "icb:QKK")["contacts"][-1]["role"] == "chair"
    write(me / "bodies.yaml", "bodies:\n  - id: icb:QKK\n    contacts:\n"
          "      - {role: boss, email: a@b.uk}\n")
    out = run("bodies", "show", "icb:QKK", code=5)
    assert "bodies.yaml:4" in out.stderr and "unknown contact role 'boss'" in out.stderr


# -- doubts ------------------------------------------------------------------------------------


def test_the_three_doubtful_icb_addresses_are_flagged(d) -> None:
    assert any("CCG" in x for x in doubts.doubts(d.get("icb:QJK"), "foi"))
    assert any("Frimley" in x for x in doubts.doubts(d.get("icb:S0E4D"), "foi"))
    central = doubts.doubts(d.get("icb:S1Y5D"), "foi")
    assert any("general inbox" in x for x in central)
    assert any("Bedfordshire" in x for x in central)
    assert any("support unit" in x for x in doubts.doubts(d.get("icb:S0E4D"), "foi-alt"))
    assert doubts.doubts(d.get("icb:QKK"), "foi") == []  # checked 2026-08-22, an FOI inbox
    assert doubts.doubts(d.get("icb:QKK"), "chair") == []  # no such contact: nothing to doubt


def test_age_makes_a_contact_doubtful() -> None:
    b = Body("trust:X", "trust", "X", "england", "foia", contacts=[
        Contact("foi", "foi@x.nhs.uk", source="s", checked="2025-06-01"),
        Contact("press", "press@x.nhs.uk", source="s")])
    assert doubts.doubts(b, "foi", "2026-11-23") == ["last checked 2025-06-01, over a year ago"]
    assert doubts.doubts(b, "foi", "2026-01-01") == []
    assert "nobody recorded" in doubts.doubts(b, "press", "2026-11-23")[0]


def test_show_and_draft_say_so(run, me: Path) -> None:
    out = run("bodies", "show", "icb:S0E4D")
    assert "doubt:" in out.stdout and "Frimley" in out.stdout
    out = run("draft", "--to", "icb:S0E4D", "-q", "palantir-fdp")
    assert "warning:" in out.stderr and "frimleyicb.foi@nhs.net" in out.stderr
    out = run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")
    assert "warning" not in out.stderr


# -- party families ----------------------------------------------------------------------------


def test_party_families(d) -> None:
    def count(where: str) -> int:
        return len(d.select(where=where))

    labour, coop = count("kind=mp,party=Labour"), count("kind=mp,party=Labour (Co-op)")
    plain = sum(1 for b in d if b.party == "Labour" and not b.closed)
    assert coop == sum(1 for b in d if b.party == "Labour (Co-op)" and not b.closed) > 0
    assert labour == plain + coop
    assert count('kind=mp,party="Labour (Co-op)"') == coop
    assert count("kind=mp,party=labour|conservative") == labour + count("party=Conservative")
    assert count("party=lib dem") == count("party=Liberal Democrat") > 0
    assert count("party=snp") == count("party=Scottish National Party")
    # the SDLP is not in the Labour family
    assert all(b.party != "Social Democratic & Labour Party" for b in d.select(
        where="party=labour"))


def test_an_extra_filter_plugs_in(d) -> None:
    in_use = {"icb:QKK"}
    extra = {"fdp": lambda b, wanted: ("in-use" in wanted) == (b.id in in_use)}
    assert [b.id for b in d.select(where="kind=icb,fdp=in-use", extra=extra)] == ["icb:QKK"]


# -- your own changes --------------------------------------------------------------------------


def test_set_add_note_are_yours_and_owner_only(run, me: Path) -> None:
    out = run("bodies", "set", "icb:QKK", "chair=chair@selondon.example.nhs.uk",
              "--source", "https://selondonics.example/board")
    assert "chair is now chair@selondon.example.nhs.uk" in out.stdout
    assert mode(me / "bodies.yaml") == 0o600
    shown = run("bodies", "show", "icb:QKK").stdout
    assert "chair@selondon.example.nhs.uk (your change)" in shown
    assert "checked 2026-11-23" in shown
    run("bodies", "note", "icb:QKK", "Rang the FOI team: they use the SEL address")
    assert "2026-11-23: Rang the FOI team" in run("bodies", "show", "icb:QKK").stdout
    run("bodies", "add", "council:lambeth-hosc", "--name", "Lambeth Health Scrutiny",
        "--nation", "england", "--set", "general=scrutiny@lambeth.example.gov.uk",
        "--source", "https://lambeth.example/scrutiny")
    assert "(added by you)" in run("bodies", "show", "council:lambeth-hosc").stdout
    out = run("bodies", "add", "icb:QKK", "--name", "X", "--nation", "england", code=7)
    assert "already in the directory" in out.stderr and "bodies set icb:QKK" in out.stderr
    out = run("bodies", "set", "icb:QKK", "foi=not-an-address", "--source", "x", code=5)
    assert "not an email address" in out.stderr
    out = run("bodies", "set", "icb:QKK", "boss=a@b.uk", "--source", "x", code=5)
    assert "unknown role 'boss'" in out.stderr and "chair" in out.stderr
    assert "--source" in run("bodies", "set", "icb:QKK", "foi=a@b.uk", code=2).stderr


def test_your_edits_survive_a_refresh(run, me: Path, tmp_path: Path) -> None:
    run("bodies", "set", "icb:QKK", "foi=our-foi@selondon.example.nhs.uk", "--source", "phone")
    src = write(tmp_path / "icb.csv", "icb_name,ods_code,foi_email,foi_source_url\n"
                "SE London,QKK,new-foi@selondon.example.nhs.uk,https://sel.example/foi\n"
                "Devon,QJK,devon-foi@devon.example.nhs.uk,https://devon.example/foi\n")
    out = run("bodies", "import", "icb-contacts", str(src), "--yes")
    assert "your own foi contact (our-foi@selondon.example.nhs.uk) still wins" in out.stderr
    assert mode(me / "bodies-imported.yaml") == 0o600
    assert _email(run, "icb:QKK", "foi") == "our-foi@selondon.example.nhs.uk"
    assert "devon-foi@devon.example.nhs.uk" in run("bodies", "show", "icb:QJK").stdout
    run("bodies", "import", "--undo")
    assert "D-CCG.FOI@nhs.net" in run("bodies", "show", "icb:QJK").stdout
    assert "our-foi@" in run("bodies", "show", "icb:QKK").stdout  # undo leaves yours alone


def test_a_group_shares_corrections(run, me: Path, tmp_path: Path, monkeypatch) -> None:
    run("bodies", "set", "hb:S08000024", "foi=foi@lothian.example.scot", "--source", "a page")
    run("bodies", "set", "icb:QKK", "board=board@sel.example.nhs.uk", "--source", "a page")
    shared = tmp_path / "corrections.yaml"
    assert "Wrote 2 bodies' changes" in run("bodies", "export-changes", str(shared)).stdout
    other = tmp_path / "other"
    run("init", str(other), "--name", "Sam", "--email", "sam@example.org")
    monkeypatch.chdir(other)
    run("bodies", "set", "icb:QKK", "board=ours@sel.example.nhs.uk", "--source", "x")
    out = run("bodies", "import-changes", str(shared))
    assert "Nothing written" in out.stdout and "yours kept" in out.stdout
    assert "no FOI email" in run("bodies", "show", "hb:S08000024").stdout
    run("bodies", "import-changes", str(shared), "--yes")
    assert _email(run, "hb:S08000024", "foi") == "foi@lothian.example.scot"
    assert "ours@sel.example.nhs.uk" in run("bodies", "show", "icb:QKK").stdout
    run("bodies", "import-changes", str(shared), "--yes", "--theirs")
    assert "board@sel.example.nhs.uk" in run("bodies", "show", "icb:QKK").stdout
    out = run("bodies", "import-changes", str(shared))
    assert "already says all this" in out.stdout


# -- refresh that cannot wreck the directory ----------------------------------------------------


def test_a_truncated_mp_file_is_refused_and_named_body_by_body(run, me: Path, tmp_path, d
                                                               ) -> None:
    short = _mps_csv(tmp_path / "mp_lookup.csv", d, 49)
    out = run("bodies", "import", "mps", str(short), "--yes", code=6)
    closed = [line for line in out.stdout.splitlines() if line.startswith("closed")]
    assert len(closed) == 601  # every one named, none cut off
    assert "601 of the 650 open mp bodies" in out.stderr
    assert "--allow-mass-change" in out.stderr
    assert not (me / "bodies-imported.yaml").exists()
    assert len(run.json("bodies", "list", "--kind", "mp")) == 650
    result = run("bodies", "import", "mps", str(short), "--yes", "--json", code=6)
    data = json.loads(result.stdout)
    assert not data["applied"] and data["mass_change"] and data["counts"]["closed"] == 601
    assert json.loads(result.stderr)["error"] == "unsafe"
    out = run("bodies", "import", "mps", str(short), "--yes", "--allow-mass-change")
    assert "Applied: 601 closed" in out.stdout
    assert len(run.json("bodies", "list", "--kind", "mp")) == 49
    out = run("bodies", "import", "--undo")
    assert "Undone" in out.stdout and "reopened" in out.stdout
    assert len(run.json("bodies", "list", "--kind", "mp")) == 650
    assert "no import to undo" in run("bodies", "import", "--undo", code=5).stderr


def test_a_whole_mp_file_with_a_by_election_goes_through(run, me: Path, tmp_path, d) -> None:
    full = _mps_csv(tmp_path / "mp_lookup.csv", d)
    text = full.read_text().splitlines()
    row = next(i for i, line in enumerate(text) if ",5173," in line)
    text[row] = text[row].replace(",5173,", ",99999,").replace("Alex Baker", "A New MP")
    write(full, "\n".join(text) + "\n")
    out = run("bodies", "import", "mps", str(full), "--yes")
    assert "Applied: 1 added, 1 closed" in out.stdout or "Applied: 1 closed, 1 added" in \
        out.stdout


def test_closing_any_icb_needs_the_flag(run, me: Path, tmp_path, d) -> None:
    icbs = sorted((b for b in d if b.kind == "icb" and not b.closed), key=lambda b: b.id)
    records = [{"ods_code": b.code, "names": [b.short_name or b.name]} for b in icbs[1:]]
    src = write(tmp_path / "icb_urls.json", json.dumps(records))
    out = run("bodies", "import", "icb-list", str(src), "--yes", code=6)
    assert f"closed   {icbs[0].id}" in out.stdout
    assert "1 of the 36 open icb bodies" in out.stderr and "any needs" in out.stderr
    out = run("bodies", "import", "icb-list", str(src))  # a dry run says what it would need
    assert "--yes --allow-mass-change" in out.stdout


# -- the contacts importer ---------------------------------------------------------------------


@pytest.mark.parametrize("rows, words", [
    ("icb:QKK,foi,a@b.uk,,\n", ":2: no source"),
    ("icb:QKK,boss,a@b.uk,,src\n", ":2: unknown role 'boss'"),
    ("icb:QKK,foi,a@b.uk,,src\nicb:QKK,foi,c@d.uk,,src\n", ":3: a second foi contact"),
    ("icb:QKK,foi,,,src\n", ":2: a contact needs an email or a url"),
    ("icb:QKK,foi,,ftp://x,src\n", "does not start with http"),
])
def test_contacts_file_errors_name_the_row(tmp_path, rows, words) -> None:
    from konpfoi.directory import importers
    from konpfoi.errors import InvalidInput

    path = write(tmp_path / "c.csv", "body_id,role,email,url,source\n" + rows)
    with pytest.raises(InvalidInput) as exc:
        importers.read("contacts", path, "2026-11-23")
    assert str(path) in exc.value.message and words in exc.value.message


def test_check_reports_coverage(run) -> None:
    out = run.json("bodies", "check")
    rows = {(r["kind"], r["nation"]): r for r in out["coverage"]}
    icb = rows[("icb", "england")]
    assert icb["bodies"] == icb["foi_email"] == 36 and icb["foi_doubtful"] >= 3
    assert "national:NHSE" in rows[("national", "england")]["page_only"]
    assert "hb:S08000024" in rows[("hb", "scotland")]["nothing"]
    assert rows[("mp", "england")]["foi_email"] == 0
    text = run("bodies", "check").stdout
    assert "Coverage of open bodies" in text and "FOI by web page or form only" in text
