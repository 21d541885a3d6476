from __future__ import annotations

from typing import Any

import pytest

from .world import RiskWorld, build_risk_world


@pytest.fixture
def risk(city: Any) -> RiskWorld:
    return build_risk_world(city)
