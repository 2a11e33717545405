"""Turn the model into the JSON Schema of the data format (served with the site for admins and tools)."""

from __future__ import annotations

import json

from .model import Department

SCHEMA_ID = "budget-performance-text.schema.json"


def json_schema() -> dict:
    """The JSON Schema of one data file, with the model's Chinese field descriptions."""
    schema = Department.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "部门预算绩效文本 数据文件（data/<年度>/<部门>.yaml）",
        **{key: value for key, value in schema.items() if key != "title"},
    }


def schema_text() -> str:
    """The schema as stable, human-readable JSON text."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
