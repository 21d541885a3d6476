"""The risk assessment round (风险评估) as a transition table.

draft → in progress → submitted → approved, or → returned → in progress again. Approval also
needs the actor to be the round's designated responsible leader (checked by the action, since
the table only knows roles).
"""

from qinglian.core.workflow import Workflow

from .choices import RoundStatus as S

ROUND_FLOW = Workflow(
    state_field="status",
    event_prefix="risk_round",
    labels=dict(S.choices),
    transitions={
        (S.DRAFT, S.IN_PROGRESS): "risk.run_round",
        (S.IN_PROGRESS, S.SUBMITTED): "risk.run_round",
        (S.SUBMITTED, S.APPROVED): "risk.approve_round",
        (S.SUBMITTED, S.RETURNED): "risk.approve_round",
        (S.RETURNED, S.IN_PROGRESS): "risk.run_round",
    },
)
