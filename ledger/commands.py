"""One handler per client event type: load what it refers to, check, call the domain.

Each handler receives the session, the acting identity and the validated `data` of the event.
References to households, units, people, findings and events must exist (NotFound otherwise).
Before a request's handlers run, `references` names what its events refer to, so the session
loads all of it in one query.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ledger import open_findings
from ledger.domain.base import LedgerAggregate, as_system
from ledger.domain.registry import Household, Person
from ledger.domain.rulebook import BOOK, Rulebook
from ledger.domain.rules import RuleParameter
from ledger.domain.scoring import Dispute, Score
from ledger.domain.subjects import event_subject
from ledger.domain.supervision import Finding, Inspection, Warning
from ledger.domain.units import Unit
from ledger.errors import Forbidden, Invalid, NotFound
from ledger.identity import Actor
from ledger.privacy.fields import subject_from_data
from ledger.session import Reference, Session

Data = dict[str, Any]
Handler = Callable[[Session, Actor, Data], None]
HANDLERS: dict[str, Handler] = {}


def handles(type_name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[type_name] = handler
        return handler

    return register


# Fields that name an aggregate, whatever the event type: the contract gives each one meaning.
REFERENCE_FIELDS: dict[str, type[LedgerAggregate]] = {
    "unit_id": Unit,
    "parent_id": Unit,
    "supervising_unit_id": Unit,
    "to_unit_id": Unit,
    "to_person_id": Person,
    "village_id": Unit,
    "responsible_unit_id": Unit,
    "person_id": Person,
    "responsible_person_id": Person,
    "approved_by": Person,
    "inspector_ids": Person,
    "household_id": Household,
    "finding_id": Finding,
    "finding_ids": Finding,
    "inspection_id": Inspection,
    "warning_id": Warning,
    "dispute_id": Dispute,
}
# Fields that name recorded events by event id.
EVENT_FIELDS = ("basis", "contested_event_id")


def references(data: Data) -> Iterator[Reference]:
    """The aggregates an event's data names, existing or about to be created.

    Only a hint for loading in bulk: a handler still asks the session for each aggregate, and
    one not named here (the unit of a revoked warning) is loaded when it is asked for."""
    for name, value in data.items():
        cls = REFERENCE_FIELDS.get(name)
        if name == "subject_id":
            cls = Household if data.get("subject_type") == "household" else Unit
        if cls is None:
            continue
        for natural_id in value if isinstance(value, list) else [value]:
            if isinstance(natural_id, str):
                yield cls, natural_id


def event_references(data: Data) -> Iterator[str]:
    """The event ids an event's data names (and a compared head's name, its registration)."""
    for name in EVENT_FIELDS:
        value = data.get(name)
        for event_id in value if isinstance(value, list) else [value]:
            if isinstance(event_id, str):
                yield event_id
    if "head_name" in (data.get("record") or {}) and isinstance(data.get("household_id"), str):
        yield _registration(data["household_id"])


def _registration(household_id: str) -> str:
    """The event id of a household's registration: the first event of its aggregate."""
    return f"{Household.id_for(household_id)}:1"


def _subject(session: Session, data: Data) -> Unit | Household:
    kind = data["subject_type"]
    if kind == "household":
        return session.get(Household, data["subject_id"], "subject_id")
    return session.get(Unit, data["subject_id"], "subject_id")


def _require_own_unit(actor: Actor, unit_id: str, what: str) -> None:
    # A refusal names no unit: neither the token's nor the subject's (CONTRACT.md).
    if actor.role == "cadre" and actor.unit_id != unit_id:
        raise Forbidden(f"a cadre may {what} only within its own unit")


def _unit_of_subject(session: Session, kind: str, natural_id: str) -> str | None:
    """The unit a subject belongs to: a household's village, a finding's responsible unit, a
    person's unit, or the unit itself."""
    found: Any = session.find({"household": Household, "finding": Finding, "person": Person,
                               "unit": Unit}[kind], natural_id)
    if found is None:
        return None
    return natural_id if kind == "unit" else getattr(
        found, {"household": "village_id", "finding": "responsible_unit_id",
                "person": "unit_id"}[kind])


def _require_within_scope(session: Session, actor: Actor, event: Any, what: str) -> None:
    """A cadre acts on an event's subject only within its token unit and the units below it
    (the read scope); an event naming no subject is outside every cadre's scope."""
    if actor.role != "cadre":
        return
    named = event_subject(vars(event))
    unit_id = None if named is None else _unit_of_subject(session, *named)
    seen: set[str] = set()
    while unit_id is not None and unit_id not in seen:
        if unit_id == actor.unit_id:
            return
        seen.add(unit_id)
        unit = session.find(Unit, unit_id)
        unit_id = None if unit is None else unit.parent_id
    raise Forbidden(f"a cadre may {what} only within its own unit")


# Registry -----------------------------------------------------------------
@handles("UnitRegistered")
def register_unit(session: Session, actor: Actor, data: Data) -> None:
    if data.get("parent_id") is not None:
        session.get(Unit, data["parent_id"], "parent_id")
    session.create(Unit, data["unit_id"], "unit_id", **data)


@handles("PersonRegistered")
def register_person(session: Session, actor: Actor, data: Data) -> None:
    session.get(Unit, data["unit_id"], "unit_id")
    session.create(Person, data["person_id"], "person_id", **data)


@handles("HouseholdRegistered")
def register_household(session: Session, actor: Actor, data: Data) -> None:
    village = session.get(Unit, data["village_id"], "village_id")
    if village.kind != "village":
        raise Invalid(
            f"unit {village.unit_id} is a {village.kind}, not a village", field="village_id"
        )
    if data["category"] == "exited" and data.get("exit_year") is None:
        raise Invalid("a household registered as exited needs its exit_year", field="exit_year")
    session.create(Household, data["household_id"], "household_id", **data)


@handles("HouseholdFactsRecorded")
def record_household_facts(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    _require_own_unit(actor, household.village_id, "record facts")
    household.record_facts({k: v for k, v in data.items() if k != "household_id"})


@handles("ResponsibilityAssigned")
def assign_responsibility(session: Session, actor: Actor, data: Data) -> None:
    session.get(Person, data["person_id"], "person_id")
    _subject(session, data).assign(data["person_id"], data["role"], data["effective_from"])


@handles("ResponsibilityEnded")
def end_responsibility(session: Session, actor: Actor, data: Data) -> None:
    session.get(Person, data["person_id"], "person_id")
    _subject(session, data).end_assignment(data["person_id"], data["role"], data["effective_to"])


# Supervision --------------------------------------------------------------
@handles("UnitListed")
def list_unit(session: Session, actor: Actor, data: Data) -> None:
    unit = session.get(Unit, data["unit_id"], "unit_id")
    if data.get("supervising_unit_id") is not None:
        session.get(Unit, data["supervising_unit_id"], "supervising_unit_id")
    unit.list_for_supervision(
        data["level"], data.get("supervising_unit_id"), data.get("due_date"))


@handles("UnitDelisted")
def delist_unit(session: Session, actor: Actor, data: Data) -> None:
    """Decided on the unit's tally of open findings in its subtree (see `Unit`)."""
    unit = session.get(Unit, data["unit_id"], "unit_id")
    unit.delist(lambda: open_findings.read_back_open(session, unit))


@handles("InspectionRecorded")
def record_inspection(session: Session, actor: Actor, data: Data) -> None:
    subject = _subject(session, data)
    for i, person_id in enumerate(data["inspector_ids"]):
        session.get(Person, person_id, f"inspector_ids.{i}")
    session.create(Inspection, data["inspection_id"], "inspection_id", **data)
    if isinstance(subject, Household):
        subject.note_inspection(data["inspection_id"], data.get("checks"), data.get("income"))


@handles("FindingRaised")
def raise_finding(session: Session, actor: Actor, data: Data) -> None:
    subject = _subject(session, data)
    session.get(Unit, data["responsible_unit_id"], "responsible_unit_id")
    if data.get("inspection_id") is not None:
        session.get(Inspection, data["inspection_id"], "inspection_id")
    if data.get("responsible_person_id") is not None:
        session.get(Person, data["responsible_person_id"], "responsible_person_id")
    finding = session.create(Finding, data["finding_id"], "finding_id", **data)
    open_findings.count_raised(session, finding)
    if isinstance(subject, Household):
        subject.note_finding(data["finding_id"])


@handles("RectificationReported")
def report_rectification(session: Session, actor: Actor, data: Data) -> None:
    finding = session.get(Finding, data["finding_id"], "finding_id")
    _require_own_unit(actor, finding.responsible_unit_id, "report a rectification")
    finding.report_rectification(data["description"], data.get("evidence") or [])


@handles("RectificationVerified")
def verify_rectification(session: Session, actor: Actor, data: Data) -> None:
    finding = session.get(Finding, data["finding_id"], "finding_id")
    finding.verify_rectification(data["accepted"], data["note"])
    if not finding.is_open:
        open_findings.settle(session, finding, "closed")


@handles("DeadlineExtended")
def extend_deadline(session: Session, actor: Actor, data: Data) -> None:
    finding = session.get(Finding, data["finding_id"], "finding_id")
    if data.get("approved_by") is not None:
        session.get(Person, data["approved_by"], "approved_by")
    finding.extend_deadline(data["new_due_date"], data["reason"], data.get("approved_by"))


@handles("FindingWithdrawn")
def withdraw_finding(session: Session, actor: Actor, data: Data) -> None:
    _withdraw(session, session.get(Finding, data["finding_id"], "finding_id"), data["reason"])


def _withdraw(session: Session, finding: Finding, reason: str) -> None:
    finding.withdraw(reason)
    open_findings.settle(session, finding, "withdrawn")


@handles("FindingTransferred")
def transfer_finding(session: Session, actor: Actor, data: Data) -> None:
    finding = session.get(Finding, data["finding_id"], "finding_id")
    session.get(Unit, data["to_unit_id"], "to_unit_id")
    if data.get("to_person_id") is not None:
        session.get(Person, data["to_person_id"], "to_person_id")
    from_unit_id = finding.responsible_unit_id
    finding.transfer(data["to_unit_id"], data.get("to_person_id"), data["reason"])
    open_findings.transferred(session, finding, from_unit_id, "transferred")


# Warnings and accountability ----------------------------------------------
@handles("WarningIssued")
def issue_warning(session: Session, actor: Actor, data: Data) -> None:
    unit = session.get(Unit, data["unit_id"], "unit_id")
    for i, finding_id in enumerate(data.get("finding_ids") or []):
        session.get(Finding, finding_id, f"finding_ids.{i}")
    session.create(Warning, data["warning_id"], "warning_id", **data)
    unit.note_warning(data["warning_id"], data["color"], data["period"])


@handles("WarningRevoked")
def revoke_warning(session: Session, actor: Actor, data: Data) -> None:
    _revoke(session, session.get(Warning, data["warning_id"], "warning_id"), data["reason"])


def _revoke(session: Session, warning: Warning, reason: str) -> None:
    warning.revoke(reason)
    unit = session.get(Unit, warning.unit_id, "warning_id")
    unit.withdraw_yellow_card(warning.warning_id, reason)


@handles("QuarterlyRatingRecorded")
def rate_quarter(session: Session, actor: Actor, data: Data) -> None:
    """A quarterly light; a unit's record apart from its yellow cards, so it makes no
    interview due."""
    session.get(Unit, data["unit_id"], "unit_id").rate_quarter(
        data["period"], data["light"], data.get("score"), data.get("note"))


@handles("InterviewHeld")
def hold_interview(session: Session, actor: Actor, data: Data) -> None:
    unit = session.get(Unit, data["unit_id"], "unit_id")
    session.get(Person, data["person_id"], "person_id")
    unit.hold_interview(data["person_id"], data["note"])


@handles("AccountabilityMeasureTaken")
def take_measure(session: Session, actor: Actor, data: Data) -> None:
    person = session.get(Person, data["person_id"], "person_id")
    _require_events(session, data["basis"], "basis")
    person.take_measure(data["measure"], data["basis"], data["note"])


def _require_events(session: Session, event_ids: list[str], field: str) -> None:
    for i, event_id in enumerate(event_ids):
        if not session.event_exists(event_id):
            raise NotFound(f"event {event_id!r} does not exist", field=f"{field}.{i}", id=event_id)


# Help plans and cross-checks (ledger.domain.plans, ledger.domain.crosscheck) ----
@handles("HelpPlanRecorded")
def record_help_plan(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    _require_own_unit(actor, household.village_id, "record a help plan")
    for i, measure in enumerate(data["measures"]):
        if measure.get("person_id") is not None:
            session.get(Person, measure["person_id"], f"measures.{i}.person_id")
    household.record_help_plan(data["year"], data["causes"], data["measures"])


@handles("MeasureCompleted")
def complete_measure(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    _require_own_unit(actor, household.village_id, "complete a measure")
    household.complete_measure(data["measure_id"], data["note"])


@handles("SystemRecordCompared")
def compare_system_record(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    registered = session.recorded_event(_registration(data["household_id"]))  # head's name
    # Stored sealed: opened here, or None once the household's personal data was erased.
    head_name = session.reveal({"head_name": registered.head_name})["head_name"] \
        if registered else ""
    # The open mismatches' values were stored sealed too; a repeat is judged on what they say.
    household.open_mismatches = session.reveal(household.open_mismatches)
    household.compare_system_record(data["source"], data["as_of_date"], data["record"],
                                    head_name)


@handles("MismatchResolved")
def resolve_mismatch(session: Session, actor: Actor, data: Data) -> None:
    household = session.get(Household, data["household_id"], "household_id")
    household.resolve_mismatch(data["mismatch_event_id"], data["resolution"], data["note"])


# Rule parameters ----------------------------------------------------------
@handles("RuleParameterSet")
def set_rule_parameter(session: Session, actor: Actor, data: Data) -> None:
    RuleParameter.set(**data)
    book = session.find(Rulebook, BOOK) or session.create(Rulebook, BOOK, "parameter")
    book.note(data["parameter"], data["value"], data.get("year"))


# Scoring and disputes -----------------------------------------------------
@handles("ScoreRecorded")
def record_score(session: Session, actor: Actor, data: Data) -> None:
    village = session.get(Unit, data["village_id"], "village_id")
    if village.kind != "village":
        raise Invalid(
            f"unit {village.unit_id} is a {village.kind}, not a village", field="village_id"
        )
    Score.record(**data)


@handles("DisputeOpened")
def open_dispute(session: Session, actor: Actor, data: Data) -> None:
    if not session.event_exists(data["contested_event_id"]):
        raise NotFound(
            f"event {data['contested_event_id']!r} does not exist",
            field="contested_event_id",
            id=data["contested_event_id"],
        )
    contested = session.recorded_event(data["contested_event_id"])
    _require_within_scope(session, actor, contested, "dispute an event")
    dispute = session.create(Dispute, data["dispute_id"], "dispute_id", **data)
    dispute.grounds_subject = subject_from_data(vars(contested))


@handles("DisputeResolved")
def resolve_dispute(session: Session, actor: Actor, data: Data) -> None:
    dispute = session.get(Dispute, data["dispute_id"], "dispute_id")
    dispute.resolve(data["outcome"], data["note"])
    if data["outcome"] == "overturned":
        _undo_contested(session, dispute)


def _undo_contested(session: Session, dispute: Dispute) -> None:
    """An overturned warning is revoked, an overturned finding withdrawn, an overturned
    quarterly light withdrawn, by the ledger itself."""
    contested = session.recorded_event(dispute.contested_event_id)
    reason = f"overturned by dispute {dispute.dispute_id}"
    with as_system():
        if isinstance(contested, Warning.WarningIssued):  # type: ignore[attr-defined]
            warning = session.get(Warning, contested.warning_id, "dispute_id")
            if not warning.revoked:
                _revoke(session, warning, reason)
        elif isinstance(contested, Finding.FindingRaised):  # type: ignore[attr-defined]
            finding = session.get(Finding, contested.finding_id, "dispute_id")
            if finding.is_open:
                _withdraw(session, finding, reason)
        elif isinstance(contested, Household.HouseholdExited):
            household = session.get(Household, contested.household_id, "dispute_id")
            household.annul_exit(contested.year, dispute.contested_event_id, reason)
        elif isinstance(contested, Unit.QuarterlyRatingRecorded):  # type: ignore[attr-defined]
            unit = session.get(Unit, contested.unit_id, "dispute_id")
            unit.withdraw_rating(contested.originator_version, reason)



@handles("PersonalDataErased")
def erase_personal_data(session: Session, actor: Actor, data: Data) -> None:
    """The erasure itself is recorded here; the application destroys the subject's key once
    the event is saved."""
    subject_cls: type[Household | Person] = (
        Household if data["subject_type"] == "household" else Person)
    subject = session.get(subject_cls, data["subject_id"], "subject_id")
    subject.erase_personal_data(data["basis"])


# The household lifecycle registers its handlers here (exit procedure, monitoring).
from ledger import lifecycle_commands  # noqa: E402, F401
