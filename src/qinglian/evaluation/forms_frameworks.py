"""Forms for frameworks: the import upload, and editing a draft one part at a time.

Each edit form works on the framework's spec (``framework_spec``) and hands back the changed
spec; the view saves it with ``do_update_framework``. The forms check what a person can put
right on the spot (a level written without "=", an efficacy indicator without its target),
the action checks the whole framework again.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import PurePath
from types import SimpleNamespace
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from qinglian.registry.forms import StyledForm
from qinglian.registry.models import Organisation

from .choices import ScoringMethod
from .computed import source_choices
from .framework_actions import FrameworkSpec, IndicatorSpec, NegativeItemSpec
from .framework_rows import (
    CODE,
    METHOD_COLUMN,
    format_levels,
    format_thresholds,
    parse_levels,
    parse_thresholds,
    plain_number,
)
from .models import Framework
from .scoring import validate_indicator


class FrameworkImportForm(StyledForm):
    file = forms.FileField(
        label=_("指标体系文件"), help_text=_("从本平台导出的 Excel 工作簿（.xlsx），修改后导入"),
        error_messages={"required": _("请选择要导入的文件"), "empty": _("文件是空的（0 字节）")},
    )
    draft = forms.ModelChoiceField(
        label=_("导入方式"), queryset=Framework.objects.none(), required=False,
        empty_label=_("作为新的草稿版本导入"),
        help_text=_("选择一个草稿则用文件内容替换该草稿；已启用的版本不能替换"),
    )
    federation = forms.ModelChoiceField(
        label=_("工商联"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("请选择工商联"), help_text=_("作为新版本导入时，指标体系属于哪个工商联"),
    )

    def __init__(self, *args: Any, drafts: QuerySet[Framework],
                 federations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        draft = self.fields["draft"]
        federation = self.fields["federation"]
        assert isinstance(draft, forms.ModelChoiceField)
        assert isinstance(federation, forms.ModelChoiceField)
        draft.queryset = drafts
        federation.queryset = federations
        if federations.count() == 1:  # the officer's own federation: nothing to choose
            del self.fields["federation"]
        self.style_widgets()

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.QINGLIAN_MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(_("文件超过 %(limit)d MB 的上限") % {"limit": limit // 1048576})
        if PurePath(upload.name or "").suffix.lower() != ".xlsx":
            raise forms.ValidationError(
                _("只能导入 Excel 工作簿（.xlsx）；旧版 .xls 请在 Excel 中另存为 .xlsx"))
        return upload


class FrameworkForm(StyledForm):
    """The framework's name and description, and the names of its dimensions."""

    name = forms.CharField(label=_("名称"), max_length=128)
    description = forms.CharField(label=_("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, spec: FrameworkSpec, **kwargs: Any) -> None:
        initial = {"name": spec.get("name", ""), "description": spec.get("description", "")}
        for dim in spec.get("dimensions") or []:
            initial[f"dimension_{dim['code']}"] = dim["name"]
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.spec = spec
        for dim in spec.get("dimensions") or []:
            self.fields[f"dimension_{dim['code']}"] = forms.CharField(
                label=_("维度 %(code)s 的名称") % {"code": dim["code"]}, max_length=64)
        self.style_widgets()

    def changed_spec(self) -> FrameworkSpec:
        spec = copy.deepcopy(self.spec)
        spec["name"] = self.cleaned_data["name"].strip()
        spec["description"] = self.cleaned_data["description"].strip()
        for dim in spec.get("dimensions") or []:
            dim["name"] = self.cleaned_data[f"dimension_{dim['code']}"].strip()
        return spec


class IndicatorForm(StyledForm):
    """One indicator: what it asks, how many points, and how it is scored."""

    dimension = forms.ChoiceField(label=_("所属维度"))
    code = forms.CharField(label=_("指标代码"), max_length=16)
    name = forms.CharField(label=_("指标名称"), max_length=128)
    max_points = forms.DecimalField(
        label=_("分值"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2,
        error_messages={"invalid": _("分值须为数字，最多两位小数"),
                        "min_value": _("分值必须大于 0")})
    method = forms.ChoiceField(label=_("评分方法"), choices=ScoringMethod.choices)
    evidence_required = forms.BooleanField(label=_("须上传佐证材料"), required=False)
    levels = forms.CharField(
        label=_("分档"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一档，从高到低：档次名称=得分比例（0 到 1），如“完全落实=1”"))
    thresholds = forms.CharField(
        label=_("阈值"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个：达到的数值=得分比例，如“90=1”；取达到的最高一档"))
    floor = forms.DecimalField(label=_("不允许值"), required=False, max_digits=14,
                               decimal_places=4, help_text=_("达到不允许值得 60% 的分值"))
    target = forms.DecimalField(label=_("满意值"), required=False, max_digits=14,
                                decimal_places=4, help_text=_("达到满意值得满分；低于不允许值为越低越好"))
    unit = forms.CharField(label=_("计量单位"), max_length=16, required=False)
    computed_source = forms.ChoiceField(label=_("数据来源"), required=False)
    guidance = forms.CharField(
        label=_("评分指引"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("告诉企业和初审人员：做到什么算落实，哪些材料可以作为佐证"))

    def __init__(self, *args: Any, spec: FrameworkSpec, code: str | None = None,
                 dimension: str = "", **kwargs: Any) -> None:
        self.spec, self.original_code = spec, code
        dims = spec.get("dimensions") or []
        current = find_indicator(spec, code) if code else None
        initial = _indicator_initial(*current) if current else {"dimension": dimension}
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = [(d["code"], f"{d['code']} {d['name']}") for d in dims]  # type: ignore[attr-defined]
        self.fields["computed_source"].choices = [("", _("（不适用）")), *source_choices()]  # type: ignore[attr-defined]
        self.style_widgets()

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not CODE.fullmatch(code):
            raise forms.ValidationError(_("指标代码只能由字母、数字、汉字、“-”“_”“.”组成，不含空格和“/”"))
        taken = {i["code"] for d in self.spec.get("dimensions") or [] for i in d["indicators"]}
        if code != self.original_code and code in taken:
            raise forms.ValidationError(_("指标代码 %(code)s 已被其他指标使用") % {"code": code})
        return code

    def clean_levels(self) -> list[dict[str, str]]:
        try:
            return parse_levels(self.cleaned_data["levels"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_thresholds(self) -> list[dict[str, str]]:
        try:
            return parse_thresholds(self.cleaned_data["thresholds"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or "method" not in data:
            return data
        rule = SimpleNamespace(**{key: data.get(key) for key in (
            "method", "max_points", "levels", "thresholds", "floor", "target", "computed_source")})
        for message in validate_indicator(rule):
            self.add_error(METHOD_COLUMN.get(data["method"], None), message)
        return data

    def indicator_spec(self) -> IndicatorSpec:
        data = self.cleaned_data

        def number(value: Decimal | None) -> str | None:
            return None if value is None else plain_number(value)

        return IndicatorSpec(
            code=data["code"], name=data["name"].strip(), guidance=data["guidance"].strip(),
            max_points=plain_number(data["max_points"]), method=data["method"],
            evidence_required=data["evidence_required"], levels=data["levels"],
            thresholds=data["thresholds"], floor=number(data["floor"]),
            target=number(data["target"]), unit=data["unit"].strip(),
            computed_source=data["computed_source"],
        )

    def changed_spec(self) -> FrameworkSpec:
        """The spec with this indicator replaced (in place) or added at its dimension's end."""
        spec = copy.deepcopy(self.spec)
        indicator = self.indicator_spec()
        dimension = self.cleaned_data["dimension"]
        for dim in spec.get("dimensions") or []:
            codes = [i["code"] for i in dim["indicators"]]
            if self.original_code in codes and dim["code"] == dimension:
                dim["indicators"][codes.index(self.original_code)] = indicator
                return spec
            if self.original_code in codes:
                dim["indicators"].pop(codes.index(self.original_code))
        for dim in spec.get("dimensions") or []:
            if dim["code"] == dimension:
                dim["indicators"].append(indicator)
        return spec


def find_indicator(spec: FrameworkSpec, code: str) -> tuple[str, IndicatorSpec] | None:
    """(dimension code, indicator spec) of the indicator with this code, or None."""
    for dim in spec.get("dimensions") or []:
        for indicator in dim["indicators"]:
            if indicator["code"] == code:
                return dim["code"], indicator
    return None


def _indicator_initial(dimension: str, indicator: IndicatorSpec) -> dict[str, Any]:
    return {
        "dimension": dimension, "code": indicator["code"], "name": indicator["name"],
        "max_points": plain_number(indicator.get("max_points", 0)),
        "method": indicator.get("method"),
        "evidence_required": bool(indicator.get("evidence_required")),
        "levels": format_levels(indicator.get("levels") or []).replace("；", "\n"),
        "thresholds": format_thresholds(indicator.get("thresholds") or []).replace("；", "\n"),
        "floor": indicator.get("floor"), "target": indicator.get("target"),
        "unit": indicator.get("unit", ""), "computed_source": indicator.get("computed_source", ""),
        "guidance": indicator.get("guidance", ""),
    }


def without_indicator(spec: FrameworkSpec, code: str) -> FrameworkSpec:
    spec = copy.deepcopy(spec)
    for dim in spec.get("dimensions") or []:
        dim["indicators"] = [i for i in dim["indicators"] if i["code"] != code]
    return spec


class BandForm(StyledForm):
    name = forms.CharField(label=_("等级"), max_length=16)
    min_points = forms.IntegerField(
        label=_("最低分"), min_value=0, max_value=1000,
        error_messages={"invalid": _("最低分须为整数"), "min_value": _("最低分不能小于 0"),
                        "max_value": _("最低分不能超过 1000")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class NegativeItemForm(StyledForm):
    code = forms.CharField(label=_("代码"), max_length=16)
    name = forms.CharField(label=_("名称"), max_length=128)
    description = forms.CharField(label=_("认定标准"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class BaseBandFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        if not any(self.errors) and not _kept(self):
            raise forms.ValidationError(_("至少需要一个等级（最低分为 0 的“不达标”）"))


BandFormSet = formset_factory(BandForm, formset=BaseBandFormSet, extra=1, can_delete=True)
NegativeItemFormSet = formset_factory(NegativeItemForm, extra=1, can_delete=True)


def _kept(formset: Any) -> list[dict[str, Any]]:
    """The filled rows a person did not tick for deletion (a blank extra row is skipped)."""
    return [f.cleaned_data for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")]


def spec_with_bands(spec: FrameworkSpec, formset: Any) -> FrameworkSpec:
    spec = copy.deepcopy(spec)
    rows = sorted(_kept(formset), key=lambda row: -row["min_points"])
    spec["bands"] = [(row["name"].strip(), row["min_points"]) for row in rows]
    return spec


def spec_with_negative_items(spec: FrameworkSpec, formset: Any) -> FrameworkSpec:
    spec = copy.deepcopy(spec)
    spec["negative_items"] = [NegativeItemSpec(code=row["code"].strip(), name=row["name"].strip(),
                                               description=row["description"].strip())
                              for row in _kept(formset)]
    return spec
