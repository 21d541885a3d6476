"""Where loads live on disk, and what the rules side reads.

    QINGLIAN_HOME/uploads/<load id>/        the upload while it waits, its staging files,
                                             and (if rejected) its error report
    QINGLIAN_HOME/datasets/<org>/<kind>/v<n>/<table>.parquet   a ready version (immutable)

A version directory appears only by ``rename`` of a finished temporary directory
(``.tmp-<load id>``) inside the same parent, so a reader never sees half a version.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings

from ..choices import LoadStatus
from ..models import DatasetVersion
from ..ocds import OCDS_TABLES
from ..schemas import DatasetKind


def home() -> Path:
    return Path(settings.QINGLIAN_HOME)


def upload_dir(load_id: int) -> Path:
    return home() / "uploads" / str(load_id)


def dataset_dir(organisation_id: int, kind: str) -> Path:
    return home() / "datasets" / str(organisation_id) / kind


def relative(path: Path) -> str:
    return str(path.relative_to(home()))


def absolute(relative_path: str) -> Path:
    return home() / relative_path


def error_report(version: DatasetVersion) -> Path | None:
    if not version.error_report_path:
        return None
    path = absolute(version.error_report_path)
    return path if path.exists() else None


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def latest_ready_version(organisation_id: int, kind: str) -> DatasetVersion | None:
    """The newest ready version of an organisation's dataset of this kind (what a run reads)."""
    return (DatasetVersion.objects
            .filter(dataset__organisation_id=organisation_id, dataset__kind=kind,
                    status=LoadStatus.READY, version__isnull=False)
            .select_related("dataset").order_by("-version").first())


def tables_of(kind: str) -> tuple[str, ...]:
    return OCDS_TABLES if kind == DatasetKind.OCDS else (kind,)


def version_files(version: DatasetVersion) -> dict[str, Path]:
    """Table name → Parquet file of a ready version: the kind itself for ledgers
    (``{"payments": …/payments.parquet}``), the six ``ocds_*`` tables for OCDS."""
    if version.status != LoadStatus.READY or not version.path:
        raise ValueError(f"数据集版本 {version.pk} 尚未入库")
    directory = absolute(version.path)
    return {table: directory / f"{table}.parquet" for table in tables_of(version.dataset.kind)}


def sweep_interrupted() -> int:
    """Remove what loads killed mid-way left on disk (``recover_interrupted`` has marked their
    rows failed): temporary version directories and staging files of loads no longer running.
    The upload of a load still waiting for its mapping and error reports are kept. Returns
    how many paths were removed."""
    running = set(DatasetVersion.objects.filter(
        status__in=[LoadStatus.QUEUED, LoadStatus.VALIDATING]).values_list("pk", flat=True))
    waiting = set(DatasetVersion.objects.filter(status=LoadStatus.UPLOADED)
                  .values_list("pk", flat=True))
    removed = 0
    for temporary in (home() / "datasets").glob("*/*/.tmp-*"):
        pk = temporary.name.removeprefix(".tmp-")
        if not pk.isdigit() or int(pk) not in running:
            remove_tree(temporary)
            removed += 1
    for upload in (home() / "uploads").glob("*"):
        if not upload.name.isdigit() or int(upload.name) in running | waiting:
            continue
        for child in upload.iterdir():
            if child.name != "errors.csv":
                remove_tree(child) if child.is_dir() else child.unlink(missing_ok=True)
                removed += 1
    return removed
