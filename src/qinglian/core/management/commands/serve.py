"""``qinglian serve``: Django's development server with the static files.

For a single machine, a demonstration or development. In production put a WSGI server
(e.g. ``gunicorn qinglian.config.wsgi``) behind a reverse proxy that serves
``qinglian collectstatic``'s output instead.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动开发服务器（含静态文件），默认 http://127.0.0.1:8000"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--reload", action="store_true", help="代码修改后自动重启（开发用）")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            self.stderr.write(self.style.WARNING(
                "提示：开发服务器不适合生产环境，请使用 WSGI 服务器（如 gunicorn qinglian.config.wsgi）。"
            ))
        host = options["host"]
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 address
        call_command("runserver", f"{host}:{options['port']}", use_reloader=options["reload"],
                     insecure_serving=True)
