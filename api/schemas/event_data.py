"""One schema per client event type, validating its `data` (CONTRACT.md, event types)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from api.schemas.fields import (
    LONG_TEXT,
    Choice,
    Flag,
    Identifier,
    IdentifierList,
    IsoDate,
    Money,
    Text,
)
from ledger.domain.adjustment import RECLASSIFICATIONS
from ledger.domain.crosscheck import POVERTY_STATUSES, RESOLUTIONS
from ledger.domain.members import (
    HEALTH,
    LABOUR,
    LEAVING_REASONS,
    RELATIONS,
    SCHOOLING,
    normalised_id_number,
)
from ledger.domain.monitoring import MONITORING_TYPES, RISKS
from ledger.domain.plans import MEASURE_KINDS, POVERTY_CAUSES
from ledger.domain.registry import HOUSEHOLD_CATEGORIES, HOUSEHOLD_ROLES, MEASURES
from ledger.domain.rules import PARAMETERS as RULE_PARAMETERS
from ledger.domain.rules import PER_UNIT as PER_UNIT_PARAMETERS
from ledger.domain.scoring import DISPUTE_OUTCOMES, SECTION_MAXIMA
from ledger.domain.supervision import (
    CHECK_VALUES,
    FINDING_SECTORS,
    FINDING_SOURCES,
    INSPECTION_METHODS,
    WARNING_COLORS,
)
from ledger.domain.units import LIGHTS, LISTING_LEVELS, UNIT_KINDS, UNIT_ROLES

SUBJECT_TYPES = ("household", "unit")
# What the information system may say a household's category is (exited: CONTRACT.md).
COMPARED_CATEGORIES = tuple(dict.fromkeys((*HOUSEHOLD_CATEGORIES, "exited")))
RESPONSIBILITY_ROLES = tuple(dict.fromkeys(HOUSEHOLD_ROLES + UNIT_ROLES))
ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9Xx]$"  # 身份证号's shape (its check digit: the ledger's)


class Strict(Schema):
    class Meta:
        unknown = RAISE


def by_choice(generated: dict[str, Any], choice: str,
              refine: Callable[[str, dict[str, Any]], None]) -> dict[str, Any]:
    """The documented schema and, within it, one variant per value of the field `choice`, each
    refined (`refine(value, properties)`), for rules that tie other fields to that value."""
    variants = []
    for value in generated["properties"][choice]["enum"]:
        properties = {name: dict(prop) for name, prop in generated["properties"].items()}
        properties[choice]["enum"] = [value]
        refine(value, properties)
        variants.append({**generated, "properties": properties})
    return {**generated, "oneOf": variants}


def Year(**kwargs: Any) -> fields.Integer:  # noqa: N802 - reads as a field type
    return fields.Integer(strict=True, validate=validate.Range(min=2000, max=2100), **kwargs)


class IncomeSchema(Strict):
    wage = Money()
    business = Money()
    transfer = Money()
    property = Money()


class ChecksSchema(Strict):
    food = Choice(CHECK_VALUES)
    clothing = Choice(CHECK_VALUES)
    education = Choice(CHECK_VALUES)
    medical = Choice(CHECK_VALUES)
    housing = Choice(CHECK_VALUES)
    water = Choice(CHECK_VALUES)


class EvidenceSchema(Strict):
    name = Text(required=True)
    sha256 = fields.String(
        required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$", error="must be 64 hex digits")
    )


# Registry ---------------------------------------------------------------------
class UnitRegistered(Strict):
    unit_id = Identifier(required=True)
    name = Text(required=True)
    kind = Choice(UNIT_KINDS, required=True)
    parent_id = Identifier()
    poor_village = Flag(metadata={"description": "a village only: a poor village (贫困村)"})


class PersonRegistered(Strict):
    person_id = Identifier(required=True)
    name = Text(required=True)
    unit_id = Identifier(required=True)


class HouseholdRegistered(Strict):
    household_id = Identifier(required=True)
    village_id = Identifier(required=True)
    head_name = Text(required=True)
    size = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=50))
    category = Choice(HOUSEHOLD_CATEGORIES, required=True)
    exit_year = Year(metadata={"description": "with category exited only: the year it left "
                                              "poverty, before the ledger began"})

    @validates_schema
    def exit_year_with_exited(self, data: dict, **_: object) -> None:
        if data.get("category") == "exited" and "exit_year" not in data:
            raise ValidationError("required with category exited", "exit_year")
        if data.get("category") != "exited" and "exit_year" in data:
            raise ValidationError("only with category exited", "exit_year")

    @classmethod
    def openapi(cls, converter: Any, generated: dict[str, Any]) -> dict[str, Any]:
        def refine(category: str, properties: dict[str, Any]) -> None:
            if category != "exited":
                del properties["exit_year"]

        documented = by_choice(generated, "category", refine)
        for variant in documented["oneOf"]:
            if variant["properties"]["category"]["enum"] == ["exited"]:
                variant["required"] = [*variant.get("required", []), "exit_year"]
        return documented


class HouseholdFactsRecorded(Strict):
    household_id = Identifier(required=True)
    size = fields.Integer(strict=True, validate=validate.Range(min=1, max=50))
    category = Choice(HOUSEHOLD_CATEGORIES)
    income = fields.Nested(IncomeSchema)
    labour_coefficient = fields.Float(allow_nan=False, validate=validate.Range(min=0, max=50))
    has_labour = Flag()
    has_industry_or_employment = Flag()
    seriously_ill_members = fields.Integer(strict=True, validate=validate.Range(min=0, max=50))
    children_in_non_compulsory_education = fields.Integer(
        strict=True, validate=validate.Range(min=0, max=50)
    )
    only_house_earthen = Flag()
    near_disaster_hazard = Flag()
    failed_industry_or_unstable_employment = Flag()
    lacks_motivation = Flag()
    single_over_45 = Flag()


class ResponsibilityAssigned(Strict):
    person_id = Identifier(required=True)
    role = Choice(RESPONSIBILITY_ROLES, required=True)
    subject_type = Choice(SUBJECT_TYPES, required=True)
    subject_id = Identifier(required=True)
    effective_from = IsoDate(required=True)


class ResponsibilityEnded(Strict):
    person_id = Identifier(required=True)
    role = Choice(RESPONSIBILITY_ROLES, required=True)
    subject_type = Choice(SUBJECT_TYPES, required=True)
    subject_id = Identifier(required=True)
    effective_to = IsoDate(required=True)


# Supervision ------------------------------------------------------------------
class UnitListed(Strict):
    unit_id = Identifier(required=True)
    level = Choice(LISTING_LEVELS, required=True)
    supervising_unit_id = Identifier(metadata={"description": "the supervising unit (督战单位)"})
    due_date = IsoDate(metadata={"description": "the target date for delisting (摘牌)"})


class UnitDelisted(Strict):
    unit_id = Identifier(required=True)


class InspectionRecorded(Strict):
    inspection_id = Identifier(required=True)
    subject_type = Choice(SUBJECT_TYPES, required=True)
    subject_id = Identifier(required=True)
    method = Choice(INSPECTION_METHODS, required=True)
    inspector_ids = IdentifierList(min_length=1, required=True)
    checks = fields.Nested(ChecksSchema)
    income = fields.Nested(IncomeSchema)


class FindingRaised(Strict):
    finding_id = Identifier(required=True)
    subject_type = Choice(SUBJECT_TYPES, required=True)
    subject_id = Identifier(required=True)
    category = Text(required=True)
    description = Text(LONG_TEXT, required=True)
    responsible_unit_id = Identifier(required=True)
    due_date = IsoDate(required=True)
    inspection_id = Identifier()
    responsible_person_id = Identifier()
    source = Choice(FINDING_SOURCES, metadata={"description": "where it came from"})
    sector = Choice(FINDING_SECTORS, metadata={"description": "the sector ledger (行业台账)"})


class RectificationReported(Strict):
    finding_id = Identifier(required=True)
    description = Text(LONG_TEXT, required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), validate=validate.Length(max=100))


class RectificationVerified(Strict):
    finding_id = Identifier(required=True)
    accepted = Flag(required=True)
    note = Text(LONG_TEXT, required=True)


class DeadlineExtended(Strict):
    finding_id = Identifier(required=True)
    new_due_date = IsoDate(required=True)
    reason = Text(LONG_TEXT, required=True)
    approved_by = Identifier(metadata={"description": "person who approved the extension"})


class FindingWithdrawn(Strict):
    finding_id = Identifier(required=True)
    reason = Text(LONG_TEXT, required=True)


class FindingTransferred(Strict):
    finding_id = Identifier(required=True)
    to_unit_id = Identifier(required=True)
    reason = Text(LONG_TEXT, required=True)
    to_person_id = Identifier(
        metadata={"description": "the new responsible person; absent, none is named"})


# Warnings and accountability --------------------------------------------------
class WarningIssued(Strict):
    warning_id = Identifier(required=True)
    unit_id = Identifier(required=True)
    color = Choice(WARNING_COLORS, required=True)
    period = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$",
            error="must be a quarter like 2020-Q1 or a month like 2020-03",
        ),
    )
    reason = Text(LONG_TEXT, required=True)
    finding_ids = IdentifierList()


class QuarterlyRatingRecorded(Strict):
    unit_id = Identifier(required=True)
    period = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{4}-Q[1-4]$", error="must be a quarter like 2020-Q1"),
    )
    light = Choice(LIGHTS, required=True)
    score = fields.Float(allow_nan=False, validate=validate.Range(min=0, max=100))
    note = Text(LONG_TEXT)


class WarningRevoked(Strict):
    warning_id = Identifier(required=True)
    reason = Text(LONG_TEXT, required=True)


class InterviewHeld(Strict):
    unit_id = Identifier(required=True)
    person_id = Identifier(required=True)
    note = Text(LONG_TEXT, required=True)


class AccountabilityMeasureTaken(Strict):
    person_id = Identifier(required=True)
    measure = Choice(MEASURES, required=True)
    basis = IdentifierList(min_length=1, required=True)
    note = Text(LONG_TEXT, required=True)


# Scoring and disputes ---------------------------------------------------------
class ScoreRecorded(Strict):
    round_id = Identifier(required=True)
    village_id = Identifier(required=True)
    section = Choice(tuple(SECTION_MAXIMA), required=True)
    points = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=50))
    month = fields.String(
        validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="must be a month: YYYY-MM"),
        metadata={"description": "the month the round scores (大比武 is monthly), e.g. 2020-03"})

    @validates_schema
    def points_within_section(self, data: dict, **_: object) -> None:
        maximum = SECTION_MAXIMA[data["section"]]
        if data["points"] > maximum:
            raise ValidationError(f"must be at most {maximum} in section {data['section']}",
                                  "points")

    @classmethod
    def openapi(cls, converter: Any, generated: dict[str, Any]) -> dict[str, Any]:
        def refine(section: str, properties: dict[str, Any]) -> None:
            properties["points"]["maximum"] = SECTION_MAXIMA[section]

        return by_choice(generated, "section", refine)


class DisputeOpened(Strict):
    dispute_id = Identifier(required=True)
    contested_event_id = Identifier(required=True)
    grounds = Text(LONG_TEXT, required=True)


class DisputeResolved(Strict):
    dispute_id = Identifier(required=True)
    outcome = Choice(DISPUTE_OUTCOMES, required=True)
    note = Text(LONG_TEXT, required=True)


# Help plans and cross-checks --------------------------------------------------
class HelpMeasureSchema(Strict):
    measure_id = Identifier(required=True)
    kind = Choice(MEASURE_KINDS, required=True)
    description = Text(LONG_TEXT, required=True)
    due_date = IsoDate(required=True)
    person_id = Identifier(metadata={"description": "who answers for it; an overdue measure "
                                                     "goes on their accountability trail"})
    member_id = Identifier(metadata={"description": "the member it is for (一人一措施)"})


class HelpPlanRecorded(Strict):
    household_id = Identifier(required=True)
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    causes = fields.List(Choice(POVERTY_CAUSES), required=True,
                         validate=validate.Length(min=1, max=len(POVERTY_CAUSES)))
    measures = fields.List(fields.Nested(HelpMeasureSchema), required=True,
                           validate=validate.Length(max=100))


class MeasureCompleted(Strict):
    household_id = Identifier(required=True)
    measure_id = Identifier(required=True)
    note = Text(LONG_TEXT, required=True)


class ComparedRecordSchema(Strict):
    size = fields.Integer(strict=True, validate=validate.Range(min=0, max=100))
    category = Choice(COMPARED_CATEGORIES)
    per_capita_income = Money()
    poverty_status = Choice(POVERTY_STATUSES)
    head_name = Text()
    id_numbers = fields.List(fields.String(validate=validate.Regexp(ID_NUMBER_PATTERN)),
                             validate=validate.Length(max=50), metadata={
        "description": "the members' 身份证号, compared with those of the members present on "
                       "as_of_date in any order"})

    @validates_schema
    def id_numbers_normalised(self, data: dict, **_: object) -> None:
        if "id_numbers" in data:
            data["id_numbers"] = [normalised_id_number(n) for n in data["id_numbers"]]

    @validates_schema
    def names_a_field(self, data: dict, **_: object) -> None:
        if not data:
            raise ValidationError("give at least one field to compare", "_schema")

    @classmethod
    def openapi(cls, converter: Any, generated: dict[str, Any]) -> dict[str, Any]:
        return {**generated, "minProperties": 1}


class SystemRecordCompared(Strict):
    household_id = Identifier(required=True)
    source = Identifier(required=True, metadata={"description": "e.g. national_system"})
    as_of_date = IsoDate(required=True, metadata={
        "description": "the date the record stood on; compared with what the ledger knew "
                       "valid then"})
    record = fields.Nested(ComparedRecordSchema, required=True)


class MismatchResolved(Strict):
    household_id = Identifier(required=True)
    mismatch_event_id = Identifier(required=True, metadata={
        "description": "the DataMismatchFound event"})
    resolution = Choice(RESOLUTIONS, required=True)
    note = Text(LONG_TEXT, required=True)


# Household lifecycle ------------------------------------------------------------
class ExitAppraised(Strict):
    household_id = Identifier(required=True)
    year = Year(required=True)
    votes_for = fields.Integer(required=True, strict=True,
                               validate=validate.Range(min=0, max=100_000))
    votes_total = fields.Integer(required=True, strict=True,
                                 validate=validate.Range(min=1, max=100_000))
    note = Text(LONG_TEXT)
    majority_reached = fields.Boolean(dump_only=True, metadata={
        "description": "set by the ledger, never sent: false when votes_for was not more than "
                       "exit_appraisal_majority × votes_total (the attempt ended)"})


class ExitVerified(Strict):
    household_id = Identifier(required=True)
    year = Year(required=True)
    passed = Flag(required=True)
    note = Text(LONG_TEXT, required=True)


class ExitAcknowledged(Strict):
    household_id = Identifier(required=True)
    year = Year(required=True)
    note = Text(LONG_TEXT)


class ExitPublicized(Strict):
    household_id = Identifier(required=True)
    year = Year(required=True)
    # `from` is a Python keyword, so the field has another name; it reads and loads `from`.
    from_ = IsoDate(data_key="from", attribute="from", required=True,
                    metadata={"description": "first day of the notice"})
    to = IsoDate(required=True, metadata={
        "description": "last day of the notice; to - from is at least exit_notice_days (409)"})


class ExitObjectionRaised(Strict):
    household_id = Identifier(required=True)
    year = Year(required=True)
    note = Text(LONG_TEXT, required=True)


class ExitObjectionSettled(Strict):
    household_id = Identifier(required=True)
    year = Year(required=True)
    upheld = Flag(required=True, metadata={"description": "upheld: the attempt ends"})
    note = Text(LONG_TEXT, required=True)


class HouseholdExited(Strict):
    household_id = Identifier(required=True)
    year = Year(required=True)


class MonitoringStarted(Strict):
    household_id = Identifier(required=True)
    monitoring_type = Choice(MONITORING_TYPES, required=True)
    risks = fields.List(Choice(RISKS), required=True,
                        validate=validate.Length(min=1, max=len(RISKS)))
    note = Text(LONG_TEXT, required=True)


class RiskEliminated(Strict):
    household_id = Identifier(required=True)
    note = Text(LONG_TEXT, required=True)


class PersonalDataErased(Strict):
    subject_type = Choice(("household", "person"), required=True)
    subject_id = Identifier(required=True)
    basis = Text(LONG_TEXT, required=True)


# Poor villages ----------------------------------------------------------------
class VillagePopulationRecorded(Strict):
    village_id = Identifier(required=True)
    year = Year(required=True)
    population = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=10_000_000),
        metadata={"description": "rural registered population (农村户籍人口)"})


class VillageExitRecorded(Strict):
    village_id = Identifier(required=True)
    year = Year(required=True)


# Rule parameters --------------------------------------------------------------
class RuleParameterSet(Strict):
    parameter = Choice(tuple(RULE_PARAMETERS), required=True)
    value = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=0, max=1e6))
    year = fields.Integer(
        strict=True,
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "for income_standard and edge_line: the year it applies to"},
    )
    note = Text(LONG_TEXT)
    unit_id = Identifier(metadata={
        "description": "for village_exit_incidence: the county that sets it for itself"})

    @validates_schema
    def value_in_range(self, data: dict, **_: object) -> None:
        lowest, highest, per_year, _default, _why = RULE_PARAMETERS[data["parameter"]]
        if not lowest <= data["value"] <= highest:
            raise ValidationError(f"must be between {lowest} and {highest}", "value")
        if "year" in data and not per_year:
            raise ValidationError(f"{data['parameter']} does not vary by year", "year")
        if "unit_id" in data and data["parameter"] not in PER_UNIT_PARAMETERS:
            raise ValidationError(f"{data['parameter']} does not vary by county", "unit_id")

    @classmethod
    def openapi(cls, converter: Any, generated: dict[str, Any]) -> dict[str, Any]:
        def refine(parameter: str, properties: dict[str, Any]) -> None:
            lowest, highest, per_year, default, why = RULE_PARAMETERS[parameter]
            properties["parameter"]["description"] = f"{why} (default {default:g})"
            properties["value"].update(minimum=lowest, maximum=highest)
            if not per_year:
                del properties["year"]
            if parameter not in PER_UNIT_PARAMETERS:
                del properties["unit_id"]

        return by_choice(generated, "parameter", refine)


# Members and dynamic adjustment (the household in full) ---------------------------
ID_NUMBER_TEXT = ("身份证号: 18 characters, GB 11643 (ISO 7064 MOD 11-2 check digit; a final x "
                  "is read as X), digits 7-14 the birth date")


def IdNumber(note: str = "") -> fields.String:  # noqa: N802 - reads as a field type
    # The shape is the schema's; the check digit and the birth date, which no JSON schema
    # states, are the ledger's (422 naming `id_number`).
    return fields.String(validate=validate.Regexp(ID_NUMBER_PATTERN,
                                                  error="must be 17 digits and a digit or X"),
                         metadata={"description": ID_NUMBER_TEXT + note})


def normalise_id_number(data: dict) -> None:
    if data.get("id_number") is not None:
        data["id_number"] = normalised_id_number(data["id_number"])


class _MemberFacts(Schema):
    """The facts a member's registration and later records share."""
    household_id = Identifier(required=True)
    member_id = Identifier(required=True)
    health = Choice(HEALTH)
    labour = Choice(LABOUR)
    schooling = Choice(SCHOOLING)

    @validates_schema
    def id_number_upper_case(self, data: dict, **_: object) -> None:
        normalise_id_number(data)


class MemberRegistered(Strict, _MemberFacts):
    name = Text(required=True)
    relation = Choice(RELATIONS, required=True)
    birth_date = IsoDate(required=True)
    id_number = IdNumber()


class MemberFactsRecorded(Strict, _MemberFacts):
    id_number = IdNumber("; checked against the member's registered birth date")


class MemberLeft(Strict):
    household_id = Identifier(required=True)
    member_id = Identifier(required=True)
    reason = Choice(LEAVING_REASONS, required=True)


class HouseholdReclassified(Strict):
    household_id = Identifier(required=True)
    to = Choice(HOUSEHOLD_CATEGORIES, required=True, metadata={
        "description": "a pair of category and reason outside the table is 409"})
    reason = Choice(tuple(RECLASSIFICATIONS), required=True, metadata={"description": (
        "; ".join(f"{r}: {' or '.join(a)} -> {' or '.join(b)}"
                  for r, (a, b) in RECLASSIFICATIONS.items()))})
    basis = IdentifierList(required=True, metadata={"description": "event ids; may be empty"})
    note = Text(LONG_TEXT, required=True)


# Every client type's schema, named after its type; `api.schemas.event_types` binds them to
# the catalog by name.
PARTS = (IncomeSchema, ChecksSchema, EvidenceSchema, HelpMeasureSchema, ComparedRecordSchema)
SCHEMAS: tuple[type[Schema], ...] = tuple(
    cls for cls in Strict.__subclasses__() if cls not in PARTS)
