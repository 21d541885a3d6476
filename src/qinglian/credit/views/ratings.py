"""Credit rating pages (信用评价): the list of current ratings with filters, distribution chart
and export; one enterprise's rating with its factors and history; "recompute now"; the
federation's scoring model, its versions, editing a copy as a new version and activating it.

Reads go through ``restrict`` (``rating_queries``); writes through ``rating_actions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.exports import Column, xlsx_response
from qinglian.core.models import User
from qinglian.core.paging import paginate, parse_id, query_without_page
from qinglian.core.permissions import has_perm, require, restrict
from qinglian.registry import industries
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation

from .. import rating_actions
from ..choices import CATEGORY_POLARITY, RatingLetter, RecordCategory, Severity
from ..forms_ratings import RatingFilterForm, RatingModelForm
from ..models import Rating, RatingModel
from ..rating_queries import (
    access_rated_enterprise,
    current_ratings,
    distribution,
    federation_models,
    federations_for,
    rating_history,
)

CATEGORY_LABELS = dict(RecordCategory.choices)
SEVERITY_LABELS = dict(Severity.choices)
LETTER_LABELS = dict(RatingLetter.choices)


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _federation(request: HttpRequest) -> Organisation:
    """The federation a model page is about: the user's jurisdiction (the administrator
    chooses with ``?federation=``, else the first federation)."""
    federations = federations_for(request.user)
    wanted = parse_id(request.GET.get("federation") or request.POST.get("federation"))
    chosen = (federations.filter(pk=wanted).first() if wanted is not None
              else federations.first())
    if chosen is None:
        raise Http404
    return chosen


def _chambers(user: Any) -> list[tuple[int, str]]:
    return list(restrict(Organisation.objects.filter(
        kind__in=[OrganisationKind.CHAMBER, OrganisationKind.ASSOCIATION]), user)
        .order_by("name_pinyin").values_list("pk", "name")[:500])


def line_label(line: Any) -> str:
    if line.grade:
        return f"清廉指数等级：{line.grade}"
    label = CATEGORY_LABELS.get(line.category, line.category)
    return f"{label}（{SEVERITY_LABELS[line.severity]}）" if line.severity else label


def _export(qs: Any) -> HttpResponseBase:
    columns = [
        Column("企业名称", lambda r: r.organisation.name, 36),
        Column("统一社会信用代码", lambda r: r.organisation.uscc, 22),
        Column("行业", lambda r: industries.DIVISIONS.get(r.organisation.industry, ""), 20),
        Column("信用评级", lambda r: r.rating, 10),
        Column("得分", lambda r: r.points, 8),
        Column("清廉指数等级", lambda r: r.grade, 12),
        Column("评价模型", lambda r: str(r.model), 24),
        Column("计算时间", lambda r: r.computed_at, 20),
    ]
    return xlsx_response("信用评级", "信用评级", columns, qs.iterator(chunk_size=2000))


@login_required
@require_GET
def credit_rating_list(request: HttpRequest) -> HttpResponseBase:
    """Current ratings in scope, filtered; the letters' distribution over the filtered set."""
    require(request.user, "credit.view")
    form = RatingFilterForm(request.GET or None, chambers=_chambers(request.user))
    qs = current_ratings(request.user, form.filters())
    if request.GET.get("export") == "xlsx":
        require(request.user, "credit.export")
        return _export(qs)
    counts = distribution(qs)
    chart = {"ratings": {"title": "信用评级分布", "kind": "bar",
                         "labels": [LETTER_LABELS[k] for k in counts],
                         "values": list(counts.values())}}
    return render(request, "credit/rating_list.html", {
        "form": form, "page_obj": paginate(request, qs), "query": query_without_page(request),
        "counts": counts, "total": sum(counts.values()), "chart": chart,
        "can_export": has_perm(request.user, "credit.export"),
        "can_recompute": has_perm(request.user, "credit.recompute_ratings"),
        "can_manage": has_perm(request.user, "credit.manage_rules"),
        "federations": (list(federations_for(request.user))
                        if has_perm(request.user, "credit.recompute_ratings") else []),
    })


@login_required
@require_GET
def credit_rating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One enterprise: its current rating, the factors behind it, and every earlier rating."""
    require(request.user, "credit.view")
    organisation = access_rated_enterprise(request.user, pk)
    history = rating_history(request.user, organisation)
    current = next((r for r in history if r.is_current), None)
    for rating in history:
        rating.factor_rows = [(line_label(line), line.count, line.points)  # type: ignore[attr-defined]
                              for line in sorted(rating.lines.all(), key=lambda x: x.points)]
    return render(request, "credit/rating_detail.html", {
        "organisation": organisation, "current": current,
        "earlier": [r for r in history if not r.is_current],
    })


@login_required
@require_POST
def credit_rating_recompute(request: HttpRequest) -> HttpResponse:
    require(request.user, "credit.recompute_ratings")
    federation = _federation(request)
    counts = rating_actions.do_recompute_ratings(federation, actor=_actor(request))
    messages.success(request, f"已重新计算 {counts.enterprises} 家企业的信用评级，"
                              f"其中 {counts.changed} 家评级有变化")
    return redirect("credit_rating_list")


def _model_rows(model: RatingModel | None, spec: rating_actions.ModelSpec) -> dict[str, Any]:
    factors = [{"category": CATEGORY_LABELS[c], "severity": SEVERITY_LABELS.get(s, "—"),
                "points": p, "cap": cap, "negative": CATEGORY_POLARITY[c] == "negative"}
               for c, s, p, cap in sorted(spec.factors, key=lambda f: (
                   list(RecordCategory.values).index(f[0]), f[1]))]
    bands = sorted(spec.bands.items(), key=lambda b: -b[1])
    return {"model": model, "spec": spec, "factors": factors, "bands": bands}


@login_required
@require_GET
def credit_rating_model(request: HttpRequest) -> HttpResponse:
    """The active model (the default one before any is installed) and all versions."""
    require(request.user, "credit.view")
    federation = _federation(request)
    active = RatingModel.objects.filter(federation=federation, is_active=True).first()
    spec = rating_actions.spec_of(active) if active else rating_actions.default_spec()
    return render(request, "credit/rating_model.html", {
        **_model_rows(active, spec), "federation": federation,
        "versions": list(federation_models(federation)),
        "federations": list(federations_for(request.user)),
        "can_manage": has_perm(request.user, "credit.manage_rules"),
    })


def _access_model(request: HttpRequest, pk: int) -> RatingModel:
    model = (RatingModel.objects.filter(pk=pk, federation__in=federations_for(request.user))
             .select_related("federation").first())
    if model is None:
        raise Http404
    return model


@login_required
@require_GET
def credit_rating_model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "credit.view")
    model = _access_model(request, pk)
    return render(request, "credit/rating_model_detail.html", {
        **_model_rows(model, rating_actions.spec_of(model)), "federation": model.federation,
        "can_manage": has_perm(request.user, "credit.manage_rules"),
        "current_count": Rating.objects.filter(model=model, is_current=True).count(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def credit_rating_model_create(request: HttpRequest) -> HttpResponse:
    """Copy a version (the active one unless ``?from=``) and save the edit as a new version."""
    require(request.user, "credit.manage_rules")
    federation = _federation(request)
    source_id = parse_id(request.GET.get("from"))
    source = (RatingModel.objects.filter(federation=federation, pk=source_id).first()
              if source_id else
              RatingModel.objects.filter(federation=federation, is_active=True).first())
    spec = rating_actions.spec_of(source) if source else rating_actions.default_spec()
    form = RatingModelForm(request.POST or None, initial_spec=spec)
    if request.method == "POST" and form.is_valid():
        try:
            created = rating_actions.do_create_model_version(federation, form.spec(),
                                                             actor=_actor(request))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, f"已保存为第 {created.version} 版（尚未启用）。"
                                      "核对无误后请点击“启用并重新计算”。")
            return redirect("credit_rating_model_detail", pk=created.pk)
    return render(request, "credit/rating_model_form.html", {
        "form": form, "federation": federation, "source": source})


@login_required
@require_POST
def credit_rating_model_activate(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "credit.manage_rules")
    model = _access_model(request, pk)
    try:
        counts = rating_actions.do_activate_model(model, actor=_actor(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已启用第 {model.version} 版，重新计算了 {counts.enterprises} "
                                  f"家企业，其中 {counts.changed} 家评级有变化")
    return redirect("credit_rating_model_detail", pk=pk)


urlpatterns: list[URLPattern] = [
    path("ratings/", credit_rating_list, name="credit_rating_list"),
    path("ratings/recompute/", credit_rating_recompute, name="credit_rating_recompute"),
    path("ratings/model/", credit_rating_model, name="credit_rating_model"),
    path("ratings/models/new/", credit_rating_model_create, name="credit_rating_model_create"),
    path("ratings/models/<int:pk>/", credit_rating_model_detail,
         name="credit_rating_model_detail"),
    path("ratings/models/<int:pk>/activate/", credit_rating_model_activate,
         name="credit_rating_model_activate"),
    path("ratings/<int:pk>/", credit_rating_detail, name="credit_rating_detail"),
]
