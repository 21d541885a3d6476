"""docs/monitoring.md describes every dataset column and every rule the code defines."""

from __future__ import annotations

from pathlib import Path

from qinglian.monitoring.engine import all_rules
from qinglian.monitoring.schemas import SCHEMAS, DatasetKind

DOC = Path(__file__).resolve().parents[2] / "docs" / "monitoring.md"


def test_every_canonical_column_is_documented_with_its_label_and_headers() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind, schema in SCHEMAS.items():
        if kind == DatasetKind.OCDS:
            assert "`ocds`" in text
            continue
        assert f"（`{kind}`）" in text, kind
        section = text.split(f"（`{kind}`）", 1)[1].split("\n### ", 1)[0]
        for column in schema.columns:
            row = next((line for line in section.splitlines()
                        if line.startswith(f"| `{column.name}` | {column.label} |")), None)
            assert row is not None, f"{kind}.{column.name} 未写入 docs/monitoring.md"
            assert ("| 是 |" in row) == column.required, f"{kind}.{column.name} 必填与代码不符"
            for alias in column.aliases:
                assert alias == column.label or f"`{alias}`" in row, f"{kind}.{column.name}: {alias}"


def test_every_rule_is_documented_with_its_name_and_parameters() -> None:
    text = DOC.read_text(encoding="utf-8")
    for rule in all_rules():
        assert f"### {rule.code} {rule.name_zh}（{rule.name_en}）" in text, rule.code
        section = text.split(f"### {rule.code} ", 1)[1].split("\n### ", 1)[0]
        for parameter in rule.parameters:
            assert f"| `{parameter.name}` | {parameter.label}" in section, \
                f"{rule.code}.{parameter.name}"
