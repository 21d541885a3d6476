"""An uploaded ledger on disk: streamed in, checked to be what its name says, its encoding known.

Nothing here reads a whole file into memory: uploads are copied chunk by chunk (hashing and
checking UTF-8 on the way), a GBK/GB18030 (or UTF-16) CSV is converted to UTF-8 by streaming
into a sibling file, and only a small sample is ever decoded for sniffing.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

CHUNK = 1024 * 1024
SAMPLE = 64 * 1024

#: Accepted file kinds by extension (``.jsonl.gz`` counts as jsonl).
FORMATS = {"csv": "CSV", "xlsx": "Excel（.xlsx）", "parquet": "Parquet", "jsonl": "JSON Lines"}
DEFAULT_LIMITS = {"csv": 2 * 1024**3, "parquet": 2 * 1024**3, "jsonl": 2 * 1024**3,
                  "xlsx": 100 * 1024**2}


def size_limit(file_format: str) -> int:
    """Bytes allowed for a format (``QINGLIAN_INTAKE_LIMITS = {"csv": …}`` overrides)."""
    limits = {**DEFAULT_LIMITS, **getattr(settings, "QINGLIAN_INTAKE_LIMITS", {})}
    return int(limits[file_format])


def format_of(name: str) -> str:
    """The format a file name claims, or a Chinese error listing what is accepted."""
    lower = name.lower()
    if lower.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        return "jsonl"
    extension = lower.rsplit(".", 1)[-1] if "." in lower else ""
    if extension in FORMATS:
        return extension
    raise ValidationError("只能上传 .csv、.xlsx、.parquet 或 .jsonl（.jsonl.gz）文件", code="bad_type")


def human_size(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    return f"{size / 1024**2:.0f} MB"


@dataclass(frozen=True)
class StoredFile:
    path: Path
    size: int
    sha256: str
    #: True when every byte decoded as UTF-8 while copying (BOM allowed)
    utf8: bool


def uploads_root() -> Path:
    return Path(settings.QINGLIAN_HOME) / "uploads"


def store_chunks(chunks: Iterable[bytes], target: Path, *, limit: int) -> StoredFile:
    """Copy chunks to ``target``: size-checked, hashed, and UTF-8-checked on the way."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, size = True, 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise ValidationError(f"文件超过允许的大小（{human_size(limit)}）", code="too_large")
            handle.write(chunk)
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return StoredFile(target, size, digest.hexdigest(), utf8)


def file_chunks(path: Path) -> Iterable[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


# --- what the content really is ----------------------------------------------------------------

_BINARY_HEADS = {b"PK\x03\x04": "Excel/ZIP 压缩包", b"PAR1": "Parquet", b"%PDF": "PDF",
                 b"\xd0\xcf\x11\xe0": "旧版 Excel（.xls）", b"\x1f\x8b": "gzip 压缩包"}


def _binary_kind(head: bytes) -> str | None:
    for magic, label in _BINARY_HEADS.items():
        if head.startswith(magic):
            return label
    return None


def check_content(path: Path, file_format: str, name: str) -> None:
    """Raise a Chinese error when the bytes are not what the extension says."""
    size = path.stat().st_size
    if size == 0:
        raise ValidationError("文件是空的（0 字节）", code="empty")
    with path.open("rb") as handle:
        head = handle.read(SAMPLE)
        handle.seek(max(0, size - 4))
        tail = handle.read(4)
    if file_format == "xlsx":
        if not head.startswith(b"PK"):
            found = _binary_kind(head) or "文本"
            raise ValidationError(f"“{name}”不是 Excel（.xlsx）文件：内容是{found}"
                                  "（按文件内容判断，修改扩展名无效）", code="bad_content")
        try:
            with zipfile.ZipFile(path) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError):
            names = set()
        if "xl/workbook.xml" not in names:
            raise ValidationError(f"“{name}”不是 Excel（.xlsx）工作簿：压缩包中没有 xl/workbook.xml",
                                  code="bad_content")
    elif file_format == "parquet":
        if not (head.startswith(b"PAR1") and tail == b"PAR1"):
            raise ValidationError(f"“{name}”不是 Parquet 文件（文件头尾应为 PAR1；"
                                  "按文件内容判断，修改扩展名无效）", code="bad_content")
    elif file_format == "jsonl" and head.startswith(b"\x1f\x8b"):
        if not name.lower().endswith(".gz"):
            raise ValidationError(f"“{name}”是 gzip 压缩文件，请使用 .jsonl.gz 扩展名",
                                  code="bad_content")
    else:
        binary = _binary_kind(head)
        if file_format == "jsonl" and name.lower().endswith(".gz"):
            raise ValidationError(f"“{name}”不是 gzip 压缩文件", code="bad_content")
        if binary or (b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))):
            raise ValidationError(f"“{name}”不是文本文件（内容是{binary or '二进制数据'}；"
                                  "按文件内容判断，修改扩展名无效）", code="bad_content")


# --- encodings ---------------------------------------------------------------------------------


def detect_encoding(path: Path, *, utf8: bool) -> str:
    """``utf-8`` / ``utf-8-sig`` / ``utf-16`` / ``gb18030`` (GBK files decode as GB18030), or a
    Chinese error. ``utf8`` is what the streaming copy found for the whole file."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE)
    if head.startswith(codecs.BOM_UTF8):
        if not utf8:
            raise ValidationError("文件以 UTF-8 标记开头，但其中有无效的 UTF-8 字节（文件可能已损坏）",
                                  code="bad_encoding")
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if utf8:
        return "utf-8"
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        for chunk in file_chunks(path):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ValidationError("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV 后重新上传",
                              code="bad_encoding") from None
    return "gb18030"


ENCODING_LABELS = {"utf-8-sig": "UTF-8（带 BOM）", "utf-8": "UTF-8", "gb18030": "GBK/GB18030",
                   "utf-16": "UTF-16"}


def encoding_label(codec: str) -> str:
    return ENCODING_LABELS.get(codec, "")


def codec_of(label: str) -> str:
    """The codec of a stored label (UTF-8 when unknown)."""
    return next((codec for codec, text in ENCODING_LABELS.items() if text == label), "utf-8")


def utf8_copy(path: Path, encoding: str, *, on_bytes: Callable[[int, int], None] | None = None
              ) -> Path:
    """``path`` itself when it is UTF-8, else a UTF-8 copy beside it (streamed; ``on_bytes``
    is told the bytes read and the file's size after every chunk)."""
    if encoding in ("utf-8", "utf-8-sig"):
        return path
    target = path.with_name(path.stem + ".utf8.csv")
    size, done = path.stat().st_size, 0
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(CHUNK):
            out.write(decoder.decode(chunk))
            done += len(chunk)
            if on_bytes is not None:
                on_bytes(done, size)
        out.write(decoder.decode(b"", final=True))
    return target


def sniff_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_header(path: Path, encoding: str = "utf-8") -> tuple[list[str], str]:
    """The first row's cells and the delimiter (from a UTF-8 file)."""
    with path.open("r", encoding="utf-8-sig" if encoding.startswith("utf-8") else encoding,
                   newline="") as handle:
        first = handle.readline()
        while first and not first.strip():
            first = handle.readline()
    delimiter = sniff_delimiter(first)
    row = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    return row, delimiter


def unique_headers(cells: list[str]) -> list[str]:
    """Header cells as distinct labels: blanks become 第N列, repeats get （2）, （3）…"""
    seen: dict[str, int] = {}
    result = []
    for index, cell in enumerate(cells, start=1):
        label = (cell or "").strip().lstrip("\ufeff") or f"第{index}列"
        if label in seen:
            seen[label] += 1
            label = f"{label}（{seen[label]}）"
        else:
            seen[label] = 1
        result.append(label)
    return result
