"""The kinds of correspondence konpfoi drafts, and everything each kind is in law: which
directory address it goes to, who signs it and whose From it carries, whether a statutory clock
runs, which follow-ups it has and when each becomes available, the words its letters cite, and
the regulator that enforces it.

One home: drafting, follow-ups, sending, status and reports read this table, and
`law.regimes.ITEM_REGIME` (an item kind's clock) is derived from it. The rules, with sources
(LAW.md; the README's "The law konpfoi applies"):

- An information request runs a statutory clock: FOIA s.10(1), EIR reg 5(2), FOISA s.10(1), 20
  working days. A subject access request runs one calendar month (UK GDPR Art 12(3)).
- A letter to an MP or to a board runs none: an MP is not a public authority (FOIA Sch 1 lists
  the House of Commons, not its Members), and a letter to a board is not a request for
  information. It is "awaiting reply" and "due a reminder" after the campaign's chosen number
  of working days (`clocks: mp_chase_days`), never "overdue".
- Internal review: FOIA, the s.45 Code of Practice (ask within 40 working days; answer within
  20, 40 in exceptional cases); EIR, reconsideration under reg 11 (ask within 40 working days,
  reg 11(2); answer within 40, reg 11(4)); FOISA, a requirement for review under s.20 (ask
  within 40 working days of the response or of the missed deadline, s.20(5); answer within 20,
  s.21(1)). A subject access request has no internal review.
- Regulator: FOIA and EIR, the Information Commissioner (FOIA s.50; EIR reg 18), who may decline
  a complaint before the body's complaints procedure is exhausted (s.50(2)(a)) and expects it
  within 6 weeks of the review outcome. FOISA, the Scottish Information Commissioner, only after
  a requirement for review (s.47(1)) and within 6 months of its outcome or of the missed review
  deadline (s.47(4)). A subject access request, the ICO (UK GDPR Art 77; DPA 2018 s.165).
"""

from __future__ import annotations

from dataclasses import dataclass

from konpfoi.errors import InvalidInput

SIGNERS = ("requester", "group", "supporter")


@dataclass(frozen=True)
class Kind:
    """One kind of correspondence, as the ledger stores it (`Item.kind`)."""

    key: str
    name: str  # what status, show and reports call it
    roles: tuple[str, ...]  # the directory contact roles it goes to, in order of preference
    signer: str  # whose name it carries and whose From: requester, group or supporter
    regime: str | None  # the statutory clock it runs (law.regimes), None for a letter
    followups: tuple[str, ...]
    salutation: str | None  # None: "Dear <the recipient's name>"

    @property
    def statutory(self) -> bool:
        return self.regime is not None

    @property
    def request(self) -> bool:
        """A request for information (FOIA, EIR, FOISA): the kinds s.12 and s.14 speak of."""
        return self.regime in ("foia", "eir", "foisa")


_REQUEST = ("chaser", "clarification", "internal-review", "ico-complaint")
KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("foi", "FOI request", ("foi", "foi-alt"), "requester", "foia", _REQUEST,
         "Dear Freedom of Information Officer"),
    Kind("eir", "EIR request", ("foi", "foi-alt"), "requester", "eir", _REQUEST,
         "Dear Information Officer"),
    Kind("foisa", "FOISA request", ("foi", "foi-alt"), "requester", "foisa",
         ("chaser", "clarification", "internal-review", "sic-application"),
         "Dear Freedom of Information Officer"),
    Kind("sar", "subject access request", ("dpo", "foi"), "requester", "sar",
         ("chaser", "clarification", "ico-complaint"), "Dear Data Protection Officer"),
    Kind("mp", "letter to an MP", ("general",), "group", None, ("reminder",), None),
    Kind("constituent", "constituent's letter to their MP", ("general",), "supporter", None,
         ("reminder",), None),
    # The board role holds the board or company secretary, or the published governance inbox.
    Kind("board", "letter to a board", ("board", "chair"), "requester", None, ("reminder",),
         "Dear Chair and members of the Board"),
    # A letter to a body's published address; ledgers from before these kinds hold every
    # letter to an MP or a board as "email", and read as this.
    Kind("email", "letter", ("general", "board", "chair"), "requester", None, ("reminder",),
         None),
)}


def kind_of(key: str) -> Kind:
    """The kind an item holds; an unknown one (a newer konpfoi's) reads as a plain letter."""
    return KINDS.get(key) or KINDS["email"]


# What a template's `kind:` says it is: a request (FOI, EIR or FOISA by the body and the
# question set), a subject access request, a letter to an MP, to a board, or any letter.
TEMPLATE_KINDS = ("request", "sar", "mp", "board", "email")


def kind_for(template_kind: str, *, body_kind: str, body_law: str, set_regime: str | None,
             supporter: bool) -> str:
    """The kind of item a template makes for a body; a mismatch is one clear error."""
    if supporter and body_kind != "mp":
        raise InvalidInput("a supporter writes only to their own MP")
    if template_kind == "request":
        if body_law == "none":
            raise InvalidInput(
                "an MP is not a public authority under FOIA, so an FOI request to one has no "
                "force", hint="write to MPs with a letter template (--template mp-fdp)")
        if set_regime == "eir":
            if body_law == "foisa":
                raise InvalidInput(
                    "environmental information held by a Scottish authority is requested under "
                    "the Environmental Information (Scotland) Regulations 2004, which konpfoi "
                    "does not draft", hint="use a question set with regime: foi (FOISA)")
            return "eir"
        return "foisa" if body_law == "foisa" else "foi"
    if template_kind in ("mp", "email") and body_kind == "mp":
        return "constituent" if supporter else "mp"
    if template_kind == "mp":
        raise InvalidInput("this template is a letter to an MP",
                           hint="choose MPs: --to 'mp:*' or --supporters")
    if body_kind == "mp" or supporter:
        raise InvalidInput("this template is not a letter to an MP",
                           hint="for MPs use a template of kind mp (e.g. mp-fdp)")
    return {"sar": "sar", "board": "board"}.get(template_kind, "email")


# -- follow-ups ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Followup:
    key: str
    template: str
    event: str  # recorded when it is sent: the clock it starts
    to: str  # "body" or "regulator"
    needs_reason: bool
    when: str  # when it becomes available, for people (the README's table)

    @property
    def name(self) -> str:
        """As a sentence says it: 'internal review', 'ICO complaint', 'SIC application'."""
        return self.key.replace("-", " ").replace("ico ", "ICO ").replace("sic ", "SIC ")


FOLLOWUPS: dict[str, Followup] = {f.key: f for f in (
    Followup("chaser", "followup-chaser", "chased", "body", False,
             "the day after the response was due, while no response has come"),
    Followup("clarification", "followup-clarification", "clarification-sent", "body", True,
             "once the body has asked for clarification"),
    Followup("internal-review", "followup-internal-review", "review-requested", "body", True,
             "after a response (or, with none, after its deadline), within 40 working days"),
    Followup("ico-complaint", "followup-ico-complaint", "complaint-filed", "regulator", True,
             "after the review outcome (6 weeks), once the review is overdue, or once a "
             "response is overdue"),
    Followup("sic-application", "followup-sic-application", "complaint-filed", "regulator",
             True, "only after a requirement for review: its outcome, or its deadline passed "
                   "(6 months)"),
    Followup("reminder", "followup-reminder", "chased", "body", False,
             "after the reminder days (clocks: mp_chase_days), while no reply has come"),
)}


# A constituent's letter is the supporter's to send: konpfoi sends it to them, in a pack (their
# letter, a link that opens it in their own mail, the .eml), drafted and sent like a follow-up;
# its delivery is "pack-sent", never "sent" (that is the supporter's own sending).
SUPPORTER_PACK = Followup("pack", "supporter-pack", "pack-sent", "supporter", False,
                          "as soon as the supporter's letter is drafted")


def sent_event(key: str) -> str:
    """The event that records a follow-up (or a supporter's pack) as sent."""
    return SUPPORTER_PACK.event if key == SUPPORTER_PACK.key else FOLLOWUPS[key].event


# -- what the law is called and what each letter cites -------------------------------------


@dataclass(frozen=True)
class LawWords:
    """The words a regime's letters use: the Act, its duties and its remedies."""

    act: str  # "the Freedom of Information Act 2000"
    unit: str  # "section" or "regulation": how its provisions are cited
    term: str  # "exemption" (FOIA, FOISA) or "exception" (EIR)
    duty: str  # the duty to respond, cited
    duty_words: str  # what that duty says
    extension: str | None  # the provision that allows more time
    not_held: str  # the provision that speaks of information not held
    review: str | None  # what the next step is called
    review_basis: str | None  # what governs it
    review_answer: str | None  # how fast it must be answered, for "so by <date>"
    review_days: int  # working days to answer a review (the clocks count the same)
    review_window: str | None  # the rule for when a review must be asked ("... of <day>")
    late_review: str | None  # what a late review request can honestly say
    regulator: str  # "ico" or "sic"
    complaint_basis: str
    next_step: str  # what a chaser says will follow
    clarified: str  # what a clarification does to the clock


LAW_WORDS: dict[str, LawWords] = {
    "foia": LawWords(
        act="the Freedom of Information Act 2000", unit="section", term="exemption",
        duty="section 10(1) of the Freedom of Information Act 2000",
        duty_words="to respond promptly and in any event within 20 working days of receiving it",
        extension="section 10(3)", not_held="section 1(1)(a)",
        review="an internal review",
        review_basis="the Code of Practice under section 45 of the Act",
        review_answer="The Code of Practice under section 45 of the Act expects a review to be "
                      "completed within 20 working days of receiving this request",
        review_days=20,
        review_window="the Code of Practice under section 45 of the Act asks for a review "
                      "within 40 working days",
        late_review="The Code does not bar a later request, and I ask you to review your "
                    "response nonetheless.",
        regulator="ico", complaint_basis="section 50 of the Freedom of Information Act 2000",
        next_step="complain to the Information Commissioner's Office under section 50 of the "
                  "Act",
        clarified="the 20 working days start again from the day you receive it (section 1(3) "
                  "of the Act)"),
    "eir": LawWords(
        act="the Environmental Information Regulations 2004", unit="regulation",
        term="exception",
        duty="regulation 5(2) of the Environmental Information Regulations 2004",
        duty_words="to make the information available as soon as possible and no later than "
                   "20 working days after receiving the request",
        extension="regulation 7(1)", not_held="regulation 12(4)(a)",
        review="reconsideration under regulation 11",
        review_basis="regulation 11 of the Environmental Information Regulations 2004",
        review_answer="Regulation 11(4) requires you to tell me your decision as soon as "
                      "possible and no later than 40 working days after receiving these "
                      "representations",
        review_days=40,
        review_window="regulation 11(2) requires representations within 40 working days",
        late_review="I ask you to consider these representations nonetheless.",
        regulator="ico",
        complaint_basis="section 50 of the Freedom of Information Act 2000, as applied by "
                        "regulation 18 of the Environmental Information Regulations 2004",
        next_step="make representations under regulation 11 and, if need be, complain to the "
                  "Information Commissioner's Office (regulation 18)",
        clarified="the 20 working days start again from the day you receive it (regulation "
                  "9(4))"),
    "foisa": LawWords(
        act="the Freedom of Information (Scotland) Act 2002", unit="section", term="exemption",
        duty="section 10(1) of the Freedom of Information (Scotland) Act 2002",
        duty_words="to respond promptly and in any event by the twentieth working day after "
                   "receiving it",
        extension=None, not_held="section 17(1)",
        review="a review under section 20 of the Act",
        review_basis="section 20 of the Freedom of Information (Scotland) Act 2002",
        review_answer="Section 21(1) of the Act requires you to comply promptly and in any "
                      "event by the twentieth working day after receiving this requirement",
        review_days=20,
        review_window="section 20(5) of the Act requires a review to be required within 40 "
                      "working days",
        late_review="The Act allows you to comply with a late requirement where you "
                    "consider it appropriate, and I ask you to do so.",
        regulator="sic",
        complaint_basis="section 47(1) of the Freedom of Information (Scotland) Act 2002",
        next_step="require a review under section 20 of the Act and, if need be, apply to the "
                  "Scottish Information Commissioner under section 47",
        clarified="the 20 working days start again from the day you receive it (section 1(3) "
                  "of the Act)"),
    "sar": LawWords(
        act="the UK General Data Protection Regulation", unit="Article", term="exemption",
        duty="Article 12(3) of the UK GDPR",
        duty_words="to respond without undue delay and in any event within one month of "
                   "receiving it",
        extension="Article 12(3)", not_held="Article 15(1)",
        review=None, review_basis=None, review_answer=None, review_days=0, review_window=None,
        late_review=None, regulator="ico",
        complaint_basis="Article 77 of the UK GDPR and section 165 of the Data Protection Act "
                        "2018",
        next_step="complain to the Information Commissioner's Office",
        clarified="the month for responding runs on from the day you receive it, less the "
                  "days already passed (ICO, right of access guidance)"),
}


@dataclass(frozen=True)
class Regulator:
    key: str
    name: str
    email: str
    form: str  # where the regulator prefers complaints to come
    regimes: tuple[str, ...]  # the laws it enforces for konpfoi's kinds


REGULATORS: dict[str, Regulator] = {
    "ico": Regulator("ico", "Information Commissioner's Office", "casework@ico.org.uk",
                     "https://ico.org.uk/make-a-complaint/foi-and-eir-complaints/"
                     "official-information-complaint/", ("foia", "eir", "sar")),
    "sic": Regulator("sic", "Scottish Information Commissioner",
                     "enquiries@itspublicknowledge.info",
                     "https://www.itspublicknowledge.info/appeal", ("foisa",)),
}
SAR_COMPLAINT_FORM = ("https://ico.org.uk/make-a-complaint/data-protection-complaints/"
                      "personal-information-complaint/")
FOLLOWUP_REGULATOR = {"ico-complaint": "ico", "sic-application": "sic"}


def regulator_for(regime: str) -> Regulator:
    """The regulator of a law (ICO for FOIA, EIR and subject access; SIC for FOISA)."""
    return REGULATORS[LAW_WORDS[regime].regulator]
