"""Data intake (数据接入): an uploaded ledger becomes an immutable, versioned Parquet dataset.

    upload ─► files.py      streamed to QINGLIAN_HOME/uploads/<load>/, size-limited, hashed,
                            checked to be what its extension says (magic bytes), encoding
                            detected (UTF-8 with or without BOM, GBK/GB18030, UTF-16)
           ─► mapping.py    headers matched to the schema's columns by aliases; the user
                            confirms (the mapping is saved per organisation and kind) and
                            picks the worksheet of a workbook; columns left out are recorded
           ─► load.py       the background job: sources.py reads the file as text in DuckDB
                            (Excel streamed to a CSV first, GBK converted to UTF-8), convert.py
                            converts and validates every row set-wise (sql.py), reports every
                            bad cell and duplicate key, and — only when nothing is wrong —
                            writes <kind>.parquet into a temporary directory that is renamed to
                            datasets/<org>/<kind>/v<n>/ as the version is numbered
           ─► store.py      where versions live; ``latest_ready_version`` and
                            ``version_files`` for the rules side

Beside them: ``progress.py`` (the load's progress bar: steps, rows of a worksheet, bytes of a
transcoded CSV, DuckDB's estimate) and ``privacy.py`` (phones, bank accounts and ID numbers are
masked in the stored column profile).

The writers are in ``monitoring/intake_actions.py``; the pages in ``views/datasets.py``; the
command line in ``cli.py`` (``qinglian monitor load``).
"""
