"""The :class:`Framework`: a loaded theory of change with its indicators, scales and sources."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, overload

from getting_to_outcomes.definitions.models import (
    DataSource,
    FrameworkMeta,
    Indicator,
    RealmDef,
    ResponseScale,
    Stop,
    Zone,
)
from getting_to_outcomes.errors import DefinitionProblem, UnknownIndicatorError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FRAME_COLUMNS", "Framework", "IndicatorSet"]

#: Columns of :meth:`Framework.to_frame`, one row per indicator.
FRAME_COLUMNS = [
    "indicator_id",
    "name",
    "realm",
    "zone",
    "stop",
    "kind",
    "unit",
    "direction",
    "source",
    "version",
    "provenance",
]


class IndicatorSet(Sequence[Indicator]):
    """An ordered, read-only collection of indicators, filterable and indexable by id.

    Examples
    --------
    >>> from getting_to_outcomes import load_framework
    >>> indicators = load_framework().indicators
    >>> policy = indicators.filter(realm="policy")
    >>> all(i.realm == "policy" for i in policy)
    True
    """

    def __init__(self, indicators: Sequence[Indicator]) -> None:
        self._items = tuple(indicators)
        self._by_id = {i.id: i for i in self._items}

    @overload
    def __getitem__(self, key: int) -> Indicator: ...
    @overload
    def __getitem__(self, key: slice) -> IndicatorSet: ...
    @overload
    def __getitem__(self, key: str) -> Indicator: ...

    def __getitem__(self, key: int | slice | str) -> Indicator | IndicatorSet:
        if isinstance(key, str):
            try:
                return self._by_id[key]
            except KeyError:
                raise UnknownIndicatorError("indicator", key, self._by_id) from None
        if isinstance(key, slice):
            return IndicatorSet(self._items[key])
        return self._items[key]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self._items)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self._by_id
        return item in self._items

    def __repr__(self) -> str:
        shown = ", ".join(self.ids[:5]) + (", ..." if len(self) > 5 else "")
        return f"IndicatorSet({len(self)} indicators: {shown})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td><code>{html.escape(i.id)}</code></td><td>{html.escape(i.name)}</td>"
            f"<td>{html.escape(i.realm)}</td><td>{html.escape(i.stop)}</td>"
            f"<td>{html.escape(i.measure.kind)}</td><td>{html.escape(i.unit)}</td>"
            f"<td>{html.escape(i.direction)}</td></tr>"
            for i in self._items
        )
        return (
            f"<div><p>{len(self)} indicators</p><table><tr><th>id</th><th>name</th>"
            "<th>realm</th><th>stop</th><th>measure</th><th>unit</th><th>direction</th></tr>"
            f"{rows}</table></div>"
        )

    @property
    def ids(self) -> list[str]:
        """Indicator ids in order."""
        return list(self._by_id)

    def filter(
        self,
        *,
        realm: str | None = None,
        zone: str | None = None,
        stop: str | None = None,
        kind: str | None = None,
        source: str | None = None,
    ) -> IndicatorSet:
        """Indicators matching every criterion given."""
        return IndicatorSet(
            [
                i
                for i in self._items
                if (realm is None or i.realm == realm)
                and (zone is None or i.zone == zone)
                and (stop is None or i.stop == stop)
                and (kind is None or i.measure.kind == kind)
                and (source is None or i.source == source)
            ]
        )


@dataclass(frozen=True)
class Framework:
    """A theory of change loaded from YAML: realms, zones, stops, indicators, sources.

    Build one with :func:`~getting_to_outcomes.load_framework`.

    Examples
    --------
    >>> from getting_to_outcomes import load_framework
    >>> fw = load_framework()
    >>> [z.id for z in fw.zones]
    ['building_power', 'taking_action', 'education_wins', 'transformational_changes']
    """

    meta: FrameworkMeta
    indicators: IndicatorSet
    scales: Mapping[str, ResponseScale]
    sources: Mapping[str, DataSource]
    path: Path | None = None
    warnings: tuple[DefinitionProblem, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def realms(self) -> list[RealmDef]:
        return list(self.meta.realms)

    @property
    def zones(self) -> list[Zone]:
        return list(self.meta.zones)

    @property
    def stops(self) -> list[Stop]:
        return list(self.meta.stops)

    def stop(self, stop_id: str) -> Stop:
        """The stop with this id."""
        for stop in self.meta.stops:
            if stop.id == stop_id:
                return stop
        raise UnknownIndicatorError("stop", stop_id, [s.id for s in self.meta.stops])

    def source(self, source_id: str) -> DataSource:
        """The data source with this id."""
        try:
            return self.sources[source_id]
        except KeyError:
            raise UnknownIndicatorError("data source", source_id, self.sources) from None

    def scale(self, scale_id: str) -> ResponseScale:
        """The response scale with this id."""
        try:
            return self.scales[scale_id]
        except KeyError:
            raise UnknownIndicatorError("response scale", scale_id, self.scales) from None

    def stops_in(self, zone: str) -> list[Stop]:
        """Stops of one zone, in order."""
        return [s for s in self.meta.stops if s.zone == zone]

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator; columns are :data:`FRAME_COLUMNS`."""
        import pandas as pd

        rows = [
            {
                "indicator_id": i.id,
                "name": i.name,
                "realm": i.realm,
                "zone": i.zone,
                "stop": i.stop,
                "kind": i.measure.kind,
                "unit": i.unit,
                "direction": i.direction,
                "source": i.source,
                "version": i.version,
                "provenance": i.provenance.status,
            }
            for i in self.indicators
        ]
        return pd.DataFrame(rows, columns=FRAME_COLUMNS)

    def map_text(self) -> str:
        """The theory of change as text: zones in order, their stops, realm and indicators."""
        lines = [f"{self.title} (version {self.version})", ""]
        for number, zone in enumerate(self.meta.zones, start=1):
            lines.append(f"Zone {number}: {zone.name}")
            for stop in self.stops_in(zone.id):
                count = len(self.indicators.filter(stop=stop.id))
                lines.append(
                    f"  o {stop.name:<48} {stop.realm:<10} {count:>2} indicator(s)"
                    f"  [{stop.provenance.status}]"
                )
            lines.append("")
        realms = ", ".join(
            f"{r.id} {len(self.indicators.filter(realm=r.id))}" for r in self.meta.realms
        )
        lines.append(
            f"{len(self.indicators)} indicators ({realms}); "
            f"{len(self.sources)} data sources; {len(self.scales)} response scales"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<Framework {self.id!r} v{self.version}: {len(self.meta.zones)} zones, "
            f"{len(self.meta.stops)} stops, {len(self.indicators)} indicators>"
        )

    def _repr_html_(self) -> str:
        columns = []
        for number, zone in enumerate(self.meta.zones, start=1):
            stops = "".join(
                f"<li><b>{html.escape(s.name)}</b><br><small>{html.escape(s.realm)} &middot; "
                f"{len(self.indicators.filter(stop=s.id))} indicators</small></li>"
                for s in self.stops_in(zone.id)
            )
            columns.append(
                f"<td style='vertical-align:top;padding:0 1em'><h4>Zone {number}: "
                f"{html.escape(zone.name)}</h4><ul>{stops}</ul></td>"
            )
        return (
            f"<div><h3>{html.escape(self.title)} <small>v{html.escape(self.version)}</small></h3>"
            f"<table><tr>{''.join(columns)}</tr></table>"
            f"<p>{len(self.indicators)} indicators, {len(self.sources)} data sources.</p></div>"
        )
