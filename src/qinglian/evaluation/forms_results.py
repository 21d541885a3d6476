"""Forms of the results pages: the ranked list's filter, and the exemplar nomination.

The forms only collect and tidy input; the rules live in ``statistics.ranked_results`` and in
``result_actions.do_nominate_exemplar`` (whose refusals are put back onto the form here).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qinglian.core.permissions import WRITE, restrict
from qinglian.registry.forms import StyledForm
from qinglian.registry.models import Organisation

from .choices import AssessmentStatus
from .models import Assessment, Campaign, Exemplar
from .statistics import ORDERINGS, ResultFilter, filter_choices, grade_names


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class ResultFilterForm(StyledForm):
    """The ranked list's search box and filter selects (GET)."""

    small = True
    q = forms.CharField(label=_("搜索"), required=False, max_length=64)
    grade = forms.ChoiceField(label=_("等级"), required=False)
    chamber = forms.TypedChoiceField(label=_("初审商会"), required=False, coerce=int,
                                     empty_value=None)
    industry = forms.ChoiceField(label=_("行业"), required=False)
    region = forms.ChoiceField(label=_("地区"), required=False)
    order = forms.ChoiceField(label=_("排序"), required=False, choices=[
        ("rank", _("按名次")), ("-total", _("总分从高到低")), ("total", _("总分从低到高")),
        ("name", _("按企业名称")), ("rank_chamber", _("按商会内名次")),
        ("rank_industry", _("按行业内名次")), ("rank_region", _("按地区内名次")),
    ])

    def __init__(self, data: Any, *, grades: list[str],
                 assessments: QuerySet[Assessment]) -> None:
        super().__init__(data)
        options = filter_choices(assessments)
        self._set_choices("grade", _("全部等级"), [(g, g) for g in grades])
        self._set_choices("chamber", _("全部商会"), options["chamber"])
        self._set_choices("industry", _("全部行业"), options["industry"])
        self._set_choices("region", _("全部地区"), options["region"])
        self.style_widgets()

    def _set_choices(self, name: str, blank: Any, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", blank), *choices]

    def to_filter(self) -> ResultFilter:
        """The filter the user asked for; an invalid value is dropped, never an error page."""
        if not self.is_bound:
            return ResultFilter()
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields
                if name not in self.errors}
        order = data.get("order") or "rank"
        return ResultFilter(
            q=(data.get("q") or "").strip(), grade=data.get("grade") or "",
            chamber=data.get("chamber"), industry=data.get("industry") or "",
            region=data.get("region") or "", order=order if order in ORDERINGS else "rank")


def nominable_enterprises(user: Any, campaign: Campaign) -> QuerySet[Organisation]:
    """Enterprises whose published result in the campaign has the top grade, not vetoed, and
    that are not nominated yet. The action still checks every obstacle (findings, re-checks,
    alerts, sanctions) and its refusal is shown on the form."""
    grades = grade_names(campaign.framework)
    top = grades[0] if grades else None
    results = restrict(Assessment.objects.filter(
        campaign=campaign, status=AssessmentStatus.PUBLISHED, grade=top, vetoed=False),
        user, WRITE)
    nominated = Exemplar.objects.filter(campaign=campaign).values("enterprise_id")
    return (Organisation.objects.filter(pk__in=results.values("enterprise_id"))
            .exclude(pk__in=nominated).order_by("name_pinyin", "pk"))


class ExemplarNominationForm(StyledForm):
    """Nominate an exemplar (示范企业) of the campaign's top grade, with the citation."""

    enterprise = forms.ModelChoiceField(
        label=_("企业"), queryset=Organisation.objects.none(),
        empty_label=_("请选择最高等级的企业"),
        error_messages={"invalid_choice": _("该企业不在可推荐的范围内（须为最高等级且尚未推荐）")})
    citation = forms.CharField(label=_("推荐事迹"), max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, data: Any, *, user: Any, campaign: Campaign) -> None:
        super().__init__(data)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = nominable_enterprises(user, campaign)
        self.style_widgets()
