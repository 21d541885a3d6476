"""The membership state machine, as a table."""

from qinglian.core.workflow import Workflow

from .choices import MembershipStatus as S

MEMBERSHIP_FLOW = Workflow(
    state_field="status",
    event_prefix="membership",
    labels=dict(S.choices),
    transitions={
        (S.APPLIED, S.ADMITTED): "registry.admit_member",
        (S.APPLIED, S.WITHDRAWN): "registry.manage_membership",
        (S.ADMITTED, S.SUSPENDED): "registry.manage_membership",
        (S.SUSPENDED, S.ADMITTED): "registry.manage_membership",
        (S.ADMITTED, S.WITHDRAWN): "registry.manage_membership",
        (S.SUSPENDED, S.WITHDRAWN): "registry.manage_membership",
        (S.ADMITTED, S.REVOKED): "registry.manage_membership",
        (S.SUSPENDED, S.REVOKED): "registry.manage_membership",
    },
)
