"""A small evaluation world built through the real actions, for tests and the permission matrix.

``TEST_SPEC`` is a compact framework (8 indicators, every scoring method, 1000 points) so that
tests stay fast; the shipped 30-odd-indicator default is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from qinglian.core.choices import Role
from qinglian.core.models import User
from qinglian.evaluation import actions, result_actions, review_actions
from qinglian.evaluation.choices import ReviewDecision, ScoringMethod
from qinglian.evaluation.framework_actions import FrameworkSpec, do_install_framework
from qinglian.evaluation.models import Assessment, Campaign, Framework
from qinglian.registry.models import Organisation
from tests.conftest import make_user

LEVELS = [{"label": "完全落实", "share": "1"}, {"label": "基本落实", "share": "0.6"},
          {"label": "部分落实", "share": "0.3"}, {"label": "未落实", "share": "0"}]

TEST_SPEC: FrameworkSpec = {
    "code": "TEST", "name": "测试指标体系", "description": "测试用",
    "bands": [("标杆", 800), ("优秀", 600), ("达标", 400), ("不达标", 0)],
    "dimensions": [
        {"code": "ZZ", "name": "清廉政治", "indicators": [
            {"code": "ZZ01", "name": "建立党组织", "max_points": "100", "method": "computed",
             "computed_source": "party_org_present"},
            {"code": "ZZ02", "name": "落实“第一议题”学习", "max_points": "150", "method": "levels",
             "levels": LEVELS, "guidance": "查阅学习记录"},
        ]},
        {"code": "JY", "name": "清廉经营", "indicators": [
            {"code": "JY01", "name": "采购内控制度", "max_points": "200", "method": "boolean",
             "evidence_required": True, "guidance": "上传制度文件"},
            {"code": "JY02", "name": "合同廉洁条款签订率", "max_points": "150", "method": "efficacy",
             "floor": "60", "target": "100", "unit": "%"},
        ]},
        {"code": "WH", "name": "清廉文化", "indicators": [
            {"code": "WH01", "name": "廉洁培训覆盖率", "max_points": "150", "method": "thresholds",
             "thresholds": [{"min": "90", "share": "1"}, {"min": "60", "share": "0.6"}], "unit": "%"},
            {"code": "WH02", "name": "签署清廉承诺书", "max_points": "50", "method": "computed",
             "computed_source": "commitment_signed"},
        ]},
        {"code": "JG", "name": "清廉监管", "indicators": [
            {"code": "JG01", "name": "关键岗位监督", "max_points": "120", "method": "levels",
             "levels": LEVELS},
            {"code": "JG02", "name": "廉洁风险点防控", "max_points": "80", "method": "boolean"},
        ]},
    ],
    "negative_items": [
        {"code": "N01", "name": "行贿受贿", "description": "被司法机关认定"},
        {"code": "N02", "name": "拖欠农民工工资", "description": "被人社部门认定"},
    ],
}

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@dataclass
class World:
    framework: Framework
    campaign: Campaign
    assessments: dict[int, Assessment] = field(default_factory=dict)

    def of(self, enterprise: Any) -> Assessment:
        return Assessment.objects.get(pk=self.assessments[enterprise.pk].pk)


def open_campaign(city: Any, *, year: int = 2026, name: str = "2026 年度清廉企业评价",
                  spec: FrameworkSpec | None = None, framework: Framework | None = None) -> World:
    fed_user = city.users[Role.FEDERATION_OFFICER]
    if framework is None:
        framework = do_install_framework(city.federation, spec or TEST_SPEC, actor=fed_user)
    campaign = actions.do_create_campaign(city.federation, framework=framework, year=year,
                                          name=name, actor=fed_user)
    actions.do_open_campaign(campaign, actor=fed_user)
    campaign.refresh_from_db()
    framework.refresh_from_db()
    return World(framework, campaign, {a.enterprise_id: a for a in campaign.assessments.all()})


def answer_all(assessment: Assessment, actor: Any, *, strength: str = "good") -> None:
    """Answer every non-computed indicator: "good" (full marks), "fair" or "poor"."""
    for answer in assessment.answers.select_related("indicator"):
        ind = answer.indicator
        kw: dict[str, Any] = {}
        if ind.method == ScoringMethod.COMPUTED:
            continue
        if ind.method == ScoringMethod.BOOLEAN:
            kw["bool_value"] = strength != "poor"
        elif ind.method == ScoringMethod.LEVELS:
            kw["level"] = {"good": 0, "fair": 1, "poor": 3}[strength]
        else:
            kw["number"] = Decimal({"good": "100", "fair": "70", "poor": "10"}[strength])
        actions.do_save_answer(answer, actor=actor, note="见附件", **kw)
        if ind.evidence_required and kw.get("bool_value"):
            actions.do_upload_evidence(
                answer, SimpleUploadedFile("制度.pdf", PDF + ind.code.encode()), actor=actor)


def accept_all(assessment: Assessment, actor: Any) -> None:
    for answer in assessment.answers.exclude(indicator__method=ScoringMethod.COMPUTED):
        review_actions.do_review_answer(answer, decision=ReviewDecision.ACCEPTED, actor=actor)
    review_actions.do_complete_review(assessment, actor=actor)


def publish(city: Any, world: World, *, strengths: dict[int, str] | None = None) -> World:
    """Take every assessment through self-assessment and review, then publish the campaign."""
    fed_user = city.users[Role.FEDERATION_OFFICER]
    for enterprise_id, assessment in world.assessments.items():
        enterprise_user = _enterprise_user(city, enterprise_id)
        answer_all(assessment, enterprise_user, strength=(strengths or {}).get(enterprise_id, "good"))
        actions.do_submit_assessment(assessment, actor=enterprise_user)
    actions.do_start_chamber_review(world.campaign, actor=fed_user)
    for assessment in world.campaign.assessments.all():
        accept_all(assessment, _chamber_user(city, assessment.chamber_id))
    actions.do_start_federation_review(world.campaign, actor=fed_user)
    result_actions.do_publish_campaign(world.campaign, actor=fed_user)
    world.campaign.refresh_from_db()
    return world


def _user(role: str, organisation_id: int, username: str) -> Any:
    existing = User.objects.filter(organisation_id=organisation_id, role=role).first()
    return existing or make_user(username, role, Organisation.objects.get(pk=organisation_id))


def _enterprise_user(city: Any, enterprise_id: int) -> Any:
    return _user(Role.ENTERPRISE_USER, enterprise_id, f"ent{enterprise_id}")


def _chamber_user(city: Any, chamber_id: int) -> Any:
    return _user(Role.CHAMBER_OFFICER, chamber_id, f"chamber{chamber_id}")


def world(city: Any) -> World:
    """The city's open 2026 campaign, built once per test (cached on the city)."""
    cached = getattr(city, "_evaluation_world", None)
    if cached is None:
        cached = open_campaign(city)
        city._evaluation_world = cached
    return cached
