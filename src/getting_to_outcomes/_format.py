"""Numbers and counts written as text: next to thresholds, with their nouns."""

from __future__ import annotations

__all__ = ["fmt_against", "plural"]


def fmt_against(value: float, threshold: float, *, decimals: int = 2,
                most: int = 6) -> tuple[str, str]:
    """A value and a threshold printed so that the text tells the same order as the numbers.

    Rounding to ``decimals`` places can make 0.596 read as 0.60 next to a threshold of 0.6;
    more places are added, one at a time (up to ``most``), until an unequal pair prints
    unequal and in the right order.

    Examples
    --------
    >>> fmt_against(0.596, 0.6)
    ('0.596', '0.600')
    >>> fmt_against(0.42, 0.6)
    ('0.42', '0.60')
    """
    places = decimals
    while places < most:
        shown_value, shown_threshold = round(value, places), round(threshold, places)
        if (shown_value < shown_threshold) == (value < threshold) and \
                (shown_value > shown_threshold) == (value > threshold):
            break
        places += 1
    return f"{value:.{places}f}", f"{threshold:.{places}f}"


def plural(count: float, singular: str, many: str | None = None) -> str:
    """A count with its noun in the right number: "1 group", "2 groups", "0 groups".

    Examples
    --------
    >>> plural(1, "group"), plural(3, "indicator"), plural(2, "person", "people")
    ('1 group', '3 indicators', '2 people')
    """
    noun = singular if count == 1 else (many if many is not None else singular + "s")
    return f"{count:,.0f} {noun}" if count == int(count) else f"{count:,} {noun}"
