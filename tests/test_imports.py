"""会员企业导入: reading files, validating every row, importing all or nothing, idempotently."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from qinglian.core.audit import verify_chain
from qinglian.core.choices import Role
from qinglian.core.import_templates import template_csv
from qinglian.core.imports import TableError, cell_date, cell_int, read_table
from qinglian.core.models import AuditRecord, Job, JobStatus
from qinglian.registry import actions, bulk_actions
from qinglian.registry.choices import MembershipStatus
from qinglian.registry.imports import (
    EXAMPLE_USCC,
    KIND,
    MEMBER_IMPORT,
    import_members,
    member_spec,
)
from qinglian.registry.models import Membership, Organisation, Signature
from tests.conftest import City, make_uscc

HEADERS = [c.title for c in MEMBER_IMPORT.columns]


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers or HEADERS)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(HEADERS)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def row(n: int, *, name: str | None = None, chamber: str = "杭州市互联网商会", signer: str = "张三",
        signed: Any = "2026-01-05", **overrides: Any) -> list[Any]:
    """One member row in template column order."""
    values = {
        "name": name or f"杭州导入测试科技有限公司{n}", "uscc": make_uscc(100 + n), "region": "330106",
        "industry": "65", "ownership": "民营", "size": "小型", "tags": "国家高新技术企业、瞪羚企业",
        "party_org_form": "联合组建", "party_member_count": 2, "chamber": chamber,
        "role": "会员单位", "joined_on": None, "signer": signer, "signed_on": signed if signer else None,
    }
    values.update(overrides)
    return [values[c.key] for c in MEMBER_IMPORT.columns]


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "signatures": Signature.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


# --- reading files ---------------------------------------------------------------------------


def test_cell_parsers_accept_what_excel_and_people_write() -> None:
    assert cell_int(3.0) == 3
    assert cell_int("３") == 3
    assert cell_int(" 1,200 ") == 1200
    assert cell_int("3.0") == 3
    assert cell_int("") is None
    with pytest.raises(ValueError, match="不是整数"):
        cell_int("2.5")
    assert cell_date(dt.datetime(2026, 1, 5, 0, 0)) == dt.date(2026, 1, 5)
    for text in ("2026-01-05", "2026/1/5", "2026年1月5日", "2026.1.5", "20260105", "２０２６-１-５"):
        assert cell_date(text) == dt.date(2026, 1, 5), text
    assert cell_date(46027) == dt.date(2026, 1, 5)  # Excel serial day number
    with pytest.raises(ValueError, match="不是有效日期"):
        cell_date("2026-02-30")
    with pytest.raises(ValueError, match="不是日期"):
        cell_date("明天")


def test_empty_file_is_refused() -> None:
    with pytest.raises(TableError) as info:
        read_table(MEMBER_IMPORT, b"", "members.xlsx")
    assert "空的" in info.value.errors[0].reason


def test_xlsx_that_is_really_something_else_is_refused() -> None:
    with pytest.raises(TableError) as info:
        read_table(MEMBER_IMPORT, csv_bytes([row(1)]), "members.xlsx")
    assert "不是 Excel 工作簿" in info.value.errors[0].reason
    with pytest.raises(TableError) as info:
        read_table(MEMBER_IMPORT, b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "members.xlsx")
    assert ".xls" in info.value.errors[0].reason
    with pytest.raises(TableError) as info:
        read_table(MEMBER_IMPORT, xlsx([row(1)]), "members.csv")
    assert "内容是 Excel 工作簿" in info.value.errors[0].reason
    with pytest.raises(TableError) as info:
        read_table(MEMBER_IMPORT, b"PK\x03\x04 truncated zip", "members.xlsx")
    assert "无法打开" in info.value.errors[0].reason
    with pytest.raises(TableError) as info:
        read_table(MEMBER_IMPORT, b"abc", "members.pdf")
    assert ".xlsx 或 .csv" in info.value.errors[0].reason


def test_missing_and_unknown_columns_are_named() -> None:
    headers = [h for h in HEADERS if not h.startswith("统一社会信用代码")] + ["备注栏"]
    with pytest.raises(TableError) as info:
        read_table(MEMBER_IMPORT, xlsx([["a"] * len(headers)], headers), "m.xlsx")
    reasons = " ".join(e.reason for e in info.value.errors)
    assert "缺少必填列：统一社会信用代码" in reasons
    assert "无法识别的列“备注栏”" in reasons


def test_header_only_and_no_header_files_are_refused() -> None:
    with pytest.raises(TableError, match="没有数据行"):
        read_table(MEMBER_IMPORT, xlsx([]), "m.xlsx")
    with pytest.raises(TableError, match="没有表头"):
        read_table(MEMBER_IMPORT, b"\r\n\r\n", "m.csv")


def test_english_aliases_and_row_numbers_as_in_excel() -> None:
    headers = ["name", "USCC", "region", "chamber"]
    content = xlsx([["甲公司", make_uscc(1), "330106", "x"], [None] * 4,
                    ["乙公司", make_uscc(2), "330106", "x"]], headers)
    rows = read_table(MEMBER_IMPORT, content, "m.xlsx")
    assert [r.number for r in rows] == [2, 4]
    assert rows[1]["name"] == "乙公司"


def test_too_many_rows_are_refused() -> None:
    content = csv_bytes([row(n) for n in range(5)])
    with pytest.raises(TableError, match="超过 3 行"):
        read_table(MEMBER_IMPORT, content, "m.csv", max_rows=3)


def test_gbk_csv_is_read(city: City) -> None:
    content = csv_bytes([row(1), row(2, signer="")], encoding="gbk")
    outcome = import_members(content, "会员.csv", actor=city.users[Role.FEDERATION_OFFICER])
    assert outcome.ok, outcome.errors
    assert Organisation.objects.filter(name="杭州导入测试科技有限公司1").exists()


def test_undecodable_csv_is_refused() -> None:
    with pytest.raises(TableError, match="无法识别"):
        read_table(MEMBER_IMPORT, b"\xff\xfe\xfd\x81\x30" * 3 + b"\xff", "m.csv")


# --- templates -------------------------------------------------------------------------------


def test_xlsx_template_has_chinese_headers_instructions_and_dropdowns() -> None:
    from qinglian.core.import_templates import template_xlsx

    wb = load_workbook(io.BytesIO(template_xlsx(member_spec("杭州市互联网商会"))))
    sheet = wb.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["A1"].value == "企业名称*"
    assert "填写说明" in wb.sheetnames
    notes = " ".join(str(c.value) for r in wb["填写说明"].iter_rows() for c in r if c.value)
    assert "告知承诺制" in notes and "不能入会" in notes
    lists = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert len(lists) == 5  # industry, ownership, size, party organisation form, role
    assert sheet.cell(row=2, column=2).value == EXAMPLE_USCC


def test_csv_template_has_bom_and_headers() -> None:
    content = template_csv(MEMBER_IMPORT)
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines()[0].split(",") == HEADERS


def test_example_row_left_in_is_an_error(city: City) -> None:
    from qinglian.core.import_templates import template_xlsx

    outcome = import_members(template_xlsx(MEMBER_IMPORT), "模板.xlsx", actor=None)
    assert not outcome.ok
    assert any("示例行" in e.reason and e.row == 2 for e in outcome.errors)


# --- importing -------------------------------------------------------------------------------


def test_import_creates_enterprises_signatures_and_memberships(city: City) -> None:
    officer = city.users[Role.FEDERATION_OFFICER]
    rows = [row(n) for n in range(1, 4)] + [row(4, signer="", role="理事单位")]
    outcome = import_members(xlsx(rows), "会员.xlsx", actor=officer)
    assert outcome.ok, outcome.errors
    assert outcome.summary == {
        "enterprises_created": 4, "enterprises_updated": 0, "enterprises_unchanged": 0,
        "memberships_created": 4, "memberships_updated": 0, "memberships_unchanged": 0,
        "signatures": 3, "admitted": 3, "applied": 1,
    }
    job = outcome.job
    assert (job.kind, job.status, job.total, job.done) == (KIND, JobStatus.SUCCEEDED, 4, 4)
    assert job.organisation == city.federation and job.created_by == officer
    ent = Organisation.objects.get(uscc=make_uscc(101))
    assert ent.federation == city.federation and ent.industry == "65" and ent.size == "small"
    assert sorted(ent.tags.values_list("code", flat=True)) == ["gazelle", "high_tech"]
    m = Membership.objects.get(member=ent, organisation=city.chamber)
    assert m.status == MembershipStatus.ADMITTED and m.joined_on == dt.date(2026, 1, 5)
    sig = Signature.objects.get(member=ent)
    assert sig.commitment == city.commitment and sig.signed_by == officer
    assert sig.text_sha256 == city.commitment.text_sha256
    assert dt.date(2026, 1, 5) == sig.signed_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    applied = Membership.objects.get(member__uscc=make_uscc(104))
    assert applied.status == MembershipStatus.APPLIED and applied.role == "director"
    # the audit trail tells the same story as the one-by-one actions, and the chain holds
    events = list(AuditRecord.objects.filter(object_type="registry.membership",
                                             object_id=str(m.pk)).order_by("id")
                  .values_list("action", "event"))
    assert events == [("create", ""), ("event", "membership.applied"), ("update", ""),
                      ("event", "membership.admitted")]
    assert AuditRecord.objects.filter(event="commitment.signed", object_id=str(ent.pk)).exists()
    assert AuditRecord.objects.filter(actor=officer, object_type="registry.organisation",
                                      action="create").count() == 4
    assert verify_chain().ok


def test_rerunning_the_same_file_creates_no_duplicates(city: City) -> None:
    officer = city.users[Role.FEDERATION_OFFICER]
    content = xlsx([row(n) for n in range(1, 6)] + [row(6, signer="")])
    assert import_members(content, "会员.xlsx", actor=officer).ok
    before = counts()
    again = import_members(content, "会员.xlsx", actor=officer)
    assert again.ok, again.errors
    assert counts() == before
    assert again.summary["enterprises_unchanged"] == 6
    assert again.summary["memberships_unchanged"] == 6
    assert again.summary["enterprises_created"] == again.summary["signatures"] == 0
    assert Job.objects.filter(kind=KIND, status=JobStatus.SUCCEEDED).count() == 2


def test_existing_enterprise_is_updated_and_blank_cells_keep_values(city: City) -> None:
    huawei = city.enterprises[0]
    blank = row(1, name="华为技术有限公司", uscc=huawei.uscc, region="330106", industry=None,
                ownership=None, size="中型", tags=None, party_org_form=None,
                party_member_count=None, role="副会长单位", signer="")
    outcome = import_members(xlsx([blank]), "m.xlsx", actor=city.users[Role.FEDERATION_OFFICER])
    assert outcome.ok, outcome.errors
    huawei.refresh_from_db()
    assert huawei.size == "medium" and huawei.industry == "39" and huawei.ownership == "private"
    assert sorted(huawei.tags.values_list("code", flat=True)) == ["key", "listed"]
    m = Membership.objects.get(member=huawei, organisation=city.chamber)
    assert m.role == "vice_president" and m.status == MembershipStatus.ADMITTED
    assert Membership.objects.filter(member=huawei, organisation=city.chamber).count() == 1
    assert outcome.summary["enterprises_updated"] == 1
    assert outcome.summary["memberships_updated"] == 1
    assert outcome.summary["memberships_created"] == 0


def test_one_bad_row_among_many_imports_nothing(city: City) -> None:
    rows = [row(n) for n in range(1, 41)]
    rows[16][1] = make_uscc(117)[:-1] + ("0" if make_uscc(117)[-1] != "0" else "1")
    before = counts()
    outcome = import_members(xlsx(rows), "会员.xlsx", actor=city.users[Role.FEDERATION_OFFICER])
    assert not outcome.ok
    assert counts() == before
    assert outcome.job.status == JobStatus.REJECTED and outcome.job.done == 0
    (error,) = outcome.errors
    assert (error.row, error.column) == (18, "统一社会信用代码")
    assert "校验位错误" in error.reason
    assert outcome.job.errors[0]["row"] == 18


def test_every_error_is_reported_not_just_the_first(city: City) -> None:
    rows = [
        row(1, region="999999"),
        row(2, industry="00", size="巨型", party_org_form="单独组建", party_member_count=1),
        row(3, signer="李四", signed=None),
        row(4, joined_on="2026-01-06", signer=""),
        row(5, tags="独角兽、优秀企业"),
        row(6, party_member_count=-1),
        row(7, signed="2099-01-01"),
    ]
    outcome = import_members(xlsx(rows), "m.xlsx", actor=None)
    found = {(e.row, e.column) for e in outcome.errors}
    assert {(2, "所在地区代码"), (3, "行业代码"), (3, "企业规模"), (3, "党组织组建方式"),
            (4, "签署日期"), (5, "入会日期"), (6, "企业标签"), (7, "正式党员人数"),
            (8, "签署日期")} <= found
    reasons = {(e.row, e.column): e.reason for e in outcome.errors}
    assert "不足 3 人" in reasons[(3, "党组织组建方式")]
    assert "告知承诺制" in reasons[(5, "入会日期")]
    assert "优秀企业" in reasons[(6, "企业标签")]


def test_uscc_stored_as_a_number_by_excel_is_explained(city: City) -> None:
    outcome = import_members(xlsx([row(1, uscc=914403001922038216)]), "m.xlsx", actor=None)
    assert not outcome.ok and "存成了数字" in outcome.errors[0].reason


def test_duplicate_uscc_in_the_file_is_reported(city: City) -> None:
    rows = [row(1), row(2), row(3, uscc=" " + make_uscc(101).lower())]
    outcome = import_members(xlsx(rows), "m.xlsx", actor=None)
    assert not outcome.ok
    (error,) = outcome.errors
    assert error.row == 4 and "与第 2 行重复" in error.reason


def test_fullwidth_codes_numbers_and_excel_dates(city: City) -> None:
    code = make_uscc(101)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    rows = [row(1, uscc=fullwidth, region=330106.0, industry=65, party_member_count=2.0,
                signed=dt.datetime(2026, 1, 5), joined_on="2026年1月6日")]
    outcome = import_members(xlsx(rows), "m.xlsx", actor=None)
    assert outcome.ok, outcome.errors
    m = Membership.objects.get(member__uscc=code)
    assert m.joined_on == dt.date(2026, 1, 6) and m.member.region == "330106"


def test_chamber_officer_cannot_import_into_another_chamber(city: City) -> None:
    officer = city.users[Role.CHAMBER_OFFICER]
    before = counts()
    outcome = import_members(xlsx([row(1, chamber="杭州市温州商会")]), "m.xlsx", actor=officer)
    assert not outcome.ok and counts() == before
    assert outcome.errors[0].column == "所属商会"
    assert "不在您的管理范围内" in outcome.errors[0].reason
    own = import_members(xlsx([row(1, chamber="")]), "m.xlsx", actor=officer,
                         default_chamber=city.chamber)
    assert own.ok, own.errors
    assert own.job.organisation == city.chamber


def test_chamber_officer_cannot_change_an_enterprise_it_does_not_manage(city: City) -> None:
    officer = city.users[Role.CHAMBER_OFFICER]
    other = city.enterprises[2]  # registered by the federation, member of the other chamber only
    particulars: dict[str, Any] = {
        "name": other.name, "uscc": other.uscc, "region": other.region, "industry": None,
        "ownership": None, "tags": None, "party_org_form": None, "party_member_count": None}
    changed = row(2, **particulars | {"size": "大型"})
    refused = import_members(xlsx([changed]), "m.xlsx", actor=officer)
    assert not refused.ok
    assert "无权修改" in refused.errors[0].reason and "企业规模" in refused.errors[0].reason
    same = row(1, **particulars | {"size": None})
    outcome = import_members(xlsx([same]), "m.xlsx", actor=officer)
    assert outcome.ok, outcome.errors  # identical particulars: it just joins this chamber
    assert Membership.objects.filter(member=other, organisation=city.chamber).exists()
    assert outcome.summary["enterprises_unchanged"] == 1


def test_signer_needs_a_published_commitment(city: City) -> None:
    bare = actions.do_create_organisation(actor=None, kind="chamber", name="杭州市新商会",
                                          federation=city.federation, region="330100")
    outcome = import_members(xlsx([row(1, chamber=bare.name)]), "m.xlsx", actor=None)
    assert not outcome.ok
    assert "尚未发布清廉企业共建承诺书" in outcome.errors[0].reason
    applied = import_members(xlsx([row(1, chamber=bare.name, signer="")]), "m.xlsx", actor=None)
    assert applied.ok and applied.summary["applied"] == 1


def test_applicant_with_a_signer_is_signed_and_admitted(city: City) -> None:
    ent = city.enterprises[2]  # a member of the other chamber, applying to this one too
    m = actions.do_apply_membership(actor=None, member=ent, organisation=city.chamber)
    line = row(1, name=ent.name, uscc=ent.uscc, region=ent.region, industry=None,
               ownership=None, size=None, tags=None, party_org_form=None, party_member_count=None)
    outcome = import_members(xlsx([line]), "m.xlsx", actor=None)
    assert outcome.ok, outcome.errors
    m.refresh_from_db()
    assert m.status == MembershipStatus.ADMITTED
    assert Signature.objects.filter(member=ent, commitment=city.commitment).exists()
    assert outcome.summary["signatures"] == outcome.summary["admitted"] == 1


def test_enterprise_of_another_jurisdiction_cannot_join_by_import(city: City) -> None:
    ent = city.outsider
    line = row(1, name=ent.name, uscc=ent.uscc, region=ent.region, industry=None,
               ownership=None, size=None, tags=None, party_org_form=None, party_member_count=None)
    outcome = import_members(xlsx([line]), "m.xlsx", actor=city.users["chamber_officer"])
    assert not outcome.ok
    assert "其他工商联辖区" in outcome.errors[0].reason
    assert not Membership.objects.filter(member=ent).exists()


def test_organisation_of_another_kind_cannot_be_imported_as_enterprise(city: City) -> None:
    line = row(1, uscc=city.chamber.uscc)
    outcome = import_members(xlsx([line]), "m.xlsx", actor=None)
    assert not outcome.ok and "不是企业" in outcome.errors[0].reason


def test_roles_without_the_import_permission_are_refused(city: City) -> None:
    from django.core.exceptions import PermissionDenied

    for role in (Role.AUDITOR, Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER):
        with pytest.raises(PermissionDenied):
            import_members(xlsx([row(1)]), "m.xlsx", actor=city.users[role])


# --- pages -----------------------------------------------------------------------------------


def upload(client: Any, content: bytes, name: str = "会员.xlsx", **data: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/imports/new/", {"file": SimpleUploadedFile(name, content), **data})


def test_upload_success_redirects_to_the_summary(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    assert client.get("/imports/new/").status_code == 200
    response = upload(client, xlsx([row(1), row(2, signer="")]))
    job = Job.objects.get(kind=KIND)
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "已全部导入" in html and "新登记企业" in html and "办理入会" in html
    listing = client.get("/imports/").content.decode()
    assert "会员.xlsx" in listing and "已完成" in listing


def test_upload_with_errors_shows_the_report_and_imports_nothing(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    before = counts()
    response = upload(client, xlsx([row(1), row(2, region="12345")]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "未导入任何数据" in html and "第 3 行" in html and "所在地区代码" in html
    assert "不是有效的现行行政区划代码" in html
    assert counts()["organisations"] == before["organisations"]
    job = Job.objects.get(kind=KIND)
    report = client.get(f"/imports/{job.pk}/?export=xlsx")
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).worksheets[0]
    assert [c.value for c in sheet[1]] == ["行号", "列", "值", "原因"]
    assert sheet["A2"].value == 3 and sheet["B2"].value == "所在地区代码"


def test_upload_form_errors_are_inline(city: City, settings: Any) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    response = client.post("/imports/new/", {})
    assert "请选择要导入的文件" in response.content.decode()
    response = upload(client, b"%PDF-1.4", name="members.pdf")
    assert "只能导入 .xlsx 或 .csv 文件" in response.content.decode()
    settings.QINGLIAN_MAX_UPLOAD_BYTES = 100
    response = upload(client, xlsx([row(1)]))
    assert "超过" in response.content.decode() and "is-invalid" in response.content.decode()
    assert not Job.objects.exists()


def test_bad_file_content_is_reported_as_a_whole_file_error(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    response = upload(client, b"", name="empty.csv")
    assert "文件是空的" in response.content.decode()
    response = upload(client, b"not a workbook", name="renamed.xlsx")
    html = response.content.decode()
    assert "未导入任何数据" in html and "整个文件" in html and "不是 Excel 工作簿" in html


def test_import_pages_need_the_import_permission(city: City) -> None:
    for role in (Role.AUDITOR, Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER):
        client = city.client(role)
        for url in ("/imports/", "/imports/new/", "/imports/template/"):
            assert client.get(url).status_code == 403, (role, url)
    assert city.client(Role.CHAMBER_OFFICER).get("/imports/").status_code == 200


def test_import_history_is_scoped(city: City) -> None:
    fed_job = import_members(xlsx([row(1)]), "fed.xlsx", actor=city.users[Role.FEDERATION_OFFICER])
    chamber_job = import_members(xlsx([row(2)]), "chamber.xlsx",
                                 actor=city.users[Role.CHAMBER_OFFICER])
    chamber = city.client(Role.CHAMBER_OFFICER)
    listing = chamber.get("/imports/").content.decode()
    assert "chamber.xlsx" in listing and "fed.xlsx" not in listing
    assert chamber.get(f"/imports/{fed_job.job.pk}/").status_code == 404
    assert chamber.get(f"/imports/{chamber_job.job.pk}/").status_code == 200
    federation = city.client(Role.FEDERATION_OFFICER).get("/imports/").content.decode()
    assert "chamber.xlsx" in federation and "fed.xlsx" in federation
    assert city.client(Role.ADMIN).get(f"/imports/{fed_job.job.pk}/").status_code == 200
    assert chamber.get("/imports/999999/").status_code == 404


def test_chamber_officer_upload_defaults_to_its_chamber(city: City) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    page = client.get("/imports/new/").content.decode()
    assert f'value="{city.chamber.pk}" selected' in page and "杭州市温州商会" not in page
    response = upload(client, xlsx([row(1, chamber="")]), chamber=city.chamber.pk)
    assert response.status_code == 302
    refused = upload(client, xlsx([row(1, chamber="")]), chamber=city.other_chamber.pk)
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()


def test_template_downloads(city: City) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    response = client.get("/imports/template/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.worksheets[0]["J2"].value == "杭州市互联网商会"  # the officer's own chamber
    csv_response = client.get("/imports/template/?format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response.content.startswith(b"\xef\xbb\xbf")


# --- the bulk actions the import writes through ----------------------------------------------


def test_bulk_admission_needs_the_current_signature(city: City) -> None:
    from django.core.exceptions import ValidationError

    applicant = actions.do_apply_membership(actor=None, member=city.enterprises[2],
                                            organisation=city.chamber)
    with pytest.raises(ValidationError, match="尚未签署现行承诺书"):
        bulk_actions.do_bulk_change_memberships(
            [bulk_actions.MembershipChange(applicant, admit=True)], actor=None)
    applicant.refresh_from_db()
    assert applicant.status == MembershipStatus.APPLIED
    bulk_actions.do_bulk_change_memberships([bulk_actions.MembershipChange(
        applicant, signer_name="周明", admit=True, joined_on=dt.date(2026, 1, 6))], actor=None)
    applicant.refresh_from_db()
    assert applicant.status == MembershipStatus.ADMITTED
    assert applicant.joined_on == dt.date(2026, 1, 6)
    assert verify_chain().ok


def test_bulk_changes_refuse_closed_memberships(city: City) -> None:
    from django.core.exceptions import ValidationError

    m = city.memberships[0]
    actions.do_change_membership_status(m, to=MembershipStatus.WITHDRAWN, actor=None)
    with pytest.raises(ValidationError, match="不能变更"):
        bulk_actions.do_bulk_change_memberships(
            [bulk_actions.MembershipChange(m, role="director")], actor=None)


def test_bulk_update_keeps_the_change_log_and_the_rules(city: City) -> None:
    from django.core.exceptions import ValidationError

    huawei = city.enterprises[0]
    with pytest.raises(ValidationError, match="不能单独组建党组织"):
        bulk_actions.do_bulk_update_organisations([bulk_actions.OrganisationUpdate(
            huawei, {"party_org_form": "own", "party_member_count": 1})], actor=None)
    changed = bulk_actions.do_bulk_update_organisations([bulk_actions.OrganisationUpdate(
        huawei, {"size": "medium"}, tags=["key"])], actor=None)
    assert changed == 1
    huawei.refresh_from_db()
    assert huawei.size == "medium" and list(huawei.tags.values_list("code", flat=True)) == ["key"]
    record = AuditRecord.objects.filter(object_type="registry.organisation",
                                        object_id=str(huawei.pk)).order_by("-id").first()
    assert record is not None and record.action == "update"
    assert record.before == {"size": "large", "tags": ["key", "listed"]}
    assert record.after == {"size": "medium", "tags": ["key"]}
    assert verify_chain().ok


def test_data_changed_between_validation_and_writing_rolls_everything_back(
        city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone registers one of the file's enterprises while the import is validating."""
    from qinglian.registry import imports

    original = imports.validate_rows

    def validate_then_race(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        actions.do_create_organisation(actor=None, kind="enterprise", name="抢先登记的企业",
                                       uscc=make_uscc(103), federation=city.federation,
                                       region="330106")
        return result

    monkeypatch.setattr(imports, "validate_rows", validate_then_race)
    before = counts()
    outcome = import_members(xlsx([row(n) for n in range(1, 6)]), "m.xlsx", actor=None)
    assert outcome.job.status == JobStatus.FAILED
    assert "请重新导入" in outcome.errors[0].reason and make_uscc(103) in outcome.errors[0].reason
    after = counts()
    assert after["organisations"] == before["organisations"] + 1  # only the racing enterprise
    assert after["memberships"] == before["memberships"]
    assert verify_chain().ok
