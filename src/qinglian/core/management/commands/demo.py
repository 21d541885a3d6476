"""``qinglian demo``: from nothing to a running, populated platform in one command.

Creates the data directory, applies the migrations, builds the sample city when the database
is empty (``qinglian seed``), prints the demo accounts and serves on http://127.0.0.1:8000.
``--no-serve`` stops before serving (for scripts and tests).
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "一键演示：创建数据目录、迁移数据库、导入示例城市（空库时）、列出演示账户并启动服务"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="服务端口（默认 8000）")
        parser.add_argument("--no-serve", action="store_true", help="准备好数据后不启动服务")
        parser.add_argument("--enterprises", type=int, default=600,
                            help="示例城市的会员企业数量（默认 600）")
        parser.add_argument("--seed", type=int, default=2026, help="示例数据的随机种子")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("生产环境（QINGLIAN_ENV=production）不能运行演示：演示账户的密码是公开的。")
        home = Path(settings.QINGLIAN_HOME)
        home.mkdir(parents=True, exist_ok=True)
        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"数据目录：{home}")
        self.stdout.write("正在迁移数据库……")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed", if_empty=True, enterprises=options["enterprises"],
                     seed=options["seed"], stdout=self.stdout, stderr=self.stderr)
        url = f"http://127.0.0.1:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"清廉企业建设开放平台：{url}"))
        if options["no_serve"]:
            self.stdout.write(f"运行 qinglian serve --port {options['port']} 启动服务。")
            return
        self.stdout.write("用上面的账户登录；按 Ctrl+C 停止服务。")
        call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False,
                     insecure_serving=True)
