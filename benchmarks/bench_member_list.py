"""Member list page at scale: queries per page and response time under the development server.

Target (issue #2): with 100,000 enterprises and 300,000 memberships the first page of the
member list, with filters, runs a fixed number of queries independent of size and answers
with p95 < 200 ms under the development server.

Baseline, measured in the same process on the same data: the naive way to build the same
page — the whole filtered list loaded into Python and each row's tags and chambers fetched
one by one (N+1 queries), which is what an unoptimised ListView does.

    python benchmarks/bench_member_list.py --enterprises 100000        # full run
    python benchmarks/bench_member_list.py --enterprises 300 --requests 5   # smoke
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import _setup


def build_data(enterprises: int, memberships_per: int = 3) -> dict[str, int]:
    """Bulk-load a large city. Benchmark data only: it bypasses the actions (and the audit)."""
    from django.db import transaction
    from django.utils import timezone

    from qinglian.registry.choices import MembershipStatus, OrganisationKind
    from qinglian.registry.identifiers import name_initials, name_pinyin, synthesise_uscc
    from qinglian.registry.models import Membership, Organisation, Tag

    rng = random.Random(7)
    districts = ["330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112"]
    words = ["清风", "明德", "远航", "星河", "青松", "海纳", "恒信", "中和", "瑞丰", "云栖", "天目", "钱塘", "西溪", "良渚", "之江", "富春"]
    trades = [("65", "软件"), ("64", "网络"), ("51", "贸易"), ("47", "建设"), ("62", "餐饮"),
              ("39", "电子"), ("58", "物流"), ("72", "咨询")]
    now = timezone.now()
    with transaction.atomic():
        fed = Organisation.objects.create(kind=OrganisationKind.FEDERATION, name="杭州市工商业联合会",
                                          region="330100")
        chambers = [
            Organisation.objects.create(kind=OrganisationKind.CHAMBER, name=f"杭州市第{i + 1}商会",
                                        federation=fed, region="330100", chamber_kind="industry")
            for i in range(10)
        ]
        batch: list[Organisation] = []
        for n in range(enterprises):
            code, trade = rng.choice(trades)
            name = f"杭州{rng.choice(words)}{rng.choice(words)}{trade}有限公司{n}"
            region = rng.choice(districts)
            batch.append(Organisation(
                kind=OrganisationKind.ENTERPRISE, name=name, uscc=synthesise_uscc(region, n),
                federation=fed, region=region, industry=code, industry_section="I",
                ownership="private", size="small", name_initials=name_initials(name),
                name_pinyin=name_pinyin(name), created_at=now,
            ))
            if len(batch) == 5000:
                Organisation.objects.bulk_create(batch)
                batch = []
        Organisation.objects.bulk_create(batch)
        ids = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)
                   .values_list("pk", flat=True))
        tags = list(Tag.objects.values_list("code", flat=True))
        through = Organisation.tags.through
        links = [through(organisation_id=pk, tag_id=rng.choice(tags)) for pk in ids if pk % 4 == 0]
        through.objects.bulk_create(links, batch_size=5000)
        memberships: list[Membership] = []
        for pk in ids:
            for chamber in rng.sample(chambers, memberships_per):
                memberships.append(Membership(
                    member_id=pk, organisation=chamber, status=MembershipStatus.ADMITTED,
                    admitted_at=now, joined_on=now.date(),
                ))
            if len(memberships) >= 9000:
                Membership.objects.bulk_create(memberships)
                memberships = []
        Membership.objects.bulk_create(memberships)
    return {"federation": fed.pk, "chamber": chambers[0].pk}


def naive_first_page(chamber_id: int) -> int:
    """The unoptimised page, as a plain ListView would build it: a join + DISTINCT filter,
    Paginator's COUNT, then per-row lookups of tags, federation and memberships (N+1).
    Returns the number of queries run."""
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qinglian.registry.models import Organisation

    with CaptureQueriesContext(connection) as ctx:
        qs = (Organisation.objects.filter(kind="enterprise", memberships__organisation_id=chamber_id)
              .distinct().order_by("name_pinyin"))
        page = Paginator(qs, 20).get_page(1)
        for row in page.object_list:
            list(row.tags.all())
            str(row.federation)
            for membership in row.memberships.all():
                str(membership.organisation)
    return len(ctx.captured_queries)


def page_queries(client: object, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, QINGLIAN_HOME=str(home))
    proc = subprocess.Popen(
        [sys.executable, "-m", "qinglian.config.cli", "runserver", "--noreload", "--nothreading",
         f"127.0.0.1:{port}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("development server did not start")


def timed_get(url: str, cookie: str) -> float:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        assert response.status == 200
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    home = _setup.configure(args.database_url)

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    from qinglian.core.models import User
    from qinglian.registry.models import Membership, Organisation

    t0 = time.perf_counter()
    ids = build_data(args.enterprises)
    load_s = time.perf_counter() - t0
    n_ent = Organisation.objects.filter(kind="enterprise").count()
    n_mem = Membership.objects.count()
    user = User.objects.create_user("bench", password="bench-password-2026",
                                    role="federation_officer",
                                    organisation_id=ids["federation"])
    pages = {
        "第一页": "/organisations/?kind=enterprise",
        "按商会筛选": f"/organisations/?kind=enterprise&chamber={ids['chamber']}",
        "商会+行业+地区": f"/organisations/?kind=enterprise&chamber={ids['chamber']}&industry=65&region=330106",
        "拼音首字母搜索": "/organisations/?kind=enterprise&q=hzqf",
    }
    client = Client()
    client.force_login(user)
    print(f"数据规模：企业 {n_ent:,} 家，会员资格 {n_mem:,} 条（装载 {load_s:.1f} s）")
    print(f"{'页面':<16}{'查询数':>6}{'p50 ms':>10}{'p95 ms':>10}")

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    cookie = f"sessionid={session.session_key}"
    port = free_port()
    server = serve(home, port)
    worst_p95 = 0.0
    try:
        for label, url in pages.items():
            queries = page_queries(client, url)
            timed_get(f"http://127.0.0.1:{port}{url}", cookie)  # warm-up
            samples = sorted(timed_get(f"http://127.0.0.1:{port}{url}", cookie)
                             for _ in range(args.requests))
            p50 = statistics.median(samples)
            p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
            worst_p95 = max(worst_p95, p95)
            print(f"{label:<16}{queries:>6}{p50:>10.1f}{p95:>10.1f}")
    finally:
        server.terminate()
        server.wait(timeout=10)

    start = time.perf_counter()
    naive_queries = naive_first_page(ids["chamber"])
    naive_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    ours = page_queries(client, pages["按商会筛选"])
    ours_ms = (time.perf_counter() - start) * 1000
    print(f"基线（朴素 ListView：DISTINCT 连接过滤 + 逐行查询，不含模板渲染）：{naive_queries} 次查询，{naive_ms:.0f} ms")
    print(f"本实现（同一页面，进程内，含模板渲染）：{ours} 次查询，{ours_ms:.0f} ms；"
          f"查询数之比 {naive_queries / max(ours, 1):.1f}×，耗时之比 {naive_ms / max(ours_ms, 0.001):.2f}×")
    print(f"目标 p95 < 200 ms：{'达成' if worst_p95 < 200 else '未达成'}（最差 p95 {worst_p95:.1f} ms）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
