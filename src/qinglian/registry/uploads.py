"""Scans of signed integrity commitments: what may be uploaded and how it is named.

A scan is evidence that an enterprise signed and sealed one exact commitment version, so only
documents and images are accepted — PDF, JPEG, PNG, at most 10 MB — and the type is decided by
the file's first bytes (its "magic number"), never by its name: an executable renamed
``scan.pdf`` is refused. The stored name gets the extension of the type actually found.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from qinglian.core.uploads import SCAN_ACCEPT, SCAN_CONTENT_TYPES, detect_scan_type

MAX_SCAN_BYTES = 10 * 1024 * 1024


CONTENT_TYPES = SCAN_CONTENT_TYPES
ACCEPT = SCAN_ACCEPT


def validate_scan(upload: UploadedFile) -> UploadedFile:
    """Check size and magic bytes; rename to ``scan.<real type>``. Raise a Chinese message."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError("上传的扫描件是空文件", code="empty")
    if size > MAX_SCAN_BYTES:
        raise ValidationError(
            f"扫描件不能超过 10 MB（当前 {size / 1024 / 1024:.1f} MB）", code="too_large"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    scan_type = detect_scan_type(head)
    if scan_type is None:
        raise ValidationError(
            "扫描件只能是 PDF、JPG 或 PNG 文件（按文件内容判断，修改扩展名无效）",
            code="bad_type",
        )
    upload.name = f"scan.{scan_type.extension}"
    return upload


def scan_content_type(name: str) -> str:
    """Content type of a stored scan from the extension given to it at upload."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(extension, "application/octet-stream")
