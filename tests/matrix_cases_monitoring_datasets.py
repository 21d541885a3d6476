"""Permission matrix rows for the data intake pages (数据集).

Objects come from ``datasets_world``, rows made directly (pages read only the database): 华为
(enterprises[0], the enterprise user's own) has a ready payments version, a rejected one with
inline errors and an upload waiting for its mapping; the federation has a ready OCDS version;
宁波港湾物流 (the outsider) has a ready version. Datasets are each organisation's own business:
others get 404, the auditor reads the federation's own but loads nothing, the department
handler has no access (403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

A = {200}
R = {302}
F = {403}
N = {404}


def datasets_world(city: Any) -> Any:
    cached = getattr(city, "_datasets_world", None)
    if cached is None:
        from types import SimpleNamespace

        from django.utils import timezone

        from qinglian.monitoring.models import Dataset, DatasetVersion

        def version(organisation: Any, kind: str, status: str, number: int | None = None,
                    **extra: Any) -> DatasetVersion:
            dataset, _ = Dataset.objects.get_or_create(organisation=organisation, kind=kind)
            return DatasetVersion.objects.create(
                dataset=dataset, version=number, status=status, source_name=f"{kind}.csv",
                source_sha256="0" * 64, source_size=100, created_at=timezone.now(), **extra)

        ent = city.enterprises[0]
        ready = version(ent, "payments", "ready", 1, rows=2, path="datasets/x/payments/v1",
                        profile={"amount": {"label": "付款金额", "type": "amount",
                                            "non_null": 2, "nulls": 0, "distinct": 2,
                                            "min": "1.00", "max": "2.00", "top": []}})
        cached = SimpleNamespace(
            ready=ready,
            rejected=version(ent, "payments", "rejected", bad_rows=1, message="校验未通过",
                             errors=[{"row": 2, "column": "付款金额", "value": "x",
                                      "reason": "无法识别的金额"}]),
            uploaded=version(ent, "payments", "uploaded",
                             profile={"headers": ["付款编号", "金额"]},
                             mapping={"payment_id": "付款编号", "amount": "金额"}),
            federation=version(city.federation, "ocds", "ready", 1, rows=3,
                               profile={"tables": {"ocds_releases": 3}}),
            outsider=version(city.outsider, "payments", "ready", 1, rows=1),
        )
        city._datasets_world = cached
    return cached


def _w(city: Any) -> Any:
    return datasets_world(city)


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    readers = statuses(A, dept=F)
    writers = statuses(A, auditor=F, dept=F)
    own = statuses(N, admin=A, ent=A, dept=F)
    fed_reads = statuses(N, admin=A, fed=A, auditor=A, dept=F)
    foreign = statuses(N, admin=A, dept=F)
    own_write = statuses(N, admin=A, ent=A, auditor=F, dept=F)
    post_own = statuses(N, admin=R, ent=R, auditor=F, dept=F)

    case("monitoring_dataset_list", lambda c: "/monitoring/datasets/", readers)
    case("monitoring_dataset_list", lambda c: "/monitoring/datasets/?page=2", readers,
         label="（翻页）")
    case("monitoring_dataset_upload", lambda c: "/monitoring/datasets/upload/", writers)
    case("monitoring_dataset_upload", lambda c: "/monitoring/datasets/upload/",
         statuses(A, auditor=F, dept=F), method="post", data=lambda c: {"kind": "payments"},
         label="（未选文件）")
    case("monitoring_dataset_history",
         lambda c: f"/monitoring/datasets/{_w(c).ready.dataset_id}/", own)
    case("monitoring_dataset_history",
         lambda c: f"/monitoring/datasets/{_w(c).ready.dataset_id}/?export=xlsx", own,
         label="（导出）")
    case("monitoring_dataset_history",
         lambda c: f"/monitoring/datasets/{_w(c).federation.dataset_id}/", fed_reads,
         label="（工商联 OCDS）")
    case("monitoring_dataset_version", lambda c: f"/monitoring/loads/{_w(c).ready.pk}/", own)
    case("monitoring_dataset_version", lambda c: f"/monitoring/loads/{_w(c).rejected.pk}/",
         own, label="（未通过）")
    case("monitoring_dataset_version", lambda c: f"/monitoring/loads/{_w(c).federation.pk}/",
         fed_reads, label="（工商联 OCDS）")
    case("monitoring_dataset_version", lambda c: f"/monitoring/loads/{_w(c).outsider.pk}/",
         foreign, label="（外辖区）")
    case("monitoring_dataset_mapping",
         lambda c: f"/monitoring/loads/{_w(c).uploaded.pk}/mapping/", own_write)
    case("monitoring_dataset_mapping",
         lambda c: f"/monitoring/loads/{_w(c).ready.pk}/mapping/", post_own,
         label="（已入库：转到详情）")
    case("monitoring_dataset_mapping",
         lambda c: f"/monitoring/loads/{_w(c).uploaded.pk}/mapping/", post_own, method="post",
         data=lambda c: {"sheet": "Sheet1"}, label="（换工作表：无此表，转回本页）")
    case("monitoring_dataset_version_progress",
         lambda c: f"/monitoring/loads/{_w(c).ready.pk}/progress/", own)
    case("monitoring_dataset_version_cancel",
         lambda c: f"/monitoring/loads/{_w(c).uploaded.pk}/cancel/", post_own, method="post")
    case("monitoring_dataset_version_cancel",
         lambda c: f"/monitoring/loads/{_w(c).outsider.pk}/cancel/",
         statuses(N, admin=R, auditor=F, dept=F), method="post", label="（外辖区）")
    case("monitoring_dataset_version_errors",
         lambda c: f"/monitoring/loads/{_w(c).rejected.pk}/errors/", own)
    case("monitoring_dataset_version_errors",
         lambda c: f"/monitoring/loads/{_w(c).rejected.pk}/errors/?format=xlsx", own,
         label="（Excel）")
