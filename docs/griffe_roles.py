"""Griffe extension: Sphinx roles in docstrings read as code on the API page.

The docstrings are numpydoc and cite other objects with Sphinx roles
(``:func:`~getting_to_outcomes.validate```), which mkdocstrings would print as they are.
Each role becomes inline code with the name Sphinx would show: the last part of the path
after ``~``, the whole path otherwise.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|meth|data|mod|attr|obj|exc|const|ref):`(~?)([^`]+)`")


def translate_roles(text: str) -> str:
    """``text`` with every Sphinx role replaced by inline code.

    Examples
    --------
    >>> translate_roles("See :func:`~getting_to_outcomes.validate` and :data:`FRAME_COLUMNS`.")
    'See `validate` and `FRAME_COLUMNS`.'
    """

    def code(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        name = target.rsplit(".", 1)[-1] if match.group(1) else target
        return f"`{name}`"

    return ROLE.sub(code, text)


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of each object's docstring once griffe has loaded it."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = translate_roles(obj.docstring.value)
