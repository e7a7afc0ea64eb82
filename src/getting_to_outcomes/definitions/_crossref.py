"""Checks across definition files: references, uniqueness, ordering, and lint warnings."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from getting_to_outcomes.definitions._framework import Framework, IndicatorSet
from getting_to_outcomes.definitions._yaml import ParsedFile, locate, preview
from getting_to_outcomes.definitions.models import (
    Condition,
    CountMeasure,
    DataSource,
    FrameworkMeta,
    Indicator,
    LevelMeasure,
    MeanMeasure,
    MilestoneMeasure,
    ProportionMeasure,
    RateMeasure,
    ResponseScale,
    ScaleMeasure,
)
from getting_to_outcomes.errors import DefinitionProblem, did_you_mean

_REALMS = ("individual", "community", "policy")


class _Reporter:
    """Collects problems, locating each in its file by a pydantic-style path."""

    def __init__(self) -> None:
        self.problems: list[DefinitionProblem] = []

    def add(
        self,
        parsed: ParsedFile | None,
        loc: Sequence[str | int],
        message: str,
        value: Any = None,
        *,
        severity: str = "error",
    ) -> None:
        if parsed is None:
            self.problems.append(
                DefinitionProblem(
                    "<framework>",
                    None,
                    None,
                    ".".join(map(str, loc)),
                    preview(value),
                    message,
                    severity,
                )
            )
            return
        mark, field = locate(parsed.node, loc)
        self.problems.append(
            DefinitionProblem(
                str(parsed.path),
                mark.line + 1,
                mark.column + 1,
                field,
                preview(value),
                message,
                severity,
            )
        )


def _missing(what: str, name: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    return f"unknown {what} {name!r}{did_you_mean(name, choices)}"


def _measure_fields(indicator: Indicator) -> list[tuple[tuple[str | int, ...], str]]:
    """(relative loc, column name) of every column the measure reads."""
    m = indicator.measure
    out: list[tuple[tuple[str | int, ...], str]] = []

    def ref(loc: tuple[str | int, ...], value: str | Condition | None) -> None:
        if isinstance(value, Condition):
            out.append(((*loc, "field"), value.field))
        elif value is not None:
            out.append((loc, value))

    if isinstance(m, ScaleMeasure):
        out += [(("items", k), name) for k, name in enumerate(m.items)]
    elif isinstance(m, CountMeasure):
        ref(("field",), m.field)
        ref(("where",), m.where)
    elif isinstance(m, ProportionMeasure | RateMeasure):
        ref(("numerator",), m.numerator)
        ref(("denominator",), m.denominator)
    elif isinstance(m, MeanMeasure | LevelMeasure):
        ref(("field",), m.field)
    elif isinstance(m, MilestoneMeasure):
        for name in ("item_field", "stage_field", "level_field", "evidence_field"):
            ref((name,), getattr(m, name))
        for k, stage in enumerate(m.stages):
            ref(("stages", k, "date_field"), stage.date_field)
    return [(("measure", *loc), name) for loc, name in out]


def _check_meta(meta: FrameworkMeta, where: ParsedFile, rep: _Reporter) -> None:
    realm_ids = [r.id for r in meta.realms]
    for realm in _REALMS:
        if realm not in realm_ids:
            rep.add(where, ("framework", "realms"), f"realm {realm!r} is not declared", realm_ids)
    zone_ids = [z.id for z in meta.zones]
    stop_ids = [s.id for s in meta.stops]
    citation_ids = [c.id for c in meta.citations]
    for label, ids, key in (("zone", zone_ids, "zones"), ("stop", stop_ids, "stops")):
        seen: set[str] = set()
        for k, ident in enumerate(ids):
            if ident in seen:
                rep.add(
                    where, ("framework", key, k, "id"), f"duplicate {label} id {ident!r}", ident
                )
            seen.add(ident)
    last_zone = -1
    for k, stop in enumerate(meta.stops):
        loc = ("framework", "stops", k)
        if stop.zone not in zone_ids:
            rep.add(where, (*loc, "zone"), _missing("zone", stop.zone, zone_ids), stop.zone)
        else:
            position = zone_ids.index(stop.zone)
            if position < last_zone:
                rep.add(
                    where,
                    (*loc, "zone"),
                    "stops must be listed in zone order; this stop's zone comes earlier",
                    stop.zone,
                    severity="warning",
                )
            last_zone = max(last_zone, position)
        for j, target in enumerate(stop.leads_to):
            if target not in stop_ids:
                rep.add(where, (*loc, "leads_to", j), _missing("stop", target, stop_ids), target)
        _check_citation(
            stop.provenance.citation, citation_ids, where, (*loc, "provenance", "citation"), rep
        )


def _check_citation(
    citation: str, ids: list[str], where: ParsedFile, loc: tuple[str | int, ...], rep: _Reporter
) -> None:
    looks_like_id = (
        citation.replace("_", "").isalnum() and citation.islower() and " " not in citation
    )
    if ids and looks_like_id and citation not in ids:
        rep.add(where, loc, _missing("citation", citation, ids), citation)


def _check_source(
    source: DataSource,
    scales: dict[str, ResponseScale],
    where: ParsedFile,
    loc: tuple[str | int, ...],
    rep: _Reporter,
) -> None:
    names = [c.name for c in source.columns]
    seen: set[str] = set()
    for k, column in enumerate(source.columns):
        if column.name in seen:
            rep.add(
                where,
                (*loc, "columns", k, "name"),
                f"duplicate column {column.name!r}",
                column.name,
            )
        seen.add(column.name)
        if column.scale is not None and column.scale not in scales:
            rep.add(
                where,
                (*loc, "columns", k, "scale"),
                _missing("response scale", column.scale, scales),
                column.scale,
            )
    refs: list[tuple[tuple[str | int, ...], str | None]] = [
        (("time_column",), source.time_column),
        (("id_column",), source.id_column),
        (("org_column",), source.org_column),
    ]
    refs += [(("keys", k), key) for k, key in enumerate(source.keys)]
    if source.totals is not None:
        refs.append((("totals", "field"), source.totals.field))
    for k, comparison in enumerate(source.comparisons):
        refs += [
            (("comparisons", k, "left"), comparison.left),
            (("comparisons", k, "right"), comparison.right),
        ]
    for rel, name in refs:
        if name is not None and name not in names:
            rep.add(where, (*loc, *rel), _missing("column", name, names), name)


def _check_indicator(
    indicator: Indicator,
    meta: FrameworkMeta | None,
    sources: dict[str, DataSource],
    scales: dict[str, ResponseScale],
    where: ParsedFile,
    loc: tuple[str | int, ...],
    rep: _Reporter,
) -> None:
    if meta is not None:
        zone_ids = [z.id for z in meta.zones]
        stops = {s.id: s for s in meta.stops}
        if indicator.zone not in zone_ids:
            rep.add(
                where, (*loc, "zone"), _missing("zone", indicator.zone, zone_ids), indicator.zone
            )
        stop = stops.get(indicator.stop)
        if stop is None:
            rep.add(where, (*loc, "stop"), _missing("stop", indicator.stop, stops), indicator.stop)
        else:
            if stop.zone != indicator.zone:
                rep.add(
                    where,
                    (*loc, "zone"),
                    f"stop {stop.id!r} is in zone {stop.zone!r}, not {indicator.zone!r}",
                    indicator.zone,
                )
            if stop.realm != indicator.realm:
                rep.add(
                    where,
                    (*loc, "realm"),
                    f"stop {stop.id!r} is in realm {stop.realm!r}, not {indicator.realm!r}",
                    indicator.realm,
                )
        _check_citation(
            indicator.provenance.citation,
            [c.id for c in meta.citations],
            where,
            (*loc, "provenance", "citation"),
            rep,
        )
    measure = indicator.measure
    if isinstance(measure, ScaleMeasure):
        if measure.scale not in scales:
            rep.add(
                where,
                (*loc, "measure", "scale"),
                _missing("response scale", measure.scale, scales),
                measure.scale,
            )
        for k, item in enumerate(measure.reverse):
            if item not in measure.items:
                rep.add(
                    where,
                    (*loc, "measure", "reverse", k),
                    _missing("item", item, measure.items),
                    item,
                )
    if indicator.source is not None:
        source = sources.get(indicator.source)
        if source is None:
            rep.add(
                where,
                (*loc, "source"),
                _missing("data source", indicator.source, sources),
                indicator.source,
            )
        else:
            names = [c.name for c in source.columns]
            for rel, name in _measure_fields(indicator):
                if name not in names:
                    rep.add(
                        where,
                        (*loc, *rel),
                        _missing(f"column of source {source.id!r}:", name, names),
                        name,
                    )
            for k, dim in enumerate(indicator.disaggregate_by):
                if dim not in names:
                    rep.add(
                        where,
                        (*loc, "disaggregate_by", k),
                        _missing(f"column of source {source.id!r}:", dim, names),
                        dim,
                    )
    _check_numbers(indicator, where, loc, rep)


def _check_numbers(
    indicator: Indicator, where: ParsedFile, loc: tuple[str | int, ...], rep: _Reporter
) -> None:
    sign = {"increase": 1, "decrease": -1, "maintain": 0}[indicator.direction]
    thresholds = [r.threshold for r in indicator.rubric]
    if sign and any(sign * (b - a) <= 0 for a, b in itertools.pairwise(thresholds)):
        order = "increasing" if sign > 0 else "decreasing"
        rep.add(
            where,
            (*loc, "rubric"),
            f"rubric thresholds must be {order} from the lowest level to the highest "
            f"for an indicator whose direction is {indicator.direction!r}",
            thresholds,
        )
    low, high = indicator.valid_range or (float("-inf"), float("inf"))
    if indicator.baseline is not None and not low <= indicator.baseline <= high:
        rep.add(
            where,
            (*loc, "baseline"),
            f"baseline is outside valid_range [{low}, {high}]",
            indicator.baseline,
        )
    for k, target in enumerate(indicator.targets):
        if not low <= target.value <= high:
            rep.add(
                where,
                (*loc, "targets", k, "value"),
                f"target is outside valid_range [{low}, {high}]",
                target.value,
            )
        if (
            indicator.baseline is not None
            and sign
            and sign * (target.value - indicator.baseline) <= 0
        ):
            word = "above" if sign > 0 else "below"
            rep.add(
                where,
                (*loc, "targets", k, "value"),
                f"target {target.value} goes against the direction {indicator.direction!r}: "
                f"it should be {word} the baseline {indicator.baseline}",
                target.value,
            )


def _lint(
    framework: Framework,
    meta_where: ParsedFile | None,
    located: dict[str, tuple[ParsedFile, tuple[str | int, ...]]],
    rep: _Reporter,
) -> None:
    def warn(indicator: Indicator, rel: tuple[str | int, ...], message: str) -> None:
        where, loc = located[indicator.id]
        rep.add(where, (*loc, *rel), message, severity="warning")

    for k, stop in enumerate(framework.stops):
        if not framework.indicators.filter(stop=stop.id):
            rep.add(
                meta_where,
                ("framework", "stops", k, "id"),
                f"stop {stop.id!r} has no indicator",
                stop.id,
                severity="warning",
            )
    for k, realm in enumerate(framework.realms):
        if not framework.indicators.filter(realm=realm.id):
            rep.add(
                meta_where,
                ("framework", "realms", k, "id"),
                f"realm {realm.id!r} has no indicator",
                realm.id,
                severity="warning",
            )
    for indicator in framework.indicators:
        if indicator.source is None:
            warn(indicator, ("id",), "indicator has no data source")
        if indicator.baseline is None and not indicator.targets:
            warn(indicator, ("id",), "indicator has neither a baseline nor a target")
        measure = indicator.measure
        if (
            isinstance(measure, ProportionMeasure)
            and measure.denominator is None
            and indicator.unit == "percent"
        ):
            warn(
                indicator,
                ("measure",),
                "percent indicator without a denominator: say what the share is of",
            )
        if isinstance(measure, ScaleMeasure) and indicator.reliability_threshold is None:
            warn(
                indicator, ("id",), "scale indicator without a reliability_threshold (0.7 is usual)"
            )


def assemble(
    root: Path, parsed: Sequence[ParsedFile], *, failed_files: int = 0
) -> tuple[Framework | None, list[DefinitionProblem]]:
    """Join parsed files into one framework, checking every cross-reference."""
    rep = _Reporter()
    metas = [(p, p.model.framework) for p in parsed if p.model.framework is not None]
    if len(metas) > 1:
        for where, _ in metas[1:]:
            rep.add(
                where,
                ("framework",),
                f"a second 'framework' section; the first is in {metas[0][0].path}",
            )
    meta_where, meta = metas[0] if metas else (None, None)
    if meta is None and failed_files == 0:
        rep.add(
            None,
            ("framework",),
            "no file has a 'framework' section (id, title, version, realms, zones, stops)",
        )
    if meta is not None and meta_where is not None:
        _check_meta(meta, meta_where, rep)

    def unique(kind: str, key: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        first: dict[str, Path] = {}
        for p in parsed:
            for k, item in enumerate(getattr(p.model, key)):
                if item.id in found:
                    rep.add(
                        p,
                        (key, k, "id"),
                        f"duplicate {kind} id {item.id!r}; first defined in {first[item.id]}",
                        item.id,
                    )
                    continue
                found[item.id] = (item, p, (key, k))
                first[item.id] = p.path
        return found

    scales = {k: v[0] for k, v in unique("response scale", "scales").items()}
    sources_found = unique("data source", "sources")
    sources = {k: v[0] for k, v in sources_found.items()}
    for source, where, loc in sources_found.values():
        _check_source(source, scales, where, loc, rep)
    indicators_found = unique("indicator", "indicators")
    for indicator, where, loc in indicators_found.values():
        _check_indicator(indicator, meta, sources, scales, where, loc, rep)

    if meta is None or any(p.severity == "error" for p in rep.problems) or failed_files:
        return None, rep.problems
    framework = Framework(
        meta=meta,
        indicators=IndicatorSet(_in_stop_order(meta, [v[0] for v in indicators_found.values()])),
        scales=scales,
        sources=sources,
        path=root,
    )
    errors_before = len(rep.problems)
    located = {k: (v[1], v[2]) for k, v in indicators_found.items()}
    _lint(framework, meta_where, located, rep)
    warnings = tuple(rep.problems[errors_before:])
    return Framework(
        meta=framework.meta,
        indicators=framework.indicators,
        scales=framework.scales,
        sources=framework.sources,
        path=root,
        warnings=warnings,
    ), rep.problems[:errors_before]


def _in_stop_order(meta: FrameworkMeta, indicators: list[Indicator]) -> list[Indicator]:
    order = {s.id: k for k, s in enumerate(meta.stops)}
    return sorted(indicators, key=lambda i: order.get(i.stop, len(order)))
