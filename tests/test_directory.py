"""The directory: validation on load, search, resolving targets, overlays and the cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write

from konpfoi.directory import catalogue, lookup
from konpfoi.errors import Ambiguous, InvalidInput, NotFound


@pytest.fixture(scope="module")
def d() -> lookup.Directory:
    return catalogue.load()


def test_all_36_icbs_have_foi_email_and_website(d) -> None:
    icbs = [b for b in d if b.kind == "icb"]
    assert len(icbs) == 36
    for b in icbs:
        assert b.foi_email and "@" in b.foi_email, b.id
        assert b.website and b.website.startswith("https://"), b.id
        assert b.contact("foi").source and b.contact("foi").checked, b.id


def test_spot_checks(d) -> None:
    qkk = d.get("icb:QKK")
    assert qkk.name == "NHS South East London Integrated Care Board"
    assert qkk.foi_email == "FOI@selondonics.nhs.uk"
    assert qkk.region == "London" and qkk.law == "foia"
    assert d.get("icb:QWO").foi_email == "wyicb.foi@nhs.net"
    assert d.get("icb:S1Y5D").predecessors == ["icb:QHG", "icb:QUE", "icb:QM7"]


@pytest.mark.parametrize("query, expected", [
    ("icb:QKK", "icb:QKK"), ("QKK", "icb:QKK"), ("qkk", "icb:QKK"),
    ("south east london", "icb:QKK"), ("South-East London ICB", "icb:QKK"),
    ("west yorkshire", "icb:QWO"), ("NHS Devon", "icb:QJK"),
    ("Bath and North East Somerset, Swindon and Wiltshire", "icb:QOX"),
])
def test_resolve(d, query: str, expected: str) -> None:
    assert d.resolve(query).body.id == expected


def test_ambiguous_name_lists_candidates(d) -> None:
    with pytest.raises(Ambiguous) as exc:
        d.resolve("london")
    ids = exc.value.data["candidates"]
    assert {"icb:QKK", "icb:QMF", "icb:QWE", "icb:Z9B2Z"} <= set(ids)


def test_unknown_name_suggests_close_ones(d) -> None:
    with pytest.raises(NotFound) as exc:
        d.resolve("south east londn")
    assert "icb:QKK" in exc.value.data["suggestions"]


def test_unknown_id_suggests_close_ids(d) -> None:
    with pytest.raises(NotFound) as exc:
        d.resolve("icb:QKX")
    assert "icb:QKK" in exc.value.data["suggestions"]


def test_predecessor_resolves_to_successor_with_note(d) -> None:
    r = d.resolve("icb:QHG")
    assert r.body.id == "icb:S1Y5D"
    assert r.note and "icb:QHG merged on 2026-04-01 into icb:S1Y5D" in r.note


def test_split_predecessor_is_ambiguous(d) -> None:
    with pytest.raises(Ambiguous) as exc:
        d.resolve("icb:QNQ")  # Frimley: split between Thames Valley and Surrey and Sussex
    assert set(exc.value.data["candidates"]) == {"icb:S0E4D", "icb:S9B9J"}


def test_select_wildcard_and_where(d) -> None:
    assert len(d.select(to=["icb:*"])) == 36
    london = d.select(where="kind=icb,region=London")
    assert {b.id for b in london} == {"icb:QKK", "icb:QMF", "icb:QWE", "icb:Z9B2Z"}
    with pytest.raises(InvalidInput):
        d.select(where="colour=red")


def _bodies(tmp_path: Path, text: str) -> Path:
    return write(tmp_path / "bodies.yaml", text)


GOOD = """\
bodies:
  - id: icb:QAA
    kind: icb
    name: NHS Test Integrated Care Board
    nation: england
    contacts:
      - {role: foi, email: foi@test.nhs.uk}
"""


@pytest.mark.parametrize("text, line, words", [
    (GOOD.replace("    nation: england\n", "    nation: england\n    colour: red\n"), 6,
     "unknown field 'colour'"),
    (GOOD.replace("    name: NHS Test Integrated Care Board\n", ""), 2, "missing field 'name'"),
    (GOOD.replace("foi@test.nhs.uk", "foi-at-test"), 7, "not an email address"),
    (GOOD + GOOD.split("bodies:\n")[1], 8, "duplicate id 'icb:QAA' (first on line 2)"),
    (GOOD.replace("kind: icb", "kind: castle"), 3, "unknown kind"),
    (GOOD.replace("id: icb:QAA", "id: trust:QAA"), 2, "id must be 'icb:<code>'"),
    (GOOD.replace("    nation: england\n", "    nation: england\n      bad: [\n"), 6, ""),
])
def test_validation_errors_name_file_line_field(tmp_path, text, line, words) -> None:
    path = _bodies(tmp_path, text)
    with pytest.raises(InvalidInput) as exc:
        catalogue.load(base=path)
    assert exc.value.message.startswith(f"{path}:{line}:"), exc.value.message
    assert words in exc.value.message


def test_overlay_adds_bodies_and_overrides_contacts(tmp_path) -> None:
    overlay = _bodies(tmp_path, """\
bodies:
  - id: council:lambeth-hosc
    kind: council
    name: Lambeth Health and Adult Social Care Scrutiny Sub-Committee
    nation: england
    contacts:
      - {role: general, email: scrutiny@lambeth.gov.uk}
  - id: icb:QKK
    contacts:
      - {role: foi, email: new-foi@selondon.nhs.uk, source: phone call, checked: 2026-11-01}
""")
    d = catalogue.load(overlay)
    assert d.get("council:lambeth-hosc").origin == str(overlay)
    qkk = d.get("icb:QKK")
    assert qkk.foi_email == "new-foi@selondon.nhs.uk"
    assert qkk.name == "NHS South East London Integrated Care Board"
    assert qkk.origin == str(overlay)
    assert qkk.contact("press") is not None  # untouched contacts stay


def test_cache_is_used_and_invalidated_by_content(tmp_path) -> None:
    overlay = _bodies(tmp_path, GOOD)
    first = catalogue.load(overlay)
    caches = list((tmp_path / "cache").glob("bodies-*.json"))
    assert len(caches) == 1
    # A tampered cache is proof the next load reads it rather than the YAML.
    rows = json.loads(caches[0].read_text())
    next(r for r in rows if r["id"] == "icb:QAA")["name"] = "From the cache"
    caches[0].write_text(json.dumps(rows))
    assert catalogue.load(overlay).get("icb:QAA").name == "From the cache"
    write(overlay, GOOD.replace("NHS Test", "NHS Changed"))
    assert catalogue.load(overlay).get("icb:QAA").name == "NHS Changed Integrated Care Board"
    assert len(first) == len(catalogue.load()) + 1


def test_cli_bodies_search_show_list(run) -> None:
    found = run.json("bodies", "search", "west yorkshire")
    assert found[0]["id"] == "icb:QWO"
    shown = run("bodies", "show", "icb:QKK").stdout
    assert "FOI@selondonics.nhs.uk" in shown and "checked 2026-08-22" in shown
    assert "source https://www.selondonics.org" in shown
    listed = run.json("bodies", "list", "--kind", "icb")
    assert len(listed) == 36
    out = run("bodies", "search", "zzzz", code=3)
    assert "no body matches" in out.stderr


def test_cli_show_predecessor_prints_note(run) -> None:
    out = run("bodies", "show", "icb:QM7")
    assert "icb:S1Y5D" in out.stdout and "merged" in out.stderr
