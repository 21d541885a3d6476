"""The credit report (信用报告): the public profile of one enterprise as a PDF, stamped with
its issue time and a verification code the portal can check.

What the report says is fixed as canonical JSON (``report_content``); its SHA-256 is stored with
the code (``credit.CreditReport.digest``) and printed on the report, so a verifier sees both
that the code exists and what the genuine report said.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import secrets
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from qinglian.credit.models import CreditReport

CODE_LENGTH = 16
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_code() -> str:
    """16 characters of base32 (80 random bits): unguessable, easy to read and type."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def grouped(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def digest_groups(digest: str) -> str:
    """The SHA-256 in groups of eight, as printed: easier to compare by eye, and never a run
    of digits a reader (or a scanner) could take for a phone or ID number."""
    return " ".join(digest[i:i + 8] for i in range(0, len(digest), 8))


def normalise_code(text: str) -> str:
    """What someone typed, as stored: no spaces or dashes, upper case, 0/1/8 read as O/I/B."""
    compact = "".join(ch for ch in (text or "") if ch.isalnum()).upper()
    return compact.translate(_LOOKALIKES)[:CODE_LENGTH + 4]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def report_content(profile: dict[str, Any], *, code: str, issued_at: dt.datetime) -> dict[str, Any]:
    """The allow-listed content of the report, in a canonical order."""
    enterprise = profile["enterprise"]
    return _jsonable({
        "code": code,
        "issued_at": issued_at,
        "enterprise": {k: enterprise[k] for k in ("name", "uscc", "region_name", "industry_name")},
        "chambers": profile["chambers"],
        "grade": profile["grade"],
        "listings": [{k: x[k] for k in ("number", "list_label", "subject_name", "measure_labels",
                                        "basis", "effective_on", "expires_on")}
                     for x in profile["listings"]],
        "records": [{k: r[k] for k in ("number", "category_label", "severity_label",
                                       "issuing_body", "decision_number", "decision_date",
                                       "content", "legal_basis", "publish_until",
                                       "open_objections")}
                    for r in profile["records"]],
        "pledges": [{k: p[k] for k in ("number", "title", "pledged_on", "status_label")}
                    for p in profile["pledges"]],
    })


def digest_of(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def summary_of(profile: dict[str, Any]) -> dict[str, Any]:
    """What the verify page repeats about a genuine report."""
    enterprise, grade = profile["enterprise"], profile["grade"]
    return {
        "name": enterprise["name"], "uscc": enterprise["uscc"],
        "records": len(profile["records"]), "negative": profile["negative_count"],
        "positive": profile["positive_count"], "red": len(profile["red"]),
        "black": len(profile["black"]), "pledges": len(profile["pledges"]),
        "grade": grade["grade"] if grade else "",
    }


def report_html(profile: dict[str, Any], report: CreditReport) -> str:
    return render_to_string("portal/report_pdf.html", {
        **profile, "report": report, "code": grouped(report.code),
        "digest": digest_groups(report.digest),
    })


def render_pdf(profile: dict[str, Any], report: CreditReport) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return bytes(HTML(string=report_html(profile, report)).write_pdf())
