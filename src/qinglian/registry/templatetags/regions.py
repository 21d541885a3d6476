"""``{% load regions %}``: ``{{ code|district }}`` → 西湖区 (the name within its city)."""

from __future__ import annotations

from django import template

from qinglian.registry.regions import short_region_name

register = template.Library()


@register.filter
def district(code: str | None) -> str:
    return short_region_name(code) if code else ""
