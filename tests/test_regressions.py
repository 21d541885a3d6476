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
