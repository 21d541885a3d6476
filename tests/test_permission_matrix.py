"""Every URL × every role: the expected status, and a failure when a URL is not in the matrix.

Objects come from the `city` fixture: `mine` objects are inside the chamber officer's and the
enterprise user's scope; `outsider` objects belong to another federation and must answer 404
to everyone but the platform administrator — exactly like a missing object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from qinglian.core.choices import Role

from .conftest import City

ADMIN, FED, CHAMBER, ENT, DEPT, AUDITOR = (
    Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER,
    Role.DEPARTMENT_HANDLER, Role.AUDITOR,
)
ANON = "anonymous"
ROLES = [ADMIN, FED, CHAMBER, ENT, DEPT, AUDITOR, ANON]
OK = {200}
REDIRECT = {302}
DONE = {200, 302}  # a POST that succeeds redirects, or re-renders with messages


@dataclass
class Case:
    name: str
    path: Callable[[City], str]
    expect: dict[str, set[int]]
    method: str = "get"
    data: Callable[[City], dict[str, Any]] = field(default=lambda city: {})
    label: str = ""


def statuses(default: set[int], anonymous: set[int] | None = None, **roles: set[int]) -> dict[str, set[int]]:
    table = dict.fromkeys(ROLES, default)
    table[ANON] = anonymous if anonymous is not None else REDIRECT
    for key, value in roles.items():
        table[{"admin": ADMIN, "fed": FED, "chamber": CHAMBER, "ent": ENT, "dept": DEPT,
               "auditor": AUDITOR}[key]] = value
    return table


def org(city: City) -> int:
    return city.enterprises[0].pk


CASES: list[Case] = []


def case(name: str, path: Callable[[City], str], expect: dict[str, set[int]], **kw: Any) -> None:
    CASES.append(Case(name, path, expect, **kw))


# The matrix itself lives in permission_matrix_cases.py so that it reads as a table.
# Each app (or page group) adds its own rows in tests/matrix_cases_<name>.py.
import importlib  # noqa: E402
import pkgutil  # noqa: E402
from pathlib import Path  # noqa: E402

from .permission_matrix_cases import register  # noqa: E402

register(case, statuses)
for _module in sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])):
    if _module.startswith("matrix_cases_"):
        importlib.import_module(f"{__package__}.{_module}").register(case, statuses)

EXEMPT_PREFIXES = ("static/", "media/")


def named_urls() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_is_in_the_matrix() -> None:
    covered = {c.name for c in CASES}
    missing = sorted(named_urls() - covered)
    assert not missing, f"这些 URL 不在权限矩阵中，请补充：{missing}"


def test_matrix_has_no_unknown_urls() -> None:
    unknown = sorted({c.name for c in CASES} - named_urls())
    assert not unknown, f"权限矩阵中有已不存在的 URL：{unknown}"


def _client(city: City, role: str) -> Client:
    return Client() if role == ANON else city.client(role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_matrix(city: City, role: str) -> None:
    failures = []
    for c in CASES:
        client = _client(city, role)  # fresh each time: logout and set_language change it
        path = c.path(city)
        sid = transaction.savepoint()
        try:
            if c.method == "get":
                response = client.get(path)
            elif path.startswith("/api/"):
                response = getattr(client, c.method)(path, data=c.data(city),
                                                     content_type="application/json")
            else:
                response = getattr(client, c.method)(path, data=c.data(city))
            status = response.status_code
        finally:
            transaction.savepoint_rollback(sid)
        if status not in c.expect[role]:
            failures.append(f"{c.method.upper()} {path} ({c.name}{c.label}): {status}, "
                            f"期望 {sorted(c.expect[role])}")
    assert not failures, f"角色 {role}:\n" + "\n".join(failures)
