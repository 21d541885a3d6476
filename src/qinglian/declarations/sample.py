"""Declarations in the sample city (placeholder, filled in below)."""

from __future__ import annotations

import datetime as dt
import random

from qinglian.registry.sample import ProgressFn, SampleCity


def build_sample_declarations(city: SampleCity, rng: random.Random, today: dt.date,
                              progress: ProgressFn | None) -> None:
    return None
