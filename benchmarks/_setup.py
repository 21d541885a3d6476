"""Shared set-up for benchmarks: a throw-away data directory and database, Django configured.

Import this module before anything from Django. Pass --database-url to run against PostgreSQL.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def configure(database_url: str | None = None) -> Path:
    home = Path(tempfile.mkdtemp(prefix="qinglian-bench-"))
    os.environ["QINGLIAN_HOME"] = str(home)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{home / 'bench.sqlite3'}"
    os.environ["QINGLIAN_DEBUG"] = "0"
    os.environ["QINGLIAN_LOG_LEVEL"] = "WARNING"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinglian.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return home
