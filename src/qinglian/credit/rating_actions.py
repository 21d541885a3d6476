"""The only code that writes rating models (信用评价模型) and starts a recompute of ratings.

A model is never edited in place: a federation copies its active model into a new version,
changes factors, grade points and bands, and activates it; activating recomputes every rating
of the federation (``ratings.recompute_ratings``), so each rating row names the model version
it was computed under and the history stays readable.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from qinglian.core.audit import record_change, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.validation import clean_text
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation
from qinglian.registry.queries import jurisdiction_id

from .actions import Actor, require_perm
from .choices import CATEGORY_POLARITY, Polarity, RatingLetter, RecordCategory, Severity
from .models import GradeFactor, RatingBand, RatingFactor, RatingModel
from .ratings import (
    DEFAULT_BANDS,
    DEFAULT_BASE_POINTS,
    DEFAULT_FACTORS,
    DEFAULT_GRADES,
    DEFAULT_MODEL_NAME,
    MAX_POINTS,
    RecomputeCounts,
    recompute_ratings,
)

POINT_LIMIT = 100
MAX_CAP = 99
LETTERS = [str(letter) for letter in RatingLetter.values]


@dataclass
class ModelSpec:
    """What a model version says, as entered (validated by ``clean_spec``)."""

    name: str = DEFAULT_MODEL_NAME
    base_points: int = DEFAULT_BASE_POINTS
    #: (category, severity, points, cap)
    factors: list[tuple[str, str, int, int]] = field(default_factory=list)
    #: (integrity grade, points)
    grades: list[tuple[str, int]] = field(default_factory=list)
    #: letter → lowest points
    bands: dict[str, int] = field(default_factory=dict)


def factor_key(category: str, severity: str) -> str:
    """The form field / error key of one factor, e.g. ``factor_penalty_serious``."""
    return f"factor_{category}_{severity or 'any'}"


def default_spec() -> ModelSpec:
    return ModelSpec(factors=[(c, s, p, cap) for c, s, p, cap in DEFAULT_FACTORS],
                     grades=list(DEFAULT_GRADES), bands=dict(DEFAULT_BANDS))


def spec_of(model: RatingModel) -> ModelSpec:
    return ModelSpec(
        name=model.name, base_points=model.base_points,
        factors=list(model.factors.order_by("category", "severity")
                     .values_list("category", "severity", "points", "cap")),
        grades=list(model.grade_factors.order_by("-points", "grade")
                    .values_list("grade", "points")),
        bands=dict(model.bands.values_list("rating", "min_points")))


def _bounded(value: Any, key: str, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({key: f"{what}应为整数"})
    if not low <= value <= high:
        raise ValidationError({key: f"{what}应在 {low} 至 {high} 之间"})
    return value


def _clean_factor(category: str, severity: str, points: int, cap: int) -> tuple[str, str, int, int]:
    key = factor_key(category, severity)
    if category not in RecordCategory.values:
        raise ValidationError({key: "未知的信用记录类别"})
    negative = CATEGORY_POLARITY[category] == Polarity.NEGATIVE
    if negative and severity not in Severity.values:
        raise ValidationError({key: "失信信息的因子须指定失信程度"})
    if not negative and severity:
        raise ValidationError({key: "守信及一般信息的因子不分失信程度"})
    points = _bounded(points, key, -POINT_LIMIT, POINT_LIMIT, "每条分值")
    cap = _bounded(cap, key, 1, MAX_CAP, "最多计入条数")
    if negative and points > 0:
        raise ValidationError({key: "失信信息的分值不能为正数"})
    if CATEGORY_POLARITY[category] == Polarity.POSITIVE and points < 0:
        raise ValidationError({key: "守信信息的分值不能为负数"})
    return category, severity, points, cap


def clean_spec(spec: ModelSpec) -> ModelSpec:
    """Refuse a model that cannot rate: points outside −100 … 100, a base outside 0 … 100,
    bands missing a letter or not strictly descending A > B > C > D."""
    name = clean_text(spec.name, "name", limit=64)
    base = _bounded(spec.base_points, "base_points", 0, MAX_POINTS, "基础分")
    factors, seen = [], set()
    for category, severity, points, cap in spec.factors:
        cleaned = _clean_factor(category, severity or "", points, cap)
        if cleaned[:2] in seen:
            raise ValidationError({factor_key(category, severity): "因子重复"})
        seen.add(cleaned[:2])
        factors.append(cleaned)
    grades, names = [], set()
    for index, (grade, points) in enumerate(spec.grades):
        grade_name = clean_text(grade, f"grade_{index}", limit=16)
        if grade_name in names:
            raise ValidationError({f"grade_{index}": f"清廉指数等级“{grade_name}”重复"})
        names.add(grade_name)
        grades.append((grade_name, _bounded(points, f"grade_{index}", -POINT_LIMIT, POINT_LIMIT,
                                            "等级分值")))
    bands: dict[str, int] = {}
    for letter in LETTERS:
        if spec.bands.get(letter) is None:
            raise ValidationError({f"band_{letter}": f"请填写 {letter} 级的最低分"})
        bands[letter] = _bounded(spec.bands[letter], f"band_{letter}", -POINT_LIMIT,
                                 POINT_LIMIT, f"{letter} 级最低分")
    if set(spec.bands) - set(LETTERS):
        raise ValidationError({"bands": "评级只能是 A、B、C、D"})
    for higher, lower in itertools.pairwise(LETTERS):
        if bands[higher] <= bands[lower]:
            raise ValidationError({f"band_{higher}": f"{higher} 级最低分应高于 {lower} 级"
                                                     f"（{bands[higher]} ≤ {bands[lower]}）"})
    return ModelSpec(name=name, base_points=base, factors=factors, grades=grades, bands=bands)


def federation_for(actor: Actor, federation: Organisation) -> Organisation:
    if federation.kind != OrganisationKind.FEDERATION:
        raise ValidationError("信用评价模型属于工商联")
    if actor is not None and actor.role != "admin" and jurisdiction_id(actor) != federation.pk:
        raise PermissionDenied("只能办理本辖区的信用评价")
    return federation


def _write_version(federation: Organisation, spec: ModelSpec, *, actor: Actor,
                   active: bool) -> RatingModel:
    version = (RatingModel.objects.filter(federation=federation)
               .aggregate(v=Max("version"))["v"] or 0) + 1
    model = RatingModel.objects.create(federation=federation, name=spec.name, version=version,
                                       base_points=spec.base_points, is_active=active)
    RatingFactor.objects.bulk_create(RatingFactor(model=model, category=c, severity=s, points=p,
                                                  cap=cap) for c, s, p, cap in spec.factors)
    GradeFactor.objects.bulk_create(GradeFactor(model=model, grade=g, points=p)
                                    for g, p in spec.grades)
    RatingBand.objects.bulk_create(RatingBand(model=model, rating=letter, min_points=points)
                                   for letter, points in spec.bands.items())
    record_change(model, AuditAction.CREATE, actor=actor,
                  after={**snapshot(model), "factors": [list(f) for f in spec.factors],
                         "grades": [list(g) for g in spec.grades], "bands": spec.bands})
    return model


def active_model(federation_id: int) -> RatingModel:
    """The federation's active model; the default one (version 1) is installed on first use."""
    model = RatingModel.objects.filter(federation_id=federation_id, is_active=True).first()
    if model is not None:
        return model
    return do_install_default_model(Organisation.objects.get(pk=federation_id), actor=None)


@transaction.atomic
def do_install_default_model(federation: Organisation, *, actor: Actor) -> RatingModel:
    """Install the default model (see ``ratings``) as version 1, active — unless the
    federation already has an active model, which is returned."""
    require_perm(actor, "credit.manage_rules")
    federation = lock(federation_for(actor, federation))
    existing = RatingModel.objects.filter(federation=federation, is_active=True).first()
    if existing is not None:
        return existing
    return _write_version(federation, clean_spec(default_spec()), actor=actor, active=True)


@transaction.atomic
def do_create_model_version(federation: Organisation, spec: ModelSpec, *,
                            actor: Actor) -> RatingModel:
    """Save an edited copy as the next version, not yet active."""
    require_perm(actor, "credit.manage_rules")
    federation = lock(federation_for(actor, federation))
    return _write_version(federation, clean_spec(spec), actor=actor, active=False)


@transaction.atomic
def do_activate_model(model: RatingModel, *, actor: Actor) -> RecomputeCounts:
    """Make this version the federation's active model and recompute every rating under it."""
    require_perm(actor, "credit.manage_rules")
    federation = lock(federation_for(actor, model.federation))
    model = lock(model)
    if model.is_active:
        raise ValidationError("该版本已是启用中的模型")
    for previous in RatingModel.objects.filter(federation=federation, is_active=True):
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
        record_change(previous, AuditAction.UPDATE, actor=actor, before={"is_active": True},
                      after={"is_active": False})
    model.is_active = True
    model.save(update_fields=["is_active", "updated_at"])
    record_change(model, AuditAction.UPDATE, actor=actor, before={"is_active": False},
                  after={"is_active": True})
    return recompute_ratings(federation.pk, actor=actor, model=model)


@transaction.atomic
def do_recompute_ratings(federation: Organisation, *, actor: Actor) -> RecomputeCounts:
    """Recompute all ratings of the federation now (records that left their window, a grade
    newly published): one audit event with the counts."""
    require_perm(actor, "credit.recompute_ratings")
    federation = lock(federation_for(actor, federation))
    return recompute_ratings(federation.pk, actor=actor)
