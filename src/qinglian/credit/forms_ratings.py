"""Forms of the rating pages: the list filter and the editor of a new model version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from qinglian.registry import industries

from .choices import CATEGORY_POLARITY, Polarity, RatingLetter, RecordCategory, Severity
from .rating_actions import LETTERS, POINT_LIMIT, ModelSpec, factor_key
from .rating_queries import RatingFilter

#: Blank grade rows offered for grades a framework names otherwise.
EXTRA_GRADES = 2


def factor_slots() -> list[tuple[str, str]]:
    """Every (category, severity) a factor can be given for, in the order of the choices."""
    slots: list[tuple[str, str]] = []
    for category in RecordCategory.values:
        if CATEGORY_POLARITY[category] == Polarity.NEGATIVE:
            slots.extend((category, severity) for severity in Severity.values)
        else:
            slots.append((category, ""))
    return slots


class RatingFilterForm(forms.Form):
    rating = forms.ChoiceField(label="评级", required=False,
                               choices=[("", "全部评级"), *RatingLetter.choices])
    chamber = forms.TypedChoiceField(label="商会/协会", required=False, coerce=int,
                                     empty_value=None)
    industry = forms.ChoiceField(label="行业", required=False,
                                 choices=[("", "全部行业"), *industries.DIVISION_CHOICES])
    q = forms.CharField(label="搜索", required=False, max_length=64,
                        widget=forms.TextInput(attrs={"placeholder": "企业名称、信用代码或拼音首字母"}))

    def __init__(self, *args: Any, chambers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["chamber"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "全部商会/协会"), *chambers]

    def filters(self) -> RatingFilter:
        if not self.is_valid():
            return RatingFilter()
        data = self.cleaned_data
        return RatingFilter(rating=data["rating"] or "", chamber=data["chamber"],
                            industry=data["industry"] or "", q=data["q"] or "")


def _points_field(label: str, *, required: bool) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=-POINT_LIMIT,
                              max_value=POINT_LIMIT,
                              widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))


class RatingModelForm(forms.Form):
    """A copy of a model to edit: name, base points, per-record points and caps (blank points:
    no factor), grade points, and each letter's lowest points. The action validates the whole;
    its errors land on these fields by the same keys."""

    name = forms.CharField(label="模型名称", max_length=64)
    base_points = forms.IntegerField(label="基础分", min_value=0, max_value=100)

    def __init__(self, *args: Any, initial_spec: ModelSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = factor_slots()
        factors = {(c, s): (p, cap) for c, s, p, cap in initial_spec.factors}
        self.initial.setdefault("name", initial_spec.name)
        self.initial.setdefault("base_points", initial_spec.base_points)
        for category, severity in self.slots:
            key = factor_key(category, severity)
            self.fields[key] = _points_field("每条分值", required=False)
            self.fields[f"{key}_cap"] = forms.IntegerField(
                label="最多计入条数", required=False, min_value=1, max_value=99,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))
            points, cap = factors.get((category, severity), (None, 3))
            self.initial.setdefault(key, points)
            self.initial.setdefault(f"{key}_cap", cap)
        grades = [*initial_spec.grades, *([("", None)] * EXTRA_GRADES)]
        self.grade_count = len(grades)
        for index, (grade, points) in enumerate(grades):
            self.fields[f"grade_{index}_name"] = forms.CharField(
                label="清廉指数等级", required=False, max_length=16,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
            self.fields[f"grade_{index}"] = _points_field("分值", required=False)
            self.initial.setdefault(f"grade_{index}_name", grade)
            self.initial.setdefault(f"grade_{index}", points)
        for letter in LETTERS:
            self.fields[f"band_{letter}"] = forms.IntegerField(
                label=f"{letter} 级最低分", min_value=-POINT_LIMIT, max_value=POINT_LIMIT)
            self.initial.setdefault(f"band_{letter}", initial_spec.bands.get(letter))

    def factor_rows(self) -> list[dict[str, Any]]:
        labels = dict(RecordCategory.choices)
        severities = dict(Severity.choices)
        return [{"category": labels[c], "severity": severities.get(s, "—"),
                 "points": self[factor_key(c, s)], "cap": self[f"{factor_key(c, s)}_cap"],
                 "negative": CATEGORY_POLARITY[c] == Polarity.NEGATIVE}
                for c, s in self.slots]

    def grade_rows(self) -> list[dict[str, Any]]:
        return [{"name": self[f"grade_{i}_name"], "points": self[f"grade_{i}"]}
                for i in range(self.grade_count)]

    def band_fields(self) -> list[Any]:
        return [self[f"band_{letter}"] for letter in LETTERS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index in range(self.grade_count):
            name = (data.get(f"grade_{index}_name") or "").strip()
            if name and data.get(f"grade_{index}") is None:
                self.add_error(f"grade_{index}", "请填写该等级的分值")
        return data

    def spec(self) -> ModelSpec:
        data = self.cleaned_data
        factors = []
        for category, severity in self.slots:
            key = factor_key(category, severity)
            if data.get(key) is not None:
                factors.append((category, severity, data[key], data.get(f"{key}_cap") or 1))
        grades = [((data.get(f"grade_{i}_name") or "").strip(), data[f"grade_{i}"])
                  for i in range(self.grade_count)
                  if (data.get(f"grade_{i}_name") or "").strip()]
        return ModelSpec(name=data["name"], base_points=data["base_points"], factors=factors,
                         grades=grades, bands={letter: data[f"band_{letter}"] for letter in LETTERS})

    def apply_action_error(self, exc: ValidationError) -> None:
        """An action's refusal on the field it names (or above the form)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.message_dict.items():
            self.add_error(key if key in self.fields else None, errors)
