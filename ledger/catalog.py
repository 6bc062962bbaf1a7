"""The one catalog of event types.

Each type is declared once here: who may submit it, whether only the ledger records it, whether
the read views fold it, and what it means. Writers (`ledger.identity.WRITERS`), the command
handlers, the data schemas of the HTTP layer, the projection routes and the catalog endpoint
follow from it; a test fails when any of them lacks a catalogued type or names one that is not.
"""
from __future__ import annotations

from dataclasses import dataclass

ADMIN, INSPECTOR, CADRE, DISCIPLINE = "admin", "inspector", "cadre", "discipline"


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    writers: frozenset[str] = frozenset()
    """Roles that may submit it; empty for a type only the ledger records."""
    derived: bool = False
    """Recorded by the ledger itself as a consequence of another event; never from a client."""
    projected: bool = True
    """Folded into the read views; False for types read from the log alone (tokens, disputes)."""


def _client(name: str, description: str, *writers: str, projected: bool = True) -> EventType:
    return EventType(name, description, frozenset(writers), projected=projected)


def _derived(name: str, description: str, projected: bool = True) -> EventType:
    return EventType(name, description, derived=True, projected=projected)


CATALOG: tuple[EventType, ...] = (
    # Registry
    _client("UnitRegistered", "a township, village or department enters the registry", ADMIN),
    _client("PersonRegistered", "a cadre or official enters the registry", ADMIN),
    _client("HouseholdRegistered", "a household of a village enters the registry", ADMIN),
    _client("HouseholdFactsRecorded", "facts about a household as found on a date",
            ADMIN, INSPECTOR, CADRE),
    _client("ResponsibilityAssigned", "a person takes a role for a household or unit", ADMIN),
    _client("ResponsibilityEnded", "a person's role for a household or unit ends", ADMIN),
    # Supervision
    _client("UnitListed", "a unit is listed for supervision (挂牌督战)", ADMIN, INSPECTOR),
    _client("UnitDelisted", "a listed unit is taken off the list (摘牌)", ADMIN, INSPECTOR),
    _client("InspectionRecorded", "a visit, call or check of a household or unit (a cadre: "
            "a visit or call of a household it holds helper_cadre for on the date)",
            ADMIN, INSPECTOR, CADRE),
    _client("FindingRaised", "a problem is entered in the findings ledger (台账) with a due date",
            ADMIN, INSPECTOR),
    _client("RectificationReported", "the responsible unit reports a finding rectified",
            ADMIN, CADRE),
    _client("RectificationVerified", "an inspector accepts or rejects a reported rectification",
            ADMIN, INSPECTOR),
    _client("DeadlineExtended", "a finding gets a later due date", ADMIN, INSPECTOR),
    _client("FindingWithdrawn", "a finding is withdrawn (raised in error, duplicate)",
            ADMIN, INSPECTOR),
    _client("FindingTransferred", "an open finding passes to another unit (由镇级统筹)",
            ADMIN, INSPECTOR),
    # Warnings and accountability
    _client("WarningIssued", "a unit gets a yellow or red card for a review period",
            ADMIN, INSPECTOR),
    _client("WarningRevoked", "a warning is revoked", ADMIN, INSPECTOR),
    _client("QuarterlyRatingRecorded", "a unit's quarterly light (季度考核亮灯), not a warning",
            ADMIN, INSPECTOR),
    _client("InterviewHeld", "a unit's responsible person is interviewed (约谈)",
            ADMIN, DISCIPLINE),
    _client("AccountabilityMeasureTaken", "a measure against a person, on recorded events",
            DISCIPLINE),
    # Help plans and cross-checks (household lifecycle)
    _client("HelpPlanRecorded", "a household's help plan of a year: causes and measures "
            "(一户一方案); a later one of the same year replaces it", ADMIN, CADRE),
    _client("MeasureCompleted", "a measure of a household's help plan is done", ADMIN, CADRE),
    _client("SystemRecordCompared", "the information system's record of a household, compared "
            "with what the ledger knew valid on its date (数据比对)", ADMIN, INSPECTOR),
    _client("MismatchResolved", "a mismatch with the information system is resolved",
            ADMIN, INSPECTOR),
    # Household lifecycle: the exit procedure (贫困户退出). The village committees and the
    # resident work team carry it out, so a village's cadres record it for their own unit's
    # households (and admins for any); inspectors supervise it and do not take its steps.
    _client("ExitAppraised", "the village's democratic appraisal proposes a household's exit "
            "(民主评议); recorded by the village's cadres", ADMIN, CADRE),
    _client("ExitVerified", "the village committees and work team verify an exit against the "
            "standard (核实); passed only when the household meets it", ADMIN, CADRE),
    _client("ExitAcknowledged", "the household acknowledges its exit (户认可)", ADMIN, CADRE),
    _client("ExitPublicized", "the exit is publicly posted in the village (公示) for at least "
            "exit_notice_days", ADMIN, CADRE),
    _client("ExitObjectionRaised", "an objection to a posted exit, received by the village "
            "while the notice runs", ADMIN, CADRE),
    _client("ExitObjectionSettled", "the objections to a posted exit are settled: upheld ends "
            "the attempt", ADMIN, CADRE),
    _client("HouseholdExited", "the exit is announced and the household leaves the register "
            "(公告, 销号) after the notice, with no objection standing", ADMIN, CADRE),
    # Return-to-poverty monitoring (防止返贫监测): found and followed by the village's cadres.
    _client("MonitoringStarted", "a household enters return-to-poverty monitoring with its "
            "risks (one spell at a time)", ADMIN, CADRE),
    _client("RiskEliminated", "a monitored household's risk is removed (风险消除): income at or "
            "above the edge line, guarantees held, no open finding", ADMIN, CADRE),
    # Poor villages (贫困村出列), recorded at county level
    _client("VillagePopulationRecorded", "a poor village's rural population (农村户籍人口) for "
            "a year, which its poverty incidence is counted against", ADMIN, CADRE),
    _client("VillageExitRecorded", "a poor village exits (贫困村出列): incidence at most "
            "village_exit_incidence and no finding open in it", ADMIN, CADRE),
    # Rule parameters, scoring and disputes
    _client("RuleParameterSet", "a rule parameter takes a value (for a year, or for all)", ADMIN),
    _client("ScoreRecorded", "a village's points in one section of a competition round",
            ADMIN, INSPECTOR),
    _client("DisputeOpened", "a recorded event is contested", ADMIN, INSPECTOR, CADRE, DISCIPLINE,
            projected=False),
    _client("DisputeResolved", "a dispute is upheld or the contested event overturned",
            DISCIPLINE, projected=False),
    _client("PersonalDataErased", "a household's or person's personal data is erased (crypto-"
            "shredding: its key is destroyed, the events and their chain stay)",
            ADMIN, DISCIPLINE, projected=False),
    # Members and dynamic adjustment (the household in full)
    _client("MemberRegistered", "a member of a household enters the registry (家庭成员)",
            ADMIN, CADRE),
    _client("MemberFactsRecorded", "facts about a household member as found on a date "
            "(id number, health, labour, schooling)", ADMIN, CADRE),
    _client("MemberLeft", "a member leaves the household (death, marriage, moving out)",
            ADMIN, CADRE),
    _client("HouseholdReclassified", "a household moves category at county level (动态调整: "
            "新识别, 返贫, 错评, edge identified or cleared)", ADMIN, CADRE),
    # Recorded by the ledger itself
    _derived("InterviewRequired", "a unit got yellow cards in two consecutive review periods"),
    _derived("InterviewVoided", "the yellow cards that made an interview due no longer stand"),
    _derived("FindingAttached", "a finding was entered in its responsible unit's ledger"),
    _derived("OpenFindingCounted", "an open finding was counted by a unit above it or its subject"),
    _derived("OpenFindingSettled",
             "a finding closed, was withdrawn or moved away: a unit no longer counts it"),
    _derived("QuarterlyRatingWithdrawn", "a dispute overturned a quarterly light"),
    _derived("YellowCardNoted", "a yellow card was entered on its unit's record"),
    _derived("YellowCardWithdrawn", "a revoked yellow card was taken off its unit's record"),
    _derived("DataMismatchFound", "a field of a compared record differs from what the ledger "
             "knew valid on its date"),
    _derived("ExitAnnulled", "a dispute overturned a household's exit: it is registered poor "
             "again (数字脱贫 undone)"),
    _derived("HouseholdInspectionNoted", "an inspection's checks and income entered on its "
             "household's record, which exits and monitoring are decided on", projected=False),
    _derived("HouseholdFindingNoted", "a finding entered on its household's record",
             projected=False),
    _derived("RulebookOpened", "the book of rules in force that decisions read was opened",
             projected=False),
    _derived("RuleParameterNoted", "a rule parameter's setting entered in the book of rules "
             "in force", projected=False),
    _derived("PoorVillageHouseholdNoted", "a household registered in a poor village, whose "
             "people count toward the village's poverty incidence", projected=False),
    _derived("VillageExitAnnulled", "a dispute overturned a poor village's exit: it is a poor "
             "village again"),
    _derived("RuleParameterNotedForUnit", "a county's own setting of a rule parameter entered "
             "in the book of rules in force", projected=False),
    _derived("IdNumberClaimed", "a member's id number entered its uniqueness index (by a "
             "keyed hash, never in clear)", projected=False),
    _derived("IdNumberTaken", "a released id number was claimed by another member",
             projected=False),
    _derived("IdNumberReleased", "a member who held an id number left, or was given another",
             projected=False),
    _derived("TokenIssued", "an API token was created (only its SHA-256 digest is kept)",
             projected=False),
    _derived("TokenRevoked", "an API token was revoked", projected=False),
    # Business-time integrity: decisions undone by dispute, late entries and contradictions
    _derived("FindingReopened", "a dispute overturned an accepted rectification: the finding is "
             "open again from the verification's date"),
    _derived("UnitRelisted", "a dispute overturned a delisting: the unit is listed again"),
    _derived("MeasureReopened", "a dispute overturned a help measure's completion"),
    _derived("MonitoringResumed", "a dispute overturned a risk removal: monitoring goes on"),
    _derived("MismatchReopened", "a dispute overturned a mismatch's resolution"),
    _derived("ScoreWithdrawn", "a dispute overturned a competition score"),
    _derived("EventOverturned", "a dispute overturned an event: every read treats it as never "
             "recorded"),
    _derived("LateEntryFlagged", "an event recorded more than late_entry_days after it happened "
             "changed what the ledger said about a date (补录)"),
    _derived("DecisionContradicted", "an event recorded later shows that a decision's conditions "
             "did not hold on its date"),
)

BY_NAME: dict[str, EventType] = {t.name: t for t in CATALOG}
CLIENT_TYPES: tuple[str, ...] = tuple(t.name for t in CATALOG if not t.derived)
DERIVED_TYPES: tuple[str, ...] = tuple(t.name for t in CATALOG if t.derived)
