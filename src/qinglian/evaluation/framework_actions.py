"""The only code that writes frameworks (指标体系): build, edit while draft, freeze, copy, retire.

A framework a campaign uses is frozen (``do_freeze_framework``); changing it afterwards means a
new version (``do_copy_framework``). Every writer here refuses to touch a frozen framework.

The plain-dict *spec* (``FrameworkSpec``) is the exchange format shared by the shipped default
framework (``defaults.py``) and the ``.xlsx`` import/export (``framework_io.py``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from qinglian.core.audit import AuditEntry, record_change, record_event, record_many, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.models import User
from qinglian.core.permissions import require
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation

from .choices import DEFAULT_GRADE_BANDS, FAIL_GRADE, FrameworkStatus
from .models import Dimension, Framework, GradeBand, Indicator, NegativeItem
from .scoring import ScoringError, decimal_of, validate_indicator

Actor = User | None

#: The framework's indicators must add up to this many points.
FULL_SCALE = Decimal(1000)


class IndicatorSpec(TypedDict, total=False):
    code: str
    name: str
    guidance: str
    max_points: str
    method: str
    evidence_required: bool
    levels: list[dict[str, Any]]
    thresholds: list[dict[str, Any]]
    floor: str | None
    target: str | None
    unit: str
    computed_source: str


class DimensionSpec(TypedDict):
    code: str
    name: str
    indicators: list[IndicatorSpec]


class NegativeItemSpec(TypedDict, total=False):
    code: str
    name: str
    description: str


class FrameworkSpec(TypedDict, total=False):
    code: str
    name: str
    description: str
    bands: list[tuple[str, int]]
    dimensions: list[DimensionSpec]
    negative_items: list[NegativeItemSpec]


def _require(actor: Actor, perm: str = "evaluation.manage_framework") -> None:
    if actor is not None:
        require(actor, perm)


def _editable(framework: Framework) -> None:
    if framework.is_frozen:
        raise ValidationError("该指标体系已启用并冻结，不能修改；请复制为新版本后再修改")


def _optional_decimal(value: Any, what: str) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return decimal_of(value, what)
    except ScoringError as exc:
        raise ValidationError(str(exc)) from exc


def _next_version(federation: Organisation, code: str) -> int:
    latest = Framework.objects.filter(federation=federation, code=code).aggregate(v=Max("version"))
    return int(latest["v"] or 0) + 1


def validate_spec(spec: FrameworkSpec, *, full_scale: bool = True) -> list[str]:
    """Every problem with a framework spec, in Chinese, located by dimension and indicator code.

    ``full_scale=False`` skips the 1000-point total: a draft is edited one indicator at a time,
    so its total is off between two edits; freezing checks it again.
    """
    errors: list[str] = []
    dims = spec.get("dimensions") or []
    if not str(spec.get("name", "")).strip():
        errors.append("指标体系名称不能为空")
    if not dims:
        errors.append("指标体系至少需要一个维度")
    seen_dims: set[str] = set()
    seen_codes: set[str] = set()
    total = Decimal(0)
    for dim in dims:
        code = str(dim.get("code", "")).strip()
        if not code or not str(dim.get("name", "")).strip():
            errors.append(f"维度“{code or dim.get('name', '')}”缺少代码或名称")
        if code in seen_dims:
            errors.append(f"维度代码 {code} 重复")
        seen_dims.add(code)
        if not dim.get("indicators"):
            errors.append(f"维度 {code} 没有指标")
        for spec_ind in dim.get("indicators") or []:
            where = f"指标 {str(spec_ind.get('code', '')).strip() or '（无代码）'}"
            try:
                ind = _indicator_from_spec(spec_ind)
            except ValidationError as exc:
                errors.extend(f"{where}：{message}" for message in exc.messages)
                continue
            if not ind.code or not ind.name:
                errors.append(f"{where}：缺少代码或名称")
            if ind.code in seen_codes:
                errors.append(f"{where}：代码重复")
            seen_codes.add(ind.code)
            problems = validate_indicator(ind)
            errors.extend(f"{where}：{p}" for p in problems)
            if not problems:
                total += Decimal(ind.max_points)
    if full_scale and dims and not errors and total != FULL_SCALE:
        errors.append(f"各指标分值合计为 {total} 分，应为 {FULL_SCALE} 分")
    errors.extend(_band_errors(spec.get("bands") or list(DEFAULT_GRADE_BANDS)))
    item_codes = [str(i.get("code", "")).strip() for i in spec.get("negative_items") or []]
    if len(item_codes) != len(set(item_codes)) or "" in item_codes:
        errors.append("负面清单事项代码不能为空或重复")
    return errors


def _band_errors(bands: list[tuple[str, int]]) -> list[str]:
    errors = []
    names = [name for name, _ in bands]
    floors = [int(floor) for _, floor in bands]
    if len(set(names)) != len(names) or len(set(floors)) != len(floors):
        errors.append("等级名称和最低分不能重复")
    if 0 not in floors:
        errors.append("须有一个最低分为 0 的等级（不达标）")
    if any(f < 0 or f > FULL_SCALE for f in floors):
        errors.append(f"等级最低分须在 0 到 {FULL_SCALE} 之间")
    if FAIL_GRADE not in names:
        errors.append(f"须设“{FAIL_GRADE}”等级（一票否决时使用）")
    elif dict(zip(names, floors, strict=True))[FAIL_GRADE] != 0:
        errors.append(f"“{FAIL_GRADE}”必须是最低分为 0 的等级")
    return errors


def _indicator_from_spec(spec: IndicatorSpec) -> Indicator:
    try:
        max_points = decimal_of(spec.get("max_points", ""), "分值")
    except ScoringError:
        max_points = Decimal(-1)
    return Indicator(
        code=str(spec.get("code", "")).strip(), name=str(spec.get("name", "")).strip(),
        guidance=str(spec.get("guidance", "") or ""), max_points=max_points,
        method=str(spec.get("method", "")), evidence_required=bool(spec.get("evidence_required")),
        levels=list(spec.get("levels") or []), thresholds=list(spec.get("thresholds") or []),
        floor=_optional_decimal(spec.get("floor"), "不允许值"),
        target=_optional_decimal(spec.get("target"), "满意值"),
        unit=str(spec.get("unit", "") or ""), computed_source=str(spec.get("computed_source", "") or ""),
    )


@transaction.atomic
def do_install_framework(federation: Organisation, spec: FrameworkSpec, *, actor: Actor) -> Framework:
    """Create a new draft version of a framework from a spec (default, import or copy)."""
    _require(actor)
    if federation.kind != OrganisationKind.FEDERATION:
        raise ValidationError("指标体系只能由工商联制定")
    errors = validate_spec(spec)
    if errors:
        raise ValidationError(errors)
    lock(federation)  # two installs at once must not both take the next version number
    code = str(spec.get("code") or "QLZS").strip()
    framework = Framework.objects.create(
        federation=federation, code=code, name=str(spec["name"]).strip(),
        description=str(spec.get("description", "") or ""),
        version=_next_version(federation, code),
    )
    _fill(framework, spec)
    record_change(framework, AuditAction.CREATE, actor=actor, after=snapshot(framework))
    return framework


def framework_spec(framework: Framework) -> FrameworkSpec:
    """A framework as a spec: what ``do_install_framework`` would rebuild it from."""
    dims: list[DimensionSpec] = []
    for dim in framework.dimensions.prefetch_related("indicators"):
        dims.append(DimensionSpec(code=dim.code, name=dim.name, indicators=[
            IndicatorSpec(
                code=i.code, name=i.name, guidance=i.guidance, max_points=str(i.max_points),
                method=i.method, evidence_required=i.evidence_required, levels=list(i.levels),
                thresholds=list(i.thresholds),
                floor=None if i.floor is None else str(i.floor),
                target=None if i.target is None else str(i.target),
                unit=i.unit, computed_source=i.computed_source,
            ) for i in dim.indicators.all()
        ]))
    return FrameworkSpec(
        code=framework.code, name=framework.name, description=framework.description,
        bands=[(b.name, b.min_points) for b in framework.bands.all()], dimensions=dims,
        negative_items=[NegativeItemSpec(code=n.code, name=n.name, description=n.description)
                        for n in framework.negative_items.all()],
    )


@transaction.atomic
def do_copy_framework(framework: Framework, *, actor: Actor) -> Framework:
    """A new draft version with the same content, to be changed and then frozen."""
    _require(actor)
    copy = do_install_framework(framework.federation, framework_spec(framework), actor=actor)
    copy.based_on = framework
    copy.save(update_fields=["based_on"])
    record_event(copy, "framework.copied", actor=actor, details={"from_version": framework.version})
    return copy


@transaction.atomic
def do_update_framework(framework: Framework, spec: FrameworkSpec, *, actor: Actor) -> Framework:
    """Replace a draft framework's content with a spec (the edit form and re-import use this)."""
    _require(actor)
    lock(framework)
    _editable(framework)
    errors = validate_spec(spec, full_scale=False)
    if errors:
        raise ValidationError(errors)
    before = framework_spec(framework)
    framework.name = str(spec["name"]).strip()
    framework.description = str(spec.get("description", "") or "")
    framework.save(update_fields=["name", "description", "updated_at"])
    framework.indicators.all().delete()
    framework.dimensions.all().delete()
    framework.bands.all().delete()
    framework.negative_items.all().delete()
    _fill(framework, spec)
    after = framework_spec(framework)
    if after != before:  # saving an unchanged form is not a change worth an audit record
        record_many([AuditEntry(framework, AuditAction.UPDATE, before={"spec": before},
                                after={"spec": after})], actor=actor)
    return framework


def _fill(framework: Framework, spec: FrameworkSpec) -> None:
    GradeBand.objects.bulk_create(
        GradeBand(framework=framework, name=name, min_points=int(floor))
        for name, floor in (spec.get("bands") or DEFAULT_GRADE_BANDS)
    )
    indicators: list[Indicator] = []
    for d_sort, dim_spec in enumerate(spec["dimensions"]):
        dim = Dimension.objects.create(framework=framework, code=dim_spec["code"].strip(),
                                       name=dim_spec["name"].strip(), sort=d_sort)
        for i_sort, ind_spec in enumerate(dim_spec["indicators"]):
            ind = _indicator_from_spec(ind_spec)
            ind.framework, ind.dimension, ind.sort = framework, dim, i_sort
            indicators.append(ind)
    Indicator.objects.bulk_create(indicators)
    NegativeItem.objects.bulk_create(
        NegativeItem(framework=framework, code=str(item["code"]).strip(), name=item["name"],
                     description=item.get("description", ""), sort=n)
        for n, item in enumerate(spec.get("negative_items") or [])
    )


@transaction.atomic
def do_freeze_framework(framework: Framework, *, actor: Actor) -> Framework:
    """Put a draft into use. From now on it never changes (campaigns depend on it)."""
    _require(actor)
    lock(framework)
    if framework.status == FrameworkStatus.FROZEN:
        return framework
    _editable(framework)
    errors = validate_spec(framework_spec(framework))
    if errors:
        raise ValidationError(errors)
    before = snapshot(framework)
    framework.status, framework.frozen_at = FrameworkStatus.FROZEN, timezone.now()
    framework.save(update_fields=["status", "frozen_at", "updated_at"])
    record_change(framework, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(framework))
    record_event(framework, "framework.frozen", actor=actor)
    return framework


@transaction.atomic
def do_retire_framework(framework: Framework, *, actor: Actor) -> Framework:
    """No new campaign may use a retired framework; existing campaigns keep it."""
    _require(actor)
    lock(framework)
    if framework.status != FrameworkStatus.FROZEN:
        raise ValidationError("只有已启用的指标体系可以停用")
    before = snapshot(framework)
    framework.status, framework.retired_at = FrameworkStatus.RETIRED, timezone.now()
    framework.save(update_fields=["status", "retired_at", "updated_at"])
    record_change(framework, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(framework))
    record_event(framework, "framework.retired", actor=actor)
    return framework


@transaction.atomic
def do_delete_framework(framework: Framework, *, actor: Actor) -> None:
    """A draft that was never used may be discarded."""
    _require(actor)
    lock(framework)
    _editable(framework)
    record_change(framework, AuditAction.DELETE, actor=actor, before=snapshot(framework))
    framework.delete()
