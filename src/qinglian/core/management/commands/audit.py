"""``qinglian audit verify``: check the hash chain of the audit trail.

Prints how many records were checked and that all are intact (exit 0), or the first record
that was edited, deleted, inserted or reordered, with the reason (exit 1).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from qinglian.core.audit import verify_chain


class Command(BaseCommand):
    help = "审计日志：qinglian audit verify 校验哈希链，发现篡改时以状态 1 退出"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("what", choices=["verify"], help="verify：校验审计链是否完好")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(
                f"审计链完好：已校验 {report.checked:,} 条记录，全部通过"))
            return
        where = f"第 {report.first_bad_id} 条记录" if report.first_bad_id else "链头"
        self.stderr.write(f"审计链校验失败：{where}有问题。{report.reason}")
        self.stderr.write(f"此前 {report.checked:,} 条记录校验通过")
        raise SystemExit(1)
