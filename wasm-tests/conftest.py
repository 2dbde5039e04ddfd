"""Fixtures that run the built filter inside real Envoy, in front of the loopback stand-ins.

The .wasm must be built first (scripts/test does it). Every process started here is stopped here.
Ports differ from the demo's (scripts/run) so the tests can run while the demo is up.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
VENV_BIN = pathlib.Path(sys.executable).parent
ENVOY = os.environ.get("ENVOY_BIN") or str(VENV_BIN / "envoy")
WASM = ROOT / "target" / "wasm32-wasip1" / "release" / "itar_wasm.wasm"
POLICY = ROOT / "policies" / "default.json"
DESTINATIONS = ["onprem", "usgov", "commercial", "foreign"]
# Every port the tests bind is BASE + an offset, so two suites with different bases run at once:
# +1..+4 the session's stand-ins, +10/+11 its gateway; the modules that start their own Envoys or
# stand-ins say which offsets they take (+20 to +131, +190/+191, +200 to +299, +350 to +361,
# +600 to +699, +710 to +721, +730/+731). Scripts the tests run get their ports from it too (scripts/soak --port-base).
# A base below the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range, 32768-60999
# by default) is safest: there, any process's outgoing connection may hold a port when a test
# binds it.
BASE = int(os.environ.get("ITAR_TEST_PORT_BASE", "28000"))
# ITAR_BUILD=native runs the suite against the Envoy dynamic module (target/native/libitar_native.so,
# `cargo build --profile native -p itar-native`) instead of the .wasm: every gateway's bootstrap is
# rendered with --native and Envoy finds the module through ENVOY_DYNAMIC_MODULES_SEARCH_PATH.
NATIVE = os.environ.get("ITAR_BUILD", "wasm") == "native"
NATIVE_DIR = ROOT / "target" / "native"
if NATIVE:
    os.environ["ENVOY_DYNAMIC_MODULES_SEARCH_PATH"] = str(NATIVE_DIR)


# The stats prefix of the filter's own counters: Envoy's for Wasm filters, or for dynamic modules.
STAT_PREFIX = "dynamicmodulescustom." if NATIVE else "wasmcustom."


def wasm_only(reason: str):
    """Skip a test (or module, as `pytestmark`) in the native run: `reason` names the capability
    the dynamic-module build lacks (docs/deployment.md, "Native module")."""
    return pytest.mark.skipif(NATIVE, reason=f"native build: {reason}")


def _load_minter():
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.SourceFileLoader("mint_token", str(ROOT / "scripts" / "mint-token"))
    spec = importlib.util.spec_from_loader("mint_token", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


mint_token = _load_minter()


def token(**kw) -> str:
    """A demo token; keyword arguments as mint_token.demo_claims, plus alg/key/kid/alg_none/extra/drop."""
    alg = kw.pop("alg", "RS256")
    key = kw.pop("key", None)
    kid = kw.pop("kid", None)
    alg_none = kw.pop("alg_none", False)
    extra = kw.pop("extra", {})
    drop = kw.pop("drop", ())
    claims = mint_token.demo_claims(**kw)
    claims.update(extra)
    for k in drop:
        claims.pop(k, None)
    return mint_token.mint(claims, alg, key, kid, alg_none)


def wait_port(port: int, timeout: float = 10.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def script_headers(record_dir: pathlib.Path, headers: dict | None) -> dict:
    """Headers with the stand-in's x-standin-* controls moved into a script file (standin.py,
    x-standin-script): the gateway forwards no header it does not scan, and a scripted reply may
    be controlled text that must not cross it in the request."""
    headers = dict(headers or {})
    control = {k: headers.pop(k) for k in list(headers) if k.lower().startswith("x-standin-")
               and k.lower() != "x-standin-script"}
    if control:
        d = pathlib.Path(record_dir) / "scripts"
        d.mkdir(parents=True, exist_ok=True)
        name = os.urandom(8).hex()
        (d / f"{name}.json").write_text(json.dumps(control))
        headers["x-standin-script"] = name
    return headers


def harness_policy(policy: pathlib.Path | str, workdir: pathlib.Path) -> pathlib.Path:
    """The policy as the test gateways run it: the given one, forwarding the stand-ins' script
    header (x-standin-script, an opaque name) besides what it forwards itself. A file that is not
    a JSON object (the bad-policy tests) is used as it is."""
    policy = pathlib.Path(policy)
    try:
        p = json.loads(policy.read_text())
    except (ValueError, OSError):
        return policy
    if not isinstance(p, dict):
        return policy
    rh = p.setdefault("request_headers", {})
    if isinstance(rh, dict):
        fwd = rh.setdefault("forward", [])
        if isinstance(fwd, list) and "x-standin-script" not in fwd:
            fwd.append("x-standin-script")
    out = workdir / f"harness-{os.urandom(4).hex()}-{policy.name}"
    out.write_text(json.dumps(p, indent=1))
    return out


def jsonl(path: pathlib.Path) -> list[dict]:
    """The complete JSON lines a writer has put in `path` so far (a last line still being written
    has no newline yet and is left for the next read)."""
    text = path.read_text()
    return [json.loads(line) for line in text[:text.rfind("\n") + 1].splitlines() if line.strip()]


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


class Standins:
    """The four stand-in destinations, recording every request to DIR/NAME.jsonl."""

    def __init__(self, record_dir: pathlib.Path, ports: dict[str, int]):
        self.dir = record_dir
        self.ports = ports
        ready = record_dir / "ready.json"
        args = [sys.executable, str(ROOT / "wasm-tests" / "standin" / "standin.py"), "--record-dir", str(record_dir),
                "--ready-file", str(ready)] + [f"{n}={p}" for n, p in ports.items()]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        end = time.time() + 10
        while not ready.exists():
            if self.proc.poll() is not None or time.time() > end:
                raise RuntimeError(f"stand-ins did not start: {self.proc.stderr.read().decode()}")
            time.sleep(0.05)

    def records(self, name: str) -> list[dict]:
        p = self.dir / f"{name}.jsonl"
        if not p.exists():
            return []
        return jsonl(p)

    def all_bodies(self) -> str:
        return "\n".join(r.get("body", "") for n in self.ports for r in self.records(n))

    def everything(self) -> str:
        """Every recorded request whole (method, path with query, headers, body), as text."""
        return "\n".join(json.dumps(r, ensure_ascii=False) for n in self.ports for r in self.records(n))

    def script(self, headers: dict) -> dict:
        """`headers` with its x-standin-* controls moved into a script (see script_headers)."""
        return script_headers(self.dir, headers)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Gateway:
    """Envoy with the built filter and a policy, rendered into its own directory."""

    def __init__(self, workdir: pathlib.Path, standins: Standins, policy: pathlib.Path | str = POLICY,
                 port: int = BASE + 10, admin: int = BASE + 11, jwt: bool = True, concurrency: int = 2,
                 wasm: pathlib.Path = WASM, render_args: list[str] | None = None):
        self.dir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.standins = standins
        self.port = port
        self.admin = admin
        self.audit_path = workdir / "audit.jsonl"
        self.audit_path.touch()
        self.log_path = workdir / "envoy.log"
        self.policy = harness_policy(policy, workdir)
        self.wasm = wasm
        self.jwt = jwt
        self.render_args = list(render_args or [])  # extra scripts/render-envoy arguments (e.g. --tls-cert)
        self.render()
        self.proc = subprocess.Popen(
            [ENVOY, "-c", str(workdir / "envoy" / "envoy.yaml"), "--concurrency", str(concurrency),
             "--log-level", "info", "--file-flush-interval-msec", "50", "--base-id", str(port)],
            stdout=self.log_path.open("wb"), stderr=subprocess.STDOUT)
        try:
            wait_port(admin)
            wait_port(port)
        except TimeoutError as e:
            raise TimeoutError(f"{e}; envoy log:\n{self.log()[-3000:]}") from None
        self._wait_ready()

    def render(self, ecds_only: bool = False, policy: pathlib.Path | None = None):
        args = [sys.executable, str(ROOT / "scripts" / "render-envoy"), "--out", str(self.dir / "envoy"),
                "--policy", str(harness_policy(policy, self.dir) if policy else self.policy),
                *(["--native"] if NATIVE and self.wasm == WASM else ["--wasm", str(self.wasm)]),
                "--gateway-port", str(self.port), "--admin-port", str(self.admin),
                "--audit", str(self.audit_path)]
        args += [f"--upstream={n}={p}" for n, p in self.standins.ports.items()]
        if not self.jwt:
            args.append("--no-jwt")
        args += self.render_args
        if ecds_only:
            args.append("--ecds-only")
        subprocess.run(args, check=True)

    def _wait_ready(self, timeout: float = 15.0):
        end = time.time() + timeout
        while time.time() < end:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.admin}/ready", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:  # refused, reset, or a read timing out while Envoy is busy starting
                pass
            time.sleep(0.05)
        raise TimeoutError(f"envoy not ready; log:\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 30) -> Response:
        headers = script_headers(self.standins.dir, headers) if hasattr(self.standins, "dir") else headers
        req = urllib.request.Request(self.url(path), data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Response(r.status, r.getheaders(), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, e.headers.items(), e.read())

    def post(self, path: str, body, tok: str | None = None, headers: dict | None = None) -> Response:
        h = {"content-type": "application/json"}
        if tok:
            h["authorization"] = f"Bearer {tok}"
        h.update(headers or {})
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.request("POST", path, data, h)

    def chat(self, text: str, tok: str | None = None, model: str = "gpt-4o", headers=None, **extra) -> Response:
        body = {"model": model, "messages": [{"role": "user", "content": text}], **extra}
        return self.post("/v1/chat/completions", body, tok, headers)

    def messages(self, text: str, tok: str | None = None, model: str = "claude-sonnet-5-5", headers=None) -> Response:
        body = {"model": model, "max_tokens": 64, "messages": [{"role": "user", "content": text}]}
        return self.post("/v1/messages", body, tok, headers)

    def audit(self) -> list[dict]:
        return jsonl(self.audit_path)

    def audit_after(self, start: int, n: int = 1, timeout: float = 5.0) -> list[dict]:
        """Wait until at least `n` audit lines exist after line index `start`; return them."""
        end = time.time() + timeout
        while True:
            lines = self.audit()
            if len(lines) - start >= n or time.time() > end:
                return lines[start:]
            time.sleep(0.03)

    def mark(self) -> int:
        """Where the audit log stands once the records of earlier requests are written: the start
        index for audit_after (a count taken while Envoy still buffers a record is one short)."""
        self.settle()
        return len(self.audit())

    def settle(self, quiet: float = 0.15, timeout: float = 5.0) -> None:
        """Wait until the audit log stops growing (Envoy flushes it every 50 ms here)."""
        end = time.time() + timeout
        n = len(self.audit())
        while time.time() < end:
            time.sleep(quiet)
            m = len(self.audit())
            if m == n:
                return
            n = m

    def stats(self, prefix: str = "") -> dict[str, int]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin}/stats?filter={prefix}", timeout=5) as r:
            out = {}
            for line in r.read().decode().splitlines():
                k, _, v = line.partition(": ")
                if v.strip().lstrip("-").isdigit():
                    out[k] = int(v)
            return out

    def stats_when(self, prefix: str, ok, timeout: float = 5.0) -> dict[str, int]:
        """`stats(prefix)` once `ok(stats)` holds (the filter's counters reach Envoy on a 500 ms
        timer, docs/observability.md), or as they are after `timeout`."""
        end = time.time() + timeout
        while True:
            stats = self.stats(prefix)
            if ok(stats) or time.time() >= end:
                return stats
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def workdir():
    d = pathlib.Path(tempfile.mkdtemp(prefix="itar-wasm-tests-"))
    yield d
    if not os.environ.get("ITAR_KEEP_TEST_DIR"):
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def standins(workdir):
    ports = {n: BASE + 1 + i for i, n in enumerate(DESTINATIONS)}
    d = workdir / "upstreams"
    d.mkdir()
    s = Standins(d, ports)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def gateway(workdir, standins):
    if not WASM.exists():
        pytest.fail(f"{WASM} is missing: build it first (scripts/test does)")
    g = Gateway(workdir / "gw", standins)
    yield g
    g.stop()


@pytest.fixture
def fresh(gateway, standins):
    """Marks where the audit log and the recordings stood before a test, to look only at what it added."""

    gateway.settle()

    class Mark:
        audit_start = len(gateway.audit())
        rec_start = {n: len(standins.records(n)) for n in DESTINATIONS}

        def new_records(self, name):
            return standins.records(name)[self.rec_start[name]:]

        def new_bodies(self) -> str:
            return "\n".join(r.get("body", "") for n in DESTINATIONS for r in self.new_records(n))

        def audit(self, n=1):
            return gateway.audit_after(self.audit_start, n)

    return Mark()


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def post_raw(gateway, path: str, body: dict, headers: dict, credential: dict) -> tuple[int, dict, list[bytes]]:
    """POST `body` (JSON) through the gateway with the caller's `credential` header and the
    stand-ins' script `headers`, and read the raw response body write by write, as the client
    receives it: (status, response headers by lower-case name, the reads)."""
    conn = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
    h = {"content-type": "application/json", **credential, **gateway.standins.script(headers)}
    conn.request("POST", path, json.dumps(body), h)
    resp = conn.getresponse()
    reads = []
    while True:
        piece = resp.read1(65536)
        if not piece:
            break
        reads.append(piece)
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, reads


def sse_events(raw: bytes) -> list[tuple[str | None, dict | str]]:
    """A raw server-sent event stream's events, one (event name or None, data) per `data:` line:
    the data parsed as JSON, `[DONE]` as it is."""
    out = []
    for block in raw.decode().replace("\r\n", "\n").split("\n\n"):
        name, data = None, []
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        out.extend((name, d if d == "[DONE]" else json.loads(d)) for d in data)
    return out
