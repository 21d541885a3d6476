"""Writers of the data intake: upload a ledger, confirm its column mapping (which queues the
load), cancel a load. The load itself is ``intake.load`` on the job runner.

An organisation loads its own ledgers (the platform administrator any organisation's); the
upload is streamed to disk, checked to be what its extension says, its encoding detected, and
waits as "uploaded" until the user confirms which header feeds each canonical column. The
confirmed mapping is saved per organisation and kind and offered first next time.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import Role
from qinglian.core.models import User
from qinglian.registry.models import Organisation

from .choices import LoadStatus
from .intake import files, store
from .intake.load import load_dataset_version
from .intake.mapping import missing_required, suggest_mapping, unmapped
from .intake.sources import header_labels, read_headers, xlsx_sheets
from .jobs import run_in_background
from .models import ColumnMapping, Dataset, DatasetVersion
from .schemas import SCHEMAS, DatasetKind

Actor = User | None

#: Loads that can still be cancelled.
CANCELLABLE = (LoadStatus.UPLOADED, LoadStatus.QUEUED, LoadStatus.VALIDATING)


def _require(actor: Actor, perm: str, organisation_id: int) -> None:
    """The actor may do this for this organisation: its own, or any for the administrator
    (``actor=None`` is the system: the CLI)."""
    if actor is None:
        return
    from qinglian.core.permissions import require

    require(actor, perm)
    if actor.role != Role.ADMIN and actor.organisation_id != organisation_id:
        raise PermissionDenied("只能为本单位上传和管理数据")


def accepted_formats(kind: str) -> tuple[str, ...]:
    return SCHEMAS[kind].formats


def do_upload_dataset(organisation: Organisation, kind: str, *, name: str,
                      chunks: Iterable[bytes], actor: Actor) -> DatasetVersion:
    """Store an upload (streamed) as a load waiting for its column mapping.

    The file is copied and checked before any row is written, outside a transaction (a
    2 GB copy must not hold the database's write lock), then moved under the load's id.
    Refused with a Chinese message: a format the kind does not take, a file over the size
    limit, an empty file, content that is not what the extension says, an unknown encoding,
    a file without headers."""
    _require(actor, "monitoring.load", organisation.pk)
    if kind not in SCHEMAS:
        raise ValidationError("未知的数据类型", code="bad_kind")
    file_format = files.format_of(name)
    if file_format not in accepted_formats(kind):
        allowed = "、".join(f".{f}" for f in accepted_formats(kind))
        raise ValidationError(f"{DatasetKind(kind).label}只接受 {allowed} 文件", code="bad_type")
    incoming = store.home() / "uploads" / f"incoming-{uuid.uuid4().hex}"
    filename = "source." + ("jsonl.gz" if name.lower().endswith(".gz") else file_format)
    target = incoming / filename
    try:
        stored = files.store_chunks(chunks, target, limit=files.size_limit(file_format))
        files.check_content(target, file_format, name)
        encoding = (files.detect_encoding(target, utf8=stored.utf8)
                    if file_format == "csv" else "")
        sheets: list[str] = []
        if file_format == "xlsx":  # the first non-empty worksheet; the user may choose another
            found = xlsx_sheets(target)
            sheets = list(found)
            headers = header_labels(next(iter(found.values()), []))
        else:
            headers = read_headers(target, file_format, encoding) \
                if kind != DatasetKind.OCDS else []
        saved = ColumnMapping.objects.filter(organisation=organisation, kind=kind).first()
        mapping = suggest_mapping(SCHEMAS[kind], headers, saved.mapping if saved else None)
        if kind == DatasetKind.OCDS:  # no mapping to choose: the same bytes are the same data
            _refuse_repeat(organisation.pk, kind, stored.sha256, mapping)
    except ValidationError:
        store.remove_tree(incoming)
        raise
    except Exception as exc:
        store.remove_tree(incoming)
        raise ValidationError(f"无法读取文件：{str(exc).splitlines()[0][:200]}",
                              code="unreadable") from exc
    try:
        return _record_upload(organisation, kind, name, actor, incoming, filename, stored,
                              encoding, headers, mapping, sheets)
    finally:
        store.remove_tree(incoming)  # moved into place on success; dropped otherwise


@transaction.atomic
def _record_upload(organisation: Organisation, kind: str, name: str, actor: Actor,
                   incoming: Path, filename: str, stored: files.StoredFile, encoding: str,
                   headers: list[str], mapping: dict[str, str], sheets: list[str]
                   ) -> DatasetVersion:
    dataset, _ = Dataset.objects.get_or_create(organisation=organisation, kind=kind)
    version = DatasetVersion.objects.create(
        dataset=dataset, status=LoadStatus.UPLOADED, source_name=name[:255],
        source_sha256=stored.sha256, source_size=stored.size,
        source_encoding=files.encoding_label(encoding), uploaded_by=actor,
        created_at=timezone.now(), mapping=mapping,
        profile={"headers": headers, **({"sheets": sheets, "sheet": sheets[0]} if sheets else {})})
    directory = store.upload_dir(version.pk)
    store.remove_tree(directory)  # a leftover of a rolled-back upload that had this id
    os.replace(incoming, directory)
    version.source_path = store.relative(directory / filename)
    version.save(update_fields=["source_path"])
    record_change(version, "create", actor=actor, after=snapshot(version))
    return version


def same_file_version(version: DatasetVersion) -> DatasetVersion | None:
    """The dataset's latest ready version when it was loaded from the very same bytes (the
    mapping page warns: confirming the same mapping again would be refused)."""
    latest = store.latest_ready_version(version.dataset.organisation_id, version.dataset.kind)
    return latest if latest is not None and latest.source_sha256 == version.source_sha256 \
        else None


def _refuse_repeat(organisation_id: int, kind: str, sha256: str, mapping: dict[str, str],
                   sheet: str = "") -> None:
    """Refuse a load that would publish exactly the latest ready version again: the same
    bytes read through the same mapping give the same rows (versions are immutable, and runs
    already read that one). Loading the same file with another mapping (or another worksheet
    of a workbook) is a new version."""
    latest = store.latest_ready_version(organisation_id, kind)
    if latest is not None and latest.source_sha256 == sha256 and dict(latest.mapping) == mapping \
            and latest.profile.get("sheet", "") == sheet:
        raise ValidationError(f"该文件与第 {latest.version} 版内容完全相同，未创建新版本",
                              code="repeat")


def file_headers(version: DatasetVersion) -> list[str]:
    return list(version.profile.get("headers", [])) if version.status == LoadStatus.UPLOADED \
        else []


@transaction.atomic
def do_confirm_mapping(version: DatasetVersion, mapping: dict[str, str], *,
                       actor: Actor, queue: bool = True) -> DatasetVersion:
    """Confirm which header feeds each canonical column, save it for the organisation, and
    queue the load (``queue=False``: the caller runs ``intake.load.perform_load`` itself, as
    the command line does). Missing required columns are refused, naming them."""
    version = DatasetVersion.objects.select_for_update().select_related("dataset").get(
        pk=version.pk)
    dataset = version.dataset
    _require(actor, "monitoring.load", dataset.organisation_id)
    if version.status != LoadStatus.UPLOADED:
        raise ValidationError("该上传已提交，不能再修改列对应", code="state")
    schema = SCHEMAS[dataset.kind]
    headers = set(file_headers(version))
    clean = {column: header for column, header in mapping.items()
             if header and header in headers and column in {c.name for c in schema.columns}}
    _refuse_repeat(dataset.organisation_id, dataset.kind, version.source_sha256, clean,
                   version.profile.get("sheet", ""))
    if dataset.kind != DatasetKind.OCDS:
        missing = missing_required(schema, clean)
        if missing:
            raise ValidationError(f"缺少必填列：{'、'.join(missing)}。请在文件中补充这些列，"
                                  "或在下方指定对应的列", code="missing_columns")
        saved, created = ColumnMapping.objects.get_or_create(
            organisation_id=dataset.organisation_id, kind=dataset.kind,
            defaults={"mapping": clean, "updated_by": actor})
        if not created and saved.mapping != clean:
            before = snapshot(saved)
            saved.mapping, saved.updated_by = clean, actor
            saved.save(update_fields=["mapping", "updated_by", "updated_at"])
            record_change(saved, "update", actor=actor, before=before, after=snapshot(saved))
        elif created:
            record_change(saved, "create", actor=actor, after=snapshot(saved))
    before = snapshot(version)
    if dataset.kind != DatasetKind.OCDS:  # recorded so nothing is dropped silently
        dropped, empty = unmapped(schema, file_headers(version), clean)
        version.profile = {**version.profile, "unmapped_headers": dropped,
                           "unmapped_columns": empty}
    version.mapping = clean
    version.status = LoadStatus.QUEUED
    version.message = "排队等待校验"
    version.save(update_fields=["mapping", "status", "message", "profile"])
    record_change(version, "update", actor=actor, before=before, after=snapshot(version))
    if queue:
        run_in_background(load_dataset_version, version.pk)
    return version


@transaction.atomic
def do_choose_sheet(version: DatasetVersion, sheet: str, *, actor: Actor) -> DatasetVersion:
    """Read another worksheet of an uploaded workbook: its first row becomes the headers and
    the mapping is suggested again (the saved one first). Only non-empty sheets are offered."""
    version = DatasetVersion.objects.select_for_update().select_related("dataset").get(
        pk=version.pk)
    dataset = version.dataset
    _require(actor, "monitoring.load", dataset.organisation_id)
    if version.status != LoadStatus.UPLOADED:
        raise ValidationError("该上传已提交，不能再更换工作表", code="state")
    sheets = list(version.profile.get("sheets", []))
    if sheet not in sheets:
        raise ValidationError(f"工作簿中没有内容非空的工作表“{sheet}”", code="no_sheet")
    headers = read_headers(store.absolute(version.source_path), "xlsx", "", sheet=sheet)
    saved = ColumnMapping.objects.filter(organisation_id=dataset.organisation_id,
                                         kind=dataset.kind).first()
    before = snapshot(version)
    version.profile = {**version.profile, "headers": headers, "sheet": sheet}
    version.mapping = suggest_mapping(SCHEMAS[dataset.kind], headers,
                                      saved.mapping if saved else None)
    version.save(update_fields=["profile", "mapping"])
    record_change(version, "update", actor=actor, before=before, after=snapshot(version))
    return version


@transaction.atomic
def do_cancel_load(version: DatasetVersion, *, actor: Actor) -> DatasetVersion:
    """Cancel a load that has not finished: an upload waiting for its mapping is dropped at
    once; a queued or running load stops at its next check and publishes nothing."""
    version = DatasetVersion.objects.select_for_update().select_related("dataset").get(
        pk=version.pk)
    _require(actor, "monitoring.load", version.dataset.organisation_id)
    if version.status not in CANCELLABLE:
        raise ValidationError("该次上传已结束，无法取消", code="state")
    if version.status == LoadStatus.UPLOADED:
        store.remove_tree(store.upload_dir(version.pk))
        DatasetVersion.objects.filter(pk=version.pk).update(
            status=LoadStatus.CANCELLED, message="已取消：未写入任何数据", source_path="",
            finished_at=timezone.now())
    else:
        DatasetVersion.objects.filter(pk=version.pk).update(cancel_requested=True,
                                                            message="正在取消…")
    version.refresh_from_db()
    record_event(version, "monitoring.load_cancel_requested", actor=actor,
                 details={"status": version.status})
    return version


def organisations_for(actor: Any) -> Any:
    """The organisations this user may load data for (own; all for the administrator)."""
    if actor.role == Role.ADMIN:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk=actor.organisation_id)
