"""Declaration approval and the conflict round as transition tables.

A declaration at or above its threshold is submitted → approved or rejected (with reason);
below it is recorded. Correcting the value or kind of an undecided declaration moves it
between recorded and submitted when it crosses the threshold; an undecided declaration can be
withdrawn (entered by mistake). The approver must not be the declarant's own account — the
action checks that, since the table knows only roles.

A conflict round is open until it is closed; a closed round can be reopened (a late
declaration the organisation still wants on file).
"""

from qinglian.core.workflow import Workflow

from .choices import DeclarationStatus as D
from .choices import RoundStatus as R

DECLARATION_FLOW = Workflow(
    state_field="status",
    event_prefix="declaration",
    labels=dict(D.choices),
    transitions={
        (D.RECORDED, D.SUBMITTED): "declarations.declare",
        (D.SUBMITTED, D.RECORDED): "declarations.declare",
        (D.SUBMITTED, D.APPROVED): "declarations.approve",
        (D.SUBMITTED, D.REJECTED): "declarations.approve",
        (D.SUBMITTED, D.WITHDRAWN): "declarations.declare",
        (D.RECORDED, D.WITHDRAWN): "declarations.declare",
    },
)

CONFLICT_ROUND_FLOW = Workflow(
    state_field="status",
    event_prefix="conflict_round",
    labels=dict(R.choices),
    transitions={
        (R.OPEN, R.CLOSED): "declarations.manage_round",
        (R.CLOSED, R.OPEN): "declarations.manage_round",
    },
)
