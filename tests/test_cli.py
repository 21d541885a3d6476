"""The command line: `qinglian demo`, `seed` and `createadmin`, as an operator runs them."""

from __future__ import annotations

import builtins
import getpass
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord, User
from qinglian.registry.models import Organisation
from qinglian.registry.sample import DEMO_PASSWORD, DEMO_USERNAMES

from .conftest import City

pytestmark = pytest.mark.django_db

STRONG = "Zhejiang-Qinglian-2026!"


def run(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out, **options)
    return out.getvalue()


def test_demo_without_serving_seeds_an_empty_database_and_prints_the_accounts() -> None:
    assert not Organisation.objects.exists()
    out = run("demo", "--no-serve", "--enterprises", "12")
    assert Organisation.objects.filter(kind="enterprise").count() == 12
    assert "示例城市已生成" in out and "审计链校验通过" in out
    for username in DEMO_USERNAMES:
        assert f"\n{username} " in out
    assert DEMO_PASSWORD in out and "工商联工作人员" in out and "杭州市互联网商会" in out
    assert "http://127.0.0.1:8000/" in out

    again = run("demo", "--no-serve", "--enterprises", "12", "--port", "8123")
    assert "跳过示例数据导入" in again and DEMO_PASSWORD in again
    assert "http://127.0.0.1:8123/" in again
    assert Organisation.objects.filter(kind="enterprise").count() == 12


def test_seed_refuses_a_database_that_holds_data(city: City) -> None:
    before = Organisation.objects.count()
    with pytest.raises(CommandError, match="只能导入空数据库"):
        run("seed", "--enterprises", "12")
    assert Organisation.objects.count() == before
    # demo asks seed to skip instead; the fixture's users do not use the demo password.
    out = run("seed", "--if-empty")
    assert "跳过示例数据导入" in out and DEMO_PASSWORD not in out


def test_seed_and_demo_refuse_production(settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        run("seed", "--enterprises", "12")
    with pytest.raises(CommandError, match="生产环境"):
        run("demo", "--no-serve")
    assert not Organisation.objects.exists()


def test_createadmin_takes_the_password_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, settings: Any,
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    monkeypatch.setenv("QINGLIAN_ADMIN_PASSWORD", STRONG)
    out = run("createadmin", "--username", "root")
    assert "已创建平台管理员：root" in out
    user = User.objects.get(username="root")
    assert user.role == Role.ADMIN and user.organisation is None
    assert user.check_password(STRONG) and user.password.startswith("argon2$")
    record = AuditRecord.objects.get(object_type="core.user", object_id=str(user.pk))
    assert record.actor_name == "系统" and "password" not in (record.after or {})


def test_createadmin_refuses_weak_missing_and_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QINGLIAN_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="QINGLIAN_ADMIN_PASSWORD"):
        run("createadmin", "--username", "root")
    monkeypatch.setenv("QINGLIAN_ADMIN_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="密码太短，至少需要 10 个字符。这个密码太常见了。"):
        run("createadmin", "--username", "root")
    assert not User.objects.exists()
    monkeypatch.setenv("QINGLIAN_ADMIN_PASSWORD", STRONG)
    run("createadmin", "--username", "root")
    with pytest.raises(CommandError, match="已存在"):
        run("createadmin", "--username", "root")


def test_createadmin_asks_again_until_the_passwords_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = iter(["", "ops", "ops", "ops"])  # the default name "admin" is taken
    secrets = iter(["short", "short", STRONG, "typo", STRONG, STRONG])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(answers))
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(secrets))
    User.objects.create_user(username="admin", password=STRONG, role=Role.ADMIN)
    out = run("createadmin")
    assert "用户名“admin”已存在" in out
    assert "密码太短，至少需要 10 个字符。请重新输入。" in out
    assert "两次输入的密码不一致" in out
    assert User.objects.get(username="ops").check_password(STRONG)


def test_createadmin_without_a_terminal_explains_the_script_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    with pytest.raises(CommandError, match="--username"):
        run("createadmin")


def test_demo_from_nothing_in_a_fresh_data_directory(tmp_path: Path) -> None:
    """What `make demo` runs, in a new process with a new data directory and SQLite file."""
    home = tmp_path / "qinglian-home"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "QINGLIAN_ENV")}
    env["QINGLIAN_HOME"] = str(home)
    cli = [sys.executable, "-m", "qinglian.config.cli"]
    demo = subprocess.run([*cli, "demo", "--no-serve", "--enterprises", "10"], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert demo.returncode == 0, demo.stderr
    assert (home / "qinglian.sqlite3").exists() and (home / "field.key").exists()
    assert "enterprise" in demo.stdout and DEMO_PASSWORD in demo.stdout
    seed = subprocess.run([*cli, "seed"], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert seed.returncode == 1
    assert "只能导入空数据库" in seed.stderr
