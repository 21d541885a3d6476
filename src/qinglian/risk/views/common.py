"""What the risk pages share: the acting user, which register a page shows, error messages."""

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

from ..queries import register_organisations

__all__ = ["acting_user", "chosen_register", "report_refusal", "writable_registers"]


def chosen_register(request: HttpRequest) -> tuple[QuerySet[Organisation], Organisation | None]:
    """The registers the user may read, and the one the page shows: ``?org=`` when given and
    readable, else the only one there is (an administrator sees every register at once)."""
    readable = register_organisations(request.user, READ)
    wanted = parse_id(request.GET.get("org"))
    if wanted is not None:
        return readable, readable.filter(pk=wanted).first()
    home = getattr(request.user, "organisation", None)
    if home is not None and readable.filter(pk=home.pk).exists():
        return readable, home
    return readable, None


def writable_registers(user: Any) -> QuerySet[Organisation]:
    if not has_perm(user, "risk.manage_register"):
        return Organisation.objects.none()
    return register_organisations(user, WRITE).order_by("kind", "name_pinyin")


def report_refusal(request: HttpRequest, exc: ValidationError | TransitionNotAllowed) -> None:
    """An action's refusal as a message at the top of the next page."""
    text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)
