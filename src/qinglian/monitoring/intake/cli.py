"""``qinglian monitor load --org <id|uscc> --kind payments FILE [--mapping JSON] [--sheet NAME]``.

The ``monitor`` command registers this sub-command (``register_load(subparsers)``) and calls
``handle_load(options, stdout)``. The load runs synchronously in the command's process through
the same actions as the web pages (as the system, ``actor=None``), with a tqdm progress bar;
Ctrl-C cancels it cleanly (nothing is published). Exit status: 0 ready, 1 otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from qinglian.registry.models import Organisation

from ..choices import LoadStatus
from ..jobs import recover_interrupted
from ..models import DatasetVersion
from ..schemas import SCHEMAS, DatasetKind
from .files import file_chunks


def register_load(subparsers: Any) -> Any:
    parser = subparsers.add_parser("load", help="导入一份台账或 OCDS 数据（校验后成为新版本）")
    parser.add_argument("--org", required=True, help="单位 ID 或统一社会信用代码")
    parser.add_argument("--kind", required=True, choices=list(SCHEMAS), help="数据类型")
    parser.add_argument("file", type=Path, help="文件（.csv/.xlsx/.parquet/.jsonl[.gz]）")
    parser.add_argument("--mapping", default="",
                        help='列对应 JSON（字段 → 文件列名），如 \'{"amount": "金额"}\'；'
                             "不填则按列名自动识别（或沿用上次保存的）")
    parser.add_argument("--sheet", default="",
                        help="Excel 工作表名称（不填则读取第一个非空工作表）")
    parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
    return parser


def organisation_from(text: str) -> Organisation:
    query = Organisation.objects.filter(pk=int(text)) if text.isdigit() and len(text) < 12 \
        else Organisation.objects.filter(uscc=text.strip().upper())
    organisation = query.first()
    if organisation is None:
        raise CommandError(f"找不到单位：{text}")
    return organisation


def handle_load(options: dict[str, Any], stdout: TextIO) -> int:
    from tqdm import tqdm

    from .. import intake_actions
    from .load import perform_load

    recover_interrupted()
    organisation = organisation_from(str(options["org"]))
    path: Path = options["file"]
    if not path.is_file():
        raise CommandError(f"文件不存在：{path}")
    try:
        mapping = json.loads(options["mapping"]) if options.get("mapping") else None
    except json.JSONDecodeError as exc:
        raise CommandError(f"--mapping 不是有效的 JSON：{exc}") from exc
    try:
        version = intake_actions.do_upload_dataset(
            organisation, options["kind"], name=path.name, chunks=file_chunks(path), actor=None)
        if options.get("sheet"):
            version = intake_actions.do_choose_sheet(version, options["sheet"], actor=None)
        chosen = dict(version.mapping) if mapping is None else mapping
        if mapping is not None and options["kind"] != DatasetKind.OCDS:
            # the file's headers are the choices: a JSON value that is not one is refused
            unknown = sorted(set(mapping.values()) - set(intake_actions.file_headers(version)))
            if unknown:
                raise CommandError(f"文件中没有这些列：{'、'.join(unknown)}")
        intake_actions.do_confirm_mapping(version, chosen, actor=None, queue=False)
    except ValidationError as exc:
        raise CommandError("；".join(exc.messages)) from exc
    bar = tqdm(total=100, desc="导入", unit="%", disable=bool(options.get("no_progress")),
               file=stdout)

    def progress(done: int, total: int, step: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(step)
        bar.refresh()

    try:
        status = perform_load(version.pk, progress=progress)
    except KeyboardInterrupt:
        DatasetVersion.objects.filter(pk=version.pk).update(cancel_requested=True)
        status = LoadStatus.CANCELLED
        DatasetVersion.objects.filter(pk=version.pk).update(status=status,
                                                            message="已取消：未写入任何数据")
    finally:
        bar.close()
    version.refresh_from_db()
    stdout.write(f"{version.get_status_display()}：{version.message}\n")
    if version.status == LoadStatus.READY:
        stdout.write(f"第 {version.version} 版 · {version.rows} 行 · "
                     f"{version.date_min or '—'} 至 {version.date_max or '—'} · "
                     f"峰值内存 {version.peak_memory_mb} MB\n")
        return 0
    for error in version.errors[:20]:
        stdout.write(f"  第 {error['row']} 行 {error['column']}“{error['value']}”：{error['reason']}\n")
    if version.bad_rows:
        stdout.write(f"  ……共 {version.bad_rows} 行有问题\n")
    return 1
