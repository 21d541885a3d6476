"""The credit report PDF and the page that tells whether a presented report is genuine."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from qinglian.credit.models import CreditReport

from ..actions import do_issue_credit_report
from ..report import digest_groups, grouped, normalise_code, render_pdf
from .common import page, rate_limited


@csrf_exempt  # anonymous and harmless to forge: it only issues a report anyone may ask for
@require_POST
@rate_limited("report")
def report(request: HttpRequest, uscc: str) -> HttpResponse:
    issued = do_issue_credit_report(uscc, actor=None)
    if issued is None:
        raise Http404("未找到该企业")
    credit_report, profile = issued
    response = HttpResponse(render_pdf(profile, credit_report), content_type="application/pdf")
    filename = f"credit-report-{profile['enterprise']['uscc']}-{credit_report.code}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@rate_limited("verify")
def verify(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("code", "").strip()[:64]
    code = normalise_code(typed)
    found = (CreditReport.objects.filter(code=code)
             .only("code", "issued_at", "digest", "summary").first() if code else None)
    response = page(request, "portal/verify.html", {
        "typed": typed, "checked": bool(code), "found": found,
        "code": grouped(found.code) if found else "",
        "digest": digest_groups(found.digest) if found else "",
        "summary": found.summary if found else {},
    })
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("enterprises/<str:uscc>/report/", report, name="portal_report"),
    path("verify/", verify, name="portal_verify"),
]
