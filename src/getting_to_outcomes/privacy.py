"""Pseudonymous respondent ids: a keyed hash (HMAC-SHA256) that only the key holder can link back.

The same id always gives the same pseudonym under the same key, in every file and
every run, so a pre survey and a post survey still match after pseudonymisation. The
key is read from the environment variable ``GTO_PSEUDONYM_KEY`` (the key itself) or
from a key file (``GTO_PSEUDONYM_KEY_FILE`` or an explicit path); it is never written
to any output, and its ``repr`` hides it.

Create a key once per organization or network and keep it private::

    python -c "import secrets; print(secrets.token_hex(32))" > gto.key

A key shorter than 32 bytes, or one with little variety in it (sixteen identical
characters, a short pattern repeated), is refused: a pseudonym is only as hard to reverse
as the key is to guess.

Examples
--------
>>> key = PseudonymKey(b"an example key of 32 bytes: ok!!")
>>> key
PseudonymKey(<hidden>)
>>> key.pseudonym("P-001") == key.pseudonym(" P-001 ")
True
>>> key.pseudonym("P-001")
'p_ab8cab9528851eb2a16a'
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, NoReturn

import numpy as np
import pandas as pd

from getting_to_outcomes.errors import PseudonymKeyError

__all__ = [
    "KEY_ENV",
    "KEY_FILE_ENV",
    "PseudonymKey",
    "generate_key",
    "key_weakness",
    "load_key",
    "pseudonymize",
]

KEY_ENV: Final = "GTO_PSEUDONYM_KEY"
KEY_FILE_ENV: Final = "GTO_PSEUDONYM_KEY_FILE"
MIN_KEY_BYTES: Final = 32
#: Least Shannon information of a key, counted over its bytes (a random 32-character hex key
#: has about 116 bits by this count; sixteen identical characters have 0).
MIN_KEY_BITS: Final = 96
GOOD_KEY_COMMAND: Final = 'python -c "import secrets; print(secrets.token_hex(32))" > gto.key'
_PREFIX: Final = "p_"
_HEX_CHARS: Final = 20  # 80 bits: collisions are negligible for millions of ids


class PseudonymKey:
    """A secret key for keyed hashing of ids; its value never appears in a repr or a pickle."""

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes | str) -> None:
        raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
        weakness = key_weakness(raw)
        if weakness is not None:
            msg = (f"the pseudonymisation key is {weakness}; make a good one with "
                   f"`{GOOD_KEY_COMMAND}` and keep it private")
            raise PseudonymKeyError(msg)
        self._secret = raw

    def pseudonym(self, value: Any) -> str:
        """The pseudonym of one id (surrounding spaces ignored)."""
        text = str(value).strip().encode("utf-8")
        digest = hmac.new(self._secret, text, hashlib.sha256).hexdigest()
        return _PREFIX + digest[:_HEX_CHARS]

    def __repr__(self) -> str:
        return "PseudonymKey(<hidden>)"

    def __reduce__(self) -> NoReturn:
        raise TypeError("a PseudonymKey cannot be pickled: it would write the key out")


def key_weakness(raw: bytes) -> str | None:
    """Why a key is too weak to use, or None for a good one.

    Refused: fewer than :data:`MIN_KEY_BYTES` bytes; a short pattern repeated (``abab...``,
    ``0123456789abcdef0123456789abcdef``); less than :data:`MIN_KEY_BITS` bits by the
    Shannon entropy of its bytes times its length, ``-n * sum(p_b * log2(p_b))`` over the
    share ``p_b`` of each byte value ``b`` (Shannon 1948), which sixteen identical
    characters, or a long run of one character with a few others, fall below.

    Examples
    --------
    >>> key_weakness(b"a" * 39 + b"b")
    'low in entropy (7 bits by the variety of its characters; at least 96 are needed)'
    >>> key_weakness(b"short") is None, key_weakness(generate_key().encode()) is None
    (False, True)
    """
    if len(raw) < MIN_KEY_BYTES:
        return f"too short ({len(raw)} bytes; at least {MIN_KEY_BYTES} are needed)"
    for period in range(1, len(raw) // 2 + 1):
        if len(raw) % period == 0 and raw == raw[:period] * (len(raw) // period):
            return f"a pattern of {period} character(s) repeated"
    counts = [raw.count(b) for b in set(raw)]
    bits = -sum(c * math.log2(c / len(raw)) for c in counts)
    if bits < MIN_KEY_BITS:
        return (f"low in entropy ({bits:.0f} bits by the variety of its characters; at least "
                f"{MIN_KEY_BITS} are needed)")
    return None


def generate_key() -> str:
    """A new random key (64 hexadecimal characters) to keep in a private file.

    Examples
    --------
    >>> len(generate_key())
    64
    """
    return secrets.token_hex(32)


def load_key(
    key_file: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> PseudonymKey:
    """Find the pseudonymisation key.

    Looked for, in order: ``key_file``; the environment variable ``GTO_PSEUDONYM_KEY``
    (the key itself); the file named by ``GTO_PSEUDONYM_KEY_FILE``.

    Raises
    ------
    PseudonymKeyError
        When there is no key, the key file cannot be read, or the key is weak (see
        :func:`key_weakness`).

    Examples
    --------
    >>> secret = "a key kept somewhere private, 2024!"
    >>> key = load_key(environ={"GTO_PSEUDONYM_KEY": secret})
    >>> key.pseudonym("P-001") == load_key(environ={"GTO_PSEUDONYM_KEY": secret}).pseudonym("P-001")
    True
    """
    env = os.environ if environ is None else environ
    secret = (env.get(KEY_ENV) or "").strip()
    path = key_file if key_file is not None else None if secret else env.get(KEY_FILE_ENV) or None
    if path is None:
        if not secret:
            msg = (
                f"no pseudonymisation key: set the environment variable {KEY_ENV}, or "
                f"{KEY_FILE_ENV} to a key file, or pass a key file; create a key with "
                f"`{GOOD_KEY_COMMAND}` and keep it private"
            )
            raise PseudonymKeyError(msg)
        return PseudonymKey(secret)
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        msg = f"cannot read the key file {str(path)!r}: {exc.strerror}"
        raise PseudonymKeyError(msg) from None
    return PseudonymKey(content.strip())


def pseudonymize(values: pd.Series, key: PseudonymKey) -> pd.Series:
    """Replace each non-missing value by its pseudonym; missing values stay missing.

    Examples
    --------
    >>> key = PseudonymKey(b"an example key of 32 bytes: ok!!")
    >>> out = pseudonymize(pd.Series(["P-001", None, "P-001 "]), key)
    >>> out.isna().tolist(), out[0] == out[2]
    ([False, True, False], True)
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hashed = np.array([key.pseudonym(u) for u in uniques] + [np.nan], dtype=object)
    return pd.Series(hashed[codes], index=values.index, dtype="str", name=values.name)
