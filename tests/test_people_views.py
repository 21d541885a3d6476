"""People pages: search, masking in lists and exports, create/edit validation, unmasking (audited),
positions, and scope (out of scope answers 404, a missing permission 403)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.registry import actions
from qinglian.registry.models import Person, Position

from .conftest import City

pytestmark = pytest.mark.django_db

ID_ZHANG = "330102198812035673"  # valid GB 11643 check digit
ID_LI = "330106199002154566"
PHONE_ZHANG = "13812345678"


@pytest.fixture
def people(city: City) -> dict[str, Person]:
    """张三 holds a post in a member enterprise of the chamber; 王五 is in another federation."""
    zhang = actions.do_create_person(actor=None, name="张三", federation=city.federation,
                                     id_number=ID_ZHANG, phone=PHONE_ZHANG, gender="male",
                                     is_party_member=True)
    actions.do_add_position(actor=None, person=zhang, organisation=city.enterprises[0],
                            title="legal_representative")
    wang = actions.do_create_person(actor=None, name="王五", federation=city.other_federation,
                                    id_number=ID_LI)
    actions.do_add_position(actor=None, person=wang, organisation=city.outsider,
                            title="legal_representative")
    return {"zhang": zhang, "wang": wang}


@pytest.mark.parametrize("role", list(Role.values))
def test_person_list_opens_for_every_role(city: City, people: dict[str, Person], role: str) -> None:
    response = city.client(role).get(reverse("person_list"))
    assert response.status_code == 200
    assert "人员库" in response.content.decode()


def test_person_list_needs_sign_in(city: City) -> None:
    response = Client().get(reverse("person_list"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_list_shows_masked_values_only(city: City, people: dict[str, Person]) -> None:
    page = city.client(Role.FEDERATION_OFFICER).get(reverse("person_list")).content.decode()
    assert "张三" in page
    assert people["zhang"].id_number_masked in page
    assert ID_ZHANG not in page and PHONE_ZHANG not in page
    assert "王五" not in page  # another federation's person


@pytest.mark.parametrize(("text", "found"), [
    ("zs", True),             # pinyin initials
    ("张", True),
    (ID_ZHANG, True),         # exact ID number through the keyed hash
    (ID_ZHANG[:15], False),   # partial ID numbers find nothing
    (PHONE_ZHANG, True),      # exact phone
    ("李四", False),
])
def test_person_search(city: City, people: dict[str, Person], text: str, found: bool) -> None:
    response = city.client(Role.FEDERATION_OFFICER).post(reverse("person_list"), {"q": text})
    assert ("张三" in response.content.decode()) is found


def test_id_and_phone_numbers_are_never_searched_from_a_url(city: City, people: dict[str, Person]) -> None:
    """A number in a GET query string would land in browser history and access logs."""
    client = city.client(Role.FEDERATION_OFFICER)
    page = client.get(reverse("person_list"), {"q": ID_ZHANG[:15]}).content.decode()
    assert f'value="{ID_ZHANG[:15]}"' not in page  # ignored, not echoed into the search box
    page = client.post(reverse("person_list"), {"q": "张"}).content.decode()
    assert "q=%E5%BC%A0" in page or "张三" in page


def test_live_search_returns_the_table_partial(city: City, people: dict[str, Person]) -> None:
    response = city.client(Role.FEDERATION_OFFICER).get(
        reverse("person_list"), {"q": "zs"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "张三" in body and "<html" not in body


def test_export_has_masked_values_only(city: City, people: dict[str, Person]) -> None:
    response = city.client(Role.FEDERATION_OFFICER).get(reverse("person_list"), {"export": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[str(c) if c is not None else "" for c in row] for row in book.active.iter_rows(values_only=True)]
    assert rows[0][:4] == ["姓名", "性别", "身份证号（脱敏）", "手机号（脱敏）"]
    cells = " ".join(" ".join(r) for r in rows)
    assert people["zhang"].id_number_masked in cells and "138****5678" in cells
    assert ID_ZHANG not in cells and PHONE_ZHANG not in cells
    assert "王五" not in cells


@pytest.mark.parametrize("role", [Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER])
def test_export_forbidden_without_permission(city: City, role: str) -> None:
    response = city.client(role).get(reverse("person_list"), {"export": "xlsx"})
    assert response.status_code == 403


def test_create_person_and_never_echo_the_id(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    response = client.post(reverse("person_create"), {
        "name": "赵六", "gender": "female", "id_number": ID_LI, "phone": "139 1234 5678",
        "notes": "党建联络员候选",
    }, follow=True)
    assert response.status_code == 200
    person = Person.objects.get(name="赵六")
    page = response.content.decode()
    assert "已登记人员" in page
    assert ID_LI not in page and "13912345678" not in page
    assert person.id_number_masked in page
    assert person.phone_masked == "139****5678"


def test_bad_id_number_is_reported_inline_and_nothing_is_lost(city: City) -> None:
    response = city.client(Role.FEDERATION_OFFICER).post(reverse("person_create"), {
        "name": "赵六", "id_number": ID_LI[:-1] + "0", "phone": "12345", "notes": "保留的备注",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "身份证号校验位错误" in page
    assert "手机号应为 11 位数字" in page
    assert "is-invalid" in page
    assert "保留的备注" in page and 'value="赵六"' in page
    assert not Person.objects.filter(name="赵六").exists()


def test_duplicate_id_number_error_from_the_action(city: City, people: dict[str, Person]) -> None:
    response = city.client(Role.FEDERATION_OFFICER).post(reverse("person_create"), {
        "name": "张三丰", "id_number": ID_ZHANG,
    })
    assert "该身份证号已登记在人员库中" in response.content.decode()


def test_chamber_officer_must_give_a_post_in_scope(city: City) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    response = client.post(reverse("person_create"), {"name": "钱七"})
    assert "任职单位" in response.content.decode() and not Person.objects.filter(name="钱七").exists()
    response = client.post(reverse("person_create"), {
        "name": "钱七", "organisation": city.outsider.pk, "title": "liaison",
    })
    assert "is-invalid" in response.content.decode()
    response = client.post(reverse("person_create"), {
        "name": "钱七", "organisation": city.enterprises[1].pk, "title": "liaison",
        "start_on": "2026-03-01",
    })
    person = Person.objects.get(name="钱七")
    assert response.status_code == 302 and response.url == reverse("person_detail", args=[person.pk])
    assert client.get(response.url).status_code == 200
    assert person.positions.get().organisation == city.enterprises[1]


@pytest.mark.parametrize("role", [Role.ENTERPRISE_USER, Role.AUDITOR, Role.DEPARTMENT_HANDLER])
def test_create_forbidden_without_permission(city: City, role: str) -> None:
    assert city.client(role).get(reverse("person_create")).status_code == 403


def test_edit_keeps_the_id_when_left_empty(city: City, people: dict[str, Person]) -> None:
    zhang = people["zhang"]
    url = reverse("person_edit", args=[zhang.pk])
    client = city.client(Role.FEDERATION_OFFICER)
    form_page = client.get(url).content.decode()
    assert ID_ZHANG not in form_page and zhang.id_number_masked in form_page
    response = client.post(url, {"name": "张三", "gender": "male", "phone": "13700001111",
                                 "is_party_member": "on"})
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.id_number_masked.endswith(ID_ZHANG[-4:])
    assert zhang.phone_masked == "137****1111"


def test_edit_can_clear_the_phone(city: City, people: dict[str, Person]) -> None:
    zhang = people["zhang"]
    city.client(Role.FEDERATION_OFFICER).post(reverse("person_edit", args=[zhang.pk]), {
        "name": "张三", "clear_phone": "on"})
    zhang.refresh_from_db()
    assert zhang.phone_masked == "" and zhang.phone_hash == ""


def test_detail_scope_and_unmask_button(city: City, people: dict[str, Person]) -> None:
    zhang, wang = people["zhang"], people["wang"]
    fed_page = city.client(Role.FEDERATION_OFFICER).get(reverse("person_detail", args=[zhang.pk]))
    assert fed_page.status_code == 200
    body = fed_page.content.decode()
    assert "查看完整信息" in body and ID_ZHANG not in body and "华为技术有限公司" in body
    chamber_page = city.client(Role.CHAMBER_OFFICER).get(reverse("person_detail", args=[zhang.pk]))
    assert chamber_page.status_code == 200 and "查看完整信息" not in chamber_page.content.decode()
    for role in (Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER,
                 Role.DEPARTMENT_HANDLER, Role.AUDITOR):
        assert city.client(role).get(reverse("person_detail", args=[wang.pk])).status_code == 404
    assert city.client(Role.FEDERATION_OFFICER).get(
        reverse("person_detail", args=[999999])).status_code == 404
    assert city.client(Role.DEPARTMENT_HANDLER).get(
        reverse("person_detail", args=[zhang.pk])).status_code == 404


def test_unmask_is_audited(city: City, people: dict[str, Person]) -> None:
    zhang = people["zhang"]
    response = city.client(Role.FEDERATION_OFFICER).post(
        reverse("person_unmask", args=[zhang.pk]), {"reason": "核实法定代表人身份"},
        HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert ID_ZHANG in body and PHONE_ZHANG in body and "已记入审计日志" in body
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    record = AuditRecord.objects.get(event="person.unmasked", object_id=str(zhang.pk))
    assert record.after == {"reason": "核实法定代表人身份"}
    assert record.actor == city.users[Role.FEDERATION_OFFICER]


def test_unmask_needs_a_reason(city: City, people: dict[str, Person]) -> None:
    response = city.client(Role.FEDERATION_OFFICER).post(
        reverse("person_unmask", args=[people["zhang"].pk]), {"reason": "  "})
    body = response.content.decode()
    assert "请填写查看原因" in body and ID_ZHANG not in body
    assert not AuditRecord.objects.filter(event="person.unmasked").exists()


@pytest.mark.parametrize("role", [Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER, Role.AUDITOR,
                                  Role.DEPARTMENT_HANDLER])
def test_unmask_forbidden_for_other_roles(city: City, people: dict[str, Person], role: str) -> None:
    response = city.client(role).post(reverse("person_unmask", args=[people["zhang"].pk]),
                                      {"reason": "想看看"})
    assert response.status_code == 403
    assert not AuditRecord.objects.filter(event="person.unmasked").exists()


def test_unmask_out_of_scope_is_404(city: City, people: dict[str, Person]) -> None:
    response = city.client(Role.FEDERATION_OFFICER).post(
        reverse("person_unmask", args=[people["wang"].pk]), {"reason": "核实"})
    assert response.status_code == 404
    assert city.client(Role.FEDERATION_OFFICER).get(
        reverse("person_unmask", args=[people["zhang"].pk])).status_code == 405


def test_add_and_end_a_position(city: City, people: dict[str, Person]) -> None:
    zhang = people["zhang"]
    client = city.client(Role.CHAMBER_OFFICER)
    response = client.post(reverse("position_create", args=[zhang.pk]), {
        "organisation": city.chamber.pk, "title": "vice_president", "start_on": "2026-01-05"})
    assert response.status_code == 302
    post = Position.objects.get(person=zhang, title="vice_president")
    response = client.post(reverse("position_end", args=[post.pk]), {"end_on": "2026-06-30"},
                           follow=True)
    post.refresh_from_db()
    assert str(post.end_on) == "2026-06-30"
    assert "已登记离任" in response.content.decode()
    response = client.post(reverse("position_end", args=[post.pk]), {"end_on": "2026-07-01"},
                           follow=True)
    assert "2026年6月30日" in response.content.decode()


def test_end_before_start_is_refused(city: City, people: dict[str, Person]) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    client.post(reverse("position_create", args=[people["zhang"].pk]), {
        "organisation": city.chamber.pk, "title": "president", "start_on": "2026-05-01"})
    president = Position.objects.get(title="president")
    response = client.post(reverse("position_end", args=[president.pk]), {"end_on": "2026-01-01"},
                           follow=True)
    assert "离任日期不能早于任职日期" in response.content.decode()
    president.refresh_from_db()
    assert president.end_on is None


def test_position_in_an_organisation_out_of_scope_is_refused(
        city: City, people: dict[str, Person]) -> None:
    response = city.client(Role.CHAMBER_OFFICER).post(
        reverse("position_create", args=[people["zhang"].pk]),
        {"organisation": city.other_chamber.pk, "title": "president"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Position.objects.filter(organisation=city.other_chamber).exists()


def test_position_pages_scope_and_permission(city: City, people: dict[str, Person]) -> None:
    wang_post = people["wang"].positions.get()
    assert city.client(Role.FEDERATION_OFFICER).post(
        reverse("position_end", args=[wang_post.pk]), {"end_on": "2026-01-01"}).status_code == 404
    assert city.client(Role.FEDERATION_OFFICER).get(
        reverse("position_create", args=[people["wang"].pk])).status_code == 404
    assert city.client(Role.AUDITOR).post(
        reverse("position_end", args=[people["zhang"].positions.get().pk]),
        {"end_on": "2026-01-01"}).status_code == 403


def test_admin_chooses_the_federation(city: City) -> None:
    client = city.client(Role.ADMIN)
    response = client.post(reverse("person_create"), {"name": "孙八"})
    assert "is-invalid" in response.content.decode()  # a platform admin has no jurisdiction
    response = client.post(reverse("person_create"), {
        "name": "孙八", "federation": city.other_federation.pk})
    assert response.status_code == 302
    assert Person.objects.get(name="孙八").federation == city.other_federation
