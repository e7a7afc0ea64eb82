"""JSON Schema of the definition files, generated from the pydantic models.

Editors with a YAML language server (VS Code's YAML extension, for example) use it to
complete keys and flag mistakes as you type; see ``docs/writing-indicators.md``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from getting_to_outcomes.definitions.models import (
    DataSource,
    DefinitionFile,
    FrameworkMeta,
    Indicator,
    ResponseScale,
)

__all__ = ["SCHEMA_KINDS", "json_schema"]

_MODELS: dict[str, type[BaseModel]] = {
    "file": DefinitionFile,
    "framework": FrameworkMeta,
    "indicator": Indicator,
    "source": DataSource,
    "scale": ResponseScale,
}
SCHEMA_KINDS = tuple(_MODELS)


def json_schema(kind: str = "file") -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a definition file or one of its sections.

    Examples
    --------
    >>> schema = json_schema("indicator")
    >>> "measure" in schema["properties"]
    True
    """
    model = _MODELS[kind]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("title", model.__name__)
    return schema
