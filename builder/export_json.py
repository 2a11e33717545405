"""Turn departments into JSON of the validated model: amounts and numbers as exact strings, derived values added.

Numbers are strings (`"188.51"`, `"10.00"`) because most JSON readers turn numbers
into floating point; the text is kept exactly as published (`=100%` stays `=100%`).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from .amounts import Amount, format_amount
from .export_sqlite import SCHEMA_VERSION
from .export_tables import EXPORT_UNIT, ProjectContext, department_total, in_export_unit, project_contexts
from .load import LoadedDepartment
from .model import Budget
from .paths import department_dir, pdf_path


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
        dumped["parsed"] = asdict(indicator.parsed)
    return {
        "project_id": context.project_id,
        "project_key": context.key,
        "project_code": project.project_code,
        **data,
        "page_url": site_url + context.project_id + "/",
    }


def department_json(loaded: LoadedDepartment, site_url: str) -> dict[str, Any]:
    department, slug = loaded.department, loaded.source.slug
    data = department.model_dump(mode="python")
    data["projects"] = [project_json(context, site_url) for context in project_contexts(loaded)]
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


def json_bytes(loaded_list: list[LoadedDepartment], site_url: str = "") -> bytes:
    """The departments as one JSON document, pretty-printed, in a stable order."""
    document = {
        "title": "部门预算绩效文本 开放数据",
        "schema_version": SCHEMA_VERSION,
        "value_unit": EXPORT_UNIT,
        "departments": [department_json(loaded, site_url) for loaded in loaded_list],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2, default=_exact) + "\n").encode("utf-8")
