"""Rating pages as users use them: list with filters, chart and export; an enterprise's
rating; recompute now; editing the model as a new version and activating it; the command."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from qinglian.core.audit import AuditRecord
from qinglian.core.choices import Role
from qinglian.credit.models import Rating, RatingModel
from qinglian.credit.ratings import recompute_ratings

from ..matrix_cases_credit_ratings import model_form
from .test_ratings import TODAY, record

pytestmark = pytest.mark.django_db


def test_list_shows_distribution_filters_and_exports(city: Any) -> None:
    record(city.enterprises[1], "judgment", "serious")
    recompute_ratings(city.federation.pk, today=TODAY)
    client = city.client(Role.FEDERATION_OFFICER)
    page = client.get("/credit/ratings/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="chart-data"' in body and "信用评级分布" in body
    assert page.context["counts"]["D"] == 1
    assert page.context["total"] == Rating.objects.filter(
        is_current=True, organisation__federation=city.federation).count()
    only_d = client.get("/credit/ratings/?rating=D")
    assert [r.organisation for r in only_d.context["page_obj"]] == [city.enterprises[1]]
    by_chamber = client.get(f"/credit/ratings/?chamber={city.other_chamber.pk}")
    assert {r.organisation for r in by_chamber.context["page_obj"]} == {city.enterprises[2]}
    searched = client.get(f"/credit/ratings/?q={city.enterprises[0].uscc}")
    assert [r.organisation for r in searched.context["page_obj"]] == [city.enterprises[0]]
    export = client.get("/credit/ratings/?rating=D&export=xlsx")
    assert export.status_code == 200
    assert "spreadsheetml" in export["Content-Type"]


def test_enterprise_sees_only_its_own(city: Any) -> None:
    recompute_ratings(city.federation.pk, today=TODAY)
    client = city.client(Role.ENTERPRISE_USER)
    page = client.get("/credit/ratings/")
    assert [r.organisation for r in page.context["page_obj"]] == [city.enterprises[0]]
    assert client.get(f"/credit/ratings/{city.enterprises[1].pk}/").status_code == 404
    assert client.get(f"/credit/ratings/{city.enterprises[0].pk}/").status_code == 200


def test_detail_lists_factors_and_history(city: Any) -> None:
    ent = city.enterprises[0]
    recompute_ratings(city.federation.pk, today=TODAY)
    record(ent, "penalty", "ordinary")
    page = city.client(Role.CHAMBER_OFFICER).get(f"/credit/ratings/{ent.pk}/")
    body = page.content.decode()
    assert page.context["current"].points == 65
    assert "行政处罚（一般）" in body and "-15" in body
    assert len(page.context["earlier"]) == 1 and page.context["earlier"][0].points == 80


def test_recompute_now_button(city: Any) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    response = client.post("/credit/ratings/recompute/", follow=True)
    assert "已重新计算" in response.content.decode()
    assert Rating.objects.filter(organisation__federation=city.federation,
                                 is_current=True).exists()
    assert AuditRecord.objects.filter(event="credit_rating.recomputed").count() == 1


def test_edit_model_as_new_version_and_activate(city: Any) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    recompute_ratings(city.federation.pk, today=TODAY)
    page = client.get("/credit/ratings/model/")
    assert page.status_code == 200 and "信用评价默认模型" in page.content.decode()
    form = client.get("/credit/ratings/models/new/")
    assert form.status_code == 200
    bad = {**model_form(city), "band_B": "95"}
    refused = client.post("/credit/ratings/models/new/", bad)
    assert refused.status_code == 200
    assert "B 级最低分应高于 C 级" in refused.content.decode() or \
        "A 级最低分应高于 B 级" in refused.content.decode()
    out_of_range = {**model_form(city), "factor_honour_any": "150"}
    assert client.post("/credit/ratings/models/new/", out_of_range).status_code == 200
    assert RatingModel.objects.filter(federation=city.federation).count() == 1
    good = {**model_form(city), "base_points": "91", "factor_award_any": ""}
    saved = client.post("/credit/ratings/models/new/", good)
    version = RatingModel.objects.get(federation=city.federation, version=2)
    assert saved.status_code == 302 and saved["Location"].endswith(f"/models/{version.pk}/")
    assert not version.is_active
    assert not version.factors.filter(category="award").exists()
    activated = client.post(f"/credit/ratings/models/{version.pk}/activate/", follow=True)
    assert "已启用第 2 版" in activated.content.decode()
    rating = Rating.objects.get(organisation=city.enterprises[0], is_current=True)
    assert (rating.model_id, rating.points, rating.rating) == (version.pk, 91, "A")
    detail = client.get(f"/credit/ratings/models/{version.pk}/")
    assert 'data-testid="model-active"' in detail.content.decode()


def test_chamber_cannot_edit_model(city: Any) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    assert client.get("/credit/ratings/model/").status_code == 200
    assert client.post("/credit/ratings/models/new/", model_form(city)).status_code == 403


def test_command_recomputes_every_federation(city: Any) -> None:
    out = StringIO()
    call_command("recompute_ratings", stdout=out)
    assert "杭州市工商业联合会" in out.getvalue()
    assert Rating.objects.filter(organisation=city.outsider, is_current=True).exists()
    out = StringIO()
    call_command("recompute_ratings", "--federation", str(city.federation.pk), stdout=out)
    assert "评级变化 0 家" in out.getvalue()
