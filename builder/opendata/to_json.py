"""Turn departments into JSON of the validated model: amounts and numbers as exact strings, derived values added.

Numbers are strings (`"188.51"`, `"10.00"`) because most JSON readers turn numbers
into floating point; the text is kept exactly as published (`=100%` stays `=100%`).

The document is written as `json.dumps(..., ensure_ascii=False, indent=2)` would write
it, byte for byte, but by a small writer of our own: the standard library only uses its
C encoder without indentation, and its pure-Python one is slow. Each department is
written once, already indented for its place in the document, so the year's and the
whole site's documents join the departments' pieces instead of writing them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields
from decimal import Decimal
from functools import cache
from json import JSONEncoder
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from pydantic import BaseModel

from ..data.amounts import Amount, format_amount
from ..data.load import LoadedDepartment
from ..data.model import Budget
from ..data.values import ParsedValue
from ..site.paths import department_dir, pdf_path
from .tables import EXPORT_UNIT, ProjectContext, department_total, in_export_unit, project_contexts
from .to_sqlite import SCHEMA_VERSION

TITLE = "部门预算绩效文本 开放数据"
PARSED_FIELDS = tuple(field.name for field in fields(ParsedValue))
INDENT = "  "
DEPARTMENT_LEVEL = 2  # document → "departments" list → department
# Types the C encoder writes exactly as the indenting encoder does (Decimal through `_exact`).
SCALARS = frozenset({str, int, float, bool, type(None), Decimal})


def amount_json(amount: Amount | None, document_unit: str) -> dict[str, Any] | None:
    """`{"printed": "500万元", "value": "500"}`, value in 万元; None for a blank cell."""
    if amount is None:
        return None
    return {"printed": amount.printed, "value": in_export_unit(amount, document_unit)}


def budget_json(budget: Budget, document_unit: str) -> dict[str, Any]:
    return {part: amount_json(getattr(budget, part), document_unit) for part in ("total", "fiscal", "other")}


def project_json(context: ProjectContext, site_url: str) -> dict[str, Any]:
    project = context.project
    data = project.model_dump(mode="python")
    data["budget"] = budget_json(project.budget, context.department.amount_unit)
    for checkpoint, dumped in zip(project.spending_plan, data["spending_plan"], strict=True):
        dumped["percent"] = checkpoint.percent
    for indicator, dumped in zip(project.indicators, data["indicators"], strict=True):
        parsed = indicator.parsed
        dumped["parsed"] = {name: getattr(parsed, name) for name in PARSED_FIELDS}
    return {
        "project_id": context.project_id,
        "project_key": context.key,
        "project_code": project.project_code,
        **data,
        "page_url": site_url + context.project_id + "/",
    }


def dump_with(model: BaseModel, field: str, value: object) -> dict[str, Any]:
    """`model.model_dump(mode="python")` with `field` replaced by `value`, without dumping the field first."""
    dumped = model.model_dump(mode="python", exclude={field})
    order = [name for name in type(model).model_fields if name in dumped or name == field]
    data = {name: value if name == field else dumped[name] for name in order}
    data.update({name: item for name, item in dumped.items() if name not in data})  # computed fields, if any
    return data


def department_json(loaded: LoadedDepartment, site_url: str) -> dict[str, Any]:
    department, slug = loaded.department, loaded.source.slug
    data = dump_with(department, "projects", [project_json(context, site_url) for context in project_contexts(loaded)])
    return {
        "department_id": department_dir(department.year, slug).rstrip("/"),
        "department_slug": slug,
        **data,
        "budget_total": department_total(department),
        "page_url": site_url + department_dir(department.year, slug),
        "pdf_url": site_url + pdf_path(department.year, slug),
    }


def _exact(value: object) -> str:
    if isinstance(value, Decimal):
        return format_amount(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_json(value: object, level: int, out: list[str]) -> None:
    """Append `value` as `json.dumps(value, ensure_ascii=False, indent=2)` writes it at nesting `level`.

    Decimals are written as exact strings; any other type json cannot write raises TypeError.
    Scalars, and containers of only scalars, go through the C encoder (`flat_json`).
    """
    items: Iterable[tuple[object, object]]
    if isinstance(value, dict):
        values, items = value.values(), value.items()
    elif isinstance(value, list | tuple):
        values, items = value, enumerate(value)
    else:
        out.append(flat_json(value, level))
        return
    if values and SCALARS.issuperset(map(type, values)):
        text = flat_json(value, level)  # the item separator holds the newline and indent: add the brackets'
        out.append(f"{text[0]}\n{INDENT * (level + 1)}{text[1:-1]}\n{INDENT * level}{text[-1]}")
    else:
        write_container(items, isinstance(value, dict), level, out)


def write_container(items: Iterable[tuple[object, object]], is_dict: bool, level: int, out: list[str]) -> None:
    """A dict's items or a list's (index, item) pairs, one per line, in brackets; runs of scalars by the C encoder."""
    inner, brackets = "\n" + INDENT * (level + 1), "{}" if is_dict else "[]"
    out.append(brackets[0])
    opened, separator = len(out), inner
    run: dict[object, object] = {}
    for key, item in items:
        if type(item) in SCALARS:
            run[key] = item
            continue
        if run:
            out.append(separator + scalar_run(run, is_dict, level))
            separator, run = "," + inner, {}
        out.append(f"{separator}{encode_basestring(_key(key))}: " if is_dict else separator)
        separator = "," + inner
        write_json(item, level + 1, out)
    if run:
        out.append(separator + scalar_run(run, is_dict, level))
    if len(out) == opened:
        out[-1] = brackets
    else:
        out.append("\n" + INDENT * level + brackets[1])


def scalar_run(run: dict[object, object], is_dict: bool, level: int) -> str:
    """Consecutive scalar items of a container at `level`, without brackets, by the C encoder."""
    return "".join(flat_encoder(level)(run if is_dict else list(run.values()), 0))[1:-1]


def flat_json(value: object, level: int) -> str:
    """A scalar by the C encoder (Decimals through `_exact`, other types raise TypeError)."""
    return "".join(flat_encoder(level)(value, 0))


@cache
def flat_encoder(level: int) -> Callable[[object, int], list[str]]:
    """The standard library's C encoder (its Python one without it), items separated as `indent=2` at `level`."""
    separator = ",\n" + INDENT * (level + 1)
    if c_make_encoder is None:  # pragma: no cover - CPython always has the C encoder
        encoder = JSONEncoder(ensure_ascii=False, separators=(separator, ": "), default=_exact)
        return lambda value, _: [encoder.encode(value)]
    return c_make_encoder(None, _exact, encode_basestring, None, ": ", separator, False, False, True)


def _key(key: object) -> str:
    if isinstance(key, str):
        return key
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int | float):
        return repr(key) if isinstance(key, float) else str(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def json_text(value: object, level: int = 0) -> str:
    out: list[str] = []
    write_json(value, level, out)
    return "".join(out)


def department_piece(loaded: LoadedDepartment, site_url: str = "") -> bytes:
    """One department as it stands in a document's `departments` list, indented, without separator."""
    return (INDENT * DEPARTMENT_LEVEL + json_text(department_json(loaded, site_url), DEPARTMENT_LEVEL)).encode()


def json_document(pieces: Iterable[bytes]) -> bytes:
    """The document holding these departments (`department_piece`), in the order given."""
    pieces = list(pieces)
    if not pieces:
        return (_document_head() + "\n").encode()
    head, tail = document_frame()
    return b"".join([head, b",\n".join(pieces), tail])


def _document_head() -> str:
    return json_text({"title": TITLE, "schema_version": SCHEMA_VERSION, "value_unit": EXPORT_UNIT, "departments": []})


def document_frame() -> tuple[bytes, bytes]:
    """What a document of one or more departments has before the first piece and after the last."""
    return (_document_head().removesuffix("[]\n}") + "[\n").encode(), ("\n" + INDENT + "]\n}\n").encode()
