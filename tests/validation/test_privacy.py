"""Keyed-hash pseudonyms: HMAC-SHA256, the same in every file, the key never shown."""

from __future__ import annotations

import hashlib
import hmac
import pickle
from pathlib import Path

import pandas as pd
import pytest

from getting_to_outcomes import (
    PseudonymKey,
    PseudonymKeyError,
    generate_key,
    load_key,
    pseudonymize,
)


def test_pseudonym_is_hmac_sha256_of_the_trimmed_id() -> None:
    secret = b"a key that is long enough for HMAC"
    expected = "p_" + hmac.new(secret, b"P-001", hashlib.sha256).hexdigest()[:20]  # computed here
    key = PseudonymKey(secret)
    assert key.pseudonym(" P-001 ") == expected
    assert key.pseudonym("P-002") != expected
    assert PseudonymKey(b"another key, long enough for HMAC").pseudonym("P-001") != expected


def test_pseudonymize_keeps_missing_values_missing() -> None:
    key = PseudonymKey(generate_key())
    out = pseudonymize(pd.Series(["P1", None, "P1", "P2"]), key)
    assert out.isna().tolist() == [False, True, False, False]
    assert out[0] == out[2] != out[3]


def test_the_key_never_shows() -> None:
    secret = generate_key()
    key = PseudonymKey(secret)
    assert secret not in repr(key)
    assert secret not in str(key)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)


def test_key_from_environment_or_file(tmp_path: Path) -> None:
    secret = generate_key()
    from_env = load_key(environ={"GTO_PSEUDONYM_KEY": secret})
    path = tmp_path / "gto.key"
    path.write_text(secret + "\n")
    from_file = load_key(path, environ={})
    from_file_env = load_key(environ={"GTO_PSEUDONYM_KEY_FILE": str(path)})
    assert from_env.pseudonym("x") == from_file.pseudonym("x") == from_file_env.pseudonym("x")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "no pseudonymisation key"),
        ({"GTO_PSEUDONYM_KEY": "short"}, "too short"),
        ({"GTO_PSEUDONYM_KEY_FILE": "/no/such/key"}, "cannot read the key file"),
    ],
)
def test_missing_or_weak_keys_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(PseudonymKeyError, match=message):
        load_key(environ=environ)
