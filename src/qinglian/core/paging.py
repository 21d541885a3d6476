"""Pagination shared by every list page and the API."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE_CHOICES = (20, 50, 100)


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = 20) -> Page:
    """The requested page of the queryset; out-of-range pages fall back to the last one.

    The count query is the only extra query; the page itself is one LIMIT/OFFSET query.
    """
    try:
        size = int(request.GET.get("per_page", per_page))
    except ValueError:
        size = per_page
    if size not in PER_PAGE_CHOICES:
        size = per_page
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest, **replace: str) -> str:
    """The current query string minus 'page', for pagination and sort links; ``replace``
    sets (or, with "", drops) parameters."""
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in replace.items():
        params.pop(key, None)
        if value:
            params[key] = value
    return params.urlencode()


def parse_id(text: str | None) -> int | None:
    """A record id from a query parameter, or None: ASCII digits only (not "²"), and small
    enough for a database key (a 40-digit number is not an id, it is an error)."""
    if text and text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None
