"""The federation's library of typical risk points: everyone in the jurisdiction browses it and
adds points from it to their register; the federation installs the shipped library and edits
its copy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import READ, WRITE, access, has_perm, require, restrict
from qinglian.registry.models import Organisation

from .. import actions
from ..choices import BusinessArea
from ..forms import LibraryPointForm
from ..library_data import DEFAULT_LIBRARY
from ..models import LibraryPoint
from ..queries import area_order, library_federation
from .common import acting_user, report_refusal, writable_registers

LIBRARY_FIELDS = ("code", "area", "title", "schemes", "controls", "likelihood", "impact",
                  "is_active")


@login_required
@require_GET
def library_list(request: HttpRequest) -> HttpResponse:
    """Typical risk points by business area, with their schemes and controls."""
    require(request.user, "risk.view")
    qs = restrict(LibraryPoint.objects.select_related("federation"), request.user, READ)
    area = request.GET.get("area", "")
    if area in BusinessArea.values:
        qs = qs.filter(area=area)
    text = request.GET.get("q", "").strip()[:64]
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(schemes__icontains=text)
                       | Q(controls__icontains=text) | Q(code__icontains=text))
    federation = library_federation(request.user)
    manage = has_perm(request.user, "risk.manage_library") and federation is not None
    return render(request, "risk/library_list.html", {
        "page_obj": paginate(request, qs.annotate(area_order=area_order()).order_by(
            "area_order", "code", "id")),
        "query": query_without_page(request), "filters": request.GET,
        "areas": BusinessArea.choices, "federation": federation, "can_manage": manage,
        "installed": restrict(LibraryPoint.objects.all(), request.user, READ).exists(),
        "shipped": len(DEFAULT_LIBRARY),
        "can_add": writable_registers(request.user).exists(),
    })


def _own_federation(request: HttpRequest) -> Organisation:
    federation = library_federation(request.user)
    if federation is None:
        raise PermissionDenied(_("您的账号不属于任何工商联，不能维护风险点库"))
    return federation


@login_required
@require_POST
def library_install(request: HttpRequest) -> HttpResponse:
    require(request.user, "risk.manage_library")
    try:
        added = actions.do_install_library(_own_federation(request), actor=acting_user(request))
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("已安装风险点库：新增 %(n)s 个典型风险点") % {"n": added})
    return redirect("risk_library")


def _library_form(request: HttpRequest, point: LibraryPoint | None) -> HttpResponse:
    federation = point.federation if point is not None else _own_federation(request)
    initial = ({name: getattr(point, name) for name in LIBRARY_FIELDS} if point is not None
               else {"is_active": True})
    form = LibraryPointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_save_library_point(federation, actor=acting_user(request),
                                                  point=point, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已保存风险点库条目 %(code)s") % {"code": saved.code})
            return redirect("risk_library")
    return render(request, "risk/library_form.html", {"form": form, "point": point})


@login_required
@require_http_methods(["GET", "POST"])
def library_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "risk.manage_library")
    return _library_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def library_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.manage_library")
    return _library_form(request, access(LibraryPoint.objects.select_related("federation"),
                                         request.user, pk, WRITE))


urlpatterns = [
    path("library/", library_list, name="risk_library"),
    path("library/install/", library_install, name="risk_library_install"),
    path("library/new/", library_create, name="risk_library_create"),
    path("library/<int:pk>/edit/", library_edit, name="risk_library_edit"),
]
