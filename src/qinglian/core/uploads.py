"""Uploaded documents: what a file really is, decided by its content, never by its name.

Scans (PDF, JPEG, PNG) are recognised by their magic bytes; evidence files (佐证材料 — for
self-assessments, risk controls and anything else an app asks people to prove) may also be Word
or Excel packages, which must be zip files containing ``[Content_Types].xml``. A renamed
archive or executable is refused whatever its name says.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile


@dataclass(frozen=True)
class ScanType:
    extension: str
    content_type: str
    label: str
    magic: bytes


SCAN_TYPES = (
    ScanType("pdf", "application/pdf", "PDF", b"%PDF-"),
    ScanType("jpg", "image/jpeg", "JPG", b"\xff\xd8\xff"),
    ScanType("png", "image/png", "PNG", b"\x89PNG\r\n\x1a\n"),
)
SCAN_CONTENT_TYPES = {t.extension: t.content_type for t in SCAN_TYPES}
SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def detect_scan_type(head: bytes) -> ScanType | None:
    """The accepted type whose magic number starts these bytes, or None."""
    for scan_type in SCAN_TYPES:
        if head.startswith(scan_type.magic):
            return scan_type
    return None


MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"
EVIDENCE_CONTENT_TYPES = {
    "pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _office_kind(upload: UploadedFile) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return None


def validate_evidence(upload: UploadedFile) -> tuple[str, str]:
    """(real extension, SHA-256) of an acceptable evidence file; a Chinese error otherwise."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError("上传的佐证材料是空文件", code="empty")
    if size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            f"佐证材料不能超过 20 MB（当前 {size / 1024 / 1024:.1f} MB）", code="too_large")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = detect_scan_type(head)
    extension = found.extension if found else (_office_kind(upload) if head.startswith(b"PK") else None)
    if extension is None:
        raise ValidationError(
            "佐证材料只能是 PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx）文件"
            "（按文件内容判断，修改扩展名无效）", code="bad_type")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return extension, digest.hexdigest()


def evidence_content_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return EVIDENCE_CONTENT_TYPES.get(extension, "application/octet-stream")
