"""The early-warning command line.

    qinglian monitor run --org <id|uscc> --rules L001,R018|all [--engine duckdb|spark]
                         [--param CODE.name=value …] [--user USERNAME] [--no-progress]
    qinglian monitor load --org <id|uscc> --kind payments FILE      (see intake/cli.py)

``run`` checks and records the run through the same action as the web page, then runs it in
this process rule by rule with a progress bar. Ctrl-C cancels it cleanly: the rule under way
rolls back, the run is recorded as cancelled with the rules already finished. Exit status 0
when the run succeeded, 1 otherwise.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from typing import Any, TextIO, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qinglian.core.models import User
from qinglian.monitoring import run_actions
from qinglian.monitoring.choices import RunStatus
from qinglian.monitoring.engine import get_rule
from qinglian.monitoring.forms_alerts import parse_parameter
from qinglian.monitoring.jobs import recover_interrupted
from qinglian.monitoring.models import Run
from qinglian.registry.models import Organisation

_INTAKE_CLI = "qinglian.monitoring.intake.cli"
logger = logging.getLogger(__name__)


def organisation_from(text: str) -> Organisation:
    text = text.strip()
    query = (Organisation.objects.filter(pk=int(text)) if text.isdigit() and len(text) < 12
             else Organisation.objects.filter(uscc=text.upper()))
    organisation = query.first()
    if organisation is None:
        raise CommandError(f"找不到单位：{text}")
    return organisation


def parameters_from(items: list[str]) -> dict[str, dict[str, Any]]:
    """``CODE.name=value`` → {code: {name: typed value}} (bounds are checked by the action)."""
    parameters: dict[str, dict[str, Any]] = {}
    for item in items:
        target, sep, text = item.partition("=")
        code, dot, name = target.partition(".")
        if not sep or not dot or not code or not name:
            raise CommandError(f"参数格式应为 规则.参数名=值：{item}")
        code = code.strip().upper()
        try:
            parameter = get_rule(code).parameter(name.strip())
        except KeyError as exc:
            raise CommandError(f"规则 {code} 没有参数 {name.strip()}（或没有该规则）") from exc
        try:
            parameters.setdefault(code, {})[parameter.name] = parse_parameter(parameter, text)
        except ValidationError as exc:
            raise CommandError(f"{code}：{'；'.join(exc.messages)}") from exc
    return parameters


class Command(BaseCommand):
    help = "大数据监测预警：导入数据（load）、运行规则（run）"

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="action", required=True)
        run = subparsers.add_parser("run", help="对单位最新入库的数据集运行规则，命中生成预警")
        run.add_argument("--org", required=True, help="单位 ID 或统一社会信用代码")
        run.add_argument("--rules", required=True, help="规则代码，逗号分隔，如 L001,R018；或 all")
        run.add_argument("--engine", default="duckdb", choices=list(run_actions.ENGINES))
        run.add_argument("--param", action="append", default=[], metavar="CODE.name=value",
                         help="参数取值，可重复；集合以“|”分隔，对照表写 JSON")
        run.add_argument("--user", default="", help="以该用户名义运行（默认：系统）")
        run.add_argument("--no-progress", action="store_true", help="不显示进度条")
        if importlib.util.find_spec(_INTAKE_CLI) is not None:
            importlib.import_module(_INTAKE_CLI).register_load(subparsers)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            status = importlib.import_module(_INTAKE_CLI).handle_load(options, self.stdout._out)
            if status:
                sys.exit(status)
            return
        self.handle_run(options)

    def handle_run(self, options: dict[str, Any]) -> None:
        from tqdm import tqdm

        recover_interrupted()
        organisation = organisation_from(str(options["org"]))
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到用户：{options['user']}")
        try:
            run = run_actions.do_start_run(
                organisation, rules=options["rules"], parameters=parameters_from(options["param"]),
                engine=options["engine"], actor=actor, queue=False)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        out = cast(TextIO, self.stdout._out)  # the raw stream: tqdm redraws its line in place
        out.write(f"运行 #{run.pk}：{organisation.name}，{len(run.rules)} 条规则，"
                  f"引擎 {run.engine}\n")
        bar = tqdm(total=len(run.rules), desc="规则", unit="条", file=out,
                   disable=bool(options["no_progress"]), ascii=True)

        def progress(done: int, total: int, code: str) -> None:
            bar.n = done
            bar.set_postfix_str(code)
            bar.refresh()

        try:
            run_actions.execute_run(run.pk, on_progress=progress)
        except (KeyboardInterrupt, Exception) as exc:  # recorded on the run, shown below
            logger.info("run %s stopped: %r", run.pk, exc)
        finally:
            bar.close()
        run = Run.objects.get(pk=run.pk)
        for code in run.rules:
            counts = run.counts.get(code)
            if counts:
                out.write(f"  {code}  命中 {counts['hits']}  新增 {counts['new']}  "
                          f"再次发现 {counts['updated']}  数据消除 {counts['resolved']}  "
                          f"{counts['seconds']} 秒\n")
        out.write(f"{run.get_status_display()}：{run.message}（{run.duration_ms or 0} 毫秒）\n")
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(run.message or run.get_status_display())
