"""L008 (供应商与员工关联) in words: which fields matched and both sides of each pair.

The rule's SQL says only *how many* kinds of contact data a vendor and an employee share. When
alerts are raised, the pairs are looked up again with the rule's own normalisation (the
``contact_keys`` fragment, so the two can never disagree) and the explanation names the
matched fields (电话 / 银行账号 / 地址 / 法定代表人), the vendor and the employee (ids and
names) and the matched normalised value, masked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from qinglian.core.crypto import mask_bank_account

from .engine.fragments import FRAGMENTS_FOLDER, expand_fragments
from .presentation import mask_evidence_value
from .rules import ledger

KIND_LABELS = {"phone": "电话", "bank_account": "银行账号", "address": "地址",
               "name": "法定代表人（与员工同名）"}
_ORDER = tuple(KIND_LABELS)
VENDORS = "vendors"

_SQL = """WITH {{ contact_keys(side=vendor, ledger=vendors, name=legal_representative) }},
{{ contact_keys(side=employee, ledger=employees, name=name) }},
pairs AS (SELECT unnest(?::VARCHAR[]) AS vendor_id, unnest(?::VARCHAR[]) AS employee_id)
SELECT DISTINCT p.vendor_id, p.employee_id, v.kind, v.value, vn.name AS vendor_name,
       en.name AS employee_name, en.department
FROM pairs AS p
JOIN usable_vendor AS v ON v.vendor_id = p.vendor_id
JOIN usable_employee AS e ON e.employee_id = p.employee_id AND e.kind = v.kind AND e.value = v.value
LEFT JOIN vendors AS vn ON vn.vendor_id = p.vendor_id
LEFT JOIN employees AS en ON en.employee_id = p.employee_id
"""


def _masked(kind: str, value: str) -> str:
    if kind == "bank_account":
        return mask_bank_account(value)
    if kind == "phone":
        return str(mask_evidence_value("phone", value))
    if kind == "address":
        return value[:6] + "****" if len(value) > 6 else "****"
    return value  # the legal representative's name is public (business licence)


def conflict_explanations(connection: Any, subjects: Iterable[str]) -> dict[str, str]:
    """Subject (``vendor_id|employee_id``) → the explanation of the pair."""
    pairs = [s.split("|", 1) for s in subjects if "|" in s]
    if not pairs:
        return {}
    sql = expand_fragments(_SQL, fragments_dir=ledger.HERE / FRAGMENTS_FOLDER,
                           source="monitoring.conflicts")
    rows = connection.execute(sql, [[p[0] for p in pairs], [p[1] for p in pairs]]).fetchall()
    found: dict[str, dict[str, Any]] = {}
    for vendor_id, employee_id, kind, value, vendor_name, employee_name, department in rows:
        entry = found.setdefault(f"{vendor_id}|{employee_id}", {
            "vendor": f"{vendor_id}（{vendor_name or '名称未知'}）",
            "employee": f"{employee_id}（{employee_name or '姓名未知'}"
                        + (f"，{department}" if department else "") + "）",
            "matches": {},
        })
        entry["matches"][kind] = _masked(kind, str(value))
    texts = {}
    for subject, entry in found.items():
        kinds = [k for k in _ORDER if k in entry["matches"]]
        fields = "、".join(KIND_LABELS[k] for k in kinds)
        detail = "；".join(f"{KIND_LABELS[k]}：{entry['matches'][k]}" for k in kinds)
        texts[subject] = (f"供应商{entry['vendor']}与员工{entry['employee']}的{fields}相同"
                          f"（{detail}），疑似利益冲突或虚假供应商。")
    return texts


def vendor_side(alert: Any) -> list[dict[str, Any]]:
    """The vendor's row(s) of an L008 alert, from the vendors dataset version its last run read
    (the alert's own evidence is the employee's row): both sides of the pair, read as they were
    when the alert was raised. Empty when the run or the version's files are gone."""
    from .models import DatasetVersion
    from .run_actions import version_files

    run = alert.last_run
    version_id = (run.versions or {}).get(VENDORS) if run is not None else None
    version = (DatasetVersion.objects.select_related("dataset").filter(pk=version_id).first()
               if version_id is not None else None)
    if version is None or not alert.vendor_id:
        return []
    try:
        path = version_files(version).get(VENDORS)
    except ValueError:
        return []
    if path is None or not path.exists():
        return []
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        cursor = con.execute("SELECT * FROM read_parquet(?) WHERE vendor_id = ? LIMIT 5",
                             [str(path), alert.vendor_id])
        columns = [c[0] for c in cursor.description or ()]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
