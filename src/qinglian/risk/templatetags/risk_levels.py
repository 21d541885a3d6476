"""Template filters of the risk pages: a level's colour and label, the level of a cell."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..choices import RiskLevel
from ..levels import level_colour, level_label, level_of

register = template.Library()

#: Levels whose colour is dark enough for white text.
DARK = {RiskLevel.MAJOR.value, RiskLevel.HIGH.value}


@register.filter
def risk_colour(level: str) -> str:
    return level_colour(level)


@register.filter
def risk_label(level: str) -> str:
    return level_label(level)


@register.simple_tag
def risk_badge(level: str, score: int | None = None) -> SafeString:
    """The level as a coloured badge, with the score when given: 高（12）."""
    text = level_label(level) if score is None else f"{level_label(level)}（{score}）"
    return format_html(
        '<span class="badge" style="background-color:{};color:{}" data-level="{}">{}</span>',
        level_colour(level), "#fff" if level in DARK else "#1f2d3d", level, text)


@register.simple_tag
def risk_cell(likelihood: int, impact: int) -> SafeString:
    """The badge of likelihood × impact."""
    level = level_of(likelihood, impact)
    return risk_badge(level.value, likelihood * impact)
