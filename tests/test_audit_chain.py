"""The audit chain detects an edited, deleted, reordered or inserted record and names it."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from qinglian.core.audit import verify_chain
from qinglian.core.models import AuditRecord
from qinglian.registry import actions

from .conftest import City

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _table() -> str:
    return connection.ops.quote_name(AuditRecord._meta.db_table)


def test_untouched_chain_verifies(city: City) -> None:
    report = verify_chain()
    assert report.ok
    assert report.checked == AuditRecord.objects.count() > 20


def test_edited_record_is_named(city: City) -> None:
    victim = AuditRecord.objects.order_by("id")[5]
    _raw(f"UPDATE {_table()} SET object_repr = %s WHERE id = %s", ["篡改后的名称", victim.pk])
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_id == victim.pk
    assert "内容被修改" in report.reason


def test_edited_before_after_values_are_detected(city: City) -> None:
    victim = AuditRecord.objects.filter(action="create").order_by("id")[2]
    after = dict(victim.after or {})
    after["name"] = "另一家公司"
    _raw(f"UPDATE {_table()} SET after = %s WHERE id = %s", [json.dumps(after), victim.pk])
    report = verify_chain()
    assert not report.ok and report.first_bad_id == victim.pk


def test_deleted_record_is_named(city: City) -> None:
    victim = AuditRecord.objects.order_by("id")[7]
    _raw(f"DELETE FROM {_table()} WHERE id = %s", [victim.pk])
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_id == victim.pk
    assert "缺少" in report.reason


def test_deleted_last_record_is_detected(city: City) -> None:
    last = AuditRecord.objects.order_by("-id").first()
    assert last is not None
    _raw(f"DELETE FROM {_table()} WHERE id = %s", [last.pk])
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_id == last.pk


def test_reordered_records_are_detected(city: City) -> None:
    a, b = AuditRecord.objects.order_by("id")[3:5]
    # Swap the two records' ids (through a free id) so their order in the chain changes.
    spare = AuditRecord.objects.order_by("-id").first().pk + 1000  # type: ignore[union-attr]
    _raw(f"UPDATE {_table()} SET id = %s WHERE id = %s", [spare, a.pk])
    _raw(f"UPDATE {_table()} SET id = %s WHERE id = %s", [a.pk, b.pk])
    _raw(f"UPDATE {_table()} SET id = %s WHERE id = %s", [b.pk, spare])
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_id == a.pk


def test_inserted_record_is_detected(city: City) -> None:
    # Make room in the middle by moving the tail up one, then forge a record in the gap.
    records = list(AuditRecord.objects.order_by("-id").values_list("id", flat=True))
    gap = records[-10]
    for rid in records:
        if rid >= gap:
            _raw(f"UPDATE {_table()} SET id = %s WHERE id = %s", [rid + 1, rid])
    template = AuditRecord.objects.get(pk=gap - 1)
    _raw(
        f"INSERT INTO {_table()} (id, occurred_at, actor_name, request_id, action, event, "
        "object_type, object_id, object_repr, prev_hash, record_hash) "
        "VALUES (%s, %s, %s, '', 'event', 'membership.admitted', 'registry.membership', '999', "
        "'伪造', %s, %s)",
        [gap, template.occurred_at, "系统", template.record_hash, "f" * 64],
    )
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_id == gap


def test_audit_records_cannot_be_changed_through_the_orm(city: City) -> None:
    record = AuditRecord.objects.order_by("id").first()
    assert record is not None
    record.object_repr = "x"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=record.pk).update(object_repr="x")
    with pytest.raises(PermissionError):
        AuditRecord.objects.all().delete()


def test_change_records_hold_before_and_after(city: City) -> None:
    ent = city.enterprises[1]
    actions.do_update_organisation(ent, actor=city.users["federation_officer"],
                                   name="杭州清风数字科技有限公司")
    record = AuditRecord.objects.filter(
        object_type="registry.organisation", object_id=str(ent.pk), action="update"
    ).first()
    assert record is not None
    assert record.before == {"name": "杭州清风软件有限公司", "name_initials": "hzqfrjyxgs",
                             "name_pinyin": "hangzhouqingfengruanjianyouxiangongsi"}
    assert record.after["name"] == "杭州清风数字科技有限公司"
    assert record.actor_name == "fed"
    assert verify_chain().ok


def test_personal_data_never_enters_the_audit_trail(city: City) -> None:
    person = city.person
    record = AuditRecord.objects.get(object_type="registry.person", object_id=str(person.pk))
    text = json.dumps(record.after, ensure_ascii=False)
    assert "330106198501011231" not in text and "13705710001" not in text
    assert "330***********1231" in text
