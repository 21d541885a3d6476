"""The site's 404 and 500 handlers: the portal's own friendly pages under /portal/, the
signed-in site's templates everywhere else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

PORTAL_PREFIX = "/portal/"


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(PORTAL_PREFIX):
        html = render_to_string("portal/404.html", {"path": request.path})
        return HttpResponse(html, status=404)
    return defaults.page_not_found(request, exception)  # type: ignore[arg-type]


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(PORTAL_PREFIX):
        try:
            html: str = render_to_string("portal/500.html", {})
        except Exception:  # the error page itself must not fail
            html = "<h1>系统暂时无法处理您的请求，请稍后再试。</h1>"
        return HttpResponse(html, status=500)
    return defaults.server_error(request)
