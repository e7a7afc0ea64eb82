"""mkdocs hooks: pages generated from the code, so they cannot drift from it.

``<!-- gto:models -->`` becomes a reference of every definition-file model (from the
pydantic models), and ``<!-- gto:cli -->`` the help of every ``gto`` command.
"""

from __future__ import annotations

import inspect
from typing import Any

import click
from pydantic import BaseModel

from getting_to_outcomes.cli import main
from getting_to_outcomes.definitions import models as models

_MODEL_ORDER = [
    "DefinitionFile",
    "FrameworkMeta",
    "Citation",
    "RealmDef",
    "Zone",
    "Stop",
    "Provenance",
    "StatusRules",
    "ResponseScale",
    "ScaleCode",
    "MissingCode",
    "DataSource",
    "Column",
    "FieldComparison",
    "Indicator",
    "ScaleMeasure",
    "CountMeasure",
    "ProportionMeasure",
    "RateMeasure",
    "MeanMeasure",
    "LevelMeasure",
    "LadderLevel",
    "MilestoneMeasure",
    "MilestoneStage",
    "Condition",
    "Target",
    "RubricLevel",
]


def _type_name(annotation: Any) -> str:
    text = str(annotation).replace("typing.", "")
    text = text.replace("getting_to_outcomes.definitions.models.", "")
    text = text.replace("<class '", "").replace("'>", "").replace("datetime.date", "date")
    return text.replace("|", "&#124;")


def _model_table(model: type[BaseModel]) -> str:
    doc = inspect.cleandoc(model.__doc__ or "").split("\n\n")[0]
    rows = ["| key | type | required | default | meaning |", "|---|---|---|---|---|"]
    for name, field in model.model_fields.items():
        required = "yes" if field.is_required() else ""
        default = "" if field.is_required() else repr(field.get_default(call_default_factory=True))
        description = (field.description or "").replace("|", "&#124;")
        rows.append(
            f"| `{name}` | `{_type_name(field.annotation)}` | {required} | "
            f"`{default}` | {description} |".replace("``", "")
        )
    return f"### {model.__name__}\n\n{doc}\n\n" + "\n".join(rows) + "\n"


def _models_reference() -> str:
    return "\n".join(_model_table(getattr(models, name)) for name in _MODEL_ORDER)


def _cli_reference() -> str:
    sections: list[str] = []

    def walk(command: click.Command, path: list[str]) -> None:
        with click.Context(command, info_name=" ".join(path)) as ctx:
            sections.append(f"### `{' '.join(path)}`\n\n```text\n{command.get_help(ctx)}\n```\n")
        if isinstance(command, click.Group):
            for name in sorted(command.commands):
                walk(command.commands[name], [*path, name])

    walk(main, ["gto"])
    return "\n".join(sections)


def on_page_markdown(markdown: str, **_: Any) -> str:
    if "<!-- gto:models -->" in markdown:
        markdown = markdown.replace("<!-- gto:models -->", _models_reference())
    if "<!-- gto:cli -->" in markdown:
        markdown = markdown.replace("<!-- gto:cli -->", _cli_reference())
    return markdown
