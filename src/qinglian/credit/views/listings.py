"""Red-list and blacklist pages (红黑名单): the officers' list with filters, export and the
bulk "record removal" of expired listings, proposing (by hand or by the rules), and a listing's
page with its due process: notify, decide, publish, remove."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.exports import Column, xlsx_response
from qinglian.core.formatting import chinese_date
from qinglian.core.models import User
from qinglian.core.paging import paginate, parse_id, query_without_page
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation
from qinglian.registry.queries import jurisdiction_id

from .. import listing_actions
from ..choices import (
    LISTING_OPEN,
    ListingStatus,
    ListKind,
    Measure,
    RecordStatus,
    RemovalReason,
)
from ..forms_process import ListingForm, NoteForm, RemovalForm
from ..listing_rules import propose_by_rules
from ..models import CreditRecord, Listing
from ..process_queries import list_listings, listing_filter, removable_expired
from ..queries import public_listings_q
from ..workflow import LISTING_FLOW

MEASURE_LABELS = dict(Measure.choices)


def actor_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def report_refusal(request: HttpRequest, exc: ValidationError | TransitionNotAllowed) -> None:
    """An action's refusal as a message at the top of the next page."""
    text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


def run_action(request: HttpRequest, run: Callable[[], Any], done: str) -> bool:
    try:
        run()
    except (ValidationError, TransitionNotAllowed) as exc:
        report_refusal(request, exc)
        return False
    messages.success(request, done)
    return True


def listing_columns() -> list[Column]:
    return [
        Column("编号", lambda x: x.number), Column("名单", lambda x: x.get_list_kind_display()),
        Column("企业", lambda x: x.subject_name, 28),
        Column("统一社会信用代码", lambda x: x.subject_code, 22),
        Column("状态", lambda x: x.get_status_display()),
        Column("来源", lambda x: x.get_origin_display()),
        Column("列入理由", lambda x: x.reasons, 40),
        Column("联合奖惩措施", lambda x: [MEASURE_LABELS.get(m, m) for m in x.measures], 30),
        Column("生效日期", lambda x: x.effective_on), Column("到期日期", lambda x: x.expires_on),
        Column("异议期截止", lambda x: x.objection_due),
        Column("移出原因", lambda x: x.get_removal_reason_display()),
    ]


@login_required
@require_GET
def listing_list(request: HttpRequest) -> HttpResponseBase:
    """Listings in scope, filtered by kind, status, search and "expired, awaiting removal"."""
    require(request.user, "credit.view")
    today = timezone.localdate()
    f = listing_filter(request.GET)
    listings = list_listings(request.user, f, today)
    if request.GET.get("export") == "xlsx":
        require(request.user, "credit.export")
        return xlsx_response("红黑名单", "红黑名单", listing_columns(), listings)
    page = paginate(request, listings)
    in_force = set(Listing.objects.filter(public_listings_q(today),
                                          pk__in=[x.pk for x in page]).values_list("pk", flat=True))
    for listing in page:
        listing.in_force = listing.pk in in_force  # type: ignore[attr-defined]
        listing.expired_waiting = (  # type: ignore[attr-defined]
            listing.status == ListingStatus.PUBLISHED and listing.expires_on is not None
            and listing.expires_on < today)
    may_remove = has_perm(request.user, "credit.publish_listing")
    return render(request, "credit/listing_list.html", {
        "page_obj": page, "query": query_without_page(request), "filter": f,
        "kinds": ListKind.choices, "statuses": ListingStatus.choices,
        "expired_count": removable_expired(request.user, today).count() if may_remove else 0,
        "can_propose": has_perm(request.user, "credit.propose_listing"),
        "can_export": has_perm(request.user, "credit.export"),
    })


def _enterprises(user: Any) -> QuerySet[Organisation]:
    return restrict(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE), user,
                    ).order_by("name_pinyin")


def _basis_choices(user: Any, org_id: int | None) -> QuerySet[CreditRecord]:
    if org_id is None:
        return CreditRecord.objects.none()
    return (restrict(CreditRecord.objects.filter(organisation_id=org_id), user)
            .exclude(status__in=[RecordStatus.REVOKED, RecordStatus.REPAIRED])
            .order_by("-decision_date", "-pk"))


@login_required
@require_http_methods(["GET", "POST"])
def listing_create(request: HttpRequest) -> HttpResponse:
    """Propose a listing: choose the enterprise, then reasons, basis, records and measures."""
    require(request.user, "credit.propose_listing")
    enterprises = _enterprises(request.user)
    org_id = parse_id(request.POST.get("organisation") or request.GET.get("org"))
    chosen = enterprises.filter(pk=org_id).first() if org_id else None
    initial = {"organisation": chosen, "list_kind": request.GET.get("kind") or ListKind.BLACK}
    form = ListingForm(request.POST or None, initial=initial, organisations=enterprises,
                       records=_basis_choices(request.user, chosen.pk if chosen else None))
    if request.method == "POST" and form.is_valid():
        try:
            listing = listing_actions.do_propose_listing(
                form.cleaned_data["organisation"], actor=actor_of(request), **form.action_fields())
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, "已提议，下一步：告知当事人")
            return redirect("credit_listing_detail", pk=listing.pk)
    return render(request, "credit/listing_form.html", {
        "form": form, "chosen": chosen, "enterprises": enterprises[:500],
        "measure_labels": MEASURE_LABELS,
    })


@login_required
@require_GET
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "credit.view")
    listing = access(Listing.objects.select_related("organisation", "proposed_by"),
                     request.user, pk)
    today = timezone.localdate()
    writable = restrict(Listing.objects.filter(pk=pk), request.user, WRITE).exists()
    targets = LISTING_FLOW.allowed_targets(listing, request.user) if writable else []
    return render(request, "credit/listing_detail.html", {
        "listing": listing, "today": today,
        "records": restrict(listing.records.all(), request.user).order_by("-decision_date"),
        "objections": listing.objections.order_by("-created_at"),
        "measures": [MEASURE_LABELS.get(m, m) for m in listing.measures],
        "in_force": Listing.objects.filter(public_listings_q(today), pk=pk).exists(),
        "can_notify": ListingStatus.NOTIFIED in targets,
        "can_list": ListingStatus.LISTED in targets,
        "window_open": listing.objection_due is not None and today <= listing.objection_due,
        "objection_due_text": chinese_date(listing.objection_due),
        "can_reject": ListingStatus.REJECTED in targets,
        "can_publish": ListingStatus.PUBLISHED in targets,
        "can_remove": ListingStatus.REMOVED in targets,
        "can_object": (listing.status in (ListingStatus.NOTIFIED, ListingStatus.LISTED,
                                          ListingStatus.PUBLISHED)
                       and has_perm(request.user, "credit.file_objection")
                       and getattr(request.user, "organisation_id", None) == listing.organisation_id),
        "is_open": listing.status in LISTING_OPEN,
        "note_form": NoteForm(), "removal_form": RemovalForm(),
        "removal_reasons": RemovalReason.choices,
    })


def _step(request: HttpRequest, pk: int, perm: str,
          run: Callable[[Listing], Any], done: str) -> HttpResponse:
    require(request.user, perm)
    listing = access(Listing.objects.all(), request.user, pk, WRITE)
    run_action(request, lambda: run(listing), done)
    return redirect("credit_listing_detail", pk=pk)


@login_required
@require_POST
def listing_notify(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    return _step(request, pk, "credit.decide_listing",
                 lambda x: listing_actions.do_notify_listing(x, actor=actor),
                 "已告知当事人，异议期开始计算")


@login_required
@require_POST
def listing_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor, note = actor_of(request), request.POST.get("note", "")
    listed = request.POST.get("decision") == "listed"
    return _step(request, pk, "credit.decide_listing",
                 lambda x: listing_actions.do_decide_listing(x, actor=actor, listed=listed,
                                                             note=note),
                 "已决定列入" if listed else "已决定不列入")


@login_required
@require_POST
def listing_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    return _step(request, pk, "credit.publish_listing",
                 lambda x: listing_actions.do_publish_listing(x, actor=actor), "已公布")


@login_required
@require_POST
def listing_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    reason, note = request.POST.get("reason", ""), request.POST.get("note", "")
    return _step(request, pk, "credit.publish_listing",
                 lambda x: listing_actions.do_remove_listing(x, actor=actor, reason=reason,
                                                             note=note),
                 "已移出名单")


@login_required
@require_POST
def listing_remove_expired(request: HttpRequest) -> HttpResponse:
    """Record the removal of every expired listing in scope (already out of public view)."""
    require(request.user, "credit.publish_listing")
    today = timezone.localdate()
    expired = list(removable_expired(request.user, today)[:500])
    actor = actor_of(request)
    run_action(request, lambda: listing_actions.do_record_expired_removals(
        expired, actor=actor, today=today), f"已登记 {len(expired)} 个到期名单移出")
    return redirect("credit_listing_list")


@login_required
@require_POST
def listing_by_rules(request: HttpRequest) -> HttpResponse:
    """按规则生成提议: rating D with a serious record → blacklist; 标杆 and A → red list."""
    require(request.user, "credit.propose_listing")
    actor = actor_of(request)
    federation_id = jurisdiction_id(actor)
    federation = Organisation.objects.filter(pk=federation_id).first() if federation_id else None
    if federation is None:
        messages.error(request, "请以工商联或商会工作人员身份按规则生成提议")
        return redirect("credit_listing_list")
    made: list[Listing] = []
    if run_action(request, lambda: made.extend(propose_by_rules(federation, actor=actor)),
                  "已按规则生成提议"):
        messages.info(request, f"本次新生成 {len(made)} 条提议" if made
                      else "没有符合规则且尚未提议的企业")
    return redirect(f"{reverse('credit_listing_list')}?status={ListingStatus.PROPOSED}")


urlpatterns = [
    path("listings/", listing_list, name="credit_listing_list"),
    path("listings/new/", listing_create, name="credit_listing_create"),
    path("listings/by-rules/", listing_by_rules, name="credit_listing_by_rules"),
    path("listings/remove-expired/", listing_remove_expired, name="credit_listing_remove_expired"),
    path("listings/<int:pk>/", listing_detail, name="credit_listing_detail"),
    path("listings/<int:pk>/notify/", listing_notify, name="credit_listing_notify"),
    path("listings/<int:pk>/decide/", listing_decide, name="credit_listing_decide"),
    path("listings/<int:pk>/publish/", listing_publish, name="credit_listing_publish"),
    path("listings/<int:pk>/remove/", listing_remove, name="credit_listing_remove"),
]
