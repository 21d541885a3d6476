"""API authentication: bearer tokens (hash only, revocable, audited), the browser session with
CSRF, and the `qinglian token` command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from qinglian.core.actions import do_create_api_token, do_revoke_api_token
from qinglian.core.choices import Role
from qinglian.core.models import ApiToken, AuditRecord

from .conftest import City, make_user

pytestmark = pytest.mark.django_db


def bearer(secret: str, **extra: object) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", **extra)


def test_no_token_is_401_in_chinese(client: Client) -> None:
    response = client.get("/api/v1/organisations")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("未认证")
    assert response["WWW-Authenticate"].startswith("Bearer")
    response = client.post("/api/v1/organisations", "{}", content_type="application/json")
    assert response.status_code == 401  # not a CSRF complaint: the caller simply has no token


def test_token_authenticates_and_only_its_hash_is_kept(city: City) -> None:
    user = city.users[Role.CHAMBER_OFFICER]
    token, secret = do_create_api_token(user, "会员系统对接", actor=None)
    assert secret.startswith("ql_") and len(secret) > 40
    assert token.token_sha256 == ApiToken.digest(secret) and token.prefix == secret[:8]
    assert token.last_used_at is None
    stored = list(ApiToken.objects.values_list(flat=False))
    assert secret not in json.dumps(stored, default=str)
    response = bearer(secret).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "chamber"
    assert response.json()["organisation_name"] == "杭州市互联网商会"
    token.refresh_from_db()
    assert token.last_used_at is not None
    audit = AuditRecord.objects.filter(object_type="core.apitoken")
    assert audit.count() == 1
    assert secret not in json.dumps([r.after for r in audit], default=str)
    assert token.token_sha256 not in json.dumps([r.after for r in audit], default=str)


@pytest.mark.parametrize("header", [
    "Bearer ql_not-a-real-token", "Bearer something-else", "Token ql_x", "Bearer",
])
def test_unknown_or_malformed_token_is_401(city: City, header: str) -> None:
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["detail"] in {"接口令牌无效", "未认证：请在请求头提供有效的接口令牌"
                                          "（Authorization: Bearer <令牌>），或先登录"}


def test_revoked_token_is_401_and_revocation_is_audited(city: City) -> None:
    federation_officer = city.users[Role.FEDERATION_OFFICER]
    token, secret = do_create_api_token(city.users[Role.CHAMBER_OFFICER], "对接", actor=None)
    assert bearer(secret).get("/api/v1/me").status_code == 200
    do_revoke_api_token(token, actor=federation_officer)
    response = bearer(secret).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "接口令牌已被吊销"}
    event = AuditRecord.objects.get(event="api_token.revoked")
    assert event.actor == federation_officer
    with pytest.raises(ValidationError, match="已被吊销"):
        do_revoke_api_token(token, actor=None)


def test_token_of_deactivated_user_is_refused(city: City) -> None:
    user = city.users[Role.ENTERPRISE_USER]
    _, secret = do_create_api_token(user, "对接", actor=None)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = bearer(secret).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌所属用户已停用"}


def test_bearer_token_needs_no_csrf(city: City) -> None:
    _, secret = do_create_api_token(city.users[Role.CHAMBER_OFFICER], "对接", actor=None)
    client = bearer(secret, enforce_csrf_checks=True)
    response = client.post("/api/v1/commitments", json.dumps(
        {"organisation": city.chamber.pk, "body": "第二版正文"}), content_type="application/json")
    assert response.status_code == 201, response.content


def test_session_auth_reads_and_enforces_csrf_on_writes(city: City) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.users[Role.CHAMBER_OFFICER])
    assert client.get("/api/v1/me").json()["role"] == "chamber_officer"
    body = json.dumps({"organisation": city.chamber.pk, "body": "第二版正文"})
    refused = client.post("/api/v1/commitments", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF 校验失败")
    client.get("/api/v1/docs")  # the docs page sets the CSRF cookie, as a page would
    csrf = client.cookies["csrftoken"].value
    accepted = client.post("/api/v1/commitments", body, content_type="application/json",
                           HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201, accepted.content


def test_who_may_issue_tokens(city: City) -> None:
    chamber_user = city.users[Role.CHAMBER_OFFICER]
    federation_officer = city.users[Role.FEDERATION_OFFICER]
    token, _ = do_create_api_token(chamber_user, "对接", actor=federation_officer)
    assert AuditRecord.objects.get(object_type="core.apitoken",
                                   object_id=str(token.pk)).actor == federation_officer
    with pytest.raises(PermissionDenied):
        do_create_api_token(chamber_user, "对接", actor=chamber_user)
    with pytest.raises(PermissionDenied):
        do_create_api_token(chamber_user, "对接", actor=city.users[Role.AUDITOR])
    outsider = make_user("ningbo", Role.ENTERPRISE_USER, city.outsider)
    with pytest.raises(PermissionDenied, match="本辖区"):
        do_create_api_token(outsider, "对接", actor=federation_officer)
    with pytest.raises(PermissionDenied):
        do_revoke_api_token(token, actor=chamber_user)
    do_create_api_token(outsider, "对接", actor=city.users[Role.ADMIN])
    with pytest.raises(ValidationError, match="请填写令牌用途"):
        do_create_api_token(chamber_user, "  ", actor=None)


def test_token_command_creates_lists_and_revokes(city: City) -> None:
    out = StringIO()
    call_command("token", "create", "chamber", "--name", "会员系统对接", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("ql_")
    assert "只显示这一次" in out.getvalue()
    assert bearer(secret).get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get(token_sha256=ApiToken.digest(secret))

    out = StringIO()
    call_command("token", "list", "chamber", stdout=out)
    assert "会员系统对接" in out.getvalue() and "有效" in out.getvalue()
    assert secret not in out.getvalue() and token.prefix in out.getvalue()

    out = StringIO()
    call_command("token", "revoke", str(token.pk), stdout=out)
    assert "已吊销" in out.getvalue()
    assert bearer(secret).get("/api/v1/me").status_code == 401
    out = StringIO()
    call_command("token", "list", "chamber", stdout=out)
    assert "已吊销" in out.getvalue()

    with pytest.raises(CommandError, match="不存在"):
        call_command("token", "create", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="已被吊销"):
        call_command("token", "revoke", str(token.pk))
    with pytest.raises(CommandError, match="不存在"):
        call_command("token", "revoke", "999999")
