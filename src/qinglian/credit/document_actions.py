"""The only code that writes chamber documents (行业自律文件): the industry conventions, codes
of professional ethics and annual self-regulation reports a chamber or association publishes
on the public portal (uploaded as PDF for now; generated later).

A chamber officer publishes and withdraws its own chamber's documents; a federation officer
those of every chamber and association in the jurisdiction (and the federation's own).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction, Role
from qinglian.core.locking import lock
from qinglian.core.uploads import detect_scan_type
from qinglian.core.validation import clean_text
from qinglian.registry.choices import HOST_KINDS
from qinglian.registry.models import Organisation
from qinglian.registry.queries import jurisdiction_id

from .actions import Actor, require_in_scope, require_perm
from .choices import DocumentKind
from .models import ChamberDocument

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
EARLIEST_YEAR = 1990


def may_publish_for(actor: Actor, organisation: Organisation) -> bool:
    """Whether the actor may publish documents in this organisation's name."""
    if organisation.kind not in HOST_KINDS:
        return False
    if actor is None or actor.role == Role.ADMIN:
        return True
    if actor.role == Role.CHAMBER_OFFICER:
        return organisation.pk == actor.organisation_id
    if actor.role == Role.FEDERATION_OFFICER:
        fed = jurisdiction_id(actor)
        return fed is not None and fed in (organisation.pk, organisation.federation_id)
    return False


def validate_pdf(upload: UploadedFile) -> str:
    """The SHA-256 of an acceptable PDF (decided by its content, at most 20 MB)."""
    import hashlib

    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": "上传的文件是空文件"})
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": f"文件不能超过 20 MB（当前 {size / 1024 / 1024:.1f} MB）"})
    upload.seek(0)
    found = detect_scan_type(upload.read(16))
    upload.seek(0)
    if found is None or found.extension != "pdf":
        raise ValidationError({"file": "只能上传 PDF 文件（按文件内容判断，修改扩展名无效）"})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _year(value: Any, today: dt.date) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": "年度应为四位数字"}) from exc
    if not EARLIEST_YEAR <= year <= today.year + 1:
        raise ValidationError({"year": f"年度应在 {EARLIEST_YEAR} 至 {today.year + 1} 之间"})
    return year


@transaction.atomic
def do_publish_document(organisation: Organisation, *, actor: Actor, kind: str, title: str,
                        upload: UploadedFile, year: Any = None, summary: str = "",
                        today: dt.date | None = None) -> ChamberDocument:
    """Publish a convention, code of ethics or annual self-regulation report on the portal.
    An annual report names its year."""
    require_perm(actor, "credit.manage_documents")
    if not may_publish_for(actor, organisation):
        raise PermissionDenied("只能发布本单位（或本辖区商会、协会）的行业自律文件")
    day = today or timezone.localdate()
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "请选择文件类型"})
    year_value = _year(year, day)
    if kind == DocumentKind.ANNUAL_REPORT and year_value is None:
        raise ValidationError({"year": "年度自律报告须填写年度"})
    title = clean_text(title, "title", limit=128)
    summary = clean_text(summary, "summary", required=False, limit=2000)
    sha256 = validate_pdf(upload)
    lock(organisation)
    document = ChamberDocument(
        organisation=organisation, kind=kind, title=title, year=year_value, summary=summary,
        original_name=(upload.name or "document.pdf").rsplit("/", 1)[-1][:255],
        sha256=sha256, size=upload.size or 0, is_public=True,
        uploaded_by=actor if actor is not None and actor.pk else None,
    )
    name = f"documents/{sha256[:2]}/{sha256}.pdf"
    storage = document.file.storage
    document.file.name = name if storage.exists(name) else storage.save(name, upload)
    document.save()
    record_change(document, AuditAction.CREATE, actor=actor, after=snapshot(document))
    record_event(document, "credit_document.published", actor=actor,
                 details={"kind": kind, "title": title, "sha256": sha256})
    return document


@transaction.atomic
def do_withdraw_document(document: ChamberDocument, *, actor: Actor,
                         reason: str = "") -> ChamberDocument:
    """Take a document off the portal (it is kept, with its history)."""
    require_perm(actor, "credit.manage_documents")
    require_in_scope(actor, document)
    reason = clean_text(reason, "reason", required=False, limit=500)
    document = lock(document)
    if not document.is_public:
        raise ValidationError("该文件已撤下")
    before = snapshot(document)
    document.is_public = False
    document.withdrawn_at = timezone.now()
    document.save(update_fields=["is_public", "withdrawn_at", "updated_at"])
    record_change(document, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(document))
    record_event(document, "credit_document.withdrawn", actor=actor, details={"reason": reason})
    return document
