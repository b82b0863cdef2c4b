"""Storefront requests/s under gunicorn, side by side with a bare Flask + Jinja page.

    .venv/bin/python bench/storefront_speed.py [--seconds 10] [--concurrency 8]
        [--workers 2] [--threads T] [--rounds 3] [--database-url URL] [--json out.json]

What it does, all in one run:

1. Prepares a database with the real CLI: ``haat db upgrade`` and ``haat demo`` (a fresh
   SQLite file in a temp dir by default; ``--database-url postgresql+psycopg://...``
   uses PostgreSQL and creates the database if it is missing).
2. Serves the real app, ``gunicorn wsgi:app``, with the project's ``gunicorn.conf.py``
   (so the same worker class, threads, keep-alive and timeouts as ``make run``), and the
   reference ``bench/bare_flask_page.py`` (one Jinja template, no database, sized to the
   real product page) with the same gunicorn settings. Overrides for both: bind address,
   ``--workers``, ``--threads``, no access log (``gunicorn.conf.py`` logs every request
   to stdout; the app itself logs no line per request) and ``max_requests = 0`` (no
   worker recycling in the middle of a measurement).
3. Checks that each page answers 200 ``text/html`` and prints its size, warms each page
   up, then measures requests/s interleaved (bare, product, collection, all; again for
   each round) so drift hits every target alike. Requests go to ``127.0.0.1`` with a
   ``Host: dhaka-crafts.localhost:<port>`` header (store routing by host).

Load comes from ``wrk`` if it is on the PATH, otherwise from a built-in generator
(threads, each with one keep-alive ``http.client`` connection that keeps the cookies
the server sets, like a shopper's browser; ``--no-cookies`` makes every request a first
visit, which costs the store a new session and CSRF token each time). Either way the client
shares the machine's CPUs with the servers, so the absolute numbers are low and the
ratio to the bare page is what matters.

Target: the product page serves at least 60% of the bare page's requests/s.

The servers, load generators, options, rounds and runner here are shared by the other
gunicorn benchmarks (``checkout_speed.py``, ``plugin_page.py``), which import them.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import re
import runpy
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent  # the venv's bin: haat, gunicorn
STORE = "dhaka-crafts"
PRODUCT = "nakshi-kantha-bedcover"  # from core/demo/catalogues/dhaka_crafts.py
COLLECTION = "nakshi-kantha"
TARGET_RATIO = 0.60

# Wraps the project's gunicorn.conf.py: everything as configured, minus the access log
# (``accesslog = None`` cannot be said on the command line).
CONFIG_WRAPPER = """\
exec(compile(open({conf!r}).read(), {conf!r}, "exec"))
accesslog = None
max_requests = 0
"""

# wrk reports no p95 on its own; this prints it (microseconds) when the run is done.
WRK_SCRIPT = """\
done = function(summary, latency, requests)
  io.write(string.format("BENCH p50=%d p95=%d p99=%d non2xx=%d errors=%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
"""


@dataclass
class Target:
    name: str
    port: int
    path: str
    host: str
    size: int = 0
    rounds: list[dict[str, float]] = field(default_factory=list)


class Abort(RuntimeError):
    """A clear message for the user; no traceback."""


# ------------------------------------------------------------------------- preparation


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([str(BIN / "haat"), *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise Abort(f"`haat {' '.join(args)}` failed ({done.returncode}):\n"
                    f"{done.stdout}{done.stderr}")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database at ``url`` if it is missing (SQLite needs nothing)."""
    if url.startswith(("postgres://", "postgresql")):
        from core.testing import ensure_postgres_database

        try:
            ensure_postgres_database(url)
        except Exception as error:
            raise Abort(f"cannot reach or create the PostgreSQL database {url}: {error}") \
                from error


def prepare_database(url: str, env: dict[str, str]) -> None:
    ensure_database(url)
    run_cli(["db", "upgrade"], env)
    run_cli(["demo", "--quiet"], env)


def gunicorn_settings(env: dict[str, str]) -> dict[str, Any]:
    """The project's gunicorn.conf.py as gunicorn will read it (for the printout)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def server_env(url: str, workdir: Path, *paths: Path, **settings: str) -> dict[str, str]:
    """The environment of the app's servers and CLI: the database ``url``, instance and
    media dirs under ``workdir``, stores at ``<slug>.localhost``, then ``settings``. The
    Python path starts with the code next to this script (even if the venv's editable
    install points elsewhere), then ``paths``."""
    pythonpath = [str(ROOT), *map(str, paths), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "DATABASE_URL": url, "HAAT_INSTANCE_DIR": str(workdir / "instance"),
            "HAAT_MEDIA_DIR": str(workdir / "instance" / "media"),
            "HAAT_PLATFORM_DOMAIN": "localhost", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, pythonpath)), **settings}


def write_server_files(workdir: Path) -> None:
    """gunicorn's config for ``Servers.start`` and wrk's report script, into ``workdir``."""
    (workdir / "gunicorn.bench.py").write_text(
        CONFIG_WRAPPER.format(conf=str(ROOT / "gunicorn.conf.py")))
    (workdir / "report.lua").write_text(WRK_SCRIPT)


# ---------------------------------------------------------------------------- servers


class Servers:
    """gunicorn processes, each in its own process group, all stopped on ``close``."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: list[tuple[str, subprocess.Popen[bytes], Path]] = []

    def start(self, name: str, app: str, port: int, args: argparse.Namespace,
              env: dict[str, str], chdir: Path = ROOT) -> None:
        log = self.workdir / f"{name}.log"
        command = [str(BIN / "gunicorn"), "--config", str(self.workdir / "gunicorn.bench.py"),
                   "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                   "--threads", str(args.threads), "--chdir", str(chdir), app]
        with log.open("wb") as out:
            proc = subprocess.Popen(command, cwd=chdir, env=env, stdout=out,  # noqa: S603
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc, log))

    def wait_ready(self, name: str, port: int, path: str, host: str) -> None:
        proc, log = next((p, lg) for n, p, lg in self.procs if n == name)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise Abort(f"{name} server exited ({proc.returncode}):\n{tail(log)}")
            try:
                fetch(port, path, host, timeout=5)
                return
            except OSError:
                time.sleep(0.2)
        raise Abort(f"{name} server did not answer within 60 s:\n{tail(log)}")

    def report_exited(self) -> None:
        """Say which servers died, with the end of their logs."""
        for name, proc, log in self.procs:
            if proc.poll() is not None:
                print(f"{name} server exited ({proc.returncode}):\n{tail(log)}",
                      file=sys.stderr)

    def close(self) -> None:
        for _name, proc, _log in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for _name, proc, _log in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def fetch(port: int, path: str, host: str, timeout: float = 10) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def check(target: Target) -> None:
    status, content_type, body = fetch(target.port, target.path, target.host)
    if status != 200 or not content_type.startswith("text/html"):
        raise Abort(f"{target.name}: GET http://{target.host}{target.path} answered {status} "
                    f"{content_type!r}, expected 200 text/html; not measuring.")
    target.size = len(body)


# ------------------------------------------------------------------------ load makers


def python_load(target: Target, concurrency: int, seconds: float | None = None,
                requests: int | None = None, cookies: bool = True) -> dict[str, float]:
    """Keep-alive GETs from ``concurrency`` threads for ``seconds`` (or ``requests``).

    With ``cookies`` each connection is one shopper browsing: it sends back the cookies
    the server set, as a browser does. Without, every request is a first visit."""
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0, "issued": 0}
    start = threading.Barrier(concurrency + 1)
    deadline = [math.inf]

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
        mine: list[float] = []
        errors = 0
        jar: dict[str, str] = {}
        start.wait()
        while time.perf_counter() < deadline[0]:
            if requests is not None:
                with lock:
                    if counts["issued"] >= requests:
                        break
                    counts["issued"] += 1
            began = time.perf_counter()
            headers = {"Host": target.host}
            if jar:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
            try:
                conn.request("GET", target.path, headers=headers)
                response = conn.getresponse()
                response.read()
                if cookies:
                    for line in response.msg.get_all("Set-Cookie") or ():
                        name, _, value = line.split(";", 1)[0].partition("=")
                        jar[name.strip()] = value.strip()
            except (OSError, http.client.HTTPException):
                conn.close()  # the next request() reconnects
                errors += 1
                continue
            if response.status == 200:
                mine.append(time.perf_counter() - began)
            else:
                errors += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["ok"] += len(mine)
            counts["errors"] += errors

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began, cpu = time.perf_counter(), time.process_time()
    if seconds is not None:
        deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    client_cpu = (time.process_time() - cpu) / elapsed
    latencies.sort()

    def percentile(p: float) -> float:
        if not latencies:
            return math.nan
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"rps": counts["ok"] / elapsed, "p50_ms": percentile(50),
            "p95_ms": percentile(95), "p99_ms": percentile(99),
            "requests": counts["ok"], "errors": counts["errors"], "client_cpu": client_cpu}


def wrk_load(wrk: str, script: Path, target: Target, concurrency: int,
             seconds: float) -> dict[str, float]:
    command = [wrk, f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s",
               "--latency", "-H", f"Host: {target.host}", "-s", str(script),
               f"http://127.0.0.1:{target.port}{target.path}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    rps = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    total = re.search(r"(\d+) requests in", done.stdout)
    mine = re.search(r"BENCH p50=(\d+) p95=(\d+) p99=(\d+) non2xx=(\d+) errors=(\d+)",
                     done.stdout)
    if done.returncode or not (rps and mine and total):
        raise Abort(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    p50, p95, p99, non2xx, errors = (int(v) for v in mine.groups())
    requests = int(total.group(1))
    ok_share = (requests - non2xx) / requests if requests else 0.0
    return {"rps": float(rps.group(1)) * ok_share, "p50_ms": p50 / 1000,
            "p95_ms": p95 / 1000, "p99_ms": p99 / 1000,
            "requests": requests - non2xx, "errors": non2xx + errors}


def load_generator(choice: str) -> str | None:
    """wrk's path for ``--load auto`` or ``wrk`` (``None``: the built-in Python client)."""
    wrk = shutil.which("wrk") if choice != "python" else None
    if choice == "wrk" and not wrk:
        raise Abort("--load wrk: wrk is not on the PATH")
    return wrk


def describe_load(args: argparse.Namespace, wrk: str | None, sharing: str) -> str:
    """The printout's line about the load generator; ``sharing``: what else runs here."""
    return (f"load: {'wrk' if wrk else 'built-in Python threads'}, {args.concurrency} "
            f"connections, {args.seconds:g} s x {args.rounds} rounds per target, "
            f"{os.cpu_count()} CPUs shared by client and {sharing}")


def warm_up(targets: list[Target], args: argparse.Namespace, cookies: bool = True) -> None:
    """Show each (checked) target's address and size, then send it ``--warmup`` requests."""
    for target in targets:
        print(f"  {target.name:<11} {target.host}{target.path}: 200 text/html, "
              f"{target.size} bytes")
        python_load(target, args.concurrency, requests=args.warmup, cookies=cookies)


def run_load(target: Target, args: argparse.Namespace, wrk: str | None, workdir: Path,
             cookies: bool = True) -> dict[str, float]:
    """One measurement of ``--seconds`` against ``target``, with wrk or the Python client."""
    if wrk:
        return wrk_load(wrk, workdir / "report.lua", target, args.concurrency, args.seconds)
    return python_load(target, args.concurrency, seconds=args.seconds, cookies=cookies)


def run_rounds(targets: list[Target], rounds: int,
               measure_one: Callable[[Target], tuple[dict[str, float], str]],
               alternate: bool = False) -> None:
    """Measure the targets in turn, round after round, so that drift hits each alike
    (with ``alternate`` every second round goes backwards). ``measure_one(target)``
    returns the result, kept in ``target.rounds``, and a detail for the progress line."""
    for number in range(1, rounds + 1):
        for target in targets[::-1] if alternate and number % 2 == 0 else targets:
            result, detail = measure_one(target)
            target.rounds.append(result)
            errors = f", {result['errors']:.0f} errors" if result["errors"] else ""
            print(f"  round {number} {target.name:<11} {result['rps']:8.0f} req/s"
                  f"{detail}{errors}", flush=True)


def median_of(target: Target, key: str) -> float:
    """The median of ``key`` over the target's rounds."""
    return statistics.median(r[key] for r in target.rounds)


def write_results(args: argparse.Namespace, database: str, wrk: str | None,
                  targets: list[Target], **results: Any) -> None:
    """With ``--json``: how the run was made, ``results`` and every target's rounds."""
    if not args.json:
        return
    args.json.write_text(json.dumps({
        "database": database, "load_generator": "wrk" if wrk else "python",
        "workers": args.workers, "threads": args.threads, "concurrency": args.concurrency,
        "seconds": args.seconds, "rounds": args.rounds, "cpus": os.cpu_count(), **results,
        "targets": [asdict(t) for t in targets]}, indent=2) + "\n")
    print(f"wrote {args.json}")


# ------------------------------------------------------------------------------- main


def add_load_arguments(parser: argparse.ArgumentParser, each: str = "") -> None:
    """The options of every gunicorn benchmark: timing, load, servers, database, output.
    ``each`` ends the help of the server options (`` (both)``)."""
    parser.add_argument("--seconds", type=float, default=10, help="per target per round")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections")
    parser.add_argument("--workers", type=int, default=2, help=f"gunicorn workers{each}")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("HAAT_THREADS", 2)),
                        help=f"threads per gthread worker{each}; default HAAT_THREADS or 2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=300, help="requests per target first")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--load", choices=("auto", "wrk", "python"), default="auto",
                        help="load generator; auto = wrk if on the PATH, else python")
    parser.add_argument("--json", type=Path, help="also write the results here")


def with_servers(prefix: str, measure: Callable[[Path, Servers], int]) -> int:
    """``measure(workdir, servers)`` in a new temp dir named ``prefix...``; afterwards,
    whatever happened, the servers are stopped (those that died are reported on a
    failure) and the dir is removed."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    servers = Servers(workdir)
    try:
        return measure(workdir, servers)
    except Exception:
        servers.report_exited()
        raise
    finally:
        servers.close()
        shutil.rmtree(workdir, ignore_errors=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_load_arguments(parser, each=" (both)")
    parser.add_argument("--product", default=PRODUCT, help="product handle")
    parser.add_argument("--collection", default=COLLECTION, help="collection handle")
    parser.add_argument("--no-cookies", action="store_true",
                        help="every request is a first visit (the Python client only; "
                             "by default each connection keeps its cookies like a browser)")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    wrk = load_generator(args.load)
    return with_servers("haat-storefront-bench-", partial(measure, args, wrk))


def measure(args: argparse.Namespace, wrk: str | None, workdir: Path,
            servers: Servers) -> int:
    url = args.database_url or f"sqlite:///{workdir / 'haat.db'}"
    env = server_env(url, workdir)
    settings = gunicorn_settings(env)
    write_server_files(workdir)
    database = url.split("@")[-1]
    print(f"database: {database}")
    print(f"gunicorn: {args.workers} workers x {args.threads} threads, worker class "
          f"{settings.get('worker_class', 'sync')}, keepalive {settings.get('keepalive', 2)} s, "
          f"access log off (gunicorn.conf.py logs every request), max_requests 0")
    print(describe_load(args, wrk, "servers"))
    if settings.get("worker_class", "sync") == "sync":
        print("warning: sync workers close every connection (no keep-alive)")

    started = time.perf_counter()
    prepare_database(url, env)
    print(f"prepared (haat db upgrade, haat demo) in {time.perf_counter() - started:.1f} s")

    haat_port = bare_port = free_port()
    while bare_port == haat_port:
        bare_port = free_port()
    store_host = f"{STORE}.localhost:{haat_port}"
    product = Target("product", haat_port, f"/products/{args.product}", store_host)
    servers.start("haat", "wsgi:app", haat_port, args, env)
    servers.wait_ready("haat", haat_port, "/healthz", f"localhost:{haat_port}")
    check(product)
    env["BARE_PAGE_BYTES"] = str(product.size)
    servers.start("bare", "bare_flask_page:app", bare_port, args, env, chdir=BENCH)
    servers.wait_ready("bare", bare_port, "/", f"localhost:{bare_port}")
    targets = [Target("bare", bare_port, "/", f"localhost:{bare_port}"), product,
               Target("collection", haat_port, f"/collections/{args.collection}", store_host),
               Target("all", haat_port, "/collections/all", store_host)]
    for target in targets:
        check(target)
    warm_up(targets, args, cookies=not args.no_cookies)

    def measure_one(target: Target) -> tuple[dict[str, float], str]:
        result = run_load(target, args, wrk, workdir, cookies=not args.no_cookies)
        return result, (f", client used {result['client_cpu']:.0%} of a CPU"
                        if "client_cpu" in result else "")

    run_rounds(targets, args.rounds, measure_one)
    summary = report(targets)
    write_results(args, database, wrk, targets,
                  worker_class=settings.get("worker_class", "sync"),
                  target_ratio=TARGET_RATIO, **summary)
    return 0


def report(targets: list[Target]) -> dict[str, Any]:
    base = median_of(targets[0], "rps")
    print()
    print(f"{'page':<11} {'path':<36} {'bytes':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'vs bare':>8}")
    ratios: dict[str, float] = {}
    for target in targets:
        rps = median_of(target, "rps")
        ratio = rps / base if base else math.nan
        if target is not targets[0]:
            ratios[f"{target.name}/bare"] = round(ratio, 3)
        print(f"{target.name:<11} {target.path[:36]:<36} {target.size:>7} {rps:>8.0f} "
              f"{median_of(target, 'p50_ms'):>7.1f} {median_of(target, 'p95_ms'):>7.1f} "
              f"{ratio:>7.0%}")
    verdict = "meets" if ratios["product/bare"] >= TARGET_RATIO else "BELOW"
    print(f"\nproduct/bare = {ratios['product/bare']:.2f}, collection/bare = "
          f"{ratios['collection/bare']:.2f} (req/s: median of rounds; latency: median of "
          f"the rounds' percentiles)")
    print(f"target product/bare >= {TARGET_RATIO:.2f}: {verdict} target")
    return {"ratios": ratios, "meets_target": verdict == "meets"}


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through main()'s finally: servers stop


def run_main(main: Callable[[], int], name: str) -> None:
    """Run a benchmark's ``main`` so that Ctrl-C, SIGTERM and SIGHUP stop its servers."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    sys.path.insert(0, str(ROOT))
    try:
        sys.exit(main())
    except Abort as error:
        sys.exit(f"{name}: {error}")
    except KeyboardInterrupt:
        sys.exit(f"{name}: interrupted; servers stopped")


if __name__ == "__main__":
    run_main(main, "storefront_speed")
