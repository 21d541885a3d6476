"""A round's roster and each person's declaration: adding people one by one or from a file
(checked whole; a bad file adds no one), the template, taking someone off, and the
declaration form (no conflict, or every interest with the measures taken)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.import_templates import template_csv, template_xlsx
from qinglian.core.imports import RowError, TableError
from qinglian.core.paging import parse_id
from qinglian.core.permissions import READ, WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed

from .. import round_actions
from ..choices import RELATIONS, RoundStatus
from ..forms import ConflictDeclarationForm, InterestFormSet, RosterEntryForm, RosterUploadForm
from ..models import ConflictRound, RosterEntry
from ..roster import ROSTER_SPEC, read_roster
from .common import acting_user, report_refusal


def _writable_round(request: HttpRequest, pk: int) -> ConflictRound:
    require(request.user, "declarations.manage_round")
    return access(ConflictRound.objects.select_related("organisation"), request.user, pk, WRITE)


@login_required
@require_http_methods(["GET", "POST"])
def conflict_roster_add(request: HttpRequest, pk: int) -> HttpResponse:
    conflict_round = _writable_round(request, pk)
    form = RosterEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = round_actions.do_add_roster_entry(conflict_round, actor=acting_user(request),
                                                      **form.cleaned_data)
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已将 %(name)s 列入申报人名单") % {"name": entry.name})
            if "another" in request.POST:
                return redirect("conflict_roster_add", pk=pk)
            return redirect("conflict_round_detail", pk=pk)
    return render(request, "declarations/roster_add.html", {
        "round": conflict_round, "form": form, "closed": conflict_round.status != RoundStatus.OPEN})


@login_required
@require_http_methods(["GET", "POST"])
def conflict_roster_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload the roster: every row is checked first; any bad row and nobody is added, with a
    table of row, column, value and reason."""
    conflict_round = _writable_round(request, pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        existing = set(conflict_round.entries.values_list("person_key", flat=True))
        try:
            rows = read_roster(upload.read(), upload.name or "", existing)
            added = round_actions.do_import_roster(conflict_round, rows,
                                                   actor=acting_user(request),
                                                   file_name=upload.name or "")
        except TableError as exc:
            errors = exc.errors
            form.add_error(None, _("名单中有 %(n)d 处错误，未导入任何人员：请按下表改正后重新上传")
                           % {"n": len(errors)})
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已导入 %(n)d 名申报人") % {"n": added})
            return redirect("conflict_round_detail", pk=pk)
    return render(request, "declarations/roster_upload.html", {
        "round": conflict_round, "form": form, "errors": errors,
        "columns": ROSTER_SPEC.columns, "closed": conflict_round.status != RoundStatus.OPEN})


@login_required
@require_GET
def conflict_roster_template(request: HttpRequest) -> HttpResponse:
    """The roster template, .xlsx (default) or .csv (``?format=csv``)."""
    require(request.user, "declarations.manage_round")
    if request.GET.get("format") == "csv":
        response = HttpResponse(template_csv(ROSTER_SPEC), content_type="text/csv; charset=utf-8")
        name = "申报人名单模板.csv"
    else:
        response = HttpResponse(template_xlsx(ROSTER_SPEC), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        name = "申报人名单模板.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _interest_initial(entry: RosterEntry) -> list[dict[str, Any]]:
    return [{name: getattr(i, name) for name in (
        "holder", "holder_name", "relation", "counterparty", "counterparty_kind", "nature",
        "detail", "measures")} for i in entry.interests.all()]


def _formset(request: HttpRequest, entry: RosterEntry) -> Any:
    extra = parse_id(request.GET.get("rows")) or 0
    formset_class = InterestFormSet
    if extra:
        formset_class = type("MoreInterests", (InterestFormSet,), {"extra": min(extra, 20)})
    return formset_class(request.POST or None, initial=_interest_initial(entry),
                         prefix="interest")


def _declared_interests(formset: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            for form in formset.forms
            if form.has_changed() and not form.cleaned_data.get("DELETE")]


@login_required
@require_http_methods(["GET", "POST"])
def conflict_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One person on the roster: their declaration, and the form to make or replace it."""
    require(request.user, "declarations.view")
    if request.method == "POST":
        require(request.user, "declarations.declare")
    entry = access(RosterEntry.objects.select_related("round__organisation", "declared_by"),
                   request.user, pk, WRITE if request.method == "POST" else READ)
    writable = restrict(RosterEntry.objects.filter(pk=pk), request.user, WRITE).exists()
    may_declare = (writable and has_perm(request.user, "declarations.declare")
                   and entry.round.status == RoundStatus.OPEN)
    initial = {"no_conflict": "" if entry.no_conflict is None else
               "yes" if entry.no_conflict else "no",
               "statement": entry.statement}
    form = ConflictDeclarationForm(request.POST or None, initial=initial)
    formset = _formset(request, entry)
    if request.method == "POST" and not may_declare:
        messages.error(request, _("该轮利益冲突申报已结束，不能再修改"))
        return redirect("conflict_entry", pk=pk)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            round_actions.do_declare_conflicts(
                entry, no_conflict=form.cleaned_data["no_conflict"],
                interests=_declared_interests(formset),
                statement=form.cleaned_data["statement"], actor=acting_user(request))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已记录 %(name)s 的利益冲突申报") % {"name": entry.name})
            return redirect("conflict_round_detail", pk=entry.round_id)
    return render(request, "declarations/entry.html", {
        "entry": entry, "round": entry.round, "form": form, "formset": formset,
        "interests": entry.interests.all(), "may_declare": may_declare,
        "relations": RELATIONS, "late": entry.declared_at is None
        and timezone.localdate() > entry.round.due_on,
        "declared_late": entry.declared_at is not None
        and timezone.localtime(entry.declared_at).date() > entry.round.due_on,
        "can_remove": may_declare and entry.declared_at is None
        and has_perm(request.user, "declarations.manage_round"),
    })


@login_required
@require_POST
def conflict_entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "declarations.manage_round")
    entry = access(RosterEntry.objects.select_related("round"), request.user, pk, WRITE)
    round_id, name = entry.round_id, entry.name
    try:
        round_actions.do_remove_roster_entry(entry, actor=acting_user(request))
    except (ValidationError, TransitionNotAllowed) as exc:
        report_refusal(request, exc)
        return redirect("conflict_entry", pk=pk)
    messages.success(request, _("已将 %(name)s 移出申报人名单") % {"name": name})
    return redirect("conflict_round_detail", pk=round_id)


urlpatterns = [
    path("conflicts/<int:pk>/roster/add/", conflict_roster_add, name="conflict_roster_add"),
    path("conflicts/<int:pk>/roster/upload/", conflict_roster_upload,
         name="conflict_roster_upload"),
    path("conflicts/roster-template/", conflict_roster_template, name="conflict_roster_template"),
    path("conflicts/entries/<int:pk>/", conflict_entry, name="conflict_entry"),
    path("conflicts/entries/<int:pk>/remove/", conflict_entry_remove, name="conflict_entry_remove"),
]
