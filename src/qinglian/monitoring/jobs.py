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
at start-up by the CLI) marks such rows failed, one by one with an audit record, and since a
load writes its Parquet to a temporary directory and renames it only on success, an
interrupted job leaves nothing half-written.

Ownership: the process that queues a job holds an exclusive ``flock`` on a small owner file
(``QINGLIAN_HOME/monitoring/jobs/<job>-<pk>.owner``) from the moment it queues the job until
the job ends. The operating system drops the lock when the process dies, so
``recover_interrupted`` fails only rows whose owner file is not locked by a live process — a
run started from the web and still running there is left alone by ``qinglian monitor run``.

The work function checks ``should_stop(row)`` between steps and raises ``Cancelled`` to stop.
"""

from __future__ import annotations

import fcntl
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
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


#: The owner file prefix of each work function's rows (see the module docs).
RUN_JOB = "execute_run"
LOAD_JOB = "load_dataset_version"
_held: dict[Path, int] = {}


def _owner_path(job: str, pk: int) -> Path:
    return Path(settings.QINGLIAN_HOME) / "monitoring" / "jobs" / f"{job}-{int(pk)}.owner"


def _claim(job: str, pk: int) -> None:
    """Hold the job's owner lock in this process until :func:`_release`."""
    path = _owner_path(job, pk)
    with _lock:
        if path in _held:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another live process owns it: leave the lock to that process
            os.close(fd)
            return
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        _held[path] = fd


@contextmanager
def owning(job: str, pk: int) -> Iterator[None]:
    """Hold the job's owner lock while the block runs (a job run in the caller's process, as
    the CLI does); a lock this process already holds is kept."""
    held = _owner_path(job, pk) in _held
    _claim(job, pk)
    try:
        yield
    finally:
        if not held:
            _release(job, pk)


def _release(job: str, pk: int) -> None:
    path = _owner_path(job, pk)
    with _lock:
        fd = _held.pop(path, None)
        if fd is None:
            return
        path.unlink(missing_ok=True)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def owned_by_live_process(job: str, pk: int) -> bool:
    """Whether a live process (this one included) holds the job's owner lock."""
    path = _owner_path(job, pk)
    if path in _held:
        return True
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _job_name(work: Work) -> str:
    return getattr(work, "__name__", "job")


def _loop() -> None:
    while True:
        work, pk = _queue.get()
        try:
            close_old_connections()
            work(pk)
        except Exception:  # the work function records its own failure on its row
            logger.exception("background job %s(%s) failed", _job_name(work), pk)
        finally:
            _release(_job_name(work), pk)
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
        def run_now() -> None:
            _claim(_job_name(work), pk)
            try:
                work(pk)
            finally:
                _release(_job_name(work), pk)

        transaction.on_commit(run_now)
        return

    def enqueue() -> None:
        _claim(_job_name(work), pk)
        _ensure_worker()
        _queue.put((work, pk))

    transaction.on_commit(enqueue)


def wait_for_jobs() -> None:
    """Block until the queue is empty (tests and the CLI)."""
    _queue.join()


def should_stop(model: Any, pk: int) -> bool:
    return bool(model.objects.filter(pk=pk, cancel_requested=True).exists())


def recover_interrupted() -> int:
    """Mark jobs a stopped process left behind as failed (call at start-up): only rows whose
    owner process is gone (see the module docs), each saved on its own with an audit record.
    Returns how many rows were marked."""
    from django.utils import timezone

    from qinglian.core.audit import record_event

    from .choices import LoadStatus, RunStatus
    from .models import DatasetVersion, Run

    note = "服务重启导致任务中断，未写入任何结果，请重新提交"
    marked = 0
    for model, job, statuses, failed, event in (
        (DatasetVersion, LOAD_JOB, [LoadStatus.QUEUED, LoadStatus.VALIDATING], LoadStatus.FAILED,
         "monitoring.load_interrupted"),
        (Run, RUN_JOB, [RunStatus.QUEUED, RunStatus.RUNNING], RunStatus.FAILED, "run.failed"),
    ):
        for pk in list(model.objects.filter(status__in=statuses).values_list("pk", flat=True)):
            if owned_by_live_process(job, pk):
                continue
            with transaction.atomic():
                row = model.objects.select_for_update().filter(pk=pk,
                                                               status__in=statuses).first()
                if row is None:
                    continue
                before = row.status
                row.status, row.message, row.finished_at = failed, note, timezone.now()
                row.save(update_fields=["status", "message", "finished_at"])
                record_event(row, event, actor=None,
                             details={"message": note, "from": before, "interrupted": True})
            marked += 1
    return marked
