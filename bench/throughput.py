"""Throughput under real servers: gunicorn + the app vs gunicorn + the bare reference, loaded by wrk.

    .venv/bin/python -m bench.throughput --duration 20      # needs `wrk` (apt-get install -y wrk)

Both servers run with the same settings (default: 3 sync workers on 127.0.0.1). wrk keeps
16 connections busy for a fixed time, with the logged-in cookie of an intake clerk, on:
the app's scan lookup (GET /orders/?number=, the 302 is the answer, not followed), the
mix of MIX (scans, order pages and intakes through the counter form), and the bare
endpoint. Each measured run follows a warm-up run. The load generator shares the 2 cores.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import math
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench import pgload, report
from bench.context import Bench
from bench.gen_network import BENCH_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
# The mix: (name, weight, "METHOD path"); a POST sends the intake form (INTAKE_FORM). What the
# app cannot do yet goes to MIX_PENDING as (name, why) and shows in the table.
MIX: list[tuple[str, int, str]] = [("scan lookup", 6, "GET /orders/?number={number}"),
                                   ("order page", 3, "GET /orders/{number}"),
                                   ("intake", 1, "POST /intake/new")]
MIX_PENDING: list[tuple[str, str]] = []

LUA = r"""
local reqs = {}
for line in io.lines("%(paths)s") do
  local method, path = line:match("^(%%S+) (.+)$")
  reqs[#reqs + 1] = {method, path}
end
local cookie = "%(cookie)s"
local form = "%(form)s"
local starts, i, n = 0, 0, 0
setup = function(thread) thread:set("start", starts); starts = starts + 997 end
init = function(args) i = (tonumber(start) or 0) %% #reqs end
request = function()
  i = i %% #reqs + 1
  local r = reqs[i]
  if r[1] == "POST" then
    n = n + 1
    local body = form:gsub("__N__", tostring((tonumber(start) or 0) * 1000000 + n))
    return wrk.format("POST", r[2], {["Cookie"] = cookie,
                      ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
  end
  return wrk.format("GET", r[2], {["Cookie"] = cookie})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_by_process() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command, CPU seconds so far) of every process (Linux /proc; empty elsewhere)."""
    found: dict[int, tuple[int, str, float]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # gone meanwhile
        head, _, rest = stat.rpartition(")")
        fields = rest.split()
        found[int(entry)] = (int(fields[1]), head.partition("(")[2], (int(fields[11]) + int(fields[12])) / _TICK)
    return found


def _idle_seconds() -> float:
    """CPU seconds all cores have spent idle (or waiting for I/O) since boot."""
    try:
        values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return math.nan
    return (values[3] + values[4]) / _TICK


class CpuSplit:
    """Who used the CPU during a run: the server's processes (its master and workers), PostgreSQL's
    (every process named postgres: the backends serving the workers, and the server's own), the load
    generator (wrk: this process's children), anything else, and what stayed idle. Read from /proc
    before and after; on 2 cores it says whether a run was bound by the CPU and by whose."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.before = _cpu_by_process()
        self.idle = _idle_seconds()
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)

    def result(self) -> dict[str, float]:
        after, idle = _cpu_by_process(), _idle_seconds()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        split = {"server": 0.0, "database": 0.0, "other": 0.0}
        for pid, (ppid, command, seconds) in after.items():
            used = seconds - self.before.get(pid, (ppid, command, 0.0))[2]
            if pid == self.server_pid or ppid == self.server_pid:
                split["server"] += used
            elif command.startswith("postgres"):
                split["database"] += used
            else:
                split["other"] += used
        # wrk was started and reaped in between, so /proc never lists it: its CPU is this process's children's
        split["load"] = (children.ru_utime + children.ru_stime) - (self.children.ru_utime + self.children.ru_stime)
        split["idle"] = idle - self.idle
        return {k: round(v, 2) for k, v in split.items()}


def _cpu_cell(cpu: dict[str, float]) -> str:
    return " · ".join(f"{cpu[k]:.1f}" for k in ("server", "database", "load", "other", "idle"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn master serving `target` on a free port (stopped with SIGTERM)."""

    def __init__(self, target: str, env: dict[str, str], workers: int, worker_class: str, threads: int,
                 log: Path) -> None:
        self.port = free_port()
        cmd = [str(GUNICORN), "-w", str(workers), "-k", worker_class, "-b", f"127.0.0.1:{self.port}",
               "--log-level", "warning", "--graceful-timeout", "5"]
        if worker_class == "gthread":
            cmd += ["--threads", str(threads)]
        self.log = log.open("w")
        self.proc = subprocess.Popen([*cmd, target], cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn {target} exited; see {log}") from None
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn {target} did not start; see {log}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


def login_cookie(base: str, email: str) -> tuple[str, str]:
    """Log in through /login (CSRF and all), open the intake form; (Cookie header, form's CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": email, "password": BENCH_PASSWORD, "csrf_token": token}).encode()
    try:
        opener.open(f"{base}/login", data=form, timeout=30)
    except urllib.error.HTTPError as answer:  # the 302 after a good login arrives as an "error" here
        if answer.code != 302:
            raise
    if "sc_session" not in {c.name for c in jar}:
        raise RuntimeError("login did not set the session cookie")
    page = opener.open(f"{base}/intake/new", timeout=30).read().decode()  # the session keeps its token
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return "; ".join(f"{c.name}={c.value}" for c in jar), csrf


def intake_body(csrf: str, model_id: int) -> str:
    """The intake form, url-encoded; __N__ becomes a number unique to the request (token, serial)."""
    nonce = time.monotonic_ns() % 10**6
    return urllib.parse.urlencode({
        "csrf_token": csrf, "token": f"wrk{nonce}-__N__", "serial": f"W{nonce}X__N__", "model_id": model_id,
        "customer_name": "Нагрузочный Клиент", "customer_phone": "+79970000001", "customer_kind": "person",
        "fault": "Не включается", "order_type": "paid", "priority": "normal", "purchase_date": "2021-03-15",
        "seller": "DNS", "warranty": "auto"})


def wrk(url: str, paths: list[str], cookie: str, connections: int, seconds: int, workdir: Path,
        form: str = "") -> dict[str, Any]:
    """One wrk run of "METHOD path" lines; returns requests/s, latency percentiles (ms) and errors."""
    paths_file = workdir / f"paths-{time.monotonic_ns()}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = workdir / "bench.lua"
    script.write_text(LUA % {"paths": paths_file, "cookie": cookie.replace('"', ""), "form": form})
    out = subprocess.run(["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s",
                          "--timeout", "10s", "-s", str(script), url], capture_output=True, text=True, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON "))
    raw = json.loads(line.split(" ", 1)[1])
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "requests": raw["requests"],
            "p50": raw["p50"] / 1000, "p95": raw["p95"] / 1000, "p99": raw["p99"] / 1000, "max": raw["max"] / 1000,
            "errors": errors, "error_detail": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout")}}


def mix_paths(rng: random.Random, numbers: list[str], n: int = 5000) -> list[str]:
    """n requests drawn from MIX by weight, each about a random order number."""
    names = [p for _, _, p in MIX]
    weights = [w for _, w, _ in MIX]
    return [rng.choices(names, weights)[0].format(number=rng.choice(numbers)) for _ in range(n)]


def run(url: str, duration: int = 20, warmup: int = 5, connections: int = 16, workers: int = 3,
        worker_class: str = "sync", threads: int = 4, results_dir: Path | None = None) -> dict[str, Any]:
    before, after = pgload.upgrade_to_head(url)
    if before != after:
        print(f"(schema upgraded from {before} to {after}: migrations added since the data was generated)")
    machine = report.machine(url)
    data = report.data_info(url)
    data["schema_revision"] = after
    bench = Bench(url)
    rng = random.Random(7)
    numbers = bench.numbers
    _uid, email = bench.user("intake", bench.big_center)  # the counter: scans, order pages and intakes
    model_id = bench.rows("SELECT id FROM product_models ORDER BY id LIMIT 1")[0][0]
    bench.close()
    scans = [f"GET /orders/?number={n}" for n in numbers]
    workdir = Path(tempfile.mkdtemp(prefix="sc-throughput-"))
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    app_env = {**env, "DATABASE_URL": pgload.libpq_url(url), "SECRET_KEY": "bench-secret-key-not-for-production",
               "SECURE_COOKIES": "0", "SERVICECENTER_INSTANCE": str(workdir / "instance")}
    bare_env = {**env, "BENCH_DATABASE_URL": pgload.libpq_url(url)}
    runs: list[dict[str, Any]] = []
    app = Server("servicecenter.app:create_app()", app_env, workers, worker_class, threads, workdir / "app.log")
    bare = Server("bench.bare_app:app", bare_env, workers, worker_class, threads, workdir / "bare.log")
    try:
        cookie, csrf = login_cookie(app.base, email)
        plan = [("app scan lookup (authenticated)", app, scans, connections),
                ("bare scan lookup (reference b)", bare, scans, connections),
                ("app mix: " + ", ".join(f"{w}× {n}" for n, w, _ in MIX), app, mix_paths(rng, numbers), connections),
                ("app scan lookup, 1 connection", app, scans, 1),
                ("bare scan lookup, 1 connection", bare, scans, 1)]
        for name, server, paths, conns in plan:
            if warmup:
                wrk(server.base, paths, cookie, conns, warmup, workdir, intake_body(csrf, model_id))
            split = CpuSplit(server.proc.pid)
            measured = wrk(server.base, paths, cookie, conns, duration, workdir, intake_body(csrf, model_id))
            cpu = split.result()
            result = {"name": name, "connections": conns, "seconds": duration, **measured, "cpu_seconds": cpu,
                      "server_cpu_ms": cpu["server"] / measured["requests"] * 1000 if measured["requests"] else math.nan}
            runs.append(result)
            print(f"  {name:<48} {result['rps']:8.0f} req/s  p95 {result['p95']:.2f} ms  errors {result['errors']}  "
                  f"server CPU {result['server_cpu_ms']:.2f} ms/request  CPU s {cpu}", file=sys.stderr)
    finally:
        app.stop()
        bare.stop()
    machine["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    app_scan, bare_scan = runs[0], runs[1]
    verdict = {"throughput_ratio": app_scan["rps"] / bare_scan["rps"], "p95_ratio": app_scan["p95"] / bare_scan["p95"],
               "mix_rps": runs[2]["rps"], "errors": sum(r["errors"] for r in runs),
               "cpu_ratio": app_scan["server_cpu_ms"] / bare_scan["server_cpu_ms"] if bare_scan["server_cpu_ms"] else math.nan}
    md = [*report.header("Throughput (bench/throughput.py)", machine, data),
          f"gunicorn {workers} {worker_class} workers" + (f" × {threads} threads" if worker_class == "gthread" else "")
          + f" on 127.0.0.1; wrk, {duration} s per run after a {warmup} s warm-up; load generator on the same cores.",
          "", "| Run | Connections | Requests/s | p50 ms | p95 ms | p99 ms | Errors | Server CPU ms/request | "
          "CPU s: server · database · load · other · idle |", "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    md += [f"| {r['name']} | {r['connections']} | {r['rps']:,.0f} | {report.fmt(r['p50'])} | {report.fmt(r['p95'])} | "
           f"{report.fmt(r['p99'])} | {r['errors']} | {report.fmt(r['server_cpu_ms'])} | "
           f"{_cpu_cell(r['cpu_seconds'])} |" for r in runs]
    md += [f"| app mix with {name} | — | — | — | — | — | not yet implemented: {why} | | |" for name, why in MIX_PENDING]
    md += ["", f"- App scan vs bare: throughput {verdict['throughput_ratio']:.2f}× (target ≥ 0.5×), "
               f"p95 {verdict['p95_ratio']:.2f}× (target ≤ 2×).",
           f"- Mix: {verdict['mix_rps']:,.0f} requests/s (target ≥ 300) with {runs[2]['errors']} errors (target 0).",
           f"- CPU per request in the server's processes: app scan {report.fmt(app_scan['server_cpu_ms'])} ms, bare "
           f"{report.fmt(bare_scan['server_cpu_ms'])} ms ({verdict['cpu_ratio']:.2f}×); with every core busy (idle "
           f"near 0 in the CPU column) the throughput ratio is about the inverse of that."]
    payload = {"machine": machine, "data": data, "settings": {"duration": duration, "warmup": warmup,
               "connections": connections, "workers": workers, "worker_class": worker_class, "threads": threads},
               "runs": runs, "verdict": verdict}
    path = report.write("throughput", payload, md, results_dir)
    print("\n".join(md))
    print(f"\n(written: {path}; server logs in {workdir})")
    return payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", pgload.DEFAULT_URL))
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=4, help="per worker, with --worker-class gthread")
    parser.add_argument("--results-dir", type=Path)
    args = parser.parse_args(argv)
    run(args.database_url, args.duration, args.warmup, args.connections, args.workers, args.worker_class,
        args.threads, args.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
