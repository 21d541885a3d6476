"""``qinglian import members FILE``: the member import from the command line.

    qinglian import members 会员企业.xlsx [--chamber 杭州市互联网商会] [--user 用户名]

Validates every row first (nothing is written if any row fails, and the errors are listed
with their row numbers), then writes everything in one transaction with a progress bar and
prints a Chinese summary. Without ``--user`` the import acts as the system; with it, as that
user, within that user's scope. Exit status 0 on success, 1 when nothing was imported.
"""

from __future__ import annotations

import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand
from tqdm import tqdm

from qinglian.core.imports import RowError
from qinglian.core.models import JobStatus, User
from qinglian.registry.imports import SUMMARY_LABELS, ImportOutcome, Scope, import_members
from qinglian.registry.models import Organisation

#: Errors printed on the terminal; the job row keeps all of them.
ERRORS_PRINTED = 50
STAGES = {"validate": "校验", "write": "写入"}


class ProgressBars:
    """One tqdm bar per stage; announces the start of writing on stdout (flushed)."""

    def __init__(self, command: BaseCommand) -> None:
        self.command = command
        self.bar: Any = None
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            if stage == "write":
                self.command.stdout.write(f"开始写入：共 {total:,} 行，在一个事务中完成")
                self.command.stdout.flush()
            self.bar = tqdm(total=total, desc=STAGES.get(stage, stage), unit="行",
                            file=sys.stderr, dynamic_ncols=True, leave=True)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def error_line(error: RowError) -> str:
    where = f"第 {error.row} 行" if error.row else "整个文件"
    column = f"［{error.column}］" if error.column else ""
    value = f"“{error.value}”" if error.value else ""
    return f"  {where}{column}{value}：{error.reason}"


class Command(BaseCommand):
    help = "批量导入：qinglian import members FILE（.xlsx 或 .csv），全部校验通过才导入"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("what", choices=["members"], help="导入内容：members 会员企业")
        parser.add_argument("file", type=Path, help="导入文件（.xlsx 或 .csv）")
        parser.add_argument("--chamber", default="",
                            help="默认商会（名称或统一社会信用代码），用于“所属商会”留空的行")
        parser.add_argument("--user", default="", help="以该用户身份导入（默认以系统身份）")

    def fail(self, message: str) -> NoReturn:
        self.stderr.write(message)
        raise SystemExit(1)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            self.fail(f"文件不存在：{path}")
        actor = self._actor(options["user"])
        chamber = self._chamber(options["chamber"], actor)
        self.stdout.write(f"读取文件：{path}")
        bars = ProgressBars(self)
        started = time.monotonic()
        try:
            outcome = import_members(path.read_bytes(), path.name, actor=actor,
                                     default_chamber=chamber, progress=bars)
        except PermissionDenied as exc:
            self.fail(f"无权导入：{exc}")
        finally:
            bars.close()
        self._report(outcome, time.monotonic() - started)

    def _actor(self, username: str) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            self.fail(f"用户“{username}”不存在或已停用")
        return user

    def _chamber(self, text: str, actor: User | None) -> Organisation | None:
        if not text:
            return None
        try:
            return Scope.of(actor, None).chamber(text.strip())
        except ValueError as exc:
            self.fail(f"默认商会有误：{exc}")
        return None

    def _report(self, outcome: ImportOutcome, seconds: float) -> None:
        job = outcome.job
        if outcome.ok:
            self.stdout.write(self.style.SUCCESS(
                f"导入完成：{job.total:,} 行全部导入（导入记录 #{job.pk}，用时 {seconds:.1f} 秒）"))
            for key, label in SUMMARY_LABELS.items():
                self.stdout.write(f"  {label}：{outcome.summary.get(key, 0):,}")
            return
        if job.status == JobStatus.FAILED:
            self.stderr.write("写入失败，整个导入已撤销，未导入任何数据：")
        else:
            self.stderr.write(f"校验未通过，未导入任何数据。共 {len(outcome.errors):,} 处错误：")
        for error in outcome.errors[:ERRORS_PRINTED]:
            self.stderr.write(error_line(error))
        if len(outcome.errors) > ERRORS_PRINTED:
            self.stderr.write(f"  …另有 {len(outcome.errors) - ERRORS_PRINTED:,} 处错误，"
                              f"完整清单见导入记录 #{job.pk}")
        raise SystemExit(1)
