"""Remove evidence files that no evidence record refers to.

Evidence is stored content-addressed and written before its transaction commits; when the
transaction rolls back (a refused upload among several, a crash) the file stays behind with no
row. Such files are harmless — the next upload of the same content reuses them — but they take
space. Files younger than ``--min-age-hours`` are left alone: an upload may still be committing.

    qinglian prune_evidence            # list what would be removed
    qinglian prune_evidence --delete   # remove it
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from qinglian.evaluation.models import Evidence


def orphaned_evidence(min_age: dt.timedelta) -> list[str]:
    """Stored evidence files with no Evidence row, older than min_age."""
    referenced = set(Evidence.objects.values_list("file", flat=True))
    cutoff = timezone.now() - min_age
    orphans: list[str] = []
    if not default_storage.exists("evidence"):
        return orphans
    prefixes, _ = default_storage.listdir("evidence")
    for prefix in sorted(prefixes):
        _, files = default_storage.listdir(f"evidence/{prefix}")
        for name in sorted(files):
            path = f"evidence/{prefix}/{name}"
            if path not in referenced and default_storage.get_modified_time(path) < cutoff:
                orphans.append(path)
    return orphans


class Command(BaseCommand):
    help = "列出（或用 --delete 删除）没有任何佐证记录引用的佐证文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="删除列出的文件")
        parser.add_argument("--min-age-hours", type=float, default=1.0,
                            help="只处理早于此时长的文件（默认 1 小时）")

    def handle(self, *args: Any, **options: Any) -> None:
        orphans = orphaned_evidence(dt.timedelta(hours=options["min_age_hours"]))
        for path in orphans:
            self.stdout.write(path)
            if options["delete"]:
                default_storage.delete(path)
        verb = "已删除" if options["delete"] else "可删除（加 --delete 执行）"
        self.stdout.write(f"无引用的佐证文件 {len(orphans)} 个，{verb}。")
