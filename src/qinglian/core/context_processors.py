from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import ROLE_PERMISSIONS, role_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    role = role_of(getattr(request, "user", None))
    return {"perms_ql": ROLE_PERMISSIONS.get(role, frozenset()) if role else frozenset()}
