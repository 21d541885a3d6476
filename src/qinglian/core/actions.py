"""The only code that writes core nouns (users, API tokens). Atomic and audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .audit import record_change, record_event, snapshot
from .choices import AuditAction, Role
from .locking import lock
from .models import ApiToken, User
from .permissions import require, restrict


@transaction.atomic
def do_create_user(
    *, actor: User | None, username: str, password: str, role: str,
    organisation: Any = None, display_name: str = "", validate: bool = True, **extra: Any,
) -> User:
    """Create a sign-in account. The password is hashed with Argon2 and never audited."""
    if actor is not None:
        require(actor, "core.manage_users")
    if role not in Role.values:
        raise ValidationError({"role": f"未知角色：{role}"})
    if role not in (Role.ADMIN,) and organisation is None:
        raise ValidationError({"organisation": "除平台管理员外，用户必须属于一个单位"})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已存在"})
    user = User(username=username, role=role, organisation=organisation,
                display_name=display_name or username, **extra)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record_change(user, AuditAction.CREATE, actor=actor, after=snapshot(user))
    return user


# --- API tokens ----------------------------------------------------------------------------


def _require_token_manager(actor: User | None, owner: User) -> None:
    """Who may issue or revoke a user's API token.

    The system (CLI, ``actor=None``) always may. Otherwise the actor needs
    ``core.manage_tokens``; a platform administrator manages every token, a federation
    officer only tokens of users whose organisation lies in the federation's jurisdiction.
    """
    if actor is None:
        return
    require(actor, "core.manage_tokens")
    if actor.role == Role.ADMIN or actor.pk == owner.pk:
        return
    home = owner.organisation
    if home is None or not restrict(
        type(home)._default_manager.filter(pk=home.pk), actor, "change"
    ).exists():
        raise PermissionDenied("只能管理本辖区用户的接口令牌")


@transaction.atomic
def do_create_api_token(user: User, name: str, *, actor: User | None) -> tuple[ApiToken, str]:
    """Issue a bearer token for an integration. Only the token's SHA-256 is stored; the secret
    is returned once to be shown once, and never enters the audit trail or the logs."""
    _require_token_manager(actor, user)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写令牌用途"})
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"name": "令牌用途不能超过 64 个字符"})
    if not user.is_active:
        raise ValidationError({"user": f"用户“{user.username}”已停用，不能签发令牌"})
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:8], token_sha256=ApiToken.digest(secret),
    )
    record_change(token, AuditAction.CREATE, actor=actor, after=snapshot(token))
    return token, secret


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, actor: User | None) -> ApiToken:
    """Revoke a token: every later request that presents it is refused (401)."""
    _require_token_manager(actor, token.user)
    lock(token)
    if token.revoked_at is not None:
        raise ValidationError({"token": "该令牌已被吊销"})
    before = snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_change(token, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(token))
    record_event(token, "api_token.revoked", actor=actor,
                 details={"user": token.user.username, "name": token.name})
    return token
