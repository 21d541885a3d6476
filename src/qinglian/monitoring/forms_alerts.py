"""Forms of the run and alert pages: the new-run form (rules with their parameters), the
alert filter, and the handling steps (assign, close, link to a risk point)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from qinglian.core.models import User

from .choices import AlertResolution, AlertStatus, Severity
from .engine import Parameter, ParameterKind, Rule, all_rules
from .run_actions import ENGINES, kinds_needed, latest_ready_version, spark_choice_available
from .schemas import DatasetKind

# --- new run ----------------------------------------------------------------------------------

def parameter_text(parameter: Parameter, value: Any) -> str:
    """A parameter value as the form shows it: sets joined by "|", maps as JSON."""
    if value is None:
        return ""
    if parameter.kind is ParameterKind.TEXT_SET:
        return "|".join(value)
    if parameter.kind is ParameterKind.TEXT_TO_INTEGER:
        return json.dumps(dict(value), ensure_ascii=False) if value else ""
    return str(value)


def parse_parameter(parameter: Parameter, text: str) -> Any:
    """The typed value of a parameter typed in a form or on the command line (bounds are
    checked later by the engine)."""
    text = text.strip()
    if text == "":
        if parameter.optional:
            return None
        if parameter.kind in (ParameterKind.TEXT_SET, ParameterKind.TEXT_TO_INTEGER):
            return () if parameter.kind is ParameterKind.TEXT_SET else {}
        raise ValidationError(f"{parameter.label}（{parameter.name}）必须填写")
    try:
        if parameter.kind is ParameterKind.INTEGER:
            return int(text)
        if parameter.kind is ParameterKind.DECIMAL:
            return float(text)
        if parameter.kind is ParameterKind.TEXT_TO_INTEGER:
            value = json.loads(text)
            if not isinstance(value, dict):
                raise ValueError
            return value
    except ValueError as exc:
        kind = {ParameterKind.INTEGER: "整数", ParameterKind.DECIMAL: "数字",
                ParameterKind.TEXT_TO_INTEGER: '形如 {"名称": 数字} 的对照表'}[parameter.kind]
        raise ValidationError(f"{parameter.label}（{parameter.name}）必须是{kind}") from exc
    return text


@dataclass
class DataNeed:
    """A dataset kind a rule reads, and the organisation's newest ready version of it."""

    kind: str
    label: str
    version: int | None

    @property
    def ready(self) -> bool:
        return self.version is not None


@dataclass
class RuleChoice:
    rule: Rule
    checked: bool
    fields: list[tuple[Parameter, str, str]]  # parameter, input name, shown text
    needs: list[DataNeed] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(need.ready for need in self.needs)

    @property
    def missing(self) -> list[DataNeed]:
        return [need for need in self.needs if not need.ready]


class RunForm:
    """Rules to run, with each rule's parameters (defaults filled in, bounds shown)."""

    def __init__(self, data: Any = None) -> None:
        self.data = data
        self.errors: list[str] = []
        self.rules = all_rules()
        self.engines = [(k, v) for k, v in ENGINES.items()
                        if k == "duckdb" or spark_choice_available()]
        self.cleaned: dict[str, Any] = {}

    @staticmethod
    def input_name(rule: Rule, parameter: Parameter) -> str:
        return f"p.{rule.code}.{parameter.name}"

    def choices(self, organisation_id: int | None = None) -> list[RuleChoice]:
        """The rules with their parameter fields and, given the organisation, the datasets
        each needs and whether a ready version of each exists (one query per kind)."""
        chosen = set(self.data.getlist("rules")) if self.data is not None else set()
        ready: dict[str, int | None] = {}
        if organisation_id is not None:
            for kind in kinds_needed(self.rules):
                version = latest_ready_version(organisation_id, kind)
                ready[kind] = version.version if version is not None else None
        labels = dict(DatasetKind.choices)
        out = []
        for rule in self.rules:
            fields = []
            for parameter in rule.parameters:
                name = self.input_name(rule, parameter)
                shown = (self.data.get(name, "") if self.data is not None and name in self.data
                         else parameter_text(parameter, parameter.default))
                fields.append((parameter, name, shown))
            needs = ([DataNeed(kind, labels.get(kind, kind), ready.get(kind))
                      for kind in kinds_needed([rule])] if organisation_id is not None else [])
            out.append(RuleChoice(rule, rule.code in chosen, fields, needs))
        return out

    def is_valid(self) -> bool:
        assert self.data is not None
        codes = [code for code in self.data.getlist("rules") if code]
        known = {rule.code: rule for rule in self.rules}
        if not codes:
            self.errors.append("请至少选择一条规则")
        parameters: dict[str, dict[str, Any]] = {}
        for code in codes:
            rule = known.get(code)
            if rule is None:
                self.errors.append(f"没有规则 {code}")
                continue
            for parameter in rule.parameters:
                name = self.input_name(rule, parameter)
                if name not in self.data:
                    continue
                try:
                    parameters.setdefault(code, {})[parameter.name] = parse_parameter(
                        parameter, self.data.get(name, ""))
                except ValidationError as exc:
                    self.errors.extend(f"规则 {code}：{m}" for m in exc.messages)
        engine = self.data.get("engine") or "duckdb"
        if engine not in dict(self.engines):
            self.errors.append("请选择可用的引擎")
        self.cleaned = {"rules": codes, "parameters": parameters, "engine": engine}
        return not self.errors


# --- alerts -----------------------------------------------------------------------------------

STATUS_FILTERS = [("", "全部状态"), ("open", "未办结"), ("overdue", "已超期"),
                  *AlertStatus.choices]


class AlertFilter(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    rule = forms.ChoiceField(required=False)
    severity = forms.ChoiceField(required=False,
                                 choices=[("", "全部等级"), *Severity.choices])
    status = forms.ChoiceField(required=False, choices=STATUS_FILTERS)
    unit = forms.CharField(required=False, max_length=128)
    vendor = forms.CharField(required=False, max_length=64)
    month = forms.CharField(required=False, max_length=7)
    assignee = forms.ChoiceField(required=False, choices=[("", "全部"), ("me", "我承办的")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rule"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "全部规则")] + [
            (rule.code, f"{rule.code} {rule.name_zh}") for rule in all_rules()]

    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


def _user_label(user: Any) -> str:
    return str(user.display_name or user.username)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label="承办人",
                                      error_messages={"required": "请选择承办人",
                                                      "invalid_choice": "请选择本单位的用户"})
    due_on = forms.DateField(label="办理期限", required=False,
                             widget=forms.DateInput(attrs={"type": "date"}),
                             help_text="不填时按工作日自动计算")

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(organisation_id=organisation_id,
                                             is_active=True).order_by("username")
        field.label_from_instance = _user_label  # type: ignore[method-assign,assignment]


class InvestigateForm(forms.Form):
    note = forms.CharField(label="说明", required=False, max_length=500)


class CloseForm(forms.Form):
    resolution = forms.ChoiceField(label="办结结论", choices=AlertResolution.choices,
                                   error_messages={"required": "请选择办结结论"})
    note = forms.CharField(label="理由或核查结论", widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=4000, error_messages={"required": "请填写理由或核查结论"})


class LinkForm(forms.Form):
    point = forms.ChoiceField(label="廉洁风险点", error_messages={
        "required": "请选择风险点", "invalid_choice": "请选择本单位的廉洁风险点"})

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        from qinglian.risk.models import RiskPoint

        super().__init__(*args, **kwargs)
        points = RiskPoint.objects.filter(organisation_id=organisation_id).order_by("pk")
        field = self.fields["point"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(p.pk), str(p)) for p in points[:500]]
