"""Simplified Chinese for the console: labels of fields, values and statuses, and messages.

The API keeps its English names; the console shows these. A name without a label is shown as
it is, so a field another module adds appears before it is translated."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ledger.catalog import CATALOG

# Each event type's label is the catalog's own (`ledger.catalog.EventType.label`).
EVENT_TYPES = {t.name: t.label for t in CATALOG}

ROLES = {"admin": "管理员", "inspector": "督查员", "cadre": "村（单位）干部",
         "discipline": "纪委", "viewer": "查看者"}


FIELDS = {
    "unit_id": "单位编号", "name": "名称", "kind": "类别", "parent_id": "上级单位",
    "person_id": "人员编号", "household_id": "户编号", "village_id": "村编号",
    "township_id": "乡镇编号", "head_name": "户主", "size": "家庭人口", "category": "类别",
    "exit_year": "脱贫年度", "role": "职责", "subject_type": "对象类型", "subject_id": "对象编号",
    "effective_from": "起始日期", "effective_to": "终止日期", "level": "挂牌级别",
    "supervising_unit_id": "督战单位", "due_date": "整改期限", "inspection_id": "检查编号",
    "method": "方式", "inspector_ids": "检查人员", "checks": "两不愁三保障及饮水安全",
    "income": "收入（元/年）", "food": "吃（不愁吃）", "clothing": "穿（不愁穿）",
    "education": "义务教育", "medical": "基本医疗", "housing": "住房安全", "water": "饮水安全",
    "wage": "工资性收入", "business": "经营性收入", "transfer": "转移性收入",
    "property": "财产性收入", "finding_id": "问题编号", "description": "问题描述",
    "responsible_unit_id": "责任单位", "responsible_person_id": "责任人", "source": "问题来源",
    "sector": "行业", "evidence": "佐证材料", "accepted": "核验结论", "note": "说明",
    "new_due_date": "新期限", "reason": "理由", "to_unit_id": "移交单位",
    "to_person_id": "新责任人",
    "warning_id": "警告编号", "color": "颜色", "period": "期间", "finding_ids": "相关问题",
    "measure": "问责方式", "basis": "依据（事件编号）", "parameter": "参数", "value": "数值",
    "year": "年度", "round_id": "比武轮次", "section": "板块", "points": "得分",
    "dispute_id": "异议编号", "contested_event_id": "被异议事件", "grounds": "理由",
    "outcome": "结果", "occurred_at": "发生时间", "type": "事件类型",
    "light": "亮灯", "score": "得分", "votes_for": "赞成票", "votes_total": "总票数",
    "passed": "是否通过", "from": "起始日期", "to": "截止日期", "upheld": "异议是否成立",
    "monitoring_type": "监测类型", "risks": "风险", "causes": "致贫原因", "measures": "帮扶措施",
    "measure_id": "措施编号", "as_of_date": "比对日期", "record": "系统记录",
    "resolution": "处理方式", "mismatch_event_id": "不一致事件", "labour_coefficient": "劳动力系数",
    "has_labour": "有劳动力", "has_industry_or_employment": "有产业或就业",
    "seriously_ill_members": "重病人数",
    "children_in_non_compulsory_education": "非义务教育阶段子女数",
    "only_house_earthen": "唯一住房为土坯房", "near_disaster_hazard": "地灾隐患点附近",
    "failed_industry_or_unstable_employment": "产业失败或就业不稳",
    "lacks_motivation": "缺乏内生动力", "single_over_45": "45岁以上单身",
    "poverty_status": "贫困状态", "exit_class": "分类", "key_household": "重点户",
    "monitoring": "监测", "last_visit": "最近走访", "open_findings": "未销号问题",
    "status": "状态", "overdue": "逾期", "raised_on": "录入日期", "closed_on": "销号日期",
    "raised_event": "录入事件", "closing_event": "销号事件", "per_capita_income": "人均纯收入",
    "rollup": "汇总", "lights": "季度亮灯", "supervision_gaps": "督战空档",
    "lights_by_quarter": "季度亮灯", "supervision_inspections": "督战检查",
    "supervision_period_days": "督战周期（天）", "open_findings_in_subtree": "下辖未销号问题",
    "transferred_out": "已移交问题", "overdue_before_transfer": "移交前已逾期",
    "withdrawn_event": "撤回事件", "objections_open": "未处理异议", "notice": "公示期",
    "until": "截止", "units": "单位数", "key_households": "重点户",
    "erased": "已删除的个人信息",
    "on": "日期", "event_id": "事件", "event_ids": "依据事件", "periods": "期间",
    "warning_ids": "警告", "held_event": "约谈事件", "voided_event": "取消事件",
    "assigned_event": "任命事件", "ended_event": "解除事件", "registered_event": "登记事件",
    "issued_on": "警告日期", "revoked_event": "撤销事件", "revoked": "已撤销",
    "steps": "已完成步骤", "next_step": "下一步", "since": "起始", "by_category": "按类别",
    "by_poverty_status": "按贫困状态", "by_exit_class": "按分类", "monitored": "监测户",
    "visit_coverage": "走访覆盖率", "households": "农户", "findings": "问题",
    "households_by_category": "按类别农户", "open": "未销号", "overdue_findings": "逾期问题",
    "deadline": "期限", "done": "已完成", "person": "人员",
    # The unit board's roll-up and rule settings.
    "total": "合计", "by_type": "按类型", "on_units": "单位问题", "on_households": "农户问题",
    "period_days": "周期（天）", "visited": "已走访", "share": "占比", "people": "人口",
    "poverty_incidence": "贫困发生率", "population": "人口", "poor_people": "贫困人口",
    "incidence": "贫困发生率", "contradicted_decisions": "被推翻的决定", "poor_village": "贫困村",
    "populations": "人口", "village_exit": "贫困村退出", "default": "默认规则",
    # The finding and accountability trail pages.
    "closed_late": "逾期销号", "original_due_date": "原整改期限", "due_date_extensions": "延期记录",
    "responsibility_history": "责任变更", "transfers": "移交记录", "days": "天数",
    "visited_at_end": "期末已走访", "overdue_help_measures": "逾期帮扶措施",
    "late": "补录", "contradicted": "被推翻", "overdue_on": "逾期起始日", "extensions": "延期记录",
    "overdue_mismatches": "逾期未处理的比对不一致", "overturned_decisions": "被推翻的决定",
    "late_entries": "补录事项",
}

VALUES = {
    "household": "农户", "unit": "单位", "person": "人员", "finding": "问题",
    "county": "县", "township": "乡镇", "village": "村", "group": "组", "department": "部门",
    "registered_poor": "建档立卡贫困户", "edge": "边缘户", "monitored": "监测户", "other": "其他",
    "exited": "已脱贫", "not_registered": "未建档",
    "helper_cadre": "帮扶责任人", "first_secretary": "第一书记", "village_secretary": "村支书",
    "resident_leader": "驻村领导", "department_head": "部门负责人", "unit_head": "单位负责人",
    "city": "市级", "district": "区级",
    "visit": "入户走访", "phone": "电话回访", "unannounced": "四不两直", "self_check": "自查",
    "cross_check": "交叉检查", "supervision": "督战", "roving": "巡回督战", "special": "专项查",
    "observation": "观摩查", "exposure": "晾晒通报查", "interactive": "互动查",
    "met": "达标", "unmet": "未达标", "na": "不适用", "unknown": "未知",
    "open": "未整改", "rectification_reported": "已报整改", "closed": "已销号",
    "withdrawn": "已撤销",
    "yellow": "黄", "red": "红", "green": "绿",
    "reminder_talk": "提醒谈话", "admonishment": "诫勉谈话", "circulated_criticism": "通报批评",
    "disciplinary_sanction": "党纪政务处分", "removal": "免职",
    "upheld": "维持", "overturned": "撤销（推翻）", "due": "待约谈", "held": "已约谈",
    "voided": "已取消", "true": "是", "false": "否",
    "inspection": "检查", "patrol_review": "巡视回头看", "assessment": "考核", "audit": "审计",
    "complaint": "信访举报", "health": "卫生健康", "water_supply": "供水", "industry": "产业",
    "employment": "就业", "social_security": "社会保障", "relocation": "易地搬迁", "data": "数据",
    "unstable_exited": "脱贫不稳定户", "sudden_hardship": "突发严重困难户",
    "ledger_corrected": "台账更正", "system_corrected": "系统更正", "explained": "已说明",
    "illness": "疾病", "disability": "残疾", "disaster": "灾害", "accident": "意外事故",
    "unemployment": "失业", "industry_failure": "产业失败", "education_costs": "教育支出",
    "education": "教育", "lack_land": "缺土地", "lack_water": "缺水", "lack_skills": "缺技术",
    "lack_labour": "缺劳力", "lack_funds": "缺资金", "poor_transport": "交通条件落后",
    "lack_motivation": "自身发展动力不足", "housing": "住房", "ecological": "生态补偿",
    "national_system": "全国扶贫开发信息系统", "water": "饮水",
    "ended": "已终止", "annulled": "已撤销退出", "unclassified": "无分类",
}

CRITERIA = {
    "transfer_income_over_40_percent": "转移性收入占比超过40%",
    "labour_coefficient_below_half": "劳动力系数低于0.5",
    "labour_without_industry_or_employment": "有劳动力但无产业或就业覆盖",
    "seriously_ill_member": "有重病患者",
    "three_children_in_non_compulsory_education": "3个及以上子女在非义务教育阶段就读",
    "only_house_earthen": "唯一住房为土坯房",
    "near_disaster_hazard": "居住在地灾隐患点附近",
    "failed_industry_or_unstable_employment": "产业投资失败或就业不稳定",
    "lacks_motivation": "缺乏内生发展动力",
    "single_over_45": "45岁以上单身",
}

ERROR_CODES = {
    "not_found": "所引用的对象不存在", "forbidden": "无权执行此操作",
    "invalid_transition": "不符合当前流程状态", "already_exists": "编号已存在",
    "conflict": "与台账已有记录冲突", "invalid": "不符合规则",
    "idempotency_key_reused": "重复提交的内容不同",
}

_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing data for required field"), "此项必填"),
    (re.compile(r"^Not a valid date"), "日期格式应为 年-月-日（如 2020-03-12）"),
    (re.compile(r"^Not a valid (date)?time"), "时间格式不正确"),
    (re.compile(r"^Not a valid number"), "须为数字"),
    (re.compile(r"^Not a valid integer"), "须为整数"),
    (re.compile(r"^Not a valid boolean"), "须选择是或否"),
    (re.compile(r"^Not a valid list"), "须为列表"),
    (re.compile(r"^Must be one of"), "须从给定选项中选择"),
    (re.compile(r"^must be 1-64 letters"), "编号须为1至64个字母、数字或 . _ - :"),
    (re.compile(r"^(Shorter than|Length must be|Longer than)"),
     "长度不符合要求（不能为空，也不能过长）"),
    (re.compile(r"^Must be (greater|less) than"), "数值超出允许范围"),
    (re.compile(r"^Unknown field"), "不认识的字段"),
    (re.compile(r"^must be 64 hex digits"), "须为64位十六进制摘要"),
    (re.compile(r"is in the future"), "发生时间不能晚于当前时间"),
    (re.compile(r"^must not contain NUL"), "含有无法保存的字符"),
    (re.compile(r"^Field may not be null"), "此项必填"),
]


def field(name: str) -> str:
    return FIELDS.get(name, name)


def value(name: Any) -> str:
    if isinstance(name, bool):
        return VALUES["true" if name else "false"]
    if name is None:
        return "—"
    return VALUES.get(str(name), str(name))


def event_type(name: str) -> str:
    return EVENT_TYPES.get(name, name)


def message(english: str) -> str:
    """A validation message in Chinese (the original kept beside an untranslated one)."""
    for pattern, chinese in _MESSAGES:
        if pattern.search(english):
            return chinese
    return f"输入有误（{english}）"


def refusal(code: str, english: str) -> str:
    """A refusal of the ledger in Chinese: its reason translated where the ledger's words are
    known, the ledger's own words in brackets otherwise (for the record)."""
    label = ERROR_CODES.get(code, "被拒绝")
    for pattern, say in _REFUSALS:
        found = pattern.search(english)
        if found:
            return f"{label}：{say(found)}"
    return f"{label}（{english}）"


def _kind(name: str) -> str:
    return _KINDS.get(name) or VALUES.get(name) or "对象"


_KINDS = {"household": "农户", "unit": "单位", "person": "人员", "finding": "问题",
          "event": "台账事件", "dispute": "异议", "village": "村", "measure": "帮扶措施",
          "warning": "预警", "round": "检查批次"}
_REFUSALS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^role (\w+) may not record (\w+)"),
     lambda m: f"{ROLES.get(m[1], m[1])}不能记录「{event_type(m[2])}」"),
    (re.compile(r"^(\w+) '([^']*)' does not exist"),
     lambda m: f"{_kind(m[1])}「{m[2]}」不存在"),
    (re.compile(r"^(\w+) '([^']*)' already exists"),
     lambda m: f"{_kind(m[1])}「{m[2]}」已登记"),
    (re.compile(r"^a cadre may .* only within its own unit"),
     lambda m: "村（单位）干部只能在本单位范围内操作"),
    (re.compile(r"^unit (\S+) is not listed"), lambda m: f"单位「{m[1]}」不在贫困名单内"),
    (re.compile(r"^unit (\S+) is already listed"), lambda m: f"单位「{m[1]}」已在贫困名单内"),
    (re.compile(r"^the notice runs (\d+) days; it must run at least (\d+)"),
     lambda m: f"公示期为 {m[1]} 天，至少应为 {m[2]} 天"),
    (re.compile(r"^new_due_date must be after the current due date (\S+)"),
     lambda m: f"新的整改期限须晚于现期限 {m[1]}"),
]

# The household in full: members (家庭成员) and dynamic adjustment (动态调整).
FIELDS |= {
    "member_id": "成员编号", "relation": "与户主关系", "birth_date": "出生日期",
    "id_number": "身份证号", "labour": "劳动能力", "schooling": "在校情况",
    "members": "家庭成员", "members_incomplete": "成员未录全", "present": "在户",
    "left": "已减员", "registered_on": "登记日期", "reclassifications": "动态调整记录",
    "earlier_exits": "以往退出记录", "from_members": "据成员判定",
}
VALUES |= {
    "head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母", "grandchild": "孙子女",
    "sibling": "兄弟姐妹", "healthy": "健康", "chronic_illness": "慢性病",
    "serious_illness": "大病", "disability": "残疾", "full": "全劳动力", "partial": "半劳动力",
    "preschool": "学前", "compulsory": "义务教育", "high_school": "高中",
    "vocational": "中职", "college": "大学", "death": "死亡", "marriage_out": "婚出",
    "moved_out": "迁出", "newly_identified": "新识别", "returned_to_poverty": "返贫",
    "wrongly_registered": "错评", "edge_identified": "纳入边缘户", "edge_cleared": "退出边缘户",
}
