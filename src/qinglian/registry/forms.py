"""Organisation forms: the list filter, and registration / editing by kind.

The forms only collect and tidy input; the rules live in ``actions.do_create_organisation`` /
``do_update_organisation``, whose ``ValidationError`` is put back onto the fields here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from qinglian.core.choices import Role
from qinglian.core.permissions import restrict

from . import industries
from .choices import (
    BODY_KINDS,
    ChamberKind,
    EnterpriseSize,
    OrganisationKind,
    Ownership,
    PartyOrgForm,
)
from .identifiers import IdentifierError, clean_uscc
from .models import Organisation, Person, Tag
from .queries import ORDERINGS, OrganisationFilter, jurisdiction_id
from .regions import region_name, short_region_name


class StyledBoundField(BoundField):
    """Marks a field with an error as Bootstrap's ``is-invalid`` so the message shows inline."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors and not widget.is_hidden:
            attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        return attrs


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap classes."""

    bound_field_class = StyledBoundField
    small = False

    def style_widgets(self) -> None:
        size = " form-control-sm" if self.small else ""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault(
                    "class", "form-select" + (" form-select-sm" if self.small else ""))
            else:
                widget.attrs.setdefault("class", "form-control" + size)

    def put_errors(self, error: ValidationError) -> None:
        """Show an action's errors on the fields they name; the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def division_choices() -> list[tuple[str, Any]]:
    """The 97 industry divisions grouped under their sections, for an <optgroup> select."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for code, label in industries.DIVISION_CHOICES:
        grouped.setdefault(industries.SECTION_OF[code], []).append((code, label))
    return [(f"{s} {industries.SECTIONS[s]}", grouped[s]) for s in industries.SECTIONS if s in grouped]


# --- list filter -------------------------------------------------------------------------


class OrganisationFilterForm(StyledForm):
    """The organisation list's search box and filter selects (GET)."""

    small = True
    q = forms.CharField(label=_("搜索"), required=False, max_length=64)
    kind = forms.ChoiceField(label=_("类型"), required=False,
                             choices=_blank(_("全部类型")) + OrganisationKind.choices)
    chamber = forms.TypedChoiceField(label=_("所属商会/协会"), required=False, coerce=int,
                                     empty_value=None)
    section = forms.ChoiceField(label=_("行业门类"), required=False,
                                choices=_blank(_("全部门类")) + industries.SECTION_CHOICES)
    industry = forms.ChoiceField(label=_("行业大类"), required=False)
    region = forms.ChoiceField(label=_("所在地区"), required=False)
    ownership = forms.ChoiceField(label=_("所有制"), required=False,
                                  choices=_blank(_("全部")) + Ownership.choices)
    tag = forms.ChoiceField(label=_("企业标签"), required=False)
    party_org_form = forms.ChoiceField(label=_("党组织"), required=False,
                                       choices=_blank(_("全部")) + PartyOrgForm.choices)
    order = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                              choices=[(k, k) for k in ORDERINGS])

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        hosts = restrict(Organisation.objects.all(), user).filter(kind__in=BODY_KINDS)
        self._set_choices("chamber", _("全部商会/协会"),
                          [(str(pk), name) for pk, name in hosts.values_list("pk", "name")])
        self._set_choices("industry", _("全部大类"), division_choices())
        self._set_choices("region", _("全部地区"), self._region_choices(user))
        self._set_choices("tag", _("全部标签"),
                          list(Tag.objects.values_list("code", "name")))
        self.style_widgets()

    @staticmethod
    def _region_choices(user: Any) -> list[tuple[str, str]]:
        """The districts of the user's jurisdiction from the division table — no scan of the
        registry (a DISTINCT over 100,000 rows cost a third of the page). The platform
        administrator, who has no jurisdiction, gets the regions actually in use."""
        fed_id = jurisdiction_id(user)
        if fed_id is not None:
            federation = Organisation.objects.filter(pk=fed_id).only("region").first()
            return [(code, short_region_name(code)) for code, _ in local_regions(federation)]
        regions = (Organisation.objects.exclude(region="").order_by("region")
                   .values_list("region", flat=True).distinct())
        return [(code, short_region_name(code)) for code in regions]

    def _set_choices(self, name: str, blank: Any, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", blank), *choices]

    @property
    def active_filters(self) -> int:
        """How many filters besides the search box narrow the list (for the "清除筛选" link)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return sum(1 for k, v in data.items() if k not in ("q", "order") and v)

    def to_filter(self) -> OrganisationFilter:
        """The filter from the valid fields: a stale or tampered value narrows nothing."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        return OrganisationFilter(
            q=(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            chamber=data.get("chamber"),
            industry=data.get("industry") or "",
            section=data.get("section") or "",
            region=data.get("region") or "",
            ownership=data.get("ownership") or "",
            tag=data.get("tag") or "",
            party_org_form=data.get("party_org_form") or "",
            order=data.get("order") or "name",
        )


# --- registration and editing -----------------------------------------------------------


#: The fields each kind of organisation has, beyond name, region, address and contacts.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    OrganisationKind.ENTERPRISE: (
        "uscc", "industry", "ownership", "size", "tags", "established_on", "employee_count",
        "party_org_form", "party_member_count", "party_liaison",
    ),
    OrganisationKind.CHAMBER: (
        "uscc", "chamber_kind", "hometown_region", "industry", "established_on",
        "is_group_member", "party_org_form", "party_member_count", "party_liaison",
    ),
    OrganisationKind.ASSOCIATION: (
        "uscc", "chamber_kind", "industry", "established_on", "is_group_member",
        "party_org_form", "party_member_count", "party_liaison",
    ),
    OrganisationKind.DEPARTMENT: ("uscc",),
    OrganisationKind.FEDERATION: ("uscc", "established_on"),
}
COMMON_FIELDS = ("name", "short_name", "federation", "region", "address", "contact_phone",
                 "description")

#: The kinds each role may register. A chamber registers enterprises, which then apply to join.
CREATABLE_KINDS: dict[str, tuple[str, ...]] = {
    Role.ADMIN: tuple(OrganisationKind.values),
    Role.FEDERATION_OFFICER: (OrganisationKind.ENTERPRISE, OrganisationKind.CHAMBER,
                              OrganisationKind.ASSOCIATION, OrganisationKind.DEPARTMENT),
    Role.CHAMBER_OFFICER: (OrganisationKind.ENTERPRISE,),
}


def local_regions(federation: Organisation | None) -> list[tuple[str, str]]:
    """The prefecture of the federation and its districts and counties, e.g. 杭州市 and 13 districts."""
    if federation is None or not federation.region:
        return []
    prefix = federation.region[:4]
    codes = [prefix + "00"] + [f"{prefix}{n:02d}" for n in range(1, 100)]
    return [
        (code, f"{short_region_name(code)}（{code}）") for code in codes
        if region_name(code) and short_region_name(code) != "市辖区"
    ]


class OrganisationForm(StyledForm):
    """Register or edit one kind of organisation; the fields shown depend on the kind."""

    name = forms.CharField(label=_("名称"), max_length=128)
    short_name = forms.CharField(label=_("简称"), max_length=32, required=False)
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=24, required=False,
        help_text=_("18 位，末位为校验码（GB 32100-2015），输入后自动校验"),
    )
    federation = forms.ModelChoiceField(label=_("所属工商联"), queryset=Organisation.objects.none(),
                                        empty_label=_("请选择工商联"))
    region = forms.CharField(label=_("所在地区"), max_length=6, required=False)
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    contact_phone = forms.CharField(label=_("办公电话"), max_length=32, required=False)
    chamber_kind = forms.ChoiceField(label=_("商会类别"), required=False,
                                     choices=_blank(_("请选择")) + ChamberKind.choices)
    hometown_region = forms.CharField(
        label=_("籍贯地区（异地商会）"), max_length=6, required=False,
        help_text=_("6 位行政区划代码，如 330300（温州市）"),
    )
    industry = forms.ChoiceField(label=_("行业（国民经济行业大类）"), required=False)
    ownership = forms.ChoiceField(label=_("所有制"), required=False,
                                  choices=_blank(_("请选择")) + Ownership.choices)
    size = forms.ChoiceField(label=_("企业规模"), required=False,
                             choices=_blank(_("请选择")) + EnterpriseSize.choices)
    tags = forms.ModelMultipleChoiceField(
        label=_("企业标签"), queryset=Tag.objects.all(), to_field_name="code", required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    established_on = forms.DateField(label=_("成立日期"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    employee_count = forms.IntegerField(label=_("从业人数"), required=False, min_value=0)
    is_group_member = forms.BooleanField(label=_("工商联团体会员"), required=False)
    party_org_form = forms.ChoiceField(label=_("党组织组建方式"), choices=PartyOrgForm.choices,
                                       initial=PartyOrgForm.NONE)
    party_member_count = forms.IntegerField(label=_("正式党员人数"), min_value=0, initial=0,
                                            required=False)
    party_liaison = forms.ModelChoiceField(
        label=_("党建联络员"), queryset=Person.objects.none(), required=False,
        empty_label=_("未指定"),
        help_text=_("从本单位在任人员中选择；请先在人员库中为本单位添加任职"),
    )
    description = forms.CharField(label=_("简介"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, kind: str, user: Any,
                 instance: Organisation | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(instance)
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.instance = instance
        keep = set(COMMON_FIELDS) | set(KIND_FIELDS.get(kind, ()))
        if kind == OrganisationKind.FEDERATION:
            keep.discard("federation")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self._limit_choices(user)
        self.style_widgets()

    def _limit_choices(self, user: Any) -> None:
        if "federation" in self.fields:
            field = self.fields["federation"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = federation_choices(user)
            if self.instance is None:
                field.initial = jurisdiction_id(user)
            if user.role != Role.ADMIN:
                field.disabled = True  # the jurisdiction decides it; not the user's choice
        if "industry" in self.fields:
            field = self.fields["industry"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*_blank(str(_("请选择"))), *division_choices()]
        if "party_liaison" in self.fields:
            field = self.fields["party_liaison"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = liaison_choices(user, self.instance)
        self._region_select(user)

    def _region_select(self, user: Any) -> None:
        """Within one city, the region is chosen from its districts rather than typed."""
        federation = self.instance.federation if self.instance else None
        if federation is None and (home_id := jurisdiction_id(user)) is not None:
            federation = Organisation.objects.filter(pk=home_id).first()
        choices = local_regions(federation)
        if not choices or self.kind == OrganisationKind.FEDERATION:
            self.fields["region"].help_text = _("6 位行政区划代码，如 330106（杭州市西湖区）")
            return
        current = self.instance.region if self.instance else ""
        if current and current not in dict(choices):
            choices.append((current, f"{short_region_name(current)}（{current}）"))
        self.fields["region"] = forms.ChoiceField(
            label=_("所在地区"), required=False, choices=[*_blank(str(_("请选择"))), *choices],
        )

    def clean_uscc(self) -> str:
        value = (self.cleaned_data.get("uscc") or "").strip()
        if not value:
            if self.kind == OrganisationKind.ENTERPRISE:
                raise ValidationError(_("企业必须填写统一社会信用代码"))
            return ""
        try:
            code = clean_uscc(value)
        except IdentifierError as exc:
            raise ValidationError(str(exc)) from exc
        taken = Organisation.objects.filter(uscc=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("该统一社会信用代码已登记，请勿重复登记"))
        return code

    def action_fields(self) -> tuple[dict[str, Any], list[str] | None]:
        """The cleaned values as the action's keyword arguments, and the tag codes."""
        data = dict(self.cleaned_data)
        tags = data.pop("tags", None)
        codes = [t.code for t in tags] if tags is not None else None
        if "party_member_count" in data and data["party_member_count"] is None:
            data["party_member_count"] = 0
        return data, codes


def initial_from(org: Organisation) -> dict[str, Any]:
    fields = {*COMMON_FIELDS, *(f for kind in KIND_FIELDS.values() for f in kind)} - {"tags"}
    initial = {name: getattr(org, name) for name in fields}
    initial["federation"] = org.federation_id
    initial["party_liaison"] = org.party_liaison_id
    initial["tags"] = [t.code for t in org.tags.all()]
    return initial


def federation_choices(user: Any) -> QuerySet[Organisation]:
    """Federations a user may file an organisation under: any for the platform administrator,
    otherwise only the federation of the user's own jurisdiction."""
    federations = Organisation.objects.filter(kind=OrganisationKind.FEDERATION)
    if user.role == Role.ADMIN:
        return federations
    home_id = jurisdiction_id(user)
    return federations.filter(pk=home_id) if home_id is not None else federations.none()


def liaison_choices(user: Any, org: Organisation | None) -> QuerySet[Person]:
    """People currently holding a post in this organisation, within the user's scope."""
    if org is None:
        return Person.objects.none()
    people = restrict(Person.objects.all(), user)
    return people.filter(positions__organisation=org, positions__end_on__isnull=True).distinct()
