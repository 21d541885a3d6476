"""``qinglian seed``: build the sample city (杭州市) in an empty database.

    qinglian seed [--enterprises 600] [--seed 2026]
    qinglian seed --if-empty        (used by ``qinglian demo``) skip quietly when data exists

It refuses a database that already holds organisations or users: the sample city is for
demonstration and testing, never mixed with real records. The demo accounts share one
published password, so production mode (QINGLIAN_ENV=production) refuses it outright.
"""

from __future__ import annotations

import time
import unicodedata
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from qinglian.core.audit import verify_chain
from qinglian.core.models import AuditRecord, User
from qinglian.registry.models import Membership, Organisation, Person, Signature
from qinglian.registry.sample import (
    DEMO_PASSWORD,
    MIN_ENTERPRISES,
    DemoAccount,
    build_sample_city,
    database_is_empty,
    demo_accounts,
)


def display_width(text: str) -> int:
    """Columns a terminal gives the text: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def accounts_table(accounts: list[DemoAccount]) -> str:
    """The demo accounts as an aligned table with Chinese headings."""
    rows = [("用户名", "密码", "角色", "所属单位")]
    rows += [(a.username, DEMO_PASSWORD, a.role_label, a.organisation) for a in accounts]
    widths = [max(display_width(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "导入示例城市（杭州市）：工商联、商会和协会、政府部门、会员企业及演示账户。只能导入空数据库。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--enterprises", type=int, default=600,
                            help="会员企业数量（默认 600）")
        parser.add_argument("--seed", type=int, default=2026,
                            help="随机种子（默认 2026）；同一种子生成相同的数据")
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库已有数据时不报错，只列出仍可使用的演示账户（供 qinglian demo 使用）")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("生产环境（QINGLIAN_ENV=production）不能导入示例数据：演示账户的密码是公开的。")
        if options["enterprises"] < MIN_ENTERPRISES:
            raise CommandError(f"企业数量至少为 {MIN_ENTERPRISES}")
        if "registry_organisation" not in connection.introspection.table_names():
            raise CommandError("数据库尚未初始化，请先运行：qinglian migrate")
        if not database_is_empty():
            if options["if_empty"]:
                self.stdout.write("数据库中已有数据，跳过示例数据导入。")
                self.print_accounts(demo_accounts())
                return
            raise CommandError(
                f"数据库中已有数据（{Organisation.objects.count()} 个组织、"
                f"{User.objects.count()} 个用户），示例城市只能导入空数据库。"
                "如需重新演示，请另设数据目录 QINGLIAN_HOME，或使用新的空数据库。"
            )
        self.seed(options["seed"], options["enterprises"])

    def seed(self, seed: int, enterprises: int) -> None:
        self.stdout.write(f"正在生成示例城市：杭州市，{enterprises} 家会员企业（随机种子 {seed}）……")
        started = time.monotonic()
        city = build_sample_city(seed=seed, enterprises=enterprises, progress=self.report)
        elapsed = time.monotonic() - started
        chain = verify_chain()
        self.stdout.write(self.style.SUCCESS(
            f"示例城市已生成，用时 {elapsed:.1f} 秒：{Organisation.objects.count()} 个组织"
            f"（{len(city.chambers)} 个商会和协会、{len(city.enterprises)} 家企业、"
            f"{len(city.departments)} 个政府部门），{Person.objects.count()} 名人员，"
            f"{Membership.objects.count()} 条会员记录，{Signature.objects.count()} 份承诺书签署，"
            f"{AuditRecord.objects.count()} 条审计记录（审计链校验{'通过' if chain.ok else '失败'}）。"
        ))
        self.print_accounts(city.accounts)

    def report(self, stage: str, done: int, total: int) -> None:
        step = total // 10
        if done == total or (step and done % step == 0):
            self.stdout.write(f"  {stage} {done}/{total}")

    def print_accounts(self, accounts: list[DemoAccount]) -> None:
        if not accounts:
            self.stdout.write("（没有仍使用演示密码的演示账户）")
            return
        self.stdout.write("\n演示账户（密码相同，仅供演示）：\n")
        self.stdout.write(accounts_table(accounts))
        self.stdout.write("")
