"""``qinglian audit verify``: counts and OK when the chain is intact, the first bad record and
exit status 1 when a record was tampered with behind the application's back."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from qinglian.core.models import AuditRecord
from tests.conftest import City


def verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_intact_chain_prints_the_count_and_exits_0(city: City) -> None:
    code, out, _ = verify()
    total = AuditRecord.objects.count()
    assert code == 0 and total > 10
    assert f"已校验 {total:,} 条记录，全部通过" in out


def test_edited_record_is_named_and_exits_1(city: City) -> None:
    table = AuditRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET object_repr = %s WHERE id = %s", ["篡改", 5])
    code, out, err = verify()
    assert code == 1 and out == ""
    assert "第 5 条记录" in err and "内容被修改" in err
    assert "此前 4 条记录校验通过" in err


def test_deleted_record_is_found(city: City) -> None:
    table = AuditRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [3])
    code, _, err = verify()
    assert code == 1 and "缺少第 3 条记录" in err


def test_only_the_verify_subcommand_exists() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("audit", "repair")
