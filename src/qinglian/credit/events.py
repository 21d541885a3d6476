"""Chinese labels for the credit system's audit events (shown in every history)."""

from __future__ import annotations

from qinglian.core.history import register_event_labels

LABELS = {
    "credit_record.recorded": "录入信用记录",
    "credit_record.published": "公示信用记录",
    "credit_record.corrected": "更正信用记录",
    "credit_record.repaired": "信用修复，停止公示",
    "credit_record.revoked": "撤销信用记录",
    "credit_record.imported": "导入双公示信息",
    "listing.proposed": "提议列入名单",
    "listing.notified": "告知当事人",
    "listing.listed": "决定列入名单",
    "listing.rejected": "决定不列入名单",
    "listing.published": "公布名单",
    "listing.removed": "移出名单",
    "objection.open": "提出异议",
    "objection.corrected": "异议成立，已更正",
    "objection.upheld": "异议不成立，维持原记录",
    "objection.withdrawn": "撤回异议",
    "credit_repair.submitted": "申请信用修复",
    "credit_repair.approved": "准予信用修复",
    "credit_repair.rejected": "不予信用修复",
    "credit_pledge.active": "作出信用承诺",
    "credit_pledge.fulfilled": "信用承诺履行完毕",
    "credit_pledge.breached": "记录违背信用承诺",
    "credit_pledge.withdrawn": "撤回信用承诺",
    "credit_rating.recomputed": "重新计算信用评级",
    "credit_window.changed": "调整公示期限规则",
    "credit_document.published": "发布行业自律文件",
    "credit_document.withdrawn": "撤下行业自律文件",
    "credit_report.issued": "出具信用报告",
}


def register_labels() -> None:
    register_event_labels(LABELS)
