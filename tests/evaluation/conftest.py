from __future__ import annotations

from typing import Any

import pytest

from .world import World, open_campaign


@pytest.fixture
def world(city: Any) -> World:
    """An open 2026 campaign over the city's three member enterprises (test framework)."""
    return open_campaign(city)
