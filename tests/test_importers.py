"""Importers: the real open data (where present), crafted files, diffs, closures and errors."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SHARED, write

from konpfoi.directory import bodies, catalogue, importers, lookup, refresh
from konpfoi.errors import InvalidInput

DATA = Path(__file__).parent / "data"
REAL = SHARED / "data"
needs_real = pytest.mark.skipif(not (REAL / "mps_mp_lookup.csv").is_file(),
                                reason="the shared open data folder is not present")


def _build_script():
    spec = importlib.util.spec_from_file_location("build_bodies", ROOT / "scripts" /
                                                  "build_bodies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def real() -> dict[str, dict]:
    if not (REAL / "mps_mp_lookup.csv").is_file():
        pytest.skip("the shared open data folder is not present")
    found, _ = _build_script().build(REAL)
    return {e["id"]: e for e in found}


@needs_real
def test_the_packaged_directory_is_what_the_importers_make(real) -> None:
    script = _build_script()
    sources = [f"{name} ({checked}): {origin}" for _, name, checked, origin in script.SOURCES]
    expected = bodies.dump(list(real.values()), script.HEADER, sources=sources)
    assert (ROOT / "bodies.yaml").read_text(encoding="utf-8") == expected, \
        "bodies.yaml is stale: run python scripts/build_bodies.py ../shared/data"


@needs_real
def test_counts(real) -> None:
    open_ = [e for e in real.values() if not e.get("closed")]
    by_kind: dict[str, int] = {}
    for e in open_:
        by_kind[e["kind"]] = by_kind.get(e["kind"], 0) + 1
    assert by_kind == {"icb": 36, "trust": 205, "mp": 650, "hb": 14, "lhb": 7, "hsc": 6,
                       "national": 20}
    english = [e for e in open_ if e["kind"] == "trust" and e["nation"] == "england"]
    assert len(english) == 202
    assert all(e.get("parent", "").startswith("icb:") for e in english)
    assert all(real[e["parent"]]["kind"] == "icb" for e in english)


@needs_real
@pytest.mark.parametrize("body_id, field, value", [
    ("trust:RJ1", "parent", "icb:QKK"),
    ("trust:RPG", "parent", "icb:QKK"),  # Oxleas: HQ in Kent, member of SE London
    ("trust:RQW", "parent", "icb:S1Y5D"),  # Princess Alexandra: HQ in Essex, HWE -> Central East
    ("trust:TAD", "parent", "icb:QWO"),  # a care trust, not in the ODS etr file
    ("trust:RQF", "nation", "wales"),
    ("icb:S1Y5D", "predecessors", ["icb:QHG", "icb:QUE", "icb:QM7"]),
    ("icb:QKK", "name", "NHS South East London Integrated Care Board"),
    ("icb:QOX", "name",
     "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board"),
    ("mp:5173", "constituency", "Aldershot"),
    ("hb:S08000024", "name", "NHS Lothian"),
    ("lhb:7A1", "codes", {"ods": "7A1", "gss": "W11000023"}),
    ("trust:RA7", "predecessors", ["trust:RVJ"]),
])
def test_spot_checks(real, body_id, field, value) -> None:
    assert real[body_id][field] == value


@needs_real
def test_spot_checks_contacts_and_people(real) -> None:
    assert {c["role"]: c.get("email") for c in real["trust:RJ1"]["contacts"]}["foi"] == \
        "gstt.foi@nhs.net"
    humber = {c["role"]: c for c in real["trust:RV9"]["contacts"]}["foi"]
    assert "email" not in humber and humber["url"].startswith("https://www.humber.nhs.uk")
    runcorn = next(e for e in real.values() if e.get("constituency") == "Runcorn and Helsby")
    assert (runcorn["name"], runcorn["party"]) == ("Sarah Pochin", "Reform UK")
    frimley = [e["id"] for e in real.values() if e["kind"] == "icb"
               and any("Frimley" in a for a in e.get("aliases", []))]
    assert sorted(frimley) == ["icb:S0E4D", "icb:S9B9J"]
    assert all("â€" not in str(e) for e in real.values())


# -- crafted files ---------------------------------------------------------------------------


def _apply(current, kind, name, today="2026-11-23", **kw):
    inc = importers.read(kind, DATA / name, today)
    return refresh.apply(current, inc, today, **kw)


@pytest.fixture
def icbs() -> dict[str, dict]:
    d = catalogue.load()
    return {b.id: b.to_dict() for b in d if b.kind == "icb"}


def test_trusts_placed_by_their_ics_not_their_hq(icbs) -> None:
    r = _apply(icbs, "trust-list", "trust-list-small.json")
    assert r.counts() == {"added": 4}
    r = _apply(r.entries, "ods-trusts", "etr-small.csv")
    rpg = r.entries["trust:RPG"]
    assert rpg["parent"] == "icb:QKK" and rpg["region"] == "London"
    assert any("trust:RPG" in n for n in r.notes)
    assert r.entries["trust:RJ1"]["name"] == "Guy's and St Thomas' NHS Foundation Trust"
    assert r.entries["trust:RQF"]["nation"] == "wales"
    merged = next(c for c in r.changes if c.id == "trust:RY9")
    assert merged.what == "merged" and r.entries["trust:RY9"]["successor"] == "trust:RAX"
    assert r.entries["trust:RY9"]["closed"] == "2024-10-31"
    d = lookup.Directory([bodies.Body.from_dict(
        {**e, "law": e.get("law", "foia")}) for e in r.entries.values()], [])
    resolved = d.resolve("trust:RY9")
    assert resolved.body.id == "trust:RAX" and "closed on 2024-10-31" in resolved.note


def test_contacts_from_an_excel_csv(icbs) -> None:
    r = _apply(icbs, "trust-list", "trust-list-small.json")
    r = _apply(r.entries, "trust-contacts", "trust-contacts-cp1252.csv")
    gstt = {c["role"]: c for c in r.entries["trust:RJ1"]["contacts"]}
    assert gstt["foi"]["email"] == "foi@gstt.example.nhs.uk"
    assert gstt["foi"]["note"] == "café note" and gstt["foi"]["checked"] == "2026-11-23"
    oxleas = {c["role"]: c for c in r.entries["trust:RPG"]["contacts"]}
    assert oxleas["foi"]["url"] == "https://oxleas.example/foi-form"


def test_a_by_election_closes_the_old_mp_with_a_successor(tmp_path, icbs) -> None:
    r = _apply(icbs, "mps", "mps-small.csv")
    assert r.counts() == {"added": 3}
    new = write(tmp_path / "mps.csv", (DATA / "mps-small.csv").read_text().replace(
        '"4478","Mike Amesbury MP","Mike Amesbury","Labour","mike.amesbury.mp@',
        '"6001","Sarah Pochin MP","Sarah Pochin","Reform UK","sarah.pochin.mp@'))
    inc = importers.read("mps", new, "2026-11-23")
    r2 = refresh.apply(r.entries, inc, "2026-11-23", referenced={"mp:4478": 2})
    closed = next(c for c in r2.changes if c.id == "mp:4478")
    assert closed.what == "closed" and closed.referenced == 2
    assert r2.entries["mp:4478"]["successor"] == "mp:6001"
    assert "mp:4478" in r2.entries  # kept, never dropped
    assert {c.id: c.what for c in r2.changes} == {"mp:4478": "closed", "mp:6001": "added"}
    again = refresh.apply(r2.entries, inc, "2026-11-23")
    assert again.changes == []


def test_members_api_shape(tmp_path, icbs) -> None:
    api = write(tmp_path / "members.json", """{"items": [
      {"value": {"id": 5173, "nameDisplayAs": "Alex Baker", "latestParty": {"name": "Labour"},
        "latestHouseMembership": {"membershipFrom": "Aldershot", "house": 1,
          "membershipStatus": {"statusIsActive": true}}}},
      {"value": {"id": 99, "nameDisplayAs": "Lord Someone", "latestParty": {"name": "Crossbench"},
        "latestHouseMembership": {"membershipFrom": "Someone", "house": 2}}}],
      "totalResults": 2}""")
    r = _apply(icbs, "mps", "mps-small.csv")
    inc = importers.read("mps-api", api, "2026-11-23")
    r2 = refresh.apply(r.entries, inc, "2026-11-23")
    assert r2.entries["mp:5173"]["contacts"][0]["email"] == "alex.baker.mp@parliament.uk"
    assert "mp:99" not in r2.entries
    assert {c.id for c in r2.changes if c.what == "closed"} == {"mp:4478", "mp:3966"}


@pytest.mark.parametrize("kind, text, words", [
    ("mps", '"pcon_name","member_id"\n"Aldershot","5173"\n', ":1: missing column(s)"),
    ("mps", (DATA / "mps-small.csv").read_text() + '"Aldershot","E1","5173","x","y","Lab",'
     '"a@b.uk","SE","England"\n', ":5: duplicate member_id 5173"),
    ("mps", (DATA / "mps-small.csv").read_text().replace('"England"\n"Runcorn',
                                                          '"Narnia"\n"Runcorn'),
     ":2: unknown country"),
    ("ods-trusts", '"RJ1","GUY\'S"\n', ":1: expected 12 fields"),
    ("ods-trusts", (DATA / "etr-small.csv").read_text().replace("20040401", "2004-04-01"),
     ":1: open date"),
    ("trust-contacts", "trust_name,ods_code,foi_email\nX,RJ1,not-an-address@\n",
     ":2: not an email address"),
    ("icb-list", "{not json", ":1: not valid JSON"),
    ("icb-list", '[{"names": ["X ICB"]}]', "record 1 lacks ods_code"),
    ("icb-names", "a,b\n1,2\n", "ICBxxCD"),
])
def test_malformed_files_name_the_row(tmp_path, kind, text, words) -> None:
    path = write(tmp_path / ("f.json" if "json" in text or kind == "icb-list" else "f.csv"),
                 text)
    with pytest.raises(InvalidInput) as exc:
        importers.read(kind, path, "2026-11-23")
    assert str(path) in exc.value.message and words in exc.value.message


def test_bom_and_semicolons_are_read(tmp_path) -> None:
    text = (DATA / "mps-small.csv").read_text().replace(",", ";")
    path = tmp_path / "mps.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert len(importers.read("mps", path, "2026-11-23").entries) == 3


def test_title_case() -> None:
    assert importers.title_case("STOKE-ON-TRENT AND THE ISLE OF WIGHT NHS TRUST") == \
        "Stoke-on-Trent and the Isle of Wight NHS Trust"


# -- the CLI -----------------------------------------------------------------------------------


def test_cli_import_shows_the_diff_then_applies_with_yes(run, me: Path, tmp_path) -> None:
    src = shutil.copy(DATA / "mps-small.csv", tmp_path / "mps.csv")
    run("draft", "--to", "icb:QKK", "-q", "palantir-fdp")  # a ledger that refers to icb:QKK
    out = run("bodies", "import", "mps", str(src))
    assert "closed" in out.stdout and "Nothing written" in out.stdout
    assert "mp:5173" not in out.stdout  # Alex Baker is in the packaged directory already
    assert not (me / "bodies-imported.yaml").exists()
    out = run.json("bodies", "import", "mps", str(src), "--yes", "--allow-mass-change")
    assert out["applied"] and out["counts"]["closed"] > 600
    assert (me / "bodies-imported.yaml").is_file()
    gone = run("bodies", "show", "mp:4658")  # Alex Sobel is not in the small file
    assert "closed on" in gone.stderr
    assert str(me / "bodies-imported.yaml") in gone.stdout
    assert run.json("bodies", "import", "mps", str(src))["changes"] == []
    assert len(run.json("bodies", "list", "--kind", "mp")) == 3


def test_cli_import_bad_file_writes_nothing(run, me: Path, tmp_path) -> None:
    bad = write(tmp_path / "mps.csv", "nonsense,columns\n1,2\n")
    out = run("bodies", "import", "mps", str(bad), "--yes", code=5)
    assert f"{bad}:1: missing column(s)" in out.stderr
    assert not (me / "bodies-imported.yaml").exists()
    assert "unknown import kind" in run("bodies", "import", "mp", str(bad), code=5).stderr


def test_cli_check_finds_broken_links(run, me: Path) -> None:
    out = run.json("bodies", "check")["findings"]  # the JSON is {"coverage", "findings"} now
    assert not [f for f in out if f["severity"] == "error"]
    assert any(f["body"] == "hb:S08000024" and "no FOI address" in f["message"] for f in out)
    write(me / "bodies.yaml", """\
bodies:
  - id: trust:ZZZ
    kind: trust
    name: Broken Trust
    nation: england
    parent: icb:NOPE
    contacts: [{role: foi, email: foi@zzz.nhs.uk, checked: 2020-01-01}]
""")
    out = run("bodies", "check", code=5)
    assert "parent icb:NOPE is not in the directory" in out.stdout
    assert "last checked 2020-01-01" in out.stdout


def test_cli_selection(run) -> None:
    assert len(run.json("bodies", "list", "--kind", "mp", "--where", "region=London")) == 75
    trusts = run.json("bodies", "list", "--kind", "trust", "--parent", "icb:QKK")
    assert "trust:RPG" in {t["id"] for t in trusts}
    for query in ("guys", "GUYS", "Guy's", "guy’s and st thomas'", "Guys and St Thomas NHS"):
        assert run.json("bodies", "search", query)[0]["id"] == "trust:RJ1", query
    out = run("draft", "--to", "royal", "-q", "palantir-fdp", code=4)
    assert "matches" in out.stderr
    assert "did you mean" in run("bodies", "search", "guyz and st tomas", code=3).stderr
