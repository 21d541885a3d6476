"""Declaration pages: the list with its filters and export, entering and correcting a
declaration, its page with approval, rejection, withdrawal and the disposal of a gift."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.exports import xlsx_response
from qinglian.core.models import User
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.models import Organisation, Person, Position

from .. import actions
from ..choices import EDITABLE, DeclarationKind, DeclarationStatus, Direction
from ..exports import declaration_columns
from ..forms import DecisionForm, DeclarationForm, DisposalForm, declaration_filter
from ..models import Declaration
from ..queries import declared_years, list_declarations, pending_disposal_q, threshold_table
from ..workflow import DECLARATION_FLOW
from .common import acting_user, chosen_organisation, picker, report_refusal, writable_organisations


def _summary(declarations: QuerySet[Declaration]) -> dict[str, Any]:
    return declarations.aggregate(
        total=Count("id"), pending=Count("id", filter=Q(status=DeclarationStatus.SUBMITTED)),
        above=Count("id", filter=Q(above_threshold=True)),
        disposal=Count("id", filter=pending_disposal_q()))


@login_required
@require_GET
def declaration_list(request: HttpRequest) -> HttpResponseBase:
    """The organisation's declarations, filtered by year, kind, direction, status, threshold
    and disposal, with a search over declarant, counterparty and content."""
    require(request.user, "declarations.view")
    readable, organisation = chosen_organisation(request)
    f = declaration_filter(request.GET)
    f.organisation = organisation.pk if organisation else None
    declarations = list_declarations(request.user, f)
    if request.GET.get("export") == "xlsx":
        require(request.user, "declarations.export")
        title = organisation.name if organisation else "全部单位"
        return xlsx_response(f"{title}_礼品宴请捐赠申报", "申报登记",
                             declaration_columns(with_organisation=organisation is None),
                             declarations)
    every = restrict(Declaration.objects.all(), request.user)
    if organisation is not None:
        every = every.filter(organisation=organisation)
    return render(request, "declarations/declaration_list.html", {
        "page_obj": paginate(request, declarations), "query": query_without_page(request),
        "filter": f, "organisation": organisation, "organisations": picker(readable),
        "show_org": organisation is None, "summary": _summary(declarations), "years": declared_years(every),
        "kinds": DeclarationKind.choices, "directions": Direction.choices,
        "statuses": DeclarationStatus.choices,
        "can_add": writable_organisations(request.user).exists(),
        "can_export": has_perm(request.user, "declarations.export"),
    })


def _form_choices(organisations: QuerySet[Organisation]) -> dict[str, Any]:
    """Accounts and people of the organisations the user declares for (the first 300 each)."""
    ids = list(organisations.values_list("pk", flat=True)[:50])
    users = list(User.objects.filter(organisation_id__in=ids, is_active=True)
                 .order_by("username")[:300])
    people = list(Person.objects.filter(
        pk__in=Position.objects.filter(organisation_id__in=ids, end_on__isnull=True)
        .values("person_id")).order_by("name")[:300])
    return {"organisations": organisations, "users": users, "people": people}


def _form_page(request: HttpRequest, form: DeclarationForm,
               declaration: Declaration | None) -> HttpResponse:
    organisation = declaration.organisation if declaration else form.fields[
        "organisation"].initial
    return render(request, "declarations/declaration_form.html", {
        "form": form, "declaration": declaration,
        "thresholds": threshold_table(organisation) if isinstance(organisation, Organisation)
        else None,
    })


@login_required
@require_http_methods(["GET", "POST"])
def declaration_create(request: HttpRequest) -> HttpResponse:
    """Declare a gift, hospitality or donation; the page says at once whether it was recorded
    or went for approval."""
    require(request.user, "declarations.declare")
    organisations = writable_organisations(request.user)
    form = DeclarationForm(request.POST or None, **_form_choices(organisations))
    if request.method == "POST" and form.is_valid():
        try:
            declaration = actions.do_declare(form.cleaned_data["organisation"],
                                             actor=acting_user(request), **form.action_fields())
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            if declaration.status == DeclarationStatus.SUBMITTED:
                messages.warning(request, _("价值达到审批门槛（%(threshold)s 元），已提交审批")
                                 % {"threshold": f"{declaration.threshold:g}"})
            else:
                messages.success(request, _("已登记：价值低于审批门槛，无需审批"))
            return redirect("declaration_detail", pk=declaration.pk)
    return _form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def declaration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a declaration nobody has decided on yet."""
    require(request.user, "declarations.declare")
    declaration = access(Declaration.objects.select_related("organisation"), request.user, pk,
                         WRITE)
    organisations = Organisation.objects.filter(pk=declaration.organisation_id)
    initial = {name: getattr(declaration, name) for name in (
        "declarant_name", "declarant_department", "declarant_post", "direction", "kind",
        "occurred_on", "amount", "description", "counterparty", "purpose")}
    initial.update(organisation=declaration.organisation, declarant_user=declaration.declarant_user_id,
                   declarant_person=declaration.declarant_person_id)
    form = DeclarationForm(request.POST or None, initial=initial, **_form_choices(organisations))
    if declaration.status not in EDITABLE:
        messages.error(request, _("已审批或已撤回的申报不能修改"))
        return redirect("declaration_detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_declaration(declaration, actor=acting_user(request),
                                          **form.action_fields())
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已保存修改"))
            return redirect("declaration_detail", pk=pk)
    return _form_page(request, form, declaration)


def _detail(request: HttpRequest, declaration: Declaration,
            disposal_form: DisposalForm | None = None) -> HttpResponse:
    user = request.user
    writable = restrict(Declaration.objects.filter(pk=declaration.pk), user, WRITE).exists()
    targets = DECLARATION_FLOW.allowed_targets(declaration, user) if writable else []
    own = user.pk in (declaration.declarant_user_id, declaration.entered_by_id)
    may_decide = DeclarationStatus.APPROVED in targets
    if disposal_form is None and declaration.disposal:
        disposal_form = DisposalForm(initial={
            "disposal": declaration.disposal, "disposed_on": declaration.disposed_on,
            "amount": declaration.disposal_amount, "note": declaration.disposal_note})
    return render(request, "declarations/declaration_detail.html", {
        "declaration": declaration, "decision_form": DecisionForm(),
        "can_decide": may_decide and not own, "own_declaration": may_decide and own,
        "can_withdraw": DeclarationStatus.WITHDRAWN in targets,
        "can_edit": writable and declaration.status in EDITABLE
        and has_perm(user, "declarations.declare"),
        "can_dispose": writable and declaration.needs_disposal
        and has_perm(user, "declarations.declare"),
        "disposal_form": disposal_form or DisposalForm(),
    })


@login_required
@require_GET
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "declarations.view")
    declaration = access(Declaration.objects.select_related(
        "organisation", "entered_by", "decided_by", "declarant_user", "declarant_person"),
        request.user, pk)
    return _detail(request, declaration)


def _transition(request: HttpRequest, pk: int, perm: str, run: Any, done: str) -> HttpResponse:
    require(request.user, perm)
    declaration = access(Declaration.objects.all(), request.user, pk, WRITE)
    try:
        run(declaration)
    except (ValidationError, TransitionNotAllowed) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect("declaration_detail", pk=pk)


@login_required
@require_POST
def declaration_approve(request: HttpRequest, pk: int) -> HttpResponse:
    actor, note = acting_user(request), request.POST.get("note", "")
    return _transition(request, pk, "declarations.approve",
                       lambda d: actions.do_approve_declaration(d, actor=actor, note=note),
                       _("已批准"))


@login_required
@require_POST
def declaration_reject(request: HttpRequest, pk: int) -> HttpResponse:
    actor, note = acting_user(request), request.POST.get("note", "")
    return _transition(request, pk, "declarations.approve",
                       lambda d: actions.do_reject_declaration(d, actor=actor, reason=note),
                       _("已作出不予批准的决定"))


@login_required
@require_POST
def declaration_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor, reason = acting_user(request), request.POST.get("reason", "")
    return _transition(request, pk, "declarations.declare",
                       lambda d: actions.do_withdraw_declaration(d, actor=actor, reason=reason),
                       _("已撤回，该申报不再计入台账"))


@login_required
@require_POST
def declaration_dispose(request: HttpRequest, pk: int) -> HttpResponse:
    """Record what became of a received gift at or above the threshold."""
    require(request.user, "declarations.declare")
    declaration = access(Declaration.objects.select_related("organisation"), request.user, pk,
                         WRITE)
    form = DisposalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_record_disposal(declaration, disposal=data["disposal"],
                                       disposed_on=data["disposed_on"], note=data["note"],
                                       amount=data["amount"], actor=acting_user(request))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已登记处置情况"))
            return redirect("declaration_detail", pk=pk)
    return _detail(request, declaration, form)


urlpatterns = [
    path("", declaration_list, name="declaration_list"),
    path("new/", declaration_create, name="declaration_create"),
    path("<int:pk>/", declaration_detail, name="declaration_detail"),
    path("<int:pk>/edit/", declaration_edit, name="declaration_edit"),
    path("<int:pk>/approve/", declaration_approve, name="declaration_approve"),
    path("<int:pk>/reject/", declaration_reject, name="declaration_reject"),
    path("<int:pk>/withdraw/", declaration_withdraw, name="declaration_withdraw"),
    path("<int:pk>/dispose/", declaration_dispose, name="declaration_dispose"),
]
