"""The eligibility check form: purpose, title, and the nominee list pasted or uploaded.

The whole list is validated here first so that the page can show every bad line in a table
(line, value, reason); the action validates again before it stores anything.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qinglian.core.imports import TableError
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.forms_people import StyledForm
from qinglian.registry.models import Organisation

from .choices import EligibilityPurpose
from .eligibility_lists import (
    LineError,
    NomineeEntry,
    clean_entries,
    parse_pasted,
    read_nominee_file,
)


class EligibilityCheckForm(StyledForm):
    """A new check. ``federation`` is asked of the platform administrator only; officers check
    in their own federation."""

    federation = forms.ModelChoiceField(
        label=_("工商联"), queryset=Organisation.objects.none(), empty_label=_("请选择工商联"),
        error_messages={"required": _("请选择工商联"),
                        "invalid_choice": _("所选工商联不存在")},
    )
    purpose = forms.ChoiceField(
        label=_("审核用途"), choices=[("", _("请选择用途")), *EligibilityPurpose.choices],
        error_messages={"required": _("请选择审核用途"), "invalid_choice": _("请选择审核用途")},
    )
    title = forms.CharField(
        label=_("事项名称"), max_length=128,
        help_text=_("如“2026 年度优秀民营企业评选”“第十三届区政协委员推荐人选”"),
        error_messages={"required": _("请填写事项名称"),
                        "max_length": _("事项名称不能超过 128 个字符")},
    )
    pasted = forms.CharField(
        label=_("粘贴名单"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "ql-mono"}),
        help_text=_("每行一名人选：统一社会信用代码或 18 位身份证号，其后可跟名称/姓名（以制表符、逗号、空格或顿号分隔）"),
    )
    file = forms.FileField(
        label=_("或上传名单文件"), required=False,
        help_text=_("Excel（.xlsx）或 CSV 文件，列名为“证件号码”（或“统一社会信用代码”“身份证号”）和“名称”（或“姓名”）"),
        error_messages={"empty": _("文件是空的（0 字节）")},
    )

    def __init__(self, *args: Any, federations: QuerySet[Organisation] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries: list[NomineeEntry] = []
        self.line_errors: list[LineError] = []
        if federations is None:
            del self.fields["federation"]
        else:
            field = self.fields["federation"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = federations.filter(kind=OrganisationKind.FEDERATION).order_by("name_pinyin")

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if upload is None:
            return None
        limit = settings.QINGLIAN_MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(_("文件大小超过 %(limit).0f MB 的上限") % {"limit": limit / 1048576})
        if PurePath(upload.name or "").suffix.lower() not in (".xlsx", ".csv"):
            raise forms.ValidationError(_("只能上传 .xlsx 或 .csv 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）"))
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        pasted: str = cleaned.get("pasted") or ""
        upload: UploadedFile | None = cleaned.get("file")
        if "file" in self.errors:
            return cleaned
        if pasted.strip() and upload is not None:
            raise forms.ValidationError(_("请在“粘贴名单”和“上传名单文件”中二选一"))
        if upload is not None:
            try:
                self.entries = read_nominee_file(upload.read(), upload.name or "")
            except TableError as exc:
                for error in exc.errors:
                    self.add_error("file", f"第 {error.row} 行：{error.reason}" if error.row else error.reason)
                return cleaned
        elif pasted.strip():
            self.entries = parse_pasted(pasted)
        else:
            self.add_error("pasted", _("请粘贴人选名单，或上传名单文件"))
            return cleaned
        self.line_errors = clean_entries(self.entries)[1]
        if self.line_errors:
            raise forms.ValidationError(
                _("名单中有 %(n)d 处错误，未作审核、未保存任何数据：请按下表改正后重新提交")
                % {"n": len(self.line_errors)})
        return cleaned
