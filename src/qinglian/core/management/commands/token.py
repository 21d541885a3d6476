"""``qinglian token``: issue, list and revoke API tokens from the command line.

    qinglian token create USERNAME --name 用途   prints the token once; only its hash is kept
    qinglian token list USERNAME
    qinglian token revoke ID

The CLI acts as the system (``actor=None``): whoever runs it already holds the server.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qinglian.core.actions import do_create_api_token, do_revoke_api_token
from qinglian.core.models import ApiToken, User


def _when(value: Any) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class Command(BaseCommand):
    help = "管理接口令牌：create 签发（只显示一次）、list 列出、revoke 吊销"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="为用户签发接口令牌")
        create.add_argument("username", help="用户名")
        create.add_argument("--name", required=True, help="令牌用途，如“会员系统对接”")
        listing = sub.add_parser("list", help="列出用户的接口令牌")
        listing.add_argument("username", help="用户名")
        revoke = sub.add_parser("revoke", help="吊销接口令牌")
        revoke.add_argument("id", type=int, help="令牌编号（见 token list）")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {"create": self.create, "list": self.list, "revoke": self.revoke}
        handler[options["subcommand"]](options)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        return user

    def create(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        try:
            token, secret = do_create_api_token(user, options["name"], actor=None)
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"已为 {user.username} 签发接口令牌 #{token.pk}（{token.name}）。"
            "令牌只显示这一次，请妥善保存："
        ))
        self.stdout.write(secret)

    def list(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        tokens = ApiToken.objects.filter(user=user).order_by("id")
        if not tokens:
            self.stdout.write(f"{user.username} 没有接口令牌")
            return
        self.stdout.write("编号\t前缀\t用途\t签发时间\t最近使用\t状态")
        for token in tokens:
            state = f"已吊销（{_when(token.revoked_at)}）" if token.revoked_at else "有效"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}…\t{token.name}\t{_when(token.created_at)}\t"
                f"{_when(token.last_used_at)}\t{state}"
            )

    def revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=options["id"]).first()
        if token is None:
            raise CommandError(f"接口令牌 #{options['id']} 不存在")
        try:
            do_revoke_api_token(token, actor=None)
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"已吊销 {token.user.username} 的接口令牌 #{token.pk}（{token.name}）"
        ))
