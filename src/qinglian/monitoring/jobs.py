"""Background jobs for loads and rule runs: a small in-process runner.

A job is a row (``DatasetVersion`` or ``Run``) that carries its own status, progress and
``cancel_requested`` flag; the runner only decides *where* the work function runs:

* in the web process, on one worker thread per process, started after the transaction that
  queued the job commits (so the thread sees the row), one job at a time (the machine's cores
  belong to DuckDB while a job runs);
* synchronously when ``settings.QINGLIAN_JOBS_SYNC`` is true (tests, the CLI).

Why not a broker or django-tasks' database worker: the platform must run from one command on
a fresh machine (``make demo``) with nothing else to start, and a job's state lives in its own
row either way. A job interrupted by a restart is left "running"; ``recover_interrupted`` (run
at start-up by the CLI and by the first job of a process) marks such rows failed, and since a
load writes its Parquet to a temporary directory and renames it only on success, an
interrupted job leaves nothing half-written.

The work function checks ``should_stop(row)`` between steps and raises ``Cancelled`` to stop.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction

logger = logging.getLogger(__name__)

Work = Callable[[int], None]


class Cancelled(Exception):
    """Raised by a job that noticed its row's ``cancel_requested``."""


_queue: queue.Queue[tuple[Work, int]] = queue.Queue()
_worker: threading.Thread | None = None
_lock = threading.Lock()


def _loop() -> None:
    while True:
        work, pk = _queue.get()
        try:
            close_old_connections()
            work(pk)
        except Exception:  # the work function records its own failure on its row
            logger.exception("background job %s(%s) failed", getattr(work, "__name__", work), pk)
        finally:
            connection.close()
            _queue.task_done()


def _ensure_worker() -> None:
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_loop, name="qinglian-jobs", daemon=True)
            _worker.start()


def run_in_background(work: Work, pk: int) -> None:
    """Run ``work(pk)`` after the current transaction commits: on the worker thread, or at
    once when jobs are synchronous."""
    if getattr(settings, "QINGLIAN_JOBS_SYNC", False):
        transaction.on_commit(lambda: work(pk))
        return

    def enqueue() -> None:
        _ensure_worker()
        _queue.put((work, pk))

    transaction.on_commit(enqueue)


def wait_for_jobs() -> None:
    """Block until the queue is empty (tests and the CLI)."""
    _queue.join()


def should_stop(model: Any, pk: int) -> bool:
    return bool(model.objects.filter(pk=pk, cancel_requested=True).exists())


def recover_interrupted() -> int:
    """Mark jobs a stopped process left behind as failed (call at start-up, before any job of
    this process runs). Returns how many rows were marked."""
    from django.utils import timezone

    from .choices import LoadStatus, RunStatus
    from .models import DatasetVersion, Run

    now = timezone.now()
    note = "服务重启导致任务中断，未写入任何结果，请重新提交"
    loads = DatasetVersion.objects.filter(
        status__in=[LoadStatus.QUEUED, LoadStatus.VALIDATING]).update(
        status=LoadStatus.FAILED, message=note, finished_at=now)
    runs = Run.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.FAILED, message=note, finished_at=now)
    return loads + runs
