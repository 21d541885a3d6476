"""The handling of an alert (预警处置), as a table of allowed transitions.

new → assigned (a manager names the handler and the due date) → investigating (the handler
starts checking) → closed (false positive with its reason, or confirmed with the conclusion).
A manager may reassign an alert that is assigned or under investigation. "Resolved by data"
is not a handling step: only a run sets it (see alert_actions.record_hits), when the evidence
is gone from a newer dataset.
"""

from __future__ import annotations

from qinglian.core.history import register_event_labels
from qinglian.core.workflow import Workflow

from .choices import AlertStatus

MANAGE = "monitoring.manage_alert"
HANDLE = "monitoring.handle_alert"

ALERT_FLOW = Workflow(
    state_field="status",
    transitions={
        (AlertStatus.NEW, AlertStatus.ASSIGNED): MANAGE,
        (AlertStatus.ASSIGNED, AlertStatus.ASSIGNED): MANAGE,
        (AlertStatus.INVESTIGATING, AlertStatus.ASSIGNED): MANAGE,
        (AlertStatus.ASSIGNED, AlertStatus.INVESTIGATING): HANDLE,
        (AlertStatus.INVESTIGATING, AlertStatus.CLOSED): HANDLE,
    },
    event_prefix="alert",
    labels=dict(AlertStatus.choices),
)

EVENT_LABELS = {
    "alert.raised": "规则运行发现预警",
    "alert.assigned": "分派预警",
    "alert.investigating": "开始核查",
    "alert.closed": "办结预警",
    "alert.resolved_by_data": "新数据中已不再出现，预警由数据消除",
    "alert.reopened_by_data": "新数据中再次出现，预警重新打开",
    "alert.linked_risk_point": "关联廉洁风险点",
    "run.queued": "提交规则运行",
    "run.succeeded": "规则运行完成",
    "run.failed": "规则运行失败",
    "run.cancelled": "规则运行已取消",
    "run.cancel_requested": "请求取消规则运行",
}
register_event_labels(EVENT_LABELS)
