"""One definition file read safely: YAML parsed to nodes, checked, validated, located.

Every problem is a :class:`~getting_to_outcomes.errors.DefinitionProblem` that names the
file, line and column, so that the loader (:mod:`._loading`) and the cross-reference lint
(:mod:`._crossref`) can both point into the YAML a person wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from getting_to_outcomes.definitions.models import DefinitionFile
from getting_to_outcomes.errors import DefinitionProblem, did_you_mean

__all__ = ["ParsedFile", "locate", "preview", "problem", "read_file"]

_MAX_NODES = 200_000
_MAX_FILE_BYTES = 5_000_000
_VALUE_PREVIEW = 80


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 booleans; a subclass, so nothing global changes.

    PyYAML follows YAML 1.1, where a bare ``yes``, ``no``, ``on``, ``off``, ``y`` or ``n``
    is a boolean: ``allowed: [yes, no]`` would become ``[True, False]`` and then reject the
    data's "yes". YAML 1.2 (core schema) reads only ``true`` and ``false`` as booleans;
    the others are text, which a field that wants a boolean still reads as one.
    """


_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def preview(value: Any) -> Any:
    text = repr(value)
    if len(text) <= _VALUE_PREVIEW:
        return value
    return text[: _VALUE_PREVIEW - 3] + "..."


def _expanded_size(node: yaml.Node) -> tuple[int, int]:
    """Number of nodes once every alias is expanded, computed without expanding, and the
    number of nodes written."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise _RecursiveAlias
        in_progress.add(key)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            total += sum(size(child) for child in n.value)
        elif isinstance(n, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in n.value)
        in_progress.discard(key)
        sizes[key] = total
        return total

    return size(node), len(sizes)


class _RecursiveAlias(Exception):
    pass


@dataclass
class ParsedFile:
    path: Path
    node: yaml.Node
    model: DefinitionFile


def problem(
    path: Path, message: str, *, mark: Any = None, field: str = "", value: Any = None
) -> DefinitionProblem:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return DefinitionProblem(str(path), line, column, field, preview(value), message)


def _decode(path: Path, raw: bytes) -> str | DefinitionProblem:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return DefinitionProblem(
            str(path),
            line,
            column,
            "",
            raw[exc.start : exc.start + 1],
            "the file is not UTF-8 text; save it as UTF-8 (editors offer it under 'Save as')",
        )


def _unprintable(path: Path, text: str, exc: yaml.reader.ReaderError) -> DefinitionProblem:
    """A control character (NUL, escape...) located by line and column, shown as a code."""
    position = exc.position
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return DefinitionProblem(
        str(path), line, column, "", f"U+{exc.character:04X}",
        f"the control character U+{exc.character:04X} cannot appear in a YAML file; delete it "
        "(write it as an escape such as \\x1b inside double quotes if it is meant)",
    )


def _compose(path: Path, text: str) -> yaml.Node | DefinitionProblem | None:
    try:
        loader = _SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        return _unprintable(path, text, exc)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(filter(None, [exc.context, exc.problem]))
        return problem(path, f"YAML syntax error: {what}", mark=mark)
    except yaml.reader.ReaderError as exc:
        return _unprintable(path, text, exc)
    except yaml.YAMLError as exc:
        return problem(path, f"YAML syntax error: {exc}")
    except RecursionError:
        return problem(path, "the YAML is nested too deeply to be a definition file")
    finally:
        loader.dispose()


def _construct(path: Path, node: yaml.Node) -> Any:
    loader = _SafeLoader("")
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        message = str(exc.problem or exc)
        if "constructor for the tag" in message:
            message = (
                f"the tag {node_tag(exc)} is not allowed: definition files hold plain data only "
                "(mappings, lists, text, numbers, dates)"
            )
        return problem(path, message, mark=exc.problem_mark)
    finally:
        loader.dispose()


def node_tag(exc: yaml.MarkedYAMLError) -> str:
    text = str(exc.problem or "")
    start = text.find("'")
    return text[start : text.find("'", start + 1) + 1] if start >= 0 else "used here"


def _duplicate_keys(path: Path, node: yaml.Node) -> list[DefinitionProblem]:
    """A key given twice in one mapping. YAML keeps the last silently, so that a second
    ``min_n: 1`` would lower a suppression threshold without a word: refused instead."""
    found: list[DefinitionProblem] = []
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:  # an alias: its node is checked once
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            first: dict[str, yaml.Node] = {}
            for key, value in current.value:
                stack.append(value)
                if not isinstance(key, yaml.ScalarNode) or key.tag.endswith(":merge"):
                    continue
                if key.value in first:
                    line = first[key.value].start_mark.line + 1
                    found.append(problem(
                        path,
                        f"the key {key.value!r} is given twice in one mapping (first on line "
                        f"{line}); YAML would keep only the last: keep one",
                        mark=key.start_mark, value=key.value,
                    ))
                else:
                    first[key.value] = key
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(found, key=lambda p: (p.line or 0, p.column or 0))


def read_file(path: Path, problems: list[DefinitionProblem]) -> ParsedFile | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(problem(path, f"cannot read the file: {exc.strerror}"))
        return None
    if len(raw) > _MAX_FILE_BYTES:
        problems.append(problem(path, f"the file is larger than {_MAX_FILE_BYTES:,} bytes"))
        return None
    text = _decode(path, raw)
    if isinstance(text, DefinitionProblem):
        problems.append(text)
        return None
    node = _compose(path, text)
    if node is None:
        problems.append(
            problem(
                path,
                "the file is empty; expected a mapping with 'framework', "
                "'scales', 'sources' or 'indicators'",
            )
        )
        return None
    if isinstance(node, DefinitionProblem):
        problems.append(node)
        return None
    try:
        size, written = _expanded_size(node)
    except (_RecursiveAlias, RecursionError):
        problems.append(
            problem(
                path,
                "an alias refers to itself; definitions cannot be recursive",
                mark=node.start_mark,
            )
        )
        return None
    if size > _MAX_NODES:
        # A long file is not an attack: say which of the two it is.
        message = (f"the file holds {written:,} values, more than the {_MAX_NODES:,} a "
                   "definition file may hold; split it into several files of one folder"
                   if written > _MAX_NODES else
                   f"aliases expand to more than {_MAX_NODES:,} values; "
                   "this looks like an alias bomb and is refused")
        problems.append(
            problem(
                path,
                message,
                mark=node.start_mark,
            )
        )
        return None
    duplicates = _duplicate_keys(path, node)
    if duplicates:
        problems.extend(duplicates)
        return None
    data = _construct(path, node)
    if isinstance(data, DefinitionProblem):
        problems.append(data)
        return None
    if not isinstance(data, dict):
        problems.append(
            problem(
                path,
                f"expected a mapping with 'framework', 'scales', 'sources' or "
                f"'indicators' at the top, found {type(data).__name__}",
                mark=node.start_mark,
                value=data,
            )
        )
        return None
    try:
        model = DefinitionFile.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(path, node, exc))
        return None
    return ParsedFile(path, node, model)


# --- turning pydantic errors into located problems ---------------------------------------


#: How a model is named in messages, where its class name does not say it plainly.
_PLACES = {
    "FrameworkMeta": "the framework",
    "RealmDef": "a realm",
    "StatusRules": "the framework's status_rules",
    "DefinitionFile": "the top level of a file",
}


def _place(cls: type) -> str:
    named = _PLACES.get(cls.__name__)
    if named is not None:
        return named
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def _key_homes() -> dict[str, list[str]]:
    """Every key of a definition, and the places (models) where it is a key."""
    import getting_to_outcomes.definitions.models as models

    homes: dict[str, list[str]] = {}
    for obj in vars(models).values():
        if isinstance(obj, type) and issubclass(obj, models._Model):
            for name in obj.model_fields:
                homes.setdefault(name, []).append(_place(obj))
    return homes


def unknown_key_message(key: str, homes: dict[str, list[str]] | None = None) -> str:
    """Why ``key`` is refused where it stands, and where it belongs or what was meant.

    A key that is valid elsewhere is placed wrongly: the message says where it belongs
    instead of suggesting the key itself.

    Examples
    --------
    >>> unknown_key_message("missng")
    "unknown key 'missng' (did you mean 'missing'?)"
    >>> unknown_key_message("status")
    "key 'status' does not belong here: it is a key of a provenance (move it there)"
    """
    homes = _key_homes() if homes is None else homes
    places = homes.get(key)
    if places:
        unique = list(dict.fromkeys(places))
        where = " or ".join(unique[:3])
        if len(unique) > 3:
            where = f"{', '.join(unique[:3])} and {len(unique) - 3} other place(s)"
        return f"key {key!r} does not belong here: it is a key of {where} (move it there)"
    return f"unknown key {key!r}{did_you_mean(key, homes)}"


def locate(node: yaml.Node, loc: Sequence[str | int], *, key: bool = False) -> tuple[Any, str]:
    """Follow a pydantic ``loc`` through the YAML node tree.

    Returns the mark of the deepest node reached and the dotted path of the parts that
    exist in the file (union tags that pydantic inserts are skipped).
    """
    current = node
    mark = node.start_mark
    parts: list[str] = []
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if key_node.value == part:
                    mark = key_node.start_mark if (last and key) else value_node.start_mark
                    current = value_node
                    parts.append(str(part))
                    break
        elif (
            isinstance(current, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(current.value)
        ):
            current = current.value[part]
            mark = current.start_mark
            parts.append(str(part))
    return mark, ".".join(parts)


def _pydantic_problems(
    path: Path, node: yaml.Node, exc: ValidationError, base: Sequence[str | int] = ()
) -> list[DefinitionProblem]:
    problems = []
    homes = _key_homes()
    errors = exc.errors(include_url=False)
    # A NaN given for "a number or a date" fails both; the number's error is the one to say.
    infinite = {(*base, *e["loc"][:-1]) for e in errors if e["type"] == "finite_number"}
    for err in errors:
        loc = (*base, *err["loc"])
        kind = err["type"]
        if kind != "finite_number" and loc[:-1] in infinite:
            continue
        if kind == "finite_number":
            mark, field = locate(node, loc)
            message = ("every number in a definition must be finite: NaN and infinity (.nan, "
                       ".inf) would let every value pass or make results NaN; write a number")
            problems.append(problem(path, message, mark=mark, field=field, value=err.get("input")))
            continue
        if kind == "extra_forbidden":
            mark, field = locate(node, loc, key=True)
            unknown = str(loc[-1])
            message = unknown_key_message(unknown, homes)
            value = unknown
        else:
            mark, field = locate(node, loc)
            message = err["msg"]
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            ctx = err.get("ctx") or {}
            if kind == "union_tag_invalid":
                tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
                message += did_you_mean(str(ctx.get("tag", "")), tags)
            value = err.get("input")
            if kind == "missing":
                message = f"required key {str(loc[-1])!r} is missing"
                value = None
        problems.append(problem(path, message, mark=mark, field=field, value=value))
    return problems
