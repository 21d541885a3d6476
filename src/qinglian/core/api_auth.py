"""Who is calling the API: a bearer token (integrations) or the browser's session.

Bearer tokens (``Authorization: Bearer ql_…``) are looked up by their SHA-256; the clear
token is never stored. A presented but unknown, revoked or inactive-user token is refused
outright (401) rather than falling back to the session, so a broken integration fails loudly.
The browser's session works too, with Django's CSRF check on every unsafe method.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from .models import ApiToken, User

#: ``last_used_at`` is written at most this often per token, to spare the database a write
#: on every call of a busy integration.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

UNAUTHENTICATED = "未认证：请在请求头提供有效的接口令牌（Authorization: Bearer <令牌>），或先登录"
REFUSED_UNKNOWN = "接口令牌无效"
REFUSED_REVOKED = "接口令牌已被吊销"
REFUSED_INACTIVE = "令牌所属用户已停用"
CSRF_FAILED = "CSRF 校验失败：请刷新页面后重试"


def find_token(secret: str) -> ApiToken | None:
    """The token row whose hash matches the presented secret, with its user."""
    if not secret.startswith("ql_"):
        return None
    return (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(token_sha256=ApiToken.digest(secret))
        .first()
    )


def touch(token: ApiToken) -> None:
    """Stamp the token's last use (coarsely, see LAST_USED_RESOLUTION)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer ql_…`` checked against ``ApiToken.token_sha256``."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = find_token(token.strip())
        if found is None:
            raise AuthenticationError(message=REFUSED_UNKNOWN)
        if found.revoked_at is not None:
            raise AuthenticationError(message=REFUSED_REVOKED)
        if not found.user.is_active:
            raise AuthenticationError(message=REFUSED_INACTIVE)
        touch(found)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods must pass Django's CSRF check.

    Anonymous requests fall through (to the 401 answer) before the CSRF check, so a client
    that simply forgot its token is told so instead of being told about CSRF.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request):
            raise HttpError(403, CSRF_FAILED)
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if user.is_authenticated and user.is_active:
            return user  # type: ignore[return-value]
        return None


bearer_auth = BearerTokenAuth()
session_auth = SessionAuth()

#: The API's authentication chain: token first, then the browser session.
API_AUTH = [bearer_auth, session_auth]


def api_user(request: HttpRequest) -> User:
    """The authenticated caller of an API operation."""
    return request.auth  # type: ignore[attr-defined, no-any-return]
