#!/usr/bin/env python3
"""The gateway's benchmark (run it through scripts/bench, which installs what is missing).

Everything runs on 127.0.0.1, ports 28300-28399, and every process started here is stopped here
(also on Ctrl-C, SIGTERM and errors). See docs/performance.md for the method.

  fast upstream   Envoy, direct_response (a fixed small OpenAI-style completion) after the buffer
                  filter has read the whole request              127.0.0.1:28301 (admin 28302)
  baseline        Envoy: plain HCM + router -> fast upstream        28311 (admin 28312)
                  second listener -> the Python stand-in           28313
                  third listener: jwt_authn (the gateway's) + router -> fast upstream
                  ("jwt only": how much of the added time is token verification)   28314
  gateway         Envoy from scripts/render-envoy (jwt_authn + itar-filter + router, default
                  policy): gpt-4o -> commercial -> fast upstream;
                  llama-3.1-70b -> onprem -> the Python stand-in   28321 (admin 28322)
  floor           the same Envoy configuration with the floor filter (floor/, itar_floor.wasm:
                  buffers request and response, routes, no logic) at 1 and 4 KB   28341 (admin 28342)
  shadow          the gateway with the default policy as a shadow policy too (docs/policy-operations.md,
                  "Shadow mode"), started after the load phase for the memory phase only  28371 (admin 28372)
  stand-in        wasm-tests/standin/standin.py (streaming)        28331
  native          the gateway's Envoy configuration with the native build (the Envoy dynamic module,
                  native/) in place of the .wasm, at 4 KB and 1 MB   28381 (admin 28382)
  artifact        (--artifact-policy FILE only) the gateway with that policy, e.g. one carrying a
                  fingerprint artifact (examples/fingerprint_bench POLICY_OUT)   28361 (admin 28362)

Phases: native (bench_native example: policy compile, inspect MB/s on the same bodies), load
(wrk, baseline and gateway interleaved, per body size and concurrency), scan speed inside Envoy
(audit records: request_bytes / scan_us), time to first token on a stream, memory (RSS and admin
/memory of both Envoys; then of a gateway with a shadow policy after its own shorter load), .wasm size. Writes var/bench/result.json and var/bench/chart.png.
"""
from __future__ import annotations

import argparse
import base64
import ctypes
import datetime
import http.client
import json
import os
import pathlib
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
HERE = pathlib.Path(__file__).resolve().parent
VENV_BIN = pathlib.Path(sys.executable).parent
ENVOY = os.environ.get("ENVOY_BIN") or str(VENV_BIN / "envoy")
WASM = ROOT / "target" / "wasm32-wasip1" / "release" / "itar_wasm.wasm"
POLICY = ROOT / "policies" / "default.json"
OUT = ROOT / "var" / "bench"

PORTS = {
    "upstream": 28301, "upstream_admin": 28302,
    "baseline": 28311, "baseline_admin": 28312, "baseline_stream": 28313, "jwt_only": 28314,
    "gateway": 28321, "gateway_admin": 28322,
    "floor": 28341, "floor_admin": 28342,
    "sealed": 28351, "sealed_admin": 28352,
    "shadow": 28371, "shadow_admin": 28372,
    "native": 28381, "native_admin": 28382,
    "artifact": 28361, "artifact_admin": 28362,
    "standin": 28331,
}
# ITAR_BENCH_PORT_BASE moves every port by the same amount (default 28300), so two benchmarks (or
# a benchmark beside a test suite) on one machine do not collide.
PORTS = {k: v - 28300 + int(os.environ.get("ITAR_BENCH_PORT_BASE", "28300")) for k, v in PORTS.items()}
# Sealed capture (audit.capture "sealed", docs/audit.md) is measured against the gateway with the
# default policy (capture "none") at these sizes, c=1, and on a stream.
SEALED_SIZES = (4096, 1_000_000)
SIZES = [("1 KB", 1024), ("4 KB", 4096), ("64 KB", 65536), ("1 MB", 1_000_000)]
# Body sizes at which the floor filter (floor/src/lib.rs) is measured too.
FLOOR_SIZES = (1024, 4096)
FLOOR_WASM = ROOT / "target" / "wasm32-wasip1" / "release" / "itar_floor.wasm"
CONCURRENCY = [1, 16]
# The native build (the Envoy dynamic module, native/; docs/deployment.md "Native module") is
# measured beside the Wasm gateway at these sizes, same policy, same Envoy configuration.
NATIVE_SIZES = (4096, 1_000_000)
NATIVE_DIR = ROOT / "target" / "native"
NATIVE_BUDGET = {"added_p50_us_4k_c1": 50.0, "rps_ratio_4k_c16": 0.85, "scan_mb_s_envoy_1mb": 800.0}

BUDGET = {
    "added_p50_us_4k_c1": 100.0,
    "rps_ratio_4k_c16": 0.85,
    "scan_mb_s_envoy_1mb": 400.0,
    "scan_mb_s_envoy_1mb_varied": 400.0,
    "ttft_added_ms": 1.0,
    "wasm_bytes": 2_000_000,
    "memory_per_vm_mib": 32.0,
}

UPSTREAM_REPLY = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from the fast upstream."},
                 "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 7, "total_tokens": 17},
}, separators=(",", ":"))

HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"

UPSTREAM_YAML = f"""# scripts/bench: the fast upstream (reads the whole request, answers a fixed completion)
admin:
  address: {{socket_address: {{address: 127.0.0.1, port_value: {PORTS['upstream_admin']}}}}}
static_resources:
  listeners:
  - name: upstream
    address: {{socket_address: {{address: 127.0.0.1, port_value: {PORTS['upstream']}}}}}
    per_connection_buffer_limit_bytes: 4194304
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": {HCM}
          stat_prefix: upstream
          http_filters:
          - name: envoy.filters.http.buffer
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer
              max_request_bytes: 4194304
          - name: envoy.filters.http.router
            typed_config: {{"@type": {ROUTER}}}
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {{prefix: "/"}}
                direct_response:
                  status: 200
                  body: {{inline_string: {json.dumps(UPSTREAM_REPLY)}}}
                response_headers_to_add:
                - header: {{key: content-type, value: application/json}}
                  append_action: OVERWRITE_IF_EXISTS_OR_ADD
"""


def jwt_filter_yaml() -> str:
    """The gateway's jwt_authn filter (envoy/jwt-authn.yaml, as scripts/render-envoy fills it)."""
    import string
    t = string.Template((ROOT / "envoy" / "jwt-authn.yaml").read_text()).substitute(
        {"JWKS_PATH": str((ROOT / "envoy" / "demo" / "jwks.json").resolve())})
    return "\n".join("          " + line if line else line for line in t.splitlines() if not line.startswith("#")) + "\n"


def baseline_yaml(buffer_limit: int) -> str:
    def listener(name, port, cluster, filters=""):
        return f"""  - name: {name}
    address: {{socket_address: {{address: 127.0.0.1, port_value: {port}}}}}
    per_connection_buffer_limit_bytes: {buffer_limit}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": {HCM}
          stat_prefix: {name}
          http_filters:
{filters}          - name: envoy.filters.http.router
            typed_config: {{"@type": {ROUTER}}}
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {{prefix: "/"}}
                route: {{cluster: {cluster}, timeout: 300s}}
"""

    def cluster(name, port):
        return f"""  - name: {name}
    type: STATIC
    connect_timeout: 2s
    load_assignment:
      cluster_name: {name}
      endpoints:
      - lb_endpoints:
        - endpoint: {{address: {{socket_address: {{address: 127.0.0.1, port_value: {port}}}}}}}
"""

    return (f"""# scripts/bench: plain Envoy (HCM + router, no filter) to the same upstreams
admin:
  address: {{socket_address: {{address: 127.0.0.1, port_value: {PORTS['baseline_admin']}}}}}
static_resources:
  listeners:
""" + listener("baseline", PORTS["baseline"], "upstream")
            + listener("baseline_stream", PORTS["baseline_stream"], "standin")
            + listener("jwt_only", PORTS["jwt_only"], "upstream", jwt_filter_yaml())
            + "  clusters:\n" + cluster("upstream", PORTS["upstream"]) + cluster("standin", PORTS["standin"]))


# ----------------------------------------------------------------------------- processes

PROCS: list[subprocess.Popen] = []


def _pdeathsig():
    # Children die with this script even if it is SIGKILLed (Linux prctl PR_SET_PDEATHSIG).
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


def start(args, log: pathlib.Path) -> subprocess.Popen:
    p = subprocess.Popen(args, stdout=log.open("wb"), stderr=subprocess.STDOUT, preexec_fn=_pdeathsig)
    PROCS.append(p)
    return p


def stop_all():
    for p in reversed(PROCS):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in reversed(PROCS):
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
    PROCS.clear()


def stop(p: subprocess.Popen):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
    if p in PROCS:
        PROCS.remove(p)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_ready(admin: int, proc: subprocess.Popen, log: pathlib.Path, timeout=30.0) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"envoy exited ({proc.returncode}); log:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{admin}/ready", timeout=1) as r:
                if r.status == 200:
                    return time.monotonic() - t0
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.02)
    raise TimeoutError(f"envoy (admin {admin}) not ready; log:\n{log.read_text(errors='replace')[-3000:]}")


def envoy(name: str, config: pathlib.Path, admin: int, workers: int, run: pathlib.Path) -> dict:
    log = run / f"{name}.log"
    t0 = time.monotonic()
    p = start([ENVOY, "-c", str(config), "--concurrency", str(workers), "--log-level", "warn",
               "--disable-hot-restart", "--file-flush-interval-msec", "200"], log)
    ready = wait_ready(admin, p, log)
    return {"proc": p, "admin": admin, "ready_s": time.monotonic() - t0 if ready is not None else None,
            "log": log, "workers": workers}


def admin_get(admin: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{admin}{path}", timeout=5) as r:
        return r.read().decode()


# ----------------------------------------------------------------------------- bodies

WORDS = ("the quarterly report shows steady growth in services and the team will review customer "
         "feedback before launch of a new onboarding flow please send notes to marketing by friday we "
         "expect budget travel hiring design engineering handoffs improved settings page labels mobile "
         "app notice approved cafeteria survey vegetarian options parking lot resurfacing north entrance "
         "minutes morning retrospective highlighted better estimates sprint velocity database migration "
         "index postgres deploy rollback canary metrics latency dashboard alerts rotation garden recipe "
         "weather holiday schedule library reading group museum visit lunch coffee office plants").split()


def english(n: int, seed: int) -> str:
    rnd = random.Random(seed)
    out, size, sentence = [], 0, 0
    while size < n:
        w = rnd.choice(WORDS)
        if sentence == 0:
            w = w.capitalize()
        sentence += 1
        if sentence > rnd.randint(8, 16):
            w += "."
            sentence = 0
        out.append(w)
        size += len(w) + 1
    return " ".join(out)


def chat_body(total: int, seed: int = 7, model: str = "gpt-4o") -> bytes:
    """An OpenAI chat body of exactly `total` bytes of benign English-like text."""
    empty = json.dumps({"model": model, "messages": [{"role": "user", "content": ""}]}).encode()
    text = english(total, seed)[: total - len(empty)].rstrip()
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": text}]}).encode()
    return body + b" " * (total - len(body))  # JSON allows trailing whitespace


def crafted_bodies(total: int = 1_000_000) -> dict[str, bytes]:
    """Bodies built to make an overlapping-match scan quadratic (docs/detection.md, "Work bound"):
    every word start begins an e-mail-shaped match ending at one far '@'; dotted 4-digit groups
    where an identifier matches while the e-mail pattern's thread stays alive. And the evasion
    decoders' worst cases: spaced-hex runs one pair short of the minimum, quoted-printable escapes
    that almost chain, a reverse/rot13 hint every few bytes (windows must stay disjoint), letter-spaced
    runs one character short and one long run, leetspeak around a marking shape every few bytes,
    and a markdown table of numbers (each row a quantity of the technical-data rules)."""
    empty = len(json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": ""}]}))
    room = total - empty
    texts = {
        "email_run": "a." * ((room - 14) // 2) + "a@example.com",
        "dotted_digits": ".".join(f"{1000 + i % 9000:04d}" for i in range((room + 1) // 5))[:room],
        "near_spaced_hex": ("12 34 56 78 9a bc de x " * (room // 23 + 1))[:room],
        "near_qp": ("=41=42=43 x" * (room // 11 + 1))[:room],
        "hint_every_word": ("reverse rot13 " * (room // 14 + 1))[:room],
        "shape_every_word": ("ab//cd " * (room // 7 + 1))[:room],
        "near_letter_spaced": ("a b c d e x " * (room // 12 + 1))[:room],
        "letter_spaced_run": ("S E C R E T   " * (room // 14 + 1))[:room],
        "leet_every_shape": ("53 CR 3T//N0 F0 RN " * (room // 19 + 1))[:room],
        "unit_table_rows": ("| SN-1 | 1 | 2 | 3 | 4 |\n" * (room // 25 + 1))[:room],
    }
    return {k: json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": t}]}).encode()
            for k, t in texts.items()}


VARIED_WORDS = (
    "the quarterly report shows steady growth in services and team will review customer feedback before "
    "launch of a new onboarding flow please send notes to marketing by friday we expect budget travel hiring "
    "design engineering handoffs improved settings page labels mobile app privacy notice approved legal "
    "cafeteria survey vegetarian options parking lot resurfacing north entrance minutes morning retrospective "
    "highlighted better estimates sprint velocity database migration index concurrently postgres deploy "
    "rollback canary metrics latency p99 dashboard alerts on-call rotation").split()
VARIED_SPRINKLES = (
    "SECRET//NOFORN", "(U//FOUO) The badge office moves to building 4.",
    "Distribution Statement A. Approved for public release.", "EXPORT CONTROLLED - ITAR",
    "torque 24 Nm, gap 0.05 mm +/- 0.01, 2,000 rpm", "Secret Santa on Friday", "(C) 2024 Example Corp.",
    "call 555-0100 or email team@example.com", "CUI//SP-EXPT", "the 120 mm test at 1,650 m/s")


def varied_body(total: int = 1_000_000, seed: int = 11) -> bytes:
    """An OpenAI chat body of exactly `total` bytes: English-like words with a marking, a legend, a few
    quantities or a near miss every ~2 KB (the text of `--example scanbench`): the scan's leading
    pass finds matches all through it, so the full pass, the exact loop and the decoded windows run."""
    rnd = random.Random(seed)
    empty = len(json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": ""}]}))
    out, size, since = [], 0, 0
    while size < total - empty:
        if since > 2000:
            piece, since = rnd.choice(VARIED_SPRINKLES) + ".", 0
        else:
            r = rnd.random()
            piece = rnd.choice(VARIED_WORDS) + ("\n" if r < 1 / 17 else "." if r < 1 / 17 + 1 / 11 else "")
            since += len(piece) + 1
        out.append(piece)
        size += len(piece) + 1
    text = " ".join(out)
    body = b""
    while True:
        body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": text}]}).encode()
        if len(body) <= total:
            break
        text = text[: len(text) - (len(body) - total)].rstrip()
    return body + b" " * (total - len(body))


def varied(token: str, audit: pathlib.Path, reps: int) -> dict:
    """The 1 MB varied body with leading matches, sent `reps` times to the gateway after four unmeasured
    sends (they fill the VMs' scan caches: each worker has its own): MB/s = request_bytes / scan_us from the audit records."""
    body = varied_body()
    decisions = set()
    for _ in range(4):
        decisions.add(f"{check_request(PORTS['gateway'], body, token)['status']}")
    time.sleep(0.6)
    t_first = time.time()
    walls = []
    for _ in range(reps):
        t0 = time.perf_counter()
        c = check_request(PORTS["gateway"], body, token)
        walls.append((time.perf_counter() - t0) * 1e3)
        decisions.add(f"{c['status']} {c['decision']}")
    time.sleep(0.6)
    recs = [r for r in audit_records(audit) if r.get("request_bytes") == len(body)
            and r.get("scan_us") and r["_t"] >= t_first - 0.5]
    rates = [r["request_bytes"] / r["scan_us"] for r in recs]
    out = {"bytes": len(body), "requests": len(rates), "wall_ms_median": statistics.median(walls),
           "decisions": sorted(decisions),
           "scan_us_p50": statistics.median([r["scan_us"] for r in recs]) if recs else None,
           "mb_s_median": statistics.median(rates) if rates else None}
    print(f"bench: varied 1 MB body with leading matches: {out['requests']} records, "
          f"{fmt(out['mb_s_median'])} MB/s median, scan_us p50 {fmt(out['scan_us_p50'])}, {out['decisions']}", flush=True)
    return out


def crafted(token: str, audit: pathlib.Path, reps: int = 3) -> dict:
    out = {}
    for name, body in crafted_bodies().items():
        walls, decisions = [], set()
        t_first = time.time()
        for _ in range(reps):
            t0 = time.perf_counter()
            c = check_request(PORTS["gateway"], body, token)
            walls.append((time.perf_counter() - t0) * 1e3)
            decisions.add(f"{c['status']} {c['decision']}")
        time.sleep(0.6)
        recs = [r for r in audit_records(audit) if r.get("request_bytes") == len(body)
                and r.get("scan_us") and r["_t"] >= t_first - 1]
        us = [r["scan_us"] for r in recs]
        out[name] = {"bytes": len(body), "wall_ms_median": statistics.median(walls), "decisions": sorted(decisions),
                     "scan_us_median": statistics.median(us) if us else None}
        print(f"bench: crafted {name}: {len(body)} bytes, wall {out[name]['wall_ms_median']:.0f} ms, "
              f"scan_us {out[name]['scan_us_median']}, {sorted(decisions)}", flush=True)
    return out


# ----------------------------------------------------------------------------- load (wrk)

WRK_RE = re.compile(r"^BENCH-JSON (\{.*\})$", re.M)


def wrk(url: str, body_file: pathlib.Path, token: str, conns: int, seconds: float, threads: int) -> dict:
    args = ["wrk", "-t", str(min(threads, conns)), "-c", str(conns), "-d", f"{max(1, round(seconds))}s",
            "--timeout", "10s", "--latency", "-s", str(HERE / "post.lua"), url, "--", str(body_file), token]
    t0 = time.time()
    r = subprocess.run(args, capture_output=True, text=True, preexec_fn=_pdeathsig, timeout=seconds + 60)
    t1 = time.time()
    m = WRK_RE.search(r.stdout)
    if r.returncode != 0 or not m:
        raise RuntimeError(f"wrk failed ({r.returncode}): {r.stdout[-2000:]} {r.stderr[-2000:]}")
    d = json.loads(m.group(1))
    d["rps"] = d["requests"] / (d["duration_us"] / 1e6) if d["duration_us"] else 0.0
    d["t_start"], d["t_end"] = t0, t1
    return d


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    f = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def check_request(port: int, body: bytes, token: str) -> dict:
    h = {"content-type": "application/json"}
    if token:
        h["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", data=body, headers=h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return {"status": r.status, "decision": r.headers.get("x-itar-decision"), "body": r.read()[:300]}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "decision": e.headers.get("x-itar-decision"), "body": e.read()[:300]}


# ----------------------------------------------------------------------------- time to first token

def stream_once(port: int, token: str, body: bytes, headers: dict, deltas: list[str], conn):
    h = {"content-type": "application/json", **headers}
    if token:
        h["authorization"] = f"Bearer {token}"
    prefix = []
    acc = 0
    for d in deltas:
        acc += len(d)
        prefix.append(acc)
    t0 = time.perf_counter()
    conn.request("POST", "/v1/chat/completions", body=body, headers=h)
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"stream through port {port}: HTTP {resp.status} {resp.read()[:300]!r}")
    buf = b""
    got = 0
    arrivals: list[float] = []
    while True:
        data = resp.read1(65536)
        now = time.perf_counter()
        if not data:
            break
        buf += data
        while b"\n\n" in buf:
            ev, buf = buf.split(b"\n\n", 1)
            for line in ev.split(b"\n"):
                if not line.startswith(b"data:"):
                    continue
                payload = line[5:].strip()
                if payload == b"[DONE]":
                    continue
                try:
                    obj = json.loads(payload)
                except json.JSONDecodeError:
                    continue
                for ch in obj.get("choices") or []:
                    c = (ch.get("delta") or {}).get("content")
                    if isinstance(c, str) and c:
                        got += len(c)
                        while len(arrivals) < len(prefix) and prefix[len(arrivals)] <= got:
                            arrivals.append((now - t0) * 1e6)
    resp.read()
    if len(arrivals) != len(deltas):
        raise RuntimeError(f"stream through port {port}: {len(arrivals)} of {len(deltas)} deltas arrived")
    return arrivals


def held_back(added: list[float], half_interval_us: float) -> float:
    """Share of deltas 1.. whose added time exceeds the median of up to 3 neighbours on each side
    by more than half a chunk interval (a spike: released with a later read)."""
    spikes = 0
    for i in range(1, len(added)):
        around = added[max(1, i - 3):i] + added[i + 1:i + 4]
        if around and added[i] > statistics.median(around) + half_interval_us:
            spikes += 1
    return spikes / max(1, len(added) - 1)


def stream_request(k: int, delay_ms: int, record_dir: pathlib.Path) -> tuple[bytes, dict, list[str]]:
    """A streamed chat request to the stand-in (through the onprem route) scripted to answer k deltas
    delay_ms apart: (body, headers, deltas)."""
    rnd = random.Random(11)
    deltas = [rnd.choice(WORDS) + " " for _ in range(k)]
    body = json.dumps({"model": "llama-3.1-70b", "stream": True,
                       "messages": [{"role": "user", "content": "Tell me about the team offsite."}]}).encode()
    from conftest import script_headers  # noqa: E402 (the stand-in's scripted replies)
    headers = script_headers(record_dir, {
        "x-standin-chunks-b64": base64.b64encode(json.dumps(deltas).encode()).decode(),
        "x-standin-chunk-delay-ms": str(delay_ms)})
    return body, headers, deltas


def ttft(token: str, n: int, k: int, delay_ms: int, record_dir: pathlib.Path) -> dict:
    body, headers, deltas = stream_request(k, delay_ms, record_dir)
    targets = {"baseline": (PORTS["baseline_stream"], ""), "gateway": (PORTS["gateway"], token)}
    conns = {t: http.client.HTTPConnection("127.0.0.1", p, timeout=30) for t, (p, _) in targets.items()}
    runs: dict[str, list[list[float]]] = {"baseline": [], "gateway": []}
    try:
        for t, (p, tok) in targets.items():  # warm connections and caches
            stream_once(p, tok, body, headers, deltas, conns[t])
        for i in range(n):
            order = ["baseline", "gateway"] if i % 2 == 0 else ["gateway", "baseline"]
            for t in order:
                p, tok = targets[t]
                runs[t].append(stream_once(p, tok, body, headers, deltas, conns[t]))
    finally:
        for c in conns.values():
            c.close()
    med = {t: [statistics.median(r[j] for r in runs[t]) for j in range(k)] for t in runs}
    added = [med["gateway"][j] - med["baseline"][j] for j in range(k)]
    gaps = {t: statistics.median(b - a for r in runs[t] for a, b in zip(r, r[1:])) for t in runs}
    return {
        "requests_per_target": n, "deltas": k, "chunk_delay_ms": delay_ms,
        "ttft_us": {t: statistics.median(r[0] for r in runs[t]) for t in runs},
        "ttft_us_p90": {t: sorted(r[0] for r in runs[t])[int(0.9 * (n - 1))] for t in runs},
        "ttft_added_us": added[0],
        "per_delta_added_us_median": statistics.median(added[1:]) if k > 1 else None,
        "per_delta_extra_over_first_us": (statistics.median(added[1:]) - added[0]) if k > 1 else None,
        "inter_delta_gap_us_median": gaps,
        # Deltas that arrived about one chunk interval later than their neighbours through the
        # gateway: held back by the stream scanner (a tail that could still begin a match waits for
        # the next read). Compared with the neighbours, not with zero: the added time also drifts
        # upward along the stream ("drift_us_per_delta"), which is not hold-back.
        "held_back_fraction": held_back(added, delay_ms * 500),
        "drift_us_per_delta": (added[-1] - added[0]) / (k - 1) if k > 1 else None,
        "per_delta": [{"delta": d, "added_us": round(x)} for d, x in zip(deltas, added)],
    }


# ----------------------------------------------------------------------------- sealed capture

def sealed_policy(run: pathlib.Path) -> pathlib.Path:
    """The default policy with audit.capture "sealed" to a throw-away X25519 key (the bench never
    opens the records; it checks they carry an envelope and no clear text)."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    pub = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    pol = json.loads(POLICY.read_text())
    pol["audit"] = {"capture": "sealed", "recipients": [{"name": "bench", "public_key": base64.b64encode(pub).decode()}]}
    p = run / "sealed-policy.json"
    p.write_text(json.dumps(pol))
    return p


def sealed_costs(targets: dict, bodies: dict, token: str, duration: float, rounds: int, warmup: float,
                 threads: int, n_streams: int, record_dir: pathlib.Path, audit: pathlib.Path) -> dict:
    """Sealed capture against the plain gateway, same run, interleaved: c=1 latency and proxy CPU
    per request on buffered bodies, and per stream (40 deltas, 2 ms apart)."""
    out: dict = {"buffered": [], "stream": None}
    pair = ("gateway", "sealed")
    for n in SEALED_SIZES:
        per = {t: [] for t in pair}
        for t in pair:
            _, port, tok = targets[t]
            if warmup > 0:
                wrk(f"http://127.0.0.1:{port}/v1/chat/completions", bodies[n], tok, 1, warmup, threads)
        for r in range(rounds):
            for t in (pair if r % 2 == 0 else tuple(reversed(pair))):
                e, port, tok = targets[t]
                c0 = cpu_s(e["proc"].pid)
                w = wrk(f"http://127.0.0.1:{port}/v1/chat/completions", bodies[n], tok, 1, duration, threads)
                w["cpu_us_per_req"] = (cpu_s(e["proc"].pid) - c0) * 1e6 / max(1, w["requests"])
                per[t].append(w)
        g, s = summarize(per["gateway"]), summarize(per["sealed"])
        cpu = {t: statistics.median(w["cpu_us_per_req"] for w in per[t]) for t in pair}
        row = {"bytes": n, "gateway_p50_us": g["p50_us"], "sealed_p50_us": s["p50_us"],
               "added_p50_us": s["p50_us"] - g["p50_us"], "gateway_rps": g["rps"], "sealed_rps": s["rps"],
               "gateway_cpu_us_per_req": cpu["gateway"], "sealed_cpu_us_per_req": cpu["sealed"],
               "added_cpu_us_per_req": cpu["sealed"] - cpu["gateway"]}
        out["buffered"].append(row)
        print(f"bench: sealed {n:>7} B c=1  gateway p50 {g['p50_us']:>7.0f} us  sealed p50 {s['p50_us']:>7.0f} us  "
              f"added {row['added_p50_us']:>6.0f} us  added CPU {row['added_cpu_us_per_req']:>6.0f} us/req", flush=True)
    # A stream: 200 deltas (about 1.5 KB of text) through the stand-in, no delay between them; the
    # answer is captured as released and sealed in on_log. Latency interleaved stream by stream;
    # proxy CPU over a block of streams per target (the kernel counts CPU in 10 ms ticks).
    rnd = random.Random(13)
    k = 200
    deltas = [rnd.choice(WORDS) + " " for _ in range(k)]
    body = json.dumps({"model": "llama-3.1-70b", "stream": True,
                       "messages": [{"role": "user", "content": "Tell me about the team offsite."}]}).encode()
    from conftest import script_headers  # noqa: E402
    headers = script_headers(record_dir, {
        "x-standin-chunks-b64": base64.b64encode(json.dumps(deltas).encode()).decode(),
        "x-standin-chunk-delay-ms": "0"})
    conns = {t: http.client.HTTPConnection("127.0.0.1", targets[t][1], timeout=30) for t in pair}
    runs: dict[str, list[list[float]]] = {t: [] for t in pair}
    cpu_per_stream = {}
    try:
        for t in pair:
            stream_once(targets[t][1], token, body, headers, deltas, conns[t])
        for i in range(n_streams):
            for t in (pair if i % 2 == 0 else tuple(reversed(pair))):
                runs[t].append(stream_once(targets[t][1], token, body, headers, deltas, conns[t]))
        for t in pair:
            e = targets[t][0]
            time.sleep(0.1)
            c0 = cpu_s(e["proc"].pid)
            for _ in range(n_streams):
                stream_once(targets[t][1], token, body, headers, deltas, conns[t])
            time.sleep(0.1)  # on_log (where sealing runs) ends after the last byte
            cpu_per_stream[t] = (cpu_s(e["proc"].pid) - c0) * 1e6 / n_streams
    finally:
        for c in conns.values():
            c.close()
    last = {t: statistics.median(r[-1] for r in runs[t]) for t in pair}
    first = {t: statistics.median(r[0] for r in runs[t]) for t in pair}
    out["stream"] = {"streams": n_streams, "deltas": k,
                     "gateway_ttft_us": first["gateway"], "sealed_ttft_us": first["sealed"],
                     "gateway_last_delta_us": last["gateway"], "sealed_last_delta_us": last["sealed"],
                     "added_last_delta_us": last["sealed"] - last["gateway"],
                     "gateway_cpu_us_per_stream": cpu_per_stream["gateway"],
                     "sealed_cpu_us_per_stream": cpu_per_stream["sealed"],
                     "added_cpu_us_per_stream": cpu_per_stream["sealed"] - cpu_per_stream["gateway"]}
    # The records: every inspected one sealed, no clear text, and how much the line grew.
    time.sleep(0.6)
    recs = [x for x in audit_records(audit) if x.get("decision") in ("allow", "redact", "reroute")]
    sealed = [x for x in recs if "sealed" in x]
    out["records"] = len(recs)
    out["records_sealed"] = len(sealed)
    out["records_in_clear"] = sum(1 for x in recs if "request_text" in x or "response_text" in x)
    lines = [ln for ln in audit.read_text().splitlines() if '"sealed"' in ln]
    by_size: dict[int, list[int]] = {}
    for ln in lines:
        try:
            rb = json.loads(ln).get("request_bytes", 0)
        except json.JSONDecodeError:
            continue
        by_size.setdefault(rb, []).append(len(ln))
    out["line_bytes_median_by_request_bytes"] = {str(k): statistics.median(v) for k, v in sorted(by_size.items())
                                                 if len(v) >= 2}
    return out


# ----------------------------------------------------------------------------- memory

def rss_kib(pid: int) -> int | None:
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def memory_snapshot(e: dict) -> dict:
    snap = {"rss_kib": rss_kib(e["proc"].pid)}
    try:
        snap["admin_memory"] = json.loads(admin_get(e["admin"], "/memory"))
    except (OSError, ValueError):
        snap["admin_memory"] = None
    try:
        stats = json.loads(admin_get(e["admin"], "/stats?format=json&filter=wasm"))
        snap["wasm_stats"] = {s["name"]: s.get("value") for s in stats.get("stats", []) if "name" in s}
    except (OSError, ValueError):
        snap["wasm_stats"] = {}
    return snap


# ----------------------------------------------------------------------------- audit

def audit_records(path: pathlib.Path) -> list[dict]:
    out = []
    if not path.exists():
        return out
    for line in path.read_text(errors="replace").splitlines():
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not str(r.get("schema", "")).startswith("itar-audit/"):
            continue
        try:
            r["_t"] = datetime.datetime.fromisoformat(r["time"].replace("Z", "+00:00")).timestamp()
        except (KeyError, ValueError):
            continue
        out.append(r)
    return out


def scan_stats(records: list[dict], windows: list[tuple[float, float]], size: int) -> dict | None:
    sel = [r for r in records if r.get("request_bytes") == size and r.get("scan_us")
           and any(a <= r["_t"] <= b for a, b in windows)]
    if not sel:
        return None
    us = [r["scan_us"] for r in sel]
    rates = [r["request_bytes"] / r["scan_us"] for r in sel]
    decisions = sorted({r.get("decision", "?") for r in sel})
    return {"requests": len(sel), "scan_us_p50": statistics.median(us), "scan_us_min": min(us),
            "mb_s_median": statistics.median(rates), "mb_s_aggregate": sum(r["request_bytes"] for r in sel) / sum(us),
            "decisions": decisions}


# ----------------------------------------------------------------------------- native

def native(bodies: list[pathlib.Path], quick: bool) -> dict:
    subprocess.run(["cargo", "build", "--quiet", "--release", "--locked", "-p", "itar-filter", "--example", "bench_native"],
                   cwd=ROOT, check=True)
    exe = ROOT / "target" / "release" / "examples" / "bench_native"
    args = [str(exe), "--policy", str(POLICY), "--seconds", "0.5" if quick else "1.5",
            "--compile-reps", "3" if quick else "7"] + [str(b) for b in bodies]
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True, preexec_fn=_pdeathsig)
    return json.loads(r.stdout)


def profile(body: pathlib.Path, run: pathlib.Path) -> str:
    """callgrind over the native inspect path (symbols kept in a separate target dir)."""
    if not shutil.which("valgrind"):
        return "valgrind not installed"
    env = dict(os.environ, CARGO_PROFILE_RELEASE_STRIP="false", CARGO_PROFILE_RELEASE_DEBUG="1",
               CARGO_TARGET_DIR=str(ROOT / "target" / "bench-profile"))
    subprocess.run(["cargo", "build", "--quiet", "--release", "--locked", "-p", "itar-filter", "--example", "bench_native"],
                   cwd=ROOT, check=True, env=env)
    exe = ROOT / "target" / "bench-profile" / "release" / "examples" / "bench_native"
    out = run / "callgrind.out"
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--toggle-collect=bench_native::run_inspect",
                    str(exe), "--policy", str(POLICY), "--profile", "5", str(body)],
                   cwd=ROOT, check=True, capture_output=True, preexec_fn=_pdeathsig)
    r = subprocess.run(["callgrind_annotate", "--inclusive=no", str(out)], capture_output=True, text=True)
    incl = subprocess.run(["callgrind_annotate", "--inclusive=yes", str(out)], capture_output=True, text=True)
    (run / "callgrind-self.txt").write_text(r.stdout)
    (run / "callgrind-inclusive.txt").write_text(incl.stdout)
    return r.stdout


# ----------------------------------------------------------------------------- report

def envoy_version() -> str:
    out = subprocess.run([ENVOY, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"version: (\S+)", out)
    return m.group(1) if m else out.strip()[-80:]


def fmt(v, unit="", digits=0):
    if v is None:
        return "n/a"
    return f"{v:,.{digits}f}{unit}"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1])
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": cpu, "mem_total_kib": mem, "kernel": platform.release(),
            "loadavg": pathlib.Path("/proc/loadavg").read_text().split()[:3]}


def chart(result: dict, path: pathlib.Path) -> str | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        return f"no chart: {e}"
    load = result["load"]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.6))
    for c, style in zip(CONCURRENCY, ["o-", "s--"]):
        pts = [p for p in load if p["concurrency"] == c]
        xs = [p["label"] for p in pts]
        a1.plot(xs, [p["added_p50_us"] for p in pts], style, label=f"added p50, c={c}")
        a1.plot(xs, [p["added_p99_us"] for p in pts], style, alpha=0.45, label=f"added p99, c={c}")
        if all(p.get("jwt_only_added_p50_us") is not None for p in pts):
            a1.plot(xs, [p["jwt_only_added_p50_us"] for p in pts], style, color="gray", alpha=0.6,
                    label=f"jwt_authn alone, added p50, c={c}")
    a1.set_yscale("symlog", linthresh=100)
    a1.axhline(BUDGET["added_p50_us_4k_c1"], color="red", lw=0.8, ls=":", label="budget p50 4 KB c=1 (100 us)")
    a1.set_xlabel("chat body size")
    a1.set_ylabel("gateway minus plain Envoy (us)")
    a1.set_title("Added latency")
    a1.legend(fontsize=7)
    width = 0.38
    for i, c in enumerate(CONCURRENCY):
        pts = [p for p in load if p["concurrency"] == c]
        xs = [j + (i - 0.5) * width for j in range(len(pts))]
        bars = a2.bar(xs, [100 * p["rps_ratio"] for p in pts], width, label=f"c={c}")
        for x, p in zip(xs, pts):
            a2.text(x, 100 * p["rps_ratio"] + 1, f"{100 * p['rps_ratio']:.0f}%", ha="center", fontsize=7)
        _ = bars
    a2.set_xticks(range(len(SIZES)), [s for s, _ in SIZES])
    a2.axhline(100 * BUDGET["rps_ratio_4k_c16"], color="red", lw=0.8, ls=":", label="budget 4 KB c=16 (85%)")
    a2.set_ylim(0, 110)
    a2.set_ylabel("gateway rps / plain Envoy rps (%)")
    a2.set_title("Throughput ratio")
    a2.legend(fontsize=7)
    m = result["machine"]
    fig.suptitle(f"ITAR gateway vs plain Envoy 1.40, {result['settings']['workers']} workers, "
                 f"{m['nproc']} CPUs ({m['cpu_model']}), load {'/'.join(m['loadavg'])} at start"
                 + (" - QUICK" if result["settings"]["quick"] else ""), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short version (~1-2 minutes)")
    ap.add_argument("--duration", type=float, help="seconds per measurement round per target (default 5, quick 2)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds per point (default 2, quick 1)")
    ap.add_argument("--warmup", type=float, help="warmup seconds per point per target (default 3, quick 1)")
    ap.add_argument("--workers", type=int, default=2, help="Envoy --concurrency of baseline and gateway (default 2)")
    ap.add_argument("--upstream-workers", type=int, default=2)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--ttft-requests", type=int, help="streams per target (default 40, quick 12)")
    ap.add_argument("--ttft-delay-ms", type=int, default=2, help="stand-in delay between streamed deltas (default 2)")
    ap.add_argument("--no-jwt-only", action="store_true", help="skip the jwt_authn-only variant (saves a third of the load phase)")
    ap.add_argument("--no-floor", action="store_true", help="skip the floor filter (a buffering Wasm filter with no logic) at 1 and 4 KB")
    ap.add_argument("--no-native", action="store_true", help="skip the native build (the Envoy dynamic module) at 4 KB and 1 MB")
    ap.add_argument("--profile", action="store_true", help="also run callgrind on the native 1 MB inspect path")
    ap.add_argument("--artifact-policy", metavar="FILE",
                    help="only compare scan speed and VM memory of the gateway with the default policy against one "
                         "with FILE (e.g. a policy carrying a fingerprint artifact), one request at a time, the two "
                         "in turn; writes var/bench/artifact.json")
    ap.add_argument("--artifact-reps", type=int, default=20, help="requests per body and gateway (--artifact-policy)")
    ap.add_argument("--out", default=str(OUT))
    a = ap.parse_args()
    quick = a.quick
    duration = a.duration or (2.0 if quick else 5.0)
    rounds = a.rounds or (1 if quick else 2)
    warmup = a.warmup if a.warmup is not None else (1.0 if quick else 3.0)
    n_ttft = a.ttft_requests or (12 if quick else 40)
    out = pathlib.Path(a.out)
    run = out / "run"
    shutil.rmtree(run, ignore_errors=True)
    (run / "bodies").mkdir(parents=True)
    t_begin = time.time()
    busy = [p for p in PORTS.values() if not port_free(p)]
    if busy:
        print(f"bench: ports in use: {busy} (another bench running?)", file=sys.stderr)
        return 2
    if a.artifact_policy:
        return artifact_compare(pathlib.Path(a.artifact_policy), run, out, a.workers, a.upstream_workers,
                                a.artifact_reps)
    result: dict = {
        "schema": "itar-bench/1",
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git": {"commit": subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
                "dirty": bool(subprocess.run(["git", "status", "--porcelain", "--", "filter", "policies"], cwd=ROOT,
                                             capture_output=True, text=True).stdout.strip())},
        "machine": machine(),
        "envoy_version": envoy_version(),
        "settings": {"quick": quick, "duration_s": duration, "rounds": rounds, "warmup_s": warmup, "workers": a.workers,
                     "upstream_workers": a.upstream_workers, "wrk_threads": a.wrk_threads, "sizes": SIZES,
                     "concurrency": CONCURRENCY, "ttft_requests": n_ttft},
    }
    bodies = {}
    for label, n in SIZES:
        f = run / "bodies" / f"chat-{n}.json"
        f.write_bytes(chat_body(n))
        bodies[n] = f

    # 1. native: before any Envoy runs
    print("bench: native (bench_native: policy compile, inspect_request on the same bodies)", flush=True)
    nat = native([bodies[n] for _, n in SIZES], quick)
    result["native"] = nat
    result["wasm"] = {"path": str(WASM.relative_to(ROOT)), "bytes": WASM.stat().st_size}

    sys.path.insert(0, str(ROOT / "wasm-tests"))
    from conftest import harness_policy, token as mint  # noqa: E402 (the tests' minter: scripts/mint-token)
    token = mint(sub="bench", clearance="SECRET", exp_in=3600 * 3)

    if not a.no_floor:
        print("bench: building the floor filter (cargo -p itar-floor)", flush=True)
        subprocess.run(["cargo", "build", "--quiet", "--release", "--locked", "--target", "wasm32-wasip1", "-p", "itar-floor"],
                       cwd=ROOT, check=True)
        render_gateway(run / "floor", "floor", POLICY, FLOOR_WASM, run / "floor-audit.jsonl")
    native_audit = run / "native-audit.jsonl"
    if not a.no_native:
        os.environ["ENVOY_DYNAMIC_MODULES_SEARCH_PATH"] = str(NATIVE_DIR)
        render_gateway(run / "native", "native", harness_policy(POLICY, run), WASM, native_audit, ["--native"])
    (run / "upstream.yaml").write_text(UPSTREAM_YAML)
    buffer_limit = max(2 * json.loads(POLICY.read_text()).get("limits", {}).get("max_body_bytes", 1048576), 2097152)
    (run / "baseline.yaml").write_text(baseline_yaml(buffer_limit))
    audit = run / "audit.jsonl"
    # The stand-in's script header is forwarded (and scanned) like the tests' (conftest.py).
    render_gateway(run / "gateway", "gateway", harness_policy(POLICY, run), WASM, audit)
    # The same gateway with the same policy as its shadow too (the case docs/policy-operations.md
    # measures): both compiled in every VM, both scanning every request.
    render_gateway(run / "shadow", "shadow", harness_policy(POLICY, run), WASM, run / "shadow-audit.jsonl",
                   ["--shadow-policy", str(harness_policy(POLICY, run))])

    sealed_audit = run / "sealed-audit.jsonl"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "render-envoy"), "--out", str(run / "sealed"),
                    "--policy", str(harness_policy(sealed_policy(run), run)), "--wasm", str(WASM),
                    "--gateway-port", str(PORTS["sealed"]), "--admin-port", str(PORTS["sealed_admin"]),
                    "--audit", str(sealed_audit),
                    f"--upstream=commercial={PORTS['upstream']}", f"--upstream=usgov={PORTS['upstream']}",
                    f"--upstream=foreign={PORTS['upstream']}", f"--upstream=onprem={PORTS['standin']}"], check=True)

    try:
        print("bench: starting fast upstream, stand-in, baseline Envoy, gateway Envoy", flush=True)
        envoy("upstream", run / "upstream.yaml", PORTS["upstream_admin"], a.upstream_workers, run)
        ready = run / "standin-ready.json"
        start([sys.executable, str(ROOT / "wasm-tests" / "standin" / "standin.py"), "--ready-file", str(ready),
               "--record-dir", str(run / "standin"), f"onprem={PORTS['standin']}"], run / "standin.log")
        end = time.time() + 10
        while not ready.exists():
            if time.time() > end:
                raise RuntimeError("stand-in did not start")
            time.sleep(0.05)
        base = envoy("baseline", run / "baseline.yaml", PORTS["baseline_admin"], a.workers, run)
        gw = envoy("gateway", run / "gateway" / "envoy.yaml", PORTS["gateway_admin"], a.workers, run)
        targets = {"baseline": (base, PORTS["baseline"], ""), "gateway": (gw, PORTS["gateway"], token)}
        mem_idle = {t: memory_snapshot(e) for t, (e, _, _) in targets.items()}
        if not a.no_jwt_only:
            targets["jwt_only"] = (base, PORTS["jwt_only"], token)
        if not a.no_floor:
            fl = envoy("floor", run / "floor" / "envoy.yaml", PORTS["floor_admin"], a.workers, run)
            targets["floor"] = (fl, PORTS["floor"], token)
        if not a.no_native:
            nv = envoy("native", run / "native" / "envoy.yaml", PORTS["native_admin"], a.workers, run)
            targets["native"] = (nv, PORTS["native"], token)
        result["startup_ready_s"] = {"baseline": base["ready_s"], "gateway": gw["ready_s"]}

        # sanity: every body is allowed, unchanged, with 200 through both
        checks = {}
        for label, n in SIZES:
            body = bodies[n].read_bytes()
            for t, (_, port, tok) in targets.items():
                c = check_request(port, body, tok)
                if c["status"] != 200 or (t in ("gateway", "native") and c["decision"] != "allow"):
                    raise RuntimeError(f"{label} body through {t}: HTTP {c['status']} decision {c['decision']}: {c['body']!r}")
            checks[label] = "200 allow"
        result["checks"] = checks

        # 2. load
        load = []
        windows: dict[tuple[int, int], list[tuple[float, float]]] = {}
        native_windows: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for label, n in SIZES:
            for conc in CONCURRENCY:
                here = [t for t in targets if (t != "floor" or n in FLOOR_SIZES) and (t != "native" or n in NATIVE_SIZES)]
                per = {t: [] for t in here}
                for t in here:
                    _, port, tok = targets[t]
                    if warmup > 0:
                        wrk(f"http://127.0.0.1:{port}/v1/chat/completions", bodies[n], tok, conc, warmup, a.wrk_threads)
                for r in range(rounds):
                    order = list(here) if r % 2 == 0 else list(reversed(here))
                    for t in order:
                        e, port, tok = targets[t]
                        c0 = cpu_s(e["proc"].pid)
                        w = wrk(f"http://127.0.0.1:{port}/v1/chat/completions", bodies[n], tok, conc, duration, a.wrk_threads)
                        # The proxy's own CPU per request: unlike latency, steal and other processes
                        # on the machine hardly move it.
                        w["cpu_us_per_req"] = (cpu_s(e["proc"].pid) - c0) * 1e6 / max(1, w["requests"])
                        per[t].append(w)
                        if t == "gateway":
                            windows.setdefault((n, conc), []).append((w["t_start"], w["t_end"]))
                        if t == "native":
                            native_windows.setdefault((n, conc), []).append((w["t_start"], w["t_end"]))
                pairs = list(zip(per["baseline"], per["gateway"]))
                jpairs = list(zip(per["baseline"], per["jwt_only"])) if "jwt_only" in per else []
                fpairs = list(zip(per["baseline"], per["floor"])) if "floor" in per else []
                npairs = list(zip(per["baseline"], per["native"])) if "native" in per else []
                point = {
                    "label": label, "bytes": n, "concurrency": conc,
                    "baseline": summarize(per["baseline"]), "gateway": summarize(per["gateway"]),
                    "added_p50_us": statistics.median(g["latency_us"]["p50"] - b["latency_us"]["p50"] for b, g in pairs),
                    "added_p99_us": statistics.median(g["latency_us"]["p99"] - b["latency_us"]["p99"] for b, g in pairs),
                    "rps_ratio": statistics.median(g["rps"] / b["rps"] for b, g in pairs if b["rps"]),
                    "added_cpu_us_per_req": statistics.median(g["cpu_us_per_req"] - b["cpu_us_per_req"] for b, g in pairs),
                    "jwt_only_added_cpu_us_per_req": statistics.median(j["cpu_us_per_req"] - b["cpu_us_per_req"]
                                                                       for b, j in jpairs) if jpairs else None,
                    "jwt_only": summarize(per["jwt_only"]) if jpairs else None,
                    "jwt_only_added_p50_us": statistics.median(j["latency_us"]["p50"] - b["latency_us"]["p50"]
                                                               for b, j in jpairs) if jpairs else None,
                    "jwt_only_rps_ratio": statistics.median(j["rps"] / b["rps"] for b, j in jpairs if b["rps"])
                    if jpairs else None,
                    "floor": summarize(per["floor"]) if fpairs else None,
                    "floor_added_p50_us": statistics.median(f["latency_us"]["p50"] - b["latency_us"]["p50"]
                                                            for b, f in fpairs) if fpairs else None,
                    "floor_rps_ratio": statistics.median(f["rps"] / b["rps"] for b, f in fpairs if b["rps"]) if fpairs else None,
                    "floor_added_cpu_us_per_req": statistics.median(f["cpu_us_per_req"] - b["cpu_us_per_req"]
                                                                    for b, f in fpairs) if fpairs else None,
                    "native": summarize(per["native"]) if npairs else None,
                    "native_added_p50_us": statistics.median(x["latency_us"]["p50"] - b["latency_us"]["p50"]
                                                             for b, x in npairs) if npairs else None,
                    "native_rps_ratio": statistics.median(x["rps"] / b["rps"] for b, x in npairs if b["rps"]) if npairs else None,
                    "native_added_cpu_us_per_req": statistics.median(x["cpu_us_per_req"] - b["cpu_us_per_req"]
                                                                     for b, x in npairs) if npairs else None,
                    "rounds": [{"added_p50_us": g["latency_us"]["p50"] - b["latency_us"]["p50"],
                                "added_p99_us": g["latency_us"]["p99"] - b["latency_us"]["p99"],
                                "rps_ratio": g["rps"] / b["rps"] if b["rps"] else None} for b, g in pairs],
                }
                load.append(point)
                print(f"bench: {label:>6} c={conc:<2}  plain p50 {point['baseline']['p50_us']:>8.0f} us  "
                      f"gateway p50 {point['gateway']['p50_us']:>8.0f} us  added p50 {point['added_p50_us']:>7.0f} us  "
                      f"p99 {point['added_p99_us']:>7.0f} us  rps {point['baseline']['rps']:>7.0f} -> "
                      f"{point['gateway']['rps']:>7.0f} ({100 * point['rps_ratio']:.0f}%)  "
                      f"added CPU {point['added_cpu_us_per_req']:>6.0f} us/req", flush=True)
        result["load"] = load

        # 3. time to first token
        print("bench: time to first token (stream through the stand-in)", flush=True)
        result["ttft"] = ttft(token, n_ttft, 40, a.ttft_delay_ms, run / "standin")

        # 4. memory after the load
        mem_loaded = {t: memory_snapshot(targets[t][0]) for t in ("baseline", "gateway")}
        result["memory"] = memory_result(mem_idle, mem_loaded, a.workers)

        # 4b. memory with a shadow policy: its own gateway, its own (shorter) load, then stopped
        print("bench: memory with a shadow policy (a third Envoy: the gateway + the default policy as shadow)", flush=True)
        result["memory_shadow"] = shadow_memory(base, token, bodies, duration, a.workers, a.wrk_threads, run)

        # 5. scanning inside Envoy (audit records)
        time.sleep(0.6)  # access log flush interval is 200 ms
        recs = audit_records(audit)
        scan = {}
        for label, n in SIZES:
            for conc in CONCURRENCY:
                s = scan_stats(recs, windows.get((n, conc), []), n)
                if s:
                    scan[f"{label} c={conc}"] = s
        result["scan_envoy"] = scan
        if not a.no_native:
            nrecs = audit_records(native_audit)
            result["scan_envoy_native"] = {f"{label} c={conc}": s for label, n in SIZES for conc in CONCURRENCY
                                           if (s := scan_stats(nrecs, native_windows.get((n, conc), []), n))}
        result["audit_records"] = len(recs)

        # 6a. varied text with leading matches (docs/performance.md, "Varied text")
        print("bench: 1 MB varied text with leading matches (scan speed)", flush=True)
        result["scan_envoy_varied"] = varied(token, audit, 4 if a.quick else 10)

        # 6. crafted bodies: the scan's worst case (docs/detection.md, "Work bound")
        print("bench: crafted 1 MB bodies (scan work bound)", flush=True)
        result["crafted"] = crafted(token, audit)

        # 7. sealed capture (a second gateway with audit.capture "sealed"), after the others
        print("bench: sealed capture (audit.capture sealed) against the gateway, c=1, and a stream", flush=True)
        sg = envoy("sealed", run / "sealed" / "envoy.yaml", PORTS["sealed_admin"], a.workers, run)
        st = {"gateway": targets["gateway"], "sealed": (sg, PORTS["sealed"], token)}
        for n in SEALED_SIZES:
            c = check_request(PORTS["sealed"], bodies[n].read_bytes(), token)
            if c["status"] != 200:
                raise RuntimeError(f"{n} B through the sealed gateway: HTTP {c['status']}: {c['body']!r}")
        result["sealed"] = sealed_costs(st, bodies, token, duration, rounds, warmup, a.wrk_threads,
                                        max(20, n_ttft * 2), run / "standin", sealed_audit)
    finally:
        stop_all()

    if a.profile:
        print("bench: callgrind on the native 1 MB inspect path", flush=True)
        result["profile_top"] = profile(bodies[SIZES[-1][1]], run)[:6000]

    result["machine"]["loadavg_end"] = pathlib.Path("/proc/loadavg").read_text().split()[:3]
    result["elapsed_s"] = round(time.time() - t_begin, 1)
    result["budget"] = budget(result)
    out.mkdir(parents=True, exist_ok=True)
    (out / "result.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    err = chart(result, out / "chart.png")
    report(result, out, err)
    return 0


def artifact_compare(policy: pathlib.Path, run: pathlib.Path, out: pathlib.Path, workers: int,
                     upstream_workers: int, reps: int) -> int:
    """The gateway with the default policy and with `policy`, same .wasm, same Envoy configuration:
    the 4 KB and 1 MB chat bodies and the 1 MB varied body, `reps` times each, one request at a time,
    the two gateways in turn (after unmeasured sends that fill each VM's caches). MB/s = request_bytes
    / scan_us of the audit records (median); the VMs' linear memory from the filter's gauge."""
    sys.path.insert(0, str(ROOT / "wasm-tests"))
    from conftest import harness_policy, token as mint  # noqa: E402
    token = mint(sub="bench", clearance="SECRET", exp_in=3600)
    bodies = {"4 KB": chat_body(4096), "1 MB": chat_body(1_000_000), "1 MB varied": varied_body()}
    audits = {"default": run / "audit-default.jsonl", "artifact": run / "audit-artifact.jsonl"}
    render_gateway(run / "gateway", "gateway", harness_policy(POLICY, run), WASM, audits["default"])
    render_gateway(run / "artifact", "artifact", harness_policy(policy, run), WASM, audits["artifact"])
    (run / "upstream.yaml").write_text(UPSTREAM_YAML)
    result: dict = {"schema": "itar-bench-artifact/1",
                    "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                    "git": subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                          text=True).stdout.strip(),
                    "policy": str(policy), "policy_bytes": policy.stat().st_size, "reps": reps,
                    "machine": machine(), "bodies": {}}
    try:
        envoy("upstream", run / "upstream.yaml", PORTS["upstream_admin"], upstream_workers, run)
        gws = {"default": envoy("gateway", run / "gateway" / "envoy.yaml", PORTS["gateway_admin"], workers, run),
               "artifact": envoy("artifact", run / "artifact" / "envoy.yaml", PORTS["artifact_admin"], workers, run)}
        ports = {"default": PORTS["gateway"], "artifact": PORTS["artifact"]}
        for label, body in bodies.items():
            decisions: dict[str, set] = {g: set() for g in gws}
            for g in gws:
                for _ in range(4):
                    check_request(ports[g], body, token)
            time.sleep(0.6)
            t_first = time.time()
            for _ in range(reps):
                for g in gws:
                    c = check_request(ports[g], body, token)
                    decisions[g].add(f"{c['status']} {c['decision']}")
            time.sleep(0.6)
            row = {}
            for g in gws:
                recs = [r for r in audit_records(audits[g]) if r.get("request_bytes") == len(body)
                        and r.get("scan_us") and r["_t"] >= t_first - 0.5]
                rates = [r["request_bytes"] / r["scan_us"] for r in recs]
                row[g] = {"requests": len(recs), "decisions": sorted(decisions[g]),
                          "scan_us_p50": statistics.median([r["scan_us"] for r in recs]) if recs else None,
                          "mb_s_median": statistics.median(rates) if rates else None}
            result["bodies"][label] = row
            d, w = row["default"], row["artifact"]
            print(f"bench: {label:>11}: scan_us p50 {fmt(d['scan_us_p50'])} -> {fmt(w['scan_us_p50'])}, "
                  f"{fmt(d['mb_s_median'])} -> {fmt(w['mb_s_median'])} MB/s median "
                  f"({d['requests']}/{w['requests']} records, {d['decisions']} / {w['decisions']})", flush=True)
        mem = {}
        for g, e in gws.items():
            snap = memory_snapshot(e)
            linear = next((v for k, v in snap["wasm_stats"].items()
                           if k.endswith("itar_vm_memory_bytes") and isinstance(v, int)), None)
            mem[g] = {"rss_kib": snap["rss_kib"], "vm_linear_memory_mib": linear / 2**20 if linear else None}
        result["memory"] = mem
        print(f"bench: a VM's Wasm linear memory (itar_vm_memory_bytes) {fmt(mem['default']['vm_linear_memory_mib'], ' MiB', 1)}"
              f" -> {fmt(mem['artifact']['vm_linear_memory_mib'], ' MiB', 1)}; Envoy RSS "
              f"{fmt((mem['default']['rss_kib'] or 0) / 1024, ' MiB', 1)} -> {fmt((mem['artifact']['rss_kib'] or 0) / 1024, ' MiB', 1)}",
              flush=True)
    finally:
        stop_all()
    out.mkdir(parents=True, exist_ok=True)
    (out / "artifact.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(f"bench: wrote {out / 'artifact.json'}")
    return 0


def render_gateway(out: pathlib.Path, name: str, policy: pathlib.Path, wasm: pathlib.Path, audit: pathlib.Path,
                   extra: list[str] | tuple = ()):
    """scripts/render-envoy for a gateway on PORTS[name] / PORTS[name_admin], every destination
    to the fast upstream except onprem (the stand-in)."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "render-envoy"), "--out", str(out),
                    "--policy", str(policy), "--wasm", str(wasm),
                    "--gateway-port", str(PORTS[name]), "--admin-port", str(PORTS[f"{name}_admin"]),
                    "--audit", str(audit),
                    f"--upstream=commercial={PORTS['upstream']}", f"--upstream=usgov={PORTS['upstream']}",
                    f"--upstream=foreign={PORTS['upstream']}", f"--upstream=onprem={PORTS['standin']}", *extra],
                   check=True)


def shadow_memory(base: dict, token: str, bodies: dict, duration: float, workers: int, wrk_threads: int,
                  run: pathlib.Path) -> dict:
    """Memory of a gateway whose VMs hold a shadow policy beside the enforcing one, measured as the
    main gateway's (memory_result: RSS delta against the plain Envoy / VMs, and the filter's
    itar_vm_memory_bytes gauge). Its load is shorter than the main one (every body size at every
    concurrency for `duration` seconds, then a few streams), enough to grow the scan caches; it is
    started after the main gateway's load and stopped before the next phase."""
    sh = envoy("shadow", run / "shadow" / "envoy.yaml", PORTS["shadow_admin"], workers, run)
    try:
        idle = {"baseline": memory_snapshot(base), "gateway": memory_snapshot(sh)}
        url = f"http://127.0.0.1:{PORTS['shadow']}/v1/chat/completions"
        for label, n in SIZES:
            c = check_request(PORTS["shadow"], bodies[n].read_bytes(), token)
            if c["status"] != 200 or c["decision"] != "allow":
                raise RuntimeError(f"{label} body through the shadow gateway: HTTP {c['status']} decision {c['decision']}")
            for conc in CONCURRENCY:
                wrk(url, bodies[n], token, conc, duration, wrk_threads)
        body, headers, deltas = stream_request(40, 0, run / "standin")
        conn = http.client.HTTPConnection("127.0.0.1", PORTS["shadow"], timeout=30)
        try:
            for _ in range(5):
                stream_once(PORTS["shadow"], token, body, headers, deltas, conn)
        finally:
            conn.close()
        loaded = {"baseline": memory_snapshot(base), "gateway": memory_snapshot(sh)}
        time.sleep(0.6)  # access log flush interval is 200 ms
        recs = audit_records(run / "shadow-audit.jsonl")
        out = memory_result(idle, loaded, workers)
        out["requests"] = len(recs)
        out["shadow_evaluated"] = sum(1 for r in recs if isinstance(r.get("shadow"), dict))
        out["load"] = f"{len(SIZES)} body sizes x c={'/'.join(map(str, CONCURRENCY))} x {duration:g} s, 5 streams"
        out["method"] = ("(RSS of the shadow gateway - RSS of the plain Envoy read at the same moment, after the shadow "
                         "gateway's own load) / number of Wasm VMs; an upper bound, as for the gateway.")
        return out
    finally:
        stop(sh["proc"])


def summarize(runs: list[dict]) -> dict:
    lat = lambda k: statistics.median(r["latency_us"][k] for r in runs)  # noqa: E731
    return {"rps": statistics.median(r["rps"] for r in runs), "p50_us": lat("p50"), "p90_us": lat("p90"),
            "p99_us": lat("p99"), "mean_us": lat("mean"), "requests": sum(r["requests"] for r in runs),
            "cpu_us_per_req": statistics.median(r["cpu_us_per_req"] for r in runs),
            "errors": {k: sum(r["errors"][k] for r in runs) for k in runs[0]["errors"]},
            "rounds": [{"rps": r["rps"], "p50_us": r["latency_us"]["p50"], "p99_us": r["latency_us"]["p99"]} for r in runs]}


def memory_result(idle: dict, loaded: dict, workers: int) -> dict:
    vms = workers + 1  # one VM per worker plus the main thread's
    g_stats = loaded["gateway"].get("wasm_stats") or {}
    active = None
    for k, v in g_stats.items():
        if k.endswith("runtime.v8.active") and isinstance(v, int):
            active = v
    vm_count = active or vms
    d_rss = (loaded["gateway"]["rss_kib"] or 0) - (loaded["baseline"]["rss_kib"] or 0)
    d_rss_idle = (idle["gateway"]["rss_kib"] or 0) - (idle["baseline"]["rss_kib"] or 0)

    def alloc(s):
        m = s.get("admin_memory") or {}
        return int(m.get("allocated", 0))

    d_alloc = alloc(loaded["gateway"]) - alloc(loaded["baseline"])
    # The filter's own gauge: one VM's Wasm linear memory (the last VM to report it).
    linear = next((v for k, v in g_stats.items() if k.endswith("itar_vm_memory_bytes") and isinstance(v, int)), None)
    return {
        "vm_linear_memory_mib": linear / 2**20 if linear else None,
        "method": "(RSS of the gateway Envoy - RSS of the plain Envoy, same worker count, both after the same load) "
                  "/ number of Wasm VMs (workers + main thread, or the v8.active gauge). An upper bound: it also "
                  "counts jwt_authn, the extra clusters, the access log and V8's per-process engine.",
        "vms": vm_count, "idle": idle, "loaded": loaded,
        "rss_delta_mib_loaded": d_rss / 1024, "rss_delta_mib_idle": d_rss_idle / 1024,
        "tcmalloc_allocated_delta_mib": d_alloc / 2**20,
        "per_vm_mib": d_rss / 1024 / vm_count,
        "per_vm_mib_idle": d_rss_idle / 1024 / vm_count,
    }


def budget(r: dict) -> list[dict]:
    def point(label, c):
        return next((p for p in r.get("load", []) if p["label"] == label and p["concurrency"] == c), None)

    p4 = point("4 KB", 1)
    p16 = point("4 KB", 16)
    s1 = (r.get("scan_envoy") or {}).get("1 MB c=1")
    sv = r.get("scan_envoy_varied") or {}
    t = r.get("ttft") or {}
    m = r.get("memory") or {}
    ms = r.get("memory_shadow") or {}
    rows = [
        ("added p50 latency, 4 KB, c=1", p4 and p4["added_p50_us"], "<=", BUDGET["added_p50_us_4k_c1"], "us"),
        ("rps vs plain Envoy, 4 KB, c=16", p16 and 100 * p16["rps_ratio"], ">=", 100 * BUDGET["rps_ratio_4k_c16"], "%"),
        ("scan speed in Envoy, 1 MB (median of bytes/scan_us, c=1)", s1 and s1["mb_s_median"], ">=", BUDGET["scan_mb_s_envoy_1mb"], "MB/s"),
        ("scan speed in Envoy, 1 MB varied text with leading matches (median, one at a time)", sv.get("mb_s_median"), ">=",
         BUDGET["scan_mb_s_envoy_1mb_varied"], "MB/s"),
        ("added time to first token", t.get("ttft_added_us") and t["ttft_added_us"] / 1000, "<=", BUDGET["ttft_added_ms"], "ms"),
        (".wasm size", r["wasm"]["bytes"], "<=", BUDGET["wasm_bytes"], "bytes"),
        ("memory per VM (RSS delta / VMs)", m.get("per_vm_mib"), "<=", BUDGET["memory_per_vm_mib"], "MiB"),
        ("memory per VM with a shadow policy (RSS delta / VMs)", ms.get("per_vm_mib"), "<=", BUDGET["memory_per_vm_mib"], "MiB"),
    ]
    n4 = p4 and p4.get("native_added_p50_us")
    n16 = p16 and p16.get("native_rps_ratio")
    ns1 = (r.get("scan_envoy_native") or {}).get("1 MB c=1")
    if n4 is not None or n16 is not None or ns1:
        rows += [
            ("native: added p50 latency, 4 KB, c=1", n4, "<=", NATIVE_BUDGET["added_p50_us_4k_c1"], "us"),
            ("native: rps vs plain Envoy, 4 KB, c=16", n16 and 100 * n16, ">=", 100 * NATIVE_BUDGET["rps_ratio_4k_c16"], "%"),
            ("native: scan speed in Envoy, 1 MB (median of bytes/scan_us, c=1)", ns1 and ns1["mb_s_median"], ">=",
             NATIVE_BUDGET["scan_mb_s_envoy_1mb"], "MB/s"),
        ]
    out = []
    for name, v, op, lim, unit in rows:
        ok = None if v is None else (v <= lim if op == "<=" else v >= lim)
        out.append({"name": name, "value": v, "op": op, "limit": lim, "unit": unit,
                    "status": "n/a" if ok is None else ("PASS" if ok else "MISS")})
    return out


def report(r: dict, out: pathlib.Path, chart_err: str | None):
    m = r["machine"]
    print()
    print(f"ITAR gateway benchmark  {r['time']}  commit {r['git']['commit'][:10]}{' (dirty)' if r['git']['dirty'] else ''}"
          f"{'  QUICK' if r['settings']['quick'] else ''}")
    print(f"machine: {m['nproc']} CPUs, {m['cpu_model']}, {fmt((m['mem_total_kib'] or 0) / 2**20, ' GiB', 1)}, "
          f"load {'/'.join(m['loadavg'])} -> {'/'.join(m['loadavg_end'])}; Envoy {r['envoy_version']}")
    print(f"Envoy workers {r['settings']['workers']}, {r['settings']['rounds']} x {r['settings']['duration_s']} s per point "
          f"per target (+{r['settings']['warmup_s']} s warmup), wrk closed loop\n")
    print("| body | conc | plain p50 us | gw p50 us | added p50 us | plain p99 us | gw p99 us | added p99 us | plain rps | gw rps | rps ratio | added CPU us/req | gw scan_us p50 | jwt-only added p50 us | jwt-only rps ratio | jwt-only added CPU us/req |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for p in r["load"]:
        s = (r.get("scan_envoy") or {}).get(f"{p['label']} c={p['concurrency']}") or {}
        print(f"| {p['label']} | {p['concurrency']} | {p['baseline']['p50_us']:.0f} | {p['gateway']['p50_us']:.0f} | "
              f"{p['added_p50_us']:.0f} | {p['baseline']['p99_us']:.0f} | {p['gateway']['p99_us']:.0f} | {p['added_p99_us']:.0f} | "
              f"{p['baseline']['rps']:.0f} | {p['gateway']['rps']:.0f} | {100 * p['rps_ratio']:.0f}% | "
              f"{fmt(p.get('added_cpu_us_per_req'))} | {fmt(s.get('scan_us_p50'))} | "
              f"{fmt(p.get('jwt_only_added_p50_us'))} | {fmt(p['jwt_only_rps_ratio'] and 100 * p['jwt_only_rps_ratio'], '%')} | "
              f"{fmt(p.get('jwt_only_added_cpu_us_per_req'))} |")
    print()
    errs = {f"{p['label']} c={p['concurrency']} {t}": p[t]["errors"] for p in r["load"]
            for t in ("baseline", "gateway", "jwt_only") if p.get(t) and any(p[t]["errors"].values())}
    if errs:
        print(f"wrk errors (non-2xx counted under status): {errs}\n")
    nat = r["native"]
    print(f"policy compile (native, Engine::from_policy_json): {fmt(nat['compile_ms_median'], ' ms', 1)} median "
          f"({fmt(nat['compile_ms_min'], ' ms', 1)} min of {nat['compile_reps']}); Envoy start to /ready: "
          f"plain {fmt(r['startup_ready_s']['baseline'] * 1e3, ' ms')}, gateway {fmt(r['startup_ready_s']['gateway'] * 1e3, ' ms')}")
    print("scan speed, native one core (inspect_request / scan_body MB/s): " + ", ".join(
        f"{b['bytes']} B {b['inspect_mb_s']:.0f}/{b['scan_body_mb_s']:.0f}" for b in nat["bodies"]))
    se = r.get("scan_envoy") or {}
    sizes = [k[:-4] for k in se if k.endswith(" c=1")]
    if sizes:
        print("scan speed in Envoy, every body (median MB/s of bytes/scan_us, c=1 / c=16): " + ", ".join(
            f"{z} {fmt(se.get(z + ' c=1', {}).get('mb_s_median'))}/{fmt(se.get(z + ' c=16', {}).get('mb_s_median'))}"
            for z in sizes))
    for k, s in se.items():
        if k.startswith("1 MB"):
            print(f"scan speed in Envoy, {k}: {s['mb_s_median']:.0f} MB/s median ({s['requests']} requests, scan_us p50 "
                  f"{s['scan_us_p50']:.0f}, aggregate {s['mb_s_aggregate']:.0f} MB/s)")
    sv = r.get("scan_envoy_varied")
    if sv:
        print(f"scan speed in Envoy, 1 MB varied text with leading matches: {fmt(sv['mb_s_median'])} MB/s median "
              f"({sv['requests']} requests, scan_us p50 {fmt(sv['scan_us_p50'])}, {', '.join(sv['decisions'])})")
    for k, c in (r.get("crafted") or {}).items():
        print(f"crafted {k} ({c['bytes']} B, docs/detection.md 'Work bound'): wall {c['wall_ms_median']:.0f} ms median, "
              f"scan_us {fmt(c['scan_us_median'])}, {', '.join(c['decisions'])}")
    t = r["ttft"]
    print(f"time to first token ({t['requests_per_target']} streams each, {t['deltas']} deltas, {t['chunk_delay_ms']} ms apart): "
          f"plain {t['ttft_us']['baseline']:.0f} us, gateway {t['ttft_us']['gateway']:.0f} us, added {t['ttft_added_us']:.0f} us; "
          f"later deltas added {fmt(t['per_delta_added_us_median'], ' us')} (median), "
          f"{100 * t['held_back_fraction']:.0f}% of them held back about one delta interval; "
          f"added time drifts {fmt(t.get('drift_us_per_delta'), ' us', 0)} per delta along the stream")
    mm = r["memory"]
    print(f"memory: RSS plain {mm['loaded']['baseline']['rss_kib'] / 1024:.1f} MiB, gateway {mm['loaded']['gateway']['rss_kib'] / 1024:.1f} MiB "
          f"after load ({mm['rss_delta_mib_idle']:.1f} MiB more when idle); {mm['vms']} VMs -> {mm['per_vm_mib']:.1f} MiB per VM; "
          f"a VM's Wasm linear memory (itar_vm_memory_bytes) {fmt(mm.get('vm_linear_memory_mib'), ' MiB', 1)}")
    ms = r.get("memory_shadow")
    if ms:
        print(f"memory with a shadow policy (the default policy as both; load: {ms['load']}; {ms['shadow_evaluated']} of "
              f"{ms['requests']} audit records evaluated by the shadow): RSS {ms['loaded']['gateway']['rss_kib'] / 1024:.1f} MiB "
              f"after load ({ms['rss_delta_mib_idle']:.1f} MiB over plain Envoy when idle); {ms['vms']} VMs -> "
              f"{ms['per_vm_mib']:.1f} MiB per VM; a VM's Wasm linear memory {fmt(ms.get('vm_linear_memory_mib'), ' MiB', 1)}")
    floor = [p for p in r["load"] if p.get("floor")]
    if floor:
        print("platform floor (floor/src/lib.rs: buffers request and response, routes, 1.2 KB filter state; no logic), "
              "same Envoy configuration as the gateway:")
        print("| body | conc | floor added p50 us | gateway added p50 us | floor rps ratio | gateway rps ratio | floor added CPU us/req | gateway added CPU us/req |")
        print("|---|---|---|---|---|---|---|---|")
        for p in floor:
            print(f"| {p['label']} | {p['concurrency']} | {p['floor_added_p50_us']:.0f} | {p['added_p50_us']:.0f} | "
                  f"{100 * p['floor_rps_ratio']:.0f}% | {100 * p['rps_ratio']:.0f}% | {fmt(p['floor_added_cpu_us_per_req'])} | "
                  f"{fmt(p['added_cpu_us_per_req'])} |")
        print()
    nat_points = [p for p in r["load"] if p.get("native")]
    if nat_points:
        print("native build (the Envoy dynamic module, native/) vs the Wasm gateway, same policy and Envoy configuration:")
        print("| body | conc | native added p50 us | wasm added p50 us | native rps ratio | wasm rps ratio | native added CPU us/req | wasm added CPU us/req | native scan MB/s (median) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for p in nat_points:
            ns = (r.get("scan_envoy_native") or {}).get(f"{p['label']} c={p['concurrency']}") or {}
            print(f"| {p['label']} | {p['concurrency']} | {p['native_added_p50_us']:.0f} | {p['added_p50_us']:.0f} | "
                  f"{100 * p['native_rps_ratio']:.0f}% | {100 * p['rps_ratio']:.0f}% | {fmt(p['native_added_cpu_us_per_req'])} | "
                  f"{fmt(p['added_cpu_us_per_req'])} | {fmt(ns.get('mb_s_median'))} |")
        print()
    sc = r.get("sealed")
    if sc:
        print("sealed capture (audit.capture \"sealed\", one recipient) vs the gateway with capture \"none\", c=1:")
        print("| body | gw p50 us | sealed p50 us | added p50 us | gw CPU us/req | sealed CPU us/req | added CPU us/req | record line bytes |")
        print("|---|---|---|---|---|---|---|---|")
        lb = sc.get("line_bytes_median_by_request_bytes") or {}
        for b in sc["buffered"]:
            print(f"| {b['bytes']:,} B | {b['gateway_p50_us']:.0f} | {b['sealed_p50_us']:.0f} | {b['added_p50_us']:.0f} | "
                  f"{b['gateway_cpu_us_per_req']:.0f} | {b['sealed_cpu_us_per_req']:.0f} | {b['added_cpu_us_per_req']:.0f} | "
                  f"{fmt(lb.get(str(b['bytes'])))} |")
        s2 = sc["stream"]
        print(f"stream ({s2['streams']} each, {s2['deltas']} deltas, no delay): last delta at {s2['gateway_last_delta_us']:.0f} us "
              f"-> {s2['sealed_last_delta_us']:.0f} us (added {s2['added_last_delta_us']:.0f} us); proxy CPU per stream "
              f"{s2['gateway_cpu_us_per_stream']:.0f} -> {s2['sealed_cpu_us_per_stream']:.0f} us "
              f"(added {s2['added_cpu_us_per_stream']:.0f} us)")
        print(f"records: {sc['records_sealed']} of {sc['records']} forwarded requests sealed, {sc['records_in_clear']} with clear text\n")
    print(f".wasm: {r['wasm']['bytes']:,} bytes\n")
    print("budget:")
    for b in r["budget"]:
        v = b["value"]
        print(f"  {b['status']:<4}  {b['name']}: {fmt(v, '', 1 if isinstance(v, float) else 0)} {b['unit']} "
              f"(budget {b['op']} {fmt(b['limit'], '', 0)} {b['unit']})")
    print(f"\nwrote {out / 'result.json'}" + (f" and {out / 'chart.png'}" if not chart_err else f" ({chart_err})")
          + f" in {r['elapsed_s']:.0f} s")


def _term(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _term)
    signal.signal(signal.SIGHUP, _term)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
    finally:
        stop_all()
