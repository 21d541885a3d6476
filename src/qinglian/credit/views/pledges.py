"""Credit pledge pages (信用承诺): the list, making a pledge (an enterprise for itself, an officer
for an enterprise or practitioner in scope), its page, and recording a breach (which enters a
negative record), fulfilment or withdrawal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.choices import Role
from qinglian.core.exports import xlsx_response
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import READ, WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.models import Organisation
from qinglian.registry.views.people import acting_user

from .. import pledge_actions
from ..choices import PledgeKind, PledgeStatus
from ..exports import pledge_columns
from ..forms_records import BreachForm, PledgeForm
from ..models import CreditPledge
from ..record_queries import list_pledges, pledge_filter, record_enterprises, record_people
from .records import report_refusal


@login_required
@require_GET
def credit_pledge_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, "credit.view")
    f = pledge_filter(request.GET)
    pledges = list_pledges(request.user, f)
    if request.GET.get("export") == "xlsx":
        require(request.user, "credit.export")
        return xlsx_response("信用承诺", "信用承诺", pledge_columns(), pledges.iterator())
    return render(request, "credit/pledge_list.html", {
        "page_obj": paginate(request, pledges), "query": query_without_page(request),
        "filter": f, "statuses": PledgeStatus.choices, "kinds": PledgeKind.choices,
        "can_add": has_perm(request.user, "credit.make_pledge"),
        "can_export": has_perm(request.user, "credit.export"),
    })


def _is_enterprise(request: HttpRequest) -> bool:
    return getattr(request.user, "role", "") == Role.ENTERPRISE_USER


@login_required
@require_http_methods(["GET", "POST"])
def credit_pledge_create(request: HttpRequest) -> HttpResponse:
    """An enterprise user pledges for its own enterprise; an officer enters a pledge."""
    require(request.user, "credit.make_pledge")
    own: Organisation | None = None
    if _is_enterprise(request):
        own = getattr(request.user, "organisation", None)
        form = PledgeForm(request.POST or None)
    else:
        form = PledgeForm(request.POST or None, enterprises=record_enterprises(request.user),
                          people=record_people(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = own if own is not None else data.get("subject")
        if subject is None:
            form.add_error(None, "未找到作出承诺的企业")
        else:
            try:
                pledge = pledge_actions.do_make_pledge(
                    subject, actor=acting_user(request), title=data["title"],
                    content=data["content"], kind=data["kind"],
                    valid_until=data.get("valid_until"), is_public=data.get("is_public", False))
            except ValidationError as exc:
                form.apply_action_error(exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已作出信用承诺 {pledge.number}")
                return redirect("credit_pledge_detail", pk=pledge.pk)
    return render(request, "credit/pledge_form.html", {"form": form, "own": own})


def _may_act(request: HttpRequest, pledge: CreditPledge) -> bool:
    """Officers act on pledges in their scope (a chamber: its members')."""
    action = READ if getattr(request.user, "role", "") == Role.CHAMBER_OFFICER else WRITE
    return restrict(CreditPledge.objects.filter(pk=pledge.pk), request.user, action).exists()


def _detail(request: HttpRequest, pledge: CreditPledge,
            breach_form: BreachForm | None = None) -> HttpResponse:
    user = request.user
    active = pledge.status == PledgeStatus.ACTIVE
    officer = not _is_enterprise(request) and _may_act(request, pledge)
    own = _is_enterprise(request) and pledge.organisation_id == getattr(user, "organisation_id",
                                                                          None)
    return render(request, "credit/pledge_detail.html", {
        "pledge": pledge, "breach_form": breach_form or BreachForm(),
        "records": pledge.breach_records.order_by("-pk"),
        "can_breach": active and officer and has_perm(user, "credit.record_breach"),
        "can_withdraw": active and has_perm(user, "credit.make_pledge") and (own or officer),
    })


def _pledge(request: HttpRequest, pk: int) -> CreditPledge:
    return access(CreditPledge.objects.select_related("organisation", "person", "federation",
                                                      "entered_by"), request.user, pk)


@login_required
@require_GET
def credit_pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "credit.view")
    return _detail(request, _pledge(request, pk))


@login_required
@require_POST
def credit_pledge_breach(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a breach: the pledge is breached and a negative record is entered."""
    require(request.user, "credit.record_breach")
    pledge = _pledge(request, pk)
    form = BreachForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = pledge_actions.do_record_breach(
                pledge, actor=acting_user(request), note=data["note"], severity=data["severity"],
                window_months=data.get("window_months"))
        except ValidationError as exc:
            form.apply_action_error(exc)
        except (TransitionNotAllowed, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已记录违诺，并录入失信记录 {record.number}（待公示）")
            return redirect("credit_record_detail", pk=record.pk)
    return _detail(request, pledge, form)


def _transition(request: HttpRequest, pk: int, perm: str, run: Any, done: str) -> HttpResponse:
    require(request.user, perm)
    pledge = _pledge(request, pk)
    try:
        run(pledge)
    except (ValidationError, TransitionNotAllowed, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect("credit_pledge_detail", pk=pk)


@login_required
@require_POST
def credit_pledge_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    actor, note = acting_user(request), request.POST.get("note", "")
    return _transition(request, pk, "credit.record_breach",
                       lambda p: pledge_actions.do_fulfil_pledge(p, actor=actor, note=note),
                       "已确认承诺履行完毕")


@login_required
@require_POST
def credit_pledge_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor, reason = acting_user(request), request.POST.get("reason", "")
    return _transition(request, pk, "credit.make_pledge",
                       lambda p: pledge_actions.do_withdraw_pledge(p, actor=actor,
                                                                   reason=reason),
                       "已撤回信用承诺")


urlpatterns = [
    path("pledges/", credit_pledge_list, name="credit_pledge_list"),
    path("pledges/new/", credit_pledge_create, name="credit_pledge_create"),
    path("pledges/<int:pk>/", credit_pledge_detail, name="credit_pledge_detail"),
    path("pledges/<int:pk>/breach/", credit_pledge_breach, name="credit_pledge_breach"),
    path("pledges/<int:pk>/fulfil/", credit_pledge_fulfil, name="credit_pledge_fulfil"),
    path("pledges/<int:pk>/withdraw/", credit_pledge_withdraw, name="credit_pledge_withdraw"),
]
