"""Statutory clocks: every worked example in LAW.md, the nations' differences, and properties."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import SHARED, write
from hypothesis import given, settings
from hypothesis import strategies as st

from konpfoi.errors import InvalidInput
from konpfoi.law import aggregation, bank_holidays, clocks, deadlines
from konpfoi.law import dates as law_dates
from konpfoi.law.regimes import Policy
from konpfoi.law.workdays import Calendars
from konpfoi.ledger.model import Event
from konpfoi.tracking import facts

D = dt.date.fromisoformat
DATA = Path(__file__).parent / "data"


def _cals(feed: Path | None = None, add=(), remove=()) -> Calendars:
    table = bank_holidays.HolidayTable()
    bank_holidays.add_package(table, 2000, 2045, 2027)
    if feed:
        bank_holidays.add_feed(table, feed)
    bank_holidays.add_config(table, add, remove)
    return Calendars(table)


CALS = _cals()

LAW_EXAMPLES = [
    ("2008-10-01", "2008-10-29"), ("2007-02-01", "2007-03-01"), ("2008-02-01", "2008-02-29"),
    ("2009-03-12", "2009-04-14"), ("2009-03-13", "2009-04-15"), ("2009-03-14", "2009-04-15"),
    ("2009-03-15", "2009-04-15"), ("2009-03-16", "2009-04-16"),
]
SAR_EXAMPLES = [
    ("2025-01-01", "2025-02-03"), ("2024-11-25", "2024-12-27"), ("2025-01-31", "2025-02-28"),
    ("2024-01-31", "2024-02-29"), ("2025-09-03", "2025-10-03"),
]


@pytest.mark.parametrize("start, due", LAW_EXAMPLES)
@pytest.mark.parametrize("regime", ["foia", "eir"])
def test_law_worked_examples(start: str, due: str, regime: str) -> None:
    assert deadlines.deadline(D(start), regime, CALS).due == D(due)


def test_2009_03_12_counts_st_patricks_day_and_easter() -> None:
    dl = deadlines.deadline(D("2009-03-12"), "foia", CALS)
    assert [h.name for h in dl.skipped] == ["Saint Patrick's Day", "Good Friday",
                                            "Easter Monday"]
    assert dl.skipped[0].nations == ("northern-ireland",)
    england_only = deadlines.working_deadline(D("2009-03-12"), 20,
                                           CALS.for_nations(frozenset({"england"})))
    assert england_only.due == D("2009-04-09")


@pytest.mark.parametrize("start, due", SAR_EXAMPLES)
def test_sar_worked_examples(start: str, due: str) -> None:
    assert deadlines.deadline(D(start), "sar", CALS).due == D(due)


def test_sar_explains_the_short_month_and_the_roll() -> None:
    dl = deadlines.deadline(D("2026-01-31"), "sar", CALS)
    assert dl.due == D("2026-03-02")
    assert any("no day 31" in n for n in dl.notes)
    assert any("Saturday" in n for n in dl.notes)


@pytest.mark.parametrize("start, foia, foisa, england, why", [
    ("2025-12-29", "2026-01-28", "2026-01-28", "2026-01-27",
     "2 January: a Scottish holiday, so FOIA (any UK nation) and FOISA both skip it"),
    ("2026-11-23", "2026-12-22", "2026-12-22", "2026-12-21", "St Andrew's Day: both skip it"),
    ("2026-07-27", "2026-08-25", "2026-08-25", "2026-08-24",
     "first Monday of August: Scotland's summer holiday, both skip it"),
    ("2026-08-10", "2026-09-08", "2026-09-07", "2026-09-08",
     "England's late August holiday: FOISA counts it"),
    ("2026-07-06", "2026-08-05", "2026-08-04", "2026-08-03",
     "12 July (observed 13th) is Northern Ireland's: FOISA counts it"),
    ("2026-03-12", "2026-04-14", "2026-04-10", "2026-04-13",
     "17 March and Easter Monday are not Scottish holidays"),
])
def test_foisa_against_foia(start: str, foia: str, foisa: str, england: str, why: str) -> None:
    assert deadlines.deadline(D(start), "foia", CALS).due == D(foia), why
    assert deadlines.deadline(D(start), "foisa", CALS).due == D(foisa), why
    england_only = CALS.for_nations(frozenset({"england"}))
    assert deadlines.working_deadline(D(start), 20, england_only).due == D(england), why


def test_foisa_skips_st_andrews_day_by_name() -> None:
    dl = deadlines.deadline(D("2026-11-23"), "foisa", CALS)
    assert "Saint Andrew's Day" in [h.name for h in dl.skipped]


def test_rule_b_gives_one_more_day_for_a_weekend_receipt() -> None:
    assert deadlines.deadline(D("2009-03-14"), "foia", CALS, rule="b").due == D("2009-04-16")
    assert deadlines.deadline(D("2009-03-13"), "foia", CALS, rule="b").due == D("2009-04-15")


def test_one_off_days_count() -> None:
    skipped = {h.date for h in deadlines.deadline(D("2022-05-25"), "foia", CALS).skipped}
    assert {D("2022-06-02"), D("2022-06-03")} <= skipped
    assert D("2022-09-19") in {h.date for h in deadlines.deadline(D("2022-09-12"), "foia",
                                                               CALS).skipped}
    assert D("2023-05-08") in {h.date for h in deadlines.deadline(D("2023-05-01"), "foia",
                                                               CALS).skipped}


def test_substitute_days_count() -> None:
    dl = deadlines.deadline(D("2026-12-21"), "foia", CALS)
    assert D("2026-12-28") in {h.date for h in dl.skipped}


# -- properties ------------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2042, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(1, 60), regime=st.sampled_from(["foia", "eir", "foisa"]),
       rule=st.sampled_from(["a", "b"]))
def test_due_is_a_working_day_with_exactly_n_working_days_before_it(start, n, regime, rule):
    cal = CALS.for_regime(regime)
    dl = deadlines.deadline(start, regime, CALS, days=n, rule=rule)
    assert cal.is_working(dl.due)
    day0 = dl.day0
    counted = sum(1 for k in range(1, (dl.due - day0).days + 1)
                  if cal.is_working(day0 + dt.timedelta(days=k)))
    assert counted == n
    assert [s.number for s in dl.steps if s.number] == list(range(1, n + 1))


@settings(max_examples=300, deadline=None)
@given(a=dates, b=dates, n=st.integers(1, 60), regime=st.sampled_from(["foia", "foisa", "sar"]))
def test_a_later_start_never_gives_an_earlier_due_date(a, b, n, regime):
    a, b = min(a, b), max(a, b)
    days = None if regime == "sar" else n
    assert deadlines.deadline(a, regime, CALS, days=days).due <= \
        deadlines.deadline(b, regime, CALS, days=days).due


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(1, 60), regime=st.sampled_from(["foia", "foisa"]))
def test_rule_b_never_earlier_than_rule_a(start, n, regime):
    assert deadlines.deadline(start, regime, CALS, days=n, rule="b").due >= \
        deadlines.deadline(start, regime, CALS, days=n, rule="a").due


@settings(max_examples=200, deadline=None)
@given(start=dates, nation=st.sampled_from(bank_holidays.NATIONS))
def test_sar_due_is_a_working_day_a_month_on(start, nation):
    dl = deadlines.deadline(start, "sar", CALS, nation=nation)
    cal = CALS.for_regime("sar", nation)
    assert cal.is_working(dl.due)
    assert law_dates.add_months(start, 1) <= dl.due <= law_dates.add_months(start, 1) + \
        dt.timedelta(days=7)


# -- sources -----------------------------------------------------------------------------------


def test_feed_and_package_disagreement_is_visible() -> None:
    cals = _cals(DATA / "bank-holidays-small.json")
    h = cals.for_regime("foisa").holiday(D("2026-06-15"))
    assert h is not None and h.sources == ("holidays " + holidaydata_version(),)
    assert h.missing_from and h.missing_from[0].startswith("GOV.UK feed")
    both = cals.for_regime("foisa").holiday(D("2026-11-30"))
    assert both.sources[0].startswith("GOV.UK feed") and len(both.sources) == 2


def holidaydata_version() -> str:
    import holidays

    return holidays.__version__


def test_config_removes_and_adds_days() -> None:
    from konpfoi.workspace.config import ExtraHoliday

    base = deadlines.deadline(D("2026-06-01"), "foisa", CALS).due
    removed = deadlines.deadline(D("2026-06-01"), "foisa", _cals(remove=("2026-06-15",))).due
    assert removed == base - dt.timedelta(days=1)
    added = _cals(add=(ExtraHoliday("2026-06-02", "Proclaimed day", ("england",)),))
    h = added.for_regime("foia").holiday(D("2026-06-02"))
    assert h.sources == ("konpfoi.yaml",) and h.nations == ("england",)
    assert deadlines.deadline(D("2026-06-01"), "foia", added).due == \
        deadlines.deadline(D("2026-06-01"), "foia", CALS).due + dt.timedelta(days=1)


def test_official_feed_agrees_with_the_package_on_every_weekday_holiday() -> None:
    feed = SHARED / "data" / "bank-holidays.json"
    if not feed.is_file():
        pytest.skip("the shared GOV.UK feed is not present")
    cals = _cals(feed)
    for regime in ("foia", "foisa"):
        cal = cals.for_regime(regime)
        disagree = {h.date for h in cal.holidays.values()
                    if h.missing_from and 2013 <= h.date.year <= 2027}
        assert disagree <= {D("2026-06-15")}, disagree  # the newly proclaimed Scottish day


def test_coverage_warning_beyond_the_data() -> None:
    dl = deadlines.deadline(D("2035-03-01"), "foia", CALS)
    assert dl.warnings and "beyond the years" in dl.warnings[0]
    assert not deadlines.deadline(D("2026-03-01"), "foia", CALS).warnings


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, words", [
    ({"regime": "foi"}, "unknown regime"), ({"days": 0}, "out of range"),
    ({"days": 100000}, "out of range"), ({"rule": "c"}, "unknown rule"),
    ({"regime": "sar", "days": 20}, "calendar month"),
])
def test_bad_arguments(kwargs, words) -> None:
    regime = kwargs.pop("regime", "foia")
    with pytest.raises(InvalidInput) as exc:
        deadlines.deadline(D("2026-03-12"), regime, CALS, **kwargs)
    assert words in exc.value.message


def test_impossible_date() -> None:
    with pytest.raises(InvalidInput):
        law_dates.parse_date("2026-02-30")


# -- the CLI -----------------------------------------------------------------------------------


@pytest.mark.parametrize("start, due", LAW_EXAMPLES)
def test_cli_law_examples(run, start, due) -> None:
    assert run.json("deadline", start)["due"] == due


@pytest.mark.parametrize("start, due", SAR_EXAMPLES)
def test_cli_sar_examples(run, start, due) -> None:
    assert run.json("deadline", start, "--regime", "sar")["due"] == due


def test_cli_json_shape(run) -> None:
    out = run.json("deadline", "2026-03-12")
    assert out["start"] == "2026-03-12" and out["due"] == "2026-04-14"
    assert out["regime"] == "foia" and out["rule"] == "a" and out["days"] == 20
    assert [s["date"] for s in out["skipped"]] == ["2026-03-17", "2026-04-03", "2026-04-06"]
    assert out["skipped"][0] == {"date": "2026-03-17", "name": "Saint Patrick's Day",
                                 "nations": ["northern-ireland"],
                                 "source": "holidays " + holidaydata_version()}


def test_cli_human_panel_and_explain(run) -> None:
    out = run("deadline", "2026-03-12", "--days", "40", "--explain").stdout
    assert "due       Wed 13 May 2026" in out
    assert "Saint Patrick's Day (northern-ireland)" in out
    assert "│ 0   │ Thu 12 Mar 2026 │ day 0" in out
    assert "│ 40  │ Wed 13 May 2026 │ due" in out
    assert "weekend" in out


def test_cli_foisa_and_rule_from_config(run, home) -> None:
    assert run.json("deadline", "2026-03-12", "--regime", "foisa")["due"] == "2026-04-10"
    run("where")
    text = (home / "konpfoi.yaml").read_text().replace("rule: a", "rule: b")
    (home / "konpfoi.yaml").write_text(text)
    assert run.json("deadline", "2009-03-14")["due"] == "2009-04-16"
    assert run.json("deadline", "2009-03-14", "--rule", "a")["due"] == "2009-04-15"


@pytest.mark.parametrize("args, words", [
    (["2026-02-30"], "not a real date"), (["12/03/2026"], "not a real date"),
    (["2026-03-12", "--regime", "gdpr"], "unknown regime"),
    (["2026-03-12", "--days", "-3"], "out of range"),
    (["2026-03-12", "--days", "5000"], "out of range"),
    (["2026-03-12", "--nation", "cornwall"], "unknown nation"),
])
def test_cli_bad_input_is_one_line(run, args, words) -> None:
    out = run("deadline", *args, code=5)
    assert out.stderr.splitlines()[0].startswith("error:") and words in out.stderr
    assert len(out.stderr.strip().splitlines()) == 2  # the error and its hint
    assert out.stdout == ""


def test_cli_holidays_import_and_list(run, home, tmp_path) -> None:
    feed = shutil.copy(DATA / "bank-holidays-small.json", tmp_path / "bh.json")
    out = run("holidays", "import", str(feed))
    assert "Imported" in out.stdout and (home / "bank-holidays.json").is_file()
    listed = run.json("holidays", "list", "--year", "2026", "--nation", "scotland")
    june = next(h for h in listed["holidays"] if h["date"] == "2026-06-15")
    assert june["missing_from"][0].startswith("GOV.UK feed")
    table = run("holidays", "list", "--year", "2026", "--nation", "scotland").stdout
    assert "(not in GOV.UK)" in table


def test_cli_holidays_import_rejects_bad_files(run, home, tmp_path) -> None:
    bad = write(tmp_path / "bad.json", '{"england-and-wales": {"events": [\n{"title": "x"\n')
    out = run("holidays", "import", str(bad), code=5)
    assert f"{bad}:" in out.stderr
    wrong = write(tmp_path / "wrong.json", json.dumps({"england-and-wales": {"events": [
        {"title": "x", "date": "2026-13-01"}]}}))
    assert "needs a 'date'" in run("holidays", "import", str(wrong), code=5).stderr
    assert not (home / "bank-holidays.json").exists()


# -- clocks from events ------------------------------------------------------------------------


def ev(kind: str, date: str, **data) -> Event:
    return Event.make(0, kind + date, "K-0001", kind, date, "", None, data)


def clock(kind, events, key="response", **kw):
    found = {c.key: c for c in clocks.clocks_for(kind, facts.read(events), CALS, **kw)}
    return found.get(key)


def test_response_clock_and_resend_does_not_reset() -> None:
    c = clock("foi", [ev("sent", "2026-03-12"), ev("sent", "2026-03-20")])
    assert c.due == D("2026-04-14")
    assert c.left(D("2026-04-14"), CALS.for_regime("foia")) == 0
    assert c.left(D("2026-04-15"), CALS.for_regime("foia")) == -1
    assert c.left(D("2026-04-13"), CALS.for_regime("foia")) == 1


def test_clarification_restarts_foia_and_pauses_sar() -> None:
    foi = [ev("sent", "2026-03-12"), ev("clarification-requested", "2026-03-20")]
    assert clock("foi", foi).due is None and "clarification" in clock("foi", foi).paused
    foi.append(ev("clarification-sent", "2026-03-25"))
    assert clock("foi", foi).due == deadlines.deadline(D("2026-03-25"), "foia", CALS).due
    sar = [ev("sent", "2025-09-03"), ev("clarification-requested", "2025-09-10"),
           ev("clarification-sent", "2025-09-15")]
    assert clock("sar", sar, nation="england").due == D("2025-10-08")  # 3 Oct + 5 days paused


def test_fee_notice_days_are_disregarded() -> None:
    events = [ev("sent", "2026-03-12"), ev("fee-notice", "2026-03-16")]
    assert clock("foi", events).due is None
    events.append(ev("fee-paid", "2026-03-20"))  # Mon-Fri: 4 working days disregarded
    cal = CALS.for_regime("foia")
    assert clock("foi", events).due == cal.add(D("2026-04-14"), 4)
    assert clock("eir", events).due == D("2026-04-14")  # EIR: no pause for fees


def test_extensions() -> None:
    base = [ev("sent", "2026-03-12")]
    pit = clock("foi", base + [ev("extension-claimed", "2026-04-10")])
    assert pit.due == CALS.for_regime("foia").add(D("2026-04-14"), 20)
    until = clock("foi", base + [ev("extension-claimed", "2026-04-10", until="2026-05-01")])
    assert until.due == D("2026-05-01")
    assert clock("eir", base + [ev("extension-claimed", "2026-04-01")]).due == \
        deadlines.deadline(D("2026-03-12"), "eir", CALS, days=40).due
    assert clock("foisa", base + [ev("extension-claimed", "2026-04-01")]).due == D("2026-04-10")
    sar = clock("sar", [ev("sent", "2025-09-03"), ev("extension-claimed", "2025-09-20")])
    assert sar.due == D("2025-12-03")


def test_reply_stops_the_clock_and_opens_the_review_window() -> None:
    events = [ev("sent", "2026-03-12"), ev("reply", "2026-04-20", outcome="refused")]
    c = clock("foi", events)
    assert c.stopped == D("2026-04-20")
    assert c.left(D("2026-06-01"), CALS.for_regime("foia")) == -4  # answered 4 days late
    window = clock("foi", events, "review-window")
    assert window.due == CALS.for_regime("foia").add(D("2026-04-20"), 40)


def test_review_and_regulator_clocks() -> None:
    events = [ev("sent", "2026-03-12"), ev("reply", "2026-04-10"),
              ev("review-requested", "2026-04-20")]
    cal = CALS.for_regime("foia")
    assert clock("foi", events, "review-answer").due == cal.add(D("2026-04-20"), 20)
    assert clock("eir", events, "review-answer").due == cal.add(D("2026-04-20"), 40)
    no_outcome = clock("foi", events, "regulator")
    assert no_outcome.due == cal.add(D("2026-04-20"), 40) + dt.timedelta(weeks=6)
    done = events + [ev("review-outcome", "2026-05-15")]
    assert clock("foi", done, "regulator").due == D("2026-06-26")
    assert "ICO" in clock("foi", done, "regulator").label
    sic = clock("foisa", done, "regulator")
    assert sic.due == D("2026-11-15") and "Scottish Information Commissioner" in sic.label


def test_foisa_review_window_runs_from_a_missed_deadline() -> None:
    c = clock("foisa", [ev("sent", "2026-03-12")], "review-window")
    assert c.start == D("2026-04-10")
    assert c.due == CALS.for_regime("foisa").add(D("2026-04-10"), 40)


def test_sar_regulator_window_is_three_months_from_last_contact() -> None:
    c = clock("sar", [ev("sent", "2025-09-03"), ev("reply", "2025-10-01")], "regulator")
    assert c.due == D("2026-01-01")


def test_mp_chase_clock() -> None:
    c = clock("email", [ev("sent", "2026-11-02")], "chase", policy=Policy(chase_days=15))
    assert c.due == CALS.for_regime("email", "england").add(D("2026-11-02"), 15)
    assert clock("email", [ev("sent", "2026-11-02")], "chase",
                 policy=Policy(chase_days=5)).due == D("2026-11-09")


def test_aggregation_window() -> None:
    """Similar requests within 60 working days of the earlier one's SENT date (Fees
    Regulations reg 5); an unlike one, or one outside the window, is not counted."""
    cal = CALS.for_regime("foia")
    words = aggregation.shingles("please provide copies of the board papers on the FDP")
    other = aggregation.shingles("how many beds did the trust open last winter in total")
    sent = D("2026-01-05")
    earlier = [aggregation.Earlier("K-0001", words, D("2025-12-01"), sent),
               aggregation.Earlier("K-0002", other, D("2025-12-01"), sent),
               aggregation.Earlier("K-0003", words, D("2025-05-01"), D("2025-06-01"))]
    hits = aggregation.overlaps(words, D("2026-02-02"), earlier, cal)
    assert [(o.earlier.item_id, o.rule, o.days) for o in hits] == [("K-0001", "s.12", 20)]
    assert aggregation.overlaps(words, cal.add(sent, 60), earlier[:1], cal) == []
    assert aggregation.overlaps(words, cal.add(sent, 59), earlier[:1], cal)
