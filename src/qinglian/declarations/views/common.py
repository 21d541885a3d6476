"""What the declaration pages share: which organisation a page shows, the organisations the
user may declare for, and refusals as messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from qinglian.core.paging import parse_id
from qinglian.core.permissions import READ, WRITE, has_perm
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.models import Organisation
from qinglian.registry.views.people import acting_user

from ..queries import declaring_organisations

__all__ = ["acting_user", "chosen_organisation", "picker", "report_refusal",
           "writable_organisations"]


def chosen_organisation(request: HttpRequest) -> tuple[QuerySet[Organisation], Organisation | None]:
    """The organisations the user may read, and the one the page shows: ``?org=`` when given
    and readable, else the user's own (an administrator sees every organisation at once)."""
    readable = declaring_organisations(request.user, READ)
    wanted = parse_id(request.GET.get("org"))
    if wanted is not None:
        return readable, readable.filter(pk=wanted).first()
    home = getattr(request.user, "organisation", None)
    if home is not None and readable.filter(pk=home.pk).exists():
        return readable, home
    return readable, None


def picker(readable: QuerySet[Organisation]) -> Any:
    """The organisations for the picker above a page: only when there is a choice."""
    return readable.order_by("kind", "name_pinyin")[:500] if readable.count() > 1 else []


def writable_organisations(user: Any, perm: str = "declarations.declare") -> QuerySet[Organisation]:
    if not has_perm(user, perm):
        return Organisation.objects.none()
    return declaring_organisations(user, WRITE).order_by("kind", "name_pinyin")


def report_refusal(request: HttpRequest, exc: ValidationError | TransitionNotAllowed) -> None:
    """An action's refusal as a message at the top of the next page."""
    text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)
