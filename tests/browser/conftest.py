"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Screenshots go to test-artifacts/ (git-ignored) so a person can look at them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the ORM calls our tests make
# between page steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian 的 chromium 未安装（apt-get install chromium），跳过浏览器测试")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _reference_data(request):  # type: ignore[no-untyped-def]
    """Put back what data migrations wrote (the enterprise tag list).

    A transactional test empties every table when it ends; the next one would find no tags.
    (serialized_rollback cannot help here: Playwright's greenlet gets its own connection.)
    """
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from qinglian.registry.models import Tag

    for code, name, sort in import_module("qinglian.registry.migrations.0002_tags").TAGS:
        Tag.objects.update_or_create(code=code, defaults={"name": name, "sort": sort})


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.base_url = live_server.url  # type: ignore[attr-defined]
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
