"""The messy-mail corpus (tests/data/mail): 100 messages imported into a ledger in the
manifest's scenario, each landing where the manifest says — no crash, nothing lost."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import time_machine
import yaml
from conftest import ROOT

from konpfoi.ledger.backends import open_ledger
from konpfoi.ledger.model import Item, new_uid
from konpfoi.mail import attachments, incoming

DATA = ROOT / "tests" / "data" / "mail"
MANIFEST = yaml.safe_load((DATA / "manifest.yaml").read_text(encoding="utf-8"))
SCENARIO = MANIFEST["scenario"]
# The scenario's bodies as the packaged directory knows them.
BODIES = {"K-0001": ("icb:QKK", "foi", None), "K-0002": ("trust:RJ1", "foi", None),
          "K-0003": ("icb:QWO", "foi", None), "K-0004": ("trust:RR8", "foi", None),
          "K-0005": ("mp:172", "email", None), "K-0006": ("hb:S08000024", "foisa", "scotland")}
AFTER = dt.datetime(2027, 1, 20, 12, 0, tzinfo=dt.UTC)  # every message in the corpus is older


def _generate() -> dict:
    spec = importlib.util.spec_from_file_location("corpus_generate", DATA / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.GENERATORS


def scenario(run, home: Path) -> None:
    """A workspace whose ledger holds the six requests, sent, and K-0002's internal review."""
    run("init", str(home), "--name", SCENARIO["campaigner"]["name"],
        "--email", SCENARIO["campaigner"]["addresses"][0],
        "--other-email", SCENARIO["campaigner"]["addresses"][1])
    with open_ledger(home / "konpfoi.db") as ledger, ledger.write():
        for r in SCENARIO["requests"]:
            body_id, kind, nation = BODIES[r["item"]]
            ledger.add_item(Item(
                id=r["item"], uid=new_uid(), kind=kind, body_id=body_id, body_name=r["body"],
                subject=r["subject"], created_at="2026-11-02T10:00:00+00:00",
                campaign=SCENARIO["campaign"], body_email=r["to"], nation=nation,
                sender_name=SCENARIO["campaigner"]["name"],
                sender_email=SCENARIO["campaigner"]["addresses"][0],
                question_set="palantir-fdp" if kind != "email" else None,
                message_id=r["message_id"]))
            ledger.add_event(r["item"], "drafted", "2026-11-02")
            ledger.add_event(r["item"], "sent", r["sent"][:10], data={"via": "konpfoi"})
        for f in SCENARIO["followups"]:
            ledger.add_event(f["item"], "followup-drafted", f["sent"][:10],
                             data={"kind": f["kind"], "message_id": f["message_id"]})
            ledger.add_event(f["item"], "review-requested", f["sent"][:10],
                             data={"followup": f["kind"], "message_id": f["message_id"]})


def corpus_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(DATA / "corpus", folder)
    for name, make in _generate().items():
        (folder / f"{name}.eml").write_bytes(make())
    return folder


def label(entry: dict) -> str:
    return entry.get("file") or f"{entry['generator']}.eml"


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict:
    """The whole corpus imported once; what came out, and the ledger afterwards."""
    from conftest import Run

    tmp = tmp_path_factory.mktemp("corpus")
    home = tmp / "home"
    mp = pytest.MonkeyPatch()
    mp.setenv("KONPFOI_HOME", str(home))
    mp.setenv("KONPFOI_CACHE_DIR", str(tmp / "cache"))
    mp.setenv("NO_COLOR", "1")
    try:
        with time_machine.travel(AFTER, tick=False):
            run = Run()
            scenario(run, home)
            result = run("replies", "import", str(corpus_folder(tmp)), "--json", code=None)
            out = json.loads(result.stdout)
            again = json.loads(run("replies", "import", str(tmp / "corpus"), "--json",
                                   code=None).stdout)
            shown = {i: run.json("show", i) for i in BODIES}
    finally:
        mp.undo()
    with open_ledger(home / "konpfoi.db") as ledger:
        inbound = ledger.inbound_list()
        events = ledger.events()
        files = ledger.attachments([e.uid for evs in events.values() for e in evs])
    return {"exit": result.exit_code, "out": out, "again": again, "home": home,
            "inbound": inbound, "events": events, "files": files, "shown": shown}


def test_nothing_crashes_and_nothing_is_lost(imported) -> None:
    out = imported["out"]
    assert imported["exit"] == 0, out["counts"]
    by = {o["label"]: o for o in out["outcomes"]}
    assert set(by) == {label(e) for e in MANIFEST["messages"]}
    assert out["counts"]["failed"] == 0 and out["counts"]["duplicate"] == 0
    # every message is kept, once, whatever it is: 100 records, 100 distinct contents
    assert len(imported["inbound"]) == len(MANIFEST["messages"])
    assert len({r["identity"] for r in imported["inbound"]}) == len(MANIFEST["messages"])
    # importing again records nothing twice
    assert imported["again"]["counts"]["duplicate"] == len(MANIFEST["messages"])


def test_each_message_is_classified_as_the_manifest_says(imported) -> None:
    by = {o["label"]: o for o in imported["out"]["outcomes"]}
    wrong = [(label(e), e["class"], by[label(e)].get("kind")) for e in MANIFEST["messages"]
             if by[label(e)].get("kind") != e["class"]]
    assert wrong == [], "\n".join(map(str, wrong))


def test_each_message_lands_on_its_item(imported) -> None:
    by = {o["label"]: o for o in imported["out"]["outcomes"]}
    recorded_as = {"reply": "recorded", "auto": "acknowledged", "bounce": "bounce"}
    wrong = []
    for e in MANIFEST["messages"]:
        o = by[label(e)]
        guesses = [c["item"] for c in o.get("candidates", [])]
        if e["class"] == "own":
            ok = o["status"] == "own" and o.get("item_id") == e["item"]
        elif e["class"] == "forward":  # never recorded without the user: the item leads
            ok = o["status"] == "unmatched" and (e["item"] is None or guesses[:1] == [e["item"]])
        elif e["item"] is None:
            ok = o["status"] == "unmatched" and set(e.get("candidates") or []) <= set(guesses)
        else:
            ok = o["status"] == recorded_as[e["class"]] and o.get("item_id") == e["item"]
        if e.get("best_guess"):
            ok = ok and e["best_guess"] in guesses
        if not ok:
            wrong.append((label(e), e["class"], e["item"], o["status"], o.get("item_id"),
                          guesses, o.get("why")))
    assert wrong == [], "\n".join(map(str, wrong))


STRENGTH = ("in-reply-to", "our-ref", "their-ref", "sender", "none")


def test_matched_by_the_evidence_the_manifest_names(imported) -> None:
    """By the manifest's evidence, or stronger (a bounce's inline copy names our Message-ID)."""
    by = {o["label"]: o for o in imported["out"]["outcomes"]}
    wrong = [(label(e), e["match_by"], by[label(e)].get("how"))
             for e in MANIFEST["messages"]
             if e["item"] and e["class"] in ("reply", "auto", "bounce")
             and STRENGTH.index(by[label(e)].get("how", "none")) > STRENGTH.index(e["match_by"])]
    assert wrong == [], "\n".join(map(str, wrong))


def test_their_references_are_kept_whole(imported) -> None:
    by = {o["label"]: o for o in imported["out"]["outcomes"]}
    events = {e.id: e for evs in imported["events"].values() for e in evs}
    wrong = []
    for e in MANIFEST["messages"]:
        o = by[label(e)]
        if o["status"] in ("recorded", "acknowledged") and e["class"] in ("reply", "auto"):
            got = events[o["event"]].data.get("their_ref")
            if got != e.get("their_ref"):
                wrong.append((label(e), e.get("their_ref"), got))
    assert wrong == [], "\n".join(map(str, wrong))
    assert imported["shown"]["K-0002"]["their_ref"] == "GSTT/FOI/26/1234"
    assert imported["shown"]["K-0001"]["their_ref"] == "SEL-FOI-26/0099"


def test_every_attachment_is_kept_under_a_safe_name(imported) -> None:
    by = {o["label"]: o for o in imported["out"]["outcomes"]}
    events = {e.id: e for evs in imported["events"].values() for e in evs}
    root = (imported["home"] / "files").resolve()
    for e in MANIFEST["messages"]:
        o = by[label(e)]
        if not o.get("event"):
            continue
        kept = imported["files"][events[o["event"]].uid]
        names = [f["name"] for f in kept]
        assert names[0] == "message.eml"  # the message itself, first, as it came
        for name in e.get("attachments") or []:
            assert attachments.sanitise(name) in names, (label(e), name, names)
        types = [f["content_type"] for f in kept[1:]]
        for ctype in e.get("unnamed_attachments") or []:
            assert ctype in types, (label(e), ctype)
    for path in root.rglob("*"):
        assert path.resolve().is_relative_to(root)
        assert len(path.name.encode()) <= 255
    emoji = next(r for r in imported["inbound"] if r["subject"] == "Fwd: MP letter 🏥")
    assert emoji["status"] == "unmatched"


def test_dates_read_as_the_header_says() -> None:
    generators = _generate()
    for e in MANIFEST["messages"]:
        if e.get("generator") == "huge_base64_part":
            continue
        raw = (DATA / "corpus" / e["file"]).read_bytes() if "file" in e \
            else generators[e["generator"]]()
        mail = incoming.parse(raw)
        assert (mail.date.isoformat() if mail.date else None) == e["date"], label(e)


def test_what_the_ledger_says_afterwards(imported) -> None:
    shown = imported["shown"]
    # a delivery failure of the request itself: its item says so, and what to do
    assert shown["K-0001"]["state"] == "undelivered" or any(
        ev["kind"] == "delivery-failed" for ev in shown["K-0001"]["events"])
    kinds = Counter(ev["kind"] for s in shown.values() for ev in s["events"])
    assert kinds["delivery-delayed"] == 2
    # the internal review outcome is recorded as one, on K-0002
    assert any(ev["kind"] == "review-outcome" for ev in shown["K-0002"]["events"])
    # the reply dated before the request is flagged, with the fix
    k3 = [ev for ev in shown["K-0003"]["events"] if ev["kind"] == "reply"]
    assert any(ev["data"].get("dated_before_sent") == "2026-11-02" for ev in k3)
