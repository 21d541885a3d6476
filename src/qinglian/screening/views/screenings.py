"""Screening pages: past screenings, a new screening, one screening's results (with review
buttons and an .xlsx export), and the review of one hit.

``screening.view`` decides who may read at all (403: departments); scope (``restrict`` /
``access``) decides which screenings (404 for the others). Screening and reviewing happen for
the user's own organisation only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.views.people import acting_user

from ..actions import do_review_hit, do_screen_parties
from ..choices import HitStatus, InputKind
from ..forms import ScreeningForm
from ..lists import MAX_PARTIES
from ..models import Hit, ScreenedParty, Screening
from ..queries import applicable_lists, home_organisation, visible_screenings
from ..sources import platform_sources
from ..workflow import HIT_FLOW

SHOW = {"flagged": "有命中", "clear": "无命中", "open": "待复核"}


@login_required
@require_GET
def screening_list(request: HttpRequest) -> HttpResponse:
    """Past screenings, newest first; by organisation name or title."""
    require(request.user, "screening.view")
    screenings = visible_screenings(request.user)
    query = (request.GET.get("q") or "").strip()
    if query:
        screenings = screenings.filter(title__icontains=query) | screenings.filter(
            organisation__name__icontains=query)
    return render(request, "screening/list.html", {
        "page_obj": paginate(request, screenings.order_by("-screened_at", "-id")),
        "query": query, "can_screen": has_perm(request.user, "screening.screen"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def screening_create(request: HttpRequest) -> HttpResponse:
    """Screen one counterparty, a pasted list or an uploaded file for the user's organisation."""
    require(request.user, "screening.screen")
    actor = acting_user(request)
    organisation = home_organisation(actor)
    form = ScreeningForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            if organisation is None:
                raise ValidationError(_("您的账户未关联单位，不能开展筛查"))
            screening = do_screen_parties(
                organisation, parties=form.parties, input_kind=form.input_kind,
                title=form.cleaned_data.get("title") or "",
                threshold=form.cleaned_data["threshold"], actor=actor)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("筛查完成：共 %(n)d 个对象，%(f)d 个有命中") % {
                "n": screening.party_count, "f": screening.flagged_count})
            return redirect("screening_detail", pk=screening.pk)
    lists = list(applicable_lists(organisation)) if organisation is not None else []
    return render(request, "screening/form.html", {
        "form": form, "line_errors": form.line_errors, "max_parties": MAX_PARTIES,
        "lists": lists, "sources": platform_sources(),
    })


def _parties(screening: Screening, show: str) -> QuerySet[ScreenedParty]:
    parties = screening.parties.order_by("line", "id")
    if show == "flagged":
        parties = parties.filter(hit_count__gt=0)
    elif show == "clear":
        parties = parties.filter(hit_count=0)
    elif show == "open":
        parties = parties.filter(hits__status=HitStatus.OPEN).distinct()
    return parties


def _export(screening: Screening) -> HttpResponseBase:
    hits = Hit.objects.filter(party__screening=screening).select_related("party").order_by(
        "party__line", "-score", "id")
    return xlsx_response(f"合作方筛查结果_{screening.pk}", "筛查结果", [
        Column(_("行号"), lambda h: h.party.line, 8),
        Column(_("筛查对象"), lambda h: h.party.name, 32),
        Column(_("统一社会信用代码"), lambda h: h.party.uscc, 22),
        Column(_("命中名称"), lambda h: h.entry_name, 32),
        Column(_("命中代码"), lambda h: h.entry_uscc, 22),
        Column(_("名单"), lambda h: h.list_name, 20),
        Column(_("列入原因"), lambda h: h.entry_reason, 30),
        Column(_("匹配方式"), lambda h: h.get_method_display(), 12),
        Column(_("得分"), lambda h: float(h.score), 8),
        Column(_("匹配说明"), lambda h: h.explanation, 60),
        Column(_("复核状态"), lambda h: h.get_status_display(), 10),
        Column(_("复核意见"), lambda h: h.note, 30),
    ], hits.iterator(chunk_size=1000))


@login_required
@require_GET
def screening_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One screening: counts, lists used, each party with its hits, score, entry and reason."""
    require(request.user, "screening.view")
    screening = access(visible_screenings(request.user), request.user, pk)
    if request.GET.get("export") == "xlsx":
        require(request.user, "screening.export")
        return _export(screening)
    show = request.GET.get("show", "")
    page = paginate(request, _parties(screening, show), per_page=20)
    hits: dict[int, list[Hit]] = {}
    for hit in Hit.objects.filter(party__in=[p.pk for p in page.object_list]).order_by(
            "-score", "id"):
        hits.setdefault(hit.party_id, []).append(hit)
    can_review = restrict(Screening.objects.filter(pk=screening.pk), request.user, WRITE).exists() \
        and has_perm(request.user, "screening.review")
    rows = [(party, [(hit, HIT_FLOW.allowed_targets(hit, request.user) if can_review else [])
                     for hit in hits.get(party.pk, [])]) for party in page.object_list]
    return render(request, "screening/detail.html", {
        "screening": screening, "page_obj": page, "rows": rows, "show": show, "shows": SHOW,
        "open_count": Hit.objects.filter(party__screening=screening, status=HitStatus.OPEN).count(),
        "can_export": has_perm(request.user, "screening.export"), "can_review": can_review,
        "input_kinds": dict(InputKind.choices), "labels": dict(HitStatus.choices),
    })


@login_required
@require_POST
def hit_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a hit, mark it a false positive (with a reason) or reopen it."""
    require(request.user, "screening.review")
    hit = access(Hit.objects.select_related("party__screening"), request.user, pk, WRITE)
    to = request.POST.get("to", "")
    try:
        do_review_hit(hit, to=to, note=request.POST.get("note", ""), actor=acting_user(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except (TransitionNotAllowed, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已将“%(party)s”与“%(entry)s”的命中标记为“%(state)s”") % {
            "party": hit.party.name, "entry": hit.entry_name, "state": HitStatus(to).label})
    return redirect(_back(request, hit))


def _back(request: HttpRequest, hit: Hit) -> str:
    from django.urls import reverse

    url = reverse("screening_detail", args=[hit.party.screening_id])
    page = request.POST.get("page", "")
    return f"{url}?page={page}#party-{hit.party_id}" if page.isdigit() else f"{url}#party-{hit.party_id}"


urlpatterns = [
    path("", screening_list, name="screening_list"),
    path("new/", screening_create, name="screening_create"),
    path("<int:pk>/", screening_detail, name="screening_detail"),
    path("hits/<int:pk>/review/", hit_review, name="hit_review"),
]
