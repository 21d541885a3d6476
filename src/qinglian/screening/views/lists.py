"""Screening lists: the lists a user may see, a new list, one list's entries (add, remove,
export), and an upload of entries (all rows or none, with every bad row named).

Reading needs ``screening.view`` (403 for departments); changing needs ``screening.manage_list``
and a list of the user's own organisation (``access(..., WRITE)``: 404 otherwise). Only
federations create external lists (``screening.upload_external``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.registry.views.people import acting_user

from ..forms import EntryUploadForm, WatchEntryForm, WatchListForm
from ..list_actions import (
    do_add_watch_entry,
    do_create_watch_list,
    do_remove_watch_entry,
    do_upload_watch_entries,
)
from ..models import WatchEntry, WatchList
from ..queries import home_organisation, visible_lists


def _can_change(request: HttpRequest, watch_list: WatchList) -> bool:
    return has_perm(request.user, "screening.manage_list") and restrict(
        WatchList.objects.filter(pk=watch_list.pk), request.user, WRITE).exists()


@login_required
@require_GET
def watchlist_list(request: HttpRequest) -> HttpResponse:
    """Every list the user may see, with its entry count and version."""
    require(request.user, "screening.view")
    lists = visible_lists(request.user).annotate(entry_count=Count("entries")).order_by(
        "-kind", "owner__name", "name", "id")
    return render(request, "screening/lists/list.html", {
        "page_obj": paginate(request, lists),
        "can_manage": has_perm(request.user, "screening.manage_list"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def watchlist_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "screening.manage_list")
    actor = acting_user(request)
    form = WatchListForm(request.POST or None,
                         external=has_perm(actor, "screening.upload_external"))
    if request.method == "POST" and form.is_valid():
        owner = home_organisation(actor)
        try:
            if owner is None:
                raise ValidationError(_("您的账户未关联单位，不能建立名单"))
            watch_list = do_create_watch_list(owner, actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已建立名单“%(name)s”") % {"name": watch_list.name})
            return redirect("watchlist_detail", pk=watch_list.pk)
    return render(request, "screening/lists/form.html", {"form": form})


def _export(watch_list: WatchList) -> HttpResponseBase:
    return xlsx_response(f"筛查名单_{watch_list.pk}", "名单条目", [
        Column(_("名称"), lambda e: e.name, 36),
        Column(_("统一社会信用代码"), lambda e: e.uscc, 24),
        Column(_("列入原因"), lambda e: e.reason, 40),
        Column(_("列入日期"), lambda e: e.listed_on, 14),
        Column(_("有效期至"), lambda e: e.expires_on, 14),
        Column(_("名称主体"), lambda e: e.core, 24),
    ], watch_list.entries.order_by("line", "id").iterator(chunk_size=2000))


@login_required
@require_GET
def watchlist_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A list's entries (searchable, paginated), the forms to add and upload entries."""
    require(request.user, "screening.view")
    watch_list = access(visible_lists(request.user), request.user, pk)
    if request.GET.get("export") == "xlsx":
        require(request.user, "screening.export")
        return _export(watch_list)
    query = (request.GET.get("q") or "").strip()
    entries = watch_list.entries.order_by("line", "id")
    if query:
        entries = entries.filter(Q(name__icontains=query) | Q(uscc__icontains=query)
                                 | Q(core__icontains=query))
    return render(request, "screening/lists/detail.html", {
        "watch_list": watch_list, "page_obj": paginate(request, entries, per_page=50),
        "query": query, "can_change": _can_change(request, watch_list),
        "can_export": has_perm(request.user, "screening.export"),
        "entry_form": WatchEntryForm(), "upload_form": EntryUploadForm(),
    })


def _writable(request: HttpRequest, pk: int) -> WatchList:
    require(request.user, "screening.manage_list")
    return access(WatchList.objects.select_related("owner"), request.user, pk, WRITE)


@login_required
@require_POST
def watchlist_add_entry(request: HttpRequest, pk: int) -> HttpResponse:
    watch_list = _writable(request, pk)
    form = WatchEntryForm(request.POST)
    if form.is_valid():
        try:
            entry = do_add_watch_entry(watch_list, actor=acting_user(request), **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("已添加“%(name)s”") % {"name": entry.name})
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("watchlist_detail", pk=watch_list.pk)


@login_required
@require_POST
def watchentry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "screening.manage_list")
    entry = access(WatchEntry.objects.select_related("watch_list__owner"), request.user, pk, WRITE)
    do_remove_watch_entry(entry, actor=acting_user(request))
    messages.success(request, _("已从名单中移除“%(name)s”") % {"name": entry.name})
    return redirect("watchlist_detail", pk=entry.watch_list_id)


@login_required
@require_http_methods(["GET", "POST"])
def watchlist_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload entries: every row is checked first; a file with any bad row adds nothing."""
    watch_list = _writable(request, pk)
    form = EntryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            added = do_upload_watch_entries(
                watch_list, entries=form.entries, replace=form.cleaned_data["replace"],
                file_name=upload.name or "", actor=acting_user(request))
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("已导入 %(n)d 条名单条目") % {"n": added})
            return redirect("watchlist_detail", pk=watch_list.pk)
    return render(request, "screening/lists/upload.html", {
        "watch_list": watch_list, "form": form, "line_errors": form.line_errors})


urlpatterns = [
    path("lists/", watchlist_list, name="watchlist_list"),
    path("lists/new/", watchlist_create, name="watchlist_create"),
    path("lists/<int:pk>/", watchlist_detail, name="watchlist_detail"),
    path("lists/<int:pk>/entries/", watchlist_add_entry, name="watchlist_add_entry"),
    path("lists/<int:pk>/upload/", watchlist_upload, name="watchlist_upload"),
    path("entries/<int:pk>/remove/", watchentry_remove, name="watchentry_remove"),
]
