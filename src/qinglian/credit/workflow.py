"""The state machines of the credit system, as tables.

* a record is entered (待公示), published, and leaves the public view by repair or revocation;
  expiry is a date, not a state (see models);
* a listing follows due process: proposed → subject notified → (objection window) → decided
  (listed / rejected) → published → removed (expiry, repair or decision revoked); a proposal
  can be rejected at any point before publication;
* an objection is open until it is decided (corrected / upheld) or withdrawn by its subject;
* a repair application is submitted, then approved or rejected;
* a pledge is in force until it is fulfilled, breached or withdrawn.

The tables know roles only; the actions check the rest (the objection window has passed, no
objection is open, the subject is the user's own enterprise).
"""

from qinglian.core.workflow import Workflow

from .choices import ListingStatus as L
from .choices import ObjectionStatus as O
from .choices import PledgeStatus as P
from .choices import RecordStatus as R
from .choices import RepairStatus as F

RECORD_FLOW = Workflow(
    state_field="status",
    event_prefix="credit_record",
    labels=dict(R.choices),
    transitions={
        (R.RECORDED, R.PUBLISHED): "credit.publish_record",
        (R.RECORDED, R.REVOKED): "credit.manage_record",
        (R.PUBLISHED, R.REVOKED): "credit.publish_record",
        (R.PUBLISHED, R.REPAIRED): "credit.decide_repair",
    },
)

LISTING_FLOW = Workflow(
    state_field="status",
    event_prefix="listing",
    labels=dict(L.choices),
    transitions={
        (L.PROPOSED, L.NOTIFIED): "credit.decide_listing",
        (L.PROPOSED, L.REJECTED): "credit.decide_listing",
        (L.NOTIFIED, L.LISTED): "credit.decide_listing",
        (L.NOTIFIED, L.REJECTED): "credit.decide_listing",
        (L.LISTED, L.PUBLISHED): "credit.publish_listing",
        (L.LISTED, L.REJECTED): "credit.decide_listing",
        (L.PUBLISHED, L.REMOVED): "credit.publish_listing",
    },
)

OBJECTION_FLOW = Workflow(
    state_field="status",
    event_prefix="objection",
    labels=dict(O.choices),
    transitions={
        (O.OPEN, O.CORRECTED): "credit.handle_objection",
        (O.OPEN, O.UPHELD): "credit.handle_objection",
        (O.OPEN, O.WITHDRAWN): "credit.file_objection",
    },
)

REPAIR_FLOW = Workflow(
    state_field="status",
    event_prefix="credit_repair",
    labels=dict(F.choices),
    transitions={
        (F.SUBMITTED, F.APPROVED): "credit.decide_repair",
        (F.SUBMITTED, F.REJECTED): "credit.decide_repair",
    },
)

PLEDGE_FLOW = Workflow(
    state_field="status",
    event_prefix="credit_pledge",
    labels=dict(P.choices),
    transitions={
        (P.ACTIVE, P.FULFILLED): "credit.record_breach",
        (P.ACTIVE, P.BREACHED): "credit.record_breach",
        (P.ACTIVE, P.WITHDRAWN): "credit.make_pledge",
    },
)
