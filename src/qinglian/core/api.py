"""What every app's API shares: core's own endpoint (/me), the error answers, input bounds
and pagination.

How the API answers when something is wrong — one error shape, in Chinese:

* 401 ``{"detail": "未认证…"}``      no or bad token / session
* 403 ``{"detail": "您没有…"}``      the role may not do this (PermissionDenied)
* 404 ``{"detail": "未找到该记录"}``  missing, or outside the caller's scope — the same answer
* 409 ``{"detail": "不允许从…"}``    a state change the state table does not list
* 422 ``{"detail": [{"field", "message"}]}``  bad input, from the schema or from an action
* 400 ``{"detail": "请求体无法解析…"}``  a body that is not JSON

Actions raise Django's exceptions; these handlers translate them, so handlers never catch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import PageNumberPagination
from pydantic import field_validator

from .api_auth import UNAUTHENTICATED, api_user
from .workflow import TransitionNotAllowed

NOT_FOUND = "未找到该记录"
FORBIDDEN = "您没有执行此操作的权限"
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
#: The handlers' parameter names for whole bodies and filter sets: not fields the client sent.
_PARAMETER_NAMES = {"payload", "filters"}

#: pydantic's error types, told in Chinese; ``{…}`` takes values from the error's context.
SCHEMA_MESSAGES: dict[str, str] = {
    "missing": "此项必填",
    "string_type": "应为文本",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_too_long": "不能超过 {max_length} 个字符",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "日期格式应为 YYYY-MM-DD，如 2026-11-24",
    "date_parsing": "日期格式应为 YYYY-MM-DD，如 2026-11-24",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD，如 2026-11-24",
    "datetime_type": "时间格式应为 ISO 8601，如 2026-11-24T09:30:00+08:00",
    "datetime_parsing": "时间格式应为 ISO 8601，如 2026-11-24T09:30:00+08:00",
    "datetime_from_date_parsing": "时间格式应为 ISO 8601，如 2026-11-24T09:30:00+08:00",
    "enum": "取值无效，可选值：{expected}",
    "literal_error": "取值无效，可选值：{expected}",
    "list_type": "应为列表",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "json_invalid": "请求体不是有效的 JSON",
    "json_type": "请求体不是有效的 JSON",
    "extra_forbidden": "不允许的字段",
}


class ErrorOut(Schema):
    detail: str = Field(..., description="错误说明")


class FieldErrorOut(Schema):
    field: str = Field(..., description="出错的字段（__all__ 表示整体）")
    message: str = Field(..., description="错误说明")


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut] = Field(..., description="逐项错误说明")


#: Error answers every authenticated operation may give, for the OpenAPI document.
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
#: …and those of operations that walk a state table.
TRANSITION_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}


def schema_error_field(loc: Iterable[Any]) -> str:
    """``("body", "payload", "name")`` → ``name``; ``("query", "page")`` → ``page``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
        if parts and parts[0] in _PARAMETER_NAMES:
            parts = parts[1:]
    return ".".join(parts) or NON_FIELD_ERRORS


def schema_error_message(error: dict[str, Any]) -> str:
    whole_body = schema_error_field(error.get("loc", ())) == NON_FIELD_ERRORS
    if error.get("type") == "missing" and whole_body:
        return "请求体不能为空，应为 JSON 对象"
    if error.get("type") == "value_error":  # raised by our own validators, already Chinese
        return str((error.get("ctx") or {}).get("error", "取值无效"))
    template = SCHEMA_MESSAGES.get(str(error.get("type", "")))
    if template is None:
        return "取值无效"
    context = {
        k: str(v).replace("'", "").replace(" or ", ", ").replace(", ", "、")
        for k, v in (error.get("ctx") or {}).items()
    }
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template.split("{", 1)[0].rstrip("：，")


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """A Django ValidationError (from an action or a model's clean) as field/message pairs."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": NON_FIELD_ERRORS, "message": str(m)} for m in exc.messages]


def register_error_handlers(api: NinjaAPI) -> None:
    """Install the Chinese error answers on the API object.

    (``exc`` is typed Any: ninja types a handler's argument as "the class or an instance".)
    """

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": NOT_FOUND}, status=404)

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or FORBIDDEN}, status=403)

    def invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": field_errors(exc)}, status=422)

    def schema_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = [
            {"field": schema_error_field(e.get("loc", ())), "message": schema_error_message(e)}
            for e in exc.errors
        ]
        return api.create_response(request, {"detail": detail}, status=422)

    def conflict(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=409)

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        message = str(exc)
        if message.startswith("Cannot parse request body"):
            message = "请求体无法解析：应为有效的 JSON"
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else UNAUTHENTICATED
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="qinglian"'
        return response

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(SchemaValidationError, schema_invalid)
    api.add_exception_handler(TransitionNotAllowed, conflict)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, unauthenticated)


# --- input bounds and pagination -----------------------------------------------------------

#: Largest primary key (BigAutoField); larger numbers cannot even be sent to the database.
MAX_ID = 2**63 - 1
MAX_PAGE = 1_000_000


def id_field(default: Any, description: str) -> Any:
    """A field naming an object by its number."""
    return Field(default, ge=1, le=MAX_ID, description=description)


class InputSchema(Schema):
    """Base of every In and Filter schema: text may not carry NUL characters, which
    PostgreSQL cannot store or compare."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("不能包含 NUL 控制字符")
        return value


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")
    page_size: int | None = Field(None, ge=1, le=100, description="每页条数，默认 50，最多 100")


class Pagination(PageNumberPagination):
    """``page`` and ``page_size`` (at most 100); the answer carries the total ``count``."""

    Input = PageIn  # type: ignore[assignment]


# --- core's own endpoint -------------------------------------------------------------------

router = Router(tags=["认证"])


class MeOut(Schema):
    username: str = Field(..., description="用户名")
    display_name: str = Field(..., description="姓名")
    role: str = Field(..., description="角色代码")
    role_label: str = Field(..., description="角色")
    organisation_id: int | None = Field(None, description="所属单位编号")
    organisation_name: str = Field("", description="所属单位")


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前调用者")
def me(request: HttpRequest) -> dict[str, Any]:
    """Who the token or session belongs to: the scope of every other answer follows from it."""
    user = api_user(request)
    return {
        "username": user.username,
        "display_name": user.display_name or user.username,
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "organisation_id": user.organisation_id,
        "organisation_name": user.organisation.name if user.organisation else "",
    }
