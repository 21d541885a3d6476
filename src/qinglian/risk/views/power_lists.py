"""Power lists and negative lists (权力清单 / 负面清单) of the "number one": the versions in
force, their history, and drafting and publishing a new version."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.permissions import WRITE, access, has_perm, require, restrict

from .. import power_actions
from ..choices import ListKind, ListStatus
from ..forms import PowerItemForm, PowerListForm
from ..models import PowerList, PowerListItem
from .common import acting_user, chosen_register, report_refusal, writable_registers

ITEM_FIELDS = ("code", "name", "basis", "procedure", "level")


@login_required
@require_GET
def power_list_index(request: HttpRequest) -> HttpResponse:
    """Per kind: the version in force with its items, drafts, and superseded versions."""
    require(request.user, "risk.view")
    readable, organisation = chosen_register(request)
    lists = restrict(PowerList.objects.select_related("organisation"), request.user)
    if organisation is not None:
        lists = lists.filter(organisation=organisation)
    lists = lists.order_by("organisation__name_pinyin", "-kind", "-version")  # power first
    current = {pl.pk: pl for pl in lists if pl.status == ListStatus.PUBLISHED}
    items = PowerListItem.objects.filter(power_list__in=list(current)).order_by("sort", "code")
    by_list: dict[int, list[PowerListItem]] = {pk: [] for pk in current}
    for item in items:
        by_list[item.power_list_id].append(item)
    can_draft = (has_perm(request.user, "risk.manage_power_list") and organisation is not None
                 and writable_registers(request.user).filter(pk=organisation.pk).exists())
    return render(request, "risk/power_list_index.html", {
        "organisation": organisation, "lists": lists, "kinds": ListKind.choices,
        "current": [(pl, by_list[pl.pk]) for pl in current.values()],
        "organisations": readable.order_by("kind", "name_pinyin") if readable.count() > 1 else [],
        "can_draft": can_draft, "drafting": _drafting(lists, organisation),
    })


def _drafting(lists: Any, organisation: Any) -> list[tuple[str, str, PowerList | None]]:
    """Per kind: its code, its name, and the draft already under way (one at a time)."""
    if organisation is None:
        return []
    drafts = {pl.kind: pl for pl in lists if pl.status == ListStatus.DRAFT}
    return [(code, str(label), drafts.get(code)) for code, label in ListKind.choices]


@login_required
@require_http_methods(["GET", "POST"])
def power_list_create(request: HttpRequest) -> HttpResponse:
    """Draft a new version of the power list or the negative list (from the one in force)."""
    require(request.user, "risk.manage_power_list")
    _readable, organisation = chosen_register(request)
    home = getattr(request.user, "organisation", None)
    organisation = organisation or home
    kind = request.GET.get("kind") or request.POST.get("kind") or ListKind.POWER
    if kind not in ListKind.values or organisation is None:
        messages.error(request, _("请先选择单位和清单类型"))
        return redirect("risk_power_lists")
    form = PowerListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = power_actions.do_draft_power_list(
                organisation, kind=kind, actor=acting_user(request), **form.cleaned_data)
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已起草第 %(v)s 版，发布后生效") % {"v": draft.version})
            return redirect("risk_power_list_detail", pk=draft.pk)
    return render(request, "risk/power_list_form.html", {
        "form": form, "kind": ListKind(kind), "organisation": organisation,
        "current": power_actions.current_list(organisation, kind)})


@login_required
@require_GET
def power_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.view")
    power_list = access(PowerList.objects.select_related("organisation", "based_on"),
                        request.user, pk)
    editable = (power_list.status == ListStatus.DRAFT
                and has_perm(request.user, "risk.manage_power_list")
                and restrict(PowerList.objects.filter(pk=pk), request.user, WRITE).exists())
    history = restrict(PowerList.objects.filter(organisation=power_list.organisation,
                                                kind=power_list.kind), request.user)
    return render(request, "risk/power_list_detail.html", {
        "power_list": power_list, "items": power_list.items.order_by("sort", "code"),
        "editable": editable, "history": history.order_by("-version"),
    })


def _item_form(request: HttpRequest, power_list: PowerList,
               item: PowerListItem | None) -> HttpResponse:
    initial = {name: getattr(item, name) for name in ITEM_FIELDS} if item else {
        "code": f"{'Q' if power_list.kind == ListKind.POWER else 'F'}-"
                f"{power_list.items.count() + 1:02d}"}
    form = PowerItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            power_actions.do_save_power_item(power_list, actor=acting_user(request), item=item,
                                             **form.cleaned_data)
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已保存清单事项"))
            return redirect("risk_power_list_detail", pk=power_list.pk)
    return render(request, "risk/power_item_form.html", {
        "form": form, "power_list": power_list, "item": item})


@login_required
@require_http_methods(["GET", "POST"])
def power_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.manage_power_list")
    power_list = access(PowerList.objects.select_related("organisation"), request.user, pk,
                        WRITE)
    if power_list.status != ListStatus.DRAFT:
        messages.error(request, _("已发布的清单不能修改；请起草新版本后再修改"))
        return redirect("risk_power_list_detail", pk=pk)
    return _item_form(request, power_list, None)


@login_required
@require_http_methods(["GET", "POST"])
def power_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.manage_power_list")
    item = access(PowerListItem.objects.select_related("power_list__organisation"),
                  request.user, pk, WRITE)
    if item.power_list.status != ListStatus.DRAFT:
        messages.error(request, _("已发布的清单不能修改；请起草新版本后再修改"))
        return redirect("risk_power_list_detail", pk=item.power_list_id)
    return _item_form(request, item.power_list, item)


@login_required
@require_POST
def power_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.manage_power_list")
    item = access(PowerListItem.objects.select_related("power_list"), request.user, pk, WRITE)
    try:
        power_actions.do_delete_power_item(item, actor=acting_user(request))
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("已删除清单事项"))
    return redirect("risk_power_list_detail", pk=item.power_list_id)


@login_required
@require_POST
def power_list_publish(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.manage_power_list")
    power_list = access(PowerList.objects.all(), request.user, pk, WRITE)
    try:
        power_actions.do_publish_power_list(power_list, actor=acting_user(request))
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("已发布第 %(v)s 版，原现行版本已被替代") % {
            "v": power_list.version})
    return redirect("risk_power_list_detail", pk=pk)


urlpatterns = [
    path("power-lists/", power_list_index, name="risk_power_lists"),
    path("power-lists/new/", power_list_create, name="risk_power_list_create"),
    path("power-lists/<int:pk>/", power_list_detail, name="risk_power_list_detail"),
    path("power-lists/<int:pk>/items/new/", power_item_create, name="risk_power_item_create"),
    path("power-lists/<int:pk>/publish/", power_list_publish, name="risk_power_list_publish"),
    path("power-items/<int:pk>/edit/", power_item_edit, name="risk_power_item_edit"),
    path("power-items/<int:pk>/delete/", power_item_delete, name="risk_power_item_delete"),
]
