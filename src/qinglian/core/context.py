"""Who is acting, from where, in which request: read by the audit trail."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    source_ip: str | None = None


_EMPTY = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("qinglian_request", default=_EMPTY)


def current_request() -> RequestContext:
    return _current.get()


def set_request(ctx: RequestContext) -> object:
    return _current.set(ctx)


def reset_request(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
