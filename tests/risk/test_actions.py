"""The register's actions: library, points, controls, evidence, alert links, power lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qinglian.core.audit import object_label
from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.risk import actions, power_actions
from qinglian.risk.choices import ControlStatus, ListKind, ListStatus, PointStatus
from qinglian.risk.hooks import link_confirmed_alert
from qinglian.risk.library_data import DEFAULT_LIBRARY
from qinglian.risk.models import AlertLink, LibraryPoint, PowerList, RiskPoint

from .world import PDF, TODAY, RiskWorld, add_point, point_fields

pytestmark = pytest.mark.django_db


def _events(obj: Any) -> list[str]:
    return list(AuditRecord.objects.filter(
        object_type=object_label(obj), object_id=str(obj.pk)).exclude(event="")
        .order_by("id").values_list("event", flat=True))


# --- library ----------------------------------------------------------------------------------

def test_shipped_library_covers_every_area_with_schemes_and_controls() -> None:
    from qinglian.risk.choices import BusinessArea

    assert 40 <= len(DEFAULT_LIBRARY) <= 60
    assert {p["area"] for p in DEFAULT_LIBRARY} == set(BusinessArea.values)
    assert len({p["code"] for p in DEFAULT_LIBRARY}) == len(DEFAULT_LIBRARY)
    assert all(p["schemes"] and p["controls"] for p in DEFAULT_LIBRARY)


def test_install_copies_then_keeps_the_federations_edits(city: Any) -> None:
    fed = city.users[Role.FEDERATION_OFFICER]
    assert actions.do_install_library(city.federation, actor=fed) == len(DEFAULT_LIBRARY)
    first = LibraryPoint.objects.get(federation=city.federation, code="CG-01")
    actions.do_save_library_point(city.federation, actor=fed, point=first, code="CG-01",
                                  area="procurement", title="本会修改后的风险点", likelihood=5,
                                  impact=5)
    assert actions.do_install_library(city.federation, actor=fed) == 0
    first.refresh_from_db()
    assert first.title == "本会修改后的风险点"
    assert _events(city.federation) == ["risk_library.installed", "risk_library.installed"]


def test_only_the_federation_edits_its_library(city: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_install_library(city.federation, actor=city.users[Role.CHAMBER_OFFICER])
    with pytest.raises(PermissionDenied):
        actions.do_install_library(city.other_federation, actor=city.users[Role.FEDERATION_OFFICER])


def test_library_codes_are_unique(city: Any) -> None:
    fed = city.users[Role.FEDERATION_OFFICER]
    actions.do_save_library_point(city.federation, actor=fed, code="ZZ-01", area="finance",
                                  title="甲")
    with pytest.raises(ValidationError) as exc:
        actions.do_save_library_point(city.federation, actor=fed, code="ZZ-01", area="finance",
                                      title="乙")
    assert exc.value.message_dict["code"] == ["编号 ZZ-01 已存在"]


# --- points -----------------------------------------------------------------------------------

def test_add_point_stores_levels_and_first_review(city: Any) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    point = actions.do_add_risk_point(city.enterprises[0], actor=ent, today=TODAY,
                                      **point_fields(review_months=6))
    assert (point.code, point.inherent_score, point.inherent_level) == ("FX-001", 16, "high")
    assert (point.residual_score, point.residual_level) == (8, "medium")
    assert point.next_review_on == dt.date(2027, 5, 24)
    second = add_point(city.enterprises[0], ent)
    assert second.code == "FX-002"
    assert AuditRecord.objects.filter(object_type="risk.riskpoint", action="create").count() == 2


def test_residual_never_above_inherent(city: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        add_point(city.enterprises[0], likelihood=2, residual_likelihood=3, impact=3,
                  residual_impact=4)
    assert exc.value.message_dict == {
        "residual_likelihood": ["剩余可能性不能高于固有可能性"],
        "residual_impact": ["剩余影响程度不能高于固有影响程度"],
    }
    with pytest.raises(ValidationError) as exc:
        add_point(city.enterprises[0], likelihood=6)
    assert "可能性必须是 1 到 5 的整数" in exc.value.message_dict["likelihood"][0]


def test_an_enterprise_keeps_only_its_own_register(city: Any) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    with pytest.raises(PermissionDenied):
        add_point(city.enterprises[1], ent)
    with pytest.raises(PermissionDenied):
        add_point(city.enterprises[0], city.users[Role.AUDITOR])
    with pytest.raises(PermissionDenied):  # the federation keeps its own register only
        add_point(city.enterprises[0], city.users[Role.FEDERATION_OFFICER])


def test_update_keeps_levels_and_moves_review_with_cycle(city: Any) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    point = add_point(city.enterprises[0], ent)
    fields = point_fields(title="新名称", review_months=3)
    actions.do_update_risk_point(point, actor=ent, **fields)
    point.refresh_from_db()
    created = point.created_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert point.title == "新名称" and point.inherent_score == 16
    assert point.next_review_on > created


def test_retire_takes_the_point_off(city: Any) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    point = add_point(city.enterprises[0], ent)
    actions.do_retire_risk_point(point, reason="业务已撤销", actor=ent)
    assert point.status == PointStatus.RETIRED and point.retired_at is not None
    assert _events(point) == ["risk_point.retired"]
    with pytest.raises(ValidationError):
        actions.do_update_risk_point(point, actor=ent, **point_fields())


# --- controls ---------------------------------------------------------------------------------

def test_control_done_is_stamped_and_not_in_the_future(city: Any) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    point = add_point(city.enterprises[0], ent)
    control = actions.do_add_control(point, actor=ent, today=TODAY, description="集体决策",
                                     owner_name="张伟", due_on=TODAY)
    assert control.status == ControlStatus.PLANNED and control.done_on is None
    actions.do_update_control(control, actor=ent, today=TODAY, description="集体决策",
                              owner_name="张伟", due_on=TODAY, status=ControlStatus.DONE)
    assert control.done_on == TODAY
    assert _events(control) == ["risk_control.done"]
    with pytest.raises(ValidationError) as exc:
        actions.do_update_control(control, actor=ent, today=TODAY, description="集体决策",
                                  owner_name="张伟", due_on=TODAY, status=ControlStatus.DONE,
                                  done_on=TODAY + dt.timedelta(days=1))
    assert exc.value.message_dict["done_on"] == ["完成日期不能晚于今天"]
    with pytest.raises(ValidationError) as exc:
        actions.do_add_control(point, actor=ent, description="", owner_name="", due_on=None)
    assert set(exc.value.message_dict) == {"description"}


def test_evidence_is_checked_by_content(city: Any) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    point = add_point(city.enterprises[0], ent)
    control = actions.do_add_control(point, actor=ent, description="比价", owner_name="张伟",
                                     due_on=TODAY)
    with pytest.raises(ValidationError) as exc:
        actions.do_attach_control_evidence(
            control, SimpleUploadedFile("记录.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
            actor=ent)
    assert "按文件内容判断" in exc.value.messages[0]
    actions.do_attach_control_evidence(
        control, SimpleUploadedFile("比价记录.pdf", PDF, "application/pdf"), actor=ent)
    control.refresh_from_db()
    assert control.evidence_name == "比价记录.pdf"
    assert control.evidence.name.endswith(".pdf") and len(control.evidence_sha256) == 64
    assert control.evidence.read() == PDF


# --- alerts -----------------------------------------------------------------------------------

def test_linked_alert_raises_the_next_review_one_step_at_most_five(city: Any, risk: RiskWorld) -> None:
    fed = city.users[Role.FEDERATION_OFFICER]
    point = risk.points[0]  # 4 × 4, residual 2 × 4, one alert linked already
    assert (point.next_likelihood, point.next_residual_likelihood) == (5, 3)
    link = link_confirmed_alert(point.pk, source="monitoring", reference="YJ-2026-0002",
                                summary="同一供应商多笔付款", actor=fed)
    point.refresh_from_db()
    assert (point.next_likelihood, point.next_residual_likelihood) == (5, 4)
    assert (point.likelihood, point.inherent_level) == (4, "high")  # the register waits for review
    again = link_confirmed_alert(point.pk, source="monitoring", reference="YJ-2026-0002",
                                 summary="重复", actor=fed)
    assert again == link and AlertLink.objects.filter(point=point).count() == 2
    point.refresh_from_db()
    assert point.next_residual_likelihood == 4
    assert _events(point).count("risk_point.alert_linked") == 2


def test_linking_needs_the_permission_and_the_jurisdiction(city: Any, risk: RiskWorld) -> None:
    # an enterprise that edits its own register links to its own points only
    with pytest.raises(PermissionDenied):
        actions.do_link_alert(risk.outsider_point, source="monitoring", reference="X",
                              summary="x", actor=city.users[Role.ENTERPRISE_USER])
    own = actions.do_link_alert(risk.points[0], source="monitoring", reference="X",
                                summary="x", actor=city.users[Role.ENTERPRISE_USER])
    assert own.linked_by == city.users[Role.ENTERPRISE_USER]
    with pytest.raises(PermissionDenied):
        actions.do_link_alert(risk.outsider_point, source="monitoring", reference="X",
                              summary="x", actor=city.users[Role.FEDERATION_OFFICER])
    link = actions.do_link_alert(risk.outsider_point, source="monitoring", reference="X",
                                 summary="系统关联", actor=None)
    assert link.linked_by is None


# --- power lists ------------------------------------------------------------------------------

def test_publishing_a_new_version_supersedes_the_old(city: Any, risk: RiskWorld) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    draft = risk.draft
    assert draft.version == 2 and draft.based_on == risk.power_list
    assert list(draft.items.values_list("code", flat=True)) == ["Q-01"]  # copied
    power_actions.do_save_power_item(draft, actor=ent, code="Q-02", name="提名中层管理人员",
                                     basis="《干部管理办法》", procedure="集体研究", level="medium")
    power_actions.do_publish_power_list(draft, actor=ent)
    risk.power_list.refresh_from_db()
    assert risk.power_list.status == ListStatus.SUPERSEDED and risk.power_list.superseded_at
    assert draft.status == ListStatus.PUBLISHED
    assert PowerList.objects.filter(organisation=city.enterprises[0], kind=ListKind.POWER,
                                    status=ListStatus.PUBLISHED).get() == draft
    assert risk.power_list.items.count() == 1  # the old version keeps its items
    with pytest.raises(ValidationError) as exc:
        power_actions.do_save_power_item(draft, actor=ent, code="Q-03", name="x")
    assert "已发布的清单不能修改" in exc.value.messages[0]
    assert _events(draft) == ["power_list.published"]


def test_one_draft_at_a_time_and_no_empty_publication(city: Any, risk: RiskWorld) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    with pytest.raises(ValidationError):
        power_actions.do_draft_power_list(city.enterprises[0], kind=ListKind.POWER, actor=ent)
    negative = power_actions.do_draft_power_list(city.enterprises[0], kind=ListKind.NEGATIVE,
                                                 actor=ent)
    assert negative.version == 1 and negative.title == "主要负责人负面清单"
    with pytest.raises(ValidationError) as exc:
        power_actions.do_publish_power_list(negative, actor=ent)
    assert exc.value.messages == ["清单中还没有事项，不能发布"]
    with pytest.raises(PermissionDenied):
        power_actions.do_publish_power_list(risk.draft, actor=city.users[Role.CHAMBER_OFFICER])


def test_register_scope(city: Any, risk: RiskWorld) -> None:
    from qinglian.core.permissions import restrict
    from qinglian.risk.queries import OVERVIEW

    def visible(role: str, action: str = "view") -> set[int]:
        return set(restrict(RiskPoint.objects.all(), city.users[role], action)
                   .values_list("organisation_id", flat=True))

    huawei, other = city.enterprises[0].pk, city.enterprises[2].pk
    assert visible(Role.ENTERPRISE_USER) == {huawei}
    assert visible(Role.CHAMBER_OFFICER) == {city.chamber.pk}
    assert visible(Role.FEDERATION_OFFICER) == {city.federation.pk}
    assert visible(Role.AUDITOR) == {city.federation.pk}
    assert visible(Role.AUDITOR, "change") == set()
    assert visible(Role.DEPARTMENT_HANDLER) == set()
    assert visible(Role.CHAMBER_OFFICER, OVERVIEW) == {city.chamber.pk, huawei}
    assert visible(Role.FEDERATION_OFFICER, OVERVIEW) == {
        city.federation.pk, city.chamber.pk, huawei, other}
    assert visible(Role.ADMIN) == {huawei, other, city.chamber.pk, city.federation.pk,
                                   city.outsider.pk}
