"""The ledger red-flag rules (L001–L012) over the canonical tables of monitoring.schemas."""

from __future__ import annotations

from qinglian.monitoring.engine.definitions import Rule, register

LEDGER_RULES: tuple[Rule, ...] = ()

register(LEDGER_RULES)
