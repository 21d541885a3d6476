"""Security settings that every deployment relies on."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from .conftest import PASSWORD, City


def test_passwords_are_hashed_with_argon2() -> None:
    from qinglian.config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = Argon2PasswordHasher().encode("Qinglian-Test-2026", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")


def test_session_times_out_and_lockout_is_on() -> None:
    assert django_settings.SESSION_COOKIE_AGE <= 1800
    assert django_settings.SESSION_SAVE_EVERY_REQUEST
    assert django_settings.AXES_FAILURE_LIMIT == 5


@pytest.mark.django_db
def test_repeated_failures_lock_the_account(city: City) -> None:
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "fed", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "fed", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    other = Client()
    assert other.get("/").status_code == 302  # still signed out


@pytest.mark.django_db
def test_every_response_carries_a_request_id(city: City) -> None:
    response = city.client("federation_officer").get("/")
    assert len(response["X-Request-ID"]) == 32


def test_production_mode_passes_deploy_checks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(QINGLIAN_ENV="production", QINGLIAN_HOME=str(tmp_path),
               ALLOWED_HOSTS="qinglian.example.cn", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    result = subprocess.run(
        [sys.executable, "-m", "qinglian.config.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
