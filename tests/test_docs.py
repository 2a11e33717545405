"""The data-format reference and the JSON Schema cannot drift from the model."""

from pathlib import Path

from pydantic import BaseModel

from builder.data.model import Department
from builder.data.schema import schema_text

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference" / "data-format.md"
SCHEMA = ROOT / "docs" / "reference" / "budget-performance-text.schema.json"


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    names: set[str] = set()
    seen.add(model)
    for name, field in model.model_fields.items():
        names.add(name)
        for candidate in _models_in(field.annotation):
            if candidate not in seen:
                names |= _field_names(candidate, seen)
    return names


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for argument in getattr(annotation, "__args__", ()) or ():
        found += _models_in(argument)
    metadata_origin = getattr(annotation, "__origin__", None)
    if metadata_origin is not None and not getattr(annotation, "__args__", None):
        found += _models_in(metadata_origin)
    return found


def test_every_field_is_documented_on_the_reference_page() -> None:
    page = REFERENCE.read_text(encoding="utf-8")
    undocumented = sorted(
        name for name in _field_names(Department, set()) if f"`{name}" not in page and name not in page
    )
    assert undocumented == []


def test_committed_schema_matches_the_model() -> None:
    """Refresh with: python -m builder schema > docs/reference/budget-performance-text.schema.json"""
    assert SCHEMA.read_text(encoding="utf-8") == schema_text()


def test_every_command_has_chinese_help() -> None:
    from builder.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, command in commands.items():
        assert command.description, name
        assert any("\u4e00" <= char <= "\u9fff" for char in command.description), name
