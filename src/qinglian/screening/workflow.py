"""The review of a hit, as a table: a reviewer confirms it or marks it a false positive, and may
reopen either decision (reopening a false positive lifts its suppression)."""

from qinglian.core.workflow import Workflow

from .choices import HitStatus as H

HIT_FLOW = Workflow(
    state_field="status",
    event_prefix="hit",
    labels=dict(H.choices),
    transitions={
        (H.OPEN, H.CONFIRMED): "screening.review",
        (H.OPEN, H.FALSE_POSITIVE): "screening.review",
        (H.CONFIRMED, H.OPEN): "screening.review",
        (H.FALSE_POSITIVE, H.OPEN): "screening.review",
    },
)
