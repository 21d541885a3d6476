"""A killed import (``kill -9`` in the middle of writing) leaves no partial data.

Runs the real ``qinglian`` command against a file-based SQLite database in a temporary
QINGLIAN_HOME: migrate, create a federation and a chamber with a published commitment, start
``qinglian import members big.xlsx``, wait until it reports that the first chunk of rows was
written inside its transaction, ``kill -9`` it, and check that nothing was imported and the
audit chain still verifies. Then the same file is imported to completion, exactly once.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_imports import row, xlsx

ROWS = 4000
QINGLIAN = str(Path(sys.executable).with_name("qinglian"))
SETUP = """
from qinglian.registry import actions
fed = actions.do_create_organisation(actor=None, kind="federation", name="杭州市工商业联合会", region="330100")
chamber = actions.do_create_organisation(actor=None, kind="chamber", name="杭州市互联网商会",
                                         federation=fed, region="330100", chamber_kind="industry")
draft = actions.do_draft_commitment(actor=None, organisation=chamber, body="我单位郑重承诺：依法经营，廉洁从业。")
import datetime as dt
actions.do_publish_commitment(draft, actor=None, published_at=dt.datetime(2024, 1, 2, tzinfo=dt.UTC))
"""
COUNT = """
from qinglian.core.models import Job
from qinglian.registry.models import Membership, Organisation, Signature
print("COUNTS", Organisation.objects.filter(kind="enterprise").count(), Membership.objects.count(),
      Signature.objects.count(), ",".join(Job.objects.order_by("id").values_list("status", flat=True)))
"""

pytestmark = pytest.mark.slow


def qinglian(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([QINGLIAN, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def registry_counts(env: dict[str, str]) -> tuple[int, int, int, str]:
    result = qinglian(env, "shell", "-c", COUNT)
    match = re.search(r"COUNTS (\d+) (\d+) (\d+) (\S*)", result.stdout)
    assert match, result.stdout + result.stderr
    return int(match[1]), int(match[2]), int(match[3]), match[4]


def read_until(proc: subprocess.Popen[bytes], pattern: bytes, deadline: float) -> bytes:
    """Everything the process printed until the pattern matches (stdout and stderr merged)."""
    seen = b""
    assert proc.stdout is not None
    while not re.search(pattern, seen):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise AssertionError(f"没有等到 {pattern!r}：\n{seen.decode(errors='replace')}")
        seen += os.read(proc.stdout.fileno(), 4096)
    return seen


def test_killed_import_leaves_nothing_and_a_rerun_imports_everything_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "QINGLIAN_HOME": str(home), "QINGLIAN_DEBUG": "0",
           "DATABASE_URL": f"sqlite:///{home / 'qinglian.sqlite3'}", "PYTHONUNBUFFERED": "1",
           "QINGLIAN_LOG_LEVEL": "WARNING"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for args in (("migrate", "-v0"), ("shell", "-c", SETUP)):
        result = qinglian(env, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    big = tmp_path / "big.xlsx"
    big.write_bytes(xlsx([row(n) for n in range(1, ROWS + 1)]))
    assert registry_counts(env)[:3] == (0, 0, 0)

    proc = subprocess.Popen([QINGLIAN, "import", "members", str(big)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # "开始写入" comes before the transaction's first write; then wait for the first chunk
        # of rows to be written inside the still-open transaction
        started = "开始写入".encode() + rb"[\s\S]*" + f" 1000/{ROWS}".encode()
        printed = read_until(proc, started, time.monotonic() + 120)
        assert proc.poll() is None, "the import finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert "导入完成".encode() not in printed

    enterprises, memberships, signatures, jobs = registry_counts(env)
    assert (enterprises, memberships, signatures) == (0, 0, 0)
    assert jobs == "running"  # the job row is written outside the import's transaction
    verified = qinglian(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    done = qinglian(env, "import", "members", str(big))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "导入完成" in done.stdout and f"新登记企业：{ROWS:,}" in done.stdout
    assert registry_counts(env) == (ROWS, ROWS, ROWS, "running,succeeded")
    again = qinglian(env, "import", "members", str(big))
    assert again.returncode == 0 and f"企业无变化：{ROWS:,}" in again.stdout
    assert registry_counts(env)[:3] == (ROWS, ROWS, ROWS)
    verified = qinglian(env, "audit", "verify")
    assert verified.returncode == 0 and "全部通过" in verified.stdout
