"""Member import at scale: a 10,000-row .xlsx imported in one request-sized run.

Target (issue: bulk import): 10,000 rows validated and imported — enterprises, signatures of
the chamber's commitment, admissions, every change audited — in well under 30 s, all or
nothing, on SQLite.

Baseline, measured in the same process on the same kind of rows: the naive way to import —
for each row call the one-by-one actions (do_create_organisation, do_apply_membership,
do_sign_commitment, do_admit_member), each committing on its own. Same rules, same audit
records; no bulk writes, no single transaction (so it is not all-or-nothing either). It runs
on a sample (--baseline-rows) because it is an order of magnitude slower; rows/s compare.

    python benchmarks/bench_import.py --rows 10000     # full run
    python benchmarks/bench_import.py --rows 50        # smoke
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
import sys
import time
from typing import Any

import _setup

TARGET_SECONDS = 30.0


def build_city() -> Any:
    """A federation and a chamber with a published commitment, through the actions."""
    from qinglian.registry import actions

    fed = actions.do_create_organisation(actor=None, kind="federation", name="杭州市工商业联合会",
                                         region="330100")
    chamber = actions.do_create_organisation(
        actor=None, kind="chamber", name="杭州市互联网商会", federation=fed, region="330100",
        chamber_kind="industry")
    draft = actions.do_draft_commitment(actor=None, organisation=chamber,
                                        body="我单位郑重承诺：依法经营，廉洁从业，不行贿受贿。")
    # Published before the signatures the file records (the import refuses older ones).
    actions.do_publish_commitment(draft, actor=None,
                                  published_at=dt.datetime(2024, 1, 2, tzinfo=dt.UTC))
    return chamber


def member_rows(count: int, first_serial: int) -> list[dict[str, Any]]:
    """Plausible rows: two in three signed (admitted), the rest applications."""
    from qinglian.registry.identifiers import synthesise_uscc

    districts = ["330102", "330105", "330106", "330108", "330110"]
    trades = ["65 软件和信息技术服务业", "51", "64", "39", "72"]
    rows = []
    for n in range(count):
        signed = n % 3 != 2
        rows.append({
            "name": f"杭州基准测试企业{first_serial + n}有限公司",
            "uscc": synthesise_uscc(districts[n % 5], first_serial + n),
            "region": districts[n % 5], "industry": trades[n % 5],
            "ownership": "民营", "size": ("小型", "中型", "微型")[n % 3],
            "tags": "国家高新技术企业" if n % 4 == 0 else "",
            "party_org_form": ("联合组建", "挂靠组建", "单独组建")[n % 3],
            "party_member_count": n % 3 + (3 if n % 3 == 2 else 0),
            "chamber": "杭州市互联网商会", "role": "会员单位", "joined_on": "",
            "signer": "张三" if signed else "", "signed_on": "2026-01-05" if signed else "",
        })
    return rows


def workbook(rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    from qinglian.registry.imports import MEMBER_IMPORT

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("会员企业")
    ws.append([c.title for c in MEMBER_IMPORT.columns])
    for row in rows:
        ws.append([row[c.key] for c in MEMBER_IMPORT.columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run_import(content: bytes) -> tuple[Any, dict[str, float]]:
    from qinglian.registry.imports import import_members

    marks: dict[str, float] = {"start": time.perf_counter()}

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "write" and "write" not in marks:
            marks["write"] = time.perf_counter()

    outcome = import_members(content, "bench.xlsx", actor=None, progress=progress)
    marks["end"] = time.perf_counter()
    return outcome, marks


def run_baseline(rows: list[dict[str, Any]], chamber: Any) -> float:
    """The naive import: per-row actions, each its own transaction."""

    from django.utils import timezone

    from qinglian.registry import actions
    from qinglian.registry.models import Organisation
    from qinglian.registry.queries import current_commitment

    commitment = current_commitment(chamber)
    signed_at = timezone.make_aware(dt.datetime(2026, 1, 5))
    sizes = {"小型": "small", "中型": "medium", "微型": "micro"}
    forms = {"联合组建": "joint", "挂靠组建": "attached", "单独组建": "own"}
    start = time.perf_counter()
    for row in rows:
        ent = actions.do_create_organisation(
            actor=None, kind="enterprise", name=row["name"], uscc=row["uscc"],
            federation=chamber.federation, region=row["region"], industry=row["industry"][:2],
            ownership="private", size=sizes[row["size"]],
            party_org_form=forms[row["party_org_form"]],
            party_member_count=row["party_member_count"],
            tags=["high_tech"] if row["tags"] else [])
        membership = actions.do_apply_membership(actor=None, member=ent, organisation=chamber)
        if row["signer"] and commitment is not None:
            actions.do_sign_commitment(actor=None, commitment=commitment, member=ent,
                                       signer_name=row["signer"], signed_at=signed_at)
            actions.do_admit_member(membership, actor=None, joined_on=dt.date(2026, 1, 5))
    elapsed = time.perf_counter() - start
    assert Organisation.objects.filter(uscc__in=[r["uscc"] for r in rows]).count() == len(rows)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline-rows", type=int, default=1000,
                        help="rows for the naive baseline (at most --rows)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--strict", action="store_true", help="exit 1 if the target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    home = _setup.configure(args.database_url)
    try:
        return run(args, home)
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


def run(args: argparse.Namespace, home: Any) -> int:

    from qinglian.core.audit import verify_chain
    from qinglian.core.models import AuditRecord
    from qinglian.registry.models import Membership, Signature

    chamber = build_city()
    rows = member_rows(args.rows, 1_000_000)
    content = workbook(rows)
    audit_before = AuditRecord.objects.count()
    outcome, marks = run_import(content)
    if not outcome.ok:
        print("导入失败：", [e.reason for e in outcome.errors[:5]], file=sys.stderr)
        return 1
    elapsed = marks["end"] - marks["start"]
    signed = sum(1 for r in rows if r["signer"])
    checks = (Membership.objects.count(), Signature.objects.count())
    if checks != (args.rows, signed):
        print(f"结果不符：会员资格 {checks[0]}，签署 {checks[1]}", file=sys.stderr)
        return 1
    audit_added = AuditRecord.objects.count() - audit_before

    sample = member_rows(min(args.baseline_rows, args.rows), 2_000_000)
    baseline = run_baseline(sample, chamber)
    chain = verify_chain()

    rate, base_rate = args.rows / elapsed, len(sample) / baseline
    print(f"数据目录：{home}{'' if args.keep else '（结束后删除）'}")
    print(f"会员企业导入：{args.rows:,} 行，用时 {elapsed:.2f} 秒（校验 "
          f"{marks.get('write', marks['end']) - marks['start']:.2f} 秒，写入 "
          f"{marks['end'] - marks.get('write', marks['end']):.2f} 秒），{rate:,.0f} 行/秒，"
          f"审计记录 {audit_added:,} 条")
    print(f"基线（逐行调用单条 action、逐行提交）：{len(sample):,} 行，用时 {baseline:.2f} 秒，"
          f"{base_rate:,.0f} 行/秒")
    print(f"速度比：{rate / base_rate:.1f} 倍")
    projected = 10_000 / rate
    met = projected < TARGET_SECONDS
    print(f"目标：10,000 行 < {TARGET_SECONDS:.0f} 秒 —— 按本次速度折算 {projected:.1f} 秒，"
          f"{'达到' if met else '未达到'}")
    print(f"审计链：{'完好' if chain.ok else '损坏：' + chain.reason}（{chain.checked:,} 条）")
    if not chain.ok:
        return 1
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
