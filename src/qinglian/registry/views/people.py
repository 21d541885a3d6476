"""People pages: the register of entrepreneurs, legal representatives, liaison officers, leaders.

Personal data is shown masked everywhere (lists, exports, detail). Only roles holding
``registry.unmask_person`` may see the clear ID number and phone, one person at a time, after
giving a reason; every such look is an audit event (``person.unmasked``).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.choices import Role
from qinglian.core.exports import Column, xlsx_response
from qinglian.core.formatting import chinese_date
from qinglian.core.models import User
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict

from .. import actions
from ..choices import OrganisationKind
from ..forms_people import PersonCreateForm, PersonForm, PositionEndForm, PositionForm, UnmaskForm
from ..models import Organisation, Person, Position
from ..queries import access_person, jurisdiction_id, list_people


def acting_user(request: HttpRequest) -> User:
    """The signed-in user as the actor of an action (views are all behind login_required)."""
    return cast(User, request.user)


def _visible_positions(user: Any, *, current_only: bool) -> QuerySet[Position]:
    """Positions in organisations the user can see (posts elsewhere are not theirs to read)."""
    qs = restrict(Position.objects.all(), user).filter(
        organisation__in=restrict(Organisation.objects.all(), user).values("pk")
    ).select_related("organisation")
    if current_only:
        qs = qs.filter(end_on__isnull=True)
    return qs.order_by("end_on", "organisation__name_pinyin", "title")


def _people(request: HttpRequest) -> QuerySet[Person]:
    return list_people(request.user, search_text(request)).prefetch_related(
        Prefetch("positions", queryset=_visible_positions(request.user, current_only=True),
                 to_attr="current_positions")
    )


def _export_people(people: QuerySet[Person]) -> HttpResponseBase:
    """Masked values only: an export leaves the platform, clear personal data never does."""
    columns = [
        Column(_("姓名"), lambda p: p.name, 12),
        Column(_("性别"), lambda p: p.get_gender_display() if p.gender else "", 8),
        Column(_("身份证号（脱敏）"), lambda p: p.id_number_masked, 22),
        Column(_("手机号（脱敏）"), lambda p: p.phone_masked, 16),
        Column(_("中共党员"), lambda p: _("是") if p.is_party_member else _("否"), 10),
        Column(_("现任职务"), lambda p: [
            f"{pos.organisation.name} {pos.get_title_display()}" for pos in p.current_positions
        ], 48),
    ]
    return xlsx_response(_("人员库"), _("人员"), columns, people)


def is_personal(text: str) -> bool:
    """An ID or phone number (seven digits or more): searched by POST only, so that it never
    lands in a URL, the browser history or a server's access log."""
    return sum(ch.isdigit() for ch in text) >= 7


def search_text(request: HttpRequest) -> str:
    if request.method == "POST":
        return request.POST.get("q", "").strip()
    text = request.GET.get("q", "").strip()
    return "" if is_personal(text) else text


@login_required
@require_http_methods(["GET", "POST"])
def person_list(request: HttpRequest) -> HttpResponseBase:
    """Search by name, pinyin initials, exact ID number (keyed hash) or exact phone."""
    require(request.user, "registry.view")
    people = _people(request)
    if request.GET.get("export") == "xlsx":
        require(request.user, "registry.export")
        return _export_people(people)
    text = search_text(request)
    context = {
        "page_obj": paginate(request, people),
        # Page links carry the search words, never an ID or phone number.
        "query": query_without_page(request, q="" if is_personal(text) else text),
        "q": text,
        "can_create": has_perm(request.user, "registry.change_person"),
        "can_export": has_perm(request.user, "registry.export"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "registry/partials/person_table.html", context)
    return render(request, "registry/person_list.html", context)


def _create_form(request: HttpRequest) -> PersonCreateForm:
    user = request.user
    federations = None
    if getattr(user, "role", None) == Role.ADMIN:
        federations = Organisation.objects.filter(kind=OrganisationKind.FEDERATION)
    return PersonCreateForm(
        request.POST or None,
        organisations=restrict(Organisation.objects.all(), user, WRITE),
        position_required=getattr(user, "role", None) == Role.CHAMBER_OFFICER,
        federations=federations,
    )


def _federation_for(request: HttpRequest, form: PersonCreateForm) -> Organisation:
    chosen = form.cleaned_data.get("federation")
    if chosen is not None:
        return chosen
    fed_id = jurisdiction_id(request.user)
    if fed_id is None:
        raise PermissionDenied(_("您的账号未关联工商联，不能登记人员"))
    return Organisation.objects.get(pk=fed_id)


def _create_person(request: HttpRequest, form: PersonCreateForm) -> Person:
    data = form.cleaned_data
    with transaction.atomic():
        person = actions.do_create_person(
            actor=acting_user(request), federation=_federation_for(request, form),
            name=data["name"], gender=data.get("gender", ""),
            is_party_member=data.get("is_party_member", False), notes=data.get("notes", ""),
            id_number=data.get("id_number", ""), phone=data.get("phone", ""),
        )
        if data.get("organisation"):
            actions.do_add_position(
                actor=acting_user(request), person=person, organisation=data["organisation"],
                title=data["title"], start_on=data.get("start_on"),
            )
    return person


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "registry.change_person")
    form = _create_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            person = _create_person(request, form)
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已登记人员：%(name)s") % {"name": person.name})
            return redirect("person_detail", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form, "person": None})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "registry.change_person")
    person = access_person(request.user, pk, WRITE)
    initial = {"name": person.name, "gender": person.gender,
               "is_party_member": person.is_party_member, "notes": person.notes}
    form = PersonForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_person(person, actor=acting_user(request), **form.particulars(),
                                     **form.personal_data())
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已保存人员信息"))
            return redirect("person_detail", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form, "person": person})


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "registry.view")
    person = access_person(request.user, pk)
    positions = _visible_positions(request.user, current_only=False).filter(person=person)
    can_change = has_perm(request.user, "registry.change_person") and restrict(
        Person.objects.filter(pk=person.pk), request.user, WRITE).exists()
    return render(request, "registry/person_detail.html", {
        "person": person, "positions": positions, "can_change": can_change,
        "can_unmask": has_perm(request.user, "registry.unmask_person"),
        "unmask_form": UnmaskForm(), "end_form": PositionEndForm(),
    })


@never_cache
@login_required
@require_POST
def person_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """The clear ID number and phone, for a stated reason; audited as ``person.unmasked``."""
    require(request.user, "registry.unmask_person")
    person = access_person(request.user, pk)
    form = UnmaskForm(request.POST)
    clear: dict[str, str] | None = None
    if form.is_valid():
        try:
            clear = actions.do_unmask_person(person, actor=acting_user(request),
                                             reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.apply_action_error(exc)
    return render(request, "registry/partials/person_personal_data.html", {
        "person": person, "clear": clear, "unmask_form": form, "can_unmask": True,
    })


@login_required
@require_http_methods(["GET", "POST"])
def position_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "registry.change_person")
    person = access_person(request.user, pk, WRITE)
    form = PositionForm(request.POST or None,
                        organisations=restrict(Organisation.objects.all(), request.user, WRITE))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_add_position(actor=acting_user(request), person=person,
                                    organisation=data["organisation"], title=data["title"],
                                    start_on=data.get("start_on"))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已添加任职"))
            return redirect("person_detail", pk=person.pk)
    return render(request, "registry/person_position_form.html", {"form": form, "person": person})


def _position_error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@login_required
@require_POST
def position_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a post on a date (离任); the post stays in the person's history."""
    require(request.user, "registry.change_person")
    position = access(Position.objects.select_related("person"), request.user, pk, WRITE)
    form = PositionEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写有效的离任日期"))
    elif position.end_on is not None:
        messages.error(request, _("该任职已于 %(date)s 离任") % {
            "date": chinese_date(position.end_on)})
    else:
        try:
            actions.do_end_position(position, actor=acting_user(request), end_on=form.cleaned_data["end_on"])
        except ValidationError as exc:
            messages.error(request, _position_error_text(exc))
        else:
            messages.success(request, _("已登记离任：%(title)s") % {
                "title": position.get_title_display()})
    return redirect("person_detail", pk=position.person_id)


urlpatterns = [
    path("people/", person_list, name="person_list"),
    path("people/new/", person_create, name="person_create"),
    path("people/<int:pk>/", person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", person_edit, name="person_edit"),
    path("people/<int:pk>/unmask/", person_unmask, name="person_unmask"),
    path("people/<int:pk>/positions/new/", position_create, name="position_create"),
    path("positions/<int:pk>/end/", position_end, name="position_end"),
]
