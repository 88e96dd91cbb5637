#!/usr/bin/env python3
"""A minimal local AWS Lambda Runtime API, to time cold starts. Used by scripts/bench.

Python 3.11, standard library only.

    runtime_api.py run    --bin NAME=PATH ... [--runs N] [--warmup W] [event options]
                          --logs DIR --out timings.json
    runtime_api.py report --timings timings.json --size NAME=PATH ... [--baseline NAME]
                          --out results.json

`run` serves the Runtime API on 127.0.0.1 (a fresh port per run), spawns the binary
the way Lambda does (a Lambda-like environment: AWS_LAMBDA_RUNTIME_API, the AWS_LAMBDA_*
variables, and only the caller's variables named by --pass-env), and for each cold start
measures:

  init            process spawn -> its first GET /2018-06-01/runtime/invocation/next
  init CPU        what it ran on a CPU until then, all threads (/proc/PID/task/*/schedstat),
                  with its run-queue wait: figures other load disturbs less
  first response  event delivered -> POST /2018-06-01/runtime/invocation/{id}/response
  peak RSS        VmHWM of /proc/PID/status, read once the runtime has asked for its
                  second event (the first one fully handled), just before the kill;
                  ru_maxrss from wait4() is kept as a cross-check

The event is one API Gateway HTTP API (payload format 2.0) request, built here. The
response's statusCode is checked: anything but the expected status, an error POST, an
init error, a crash or a timeout is a harness error (exit 2, with the tail of the
function's log), never a figure. Binaries are measured interleaved (round-robin, the
order alternating each round) so that a change in the machine's load affects each alike.

`report` prints the table and the verdicts (size < limit; init <= ratio x baseline, by
the ratio of the medians and by that of the minimums, both) and
writes the combined results as JSON. A target that fails is a finding, not an error:
`report` exits 0 unless its inputs are broken.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

NEXT = "/2018-06-01/runtime/invocation/next"
INVOCATION = "/2018-06-01/runtime/invocation/"
INIT_ERROR = "/2018-06-01/runtime/init/error"
ACCOUNT = "123456789012"


class HarnessError(Exception):
    def __init__(self, message: str, log: Path | None = None):
        super().__init__(message)
        self.log = log


# ------------------------------------------------------------------------ the event


def api_gateway_v2_event(method: str, path: str, route_key: str, path_params: dict[str, str],
                         headers: dict[str, str], region: str, body: str | None = None) -> dict:
    """An API Gateway HTTP API request, payload format 2.0, as Lambda receives it."""
    now = time.time()
    event = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "benchapi01",
            "domainName": "benchapi01.execute-api.%s.amazonaws.com" % region,
            "domainPrefix": "benchapi01",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.10",
                "userAgent": headers.get("user-agent", "baladiya-bench"),
            },
            "requestId": "bench-" + uuid.uuid4().hex[:12],
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "pathParameters": path_params,
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = body
    return event


# ------------------------------------------------------------------ the Runtime API


class Invocation:
    """The state of one cold start and the warm invocations after it, shared by the
    server's threads and the driver."""

    def __init__(self, events: list[bytes], function_name: str, region: str):
        self.events = events
        self.request_ids = [str(uuid.uuid4()) for _ in events]
        self.arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{function_name}"
        self.cond = threading.Condition()
        self.closing = threading.Event()
        self.pid: int | None = None
        self.pid_known = threading.Event()  # Popen may return after the child's first request
        self.next_ns: list[int] = []      # arrival of each GET .../next
        self.init_sched: tuple[int, int] | None = None  # (on-CPU ns, run-queue wait ns) at the first
        self.event_sent_ns: list[int | None] = [None] * len(events)
        self.response_ns: list[int | None] = [None] * len(events)
        self.response_body: list[bytes | None] = [None] * len(events)
        self.failure: str | None = None   # an error POST, an init error, an unknown call

    def fail(self, what: str) -> None:
        with self.cond:
            if self.failure is None:
                self.failure = what
            self.cond.notify_all()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bench-runtime-api"
    inv: Invocation  # set on the per-run subclass

    def log_message(self, format, *args):  # noqa: A002 — quiet
        pass

    def parse_request(self):
        # The request line has just been read: time it before the headers are parsed.
        self.arrived_ns = time.perf_counter_ns()
        return super().parse_request()

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        inv = self.inv
        if self.path != NEXT:
            inv.fail(f"unexpected GET {self.path}")
            return self._reply(404, b'{"errorMessage":"not found"}')
        first = not inv.next_ns
        # The process is blocked on this request: what it has run so far is its init.
        sched = schedstat(inv.pid) if first and inv.pid_known.wait(5) and inv.pid else None
        with inv.cond:
            index = len(inv.next_ns)
            inv.next_ns.append(self.arrived_ns)
            if first:
                inv.init_sched = sched
            inv.cond.notify_all()
        if index >= len(inv.events):
            # Lambda would freeze the process here; the driver reads its memory and kills it.
            inv.closing.wait(120)
            self.close_connection = True
            return
        deadline_ms = int(time.time() * 1000) + 30_000
        headers = {
            "Lambda-Runtime-Aws-Request-Id": inv.request_ids[index],
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": inv.arn,
            "Lambda-Runtime-Trace-Id": "Root=1-%08x-%s;Parent=%s;Sampled=0"
            % (int(time.time()), uuid.uuid4().hex[:24], uuid.uuid4().hex[:16]),
        }
        with inv.cond:
            # Set before the write: the response cannot be timed against a later instant.
            inv.event_sent_ns[index] = time.perf_counter_ns()
        self._reply(200, inv.events[index], headers)

    def do_POST(self):
        inv = self.inv
        arrived = self.arrived_ns
        body = self._body()
        responses = {f"{INVOCATION}{rid}/response": i for i, rid in enumerate(inv.request_ids)}
        errors = {f"{INVOCATION}{rid}/error" for rid in inv.request_ids}
        if self.path in responses:
            i = responses[self.path]
            self._reply(202, b'{"status":"OK"}')
            with inv.cond:
                if inv.response_ns[i] is None:
                    inv.response_ns[i] = arrived
                    inv.response_body[i] = body
                inv.cond.notify_all()
        elif self.path in errors:
            self._reply(202, b'{"status":"OK"}')
            inv.fail("the function posted an invocation error: " + body[:2000].decode(errors="replace"))
        elif self.path == INIT_ERROR:
            self._reply(202, b'{"status":"OK"}')
            inv.fail("the function posted an init error: " + body[:2000].decode(errors="replace"))
        else:
            self._reply(404, b'{"errorMessage":"not found"}')
            inv.fail(f"unexpected POST {self.path}")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


# ------------------------------------------------------------------------ one run


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError as e:
        return f"(no log: {e})"
    return "\n".join(text[-lines:]) or "(empty log)"


def vm_hwm_kib(pid: int | str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def kill_group(pid: int) -> None:
    """The function and anything it started (it leads its own session)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def schedstat(pid: int) -> tuple[int, int] | None:
    """(time on a CPU, time waiting for one) in ns, summed over the process's threads."""
    run = wait = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                fields = f.read().split()
            run += int(fields[0])
            wait += int(fields[1])
    except (OSError, ValueError, IndexError):
        return None
    return run, wait


def lambda_environment(name: str, port: int, task: str, region: str, passed: dict[str, str]) -> dict[str, str]:
    """What a provided.al2023 function sees: Lambda's own variables, the function's
    configuration (passed), nothing else of the caller's shell (no RUST_LOG, no
    SSL_CERT_DIR...)."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": task,
        "LAMBDA_RUNTIME_DIR": task,
        "_HANDLER": "bootstrap",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    }
    env.update(passed)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_STREAM_NAME": time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex,
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
    })
    return env


def ddb_calls_logged(log_path: Path) -> list[int]:
    """The `ddb_calls` of each request line the function logged, in order (an SDK
    interceptor counts the DynamoDB calls of each request)."""
    calls = []
    for line in log_path.read_text(errors="replace").splitlines():
        i = line.find("{")
        if i < 0 or '"ddb_calls"' not in line:
            continue
        try:
            rec = json.loads(line[i:])
        except ValueError:
            continue
        fields = rec.get("fields", rec)
        if "ddb_calls" in fields:
            calls.append(int(fields["ddb_calls"]))
    return calls


def measure_once(name: str, binary: Path, events: list[bytes], expect_status: int, log_path: Path,
                 region: str, init_timeout: float, response_timeout: float, passed: dict[str, str]) -> dict:
    inv = Invocation(events, name, region)
    handler = type("RunHandler", (Handler,), {"inv": inv})
    server = Server(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    serving.start()
    proc = None
    reaped = False
    try:
        with open(log_path, "wb") as log, tempfile.TemporaryDirectory(prefix="bench-task-") as task:
            env = lambda_environment(name, port, task, region, passed)
            # A child's ru_maxrss starts at the peak of the process it was forked from
            # (Linux carries the old mm's high-water mark across exec): ours.
            harness_hwm = vm_hwm_kib("self")
            start_ns = time.perf_counter_ns()
            try:
                proc = subprocess.Popen([str(binary)], env=env, cwd=task, stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            except OSError as e:
                raise HarnessError(f"{name}: cannot start {binary}: {e}") from None
            inv.pid = proc.pid
            inv.pid_known.set()

            def wait_for(what: str, ready, timeout: float) -> None:
                limit = time.monotonic() + timeout
                with inv.cond:
                    while True:
                        if inv.failure:
                            raise HarnessError(f"{name}: {inv.failure}", log_path)
                        if ready():
                            return
                        if proc.poll() is not None:
                            raise HarnessError(f"{name}: exited with status {proc.returncode} "
                                               f"while waiting for {what}", log_path)
                        left = limit - time.monotonic()
                        if left <= 0:
                            raise HarnessError(f"{name}: no {what} within {timeout:g} s", log_path)
                        inv.cond.wait(min(left, 0.05))

            wait_for("request for work (GET .../invocation/next)", lambda: bool(inv.next_ns), init_timeout)
            for i in range(len(events)):
                wait_for(f"response {i + 1}", lambda i=i: inv.response_ns[i] is not None, response_timeout)
            # The last response is in; the runtime asking for its next event shows the
            # invocation is over (nothing of it still running when memory is read).
            wait_for("request for work after the last response",
                     lambda: len(inv.next_ns) >= len(events) + 1, 10)

            hwm = vm_hwm_kib(proc.pid)
            kill_group(proc.pid)
            _, _, usage = os.wait4(proc.pid, 0)
            reaped = True
            proc.returncode = -signal.SIGKILL
            if hwm is None:
                raise HarnessError(f"{name}: could not read VmHWM of pid {proc.pid}", log_path)

        for i, body in enumerate(inv.response_body):
            body = body or b""
            try:
                answer = json.loads(body)
                status_code = answer["statusCode"]
            except (ValueError, KeyError, TypeError):
                raise HarnessError(f"{name}: response {i + 1} is not an API Gateway v2 response: "
                                   f"{body[:500]!r}", log_path) from None
            if status_code != expect_status:
                raise HarnessError(f"{name}: response {i + 1} has status {status_code}, expected "
                                   f"{expect_status}; body: {str(answer.get('body'))[:500]}", log_path)
        body = inv.response_body[0] or b""
        ddb = ddb_calls_logged(log_path)
        return {
            # DynamoDB calls of the cold request, then of each warm one (empty for a
            # binary that logs none, the hello world).
            "ddb_calls": ddb,
            "warm_response_ms": [(inv.response_ns[i] - inv.event_sent_ns[i]) / 1e6
                                 for i in range(1, len(events))],
            "init_ms": (inv.next_ns[0] - start_ns) / 1e6,
            # None when /proc/PID/task/*/schedstat could not be read.
            "init_cpu_ms": inv.init_sched[0] / 1e6 if inv.init_sched else None,
            "init_runqueue_wait_ms": inv.init_sched[1] / 1e6 if inv.init_sched else None,
            "first_response_ms": (inv.response_ns[0] - inv.event_sent_ns[0]) / 1e6,
            "vm_hwm_kib": hwm,
            "ru_maxrss_kib": usage.ru_maxrss,
            "harness_vm_hwm_kib": harness_hwm,
            "status": status_code,
            "response_bytes": len(body),
        }
    finally:
        if proc is not None and not reaped:
            kill_group(proc.pid)  # also whatever it left behind if it exited
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        inv.closing.set()
        server.shutdown()
        server.server_close()


def summarize(runs: list[dict]) -> dict:
    init = [r["init_ms"] for r in runs]
    first = [r["first_response_ms"] for r in runs]
    hwm = [r["vm_hwm_kib"] for r in runs]
    maxrss = [r["ru_maxrss_kib"] for r in runs]
    cpu = [r["init_cpu_ms"] for r in runs if r["init_cpu_ms"] is not None]
    rq = [r["init_runqueue_wait_ms"] for r in runs if r["init_runqueue_wait_ms"] is not None]
    cold_ddb = [r["ddb_calls"][0] for r in runs if r["ddb_calls"]]
    warm_ddb = [c for r in runs for c in r["ddb_calls"][1:]]
    return {
        "runs": len(runs),
        "ddb_calls_cold_median": statistics.median(cold_ddb) if cold_ddb else None,
        "ddb_calls_warm_median": statistics.median(warm_ddb) if warm_ddb else None,
        "ddb_calls_warm_max": max(warm_ddb) if warm_ddb else None,
        "warm_requests": sum(len(r["warm_response_ms"]) for r in runs),
        "init_cpu_ms_median": statistics.median(cpu) if cpu else None,
        "init_runqueue_wait_ms_median": statistics.median(rq) if rq else None,
        "init_ms_median": statistics.median(init),
        "init_ms_min": min(init),
        "init_ms_max": max(init),
        "first_response_ms_median": statistics.median(first),
        "first_response_ms_min": min(first),
        "peak_rss_mb_median": statistics.median(hwm) * 1024 / 1e6,
        "ru_maxrss_mb_median": statistics.median(maxrss) * 1024 / 1e6,
        "harness_peak_rss_mb": max(r["harness_vm_hwm_kib"] or 0 for r in runs) * 1024 / 1e6,
        # ru_maxrss can never be below VmHWM (it is the max over the process's life).
        "ru_maxrss_consistent": all(r["ru_maxrss_kib"] >= r["vm_hwm_kib"] * 0.99 for r in runs),
    }


def build_processes() -> int:
    """Compilers and build tools running now: other work competing for the CPUs."""
    busy = 0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            comm = (d / "comm").read_text().strip()
        except OSError:
            continue
        if comm in ("rustc", "cargo", "cc", "cc1", "ld", "ld.lld", "lld", "zig", "cargo-clippy", "clippy-driver"):
            busy += 1
    return busy


def cmd_run(a: argparse.Namespace) -> int:
    bins: list[tuple[str, Path]] = []
    for spec in a.bin:
        name, _, path = spec.partition("=")
        p = Path(path)
        if not name or not p.is_file() or not os.access(p, os.X_OK):
            raise HarnessError(f"--bin {spec}: not NAME=EXECUTABLE")
        bins.append((name, p.resolve()))
    params = dict(kv.split("=", 1) for kv in a.path_param)
    headers = {"accept": "application/json", "accept-language": a.accept_language,
               "host": "benchapi01.execute-api.%s.amazonaws.com" % a.region, "user-agent": "baladiya-bench"}
    for kv in a.header:
        k, _, v = kv.partition("=")
        headers[k.lower()] = v
    # Each request of the measured function may act as another person: one
    # Authorization value per request, in order (taking a ticket twice is refused).
    auth = [t.strip() for t in Path(a.auth_file).read_text().splitlines() if t.strip()] if a.auth_file else []
    per_run = 1 + a.warm
    if a.auth_file and len(auth) < per_run * (a.warmup + a.runs):
        raise HarnessError(f"--auth-file {a.auth_file}: {len(auth)} tokens, "
                           f"{per_run * (a.warmup + a.runs)} requests to make")

    def events_for(baseline: bool) -> list[bytes]:
        out = []
        for _ in range(per_run):
            h = dict(headers)
            if auth and not baseline:
                h["authorization"] = "Bearer " + auth.pop(0)
            out.append(json.dumps(api_gateway_v2_event(a.method, a.path, a.route_key, params, h,
                                                       a.region, a.body)).encode())
        return out
    passed = {}
    for k in a.pass_env:
        if k not in os.environ:
            raise HarnessError(f"--pass-env {k}: not set")
        passed[k] = os.environ[k]
    logs = Path(a.logs)
    logs.mkdir(parents=True, exist_ok=True)

    load_before = os.getloadavg()
    busy_seen = build_processes()
    results: dict[str, list[dict]] = {name: [] for name, _ in bins}
    total = a.warmup + a.runs
    for round_no in range(total):
        order = bins if round_no % 2 == 0 else list(reversed(bins))
        busy_seen = max(busy_seen, build_processes())
        for name, path in order:
            counted = round_no >= a.warmup
            log_path = logs / f"{name}-{round_no}.log"
            # The baseline hello world answers 200 to anything.
            expected = 200 if name == a.baseline else a.expect_status
            r = measure_once(name, path, events_for(name == a.baseline), expected, log_path, a.region,
                             a.init_timeout, a.response_timeout, passed)
            if counted:
                results[name].append(r)
            print(f"  {name:<24} {'run ' + str(round_no - a.warmup + 1) if counted else 'warm-up':<8} "
                  f"init {r['init_ms']:8.2f} ms   first response {r['first_response_ms']:8.2f} ms   "
                  f"VmHWM {r['vm_hwm_kib'] / 1024:6.1f} MiB", file=sys.stderr, flush=True)
    out = {
        "event": {"method": a.method, "path": a.path, "routeKey": a.route_key, "pathParameters": params},
        "warm_requests_per_run": a.warm,
        "expect_status": a.expect_status,
        "passed_env": sorted(passed),
        "warmup_runs": a.warmup,
        "timed_arch": os.uname().machine,
        "machine": {"cpus": os.cpu_count(), "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
                    "build_processes_seen": max(busy_seen, build_processes())},
        "binaries": {name: {"path": str(path), "summary": summarize(results[name]), "runs": results[name]}
                     for name, path in bins},
    }
    Path(a.out).write_text(json.dumps(out, indent=2) + "\n")
    return 0


# ------------------------------------------------------------------------- report


ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64", 0x03: "x86", 0x28: "arm"}


def elf_arch(path: Path) -> str:
    head = path.read_bytes()[:20]
    if head[:4] != b"\x7fELF":
        raise HarnessError(f"{path}: not an ELF binary")
    little = head[5] == 1
    machine = int.from_bytes(head[18:20], "little" if little else "big")
    return ELF_MACHINES.get(machine, f"elf-machine-{machine:#x}")


def cmd_report(a: argparse.Namespace) -> int:
    timings = json.loads(Path(a.timings).read_text())
    sizes = {}
    for spec in a.size:
        name, _, path = spec.partition("=")
        p = Path(path)
        if not p.is_file():
            raise HarnessError(f"--size {spec}: no such file")
        sizes[name] = {"path": str(p), "bytes": p.stat().st_size, "arch": elf_arch(p)}
    native = {}
    for name, b in timings["binaries"].items():
        p = Path(b["path"])
        native[name] = {"bytes": p.stat().st_size, "arch": elf_arch(p)} if p.is_file() else None
    names = list(timings["binaries"])
    if a.baseline not in timings["binaries"]:
        raise HarnessError(f"baseline {a.baseline} was not measured")
    missing = [n for n in names if n not in sizes]
    if missing:
        raise HarnessError(f"no size for {', '.join(missing)}")
    base = timings["binaries"][a.baseline]["summary"]
    limit_bytes = a.size_limit_mb * 1_000_000

    rows = []
    header = ("binary", "size arch", "size MB", "timed arch", "init med ms", "init min ms",
              "init CPU med ms", "1st resp med ms", "peak RSS med MB", "DDB calls cold", "DDB calls warm")

    def calls(x):
        return "-" if x is None else f"{x:g}"

    for n in names:
        s = timings["binaries"][n]["summary"]
        cpu = "n/a" if s.get("init_cpu_ms_median") is None else f"{s['init_cpu_ms_median']:.2f}"
        warm = calls(s.get("ddb_calls_warm_median"))
        if s.get("ddb_calls_warm_max") is not None:
            warm += f" (max {s['ddb_calls_warm_max']:g})"
        rows.append((n, sizes[n]["arch"], f"{sizes[n]['bytes'] / 1e6:.2f}", timings["timed_arch"],
                     f"{s['init_ms_median']:.2f}", f"{s['init_ms_min']:.2f}", cpu,
                     f"{s['first_response_ms_median']:.2f}", f"{s['peak_rss_mb_median']:.2f}",
                     calls(s.get("ddb_calls_cold_median")), warm))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    print()
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    print()

    def ratio(x, y):
        return x / y if x is not None and y else None

    verdicts = {}
    for n in names:
        if n == a.baseline:
            continue
        s = timings["binaries"][n]["summary"]
        size = sizes[n]["bytes"]
        # Interference only ever adds time, and adds the most, relatively, to the short
        # baseline: a noisy baseline run can make the ratio of medians pass by luck. So
        # the ratio of the minimums (the least disturbed runs) must pass too.
        r_med = ratio(s["init_ms_median"], base["init_ms_median"])
        r_min = ratio(s["init_ms_min"], base["init_ms_min"])
        r_cpu = ratio(s.get("init_cpu_ms_median"), base.get("init_cpu_ms_median"))
        size_ok = size < limit_bytes
        init_ok = r_med is not None and r_min is not None and r_med <= a.init_ratio and r_min <= a.init_ratio
        verdicts[n] = {"size_pass": size_ok, "size_mb": size / 1e6, "size_arch": sizes[n]["arch"],
                       "init_pass": init_ok, "init_ratio": r_med, "init_ratio_of_minimums": r_min,
                       "init_cpu_ratio": r_cpu}
        print(f"{n}: size < {a.size_limit_mb:g} MB: {'PASS' if size_ok else 'FAIL'} "
              f"({size / 1e6:.2f} MB, {sizes[n]['arch']})")
        cpu_note = "" if r_cpu is None else f", of CPU time {r_cpu:.2f}"
        print(f"{n}: init <= {a.init_ratio:g}x hello-world: {'PASS' if init_ok else 'FAIL'} "
              f"(ratio {r_med:.2f}; of minimums {r_min:.2f}{cpu_note})")
        if a.ddb_limit is not None:
            worst = s.get("ddb_calls_warm_max")
            ddb_ok = worst is not None and worst <= a.ddb_limit
            verdicts[n]["ddb_pass"] = ddb_ok
            print(f"{n}: DynamoDB calls per warm request <= {a.ddb_limit}: {'PASS' if ddb_ok else 'FAIL'} "
                  f"(max {calls(worst)} over {s.get('warm_requests', 0)} warm requests)")
    print()
    n_runs = timings["binaries"][a.baseline]["summary"]["runs"]
    m = timings["machine"]
    print(f"MB = 10^6 bytes. Sizes: release builds for {', '.join(sorted({v['arch'] for v in sizes.values()}))}"
          f" (cargo lambda build). Timings and memory: native {timings['timed_arch']} release builds, "
          f"{n_runs} cold starts each after {timings['warmup_runs']} warm-up, interleaved; "
          f"event {timings['event']['method']} {timings['event']['path']}.")
    print(f"Init ratio: of medians, and of minimums, both must be <= {a.init_ratio:g}; init CPU is the "
          f"time the process ran on a CPU before asking for work (/proc schedstat), less sensitive to "
          f"other load.")
    print("DynamoDB calls: per request, counted by the functions' SDK interceptor and read from their log; "
          "cold = the first request of a new process (nothing cached yet), warm = the requests the same "
          f"process served after it ({timings.get('warm_requests_per_run', 0)} per run).")
    rq = [timings["binaries"][n]["summary"].get("init_runqueue_wait_ms_median") for n in names]
    if any(x is not None and x > 0.5 for x in rq):
        print("NOTE: the functions waited for a CPU during init (median run-queue wait: "
              + ", ".join(f"{n} {x:.2f} ms" for n, x in zip(names, rq) if x is not None)
              + "): the machine was busy; wall-clock init times are inflated.")
    print("Native sizes: " + ", ".join(
        f"{n} {native[n]['bytes'] / 1e6:.2f} MB ({native[n]['arch']})" for n in names if native[n]) + ".")
    summ = {n: timings["binaries"][n]["summary"] for n in names}
    print("Peak RSS is VmHWM. Cross-check, ru_maxrss from wait4 (medians): "
          + ", ".join(f"{n} {summ[n]['ru_maxrss_mb_median']:.2f} MB" for n in names)
          + f"; it is never below VmHWM and is floored at the harness's own peak "
            f"(about {max(s['harness_peak_rss_mb'] for s in summ.values()):.2f} MB), which a child inherits "
            f"through fork/exec, so it confirms only figures above that.")
    if not all(s["ru_maxrss_consistent"] for s in summ.values()):
        print("WARNING: ru_maxrss was below VmHWM in some run: the memory figures are suspect.")
    if a.note:
        for note in a.note:
            print(f"NOTE: {note}")
    load = " / ".join(f"{x:.2f}" for x in m["loadavg_after"])
    if m["build_processes_seen"]:
        print(f"NOTE: other builds were running while timing (up to {m['build_processes_seen']} compiler "
              f"processes seen; load average {load} on {m['cpus']} CPUs): absolute times are noisy; the "
              f"ratio, from interleaved runs, less so.")
    else:
        print(f"Load average after timing: {load} on {m['cpus']} CPUs; no other build seen while timing.")

    results = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "targets": {"size_limit_mb": a.size_limit_mb, "init_ratio_max": a.init_ratio, "baseline": a.baseline},
        "notes": a.note or [],
        "sizes": sizes,
        "native_sizes": native,
        "timings": timings,
        "verdicts": verdicts,
    }
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {a.out}")
    return 0


# --------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("run", help="time cold starts against the local Runtime API")
    r.add_argument("--bin", action="append", required=True, metavar="NAME=PATH")
    r.add_argument("--runs", type=int, default=9)
    r.add_argument("--warmup", type=int, default=1)
    r.add_argument("--method", default="GET")
    r.add_argument("--path", required=True)
    r.add_argument("--route-key", required=True)
    r.add_argument("--path-param", action="append", default=[], metavar="K=V")
    r.add_argument("--accept-language", default="fr")
    r.add_argument("--region", default=os.environ.get("AWS_REGION", "eu-west-3"))
    r.add_argument("--pass-env", action="append", default=[], metavar="NAME",
                   help="a variable of ours the function gets too (its configuration, credentials)")
    r.add_argument("--expect-status", type=int, default=200,
                   help="the status the measured function must answer (the baseline: 200)")
    r.add_argument("--baseline", default="hello-lambda")
    r.add_argument("--init-timeout", type=float, default=10.0)
    r.add_argument("--response-timeout", type=float, default=30.0)
    r.add_argument("--header", action="append", default=[], metavar="K=V")
    r.add_argument("--body", help="the request's body (JSON text)")
    r.add_argument("--auth-file", help="access tokens, one per line: one per request of the measured function")
    r.add_argument("--warm", type=int, default=0,
                   help="requests served after the cold one by the same process (warm)")
    r.add_argument("--logs", required=True)
    r.add_argument("--out", required=True)

    q = sub.add_parser("report", help="print the table and verdicts, write results JSON")
    q.add_argument("--timings", required=True)
    q.add_argument("--size", action="append", required=True, metavar="NAME=PATH")
    q.add_argument("--baseline", default="hello-lambda")
    q.add_argument("--size-limit-mb", type=float, default=6.0)
    q.add_argument("--init-ratio", type=float, default=2.0)
    q.add_argument("--note", action="append")
    q.add_argument("--ddb-limit", type=int, help="most DynamoDB calls a warm request may make")
    q.add_argument("--out", required=True)

    a = p.parse_args(argv)
    if a.cmd == "run" and not (1 <= a.runs <= 1000 and 0 <= a.warmup <= 100 and 0 <= a.warm <= 10000):
        p.error("--runs must be 1..1000, --warmup 0..100 and --warm 0..10000")
    try:
        return cmd_run(a) if a.cmd == "run" else cmd_report(a)
    except HarnessError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        if e.log is not None:
            print(f"--- last lines of {e.log} ---\n{tail(e.log)}\n---", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
