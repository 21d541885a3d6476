"""What every portal page shares: rendering without the signed-in user, the page cache, the
Cache-Control header and the friendly 429.

Portal pages are rendered with ``render_to_string`` and no request context: no context
processor runs, so nothing touches the session, the user or the CSRF token — an anonymous
visitor gets no cookie and the page is the same for everybody, which is what makes it safe to
cache per URL and to mark ``Cache-Control: public``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import urlencode

from ..throttle import retry_after

View = Callable[..., HttpResponse]


def page(request: HttpRequest, template: str, context: dict[str, Any],
         status: int = 200) -> HttpResponse:
    html = render_to_string(template, {**context, "path": request.path})
    return HttpResponse(html, status=status)


def query_string(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _cache_control(request: HttpRequest, response: HttpResponse, seconds: int) -> HttpResponse:
    if seconds <= 0:
        response["Cache-Control"] = "no-cache"
    elif settings.SESSION_COOKIE_NAME in request.COOKIES:
        # a signed-in visitor: the session middleware may refresh its cookie on this response
        response["Cache-Control"] = f"private, max-age={seconds}"
    else:
        response["Cache-Control"] = f"public, max-age={seconds}"
    return response


def public_page(view: View) -> View:
    """Cache the page per URL (path and query) for PORTAL_CACHE_SECONDS."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = int(getattr(settings, "PORTAL_CACHE_SECONDS", 0))
        key = None
        if seconds > 0 and request.method in ("GET", "HEAD"):
            key = "portal:page:" + hashlib.sha1(  # noqa: S324 - a cache key, not a secret
                request.get_full_path().encode()).hexdigest()
            hit = cache.get(key)
            if hit is not None:
                return _cache_control(request, HttpResponse(hit[1], status=hit[0]), seconds)
        response = view(request, *args, **kwargs)
        if key is not None and response.status_code in (200, 404) and not response.streaming:
            cache.set(key, (response.status_code, response.content), seconds)
        return _cache_control(request, response, seconds)

    return wrapper


def too_many(request: HttpRequest, seconds: int) -> HttpResponse:
    response = page(request, "portal/429.html", {"seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def rate_limited(bucket: str) -> Callable[[View], View]:
    """Count the request against the address's limit for ``bucket`` before anything else."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            wait = retry_after(request, bucket)
            if wait is not None:
                return too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
