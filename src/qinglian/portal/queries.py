"""What the public may read, and nothing else.

The portal never looks at the signed-in user: every read here is anonymous, goes through
``credit.queries.public_records_q`` / ``public_listings_q`` for what is in force today, and
names its columns explicitly (``.values(...)``) so that a field added to a model later cannot
leak by accident. Free text that officers typed (contents, bases, summaries) is passed through
``scrub`` as a second line of defence: an ID number or a mobile number someone pasted into it
is masked before it reaches a page, a report or a cache.

Allowed: an enterprise's name, USCC, chambers, industry, region; published integrity grade;
red/black listings in force with measures and dates; records inside their window with their
decision details; public pledges. The name of a sanctioned practitioner appears on the lists
(he is the sanctioned party) — never his ID number. The credit rating is not public: it is the
federation's internal evaluation, not a decision that went through due process (the enterprise
sees its own on "我的信用").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from qinglian.credit.choices import (
    DocumentKind,
    ListKind,
    Measure,
    PledgeStatus,
    Polarity,
    RecordCategory,
    Severity,
    SubjectKind,
)
from qinglian.credit.models import ChamberDocument, CreditPledge, CreditRecord, Listing
from qinglian.credit.queries import public_listings_q, public_records_q
from qinglian.evaluation.choices import AssessmentStatus
from qinglian.evaluation.models import Assessment
from qinglian.registry import industries
from qinglian.registry.choices import MembershipStatus, OrganisationKind
from qinglian.registry.models import Membership, Organisation
from qinglian.registry.regions import region_name

#: Columns of an enterprise the portal may show (plus the key, for links and joins).
ENTERPRISE_FIELDS = ("pk", "name", "uscc", "region", "industry")
RECORD_FIELDS = ("number", "category", "polarity", "severity", "issuing_body",
                 "decision_number", "decision_date", "content", "legal_basis",
                 "open_objections", "publish_from", "publish_until")
LISTING_FIELDS = ("number", "list_kind", "subject_kind", "subject_name", "subject_code",
                  "measures", "basis", "effective_on", "expires_on", "open_objections")
PLEDGE_FIELDS = ("number", "kind", "title", "content", "pledged_on", "valid_until", "status")
DOCUMENT_FIELDS = ("pk", "kind", "title", "year", "summary", "size", "created_at",
                   "organisation_id", "organisation__name")
PUBLIC_PLEDGE_STATUSES = (PledgeStatus.ACTIVE, PledgeStatus.FULFILLED)

_RIC = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_USCC_TEXT = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")
_CODE_CHARS = re.compile(r"[\s\-]")


def scrub(text: str) -> str:
    """Free text with ID-number-like and mobile-number-like digit runs masked."""
    text = _RIC.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text or "")
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def _enterprises() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)


def _describe(row: dict[str, Any]) -> dict[str, Any]:
    row["region_name"] = (region_name(row["region"]) or "") if row["region"] else ""
    row["industry_name"] = industries.DIVISIONS.get(row["industry"], "")
    return row


# --- search -----------------------------------------------------------------------------------


@dataclass
class SearchPage:
    """One page of results without a COUNT: a substring search over every enterprise cannot
    count cheaply, and the public needs "next page", not "page 3 of 4,812"."""

    query: str
    how: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    number: int = 1
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def search_how(text: str) -> str:
    """How a query is read: an 18-character code is a USCC (exact), Latin letters are pinyin
    initials (prefix), anything else part of a name (substring)."""
    compact = _CODE_CHARS.sub("", text).upper()
    if len(compact) == 18 and _USCC_TEXT.match(compact):
        return "uscc"
    if text.isascii() and text.isalpha():
        return "initials"
    return "name"


def search_enterprises(text: str, page: int = 1, per_page: int = 20) -> SearchPage:
    text = " ".join(text.split())[:64]
    how = search_how(text)
    result = SearchPage(query=text, how=how, number=max(1, min(page, 500)))
    if not text:
        return result
    qs = _enterprises()
    if how == "uscc":
        qs = qs.filter(uscc=_CODE_CHARS.sub("", text).upper()).order_by("pk")
    elif how == "initials":
        prefix = text.lower()
        # a range over the index, read in index order: it stops at the page's last row
        # (LIKE 'x%' with ESCAPE does not use the index on SQLite; a sort would read them all)
        qs = qs.filter(name_initials__gte=prefix, name_initials__lt=prefix + "\uffff"
                       ).order_by("name_initials", "pk")
    else:
        # a substring cannot use an index: scanning in key order stops at the page's last
        # match instead of sorting every match first; the page is then shown in pinyin order
        qs = qs.filter(name__contains=text).order_by("pk")
    start = (result.number - 1) * per_page
    rows = list(qs.values(*ENTERPRISE_FIELDS, "name_pinyin")[start:start + per_page + 1])
    result.has_next = len(rows) > per_page
    shown = sorted(rows[:per_page], key=lambda r: (r.pop("name_pinyin"), r["pk"]))
    result.rows = [_describe(dict(r)) for r in shown]
    return result


# --- the profile ------------------------------------------------------------------------------


def _profile_head(uscc: str) -> dict[str, Any] | None:
    """The enterprise with its published grade, in one query."""
    code = _CODE_CHARS.sub("", uscc).upper()
    grades = _published_grades(OuterRef("pk"))
    row = (_enterprises().filter(uscc=code)
           .annotate(grade=Subquery(grades.values("grade")[:1]),
                     grade_year=Subquery(grades.values("campaign__year")[:1]))
           .values(*ENTERPRISE_FIELDS, "grade", "grade_year")
           .first())
    return _describe(dict(row)) if row else None


def _chambers(enterprise_id: int) -> list[str]:
    return list(
        Membership.objects.filter(member_id=enterprise_id, status=MembershipStatus.ADMITTED)
        .order_by("organisation__name_pinyin").values_list("organisation__name", flat=True))


def _published_grades(enterprise: Any) -> QuerySet[Assessment]:
    """Published integrity-index results, latest first (by evaluation year, then publication)."""
    return (Assessment.objects.filter(enterprise_id=enterprise, status=AssessmentStatus.PUBLISHED)
            .exclude(grade="")
            .order_by("-campaign__year", F("published_at").desc(nulls_last=True), "-pk"))


def _measures(codes: Any) -> list[str]:
    labels = dict(Measure.choices)
    return [labels.get(c, "") for c in (codes or []) if c in labels]


def _listing(row: dict[str, Any]) -> dict[str, Any]:
    row["list_label"] = ListKind(row["list_kind"]).label
    row["measure_labels"] = _measures(row.pop("measures"))
    row["basis"] = scrub(row["basis"])
    if row["subject_kind"] != SubjectKind.ENTERPRISE:
        row["subject_code"] = ""  # a practitioner is shown by name only
    return row


def _record(row: dict[str, Any]) -> dict[str, Any]:
    row["category_label"] = RecordCategory(row["category"]).label
    row["severity_label"] = Severity(row["severity"]).label if row["severity"] else ""
    row["negative"] = row["polarity"] == Polarity.NEGATIVE
    for name in ("content", "legal_basis", "issuing_body"):
        row[name] = scrub(row[name])
    return row


def enterprise_listings(enterprise_id: int, today: dt.date) -> list[dict[str, Any]]:
    return [_listing(r) for r in Listing.objects.filter(public_listings_q(today),
                                                         organisation_id=enterprise_id)
            .order_by("list_kind", "-effective_on").values(*LISTING_FIELDS)]


def enterprise_records(enterprise_id: int, today: dt.date) -> list[dict[str, Any]]:
    return [_record(r) for r in CreditRecord.objects.filter(public_records_q(today),
                                                             organisation_id=enterprise_id)
            .order_by("-decision_date", "-pk").values(*RECORD_FIELDS)[:200]]


def enterprise_pledges(enterprise_id: int, today: dt.date) -> list[dict[str, Any]]:
    """Every public pledge in force or fulfilled; one past its term says so instead of
    "履行中"."""
    rows = list(CreditPledge.objects.filter(organisation_id=enterprise_id, is_public=True,
                                            status__in=PUBLIC_PLEDGE_STATUSES)
                .order_by("-pledged_on", "-pk").values(*PLEDGE_FIELDS))
    for row in rows:
        row["title"] = scrub(row["title"])
        row["content"] = scrub(row["content"])
        lapsed = (row["status"] == PledgeStatus.ACTIVE and row["valid_until"] is not None
                  and row["valid_until"] < today)
        row["status_label"] = "已过有效期" if lapsed else PledgeStatus(row["status"]).label
    return rows


def enterprise_profile(uscc: str, today: dt.date) -> dict[str, Any] | None:
    """Everything the public credit profile (and the credit report) shows, or None."""
    head = _profile_head(uscc)
    if head is None:
        return None
    pk = head["pk"]
    grade, grade_year = head.pop("grade"), head.pop("grade_year")
    records = enterprise_records(pk, today)
    listings = enterprise_listings(pk, today)
    return {
        "enterprise": head,
        "chambers": _chambers(pk),
        "grade": {"grade": grade, "campaign__year": grade_year} if grade else None,
        "listings": listings,
        "red": [x for x in listings if x["list_kind"] == ListKind.RED],
        "black": [x for x in listings if x["list_kind"] == ListKind.BLACK],
        "records": records,
        "negative_count": sum(1 for r in records if r["negative"]),
        "positive_count": sum(1 for r in records if r["polarity"] == Polarity.POSITIVE),
        "pledges": enterprise_pledges(pk, today),
        "today": today,
    }


# --- lists and announcements ------------------------------------------------------------------


def listings_page_qs(list_kind: str, today: dt.date, text: str = "") -> QuerySet[Any]:
    qs = Listing.objects.filter(public_listings_q(today), list_kind=list_kind)
    text = text.strip()[:64]
    if text:
        code = _CODE_CHARS.sub("", text).upper()
        qs = qs.filter(Q(subject_name__contains=text)
                       | Q(subject_kind=SubjectKind.ENTERPRISE, subject_code=code))
    return qs.order_by("-effective_on", "-pk").values(*LISTING_FIELDS, "organisation__uscc")


def describe_listings(rows: Any) -> list[dict[str, Any]]:
    return [_listing(dict(r)) for r in rows]


def sanctions_qs(today: dt.date, text: str = "") -> QuerySet[Any]:
    """Industry sanctions (行业惩戒) published and inside their window."""
    qs = CreditRecord.objects.filter(public_records_q(today),
                                     category=RecordCategory.INDUSTRY_SANCTION)
    text = text.strip()[:64]
    if text:
        qs = qs.filter(subject_name__contains=text)
    return qs.order_by("-decision_date", "-pk").values(
        *RECORD_FIELDS, "subject_kind", "subject_name", "organisation__uscc")


def describe_sanctions(rows: Any) -> list[dict[str, Any]]:
    described = []
    for r in rows:
        row = _record(dict(r))
        if row["subject_kind"] != SubjectKind.ENTERPRISE:
            row["organisation__uscc"] = None
        described.append(row)
    return described


def public_documents(chamber_id: int | None = None, kind: str = "") -> QuerySet[Any]:
    qs = ChamberDocument.objects.filter(is_public=True)
    if chamber_id is not None:
        qs = qs.filter(organisation_id=chamber_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("organisation__name_pinyin", "-year", "-created_at", "-pk").values(
        *DOCUMENT_FIELDS)


def describe_documents(rows: Any) -> list[dict[str, Any]]:
    """Documents as shown: officers' free text (title, summary) scrubbed like every other."""
    labels = dict(DocumentKind.choices)
    return [{**r, "title": scrub(r["title"]), "summary": scrub(r["summary"]),
             "kind_label": labels.get(r["kind"], "")} for r in rows]


def publishing_chambers() -> list[dict[str, Any]]:
    return [dict(row) for row in Organisation.objects.filter(
        pk__in=ChamberDocument.objects.filter(is_public=True).values("organisation_id"))
        .order_by("name_pinyin").values("pk", "name")]


def public_document(pk: int) -> ChamberDocument | None:
    return (ChamberDocument.objects.filter(pk=pk, is_public=True)
            .only("pk", "file", "original_name", "title").first())


def portal_counts(today: dt.date) -> dict[str, int]:
    return {
        "enterprises": _enterprises().count(),
        "records": CreditRecord.objects.filter(public_records_q(today)).count(),
        "red": Listing.objects.filter(public_listings_q(today), list_kind=ListKind.RED).count(),
        "black": Listing.objects.filter(public_listings_q(today),
                                        list_kind=ListKind.BLACK).count(),
        "documents": ChamberDocument.objects.filter(is_public=True).count(),
    }
