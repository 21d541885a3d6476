"""Integrity commitment pages: versions, publishing, signatures, scans and re-sign items.

A chamber's commitment (清廉企业共建承诺书) is versioned. Publishing a new version supersedes the
old one, and every active member must sign the new text again: those still unsigned are the
re-sign items (``unsigned_memberships``). A signature stores the SHA-256 of the exact text signed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.choices import Role
from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate, parse_id, query_without_page
from qinglian.core.permissions import READ, WRITE, access, has_perm, require, restrict

from .. import actions
from ..choices import (
    ACTIVE_MEMBERSHIP,
    BODY_KINDS,
    OPEN_MEMBERSHIP,
    CommitmentStatus,
)
from ..forms_memberships import (
    DEFAULT_COMMITMENT_TITLE,
    CommitmentForm,
    OfficerSignatureForm,
    SignatureForm,
    default_commitment_body,
)
from ..models import Commitment, Membership, Organisation, Signature
from ..queries import access_commitment, current_commitment, list_memberships, search_q
from ..queries import unsigned_memberships as resign_items
from ..uploads import scan_content_type
from .people import acting_user

#: How many re-sign items the commitment page lists before linking to the full list.
RESIGN_PREVIEW = 50


def _is_enterprise(user: Any) -> bool:
    return getattr(user, "role", None) == Role.ENTERPRISE_USER


def _bodies(user: Any, action: str = READ) -> QuerySet[Organisation]:
    return restrict(Organisation.objects.filter(kind__in=BODY_KINDS), user, action)


def _chamber_rows(user: Any, chambers: list[Organisation]) -> list[dict[str, Any]]:
    """Per chamber: its versions with signature counts, active members and pending re-signs."""
    ids = [c.pk for c in chambers]
    versions: dict[int, list[Commitment]] = {pk: [] for pk in ids}
    for c in restrict(Commitment.objects.filter(organisation_id__in=ids), user).order_by(
            "organisation_id", "-version"):
        versions[c.organisation_id].append(c)
    # .order_by() everywhere below: an ordering left on the queryset would join the GROUP BY
    # and turn every count into 1.
    signed = dict(restrict(Signature.objects.filter(commitment__organisation_id__in=ids), user)
                  .order_by().values("commitment_id").annotate(n=Count("id")).values_list("commitment_id", "n"))
    active = dict(restrict(Membership.objects.filter(
        organisation_id__in=ids, status__in=[s.value for s in ACTIVE_MEMBERSHIP]), user)
        .order_by().values("organisation_id").annotate(n=Count("id")).values_list("organisation_id", "n"))
    pending = dict(resign_items(user).filter(organisation_id__in=ids).order_by()
                   .values("organisation_id")
                   .annotate(n=Count("id")).values_list("organisation_id", "n"))
    writable = set(_bodies(user, WRITE).filter(pk__in=ids).values_list("pk", flat=True))
    for vs in versions.values():
        for c in vs:
            c.signed_count = signed.get(c.pk, 0)  # type: ignore[attr-defined]
    return [{
        "chamber": ch, "versions": versions[ch.pk], "active": active.get(ch.pk, 0),
        "pending": pending.get(ch.pk, 0), "writable": ch.pk in writable,
    } for ch in chambers]


@login_required
@require_GET
def commitment_list(request: HttpRequest) -> HttpResponse:
    """Every chamber in scope with its commitment versions, signed and active member counts."""
    require(request.user, "registry.view")
    chambers = _bodies(request.user)
    if request.GET.get("q"):
        chambers = chambers.filter(search_q(request.GET["q"]))
    page_obj = paginate(request, chambers.order_by("name_pinyin", "id"))
    return render(request, "registry/commitment_list.html", {
        "page_obj": page_obj, "query": query_without_page(request), "q": request.GET.get("q", ""),
        "rows": _chamber_rows(request.user, list(page_obj.object_list)),
        "can_draft": has_perm(request.user, "registry.manage_commitment"),
        "is_enterprise": _is_enterprise(request.user),
        "pending_total": resign_items(request.user).count(),
    })


def _prefill_source(chamber: Organisation | None) -> Commitment | None:
    """The text a new version starts from: the current version, else the latest draft."""
    if chamber is None:
        return None
    return current_commitment(chamber) or chamber.commitments.order_by("-version").first()


def _prefill(chamber: Organisation | None, source: Commitment | None) -> dict[str, str]:
    """Revise the source text; a chamber's first version starts from the standard pledges."""
    if source is not None:
        return {"title": source.title, "body": source.body}
    if chamber is None:
        return {"title": DEFAULT_COMMITMENT_TITLE, "body": ""}
    return {"title": DEFAULT_COMMITMENT_TITLE, "body": default_commitment_body(chamber)}


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request: HttpRequest) -> HttpResponse:
    """Draft a new version; it changes nothing for members until it is published."""
    require(request.user, "registry.manage_commitment")
    hosts = _bodies(request.user, WRITE)
    chamber = None
    if request.method == "GET":
        wanted = request.GET.get("organisation", "")
        wanted_id = parse_id(wanted)
        if wanted_id is not None:
            chamber = hosts.filter(pk=wanted_id).first()
        elif hosts.count() == 1:
            chamber = hosts.first()
    source = _prefill_source(chamber)
    initial: dict[str, Any] = {"organisation": chamber.pk if chamber else None,
                               **_prefill(chamber, source)}
    form = CommitmentForm(request.POST or None, initial=initial, hosts=hosts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commitment = actions.do_draft_commitment(
                actor=acting_user(request), organisation=data["organisation"],
                title=data["title"], body=data["body"],
            )
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已保存为草稿（第 %(version)s 版），发布后生效") % {
                "version": commitment.version})
            return redirect("commitment_detail", pk=commitment.pk)
    return render(request, "registry/commitment_form.html", {
        "form": form, "chamber": chamber, "source": source,
    })


def _own_signature(user: Any, commitment: Commitment) -> Signature | None:
    return restrict(Signature.objects.all(), user).filter(commitment=commitment).first() \
        if _is_enterprise(user) else None


def _may_record(user: Any, commitment: Commitment) -> bool:
    if commitment.status != CommitmentStatus.PUBLISHED:
        return False
    if not has_perm(user, "registry.sign_commitment"):
        return False
    if _is_enterprise(user):
        return _own_signature(user, commitment) is None and _open_membership(user, commitment)
    return restrict(Commitment.objects.filter(pk=commitment.pk), user, WRITE).exists()


def _open_membership(user: Any, commitment: Commitment) -> bool:
    return list_memberships(user, organisation=commitment.organisation_id).filter(
        status__in=[s.value for s in OPEN_MEMBERSHIP]).exists()


@login_required
@require_GET
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "registry.view")
    user = request.user
    commitment = access_commitment(user, pk)
    signatures = restrict(Signature.objects.select_related("member", "signed_by"), user).filter(
        commitment=commitment).order_by("-signed_at", "-id")
    resign: QuerySet[Membership] = Membership.objects.none()
    if commitment.status == CommitmentStatus.PUBLISHED:
        resign = resign_items(user, organisation_id=commitment.organisation_id)
    writable = restrict(Commitment.objects.filter(pk=commitment.pk), user, WRITE).exists()
    return render(request, "registry/commitment_detail.html", {
        "commitment": commitment, "page_obj": paginate(request, signatures),
        "query": query_without_page(request),
        "resign_count": resign.count(), "resign_preview": resign[:RESIGN_PREVIEW],
        "active_count": restrict(Membership.objects.filter(
            organisation_id=commitment.organisation_id,
            status__in=[s.value for s in ACTIVE_MEMBERSHIP]), user).count(),
        "can_publish": (commitment.status == CommitmentStatus.DRAFT and writable
                        and has_perm(user, "registry.manage_commitment")),
        "can_record": _may_record(user, commitment),
        "can_draft": writable and has_perm(user, "registry.manage_commitment"),
        "own_signature": _own_signature(user, commitment),
        "is_enterprise": _is_enterprise(user),
    })


@login_required
@require_POST
def commitment_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft: the previous version is superseded and active members must re-sign."""
    require(request.user, "registry.manage_commitment")
    commitment = access_commitment(request.user, pk, WRITE)
    try:
        actions.do_publish_commitment(commitment, actor=acting_user(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        pending = resign_items(request.user, organisation_id=commitment.organisation_id).count()
        messages.success(request, _(
            "已发布第 %(version)s 版承诺书；%(count)s 家在册会员需要重新签署") % {
            "version": commitment.version, "count": pending})
    return redirect("commitment_detail", pk=commitment.pk)


def _signable_members(user: Any, commitment: Commitment) -> QuerySet[Organisation]:
    """Members of the chamber (applied or active) who have not signed this version yet."""
    open_members = list_memberships(user, organisation=commitment.organisation_id).filter(
        status__in=[s.value for s in OPEN_MEMBERSHIP]).values("member_id")
    return Organisation.objects.filter(pk__in=open_members).exclude(
        signatures__commitment=commitment)


def _sign_form(request: HttpRequest, commitment: Commitment) -> SignatureForm:
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    if _is_enterprise(request.user):
        return SignatureForm(data, files)
    return OfficerSignatureForm(data, files, initial={"member": request.GET.get("member")},
                                members=_signable_members(request.user, commitment))


def _after_sign(request: HttpRequest, commitment: Commitment) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("commitment_detail", pk=commitment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """An enterprise signs for itself; an officer records a member's signature on its behalf."""
    require(request.user, "registry.sign_commitment")
    user = request.user
    commitment = access_commitment(user, pk, READ if _is_enterprise(user) else WRITE)
    if not _may_record(user, commitment):
        messages.error(request, _("该承诺书当前不能签署（非现行版本、已签署或本企业不是该会会员）"))
        return redirect("commitment_detail", pk=commitment.pk)
    form = _sign_form(request, commitment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = data.get("member") or getattr(user, "organisation", None)
        if member is None:
            raise PermissionDenied(_("您的账号未关联企业，不能签署承诺书"))
        try:
            actions.do_sign_commitment(
                actor=acting_user(request), commitment=commitment, member=member,
                signer_name=data["signer_name"], signer_title=data["signer_title"],
                scan=data["scan"],
            )
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已记录签署：%(member)s 签署第 %(version)s 版承诺书") % {
                "member": member, "version": commitment.version})
            return _after_sign(request, commitment)
    return render(request, "registry/commitment_sign.html", {
        "commitment": commitment, "form": form, "is_enterprise": _is_enterprise(user),
        "next": request.GET.get("next", request.POST.get("next", "")),
    })


@login_required
@require_GET
def signature_scan(request: HttpRequest, pk: int) -> FileResponse:
    """The signed scan, through scope — never a public media URL. Out of scope is a 404."""
    require(request.user, "registry.view")
    signature = access(Signature.objects.select_related("commitment", "member"), request.user, pk)
    name = signature.scan.name if signature.scan else ""
    if not name:
        raise Http404(_("该签署没有上传扫描件"))
    extension = name.rsplit(".", 1)[-1].lower()
    try:
        handle = signature.scan.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("扫描件文件不存在")) from exc
    response = FileResponse(
        handle, content_type=scan_content_type(name),
        filename=f"承诺书签署_{signature.member.name}_第{signature.commitment.version}版.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _resign_rows(request: HttpRequest) -> QuerySet[Membership]:
    chamber = request.GET.get("chamber", "")
    qs = resign_items(request.user, organisation_id=parse_id(chamber))
    if request.GET.get("q"):
        qs = qs.filter(member__in=Organisation.objects.filter(search_q(request.GET["q"])))
    current = Commitment.objects.filter(organisation_id=OuterRef("organisation_id"),
                                        status=CommitmentStatus.PUBLISHED)
    last_signed = Signature.objects.filter(
        member_id=OuterRef("member_id"), commitment__organisation_id=OuterRef("organisation_id"),
    ).values("member_id").annotate(v=Max("commitment__version")).values("v")
    return qs.annotate(
        current_id=Subquery(current.values("pk")[:1]),
        current_version=Subquery(current.values("version")[:1]),
        last_signed_version=Subquery(last_signed[:1]),
    ).order_by("organisation__name_pinyin", "member__name_pinyin", "id")


def _export_resign(rows: QuerySet[Membership]) -> HttpResponseBase:
    columns = [
        Column(_("会员企业"), lambda m: m.member.name, 36),
        Column(_("统一社会信用代码"), lambda m: m.member.uscc, 22),
        Column(_("所属商会/协会"), lambda m: m.organisation.name, 28),
        Column(_("会员状态"), lambda m: m.get_status_display(), 10),
        Column(_("现行版本"), lambda m: m.current_version, 10),
        Column(_("已签最新版本"), lambda m: m.last_signed_version or _("从未签署"), 12),
    ]
    return xlsx_response(_("待重签承诺书"), _("待重签"), columns, rows)


@login_required
@require_GET
def resign_list(request: HttpRequest) -> HttpResponseBase:
    """Active members who have not signed their chamber's current commitment version."""
    require(request.user, "registry.view")
    rows = _resign_rows(request)
    if request.GET.get("export") == "xlsx":
        require(request.user, "registry.export")
        return _export_resign(rows)
    return render(request, "registry/resign_list.html", {
        "page_obj": paginate(request, rows), "query": query_without_page(request),
        "filters": request.GET, "chambers": _bodies(request.user).order_by("name_pinyin"),
        "can_export": has_perm(request.user, "registry.export"),
        "can_sign": has_perm(request.user, "registry.sign_commitment"),
        "is_enterprise": _is_enterprise(request.user),
    })


urlpatterns = [
    path("commitments/", commitment_list, name="commitment_list"),
    path("commitments/new/", commitment_create, name="commitment_create"),
    path("commitments/unsigned/", resign_list, name="resign_list"),
    path("commitments/<int:pk>/", commitment_detail, name="commitment_detail"),
    path("commitments/<int:pk>/publish/", commitment_publish, name="commitment_publish"),
    path("commitments/<int:pk>/sign/", commitment_sign, name="commitment_sign"),
    path("signatures/<int:pk>/scan/", signature_scan, name="signature_scan"),
]
