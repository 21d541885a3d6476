"""The only code that writes core nouns (users, API tokens). Atomic and audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .audit import record_change, snapshot
from .choices import AuditAction, Role
from .models import User
from .permissions import require


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
