"""Recompute the credit ratings of every federation (or one): records leave their public
window with time, not by any event, so run this daily (e.g. from cron at 01:00).

    qinglian recompute_ratings                  # every federation
    qinglian recompute_ratings --federation 3   # one federation (its id)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qinglian.credit.rating_actions import do_recompute_ratings
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation


class Command(BaseCommand):
    help = "重新计算信用评级（评级有变化的企业才写入新的一条，历史保留）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--federation", type=int, help="只计算该工商联（编号）")

    def handle(self, *args: Any, **options: Any) -> None:
        federations = Organisation.objects.filter(kind=OrganisationKind.FEDERATION).order_by("pk")
        if options.get("federation") is not None:
            federations = federations.filter(pk=options["federation"])
            if not federations.exists():
                raise CommandError(f"没有编号为 {options['federation']} 的工商联")
        for federation in federations:
            counts = do_recompute_ratings(federation, actor=None)
            self.stdout.write(f"{federation.name}：企业 {counts.enterprises} 家，"
                              f"评级变化 {counts.changed} 家")
