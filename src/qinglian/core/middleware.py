from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import RequestContext, reset_request, set_request


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR only (X-Forwarded-For is trusted only behind a configured proxy), in the
    canonical form the database stores — the audit hash covers exactly what is stored."""
    raw = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(raw.split("%", 1)[0]))
    except ValueError:
        return None


class RequestContextMiddleware:
    """Give every request an id (echoed as X-Request-ID) and remember its source address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request(RequestContext(request_id=request_id, source_ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            reset_request(token)
        response["X-Request-ID"] = request_id
        return response


class ChineseFirstLocaleMiddleware:
    """Simplified Chinese unless the user chose English with the switch (language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; our users read
    Chinese first, so a browser set to English must not change the product's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
