"""资格联审 (eligibility check): is each nominee fit for an award or a political arrangement?

An officer submits a list of nominees — enterprises by unified social credit code, people by
resident ID number — for a purpose (评优评先, 政治安排, 执委/常委人选 …). Each nominee is judged
**eligible** or **not eligible** with every reason, and the whole check is stored for the
record (who, when, purpose, list, outcome). Federations report "累计否决 N 人" from these rows.

Lists
    Read and validated in ``eligibility_lists`` (pasted text, .xlsx/.csv, the API's list):
    every bad line is named, and nothing is stored until the whole list is clean.

Resolution
    Enterprises by USCC among the federation's enterprises, people by the keyed hash of their ID
    number (``core.crypto.lookup_hash``, as ``Person.id_number_hash``) among its people — both
    within the actor's scope (``restrict``): a chamber officer may check too, but only nominees
    the chamber can see are resolved, the others come out "not found" exactly like nominees
    the platform does not hold. A person is judged by the enterprises they lead now (current
    positions as legal representative or entrepreneur); a person who leads none cannot be
    vouched for and is not eligible either. Not found → not eligible, to be checked offline.

Rules (pluggable)
    A rule judges enterprises as of the check's date and returns reasons in Chinese, specific
    enough to act on ("2025 年度清廉指数等级为不达标（总分 350.00 分）"). Register one with::

        @register_rule("blacklist", "列入失信黑名单")
        def blacklisted(enterprise: Organisation, on: dt.date) -> list[str]:
            ...  # one enterprise → its reasons ([] when nothing stands against it)

    or, when a rule should answer a 2,000-nominee list in a fixed number of queries::

        @register_batch_rule("sanction", "行业自律惩戒在执行期内")
        def sanctioned(enterprises: Sequence[Organisation], on: dt.date) -> dict[int, list[str]]:
            ...  # enterprise id → its reasons (leave out the enterprises with none)

    The credit app (blacklist) and the discipline app (sanctions in force) register theirs in
    their ``AppConfig.ready``; this module never imports them. Rules run in registration order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction, Role
from qinglian.core.crypto import lookup_hash, mask_id_number
from qinglian.core.formatting import chinese_date
from qinglian.core.models import User
from qinglian.core.permissions import require, restrict
from qinglian.registry.choices import OrganisationKind, PositionTitle
from qinglian.registry.models import Organisation, Person, Position
from qinglian.registry.queries import jurisdiction_id

from .choices import (
    FAIL_GRADE,
    AssessmentStatus,
    CampaignStatus,
    EligibilityPurpose,
    FindingStatus,
    NomineeKind,
)
from .eligibility_lists import CleanNominee, NomineeEntry, clean_entries
from .models import Assessment, EligibilityCheck, NegativeFinding, Nominee

Actor = User | None

#: The posts by which a person is judged: the enterprises they lead.
LEADING_TITLES = (PositionTitle.LEGAL_REPRESENTATIVE, PositionTitle.ENTREPRENEUR)
NOT_FOUND = "平台无该企业/人员记录，无法核验（请线下核实）"
LEADS_NONE = "平台中该人员现未担任任何企业的法定代表人或企业家（实际控制人），无法核验（请线下核实）"
#: Outcomes that say "not verified" rather than "vetoed": the roll-up counts them apart.
UNVERIFIED = frozenset({NOT_FOUND, LEADS_NONE})


# --- rules ----------------------------------------------------------------------------------

BatchCheck = Callable[[Sequence[Organisation], dt.date], Mapping[int, list[str]]]
SingleCheck = Callable[[Organisation, dt.date], list[str]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    check: BatchCheck


RULES: dict[str, Rule] = {}


def register_batch_rule(code: str, name: str) -> Callable[[BatchCheck], BatchCheck]:
    """Register a rule that judges many enterprises at once (enterprise id → reasons)."""

    def decorator(fn: BatchCheck) -> BatchCheck:
        RULES[code] = Rule(code, name, fn)
        return fn

    return decorator


def register_rule(code: str, name: str) -> Callable[[SingleCheck], SingleCheck]:
    """Register a rule that judges one enterprise (→ its reasons, [] when none)."""

    def decorator(fn: SingleCheck) -> SingleCheck:
        def each(enterprises: Sequence[Organisation], on: dt.date) -> dict[int, list[str]]:
            return {e.pk: reasons for e in enterprises if (reasons := fn(e, on))}

        RULES[code] = Rule(code, name, each)
        return fn

    return decorator


def _points(hundredths: int | None) -> str:
    return f"{(hundredths or 0) / 100:.2f}"


@register_batch_rule("fail_grade", "最近一次发布的清廉指数等级为不达标")
def latest_grade_fails(enterprises: Sequence[Organisation], on: dt.date) -> dict[int, list[str]]:
    """The enterprise's most recent published result (by evaluation year, then publication)
    is 不达标: named with its year and total, and with the veto items when it was vetoed."""
    latest: dict[int, Assessment] = {}
    published = (
        Assessment.objects.filter(enterprise__in=[e.pk for e in enterprises],
                                  status=AssessmentStatus.PUBLISHED)
        .select_related("campaign")
        .order_by("enterprise_id", "-campaign__year", F("published_at").desc(nulls_last=True), "-id")
    )
    for assessment in published:
        latest.setdefault(assessment.enterprise_id, assessment)
    failing = {a.pk: a for a in latest.values() if a.grade == FAIL_GRADE}
    vetoes: dict[int, list[str]] = defaultdict(list)
    for assessment_id, item in (
        NegativeFinding.objects.filter(assessment__in=list(failing), status=FindingStatus.CONFIRMED)
        .order_by("found_on", "id").values_list("assessment_id", "item__name")
    ):
        vetoes[assessment_id].append(item)
    reasons: dict[int, list[str]] = {}
    for assessment in failing.values():
        detail = f"总分 {_points(assessment.total_hundredths)} 分"
        if assessment.vetoed:
            items = "、".join(dict.fromkeys(vetoes[assessment.pk]))
            detail += f"；一票否决：{items}" if items else "；一票否决"
        reasons[assessment.enterprise_id] = [
            f"{assessment.campaign.year} 年度清廉指数等级为{FAIL_GRADE}（{detail}）"]
    return reasons


@register_batch_rule("negative_list", "本年度或上一年度认定的负面清单事项")
def confirmed_findings(enterprises: Sequence[Organisation], on: dt.date) -> dict[int, list[str]]:
    """Confirmed negative-list findings in campaigns of this year or last (any state but
    draft): each is a reason of its own, with its date and the document it rests on."""
    findings = (
        NegativeFinding.objects.filter(
            assessment__enterprise__in=[e.pk for e in enterprises],
            status=FindingStatus.CONFIRMED,
            assessment__campaign__year__in=(on.year, on.year - 1),
        )
        .exclude(assessment__campaign__status=CampaignStatus.DRAFT)
        .order_by("-found_on", "-id")
        .values_list("assessment__enterprise_id", "item__name", "found_on", "source")
    )
    reasons: dict[int, list[str]] = defaultdict(list)
    for enterprise_id, item, found_on, source in findings:
        reasons[enterprise_id].append(
            f"负面清单：{item}（{chinese_date(found_on)}认定，依据：{source}）")
    return dict(reasons)


def judge(enterprises: Iterable[Organisation], on: dt.date) -> dict[int, list[str]]:
    """Every rule over the enterprises: enterprise id → all its reasons (absent when none)."""
    unique = list({e.pk: e for e in enterprises}.values())
    reasons: dict[int, list[str]] = defaultdict(list)
    if not unique:
        return {}
    for rule in RULES.values():
        for enterprise_id, found in rule.check(unique, on).items():
            reasons[enterprise_id].extend(found)
    return dict(reasons)


# --- resolution -----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the check found for one nominee, ready to be stored."""

    nominee: CleanNominee
    organisation: Organisation | None = None
    person: Person | None = None
    reasons: tuple[str, ...] = ()


def _enterprises(federation: Organisation, actor: Actor) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE, federation=federation)
    return restrict(qs, actor) if actor is not None else qs


def _people(federation: Organisation, actor: Actor, hashes: list[str]) -> dict[str, Person]:
    qs = Person.objects.filter(federation=federation, id_number_hash__in=hashes)
    scoped = restrict(qs, actor) if actor is not None else qs
    return {p.id_number_hash: p for p in scoped}


def _led(people: Iterable[Person], enterprises: QuerySet[Organisation]) -> dict[int, list[Position]]:
    """Person id → their current leading posts in enterprises the check may see."""
    posts: dict[int, list[Position]] = defaultdict(list)
    for post in (
        Position.objects.filter(person__in=[p.pk for p in people], end_on__isnull=True,
                                title__in=LEADING_TITLES, organisation__in=enterprises)
        .select_related("organisation").order_by("organisation__name_pinyin", "id")
    ):
        posts[post.person_id].append(post)
    return posts


def _person_reasons(posts: list[Position], found: Mapping[int, list[str]]) -> tuple[str, ...]:
    """A leader inherits every reason of every enterprise they lead, named by enterprise."""
    if not posts:
        return (LEADS_NONE,)
    titles: dict[int, list[str]] = defaultdict(list)
    for post in posts:
        titles[post.organisation_id].append(str(PositionTitle(post.title).label))
    reasons = []
    for enterprise_id, names in titles.items():
        name = next(p.organisation.name for p in posts if p.organisation_id == enterprise_id)
        reasons += [f"{name}（{'、'.join(names)}）：{r}" for r in found.get(enterprise_id, [])]
    return tuple(reasons)


def resolve(nominees: Sequence[CleanNominee], federation: Organisation, *, actor: Actor,
            on: dt.date) -> list[Outcome]:
    """Find each nominee in the platform (within the actor's scope) and judge it."""
    scope = _enterprises(federation, actor)
    codes = [n.identifier for n in nominees if n.kind == NomineeKind.ENTERPRISE]
    by_code = {o.uscc: o for o in scope.filter(uscc__in=codes)}
    outcomes = [Outcome(n, organisation=by_code.get(n.identifier)) for n in nominees]
    for outcome in outcomes:  # a doubly valid code nobody registered as an enterprise
        if outcome.organisation is None and outcome.nominee.maybe_person:
            n = outcome.nominee
            outcome.nominee = CleanNominee(n.line, NomineeKind.PERSON, n.identifier, n.name)
    hashes = {o.nominee.identifier: lookup_hash(o.nominee.identifier) for o in outcomes
              if o.nominee.kind == NomineeKind.PERSON}
    people = _people(federation, actor, list(hashes.values()))
    for outcome in outcomes:
        if outcome.nominee.kind == NomineeKind.PERSON:
            outcome.person = people.get(hashes[outcome.nominee.identifier])
    posts = _led([o.person for o in outcomes if o.person is not None], scope)
    led = [post.organisation for group in posts.values() for post in group]
    found = judge([*(o.organisation for o in outcomes if o.organisation), *led], on)
    for outcome in outcomes:
        if outcome.organisation is not None:
            outcome.reasons = tuple(found.get(outcome.organisation.pk, []))
        elif outcome.person is not None:
            outcome.reasons = _person_reasons(posts.get(outcome.person.pk, []), found)
        else:
            outcome.reasons = (NOT_FOUND,)
    return outcomes


# --- the action -----------------------------------------------------------------------------


def _nominee_row(check: EligibilityCheck, outcome: Outcome) -> Nominee:
    """The stored nominee: an enterprise's code as is, a person's ID number hashed and masked."""
    n = outcome.nominee
    record = outcome.organisation or outcome.person
    person = n.kind == NomineeKind.PERSON
    return Nominee(
        check_run=check, line=n.line, kind=n.kind,
        name=n.name or (record.name if record is not None else ""),
        identifier_masked=mask_id_number(n.identifier) if person else n.identifier,
        identifier_hash=lookup_hash(n.identifier) if person else "",
        organisation=outcome.organisation, person=outcome.person,
        eligible=not outcome.reasons, reasons=list(outcome.reasons),
    )


def _check_request(federation: Organisation, purpose: str, title: str, actor: Actor) -> None:
    if actor is not None:
        require(actor, "evaluation.check_eligibility")
        if actor.role != Role.ADMIN and jurisdiction_id(actor) != federation.pk:
            raise PermissionDenied("只能对本工商联辖区的人选开展资格联审")
    errors: dict[str, str] = {}
    if federation.kind != OrganisationKind.FEDERATION:
        errors["federation"] = "请选择工商联"
    if purpose not in EligibilityPurpose.values:
        errors["purpose"] = "请选择审核用途"
    if not title.strip():
        errors["title"] = "请填写事项名称"
    elif len(title.strip()) > 128:
        errors["title"] = "事项名称不能超过 128 个字符"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_check_eligibility(
    federation: Organisation, *, purpose: str, title: str, entries: Sequence[NomineeEntry],
    actor: Actor, unit: str = "行", on: dt.date | None = None,
) -> EligibilityCheck:
    """Check a list of nominees for a purpose and keep the check: each nominee eligible or not,
    with every reason (see the module docstring for lists, scope and rules). A list with any
    bad line stores nothing (ValidationError on ``nominees`` naming every bad line)."""
    _check_request(federation, purpose, title, actor)
    nominees, errors = clean_entries(entries, unit)
    if errors:
        raise ValidationError({"nominees": [e.describe(unit) for e in errors]})
    on = on or timezone.localdate()
    outcomes = resolve(nominees, federation, actor=actor, on=on)
    check = EligibilityCheck.objects.create(
        federation=federation, purpose=purpose, title=title.strip(),
        submitted_by=actor if actor is not None and actor.pk else None,
        submitted_at=timezone.now(), nominee_count=len(outcomes),
        ineligible_count=sum(1 for o in outcomes if o.reasons),
    )
    Nominee.objects.bulk_create([_nominee_row(check, o) for o in outcomes], batch_size=500)
    record_change(check, AuditAction.CREATE, actor=actor, after=snapshot(check))
    record_event(check, "eligibility.checked", actor=actor, details=_counts(check, outcomes))
    return check


def _counts(check: EligibilityCheck, outcomes: Sequence[Outcome]) -> dict[str, object]:
    """The event's details: counts only, never an identifier."""
    unverified = sum(1 for o in outcomes if o.reasons and set(o.reasons) <= UNVERIFIED)
    return {
        "purpose": check.purpose,
        "nominees": check.nominee_count,
        "enterprises": sum(1 for o in outcomes if o.nominee.kind == NomineeKind.ENTERPRISE),
        "people": sum(1 for o in outcomes if o.nominee.kind == NomineeKind.PERSON),
        "eligible": check.nominee_count - check.ineligible_count,
        "ineligible": check.ineligible_count,
        "vetoed": check.ineligible_count - unverified,
        "unverified": unverified,
    }



# --- reads ---------------------------------------------------------------------------------


def require_read_checks(user: Any) -> None:
    """403 unless the role runs checks or audits them (auditors read them, never run one)."""
    require(user, "evaluation.view_eligibility")


def visible_checks(user: Any) -> QuerySet[EligibilityCheck]:
    """The checks in the user's scope, with what their lists and pages show."""
    return restrict(EligibilityCheck.objects.select_related("federation", "submitted_by"), user)


# --- the roll-up ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rollup:
    """One federation's year: checks run, nominees checked (人次), and the distinct nominees
    vetoed on a rule's reason (人) — apart from those the platform could not verify."""

    federation_id: int
    federation_name: str
    year: int
    checks: int
    nominees: int
    vetoed: int
    unverified: int


def rollups(checks: QuerySet[EligibilityCheck], year: int) -> list[Rollup]:
    """Per federation, over the given (already restricted) checks submitted in the year.
    A nominee vetoed twice in the year — for an award and for a nomination — counts once."""
    in_year = checks.filter(submitted_at__year=year).order_by()
    totals = (in_year.values("federation_id", "federation__name")
              .annotate(checks=Count("id"), checked=Sum("nominee_count"))
              .order_by("federation__name", "federation_id"))
    vetoed: dict[int | None, set[tuple[str, str]]] = defaultdict(set)
    unverified: dict[int | None, set[tuple[str, str]]] = defaultdict(set)
    ineligible = Nominee.objects.filter(check_run__in=in_year.values("pk"), eligible=False)
    for federation_id, kind, masked, hashed, reasons in ineligible.values_list(
            "check_run__federation_id", "kind", "identifier_masked", "identifier_hash", "reasons"):
        target = unverified if set(reasons) <= UNVERIFIED else vetoed
        target[federation_id].add((kind, hashed or masked))
    return [
        Rollup(row["federation_id"], row["federation__name"], year, row["checks"],
               row["checked"] or 0, len(vetoed[row["federation_id"]]),
               len(unverified[row["federation_id"]] - vetoed[row["federation_id"]]))
        for row in totals
    ]
