"""Alerts of the sample city part-way through their handling (预警处置).

Through the handling actions, as the system (like the rest of the sample city), with the
organisation's demo user as the assignee: some alerts assigned, some under
investigation, some closed as false positives with the reason, some confirmed with the
conclusion — one of them (the split purchase) linked to the demo enterprise's procurement
risk point. The rest stay new. Alerts are picked by rule, first by number, so the same data
gives the same handling.
"""

from __future__ import annotations

from qinglian.core.models import User
from qinglian.registry.models import Organisation

from ..alert_actions import (
    do_assign_alert,
    do_close_alert,
    do_link_alert_to_risk_point,
    do_start_investigation,
)
from ..choices import AlertResolution, AlertStatus
from ..models import Alert

FALSE_POSITIVE = AlertResolution.FALSE_POSITIVE
CONFIRMED = AlertResolution.CONFIRMED

#: rule → (how far it gets, the conclusion): the demo enterprise's alerts.
ENTERPRISE_PLAN: dict[str, tuple[str, str, str]] = {
    "L001": ("closed", CONFIRMED,
             "经核查，该部门将同一批采购拆分为多张订单，单笔均低于 5 万元审批限额，规避了分管领导审批。"
             "已责令整改，对经办人和部门负责人进行提醒谈话，并修订《采购管理办法》按月合并计算限额。"),
    "L008": ("closed", CONFIRMED,
             "经核查，该供应商实际控制人为本公司员工近亲属，员工未按规定申报利益冲突。"
             "已暂停与该供应商的合作，员工调离采购相关岗位，移交纪检部门处理。"),
    "L005": ("closed", FALSE_POSITIVE,
             "经核实，该笔付款为节假日期间设备抢修的紧急付款，事前经总经理电话批准，节后已补办审批手续，"
             "附抢修记录和验收单。"),
    "L003": ("closed", FALSE_POSITIVE,
             "管理咨询服务合同约定按阶段支付固定服务费，付款金额与合同约定一致，整数金额属正常。"),
    "L002": ("investigating", "", "已调取两笔付款的凭证和发票原件，正在与供应商核对。"),
    "L007": ("investigating", "", "正在核查该供应商的准入审批资料和实际履约情况。"),
    "L012": ("investigating", "", ""),
    "L004": ("assigned", "", ""),
    "L006": ("assigned", "", ""),
    "L010": ("assigned", "", ""),
}
#: The same for the federation's public-procurement alerts.
FEDERATION_PLAN: dict[str, tuple[str, str, str]] = {
    "R036": ("closed", CONFIRMED,
             "经调阅评标报告，最低价投标人以“资质证书过期”为由被取消资格，但其证书在开标日仍在有效期内，"
             "属评标错误。已函告采购人重新评审，并将评标专家违规情况通报市财政局。"),
    "R028": ("closed", FALSE_POSITIVE,
             "两家投标人均按招标文件公布的最高限价下浮同一比例报价，报价相同有合理解释，"
             "经查两家企业无关联关系，未发现串通投标迹象。"),
    "R030": ("investigating", "", "已向采购代理机构调取开标记录和投标文件签收单。"),
    "R035": ("assigned", "", ""),
    "R025": ("assigned", "", ""),
}


def _first_alerts(organisation: Organisation, codes: list[str]) -> dict[str, Alert]:
    first: dict[str, Alert] = {}
    for alert in Alert.objects.filter(organisation=organisation, rule_code__in=codes,
                                      status=AlertStatus.NEW).order_by("rule_code", "number"):
        first.setdefault(alert.rule_code, alert)
    return first


def handle_alerts(organisation: Organisation, user: User,
                  plan: dict[str, tuple[str, str, str]]) -> list[Alert]:
    """Move the first alert of each planned rule as far as the plan says; returns the alerts
    confirmed."""
    confirmed = []
    for code, alert in sorted(_first_alerts(organisation, list(plan)).items()):
        stage, resolution, note = plan[code]
        do_assign_alert(alert, assignee=user, actor=None)
        if stage == "assigned":
            continue
        do_start_investigation(alert, actor=None, note=note if stage == "investigating" else "")
        if stage == "closed":
            do_close_alert(alert, resolution=resolution, note=note, actor=None)
            if resolution == CONFIRMED:
                confirmed.append(alert)
    return confirmed


def link_to_risk_register(alert: Alert) -> None:
    """The confirmed split purchase shows the procurement risk materialising: link it to the
    demo enterprise's procurement risk point (if its register has one)."""
    from qinglian.risk.choices import BusinessArea
    from qinglian.risk.models import RiskPoint

    points = RiskPoint.objects.filter(organisation_id=alert.organisation_id).order_by("pk")
    point = points.filter(area=BusinessArea.PROCUREMENT).first() or \
        points.filter(area=BusinessArea.TENDERING).first()
    if point is not None:
        do_link_alert_to_risk_point(alert, point_id=point.pk, actor=None)
