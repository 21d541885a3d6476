"""The load job: validate an upload and, if clean, publish it as the next immutable version.

Runs on the job runner (``jobs.run_in_background``) or synchronously (tests, the CLI). Every
exit path removes the staging files; only a clean load ever renames its temporary directory
to ``v<n>``, inside the transaction that numbers the version, so a failed, cancelled or
interrupted load leaves no version and no Parquet behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import resource
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from qinglian.core.audit import record_event

from ..choices import LoadStatus
from ..jobs import Cancelled, should_stop
from ..models import Dataset, DatasetVersion
from ..ocds import import_compiled_releases
from ..schemas import SCHEMAS, DatasetKind
from . import convert, store
from .files import codec_of, format_of
from .mapping import NOTES
from .progress import TOTAL, Meter, Progress
from .sources import prepare_source

logger = logging.getLogger(__name__)

#: The share of the progress bar reading the file takes when it must be streamed first.
READ_SHARES = {"xlsx": 0.45, "transcode": 0.25}


def _peak_mb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


class _Watcher(threading.Thread):
    """While DuckDB works: checks the row's cancel flag (and interrupts the query), and moves
    the progress bar by DuckDB's estimate of the running statement."""

    def __init__(self, con: duckdb.DuckDBPyConnection, pk: int, meter: Meter) -> None:
        super().__init__(name=f"load-watch-{pk}", daemon=True)
        self.con, self.pk, self.meter, self.stop = con, pk, meter, threading.Event()
        self.cancelled = False

    def run(self) -> None:
        try:
            while not self.stop.wait(1.0):
                if should_stop(DatasetVersion, self.pk):
                    self.cancelled = True
                    self.con.interrupt()
                    return
                percent = self.con.query_progress()  # -1 between statements
                if percent >= 1:
                    self.meter.part(percent / 100, f"本步约完成 {percent:.0f}%")
        finally:
            connection.close()


def _update(pk: int, **fields: Any) -> None:
    DatasetVersion.objects.filter(pk=pk).update(**fields)


def load_dataset_version(pk: int) -> None:
    """The job's work function (``run_in_background(load_dataset_version, pk)``)."""
    perform_load(pk, watch=not getattr(settings, "QINGLIAN_JOBS_SYNC", False))


def perform_load(pk: int, *, progress: Progress | None = None, watch: bool = False) -> str:
    """Run the load of row ``pk``; returns its final status. (The job runner's thread
    refreshes its own connection; this function must not close the caller's, which may be
    inside a transaction — the CLI's, or a test's.)"""
    version = DatasetVersion.objects.select_related("dataset").get(pk=pk)
    if version.status != LoadStatus.QUEUED:
        return str(version.status)
    _update(pk, status=LoadStatus.VALIDATING, progress_done=0, progress_total=TOTAL,
            message="开始校验")
    store.sweep_interrupted()
    workdir = store.upload_dir(pk)
    temporary = store.dataset_dir(version.dataset.organisation_id, version.dataset.kind) / \
        f".tmp-{pk}"
    store.remove_tree(temporary)
    meter = Meter(pk, progress, read_share=READ_SHARES.get(_reading(version), 0.0))
    try:
        if version.dataset.kind == DatasetKind.OCDS:
            status = _load_ocds(version, workdir, temporary, meter.step)
        else:
            status = _load_ledger(version, workdir, temporary, meter, watch=watch)
    except (Cancelled, duckdb.InterruptException):
        status = LoadStatus.CANCELLED
        _finish(version, status, "已取消：未写入任何数据")
    except ValidationError as exc:
        status = LoadStatus.REJECTED
        _finish(version, status, "；".join(exc.messages))
    except Exception as exc:  # any other failure: recorded on the row, nothing published
        logger.exception("load %s failed", pk)
        status = LoadStatus.FAILED
        _finish(version, status, f"处理失败：{_describe(exc)}")
    finally:
        store.remove_tree(temporary)
        _clean_workdir(workdir)
    if progress is not None:
        progress(TOTAL, TOTAL, LoadStatus(status).label)
    return str(status)


def _reading(version: DatasetVersion) -> str:
    """What reading the upload involves: "xlsx" (streamed to CSV), "transcode" (a GBK or
    UTF-16 CSV converted to UTF-8), or "" (DuckDB reads it as it is)."""
    if version.dataset.kind == DatasetKind.OCDS:
        return ""
    file_format = format_of(version.source_name)
    if file_format == "xlsx":
        return "xlsx"
    if file_format == "csv" and codec_of(version.source_encoding) not in ("utf-8", "utf-8-sig"):
        return "transcode"
    return ""


def _describe(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, duckdb.InvalidInputException) and "CSV" in text:
        return "CSV 文件格式有误（列数不一致或引号未闭合）：" + text[:300]
    if isinstance(exc, duckdb.OutOfMemoryException):
        return "内存不足：" + text[:300]
    return text[:500]


def _clean_workdir(workdir: Path) -> None:
    """Remove the upload and staging files; keep only the error report."""
    if not workdir.exists():
        return
    for child in workdir.iterdir():
        if child.name != "errors.csv":
            store.remove_tree(child) if child.is_dir() else child.unlink(missing_ok=True)
    if not any(workdir.iterdir()):
        workdir.rmdir()


def _finish(version: DatasetVersion, status: str, message: str, **fields: Any) -> None:
    _update(version.pk, status=status, message=message, finished_at=timezone.now(),
            progress_done=TOTAL if status == LoadStatus.READY else 0, source_path="",
            peak_memory_mb=_peak_mb(), **fields)
    event = {LoadStatus.READY: "monitoring.dataset_loaded",
             LoadStatus.REJECTED: "monitoring.dataset_rejected",
             LoadStatus.CANCELLED: "monitoring.load_cancelled"}.get(status,  # type: ignore[call-overload]
                                                                       "monitoring.load_failed")
    version.refresh_from_db()
    record_event(version, event, actor=version.uploaded_by,
                 details={"status": status, "message": message, "rows": version.rows,
                          "version": version.version})


def _load_ledger(version: DatasetVersion, workdir: Path, temporary: Path, meter: Meter, *,
                 watch: bool) -> str:
    schema = SCHEMAS[version.dataset.kind]
    source_file = store.absolute(version.source_path)
    file_format = format_of(version.source_name)
    reading = _reading(version)
    meter.step({"xlsx": "读取 Excel", "transcode": "转换编码"}.get(reading, "读取文件"), 0.02)
    source = prepare_source(source_file, file_format, codec_of(version.source_encoding), workdir,
                            sheet=str(version.profile.get("sheet", "")), on_row=meter.rows,
                            on_bytes=meter.bytes)
    con = convert.connect(workdir, memory_limit=getattr(settings, "QINGLIAN_INTAKE_MEMORY",
                                                        "4GB"))
    watcher = _Watcher(con, version.pk, meter) if watch else None
    if watcher:
        watcher.start()
    try:
        outcome = convert.convert(con, source, schema, dict(version.mapping),
                                  target=temporary / f"{schema.kind}.parquet",
                                  report=workdir / "errors.csv", step=meter.step)
    finally:
        if watcher:
            watcher.stop.set()
            watcher.join()
        con.close()
    if watcher and watcher.cancelled:
        raise Cancelled
    if not outcome.ok:
        report = workdir / "errors.csv"
        _finish(version, LoadStatus.REJECTED, outcome.message, rows=outcome.rows,
                bad_rows=outcome.bad_rows, errors=_jsonable_errors(outcome.errors),
                error_report_path=store.relative(report) if report.exists() else "")
        return LoadStatus.REJECTED
    meter.step("发布版本", 0.97)
    notes = {key: version.profile[key] for key in NOTES if key in version.profile}
    dropped = notes.get("unmapped_headers") or []
    _publish(version, temporary, rows=outcome.rows, profile={**outcome.profile, **notes},
             date_min=outcome.date_min, date_max=outcome.date_max,
             note=f"；未导入的列：{'、'.join(dropped)}" if dropped else "")
    return LoadStatus.READY


def _jsonable_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**e, "value": "" if e["value"] is None else str(e["value"])} for e in errors]


def _load_ocds(version: DatasetVersion, workdir: Path, temporary: Path,
               step: Callable[[str, float], None]) -> str:
    step("读取 OCDS 数据", 0.05)
    imported = import_compiled_releases(store.absolute(version.source_path), temporary)
    releases = imported.row_counts.get("ocds_releases", 0)
    if releases == 0:
        _finish(version, LoadStatus.REJECTED, convert.EMPTY if imported.lines == 0 else
                f"文件中没有有效的 OCDS 编译发布（{imported.lines} 行均无法识别）",
                rows=0, bad_rows=imported.lines)
        return LoadStatus.REJECTED
    step("计算概况", 0.9)
    con = duckdb.connect()
    try:
        row = con.execute(
            "SELECT min(tender_period_start_us), max(tender_period_start_us) FROM read_parquet(?)",
            [str(temporary / "ocds_releases.parquet")]).fetchone()
    finally:
        con.close()

    def day(us: int | None) -> dt.date | None:
        return dt.datetime.fromtimestamp(us / 1e6, tz=dt.UTC).date() if us is not None else None

    profile = {"tables": imported.row_counts, "lines": imported.lines,
               "skipped_lines": imported.skipped_lines}
    step("发布版本", 0.97)
    _publish(version, temporary, rows=releases, profile=profile,
             date_min=day(row[0]) if row else None, date_max=day(row[1]) if row else None,
             bad_rows=imported.skipped_lines)
    return LoadStatus.READY


def _publish(version: DatasetVersion, temporary: Path, *, note: str = "", **fields: Any) -> None:
    """Number the version and move its directory into place, in one transaction."""
    directory = store.dataset_dir(version.dataset.organisation_id, version.dataset.kind)
    with transaction.atomic():
        Dataset.objects.select_for_update().get(pk=version.dataset_id)
        latest = version.dataset.versions.aggregate(n=Max("version"))["n"] or 0
        number = latest + 1
        target = directory / f"v{number}"
        if target.exists():  # left by a process killed between rename and commit: unreferenced
            store.remove_tree(target)
        os.replace(temporary, target)
        try:
            _update(version.pk, version=number, path=store.relative(target), **fields)
            message = f"已入库：第 {number} 版，{fields['rows']} 行"
            if fields.get("bad_rows"):
                message += f"（跳过 {fields['bad_rows']} 行无法识别的记录）"
            message += note
            _finish(version, LoadStatus.READY, message)
        except Exception:
            store.remove_tree(target)
            raise
