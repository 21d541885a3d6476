"""Chamber documents (行业自律文件): the list in scope, publishing a PDF, withdrawing it, and
the file through scope. The public reads the published ones on the portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.choices import Role
from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import READ, WRITE, access, has_perm, require, restrict
from qinglian.core.uploads import evidence_content_type
from qinglian.registry.choices import HOST_KINDS
from qinglian.registry.models import Organisation
from qinglian.registry.queries import jurisdiction_id
from qinglian.registry.views.people import acting_user

from ..choices import DocumentKind
from ..document_actions import do_publish_document, do_withdraw_document
from ..models import ChamberDocument


def publishing_organisations(user: Any) -> QuerySet[Organisation]:
    """Chambers, associations (and the federation) the user may publish documents for."""
    if not has_perm(user, "credit.manage_documents"):
        return Organisation.objects.none()
    hosts = Organisation.objects.filter(kind__in=HOST_KINDS).order_by("kind", "name_pinyin")
    if user.role == Role.ADMIN:
        return hosts
    if user.role == Role.FEDERATION_OFFICER:
        fed = jurisdiction_id(user)
        return hosts.filter(Q(pk=fed) | Q(federation_id=fed)) if fed else hosts.none()
    if user.role == Role.CHAMBER_OFFICER:
        return hosts.filter(pk=user.organisation_id)
    return hosts.none()


class DocumentForm(forms.Form):
    organisation = forms.ModelChoiceField(label="发布单位", queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label="文件类型", choices=DocumentKind.choices)
    title = forms.CharField(label="标题", max_length=128)
    year = forms.IntegerField(label="年度", required=False, min_value=1990, max_value=2100,
                              help_text="年度自律报告必填")
    summary = forms.CharField(label="摘要", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label="PDF 文件", widget=forms.FileInput(attrs={"accept": ".pdf"}),
                           help_text="仅限 PDF，不超过 20 MB；按文件内容校验")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if organisations.count() == 1:
            field.initial = organisations.first()
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs.setdefault("class", css)

    def apply_action_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


COLUMNS = [
    Column("发布单位", lambda d: d.organisation.name),
    Column("类型", lambda d: d.get_kind_display()),
    Column("标题", lambda d: d.title),
    Column("年度", lambda d: d.year or ""),
    Column("状态", lambda d: "已公开" if d.is_public else "已撤下"),
    Column("发布时间", lambda d: d.created_at),
    Column("撤下时间", lambda d: d.withdrawn_at),
]


@login_required
@require_GET
def document_list(request: HttpRequest) -> HttpResponseBase:
    """Documents in scope, filtered by kind, state and a title search."""
    require(request.user, "credit.view")
    docs = restrict(ChamberDocument.objects.select_related("organisation"), request.user, READ)
    kind, state, q = (request.GET.get("kind", ""), request.GET.get("state", ""),
                      request.GET.get("q", "").strip()[:64])
    if kind in DocumentKind.values:
        docs = docs.filter(kind=kind)
    if state in ("public", "withdrawn"):
        docs = docs.filter(is_public=state == "public")
    if q:
        docs = docs.filter(Q(title__contains=q) | Q(organisation__name__contains=q))
    docs = docs.order_by("organisation__name_pinyin", "-year", "-created_at", "-pk")
    if request.GET.get("export") == "xlsx":
        require(request.user, "credit.export")
        return xlsx_response("行业自律文件", "行业自律文件", COLUMNS, docs)
    return render(request, "credit/document_list.html", {
        "page_obj": paginate(request, docs), "query": query_without_page(request),
        "kinds": DocumentKind.choices, "kind": kind, "state": state, "q": q,
        "can_add": publishing_organisations(request.user).exists(),
        "can_manage": has_perm(request.user, "credit.manage_documents"),
        "can_export": has_perm(request.user, "credit.export"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "credit.manage_documents")
    organisations = publishing_organisations(request.user)
    form = DocumentForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = do_publish_document(
                data["organisation"], actor=acting_user(request), kind=data["kind"],
                title=data["title"], year=data["year"], summary=data["summary"],
                upload=data["file"])
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, f"已发布“{document.title}”，公众可在信用信息公示网站查看")
            return redirect("credit_document_list")
    return render(request, "credit/document_form.html", {"form": form})


@login_required
@require_POST
def document_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "credit.manage_documents")
    document = access(ChamberDocument.objects.all(), request.user, pk, WRITE)
    try:
        do_withdraw_document(document, actor=acting_user(request),
                             reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已撤下“{document.title}”，公示网站不再显示")
    return redirect("credit_document_list")


@login_required
@require_GET
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """The PDF through scope (also after it was withdrawn)."""
    require(request.user, "credit.view")
    document = access(ChamberDocument.objects.all(), request.user, pk)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("文件不存在") from exc
    response = FileResponse(handle, content_type=evidence_content_type(document.file.name or ""),
                            filename=document.original_name or "document.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("documents/", document_list, name="credit_document_list"),
    path("documents/new/", document_create, name="credit_document_create"),
    path("documents/<int:pk>/withdraw/", document_withdraw, name="credit_document_withdraw"),
    path("documents/<int:pk>/file/", document_file, name="credit_document_file"),
]
