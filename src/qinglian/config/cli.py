"""The `qinglian` command: Django's management commands plus Qinglian's own.

    qinglian demo            create the data directory, migrate, seed the sample city, serve
    qinglian serve           run the server (development server on 127.0.0.1:8000)
    qinglian migrate         apply database migrations
    qinglian createadmin     create a platform administrator
    qinglian import members FILE
    qinglian audit verify
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinglian.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "qinglian"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
