"""What other apps call to feed the risk register.

The monitoring app (预警监测), once it confirms an alert, links it to the integrity risk point
it shows materialising::

    from qinglian.risk.hooks import link_confirmed_alert

    link_confirmed_alert(point_id, source="monitoring", reference=alert.code,
                         summary=alert.title, actor=officer)   # or actor=None for the system

The point then lists the alert, and its next review starts one step more likely (inherent and
residual likelihood, at most 5). Linking the same alert again changes nothing. The caller
needs ``risk.link_alert`` and the point in its jurisdiction; a missing or foreign point raises
``RiskPoint.DoesNotExist``.
"""

from __future__ import annotations

from .actions import Actor, do_link_alert
from .models import AlertLink, RiskPoint


def link_confirmed_alert(point_id: int, *, source: str, reference: str, summary: str,
                         actor: Actor) -> AlertLink:
    point = RiskPoint.objects.get(pk=point_id)
    return do_link_alert(point, source=source, reference=reference, summary=summary,
                         actor=actor)
