"""Membership pages and the admission flow (告知承诺制).

An enterprise applies to a chamber, signs the chamber's current integrity commitment, and only
then can it be admitted: ``do_admit_member`` refuses an unsigned applicant whatever the page
shows. Other status changes (suspend, resume, withdraw, revoke) follow ``MEMBERSHIP_FLOW``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.choices import Role
from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate, parse_id, query_without_page
from qinglian.core.permissions import WRITE, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed

from .. import actions
from ..choices import (
    HOST_KINDS,
    OPEN_MEMBERSHIP,
    CommitmentStatus,
    MembershipRole,
    MembershipStatus,
)
from ..forms_memberships import (
    MembershipApplyForm,
    SignatureForm,
    TransitionForm,
    transition_buttons,
)
from ..models import Commitment, Membership, Organisation, Signature
from ..queries import (
    access_membership,
    current_commitment,
    list_memberships,
    membership_applicants,
    membership_hosts,
    search_q,
)
from ..workflow import MEMBERSHIP_FLOW
from .people import acting_user

#: How many enterprises the applicant picker lists at once; typing narrows the list.
PICKER_SIZE = 50


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return parse_id(value)


def with_signed_current(qs: QuerySet[Membership]) -> QuerySet[Membership]:
    """Annotate whether the member signed its chamber's current (published) commitment."""
    return qs.annotate(signed_current=Exists(Signature.objects.filter(
        member_id=OuterRef("member_id"),
        commitment__organisation_id=OuterRef("organisation_id"),
        commitment__status=CommitmentStatus.PUBLISHED,
    )))


def _filtered_memberships(request: HttpRequest) -> QuerySet[Membership]:
    qs = list_memberships(
        request.user, organisation=_int_param(request, "chamber"),
        status=request.GET.get("status", "") if request.GET.get("status") in
        MembershipStatus.values else "",
        q=request.GET.get("q", "").strip(),
    )
    if request.GET.get("role") in MembershipRole.values:
        qs = qs.filter(role=request.GET["role"])
    return with_signed_current(qs)


def _export_memberships(memberships: QuerySet[Membership]) -> HttpResponseBase:
    columns = [
        Column(_("会员企业"), lambda m: m.member.name, 36),
        Column(_("统一社会信用代码"), lambda m: m.member.uscc, 22),
        Column(_("所属商会/协会"), lambda m: m.organisation.name, 28),
        Column(_("会员职务"), lambda m: m.get_role_display(), 12),
        Column(_("状态"), lambda m: m.get_status_display(), 10),
        Column(_("申请时间"), lambda m: m.applied_at, 18),
        Column(_("入会日期"), lambda m: m.joined_on, 12),
        Column(_("退会日期"), lambda m: m.left_on, 12),
        Column(_("已签署现行承诺书"), lambda m: _("是") if m.signed_current else _("否"), 14),
    ]
    return xlsx_response(_("会员资格"), _("会员资格"), columns, memberships)


@login_required
@require_GET
def membership_list(request: HttpRequest) -> HttpResponseBase:
    """Memberships in scope, filtered by chamber, status, role and member name/USCC/pinyin."""
    require(request.user, "registry.view")
    memberships = _filtered_memberships(request)
    if request.GET.get("export") == "xlsx":
        require(request.user, "registry.export")
        return _export_memberships(memberships)
    context = {
        "page_obj": paginate(request, memberships), "query": query_without_page(request),
        "filters": request.GET,
        "hosts": restrict(Organisation.objects.filter(kind__in=HOST_KINDS), request.user)
        .order_by("kind", "name_pinyin"),
        "statuses": MembershipStatus.choices, "roles": MembershipRole.choices,
        "can_apply": _may_apply(request.user),
        "can_export": has_perm(request.user, "registry.export"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "registry/partials/membership_table.html", context)
    return render(request, "registry/membership_list.html", context)


def _may_apply(user: Any) -> bool:
    perm = ("registry.apply_membership" if getattr(user, "role", None) == Role.ENTERPRISE_USER
            else "registry.manage_membership")
    return has_perm(user, perm)


def _picker_options(applicants: QuerySet[Organisation], text: str,
                    selected: str | None) -> list[Organisation]:
    options = list(applicants.filter(search_q(text)).order_by("name_pinyin")[:PICKER_SIZE])
    selected_id = parse_id(selected)
    if selected_id is not None and all(o.pk != selected_id for o in options):
        options = list(applicants.filter(pk=selected_id)) + options
    return options


@login_required
@require_http_methods(["GET", "POST"])
def membership_apply(request: HttpRequest) -> HttpResponse:
    """File an application: officers for an enterprise in scope, an enterprise for itself."""
    if not _may_apply(request.user):
        raise PermissionDenied(_("您没有办理入会申请的权限"))
    applicants = membership_applicants(request.user)
    if request.headers.get("HX-Request") and "lookup" in request.GET:
        return render(request, "registry/partials/membership_options.html", {
            "options": _picker_options(applicants, request.GET["lookup"], None),
        })
    fixed_member = None
    data: Any = request.POST or None
    if getattr(request.user, "role", None) == Role.ENTERPRISE_USER:
        fixed_member = applicants.first()
        if data is not None and fixed_member is not None:
            data = data.copy()
            data["member"] = str(fixed_member.pk)
    initial = {"member": request.GET.get("member"), "organisation": request.GET.get("chamber")}
    form = MembershipApplyForm(data, initial=initial, applicants=applicants,
                               hosts=membership_hosts(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            membership = actions.do_apply_membership(
                actor=acting_user(request), member=form.cleaned_data["member"],
                organisation=form.cleaned_data["organisation"], role=form.cleaned_data["role"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已提交入会申请，下一步：签署清廉企业共建承诺书"))
            return redirect("membership_detail", pk=membership.pk)
    selected = form["member"].value()
    lookup = request.GET.get("lookup", "")
    return render(request, "registry/membership_apply.html", {
        "form": form, "fixed_member": fixed_member, "lookup": lookup,
        "options": _picker_options(applicants, lookup, str(selected) if selected else None),
        "selected": str(selected or ""),
    })


def _in_write_scope(user: Any, membership: Membership) -> bool:
    return restrict(Membership.objects.filter(pk=membership.pk), user, WRITE).exists()


def _admission_steps(membership: Membership, signature: Signature | None) -> list[dict[str, Any]]:
    """申请 → 签署承诺书 → 审核入会, each done or not, with its time."""
    admitted = membership.admitted_at is not None or membership.status in (
        MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED)
    steps = [
        {"label": _("提交申请"), "done": True, "at": membership.applied_at or membership.created_at},
        {"label": _("签署承诺书"), "done": signature is not None,
         "at": signature.signed_at if signature else None},
        {"label": _("审核入会"), "done": admitted, "at": membership.admitted_at},
    ]
    if membership.status in OPEN_MEMBERSHIP:
        pending = next((step for step in steps if not step["done"]), None)
        if pending is not None:
            pending["current"] = True
    return steps


def _signature_of(user: Any, membership: Membership,
                  commitment: Commitment | None) -> Signature | None:
    if commitment is None:
        return None
    return restrict(Signature.objects.select_related("commitment", "signed_by"), user).filter(
        commitment=commitment, member_id=membership.member_id).first()


def _flow_context(request: HttpRequest, membership: Membership,
                  sign_form: SignatureForm | None = None) -> dict[str, Any]:
    user = request.user
    commitment = current_commitment(membership.organisation_id)
    signature = _signature_of(user, membership, commitment)
    writable = _in_write_scope(user, membership)
    can_sign = (commitment is not None and signature is None
                and membership.status in OPEN_MEMBERSHIP
                and has_perm(user, "registry.sign_commitment") and writable)
    earlier = restrict(Signature.objects.select_related("commitment"), user).filter(
        member_id=membership.member_id, commitment__organisation_id=membership.organisation_id,
    ).exclude(commitment=commitment).order_by("-commitment__version")
    return {
        "membership": membership, "commitment": commitment, "signature": signature,
        "earlier_signatures": earlier, "steps": _admission_steps(membership, signature),
        "can_sign": can_sign, "sign_form": sign_form or SignatureForm(),
        "can_admit": (membership.status == MembershipStatus.APPLIED and writable
                      and MembershipStatus.ADMITTED in
                      MEMBERSHIP_FLOW.allowed_targets(membership, user)),
        "buttons": transition_buttons(membership, user) if writable else [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def membership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The admission flow; a POST here records the signature of the current commitment."""
    require(request.user, "registry.view")
    membership = access_membership(request.user, pk)
    if request.method == "GET":
        return render(request, "registry/membership_detail.html",
                      _flow_context(request, membership))
    require(request.user, "registry.sign_commitment")
    form = SignatureForm(request.POST, request.FILES)
    context = _flow_context(request, membership, form)
    if not context["can_sign"]:
        messages.error(request, _("当前不能为该会员录入签署（可能已签署、尚无现行承诺书或不在您的管理范围内）"))
        return redirect("membership_detail", pk=membership.pk)
    if form.is_valid():
        try:
            actions.do_sign_commitment(
                actor=acting_user(request), commitment=context["commitment"],
                member=membership.member, signer_name=form.cleaned_data["signer_name"],
                signer_title=form.cleaned_data["signer_title"], scan=form.cleaned_data["scan"],
            )
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已记录签署：%(member)s 签署第 %(version)s 版承诺书") % {
                "member": membership.member.name, "version": context["commitment"].version})
            return redirect("membership_detail", pk=membership.pk)
    return render(request, "registry/membership_detail.html", context)


def _transition(request: HttpRequest, membership: Membership, to: str, note: str) -> None:
    actor = acting_user(request)
    if to == MembershipStatus.ADMITTED and membership.status == MembershipStatus.APPLIED:
        actions.do_admit_member(membership, actor=actor, note=note)
    else:
        actions.do_change_membership_status(membership, to=to, actor=actor, note=note)


@login_required
@require_POST
def membership_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Admit, suspend, resume, withdraw or revoke; the action's own refusal is shown as is."""
    if not (has_perm(request.user, "registry.manage_membership")
            or has_perm(request.user, "registry.admit_member")):
        raise PermissionDenied(_("您没有变更会员状态的权限"))
    membership = access_membership(request.user, pk, WRITE)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, "；".join(errors))
        return redirect("membership_detail", pk=membership.pk)
    to = form.cleaned_data["to"]
    try:
        _transition(request, membership, to, form.cleaned_data["note"].strip())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("会员状态已变更为“%(status)s”") % {
            "status": MEMBERSHIP_FLOW.label(to)})
    return redirect("membership_detail", pk=membership.pk)


urlpatterns = [
    path("memberships/", membership_list, name="membership_list"),
    path("memberships/apply/", membership_apply, name="membership_apply"),
    path("memberships/<int:pk>/", membership_detail, name="membership_detail"),
    path("memberships/<int:pk>/transition/", membership_transition, name="membership_transition"),
]
