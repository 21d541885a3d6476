"""Screening forms: the screening itself (single, pasted or uploaded), lists and their entries,
the vendor–employee comparison. Lists are validated whole here so that the page can show every
bad line; the actions validate again before anything is stored."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from qinglian.core.imports import TableError
from qinglian.registry.forms_people import StyledForm

from .choices import InputKind, ListKind
from .lists import (
    EntryLine,
    LineError,
    ListError,
    PartyLine,
    check_parties,
    parse_pasted,
    read_entry_file,
    read_party_file,
)
from .matching import DEFAULT_THRESHOLD, MIN_THRESHOLD


def checked_upload(upload: UploadedFile | None) -> UploadedFile | None:
    """The upload if it is an .xlsx/.csv within the size limit, else a ValidationError."""
    if upload is None:
        return None
    limit = settings.QINGLIAN_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(_("文件大小超过 %(limit).0f MB 的上限") % {"limit": limit / 1048576})
    if PurePath(upload.name or "").suffix.lower() not in (".xlsx", ".csv"):
        raise forms.ValidationError(_("只能上传 .xlsx 或 .csv 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）"))
    return upload


def table_errors(exc: TableError) -> list[LineError]:
    return [LineError(e.row, e.value, e.reason) for e in exc.errors]


class ScreeningForm(StyledForm):
    """One counterparty (name and code), a pasted list, or an uploaded file — one of the three."""

    title = forms.CharField(label=_("事项"), max_length=128, required=False,
                            help_text=_("如“2026 年度供应商准入”“某项目投标单位核查”（可不填）"),
                            error_messages={"max_length": _("事项不能超过 128 个字符")})
    name = forms.CharField(label=_("名称"), max_length=255, required=False,
                           error_messages={"max_length": _("名称不能超过 255 个字符")})
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    pasted = forms.CharField(
        label=_("或粘贴名单"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("每行一个对象：名称，其后可跟统一社会信用代码（以制表符、逗号或两个空格分隔）"))
    file = forms.FileField(
        label=_("或上传名单文件"), required=False,
        help_text=_("Excel（.xlsx）或 CSV 文件，列名为“名称”和“统一社会信用代码”"),
        error_messages={"empty": _("文件是空的（0 字节）")})
    threshold = forms.IntegerField(
        label=_("名称匹配阈值"), min_value=int(MIN_THRESHOLD), max_value=100,
        initial=int(DEFAULT_THRESHOLD),
        help_text=_("名称主体相似度达到此分数即列为命中（70–100，默认 85）"),
        error_messages={"required": _("请填写名称匹配阈值"),
                        "min_value": _("名称匹配阈值不能低于 70"),
                        "max_value": _("名称匹配阈值不能高于 100"),
                        "invalid": _("名称匹配阈值应为整数")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parties: list[PartyLine] = []
        self.input_kind = ""
        self.line_errors: list[LineError] = []

    def clean_file(self) -> UploadedFile | None:
        return checked_upload(self.cleaned_data.get("file"))

    def _read(self, name: str, pasted: str, upload: UploadedFile | None) -> list[PartyLine]:
        if upload is not None:
            self.input_kind = InputKind.UPLOAD
            return read_party_file(upload.read(), upload.name or "")
        if pasted.strip():
            self.input_kind = InputKind.PASTE
            return parse_pasted(pasted)
        self.input_kind = InputKind.SINGLE
        return check_parties([PartyLine(1, name, self.cleaned_data.get("uscc") or "")])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "file" in self.errors:
            return cleaned
        name, pasted = (cleaned.get("name") or "").strip(), cleaned.get("pasted") or ""
        upload: UploadedFile | None = cleaned.get("file")
        given = sum((bool(name), bool(pasted.strip()), upload is not None))
        if given == 0:
            raise forms.ValidationError(_("请填写名称，或粘贴名单，或上传名单文件"))
        if given > 1:
            raise forms.ValidationError(_("单个录入、粘贴名单和上传文件请三选一"))
        try:
            self.parties = self._read(name, pasted, upload)
        except TableError as exc:
            self.line_errors = table_errors(exc)
        except ListError as exc:
            self.line_errors = exc.errors
        if self.line_errors:
            raise forms.ValidationError(
                _("名单中有 %(n)d 处错误，未作筛查、未保存任何数据：请按下表改正后重新提交")
                % {"n": len(self.line_errors)})
        return cleaned


class WatchListForm(StyledForm):
    kind = forms.ChoiceField(label=_("名单类型"), choices=ListKind.choices,
                             error_messages={"required": _("请选择名单类型"),
                                             "invalid_choice": _("请选择名单类型")})
    name = forms.CharField(label=_("名单名称"), max_length=128,
                           error_messages={"required": _("请填写名单名称"),
                                           "max_length": _("名单名称不能超过 128 个字符")})
    source = forms.CharField(label=_("来源"), max_length=255, required=False,
                             help_text=_("如“市建筑业协会 2026 年第 3 期行业黑名单”"))

    def __init__(self, *args: Any, external: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not external:
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(ListKind.OWN.value, ListKind.OWN.label)]


class WatchEntryForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=255,
                           error_messages={"required": _("请填写名称"),
                                           "max_length": _("名称不能超过 255 个字符")})
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    reason = forms.CharField(label=_("列入原因/依据"), max_length=500, required=False)
    listed_on = forms.DateField(label=_("列入日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("有效期至"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def clean_uscc(self) -> str:
        from qinglian.registry.identifiers import IdentifierError, clean_uscc

        code = (self.cleaned_data.get("uscc") or "").strip()
        if not code:
            return ""
        try:
            return clean_uscc(code)
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc)) from exc


class EntryUploadForm(StyledForm):
    file = forms.FileField(label=_("名单文件"), error_messages={
        "required": _("请选择要上传的文件"), "empty": _("文件是空的（0 字节）")},
        help_text=_("列名：名称*、统一社会信用代码、列入原因、列入日期、有效期至"))
    replace = forms.BooleanField(label=_("替换名单中的现有条目（不勾选则追加）"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries: list[EntryLine] = []
        self.line_errors: list[LineError] = []

    def clean_file(self) -> UploadedFile | None:
        return checked_upload(self.cleaned_data.get("file"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload: UploadedFile | None = cleaned.get("file")
        if upload is None:
            return cleaned
        try:
            self.entries = read_entry_file(upload.read(), upload.name or "")
        except TableError as exc:
            self.line_errors = table_errors(exc)
        except ListError as exc:
            self.line_errors = exc.errors
        if self.line_errors:
            raise forms.ValidationError(
                _("文件中有 %(n)d 处错误，未导入任何条目：请按下表改正后重新上传")
                % {"n": len(self.line_errors)})
        return cleaned
