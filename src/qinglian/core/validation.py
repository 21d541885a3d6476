"""Checks every action applies to free text, with the Chinese message keyed by field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def clean_text(value: Any, what: str, *, required: bool = True, limit: int = 0) -> str:
    """The text stripped; refused when required and empty, or longer than ``limit``
    (never cut short silently)."""
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({what: "此项为必填项"})
    if limit and len(text) > limit:
        raise ValidationError({what: f"不能超过 {limit} 个字符"})
    return text
