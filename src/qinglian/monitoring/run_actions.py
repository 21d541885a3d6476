"""Rule runs (规则运行): start one, run it as a background job rule by rule, cancel it.

``do_start_run`` checks everything a person can get wrong before anything is queued — rule
codes, parameter values against their bounds, the engine, and that a ready dataset version
exists for every kind of ledger the rules read — then records the run (rules, the resolved
parameter values, the dataset versions, the engine) and queues it. ``execute_run`` is the job:
it runs the rules one at a time, checks for cancellation between them, turns each rule's hits
into alerts in one transaction per rule (alert_actions.record_hits), and records per-rule
counts and the duration. A failure is recorded with its reason in Chinese.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import record_change, record_event
from qinglian.core.choices import AuditAction, Role
from qinglian.core.permissions import require

from .calendar import TABLE as CALENDAR_TABLE
from .calendar import calendar_input, calendar_warnings, dataset_years
from .choices import DatasetKind, LoadStatus, RunStatus
from .engine import ParameterError, Rule, all_rules, get_rule, resolve_parameters
from .engine.duckdb_runner import DuckDBRunner, check_table_name
from .jobs import RUN_JOB, Cancelled, owning, run_in_background, should_stop
from .models import EVIDENCE_LIMIT, DatasetVersion, Run

ENGINES = {"duckdb": "DuckDB（内置）", "spark": "Apache Spark"}
#: Progress callback of the CLI: (rules done, rules in total, the rule just finished).
Progress = Callable[[int, int, str], None]
_STORE = "qinglian.monitoring.intake.store"


# --- what a run needs -------------------------------------------------------------------------

def table_kind(table: str) -> str:
    """The dataset kind an input table comes from (the OCDS tables all come from one load)."""
    return DatasetKind.OCDS.value if table.startswith("ocds_") else table


#: Input tables the run derives itself rather than reading from a load: the statutory
#: calendar for the years the ledgers span (see calendar.py).
DERIVED_TABLES = frozenset({CALENDAR_TABLE})


def kinds_needed(rules: Iterable[Rule]) -> list[str]:
    return sorted({table_kind(table) for rule in rules for table in rule.inputs
                   if table not in DERIVED_TABLES})


def parse_rule_codes(codes: str | Iterable[str]) -> list[Rule]:
    """"L001,R018", a list of codes, or "all" → the rules, in code order; unknown codes are
    an error naming them."""
    if isinstance(codes, str):
        if codes.strip().lower() == "all":
            return all_rules()
        codes = codes.replace("，", ",").split(",")
    wanted = sorted({code.strip().upper() for code in codes if code.strip()})
    if not wanted:
        raise ValidationError("请至少选择一条规则")
    rules, unknown = [], []
    for code in wanted:
        try:
            rules.append(get_rule(code))
        except KeyError:
            unknown.append(code)
    if unknown:
        raise ValidationError(f"没有这些规则：{'、'.join(unknown)}")
    return rules


def jsonable_parameters(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: list(value) if isinstance(value, tuple) else value
            for name, value in values.items()}


def resolve_run_parameters(rules: Iterable[Rule],
                           given: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """Each rule's parameters: its defaults overridden by ``given[code]``, all validated.
    Errors name the rule and the parameter, in Chinese."""
    given = dict(given or {})
    codes = set()
    resolved: dict[str, Any] = {}
    errors = []
    for rule in rules:
        codes.add(rule.code)
        try:
            resolved[rule.code] = jsonable_parameters(resolve_parameters(rule, given.get(rule.code)))
        except ParameterError as exc:
            errors.append(f"规则 {rule.code} 的参数 {exc}")
    for code in sorted(set(given) - codes):
        errors.append(f"规则 {code} 不在本次运行的规则中，不能为它设置参数")
    if errors:
        raise ValidationError(errors)
    return resolved


def latest_ready_version(organisation_id: int, kind: str) -> DatasetVersion | None:
    """The newest ready load of this kind (from the intake's store once it exists)."""
    if importlib.util.find_spec(_STORE) is not None:
        store = importlib.import_module(_STORE)
        return store.latest_ready_version(organisation_id, kind)  # type: ignore[no-any-return]
    return (DatasetVersion.objects
            .filter(dataset__organisation_id=organisation_id, dataset__kind=kind,
                    status=LoadStatus.READY)
            .order_by("-version", "-pk").first())


def version_files(version: DatasetVersion) -> dict[str, Path]:
    """Input table name → Parquet file of a ready version."""
    if importlib.util.find_spec(_STORE) is not None:
        store = importlib.import_module(_STORE)
        return dict(store.version_files(version))
    directory = Path(settings.QINGLIAN_HOME) / version.path
    return {path.stem: path for path in sorted(directory.glob("*.parquet"))}


def spark_choice_available() -> bool:
    return importlib.util.find_spec("pyspark") is not None


def _check_organisation(actor: Any, organisation: Any) -> None:
    if actor is None or actor.role == Role.ADMIN:
        return
    if actor.role == Role.AUDITOR or getattr(actor, "organisation_id", None) != organisation.pk:
        raise PermissionDenied("只能对本单位的数据运行规则")


# --- actions ----------------------------------------------------------------------------------

@transaction.atomic
def do_start_run(organisation: Any, *, rules: str | Iterable[str],
                 parameters: Mapping[str, Mapping[str, Any]] | None = None,
                 engine: str = "duckdb", actor: Any, queue: bool = True) -> Run:
    """Check and record a run of ``rules`` over the organisation's latest ready datasets, and
    queue it (``queue=False``: the caller runs ``execute_run`` itself, as the CLI does)."""
    if actor is not None:
        require(actor, "monitoring.run")
    _check_organisation(actor, organisation)
    chosen = parse_rule_codes(rules)
    if engine not in ENGINES:
        raise ValidationError(f"不支持的引擎：{engine}（可选 duckdb、spark）")
    if engine == "spark" and not spark_choice_available():
        raise ValidationError("本机未安装 pyspark，不能使用 Spark 引擎")
    values = resolve_run_parameters(chosen, parameters)
    versions: dict[str, int] = {}
    missing = []
    for kind in kinds_needed(chosen):
        version = latest_ready_version(organisation.pk, kind)
        if version is None:
            users = [r.code for r in chosen if kind in {table_kind(t) for t in r.inputs}]
            label = DatasetKind(kind).label if kind in DatasetKind.values else kind
            missing.append(f"缺少已入库的“{label}”数据集（规则 {'、'.join(users)} 需要），"
                           "请先上传该数据")
        else:
            versions[kind] = version.pk
    if missing:
        raise ValidationError(missing)
    run = Run.objects.create(
        organisation=organisation, engine=engine, rules=[r.code for r in chosen],
        parameters=values, versions=versions, progress_total=len(chosen),
        started_by=actor if actor is not None and actor.pk else None,
        created_at=timezone.now())
    record_change(run, AuditAction.CREATE, actor=actor, after={
        "rules": run.rules, "engine": engine, "versions": versions})
    record_event(run, "run.queued", actor=actor, details={"rules": run.rules})
    if queue:
        run_in_background(execute_run, run.pk)
    return run


@transaction.atomic
def do_cancel_run(run: Run, *, actor: Any) -> Run:
    """Ask a queued or running run to stop; it stops between two rules (the rules already
    finished keep their alerts). A queued run is cancelled at once."""
    if actor is not None:
        require(actor, "monitoring.run")
    _check_organisation(actor, run.organisation)
    run = Run.objects.select_for_update().get(pk=run.pk)
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        raise ValidationError("该运行已结束，不能取消")
    run.cancel_requested = True
    fields = ["cancel_requested"]
    if run.status == RunStatus.QUEUED:
        run.status, run.finished_at = RunStatus.CANCELLED, timezone.now()
        run.message = "已在开始前取消"
        fields += ["status", "finished_at", "message"]
    run.save(update_fields=fields)
    record_event(run, "run.cancel_requested", actor=actor)
    return run


# --- the job ----------------------------------------------------------------------------------

def _finish(run_id: int, status: str, message: str, started: float, actor: Any) -> None:
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run_id)
        run.status, run.message, run.finished_at = status, message, timezone.now()
        run.duration_ms = int((time.perf_counter() - started) * 1000)
        run.save(update_fields=["status", "message", "finished_at", "duration_ms"])
        record_event(run, f"run.{status}", actor=actor,
                     details={"message": message, "counts": run.counts})


def _inputs(run: Run, rules: list[Rule]) -> tuple[dict[str, Path], list[str]]:
    """The run's input tables (the dataset versions' files, plus the derived tables), and
    warnings to show with the result (e.g. a year the statutory calendar does not know)."""
    tables = {table for rule in rules for table in rule.inputs}
    files: dict[str, Path] = {}
    for version in DatasetVersion.objects.filter(pk__in=run.versions.values()):
        files.update(version_files(version))
    missing = sorted(tables - set(files) - DERIVED_TABLES)
    if missing:
        raise RuntimeError(f"数据集版本中缺少数据表 {'、'.join(missing)}")
    inputs: dict[str, Path] = {table: files[table] for table in sorted(tables - DERIVED_TABLES)}
    warnings: list[str] = []
    if CALENDAR_TABLE in tables:
        directory = Path(settings.QINGLIAN_HOME) / "monitoring" / "runs" / str(run.pk)
        inputs = {k: Path(str(v)) for k, v in calendar_input(directory, inputs).items()}
        warnings = calendar_warnings(dataset_years(inputs))
    return inputs, warnings


def _runner(engine: str, inputs: dict[str, Path]) -> Any:
    if engine == "spark":
        from .engine.spark_runner import SparkRunner, local_spark_session

        return SparkRunner(local_spark_session(), inputs)
    return DuckDBRunner(inputs)


def execute_run(run_id: int, *, on_progress: Progress | None = None) -> None:
    """The background job of a run (see the module docs). Ctrl-C in the CLI cancels it: the
    rule under way rolls back, the rules already finished keep their alerts. The process
    running it holds the run's owner lock (jobs.py), so no other process's start-up recovery
    marks it failed."""
    with owning(RUN_JOB, run_id):
        _execute_run(run_id, on_progress=on_progress)


def _execute_run(run_id: int, *, on_progress: Progress | None = None) -> None:
    from .alert_actions import record_hits

    run = Run.objects.select_related("organisation").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return
    started = time.perf_counter()
    Run.objects.filter(pk=run_id).update(status=RunStatus.RUNNING, started_at=timezone.now())
    rules = [get_rule(code) for code in run.rules]
    counts: dict[str, Any] = {}
    warnings: list[str] = []
    current = ""
    evidence: EvidenceStore | None = None
    try:
        inputs, warnings = _inputs(run, rules)
        runner = _runner(run.engine, inputs)
        evidence = EvidenceStore(run, inputs, runner if run.engine == "duckdb" else None)
        for done, rule in enumerate(rules, start=1):
            if should_stop(Run, run_id):
                raise Cancelled
            current = rule.code
            outcome = runner.run(rule, run.parameters.get(rule.code))
            with transaction.atomic():
                counts[rule.code] = record_hits(run, rule, outcome.hits,
                                                parameters=outcome.parameters,
                                                evidence=evidence)
                counts[rule.code]["seconds"] = round(outcome.seconds, 3)
                Run.objects.filter(pk=run_id).update(progress_done=done, counts=counts)
            if on_progress is not None:
                on_progress(done, len(rules), rule.code)
    except (Cancelled, KeyboardInterrupt) as exc:
        _finish(run_id, RunStatus.CANCELLED,
                f"已取消：完成 {len(counts)} / {len(rules)} 条规则", started, None)
        if isinstance(exc, KeyboardInterrupt):
            raise
        return
    except Exception as exc:
        where = f"规则 {current} " if current else ""
        _finish(run_id, RunStatus.FAILED, f"{where}运行失败：{exc}", started, None)
        raise
    finally:
        if evidence is not None:
            evidence.close()
    total = sum(c["hits"] for c in counts.values())
    _finish(run_id, RunStatus.SUCCEEDED,
            "；".join([f"完成 {len(rules)} 条规则，命中 {total} 条", *warnings]), started, None)


# --- evidence rows ----------------------------------------------------------------------------

def evidence_directory(run_id: int) -> Path:
    return Path(settings.QINGLIAN_HOME) / "monitoring" / "runs" / str(run_id) / "evidence"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)  # Decimal amounts keep every digit


class EvidenceStore:
    """A run's evidence: the first rows of every hit inline (set-wise, one query per rule) and
    every key in a Parquet file per rule, from which an alert's full evidence is exported."""

    def __init__(self, run: Run, inputs: Mapping[str, Path], runner: DuckDBRunner | None) -> None:
        self.run = run
        self.runner = runner or DuckDBRunner(dict(inputs))
        self.own = runner is None
        self.connection = self.runner.connection

    def close(self) -> None:
        self.runner.close()

    def rows(self, rule: Rule, keys: Mapping[str, tuple[str, ...]],
             limit: int | None = None) -> dict[str, list[dict[str, Any]]]:
        """Fingerprint → its first ``limit`` evidence rows (ordered by key); writes all keys
        to the run's evidence file for the rule."""
        limit = EVIDENCE_LIMIT if limit is None else limit
        table = getattr(rule, "evidence_table", "")
        key = getattr(rule, "evidence_key", "")
        pairs = [(fp, k) for fp, ks in keys.items() for k in ks]
        if not table or not key or not pairs:
            return {}
        check_table_name(table)
        check_table_name(key)
        con = self.connection
        con.execute("CREATE OR REPLACE TEMP TABLE ql_evidence_keys AS "
                    "SELECT unnest(?::VARCHAR[]) AS fingerprint, unnest(?::VARCHAR[]) AS evidence_key",
                    [[p[0] for p in pairs], [p[1] for p in pairs]])
        directory = evidence_directory(self.run.pk)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{check_table_name(rule.code.lower())}.parquet"
        con.execute(f"COPY ql_evidence_keys TO {_quote(str(path))} (FORMAT parquet)")
        cursor = con.execute(
            f"SELECT k.fingerprint AS ql_fingerprint, t.* FROM ("  # noqa: S608 - checked names
            "  SELECT *, row_number() OVER (PARTITION BY fingerprint ORDER BY evidence_key) AS n"
            "  FROM ql_evidence_keys) AS k"
            f" JOIN {table} AS t ON CAST(t.{key} AS VARCHAR) = k.evidence_key"
            f" WHERE k.n <= {int(limit)} ORDER BY k.fingerprint, k.evidence_key")
        columns = [c[0] for c in cursor.description or ()]
        found: dict[str, list[dict[str, Any]]] = {}
        for row in cursor.fetchall():
            found.setdefault(row[0], []).append(
                {name: _json_value(value) for name, value in zip(columns[1:], row[1:], strict=True)})
        con.execute("DROP TABLE ql_evidence_keys")
        return found


def full_evidence(alert: Any) -> tuple[list[str], Iterable[tuple[Any, ...]]] | None:
    """All evidence rows of an alert from the dataset version its last run read, or None when
    the rule keeps no evidence (or the files are gone)."""
    run = alert.last_run
    if run is None:
        return None
    rule = get_rule(alert.rule_code)
    table, key = getattr(rule, "evidence_table", ""), getattr(rule, "evidence_key", "")
    keys_path = evidence_directory(run.pk) / f"{rule.code.lower()}.parquet"
    if not table or not key or not keys_path.exists():
        return None
    version = DatasetVersion.objects.filter(pk=run.versions.get(table_kind(table))).first()
    source = version_files(version).get(table) if version is not None else None
    if source is None or not source.exists():
        return None
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.read_parquet(str(source)).create_view("ql_source")
    con.read_parquet(str(keys_path)).create_view("ql_keys")
    cursor = con.execute(
        f"SELECT t.* FROM ql_source AS t SEMI JOIN (SELECT evidence_key FROM ql_keys "  # noqa: S608
        f"WHERE fingerprint = ?) AS k ON CAST(t.{check_table_name(key)} AS VARCHAR) = k.evidence_key "
        f"ORDER BY t.{key}", [alert.fingerprint])
    columns = [c[0] for c in cursor.description or ()]

    def batches() -> Iterable[tuple[Any, ...]]:
        try:
            while chunk := cursor.fetchmany(10_000):
                yield from chunk
        finally:
            con.close()

    return columns, batches()
