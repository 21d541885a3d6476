"""Public pages: home, enterprise search, credit profile, red list and blacklist, sanction
announcements and the chambers' self-regulation documents. Anonymous, read-only, cached."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from qinglian.core.paging import parse_id
from qinglian.core.uploads import evidence_content_type
from qinglian.credit.choices import DocumentKind, ListKind

from .. import queries
from .common import page, public_page, query_string, rate_limited

PER_PAGE = 20


def _page_number(request: HttpRequest) -> int:
    return parse_id(request.GET.get("page")) or 1


@require_GET
@public_page
def home(request: HttpRequest) -> HttpResponse:
    return page(request, "portal/home.html", {"counts": queries.portal_counts(
        timezone.localdate())})


@require_GET
@rate_limited("search")
@public_page
def search(request: HttpRequest) -> HttpResponse:
    """Enterprises by name (part of it), USCC (exact) or pinyin initials (prefix)."""
    text = request.GET.get("q", "")
    result = queries.search_enterprises(text, _page_number(request), PER_PAGE)
    return page(request, "portal/search.html", {
        "result": result,
        "prev_query": query_string(q=result.query, page=result.number - 1),
        "next_query": query_string(q=result.query, page=result.number + 1),
    })


@require_GET
@public_page
def profile(request: HttpRequest, uscc: str) -> HttpResponse:
    found = queries.enterprise_profile(uscc, timezone.localdate())
    if found is None:
        raise Http404("未找到该企业")
    return page(request, "portal/profile.html", found)


def _listing_page(request: HttpRequest, list_kind: str) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:64]
    rows = queries.listings_page_qs(list_kind, timezone.localdate(), text)
    page_obj = Paginator(rows, PER_PAGE).get_page(_page_number(request))
    return page(request, "portal/listings.html", {
        "list_kind": list_kind, "title": ListKind(list_kind).label, "q": text,
        "page_obj": page_obj, "rows": queries.describe_listings(page_obj.object_list),
        "query": query_string(q=text),
    })


@require_GET
@public_page
def redlist(request: HttpRequest) -> HttpResponse:
    return _listing_page(request, ListKind.RED)


@require_GET
@public_page
def blacklist(request: HttpRequest) -> HttpResponse:
    return _listing_page(request, ListKind.BLACK)


@require_GET
@public_page
def sanctions(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:64]
    rows = queries.sanctions_qs(timezone.localdate(), text)
    page_obj = Paginator(rows, PER_PAGE).get_page(_page_number(request))
    return page(request, "portal/sanctions.html", {
        "q": text, "page_obj": page_obj, "rows": queries.describe_sanctions(page_obj.object_list),
        "query": query_string(q=text),
    })


@require_GET
@public_page
def documents(request: HttpRequest) -> HttpResponse:
    chamber = parse_id(request.GET.get("chamber"))
    kind = request.GET.get("kind", "")
    kind = kind if kind in DocumentKind.values else ""
    rows = queries.public_documents(chamber, kind)
    page_obj = Paginator(rows, PER_PAGE).get_page(_page_number(request))
    return page(request, "portal/documents.html", {
        "page_obj": page_obj, "rows": queries.describe_documents(page_obj.object_list),
        "chambers": queries.publishing_chambers(), "chamber": chamber, "kind": kind,
        "kinds": DocumentKind.choices, "query": query_string(chamber=chamber, kind=kind),
    })


@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = queries.public_document(pk)
    if document is None or not document.file:
        raise Http404("未找到该文件")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件不存在") from exc
    response = FileResponse(handle, content_type=evidence_content_type(document.file.name or ""),
                            filename=queries.scrub(document.original_name or f"{document.title}.pdf"))
    response["Cache-Control"] = "public, max-age=300"
    return response


urlpatterns = [
    path("", home, name="portal_home"),
    path("search/", search, name="portal_search"),
    path("enterprises/<str:uscc>/", profile, name="portal_profile"),
    path("redlist/", redlist, name="portal_redlist"),
    path("blacklist/", blacklist, name="portal_blacklist"),
    path("sanctions/", sanctions, name="portal_sanctions"),
    path("documents/", documents, name="portal_documents"),
    path("documents/<int:pk>/download/", document_download, name="portal_document_download"),
]
