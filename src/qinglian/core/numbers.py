"""Human-readable numbers (XY2026-0000123, YJ2026-0000001): a prefix, the year and a
zero-padded sequence per prefix and year. The caller holds a lock that serialises drawing (a
federation's row, or the audit chain's head)."""

from __future__ import annotations

from typing import Any

from django.db import models


def next_numbers(model: type[models.Model], prefix: str, year: int, count: int) -> list[str]:
    head = f"{prefix}{year}-"
    last = (model._default_manager.filter(number__startswith=head)  # type: ignore[attr-defined]
            .order_by("-number").values_list("number", flat=True).first())
    start = int(last[len(head):]) if last and last[len(head):].isdigit() else 0
    return [f"{head}{n:07d}" for n in range(start + 1, start + count + 1)]


def next_number(model: Any, prefix: str, year: int) -> str:
    return next_numbers(model, prefix, year, 1)[0]
