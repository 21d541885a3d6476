"""``qinglian createadmin``: create a platform administrator.

    qinglian createadmin                         asks for the user name and the password
    QINGLIAN_ADMIN_PASSWORD=… qinglian createadmin --username root      for scripts

The password must pass the configured validators (at least 10 characters, not common, not
all digits, not like the user name). The account is created by ``do_create_user`` and audited.
"""

from __future__ import annotations

import getpass
import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from qinglian.core.actions import do_create_user
from qinglian.core.choices import Role
from qinglian.core.models import User

PASSWORD_ENV = "QINGLIAN_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a password


def _messages(exc: ValidationError) -> str:
    """The errors as Chinese sentences. Django 5.2's Chinese catalogue lacks the new wording
    of the minimum-length message, so that one is said here."""
    if hasattr(exc, "error_dict"):
        errors = [e for field_errors in exc.error_dict.values() for e in field_errors]
    else:
        errors = exc.error_list
    texts = []
    for error in errors:
        if error.code == "password_too_short":
            texts.append(f"密码太短，至少需要 {(error.params or {}).get('min_length')} 个字符")
        else:
            texts.extend(error.messages)
    return "".join(t.rstrip("。") + "。" for t in texts)


class Command(BaseCommand):
    help = "创建平台管理员账户（交互输入，或 --username 加环境变量 QINGLIAN_ADMIN_PASSWORD）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--username", help=f"用户名；密码取自环境变量 {PASSWORD_ENV}")
        parser.add_argument("--display-name", default="平台管理员", help="显示姓名")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):  # validators answer in Chinese
            self.create_admin(options)

    def create_admin(self, options: dict[str, Any]) -> None:
        if options["username"]:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password:
                raise CommandError(f"请通过环境变量 {PASSWORD_ENV} 提供密码")
            user = self.create(options["username"], password, options["display_name"])
        else:
            if not sys.stdin.isatty():
                raise CommandError(
                    f"非交互环境请使用 --username，并通过环境变量 {PASSWORD_ENV} 提供密码"
                )
            user = self.prompt(options["display_name"])
        self.stdout.write(self.style.SUCCESS(f"已创建平台管理员：{user.username}"))

    def create(self, username: str, password: str, display_name: str) -> User:
        try:
            return do_create_user(
                actor=None, username=username.strip(), password=password, role=Role.ADMIN,
                display_name=display_name, is_staff=True,
            )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc

    def prompt(self, display_name: str) -> User:
        while True:
            username = input("用户名 [admin]：").strip() or "admin"
            if User.objects.filter(username=username).exists():
                self.stderr.write(f"用户名“{username}”已存在，请换一个。")
                continue
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再次输入密码："):
                self.stderr.write("两次输入的密码不一致，请重新输入。")
                continue
            try:
                return self.create(username, password, display_name)
            except CommandError as exc:
                self.stderr.write(f"{exc}请重新输入。")
