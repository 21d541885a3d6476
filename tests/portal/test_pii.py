"""No personal data on the portal: crawl every page reachable from the portal home of the
sample city (plus every profile with records, searches, credit reports and their verification)
and find no ID number, no mobile number and no name of a person other than a sanctioned party.

The sample city's people carry real-format ID numbers and mobile numbers (stored encrypted);
the credit world added here pastes some of them into free text on purpose, as a careless
officer would, to prove that the portal masks them.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
import time
from collections import deque
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from stdnum.cn import ric

from qinglian.core.crypto import decrypt_text
from qinglian.credit.choices import ListKind
from qinglian.credit.models import CreditRecord, Listing
from qinglian.portal.actions import do_issue_credit_report
from qinglian.portal.report import report_html
from qinglian.registry.models import Organisation, Person
from qinglian.registry.sample import build_sample_city

from .conftest import listing, record

pytestmark = pytest.mark.django_db

EIGHTEEN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
HREF = re.compile(r'href="(/portal/[^"#]*)"')
MAX_PAGES = 3000


def personal_data(text: str, usccs: set[str]) -> list[str]:
    """18-digit runs that are ID numbers (or not an enterprise's USCC), and mobile numbers."""
    found = [m.group() for m in EIGHTEEN.finditer(text)
             if ric.is_valid(m.group()) or m.group().upper() not in usccs]
    return found + [m.group() for m in MOBILE.finditer(text)]


def add_credit_world(today: dt.date) -> set[str]:
    """Records, listings and a pasted ID/phone on a sample of the city; returns the names of
    the sanctioned practitioners (the only people the portal may name)."""
    enterprises = list(Organisation.objects.filter(kind="enterprise").order_by("pk")[:12])
    people = list(Person.objects.exclude(id_number_cipher="").order_by("pk")[:3])
    careless = people[0]
    pasted = f"联系人手机{decrypt_text(careless.phone_cipher) or '13905710000'}，" \
             f"身份证号{decrypt_text(careless.id_number_cipher)}"
    for n, enterprise in enumerate(enterprises):
        record(enterprise, days_ago=5 + n, content=f"未按规定履行义务（第{n}项）。{pasted}")
        if n % 3 == 0:
            record(enterprise, category="honour", severity="", source="industry",
                   issuing_body="杭州市工商业联合会", days_ago=30 + n, content="诚信经营先进单位")
        if n % 4 == 0:
            record(enterprise, category="industry_sanction", severity="ordinary",
                   source="industry", issuing_body="杭州市互联网商会", days_ago=2 + n,
                   content=f"行业内通报批评。{pasted}")
    for n, enterprise in enumerate(enterprises[:4]):
        listing(enterprise, ListKind.BLACK if n % 2 else ListKind.RED,
                effective=today - dt.timedelta(days=3), expires=today + dt.timedelta(days=200),
                number=f"MD2026P{n:05d}")
    sanctioned = people[1]
    record(sanctioned, category="industry_sanction", severity="ordinary", source="industry",
           issuing_body="杭州市互联网商会", days_ago=4, content="取消会员资格")
    listing(sanctioned, ListKind.BLACK, effective=today - dt.timedelta(days=1),
            expires=today + dt.timedelta(days=90), number="MD2026P99999")
    return {sanctioned.name}


def crawl(client: Client, seeds: list[str]) -> dict[str, str]:
    pages: dict[str, str] = {}
    queue = deque(seeds)
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        if path in pages:
            continue
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if response.streaming:
            pages[path] = b"".join(response.streaming_content).decode("latin-1")  # type: ignore[attr-defined]
            continue
        text = response.content.decode()
        pages[path] = text
        for href in HREF.findall(text):
            link = htmllib.unescape(href)
            if link not in pages:
                queue.append(link)
    assert len(pages) < MAX_PAGES, "crawl did not finish"
    return pages


@pytest.mark.slow
def test_no_personal_data_on_any_portal_page(settings: Any) -> None:
    settings.PORTAL_SEARCH_RATE = settings.PORTAL_VERIFY_RATE = "0"
    settings.PORTAL_REPORT_RATE = "0"
    started = time.perf_counter()
    today = timezone.localdate()
    build_sample_city(seed=2026, enterprises=40, today=today)
    allowed_people = add_credit_world(today)
    usccs = {u for u in Organisation.objects.exclude(uscc=None).values_list("uscc", flat=True)
             if u}
    raw = "".join(CreditRecord.objects.values_list("content", flat=True))
    assert personal_data(raw, usccs), "the stored texts carry pasted personal data to catch"
    with_records = {str(u) for u in CreditRecord.objects.filter(organisation__isnull=False)
                    .values_list("organisation__uscc", flat=True)}
    with_records |= {str(u) for u in Listing.objects.filter(organisation__isnull=False)
                     .values_list("organisation__uscc", flat=True)}
    enterprises = list(Organisation.objects.filter(kind="enterprise")
                       .values_list("name", "uscc", "name_initials"))
    seeds = ["/portal/"]
    seeds += [f"/portal/enterprises/{u}/" for u in sorted(with_records)]
    seeds += [f"/portal/search/?q={name[2:4]}" for name, _, _ in enterprises[:10]]
    seeds += [f"/portal/search/?q={initials[:3]}" for _, _, initials in enterprises[:10]]
    seeds += [f"/portal/search/?q={u}" for _, u, _ in enterprises[:5]]
    client = Client()
    pages = crawl(client, seeds)

    # every credit report: its content (the PDF is rendered from exactly this) and its check
    for uscc in sorted(with_records):
        issued = do_issue_credit_report(uscc)
        assert issued is not None
        report, profile = issued
        pages[f"report:{uscc}"] = report_html(profile, report)
        pages[f"verify:{uscc}"] = client.get("/portal/verify/",
                                             {"code": report.code}).content.decode()
        pdf = client.post(f"/portal/enterprises/{uscc}/report/")
        assert pdf.content.startswith(b"%PDF")

    assert any("/portal/enterprises/" in p for p in pages) and len(pages) > 30
    leaks = {path: found for path, text in pages.items() if (found := personal_data(text, usccs))}
    assert not leaks, leaks
    names = {n for n in Person.objects.values_list("name", flat=True) if len(n) >= 3}
    org_text = "".join(Organisation.objects.values_list("name", flat=True))
    names = {n for n in names - allowed_people if n not in org_text}
    named = {path: [n for n in names if n in text] for path, text in pages.items()}
    named = {path: found for path, found in named.items() if found}
    assert not named, named
    # the sanctioned practitioner is named on the blacklist, without any identifier
    black = "".join(text for path, text in pages.items() if path.startswith("/portal/blacklist/"))
    assert all(name in black for name in allowed_people)
    print(f"crawled {len(pages)} pages in {time.perf_counter() - started:.1f} s")
