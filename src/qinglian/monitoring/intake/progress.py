"""A load's progress as one 0–100 bar: named steps, each a span of the bar, and within a step
what can be counted cheaply — rows of a worksheet streamed to CSV, bytes of a GBK file
converted to UTF-8, or DuckDB's own estimate for the statement that is running.

The position never goes back (the watcher thread and the load report concurrently), and the
message names the step and its count: "读取 Excel：已读取 20,000 / 100,000 行".
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..jobs import Cancelled, should_stop
from ..models import DatasetVersion

Progress = Callable[[int, int, str], None]
TOTAL = 100

#: Where each step starts, as convert.py and load.py name them (fractions of the work once the
#: file is readable); a step ends where the next one starts.
STARTS = (0.02, 0.05, 0.55, 0.7, 0.9, 0.97)
#: Reading ends at 0.05 of the work, unless the file must first be streamed (Excel, GBK).
READ_END = 0.05


def human_bytes(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    if size >= 1024**2:
        return f"{size / 1024**2:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{max(size, 0)} 字节"


class Meter:
    """The progress of load ``pk`` (written to its row, and told to ``callback``).
    ``read_share``: how much of the bar reading the file takes (a workbook streamed to CSV
    takes most of a load; a UTF-8 CSV nothing)."""

    def __init__(self, pk: int, callback: Progress | None = None, *, read_share: float = 0.0
                 ) -> None:
        self.pk, self.callback = pk, callback
        self.read_end = max(READ_END, min(0.9, STARTS[0] + read_share))
        self.lock = threading.Lock()
        self.name, self.start, self.end, self.done = "", 0.0, 0.0, 0

    def _position(self, fraction: float) -> float:
        """Fractions of convert.py's plan, stretched so reading gets its share."""
        if fraction <= STARTS[0]:
            return fraction
        if fraction <= READ_END:
            share = (fraction - STARTS[0]) / (READ_END - STARTS[0])
            return STARTS[0] + share * (self.read_end - STARTS[0])
        share = (fraction - READ_END) / (1.0 - READ_END)
        return self.read_end + share * (1.0 - self.read_end)

    def step(self, name: str, fraction: float) -> None:
        """A new step starts (the load's thread: a cancelled load stops here)."""
        if should_stop(DatasetVersion, self.pk):
            raise Cancelled
        following = next((s for s in STARTS if s > fraction), 1.0)
        with self.lock:
            self.name = name
            self.start, self.end = self._position(fraction), self._position(following)
        self._write(self.start, name)

    def part(self, share: float, detail: str = "", *, check: bool = False) -> None:
        """``share`` (0–1) of the current step is done; ``check``: the caller is the load's
        own thread, which stops here if the load was cancelled."""
        if check and should_stop(DatasetVersion, self.pk):
            raise Cancelled
        with self.lock:
            position = self.start + (self.end - self.start) * min(max(share, 0.0), 1.0)
            name = self.name
        self._write(position, f"{name}：{detail}" if detail else name)

    def rows(self, done: int, total: int) -> None:
        """Rows of a worksheet streamed so far (``total`` 0: the sheet does not say)."""
        if total:
            self.part(done / total, f"已读取 {done:,} / {total:,} 行", check=True)
        else:
            self.part(0.0, f"已读取 {done:,} 行", check=True)

    def bytes(self, done: int, total: int) -> None:
        """Bytes of the file read so far."""
        self.part(done / total if total else 0.0,
                  f"已读取 {human_bytes(done)} / {human_bytes(total)}", check=True)

    def _write(self, position: float, message: str) -> None:
        done = int(position * TOTAL)
        with self.lock:
            if done < self.done:
                return
            self.done = done
        DatasetVersion.objects.filter(pk=self.pk).update(progress_done=done,
                                                         progress_total=TOTAL, message=message)
        if self.callback is not None:
            self.callback(done, TOTAL, message)
