"""Forms of the data intake pages: the upload, and the column mapping (one choice per
canonical column: one of the file's headers, or 无)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from qinglian.registry.forms_people import StyledForm
from qinglian.registry.models import Organisation

from .schemas import SCHEMAS, DatasetKind

NONE = ""


class UploadForm(StyledForm):
    organisation = forms.ModelChoiceField(label="单位", queryset=Organisation.objects.none(),
                                          empty_label="请选择单位")
    kind = forms.ChoiceField(label="数据类型", choices=DatasetKind.choices)
    file = forms.FileField(
        label="文件", help_text="CSV、Excel（.xlsx）、Parquet；OCDS 数据为 .jsonl 或 .jsonl.gz。"
        "CSV 可为 UTF-8 或 GBK 编码。",
        widget=forms.ClearableFileInput(attrs={
            "accept": ".csv,.xlsx,.parquet,.jsonl,.gz,.ndjson"}))

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if organisations.count() == 1:
            field.initial = organisations.first()
            field.widget = forms.HiddenInput()
            field.required = False
        self._only = organisations.first() if organisations.count() == 1 else None

    def clean_organisation(self) -> Organisation | None:
        return self.cleaned_data.get("organisation") or self._only


class MappingForm(StyledForm):
    """One field per canonical column of the kind, preselected from the suggestion."""

    def __init__(self, *args: Any, kind: str, headers: list[str], initial_mapping: dict[str, str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(NONE, "无（文件中没有此列）"), *[(h, h) for h in headers]]
        for column in SCHEMAS[kind].columns:
            self.fields[column.name] = forms.ChoiceField(
                label=f"{column.label}（{column.name}）", choices=choices, required=False,
                initial=initial_mapping.get(column.name, NONE),
                help_text=_help(column.type, column.help, column.required))
            self.fields[column.name].widget.attrs["class"] = "form-select"
            self.fields[column.name].widget.attrs["data-required"] = (
                "true" if column.required else "false")

    def mapping(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}


TYPE_HELP = {
    "text": "文本", "code": "编号（自动去空格、转半角、转大写）",
    "amount": "金额（支持千分位、￥、元、万、亿，括号表示负数）",
    "date": "日期（2026-03-01、2026/3/1、2026年3月1日、20260301 或 Excel 日期）",
    "integer": "整数", "boolean": "是/否",
}


def _help(type_: str, extra: str, required: bool) -> str:
    text = TYPE_HELP.get(type_, type_)
    if extra:
        text += "；" + extra
    return ("必填；" if required else "选填；") + text
