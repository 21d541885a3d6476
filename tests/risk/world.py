"""A small risk register built on the test city through the real actions.

* the federation installs the shipped library;
* 华为 (enterprises[0], the enterprise user's own) keeps three points — one with an overdue
  control with evidence and a linked alert — a submitted round whose leader is the enterprise
  user, a published power list and a draft of its next version;
* the chamber, the federation, 瓯江 (enterprises[2], another chamber's member) and the outsider
  (another federation) keep one point each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from qinglian.core.choices import Role
from qinglian.risk import actions, power_actions, round_actions
from qinglian.risk.choices import ControlStatus, ListKind, RiskLevel
from qinglian.risk.models import (
    AssessmentRound,
    Control,
    LibraryPoint,
    PowerList,
    PowerListItem,
    RiskPoint,
)

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
TODAY = dt.date(2026, 11, 24)


def point_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "area": "procurement", "title": "供应商选择倾向特定关系人", "schemes": "化整为零规避招标",
        "department": "采购部", "post": "采购专员", "owner_name": "王建国", "review_months": 12,
        "likelihood": 4, "impact": 4, "residual_likelihood": 2, "residual_impact": 4,
    }
    fields.update(overrides)
    return fields


@dataclass
class RiskWorld:
    library: list[LibraryPoint]
    points: list[RiskPoint]  # 华为's three
    control: Control  # overdue, with evidence
    chamber_point: RiskPoint
    federation_point: RiskPoint
    other_point: RiskPoint  # 瓯江, another chamber's member
    outsider_point: RiskPoint  # another federation
    round: AssessmentRound  # 华为's, submitted
    power_list: PowerList  # 华为's published power list
    draft: PowerList  # its next version
    item: PowerListItem  # an item of the draft


def add_point(organisation: Any, actor: Any = None, **overrides: Any) -> RiskPoint:
    return actions.do_add_risk_point(organisation, actor=actor, today=TODAY - dt.timedelta(days=400),
                                     **point_fields(**overrides))


def build_risk_world(city: Any) -> RiskWorld:
    fed, ent = city.users[Role.FEDERATION_OFFICER], city.users[Role.ENTERPRISE_USER]
    actions.do_install_library(city.federation, actor=fed)
    library = list(LibraryPoint.objects.filter(federation=city.federation).order_by("code"))
    huawei = city.enterprises[0]
    points = [
        add_point(huawei, ent, library_point=library[0]),
        add_point(huawei, ent, area="finance", title="虚列费用套取资金", department="财务部",
                  likelihood=3, impact=5, residual_likelihood=2, residual_impact=3),
        add_point(huawei, ent, area="sales", title="向客户行贿获取订单", department="销售部",
                  owner_name="李丽", likelihood=2, impact=2, residual_likelihood=1,
                  residual_impact=2),
    ]
    control = actions.do_add_control(points[0], actor=ent, today=TODAY,
                                     description="比价三家以上", owner_name="王建国",
                                     due_on=TODAY - dt.timedelta(days=30),
                                     status=ControlStatus.IN_PROGRESS)
    actions.do_attach_control_evidence(
        control, SimpleUploadedFile("比价记录.pdf", PDF, "application/pdf"), actor=ent)
    actions.do_link_alert(points[0], source="monitoring", reference="YJ-2026-0001",
                          summary="疑似拆分采购", actor=fed)
    assessment_round = round_actions.do_create_round(
        huawei, kind="yearly", year=2026, name="2026 年度廉洁风险评估", leader=ent, actor=ent)
    round_actions.do_start_round(assessment_round, actor=ent)
    for item in assessment_round.items.all():
        round_actions.do_assess_item(
            item, actor=ent, likelihood=item.likelihood, impact=item.impact,
            residual_likelihood=item.residual_likelihood, residual_impact=item.residual_impact)
    round_actions.do_submit_round(assessment_round, actor=ent)
    power_list = power_actions.do_draft_power_list(huawei, kind=ListKind.POWER, actor=ent)
    power_actions.do_save_power_item(power_list, actor=ent, code="Q-01", name="审批预算内支出",
                                     basis="《资金管理办法》", procedure="财务负责人审核后签批",
                                     level=RiskLevel.HIGH)
    power_actions.do_publish_power_list(power_list, actor=ent)
    draft = power_actions.do_draft_power_list(huawei, kind=ListKind.POWER, actor=ent)
    return RiskWorld(
        library=library, points=points, control=control,
        chamber_point=add_point(city.chamber, city.users[Role.CHAMBER_OFFICER]),
        federation_point=add_point(city.federation, fed),
        other_point=add_point(city.enterprises[2]),
        outsider_point=add_point(city.outsider),
        round=assessment_round, power_list=power_list, draft=draft,
        item=draft.items.get(),
    )
