"""The API page names every public function with its signature, and prints no Sphinx role."""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import getting_to_outcomes

REPO = Path(__file__).parents[2]
RAW_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|data|mod|attr|obj|exc|const|ref):`?")
_HEADING = re.compile(r'<h\d id="([^"]+)" class="doc doc-heading">')
_FUNCTION_NAME = re.compile(
    r'<h\d id="([^"]+)" class="doc doc-heading">\s*'
    r'<span class="doc doc-object-name doc-function-name">([^<]+)</span>'
)


def _roles_extension() -> ModuleType:
    spec = importlib.util.spec_from_file_location("griffe_roles", REPO / "docs/griffe_roles.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("docstring", "shown"),
    [
        ("see :func:`~getting_to_outcomes.validate`.", "see `validate`."),
        ("see :func:`getting_to_outcomes.validate`.", "see `getting_to_outcomes.validate`."),
        (":class:`Framework`, :meth:`~Framework.to_frame`", "`Framework`, `to_frame`"),
        (":data:`FRAME_COLUMNS` and :py:mod:`~a.b`", "`FRAME_COLUMNS` and `b`"),
        ("plain ``code`` stays", "plain ``code`` stays"),
    ],
)
def test_sphinx_roles_become_inline_code_with_the_name_sphinx_shows(
    docstring: str, shown: str
) -> None:
    assert _roles_extension().translate_roles(docstring) == shown


@pytest.mark.slow
def test_the_api_page_shows_each_public_function_by_name_and_signature(tmp_path: Path) -> None:
    mkdocs = Path(sys.executable).parent / "mkdocs"
    built = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stderr[-3000:]
    page = (tmp_path / "site/api/index.html").read_text(encoding="utf-8")

    assert RAW_ROLE.findall(page) == []

    blocks = page.split('<div class="doc doc-object doc-function">')[1:]
    assert len(blocks) > 50
    for block in blocks:
        named = _FUNCTION_NAME.search(block)
        assert named is not None, block[:300]
        assert named.group(1).rsplit(".", 1)[-1] == named.group(2)
        signature = block.find('<div class="doc-signature')
        assert 0 < signature < block.find('<div class="doc doc-contents'), named.group(1)

    headings = {anchor.rsplit(".", 1)[-1] for anchor in _HEADING.findall(page)}
    public = [
        name
        for name in getting_to_outcomes.__all__
        if inspect.isfunction(getattr(getting_to_outcomes, name))
    ]
    assert public
    assert [name for name in public if name not in headings] == []
