"""A small credit world on the `city` fixture, built through the real actions, for the portal.

Listings are written directly: their due-process actions live in another module of the credit
app; the portal only reads them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qinglian.credit import actions
from qinglian.credit.choices import ListingStatus, ListKind, SubjectKind
from qinglian.credit.document_actions import do_publish_document
from qinglian.credit.models import Listing
from qinglian.credit.pledge_actions import do_make_pledge

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE = "13705710001"
ID_NUMBER = "330106198501011231"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def record(subject: Any, *, publish: bool = True, days_ago: int = 10, **fields: Any) -> Any:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "category": "penalty", "severity": "serious", "source": "administrative",
        "issuing_body": "杭州市市场监督管理局", "decision_number": f"杭市监罚〔{today.year}〕{days_ago}号",
        "decision_date": today - dt.timedelta(days=days_ago),
        "legal_basis": "《中华人民共和国反不正当竞争法》第七条", "content": "以财物贿赂交易相对方工作人员",
    }
    values.update(fields)
    return actions.do_create_record(subject, actor=None, publish=publish, **values)


def listing(subject: Any, list_kind: str, *, effective: dt.date, expires: dt.date,
            number: str, status: str = ListingStatus.PUBLISHED) -> Listing:
    is_org = subject.__class__.__name__ == "Organisation"
    return Listing.objects.create(
        federation_id=subject.federation_id, number=number, list_kind=list_kind,
        subject_kind=SubjectKind.ENTERPRISE if is_org else SubjectKind.PRACTITIONER,
        organisation=subject if is_org else None, person=None if is_org else subject,
        subject_name=subject.name, subject_code=getattr(subject, "uscc", "") if is_org else "",
        status=status, reasons="内部理由：不应公开", basis=f"严重失信，举报电话{PHONE}",
        measures=["no_awards", "no_nomination"] if list_kind == ListKind.BLACK
        else ["green_channel"],
        effective_on=effective, expires_on=expires, decision_note="内部意见：不应公开",
    )


def build_credit_world(city: Any) -> SimpleNamespace:
    today = timezone.localdate()
    huawei, qingfeng, oujiang = city.enterprises
    w = SimpleNamespace()
    w.penalty = record(huawei, content=f"以财物贿赂交易相对方工作人员，联系电话{PHONE}，"
                                       f"经办人身份证{ID_NUMBER}")
    w.honour = record(huawei, category="honour", severity="", source="industry",
                      issuing_body="杭州市工商业联合会", decision_number="杭工商联〔2026〕3号",
                      content="荣获“诚信示范企业”称号", days_ago=20)
    w.unpublished = record(huawei, publish=False, content="尚未公示的处罚内容", days_ago=5)
    w.revoked = record(huawei, content="已撤销的处罚内容", days_ago=6)
    actions.do_revoke_record(w.revoked, actor=None, reason="决定已被撤销")
    w.minor = record(huawei, severity="minor", publish=False, content="轻微失信不公示的内容",
                     days_ago=7)
    w.sanction = record(city.person, category="industry_sanction", severity="ordinary",
                        source="industry", issuing_body="杭州市互联网商会",
                        decision_number="杭互商〔2026〕1号", content="行业内通报批评：违规承揽业务",
                        days_ago=3)
    w.ent_sanction = record(qingfeng, category="industry_sanction", severity="ordinary",
                            source="industry", issuing_body="杭州市互联网商会",
                            decision_number="杭互商〔2026〕2号", content="公开谴责：串通投标",
                            days_ago=4)
    w.pledge = do_make_pledge(huawei, actor=None, title="诚信经营承诺", content="依法诚信经营")
    w.private_pledge = do_make_pledge(huawei, actor=None, title="内部承诺", content="不公开",
                                      is_public=False)
    w.black = listing(huawei, ListKind.BLACK, effective=today - dt.timedelta(days=2),
                      expires=today + dt.timedelta(days=365), number="MD2026000001")
    w.red = listing(oujiang, ListKind.RED, effective=today - dt.timedelta(days=2),
                    expires=today + dt.timedelta(days=365), number="MD2026000002")
    w.expired = listing(qingfeng, ListKind.BLACK, effective=today - dt.timedelta(days=400),
                        expires=today - dt.timedelta(days=1), number="MD2026000003")
    w.proposed = listing(oujiang, ListKind.BLACK, effective=today, expires=today
                         + dt.timedelta(days=30), number="MD2026000004",
                         status=ListingStatus.PROPOSED)
    w.person_black = listing(city.person, ListKind.BLACK, effective=today - dt.timedelta(days=1),
                             expires=today + dt.timedelta(days=100), number="MD2026000005")
    w.document = do_publish_document(
        city.chamber, actor=city.users["chamber_officer"], kind="convention",
        title="杭州市互联网商会行业自律公约", summary="全体会员共同遵守",
        upload=SimpleUploadedFile("公约.pdf", PDF, content_type="application/pdf"))
    return w


@pytest.fixture
def world(city: Any) -> SimpleNamespace:
    return build_credit_world(city)
