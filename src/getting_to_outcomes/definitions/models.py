"""pydantic models of the YAML definition files: frameworks, indicators, scales, sources.

These models are the single source of truth for what a definition file may say.
Unknown keys are rejected (``extra="forbid"``) so that a misspelt key fails loudly
instead of being ignored. No pandas and no I/O here: :mod:`getting_to_outcomes.definitions._loading`
reads the files and :mod:`getting_to_outcomes.definitions._framework` assembles them.

A definition file is a mapping with any of the top-level keys ``framework``,
``scales``, ``sources`` and ``indicators`` (see :class:`DefinitionFile`).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from getting_to_outcomes.columns import DEFAULT_MIN_N

__all__ = [
    "Citation",
    "Column",
    "Condition",
    "CountMeasure",
    "DataSource",
    "DefinitionFile",
    "FieldComparison",
    "FrameworkMeta",
    "Indicator",
    "LadderLevel",
    "LevelMeasure",
    "MeanMeasure",
    "Measure",
    "MilestoneMeasure",
    "MilestoneStage",
    "MissingCode",
    "ProportionMeasure",
    "Provenance",
    "RateMeasure",
    "RealmDef",
    "ResponseScale",
    "RubricLevel",
    "ScaleCode",
    "ScaleMeasure",
    "StatusRules",
    "Stop",
    "Target",
    "Zone",
    "date_format_pattern",
]

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Lower-case id: letters, digits and underscores, starting with a letter.",
    ),
]
IndicatorId = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$",
        description="Stable dotted id such as 'leadership.public_roles'.",
    ),
]
RealmName = Literal["individual", "community", "policy"]
Direction = Literal["increase", "decrease", "maintain"]
Scalar = str | int | float | bool
MissingReason = Literal["not_asked", "skipped", "not_applicable", "refused", "dont_know"]


class _Model(BaseModel):
    # A NaN or an infinity in a definition changes results without a word (a range that
    # every value passes, a weight that makes roll-ups NaN): every number must be finite.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)


# --- provenance ---------------------------------------------------------------------


class Citation(_Model):
    """A published source that stops and indicators can cite by id."""

    id: Identifier
    text: str = Field(description="Full reference, e.g. authors, year, title, publisher.")
    url: str | None = None


class Provenance(_Model):
    """Where a stop or indicator comes from.

    ``named``: named in the cited source. ``adapted``: reconstructed or adapted from
    it. ``new``: introduced by whoever wrote this file.
    """

    status: Literal["named", "adapted", "new"]
    citation: str = Field(description="Id of a citation in the framework file, or free text.")
    note: str | None = None


# --- framework ----------------------------------------------------------------------


class RealmDef(_Model):
    """One of the three realms: individual, community or policy."""

    id: RealmName
    name: str
    description: str = ""


class Zone(_Model):
    """A zone of the theory of change; zones are listed in order."""

    id: Identifier
    name: str
    description: str = ""


class Stop(_Model):
    """A stop of the theory of change: it lies in one zone and one realm."""

    id: Identifier
    name: str
    zone: str
    realm: RealmName
    description: str = ""
    area_2002: str | None = Field(None, description="Matching area of the 2002 framework.")
    leads_to: list[str] = Field(default_factory=list, description="Stops this one feeds.")
    provenance: Provenance


class StatusRules(_Model):
    """Thresholds that turn progress into a status.

    ``growth_ratio`` follows the Open SDG / Statistics Canada method: the ratio of the
    observed to the required rate of change. ``tolerance`` compares the current value
    with the target expected for the period, within a relative band.
    """

    method: Literal["growth_ratio", "tolerance"] = "growth_ratio"
    on_track: float = Field(
        0.95, description="Growth ratio at or above which progress is on track."
    )
    needs_acceleration: float = Field(0.5, description="Growth ratio for needs_acceleration.")
    limited: float = Field(0.0, description="Growth ratio for limited; below it, deteriorating.")
    tolerance: float = Field(0.05, ge=0, description="Relative band around the period target.")
    no_target_on_track: float = Field(
        0.01, description="Annual growth rate counted as on track when there is no target."
    )
    no_target_needs_acceleration: float = 0.005

    @model_validator(mode="after")
    def _ordered(self) -> StatusRules:
        if not self.on_track > self.needs_acceleration > self.limited:
            msg = "thresholds must satisfy on_track > needs_acceleration > limited"
            raise ValueError(msg)
        return self


class FrameworkMeta(_Model):
    """The theory of change itself: realms, zones in order, stops in order."""

    id: Identifier
    title: str
    version: str
    citation: str = Field(description="How to cite the framework.")
    description: str = ""
    citations: list[Citation] = Field(default_factory=list)
    realms: list[RealmDef]
    zones: list[Zone]
    stops: list[Stop]
    status_rules: StatusRules = Field(default_factory=StatusRules)
    synthetic_note: str | None = None


# --- response scales -------------------------------------------------------------


class ScaleCode(_Model):
    """One answer of a response scale: its numeric code, label and other spellings."""

    code: int
    label: str
    aliases: list[str] = Field(default_factory=list)


class MissingCode(_Model):
    """An answer that means 'no answer', and why."""

    value: str | int
    reason: MissingReason


class ResponseScale(_Model):
    """A named answer scale, e.g. five-point agreement."""

    id: Identifier
    name: str
    codes: list[ScaleCode] = Field(min_length=2)
    missing: list[MissingCode] = Field(default_factory=list)

    @model_validator(mode="after")
    def _codes_increase(self) -> ResponseScale:
        values = [c.code for c in self.codes]
        if values != sorted(set(values)):
            msg = f"codes must be unique and increasing, got {values}"
            raise ValueError(msg)
        return self


# --- data sources ------------------------------------------------------------------


#: The parts a date format is written with, and what each matches in a cell (read
#: lower-cased). A day or month written with two letters also matches one digit (4/3/2024
#: is DD/MM/YYYY): leading zeros are left off as often as not.
_DATE_PARTS = (
    ("YYYY", "year", r"(?P<year>\d{4})"),
    ("YY", "year", r"(?P<year2>\d{2})"),
    ("MMMM", "month", r"(?P<month_name>[a-z]{3,})\.?"),
    ("MMM", "month", r"(?P<month_name>[a-z]{3,})\.?"),
    ("MM", "month", r"(?P<month>\d{1,2})"),
    ("M", "month", r"(?P<month>\d{1,2})"),
    ("DD", "day", r"(?P<day>\d{1,2})"),
    ("D", "day", r"(?P<day>\d{1,2})"),
)


def date_format_pattern(date_format: str) -> re.Pattern[str]:
    """The regular expression that a cell (lower-cased) written in ``date_format`` matches.

    A format is written with ``DD`` (or ``D``) for the day, ``MM`` (or ``M``) for the month
    as a number, ``MMM`` for its name (``Mar``, ``March``), ``YYYY`` or ``YY`` for the year,
    and anything else (``/``, ``-``, ``.``, spaces) written as it is. The groups of a match
    are ``day``, ``month`` or ``month_name``, and ``year`` or ``year2``.

    Raises
    ------
    ValueError
        The format lacks a day, a month or a year, names one twice, or holds other letters.

    Examples
    --------
    >>> pattern = date_format_pattern("DD/MM/YYYY")
    >>> pattern.fullmatch("4/03/2024").group("day", "month", "year")
    ('4', '03', '2024')
    >>> date_format_pattern("DD/MM")
    Traceback (most recent call last):
    ...
    ValueError: date_format 'DD/MM' has no year: write it with DD, MM and YYYY, e.g. DD/MM/YYYY
    """
    regex, seen, rest = [], [], date_format
    while rest:
        for token, part, piece in _DATE_PARTS:
            if rest.startswith(token):
                if part in seen:
                    raise ValueError(f"date_format {date_format!r} gives the {part} twice")
                seen.append(part)
                regex.append(piece)
                rest = rest[len(token):]
                break
        else:
            if rest[0].isalpha():
                raise ValueError(
                    f"date_format {date_format!r} holds {rest[0]!r}: write it with DD, MM (or "
                    "MMM for a month's name) and YYYY (or YY), e.g. DD/MM/YYYY"
                )
            regex.append(re.escape(rest[0].casefold()))
            rest = rest[1:]
    for part in ("day", "month", "year"):
        if part not in seen:
            raise ValueError(f"date_format {date_format!r} has no {part}: write it with DD, "
                             "MM and YYYY, e.g. DD/MM/YYYY")
    return re.compile("".join(regex))


def _check_date_format(value: str | None) -> str | None:
    if value is not None:
        date_format_pattern(value)
    return value


class Column(_Model):
    """A column of a data source."""

    name: Identifier
    type: Literal["string", "integer", "number", "boolean", "date", "category", "likert"]
    question: str | None = Field(None, description="Question text or description for codebooks.")
    required: bool = False
    min: float | dt.date | None = Field(None, description="Smallest valid value (error below).")
    max: float | dt.date | None = Field(None, description="Largest valid value (error above).")
    plausible_min: float | None = Field(None, description="Warning below this value.")
    plausible_max: float | None = Field(None, description="Warning above this value.")
    allowed: list[str | int] | None = Field(None, description="Allowed values of a category.")
    value_aliases: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "Other spellings of allowed values that real exports use, read as the value: "
            "{parent: ['Parent or guardian', 'Parent/Guardian']}. Case, spaces, dashes "
            "and underscores are ignored already."
        ),
    )
    scale: str | None = Field(None, description="Response scale id of a likert column.")
    aliases: list[str] = Field(default_factory=list, description="Headers used by real exports.")
    personal: bool = Field(False, description="Identifies a person (name, email, phone...).")
    missing_codes: list[MissingCode] = Field(default_factory=list)
    date_format: str | None = Field(
        None,
        description="How the dates of a date column are written, e.g. DD/MM/YYYY or "
        "MM/DD/YYYY (DD day, MM month, MMM month name, YYYY or YY year); overrides the "
        "source's date_format and the day-first or month-first order found in each file.",
    )

    _date_format = field_validator("date_format")(_check_date_format)

    @model_validator(mode="after")
    def _consistent(self) -> Column:
        if self.type == "likert" and self.scale is None:
            raise ValueError("a likert column needs 'scale'")
        if self.date_format is not None and self.type != "date":
            raise ValueError(f"date_format is for date columns; this column is {self.type}")
        if self.type == "category" and not self.allowed:
            raise ValueError("a category column needs 'allowed'")
        if self.value_aliases:
            self._check_value_aliases()
        if self.min is not None and self.max is not None and self.min > self.max:  # type: ignore[operator]
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        self._check_plausible()
        return self

    def _check_plausible(self) -> None:
        """The plausible range (warnings) lies inside the valid range (errors), in order."""
        low, high = self.plausible_min, self.plausible_max
        if low is not None and high is not None and low > high:
            raise ValueError(f"plausible_min ({low}) is greater than plausible_max ({high})")
        for name, value in (("plausible_min", low), ("plausible_max", high)):
            if value is None:
                continue
            if isinstance(self.min, float | int) and value < self.min:
                raise ValueError(f"{name} ({value}) is below min ({self.min}): the plausible "
                                 "range must lie inside the valid range")
            if isinstance(self.max, float | int) and value > self.max:
                raise ValueError(f"{name} ({value}) is above max ({self.max}): the plausible "
                                 "range must lie inside the valid range")


    def _check_value_aliases(self) -> None:
        if self.type != "category":
            raise ValueError(
                f"value_aliases is for category columns; this column is {self.type}"
                + (" (a likert column takes other spellings as aliases of its scale's codes)"
                   if self.type == "likert" else "")
            )
        allowed = [str(a) for a in self.allowed or ()]
        unknown = [v for v in self.value_aliases if v not in allowed]
        if unknown:
            raise ValueError(
                f"value_aliases names {unknown[0]!r}, which is not an allowed value "
                f"({', '.join(allowed)})"
            )
        # Spellings are compared the way cells are read: case, spaces and dashes aside.
        seen = {_spelling(a): a for a in allowed}
        for value, spellings in self.value_aliases.items():
            for spelling in spellings:
                other = seen.setdefault(_spelling(spelling), value)
                if other != value:
                    raise ValueError(
                        f"{spelling!r} is given for {value!r} but already reads as {other!r}"
                    )


def _spelling(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").casefold().split())


class FieldComparison(_Model):
    """A rule between two fields of the same row, e.g. ``new_members <= members_total``."""

    left: str
    op: Literal["lt", "le", "eq", "ge", "gt"]
    right: str
    message: str | None = None


class DataSource(_Model):
    """The shape of a table that grantees collect."""

    id: Identifier
    name: str
    description: str = ""
    unit_of_analysis: str = Field(description="What one row describes: person, event, win...")
    columns: list[Column]
    keys: list[str] = Field(description="Columns that identify a row uniquely.")
    id_column: str | None = Field(None, description="Unit id used to match across periods.")
    org_column: str | None = Field("org_id", description="Organization (grantee) column.")
    time_column: str = Field(description="Period or wave column.")
    period_order: list[str] = Field(
        default_factory=list, description="Periods or waves in time order (else sorted)."
    )
    comparisons: list[FieldComparison] = Field(default_factory=list)
    totals: Condition | None = Field(
        None,
        description="In a table that is long by subgroup, the rows holding the whole group "
        "(e.g. subgroup eq all_students). They alone give the whole-group values; the other "
        "rows are used only to break an indicator down by this condition's field.",
    )
    straightlining: bool = Field(True, description="Warn when all likert answers are equal.")
    synthetic: bool = False
    date_format: str | None = Field(
        None,
        description="How the dates of every date column are written, e.g. DD/MM/YYYY; a "
        "column's own date_format wins. Without one, each file's day-first or month-first "
        "order is found from its dates that can be read only one way.",
    )

    _date_format = field_validator("date_format")(_check_date_format)


# --- measures ------------------------------------------------------------------------


class Condition(_Model):
    """A test on one field, from a small fixed vocabulary (never evaluated as code)."""

    field: str
    op: Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "is_true", "is_false"]
    value: Scalar | list[Scalar] | None = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> Condition:
        if self.op in ("in", "not_in") and not isinstance(self.value, list):
            raise ValueError(f"op {self.op!r} needs a list value")
        if self.op in ("is_true", "is_false") and self.value is not None:
            raise ValueError(f"op {self.op!r} takes no value")
        if self.op not in ("in", "not_in", "is_true", "is_false") and (
            self.value is None or isinstance(self.value, list)
        ):
            raise ValueError(f"op {self.op!r} needs a single value")
        return self


class ScaleMeasure(_Model):
    """Mean (or sum) of Likert items, with reverse keys and a minimum answered."""

    kind: Literal["scale"]
    items: list[str] = Field(min_length=2)
    reverse: list[str] = Field(default_factory=list)
    scale: str = Field(description="Response scale id.")
    min_answered: float = Field(0.8, gt=0, le=1, description="Share of items needed for a score.")
    aggregate: Literal["mean", "sum"] = "mean"


class CountMeasure(_Model):
    """Sum of a count field, or the number of rows, per unit and period."""

    kind: Literal["count"]
    field: str | None = Field(None, description="Field to sum; omit to count rows.")
    where: Condition | None = None


class ProportionMeasure(_Model):
    """Pooled share: sum of numerator over sum of denominator (never a mean of percents)."""

    kind: Literal["proportion"]
    numerator: str | Condition = Field(description="Field to sum, or a condition per row.")
    denominator: str | Condition | None = Field(
        None, description="Field to sum, a condition, or omitted for rows with data."
    )
    unit_of_analysis: str


class RateMeasure(_Model):
    """Numerator per ``per`` units of a denominator field."""

    kind: Literal["rate"]
    numerator: str | Condition
    denominator: str
    per: float = Field(1000, gt=0)


class MeanMeasure(_Model):
    """Mean of a numeric field."""

    kind: Literal["mean"]
    field: str


class LadderLevel(_Model):
    """One rung of an ordered ladder."""

    value: int
    label: str


class LevelMeasure(_Model):
    """Position on an ordered ladder, e.g. leadership level 0-4."""

    kind: Literal["level"]
    field: str
    ladder: list[LadderLevel] = Field(min_length=2)
    at_or_above: int = Field(description="Report the share at or above this level.")

    @model_validator(mode="after")
    def _ladder(self) -> LevelMeasure:
        values = [r.value for r in self.ladder]
        if values != sorted(set(values)):
            raise ValueError(f"ladder values must be unique and increasing, got {values}")
        if self.at_or_above not in values:
            raise ValueError(f"at_or_above {self.at_or_above} is not a ladder value {values}")
        return self


class MilestoneStage(_Model):
    """A stage of a milestone measure, with its weight and optional date field."""

    id: Identifier
    label: str
    weight: float = Field(gt=0, description="How far along the stage is (positive).")
    date_field: str | None = None


class MilestoneMeasure(_Model):
    """Ordered stages reached by items such as policy wins."""

    kind: Literal["milestone"]
    item_field: str = Field(description="Column identifying the item (e.g. win_id).")
    stage_field: str = Field(description="Column holding the stage reached.")
    stages: list[MilestoneStage] = Field(min_length=2, description="Stages in order.")
    setbacks: list[str] = Field(
        default_factory=list, description="Stage values that end an item (defeated, reversed)."
    )
    level_field: str | None = Field(None, description="Column with the level (school, district).")
    evidence_field: str | None = None
    evidence_required_from: str | None = Field(
        None, description="Stage from which evidence is expected."
    )

    @model_validator(mode="after")
    def _evidence_stage(self) -> MilestoneMeasure:
        ids = [s.id for s in self.stages]
        if self.evidence_required_from and self.evidence_required_from not in ids:
            raise ValueError(f"evidence_required_from must be one of {ids}")
        return self


Measure = Annotated[
    ScaleMeasure
    | CountMeasure
    | ProportionMeasure
    | RateMeasure
    | MeanMeasure
    | LevelMeasure
    | MilestoneMeasure,
    Field(discriminator="kind"),
]


# --- indicators ----------------------------------------------------------------------


class Target(_Model):
    """A target value for a period."""

    period: str
    value: float


class RubricLevel(_Model):
    """A rubric level reached when the value passes ``threshold`` in the good direction.

    Levels are listed from the lowest to the highest.
    """

    label: str
    threshold: float


class Indicator(_Model):
    """One thing to measure, tied to a stop of the theory of change."""

    id: IndicatorId
    name: str
    definition: str
    realm: RealmName
    zone: str
    stop: str
    area_2002: str | None = None
    version: str = "1"
    measure: Measure
    unit: str
    direction: Direction
    valid_range: tuple[float, float] | None = None
    source: str | None = Field(None, description="Data source id.")
    disaggregate_by: list[str] = Field(default_factory=list)
    baseline: float | None = None
    targets: list[Target] = Field(default_factory=list)
    rubric: list[RubricLevel] = Field(default_factory=list)
    min_n: int = Field(DEFAULT_MIN_N, ge=1)
    reliability_threshold: float | None = Field(None, gt=0, lt=1)
    weight: float = Field(1.0, gt=0)
    contribution_only: bool = Field(
        False, description="System-level context: shown as contribution, never as effect."
    )
    provenance: Provenance

    def __repr__(self) -> str:
        return (
            f"<Indicator {self.id!r}: {self.name} ({self.measure.kind}, {self.unit}, "
            f"{self.direction}; {self.realm}, stop {self.stop!r})>"
        )

    def _repr_html_(self) -> str:
        rows = [
            ("realm", self.realm),
            ("zone", self.zone),
            ("stop", self.stop),
            ("measure", self.measure.kind),
            ("unit", self.unit),
            ("direction", self.direction),
            ("source", self.source or ""),
            ("provenance", self.provenance.status),
        ]
        cells = "".join(
            f"<tr><th style='text-align:left'>{key}</th><td>{html.escape(str(value))}</td></tr>"
            for key, value in rows
        )
        return (
            f"<div><h4>{html.escape(self.name)} <small><code>{html.escape(self.id)}</code>"
            f"</small></h4><p>{html.escape(self.definition)}</p><table>{cells}</table></div>"
        )

    @field_validator("valid_range")
    @classmethod
    def _range_ordered(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and value[0] >= value[1]:
            raise ValueError(f"valid_range {list(value)} must be [low, high] with low < high")
        return value


class DefinitionFile(_Model):
    """A YAML definition file: any of a framework, scales, sources and indicators."""

    framework: FrameworkMeta | None = None
    scales: list[ResponseScale] = Field(default_factory=list)
    sources: list[DataSource] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)


DataSource.model_rebuild()
DefinitionFile.model_rebuild()
