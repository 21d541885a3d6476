"""The framework pages' rows of the permission matrix, run on their own (the full matrix in
tests/test_permission_matrix.py runs them too, with every other page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from qinglian.core.choices import Role
from tests import matrix_cases_frameworks

ROLES = [Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER,
         Role.DEPARTMENT_HANDLER, Role.AUDITOR, "anonymous"]
KEYS = {"admin": Role.ADMIN, "fed": Role.FEDERATION_OFFICER, "chamber": Role.CHAMBER_OFFICER,
        "ent": Role.ENTERPRISE_USER, "dept": Role.DEPARTMENT_HANDLER, "auditor": Role.AUDITOR}


def statuses(default: set[int], anonymous: set[int] | None = None,
             **roles: set[int]) -> dict[str, set[int]]:
    table = dict.fromkeys(ROLES, default)
    table["anonymous"] = anonymous if anonymous is not None else {302}
    for key, value in roles.items():
        table[KEYS[key]] = value
    return table


CASES: list[tuple[str, Callable[[Any], str], dict[str, set[int]], dict[str, Any]]] = []
matrix_cases_frameworks.register(
    lambda name, path, expect, **kw: CASES.append((name, path, expect, kw)), statuses)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_framework_matrix(city: Any, role: str) -> None:
    failures = []
    for name, path_of, expect, kw in CASES:
        client = Client() if role == "anonymous" else city.client(role)
        path = path_of(city)
        sid = transaction.savepoint()
        try:
            method = kw.get("method", "get")
            data = kw.get("data", lambda c: {})(city)
            status = getattr(client, method)(path, data=data).status_code
        finally:
            transaction.savepoint_rollback(sid)
        if status not in expect[role]:
            failures.append(f"{method.upper()} {path} ({name}{kw.get('label', '')}): {status}, "
                            f"期望 {sorted(expect[role])}")
    assert not failures, f"角色 {role}:\n" + "\n".join(failures)
