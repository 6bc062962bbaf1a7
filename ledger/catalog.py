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
    label: str
    """What a person reads for it (Simplified Chinese): the console, print views, spreadsheets."""
    description: str
    writers: frozenset[str] = frozenset()
    """Roles that may submit it; empty for a type only the ledger records."""
    derived: bool = False
    """Recorded by the ledger itself as a consequence of another event; never from a client."""
    projected: bool = True
    """Folded into the read views; False for types read from the log alone (tokens, disputes)."""


def _client(name: str, label: str, description: str, *writers: str,
            projected: bool = True) -> EventType:
    return EventType(name, label, description, frozenset(writers), projected=projected)


def _derived(name: str, label: str, description: str, projected: bool = True) -> EventType:
    return EventType(name, label, description, derived=True, projected=projected)


CATALOG: tuple[EventType, ...] = (
    # Registry
    _client("UnitRegistered", "登记单位",
            "a township, village or department enters the registry", ADMIN),
    _client("PersonRegistered", "登记人员", "a cadre or official enters the registry", ADMIN),
    _client("HouseholdRegistered", "登记农户",
            "a household of a village enters the registry", ADMIN),
    _client("HouseholdFactsRecorded", "记录农户情况", "facts about a household as found on a date",
            ADMIN, INSPECTOR, CADRE),
    _client("ResponsibilityAssigned", "明确责任人",
            "a person takes a role for a household or unit", ADMIN),
    _client("ResponsibilityEnded", "解除责任",
            "a person's role for a household or unit ends", ADMIN),
    # Supervision
    _client("UnitListed", "挂牌督战",
            "a unit is listed for supervision (挂牌督战)", ADMIN, INSPECTOR),
    _client("UnitDelisted", "摘牌", "a listed unit is taken off the list (摘牌)", ADMIN, INSPECTOR),
    _client("InspectionRecorded", "记录走访检查",
            "a visit, call or check of a household or unit (a cadre: "
            "a visit or call of a household it holds helper_cadre for on the date)",
            ADMIN, INSPECTOR, CADRE),
    _client("FindingRaised", "录入问题",
            "a problem is entered in the findings ledger (台账) with a due date",
            ADMIN, INSPECTOR),
    _client("RectificationReported", "报告整改", "the responsible unit reports a finding rectified",
            ADMIN, CADRE),
    _client("RectificationVerified", "核验整改",
            "an inspector accepts or rejects a reported rectification",
            ADMIN, INSPECTOR),
    _client("DeadlineExtended", "延长整改期限",
            "a finding gets a later due date", ADMIN, INSPECTOR),
    _client("FindingWithdrawn", "撤销问题", "a finding is withdrawn (raised in error, duplicate)",
            ADMIN, INSPECTOR),
    _client("FindingTransferred", "问题移交", "an open finding passes to another unit (由镇级统筹)",
            ADMIN, INSPECTOR),
    # Warnings and accountability
    _client("WarningIssued", "黄红牌警告", "a unit gets a yellow or red card for a review period",
            ADMIN, INSPECTOR),
    _client("WarningRevoked", "撤销警告", "a warning is revoked", ADMIN, INSPECTOR),
    _client("QuarterlyRatingRecorded", "季度考核亮灯",
            "a unit's quarterly light (季度考核亮灯), not a warning",
            ADMIN, INSPECTOR),
    _client("InterviewHeld", "约谈", "a unit's responsible person is interviewed (约谈)",
            ADMIN, DISCIPLINE),
    _client("AccountabilityMeasureTaken", "问责处理",
            "a measure against a person, on recorded events",
            DISCIPLINE),
    # Help plans and cross-checks (household lifecycle)
    _client("HelpPlanRecorded", "帮扶计划",
            "a household's help plan of a year: causes and measures "
            "(一户一方案); a later one of the same year replaces it", ADMIN, CADRE),
    _client("MeasureCompleted", "帮扶措施完成",
            "a measure of a household's help plan is done", ADMIN, CADRE),
    _client("SystemRecordCompared", "系统数据比对",
            "the information system's record of a household, compared "
            "with what the ledger knew valid on its date (数据比对)", ADMIN, INSPECTOR),
    _client("MismatchResolved", "不一致已处理",
            "a mismatch with the information system is resolved",
            ADMIN, INSPECTOR),
    # Household lifecycle: the exit procedure (贫困户退出). The village committees and the
    # resident work team carry it out, so a village's cadres record it for their own unit's
    # households (and admins for any); inspectors supervise it and do not take its steps.
    _client("ExitAppraised", "民主评议",
            "the village's democratic appraisal proposes a household's exit "
            "(民主评议); recorded by the village's cadres", ADMIN, CADRE),
    _client("ExitVerified", "退出核实",
            "the village committees and work team verify an exit against the "
            "standard (核实); passed only when the household meets it", ADMIN, CADRE),
    _client("ExitAcknowledged", "户认可",
            "the household acknowledges its exit (户认可)", ADMIN, CADRE),
    _client("ExitPublicized", "公示",
            "the exit is publicly posted in the village (公示) for at least "
            "exit_notice_days", ADMIN, CADRE),
    _client("ExitObjectionRaised", "公示期异议",
            "an objection to a posted exit, received by the village "
            "while the notice runs", ADMIN, CADRE),
    _client("ExitObjectionSettled", "异议处理",
            "the objections to a posted exit are settled: upheld ends "
            "the attempt", ADMIN, CADRE),
    _client("HouseholdExited", "公告销号",
            "the exit is announced and the household leaves the register "
            "(公告, 销号) after the notice, with no objection standing", ADMIN, CADRE),
    # Return-to-poverty monitoring (防止返贫监测): found and followed by the village's cadres.
    _client("MonitoringStarted", "纳入监测",
            "a household enters return-to-poverty monitoring with its "
            "risks (one spell at a time)", ADMIN, CADRE),
    _client("RiskEliminated", "风险消除",
            "a monitored household's risk is removed (风险消除): income at or "
            "above the edge line, guarantees held, no open finding", ADMIN, CADRE),
    # Poor villages (贫困村出列), recorded at county level
    _client("VillagePopulationRecorded", "记录村人口",
            "a poor village's rural population (农村户籍人口) for "
            "a year, which its poverty incidence is counted against", ADMIN, CADRE),
    _client("VillageExitRecorded", "贫困村出列",
            "a poor village exits (贫困村出列): incidence at most "
            "village_exit_incidence and no finding open in it", ADMIN, CADRE),
    # Rule parameters, scoring and disputes
    _client("RuleParameterSet", "设置规则参数",
            "a rule parameter takes a value (for a year, or for all)", ADMIN),
    _client("ScoreRecorded", "记录比武得分",
            "a village's points in one section of a competition round",
            ADMIN, INSPECTOR),
    _client("DisputeOpened", "提出异议",
            "a recorded event is contested", ADMIN, INSPECTOR, CADRE, DISCIPLINE,
            projected=False),
    _client("DisputeResolved", "异议处理结果",
            "a dispute is upheld or the contested event overturned",
            DISCIPLINE, projected=False),
    _client("PersonalDataErased", "个人信息删除",
            "a household's or person's personal data is erased (crypto-"
            "shredding: its key is destroyed, the events and their chain stay)",
            ADMIN, DISCIPLINE, projected=False),
    # Members and dynamic adjustment (the household in full)
    _client("MemberRegistered", "登记家庭成员",
            "a member of a household enters the registry (家庭成员)",
            ADMIN, CADRE),
    _client("MemberFactsRecorded", "记录成员情况",
            "facts about a household member as found on a date "
            "(id number, health, labour, schooling)", ADMIN, CADRE),
    _client("MemberLeft", "成员减少", "a member leaves the household (death, marriage, moving out)",
            ADMIN, CADRE),
    _client("HouseholdReclassified", "动态调整",
            "a household moves category at county level (动态调整: "
            "新识别, 返贫, 错评, edge identified or cleared)", ADMIN, CADRE),
    # Recorded by the ledger itself
    _derived("InterviewRequired", "应约谈",
             "a unit got yellow cards in two consecutive review periods"),
    _derived("InterviewVoided", "约谈取消",
             "the yellow cards that made an interview due no longer stand"),
    _derived("FindingAttached", "问题入账",
             "a finding was entered in its responsible unit's ledger"),
    _derived("OpenFindingCounted", "计入上级未整改问题",
             "an open finding was counted by a unit above it or its subject"),
    _derived("OpenFindingSettled", "上级未整改问题核销",
             "a finding closed, was withdrawn or moved away: a unit no longer counts it"),
    _derived("QuarterlyRatingWithdrawn", "撤销季度评定", "a dispute overturned a quarterly light"),
    _derived("YellowCardNoted", "黄牌记录", "a yellow card was entered on its unit's record"),
    _derived("YellowCardWithdrawn", "黄牌撤回",
             "a revoked yellow card was taken off its unit's record"),
    _derived("DataMismatchFound", "数据不一致",
             "a field of a compared record differs from what the ledger "
             "knew valid on its date"),
    _derived("ExitAnnulled", "退出撤销",
             "a dispute overturned a household's exit: it is registered poor "
             "again (数字脱贫 undone)"),
    _derived("HouseholdInspectionNoted", "检查记入农户档案",
             "an inspection's checks and income entered on its "
             "household's record, which exits and monitoring are decided on", projected=False),
    _derived("HouseholdFindingNoted", "问题记入农户档案",
             "a finding entered on its household's record",
             projected=False),
    _derived("RulebookOpened", "启用规则册",
             "the book of rules in force that decisions read was opened",
             projected=False),
    _derived("RuleParameterNoted", "规则参数记入规则册",
             "a rule parameter's setting entered in the book of rules "
             "in force", projected=False),
    _derived("PoorVillageHouseholdNoted", "计入贫困村户数",
             "a household registered in a poor village, whose "
             "people count toward the village's poverty incidence", projected=False),
    _derived("VillageExitAnnulled", "贫困村出列撤销",
             "a dispute overturned a poor village's exit: it is a poor "
             "village again"),
    _derived("RuleParameterNotedForUnit", "本县规则参数记入规则册",
             "a county's own setting of a rule parameter entered "
             "in the book of rules in force", projected=False),
    _derived("IdNumberClaimed", "身份证号登记",
             "a member's id number entered its uniqueness index (by a "
             "keyed hash, never in clear)", projected=False),
    _derived("IdNumberTaken", "身份证号重新登记",
             "a released id number was claimed by another member",
             projected=False),
    _derived("IdNumberReleased", "身份证号释放",
             "a member who held an id number left, or was given another",
             projected=False),
    _derived("TokenIssued", "发放令牌",
             "an API token was created (only its SHA-256 digest is kept)",
             projected=False),
    _derived("TokenRevoked", "吊销令牌", "an API token was revoked", projected=False),
    # Business-time integrity: decisions undone by dispute, late entries and contradictions
    _derived("FindingReopened", "问题重新打开",
             "a dispute overturned an accepted rectification: the finding is "
             "open again from the verification's date"),
    _derived("UnitRelisted", "重新挂牌",
             "a dispute overturned a delisting: the unit is listed again"),
    _derived("MeasureReopened", "措施重新打开", "a dispute overturned a help measure's completion"),
    _derived("MonitoringResumed", "恢复监测",
             "a dispute overturned a risk removal: monitoring goes on"),
    _derived("MismatchReopened", "不一致重新打开", "a dispute overturned a mismatch's resolution"),
    _derived("ScoreWithdrawn", "得分撤回", "a dispute overturned a competition score"),
    _derived("EventOverturned", "事件被推翻",
             "a dispute overturned an event: every read treats it as never "
             "recorded"),
    _derived("LateEntryFlagged", "补录标记",
             "an event recorded more than late_entry_days after it happened "
             "changed what the ledger said about a date (补录)"),
    _derived("DecisionContradicted", "决定与事实不符",
             "an event recorded later shows that a decision's conditions "
             "did not hold on its date"),
)

BY_NAME: dict[str, EventType] = {t.name: t for t in CATALOG}
CLIENT_TYPES: tuple[str, ...] = tuple(t.name for t in CATALOG if not t.derived)
DERIVED_TYPES: tuple[str, ...] = tuple(t.name for t in CATALOG if t.derived)
