"""Credit ratings: the default model, the set-wise recompute, history and the hook."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qinglian.core.audit import AuditRecord
from qinglian.core.choices import Role
from qinglian.credit import rating_actions
from qinglian.credit.actions import do_create_record, do_revoke_record
from qinglian.credit.models import Rating, RatingLine, RatingModel
from qinglian.credit.ratings import recompute_ratings

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)


def record(org: Any, category: str, severity: str = "", *, publish: bool = True,
           decided: dt.date = dt.date(2026, 10, 9)) -> Any:
    return do_create_record(
        org, actor=None, today=TODAY, publish=publish, category=category, severity=severity,
        source="administrative", issuing_body="杭州市市场监督管理局",
        decision_number="杭市监罚〔2026〕12号", decision_date=decided,
        legal_basis="《中华人民共和国反不正当竞争法》第七条", content="虚假宣传")


def current(org: Any) -> Rating:
    return Rating.objects.get(organisation=org, is_current=True)


def test_default_model_installed_on_first_use(city: Any) -> None:
    counts = recompute_ratings(city.federation.pk, today=TODAY)
    model = RatingModel.objects.get(federation=city.federation)
    assert (model.version, model.is_active, model.base_points) == (1, True, 80)
    assert dict(model.bands.values_list("rating", "min_points")) == {
        "A": 90, "B": 75, "C": 60, "D": 0}
    enterprises = city.federation.jurisdiction.filter(kind="enterprise").count()
    assert counts.enterprises == enterprises == counts.changed
    rating = current(city.enterprises[0])
    assert (rating.points, rating.rating, rating.grade) == (80, "B", "")
    assert not rating.lines.exists()


def test_records_in_window_count_with_caps_and_clamp(city: Any) -> None:
    ent = city.enterprises[1]
    for _ in range(5):
        record(ent, "honour")  # +5 each, at most 3 count
    record(ent, "exemplar")  # +8
    recompute_ratings(city.federation.pk, today=TODAY)
    rating = current(ent)
    assert rating.points == 100  # 80 + 15 + 8 = 103, clamped
    assert rating.rating == "A"
    lines = {(line.category, line.count, line.points) for line in rating.lines.all()}
    assert lines == {("honour", 3, 15), ("exemplar", 1, 8)}


def test_unpublished_and_revoked_records_do_not_count(city: Any) -> None:
    ent = city.enterprises[1]
    record(ent, "penalty", "serious", publish=False)
    revoked = record(ent, "penalty", "serious")
    do_revoke_record(revoked, actor=None, reason="录入错误")
    recompute_ratings(city.federation.pk, today=TODAY)
    assert current(ent).points == 80


def test_expired_record_leaves_the_rating(city: Any) -> None:
    ent = city.enterprises[1]
    rec = record(ent, "penalty", "ordinary")
    recompute_ratings(city.federation.pk, today=TODAY)
    assert (current(ent).points, current(ent).rating) == (65, "C")
    later = rec.publish_until + dt.timedelta(days=1)
    counts = recompute_ratings(city.federation.pk, today=later)
    assert counts.changed == 1
    assert current(ent).points == 80
    history = list(Rating.objects.filter(organisation=ent).order_by("pk")
                   .values_list("points", "is_current"))
    assert history == [(65, False), (80, True)]  # the hook rated it when published


def test_hook_recomputes_the_enterprise_in_the_same_transaction(city: Any) -> None:
    ent = city.enterprises[0]
    recompute_ratings(city.federation.pk, today=TODAY)
    record(ent, "judgment", "serious")
    rating = current(ent)
    assert (rating.points, rating.rating) == (30, "D")
    line = rating.lines.get()
    assert (line.category, line.severity, line.count, line.points) == (
        "judgment", "serious", 1, -50)


def test_unchanged_ratings_are_not_rewritten(city: Any) -> None:
    recompute_ratings(city.federation.pk, today=TODAY)
    before = Rating.objects.count()
    counts = recompute_ratings(city.federation.pk, today=TODAY)
    assert counts.changed == 0
    assert Rating.objects.count() == before


def test_same_points_different_factors_is_a_change(city: Any) -> None:
    ent = city.enterprises[1]
    honour = record(ent, "honour")
    award = record(ent, "award")
    record(ent, "pledge_kept")
    recompute_ratings(city.federation.pk, today=TODAY)
    assert current(ent).points == 92  # +5 +5 +2
    do_revoke_record(honour, actor=None, reason="撤销表彰")
    do_revoke_record(award, actor=None, reason="撤销奖励")
    assert current(ent).points == 82
    assert {line.category for line in current(ent).lines.all()} == {"pledge_kept"}


def test_statement_count_does_not_grow_with_enterprises(city: Any) -> None:
    rating_actions.active_model(city.federation.pk)
    with CaptureQueriesContext(connection) as first:
        first_counts = recompute_ratings(city.federation.pk, today=TODAY)
    for n in range(6):
        record(city.enterprises[n % 2], "award" if n % 3 else "penalty", "" if n % 3 else "serious")
    with CaptureQueriesContext(connection) as again:
        again_counts = recompute_ratings(city.federation.pk, today=dt.date(2030, 1, 1))
    assert first_counts.changed != again_counts.changed
    assert len(first) == len(again)


def test_one_audit_event_per_run(city: Any) -> None:
    recompute_ratings(city.federation.pk, today=TODAY)
    events = AuditRecord.objects.filter(event="credit_rating.recomputed")
    assert events.count() == 1
    after = events.get().after
    assert after is not None and after["changed"] >= 3


def test_latest_published_grade_adds_points(city: Any) -> None:
    from qinglian.evaluation.framework_actions import do_install_framework
    from qinglian.evaluation.models import Assessment, Campaign

    ent = city.enterprises[0]
    spec = {"code": "T", "name": "测试体系", "dimensions": [{"code": "D0", "name": "清廉政治",
            "indicators": [{"code": "D0.1", "name": "指标", "max_points": "1000",
                            "method": "boolean"}]}], "negative_items": []}
    framework = do_install_framework(city.federation, spec, actor=None)  # type: ignore[arg-type]
    for year, grade in ((2025, "标杆"), (2026, "不达标")):
        campaign = Campaign.objects.create(federation=city.federation, framework=framework, year=year,
                                           name=f"{year} 年度", status="published")
        Assessment.objects.create(campaign=campaign, enterprise=ent, chamber=city.chamber,
                                  status="published", grade=grade)
    recompute_ratings(city.federation.pk, today=TODAY)
    rating = current(ent)
    assert (rating.grade, rating.points, rating.rating) == ("不达标", 60, "C")
    assert rating.lines.get().grade == "不达标"


def test_new_version_validation(city: Any) -> None:
    fed = city.users[Role.FEDERATION_OFFICER]
    spec = rating_actions.default_spec()
    spec.bands = {"A": 90, "B": 90, "C": 60, "D": 0}
    with pytest.raises(ValidationError) as err:
        rating_actions.do_create_model_version(city.federation, spec, actor=fed)
    assert "band_A" in err.value.message_dict
    spec = rating_actions.default_spec()
    spec.bands = {"A": 90, "B": 75, "C": 60}
    with pytest.raises(ValidationError) as err:
        rating_actions.do_create_model_version(city.federation, spec, actor=fed)
    assert "band_D" in err.value.message_dict
    spec = rating_actions.default_spec()
    spec.factors[0] = ("honour", "", 120, 3)
    with pytest.raises(ValidationError) as err:
        rating_actions.do_create_model_version(city.federation, spec, actor=fed)
    assert "factor_honour_any" in err.value.message_dict


def test_activate_new_version_recomputes(city: Any) -> None:
    fed = city.users[Role.FEDERATION_OFFICER]
    recompute_ratings(city.federation.pk, today=TODAY)
    spec = rating_actions.default_spec()
    spec.base_points = 92
    version = rating_actions.do_create_model_version(city.federation, spec, actor=fed)
    assert version.version == 2 and not version.is_active
    counts = rating_actions.do_activate_model(version, actor=fed)
    assert counts.changed == counts.enterprises
    rating = current(city.enterprises[0])
    assert (rating.model_id, rating.points, rating.rating) == (version.pk, 92, "A")
    assert RatingModel.objects.get(federation=city.federation, is_active=True) == version


def test_other_federation_and_chamber_refused(city: Any) -> None:
    with pytest.raises(PermissionDenied):
        rating_actions.do_recompute_ratings(city.other_federation, actor=city.users[Role.FEDERATION_OFFICER])
    with pytest.raises(PermissionDenied):
        rating_actions.do_recompute_ratings(city.federation, actor=city.users[Role.CHAMBER_OFFICER])


def test_lines_written_only_for_changed(city: Any) -> None:
    record(city.enterprises[1], "award")
    recompute_ratings(city.federation.pk, today=TODAY)
    lines = RatingLine.objects.count()
    recompute_ratings(city.federation.pk, today=TODAY)
    assert RatingLine.objects.count() == lines
