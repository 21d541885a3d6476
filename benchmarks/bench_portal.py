"""The public portal under a production server: credit profile and enterprise search.

Target (issue #4): with 100,000 enterprises and 1,000,000 credit records the portal's profile
page and search serve ≥ 500 requests/s with p99 ≤ 100 ms on this 2-core machine under a
production server (gunicorn, loopback load generator).

Data: ``_credit_data.build_credit_data`` (the same bulk data as the ratings benchmark). Server:
gunicorn, sync workers, on a free loopback port. Load: ``wrk`` with a Lua script rotating over
the URLs (random enterprises' profiles; a fixed list of searches by name, USCC and pinyin
initials); without wrk, a Python loopback generator. Each page is measured twice:

* 基线 / cold — the page cache switched off: every request queries the database and renders;
* warm — the page cache on (60 s, per worker) after one pass over every URL.

    python benchmarks/bench_portal.py                                         # full size
    python benchmarks/bench_portal.py --enterprises 300 --records 3000 --duration 1  # smoke
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import _setup

ROOT = Path(__file__).resolve().parents[1]
LUA = """
local paths = {}
for line in io.lines(os.getenv("PORTAL_URLS")) do paths[#paths + 1] = line end
local counter = 1
local n = 0
function setup(thread) n = n + 1; thread:set("offset", n * 7919) end
function init(args) counter = (offset or 1) % #paths end
function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(home: Path, port: int, workers: int, cache_seconds: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, QINGLIAN_HOME=str(home), QINGLIAN_DEBUG="0",
               QINGLIAN_PORTAL_CACHE_SECONDS=str(cache_seconds),
               QINGLIAN_PORTAL_SEARCH_RATE="0", QINGLIAN_LOG_LEVEL="WARNING",
               PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "qinglian.config.wsgi:application",
         "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--backlog", "512"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(ROOT),
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/portal/", timeout=2)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(base: str, paths: list[str], seconds: float, connections: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        urls, script = Path(tmp) / "urls.txt", Path(tmp) / "rotate.lua"
        urls.write_text("\n".join(paths) + "\n")
        script.write_text(LUA)
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
             "-s", str(script), base],
            env=dict(os.environ, PORTAL_URLS=str(urls)), capture_output=True, text=True,
            check=True, timeout=seconds + 60,
        ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # the latency distribution's own line (a "+/- Stdev" column can end in "99%" too)
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)$", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(bad.group(1)) if bad else 0
    failed += sum(int(g) for g in errors.groups()) if errors else 0
    return {"rps": rps, "p99": p99, "failed": failed}


def run_python(base: str, paths: list[str], seconds: float, connections: int) -> dict[str, float]:
    """Fallback load generator: ``connections`` threads, each GETting the next URL in turn."""
    latencies: list[float] = []
    failed = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        i, mine, bad = offset, [], 0
        while time.perf_counter() < deadline:
            i = (i + 1) % len(paths)
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(base + paths[i], timeout=30) as response:
                    response.read()
            except OSError:
                bad += 1
                continue
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)
            failed[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n * 7919,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("nan")
    return {"rps": len(latencies) / elapsed, "p99": p99, "failed": failed[0]}


def search_queries(rng: random.Random, usccs: list[str], names: list[str]) -> list[str]:
    """A fixed list: parts of names, exact USCCs (some in lower case) and pinyin initials."""
    from urllib.parse import quote

    from qinglian.registry.identifiers import name_initials

    parts = ["华信", "恒达科技", "博远", "天成智能", "金桥物流", "安泰医药", "宏图", "嘉禾食品",
             "东方数据", "立诚", "不存在的企业名称"]
    parts += [n[:4] for n in rng.sample(names, min(5, len(names)))]
    codes = rng.sample(usccs, min(10, len(usccs)))
    codes = [c.lower() if i % 3 == 0 else c for i, c in enumerate(codes)]
    initials = sorted({name_initials(n)[:k] for n in rng.sample(names, min(10, len(names)))
                       for k in (2, 4)})
    return [f"/portal/search/?q={quote(q)}" for q in (*parts, *codes, *initials)]


def page_queries(path: str) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = Client().get(path)
        assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profiles", type=int, default=1000, help="random profiles rotated")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    home = _setup.configure(args.database_url)

    from _credit_data import build_credit_data
    from qinglian.registry.models import Organisation

    t0 = time.perf_counter()
    stats = build_credit_data(enterprises=args.enterprises, records=args.records, seed=args.seed)
    load_s = time.perf_counter() - t0
    rng = random.Random(args.seed)
    ents = list(Organisation.objects.filter(kind="enterprise").values_list("uscc", "name"))
    usccs = [str(u) for u, _ in ents]
    profiles = [f"/portal/enterprises/{u}/" for u in
                rng.sample(usccs, min(args.profiles, len(usccs)))]
    searches = search_queries(rng, usccs, [n for _, n in ents])
    print(f"数据规模：企业 {stats['enterprises']:,} 家，信用记录 {stats['records']:,} 条"
          f"（公示中 {stats['records_by_fate'].get('public', 0):,} 条；装载 {load_s:.1f} s）")
    print(f"每页查询数（进程内，无缓存）：信用档案 {page_queries(profiles[0])}，"
          f"名称搜索 {page_queries(searches[0])}，代码搜索 {page_queries(searches[-1])}")

    use_wrk = shutil.which("wrk") is not None and not args.python_load
    load = run_wrk if use_wrk else run_python
    print(f"机器负载（1 分钟平均）：{os.getloadavg()[0]:.1f}，CPU {os.cpu_count()} 核")
    print(f"服务器：gunicorn {args.workers} 个 sync worker；负载：{'wrk' if use_wrk else 'Python 回环生成器'}，"
          f"{args.connections} 个连接，每项 {args.duration:g} s")
    print(f"{'页面':<10}{'模式':<26}{'请求/秒':>10}{'p99 ms':>10}{'失败':>6}")
    results: dict[tuple[str, str], dict[str, float]] = {}
    for mode, seconds in (("cold", 0), ("warm", 60)):
        port = free_port()
        server = serve(home, port, args.workers, seconds)
        base = f"http://127.0.0.1:{port}"
        try:
            for label, paths in (("信用档案", profiles), ("企业搜索", searches)):
                # cold: the workers' imports, templates and connections warmed on other URLs;
                # warm: two passes per worker fill every worker's page cache
                warm_up = (paths * args.workers * 2 if mode == "warm"
                           else [f"/portal/search/?q=w{n}" for n in range(args.workers * 10)])
                for p in warm_up:
                    urllib.request.urlopen(base + p, timeout=30).read()
                result = load(base, paths, args.duration, args.connections)
                results[(label, mode)] = result
                name = "基线：无页面缓存（冷）" if mode == "cold" else "页面缓存 60 s（热）"
                print(f"{label:<10}{name:<24}{result['rps']:>10.0f}{result['p99']:>10.1f}"
                      f"{int(result['failed']):>6}")
        finally:
            stop(server)
    ok = all(r["rps"] >= 500 and r["p99"] <= 100 and not r["failed"]
             for (_, mode), r in results.items() if mode == "warm")
    cold_ok = all(r["rps"] >= 500 and r["p99"] <= 100
                  for (_, mode), r in results.items() if mode == "cold")
    print(f"目标 ≥ 500 请求/秒且 p99 ≤ 100 ms：热缓存{'达成' if ok else '未达成'}；"
          f"冷（无缓存）{'达成' if cold_ok else '未达成'}")
    speedups = [results[(label, "warm")]["rps"] / max(results[(label, "cold")]["rps"], 0.001)
                for label in ("信用档案", "企业搜索")]
    print(f"页面缓存相对基线的吞吐倍数：信用档案 {speedups[0]:.1f}×，企业搜索 {speedups[1]:.1f}×"
          f"（中位 {statistics.median(speedups):.1f}×）")
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
