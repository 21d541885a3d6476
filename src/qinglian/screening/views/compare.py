"""供应商与员工比对: upload a vendor list and an employee list, see the ties field by field
(and export them). Nothing from either file is stored; the comparison is an audit event."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from qinglian.core.exports import Column, xlsx_response
from qinglian.core.imports import TableError, TableSpec
from qinglian.core.permissions import require
from qinglian.registry.forms_people import StyledForm
from qinglian.registry.views.people import acting_user

from ..compare import EMPLOYEE_SPEC, VENDOR_SPEC, Record, Tie, do_compare_vendors, read_records
from ..forms import checked_upload, table_errors
from ..lists import LineError, ListError
from ..queries import home_organisation


class CompareForm(StyledForm):
    vendors = forms.FileField(label=gettext_lazy("供应商名单"), help_text=gettext_lazy(
        "列名：名称*、电话、银行账号、地址、法定代表人"), error_messages={
        "required": gettext_lazy("请上传供应商名单"), "empty": gettext_lazy("文件是空的（0 字节）")})
    employees = forms.FileField(label=gettext_lazy("员工名单"), help_text=gettext_lazy(
        "列名：姓名*、工号、部门、电话、银行账号、地址"), error_messages={
        "required": gettext_lazy("请上传员工名单"), "empty": gettext_lazy("文件是空的（0 字节）")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.records: dict[str, list[Record]] = {}
        self.line_errors: list[tuple[str, LineError]] = []

    def clean_vendors(self) -> UploadedFile | None:
        return checked_upload(self.cleaned_data.get("vendors"))

    def clean_employees(self) -> UploadedFile | None:
        return checked_upload(self.cleaned_data.get("employees"))

    def _read(self, key: str, spec: TableSpec) -> None:
        upload: UploadedFile | None = self.cleaned_data.get(key)
        if upload is None:
            return
        try:
            self.records[key] = read_records(spec, upload.read(), upload.name or "")
        except TableError as exc:
            self.line_errors += [(spec.title, e) for e in table_errors(exc)]
        except ListError as exc:
            self.line_errors += [(spec.title, e) for e in exc.errors]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._read("vendors", VENDOR_SPEC)
        self._read("employees", EMPLOYEE_SPEC)
        if self.line_errors:
            raise forms.ValidationError(_("名单中有 %(n)d 处错误，未作比对：请按下表改正后重新上传")
                                        % {"n": len(self.line_errors)})
        return cleaned


def _export(ties: list[Tie]) -> HttpResponseBase:
    return xlsx_response("供应商与员工比对", "比对结果", [
        Column(_("供应商行号"), lambda t: t.vendor.line, 10),
        Column(_("供应商"), lambda t: t.vendor.name, 32),
        Column(_("员工行号"), lambda t: t.employee.line, 10),
        Column(_("员工"), lambda t: t.employee.name, 14),
        Column(_("相同项"), lambda t: t.label, 20),
        Column(_("规范化后的值"), lambda t: t.value, 30),
    ], ties)


@login_required
@require_http_methods(["GET", "POST"])
def vendor_compare(request: HttpRequest) -> HttpResponseBase:
    require(request.user, "screening.compare")
    actor = acting_user(request)
    form = CompareForm(request.POST or None, request.FILES or None)
    ties: list[Tie] | None = None
    if request.method == "POST" and form.is_valid():
        organisation = home_organisation(actor)
        try:
            if organisation is None:
                raise ValidationError(_("您的账户未关联单位，不能开展比对"))
            ties = do_compare_vendors(organisation, vendors=form.records["vendors"],
                                      employees=form.records["employees"], actor=actor)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.POST.get("export") == "xlsx":
                return _export(ties)
    return render(request, "screening/compare.html", {
        "form": form, "ties": ties, "line_errors": form.line_errors,
        "vendor_count": len(form.records.get("vendors", [])),
        "employee_count": len(form.records.get("employees", [])),
    })


urlpatterns = [
    path("vendors/compare/", vendor_compare, name="vendor_compare"),
]
