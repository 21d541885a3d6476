"""The state machines of the integrity index, as tables."""

from qinglian.core.workflow import Workflow

from .choices import AssessmentStatus as A
from .choices import CampaignStatus as C
from .choices import ExemplarStatus as E
from .choices import RecheckStatus as R

CAMPAIGN_FLOW = Workflow(
    state_field="status",
    event_prefix="campaign",
    labels=dict(C.choices),
    transitions={
        (C.DRAFT, C.SELF_ASSESSMENT): "evaluation.manage_campaign",
        (C.SELF_ASSESSMENT, C.CHAMBER_REVIEW): "evaluation.manage_campaign",
        (C.CHAMBER_REVIEW, C.FEDERATION_REVIEW): "evaluation.manage_campaign",
        (C.FEDERATION_REVIEW, C.PUBLISHED): "evaluation.publish",
        (C.PUBLISHED, C.CLOSED): "evaluation.manage_campaign",
    },
)

ASSESSMENT_FLOW = Workflow(
    state_field="status",
    event_prefix="assessment",
    labels=dict(A.choices),
    transitions={
        (A.PENDING, A.DRAFT): "evaluation.self_assess",
        (A.PENDING, A.SUBMITTED): "evaluation.self_assess",
        (A.DRAFT, A.SUBMITTED): "evaluation.self_assess",
        (A.RETURNED, A.SUBMITTED): "evaluation.self_assess",
        (A.SUBMITTED, A.RETURNED): "evaluation.review",
        (A.SUBMITTED, A.REVIEWED): "evaluation.review",
        (A.REVIEWED, A.PUBLISHED): "evaluation.publish",
        # Not submitted by the deadline: published as it stands (unanswered scores 0).
        (A.PENDING, A.PUBLISHED): "evaluation.publish",
        (A.DRAFT, A.PUBLISHED): "evaluation.publish",
        (A.RETURNED, A.PUBLISHED): "evaluation.publish",
        (A.SUBMITTED, A.PUBLISHED): "evaluation.publish",
    },
)

RECHECK_FLOW = Workflow(
    state_field="status",
    event_prefix="recheck",
    labels=dict(R.choices),
    transitions={
        (R.FILED, R.UPHELD): "evaluation.decide_recheck",
        (R.FILED, R.CHANGED): "evaluation.decide_recheck",
    },
)

EXEMPLAR_FLOW = Workflow(
    state_field="status",
    event_prefix="exemplar",
    labels=dict(E.choices),
    transitions={
        (E.NOMINATED, E.PUBLISHED): "evaluation.manage_exemplar",
        (E.NOMINATED, E.WITHDRAWN): "evaluation.manage_exemplar",
        (E.PUBLISHED, E.WITHDRAWN): "evaluation.manage_exemplar",
    },
)
