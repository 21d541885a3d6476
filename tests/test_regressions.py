"""Defects found in review, pinned so they stay fixed."""

from __future__ import annotations

import pytest

from qinglian.registry import actions

from .conftest import City

pytestmark = pytest.mark.django_db


def test_commitment_list_counts_every_pending_resign_item(city: City) -> None:
    """A leftover ORDER BY once joined the GROUP BY and every chamber showed "待重签 1 家"."""
    officer = city.users["chamber_officer"]
    v2 = actions.do_draft_commitment(actor=officer, organisation=city.chamber, body="第二版正文")
    actions.do_publish_commitment(v2, actor=officer)
    page = city.client("chamber_officer").get("/commitments/").content.decode()
    assert "待重签 2 家" in page


def test_chinese_first_even_when_the_browser_asks_for_english(city: City) -> None:
    client = city.client("federation_officer")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "工作台" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Dashboard" in client.get("/").content.decode()


def test_forbidden_and_missing_pages_are_branded_in_chinese(city: City) -> None:
    client = city.client("federation_officer")
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403
    assert "您没有执行此操作的权限" in forbidden.content.decode()
    missing = client.get(f"/organisations/{city.outsider.pk}/")
    assert missing.status_code == 404
    assert "未找到该记录或页面" in missing.content.decode()
