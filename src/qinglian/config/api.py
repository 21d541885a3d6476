"""The JSON API under /api/v1/ (django-ninja); OpenAPI docs at /api/v1/docs.

Callers authenticate with a bearer token (``Authorization: Bearer ql_…``, issued with
``qinglian token create``) or, from the browser, with their signed-in session (CSRF checked).
Errors answer in Chinese with one shape; see ``qinglian.core.api``.
"""

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.templatetags.static import static
from django.utils import timezone
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from qinglian.core.api import register_error_handlers
from qinglian.core.api import router as core_router
from qinglian.core.api_auth import API_AUTH
from qinglian.evaluation.api import router as evaluation_router
from qinglian.registry.api import router as registry_router

DOCS_PAGE = """<!DOCTYPE html>
<html lang="zh-hans">
<head>
  <meta charset="utf-8">
  <title>{{ api.title }}</title>
  <link rel="icon" href="{{ favicon }}">
  <link rel="stylesheet" href="{{ css }}">
</head>
<body data-csrf-token="{{ csrf_token }}" data-api-csrf="true">
  <script type="application/json" id="swagger-settings">{{ swagger_settings|safe }}</script>
  <div id="swagger-ui"></div>
  <script src="{{ bundle }}"></script>
  <script src="{{ init }}"></script>
</body>
</html>"""


class LocalSwagger(Swagger):
    """Swagger UI served from django-ninja's own static files, never from a CDN."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        template = engines["django"].from_string(DOCS_PAGE)
        context = {
            "api": api,
            "swagger_settings": json.dumps(self.settings, ensure_ascii=False),
            "favicon": static("ninja/favicon.png"),
            "css": static("ninja/swagger-ui.css"),
            "bundle": static("ninja/swagger-ui-bundle.js"),
            "init": static("ninja/swagger-ui-init.js"),
        }
        return HttpResponse(template.render(context, request))


class LocalTimeEncoder(NinjaJSONEncoder):
    """Times as Beijing time with their offset (2026-11-24T15:30:00+08:00), as users read them."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat(timespec="seconds")
        return super().default(o)


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese text left readable (no \\u escapes) and local times."""

    encoder_class = LocalTimeEncoder
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="清廉企业建设开放平台 API",
    version="1",
    description=(
        "组织、人员（脱敏）、会员资格、承诺书与签署。\n\n"
        "认证：请求头 `Authorization: Bearer <令牌>`（令牌用 `qinglian token create 用户名 "
        "--name 用途` 签发，只显示一次），或浏览器登录会话（需 CSRF 令牌）。\n\n"
        "错误：401 未认证；403 无权限；404 未找到（含超出数据范围）；409 状态变更不被允许；"
        "422 输入有误，`detail` 为 `[{field, message}]`。列表分页参数 `page`、`page_size`，"
        "响应含总数 `count`。"
    ),
    urls_namespace="api",
    auth=API_AUTH,
    renderer=ChineseJSONRenderer(),
    docs=LocalSwagger(settings={"persistAuthorization": True}),
)
register_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", registry_router)
api.add_router("/evaluation", evaluation_router)

