"""Transport: downstream TLS and mutual TLS on the gateway listener (scripts/render-envoy --tls-*).

A throw-away PKI is made per test session with scripts/make-demo-certs (openssl) in a temporary
directory: a CA, a server certificate for 127.0.0.1/localhost, a good client certificate, an
expired one, and one from a foreign CA. Envoy runs the built filter with TLS 1.2+ and required
client certificates; python's ssl/http.client plays the client. Ports BASE+101 to BASE+131
(conftest.BASE, ITAR_TEST_PORT_BASE; own stand-ins, so this file runs alongside other test sessions).
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import pathlib
import shutil
import socket
import ssl
import subprocess
import sys
import time
import warnings

import pytest

from conftest import BASE, DESTINATIONS, ENVOY, POLICY, ROOT, WASM, Gateway, Standins, token, wait_port

TOK = token(sub="alice", clearance="SECRET")
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hello over TLS!"}]}
# What a refused handshake looks like to the client: an alert (SSLError), or the connection
# closed/reset under it (TLS 1.3 clients only learn of a refused certificate when they read).
REFUSED = (ssl.SSLError, ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> pathlib.Path:
    d = tmp_path_factory.mktemp("pki")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make-demo-certs"), "--out", str(d)], check=True,
                   capture_output=True)
    return d


def tls_args(pki: pathlib.Path, require: bool = True) -> list[str]:
    args = ["--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key.pem"),
            "--tls-client-ca", str(pki / "ca.pem")]
    return args + (["--require-client-cert"] if require else [])


@pytest.fixture(scope="module")
def standins(tmp_path_factory):
    """This module's own stand-ins (BASE+101 to BASE+104), not the session's."""
    d = tmp_path_factory.mktemp("tls-upstreams")
    s = Standins(d, {n: BASE + 101 + i for i, n in enumerate(DESTINATIONS)})
    yield s
    s.stop()


class FilterDropsXfcc(Gateway):
    """The gateway with the route's own `request_headers_to_remove: [x-forwarded-client-cert]`
    taken out of the rendered bootstrap, so that only the filter can keep the header from the
    provider (as in deployments whose routes do not remove it)."""

    def render(self, ecds_only: bool = False, policy: pathlib.Path | None = None):
        super().render(ecds_only, policy)
        f = self.dir / "envoy" / "envoy.yaml"
        text = f.read_text().replace(", x-forwarded-client-cert]", "]")
        f.write_text(text)
        removals = [ln for ln in text.splitlines() if "request_headers_to_remove" in ln]
        assert removals and not any("x-forwarded-client-cert" in ln for ln in removals), removals


@pytest.fixture(scope="module")
def mtls(workdir, standins, pki):
    g = FilterDropsXfcc(workdir / "gw-mtls", standins, port=BASE + 110, admin=BASE + 111, render_args=tls_args(pki))
    yield g
    g.stop()


def ctx_for(pki: pathlib.Path, cert: str | None = None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    if cert:
        ctx.load_cert_chain(str(pki / f"{cert}.pem"), str(pki / f"{cert}.key.pem"))
    return ctx


def https_chat(port: int, ctx: ssl.SSLContext, body: dict = CHAT, headers: dict | None = None):
    """POST a chat request over TLS; returns (status, headers, body, TLS version, cipher name)."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    try:
        h = {"content-type": "application/json", "authorization": f"Bearer {TOK}", **(headers or {})}
        conn.request("POST", "/v1/chat/completions", body=json.dumps(body).encode(), headers=h)
        version, cipher = conn.sock.version(), conn.sock.cipher()[0]
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read(), version, cipher
    finally:
        conn.close()


def ssl_stats(gw: Gateway) -> dict[str, int]:
    """The listener's TLS counters, e.g. fail_verify_no_cert, fail_verify_error, handshake."""
    pre = f"listener.127.0.0.1_{gw.port}.ssl."
    return {k[len(pre):]: v for k, v in gw.stats(pre).items() if k.startswith(pre)}


def refused(port: int, ctx: ssl.SSLContext, standins, gw: Gateway) -> tuple[BaseException, dict[str, int]]:
    """The attempt must fail at the TLS layer: no HTTP response, nothing upstream, no audit line.
    Returns the client's exception and which of Envoy's TLS counters moved (the server's reason)."""
    before = (len(standins.records("commercial")), gw.mark())
    stats = ssl_stats(gw)
    with pytest.raises(REFUSED) as e:
        https_chat(port, ctx)
    gw.settle()
    assert (len(standins.records("commercial")), gw.mark()) == before
    after = ssl_stats(gw)
    moved = {k: v - stats.get(k, 0) for k, v in after.items() if v != stats.get(k, 0) and "expiration" not in k}
    assert "handshake" not in moved, moved  # no completed handshake counted
    return e.value, moved


def alert(e: BaseException) -> str:
    """The TLS alert the client got, if it got one before the connection closed ("" otherwise)."""
    return str(e).upper() if isinstance(e, ssl.SSLError) and not isinstance(e, ssl.SSLEOFError) else ""


def test_good_client_cert_gets_200_over_tls13(mtls, standins, pki):
    before = len(standins.records("commercial"))
    status, headers, body, version, _ = https_chat(mtls.port, ctx_for(pki, "client"))
    assert status == 200, body
    assert json.loads(body)["choices"][0]["message"]["content"].startswith("Hello from the commercial stand-in")
    assert headers["x-itar-destination"] == "commercial"
    assert version == "TLSv1.3"  # preferred when the client offers it
    assert len(standins.records("commercial")) == before + 1


def test_xfcc_is_set_by_envoy_only(mtls, standins, pki):
    """A client-sent x-forwarded-client-cert is dropped by Envoy (SANITIZE_SET), and the one Envoy
    sets from the verified certificate (it names the client) is dropped by the filter: neither
    reaches the model provider (this gateway's routes do not remove it, see FilterDropsXfcc)."""
    before = len(standins.records("commercial"))
    forged = 'By=spiffe://evil.invalid;Subject="CN=root";URI=spiffe://evil.invalid/user/root'
    status, _, body, _, _ = https_chat(mtls.port, ctx_for(pki, "client"), headers={"x-forwarded-client-cert": forged})
    assert status == 200, body
    [rec] = standins.records("commercial")[before:]
    assert "evil.invalid" not in json.dumps(rec["headers"])
    assert "x-forwarded-client-cert" not in {k.lower() for k in rec["headers"]}, rec["headers"]
    assert "alice" not in json.dumps(rec["headers"]).lower()


def test_no_client_cert_refused(mtls, standins, pki):
    e, moved = refused(mtls.port, ctx_for(pki), standins, mtls)
    assert moved.get("fail_verify_no_cert") == 1, (e, moved)


def test_expired_client_cert_refused(mtls, standins, pki):
    e, moved = refused(mtls.port, ctx_for(pki, "client-expired"), standins, mtls)
    assert moved.get("fail_verify_error") == 1, (e, moved)
    assert "EXPIRED" in alert(e) or not alert(e), e


def test_foreign_ca_client_cert_refused(mtls, standins, pki):
    e, moved = refused(mtls.port, ctx_for(pki, "client-foreign"), standins, mtls)
    assert moved.get("fail_verify_error") == 1, (e, moved)
    assert "UNKNOWN_CA" in alert(e) or not alert(e), e


def test_tls11_refused(mtls, standins, pki):
    ctx = ctx_for(pki, "client")
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # let this client offer TLS 1.1 at all
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    e, moved = refused(mtls.port, ctx, standins, mtls)
    # The server answered with a protocol_version alert (not a client-side "no protocols").
    assert "PROTOCOL_VERSION" in alert(e), (e, moved)
    assert moved.get("connection_error") == 1, moved


def test_tls12_only_aead_ecdhe_ciphers(mtls, standins, pki):
    ctx = ctx_for(pki, "client")
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    status, _, body, version, cipher = https_chat(mtls.port, ctx)
    assert status == 200 and version == "TLSv1.2", body
    assert cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher), cipher
    # A CBC suite (still offered by many clients) is refused.
    cbc = ctx_for(pki, "client")
    cbc.maximum_version = ssl.TLSVersion.TLSv1_2
    cbc.set_ciphers("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:@SECLEVEL=0")
    e, moved = refused(mtls.port, cbc, standins, mtls)
    assert "HANDSHAKE_FAILURE" in alert(e), (e, moved)


def test_alpn_offers_h2(mtls, pki):
    ctx = ctx_for(pki, "client")
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", mtls.port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            assert s.selected_alpn_protocol() == "h2"
            assert s.version() == "TLSv1.3"


def test_plaintext_to_tls_port_refused(mtls, standins):
    before = (len(standins.records("commercial")), mtls.mark())
    body = json.dumps(CHAT).encode()
    req = (f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
           f"authorization: Bearer {TOK}\r\ncontent-length: {len(body)}\r\n\r\n").encode() + body
    got = b""
    with socket.create_connection(("127.0.0.1", mtls.port), timeout=5) as s:
        try:
            s.sendall(req)
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass
    assert b"HTTP/" not in got  # Envoy closed the connection: no HTTP answer at all
    mtls.settle()
    assert (len(standins.records("commercial")), mtls.mark()) == before


def test_optional_client_cert_mode(workdir, standins, pki):
    """--tls-client-ca without --require-client-cert: no certificate is fine, a bad one is not."""
    g = Gateway(workdir / "gw-tls-optional", standins, port=BASE + 120, admin=BASE + 121, render_args=tls_args(pki, require=False))
    try:
        status, _, body, _, _ = https_chat(g.port, ctx_for(pki))
        assert status == 200, body
        _, moved = refused(g.port, ctx_for(pki, "client-foreign"), standins, g)
        assert moved.get("fail_verify_error") == 1, moved
        status, _, body, _, _ = https_chat(g.port, ctx_for(pki, "client"))
        assert status == 200, body
    finally:
        g.stop()


def test_render_refuses_incomplete_tls_flags(tmp_path, pki):
    render = [sys.executable, str(ROOT / "scripts" / "render-envoy"), "--out", str(tmp_path)]
    for bad in (["--tls-cert", str(pki / "server.pem")],
                ["--tls-client-ca", str(pki / "ca.pem")],
                ["--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key.pem"), "--require-client-cert"]):
        r = subprocess.run(render + bad, capture_output=True, text=True)
        assert r.returncode == 2, (bad, r.stderr)
    assert not (tmp_path / "envoy.yaml").exists()


def test_tls_bootstrap_validates(tmp_path, pki):
    """The rendered TLS bootstrap passes `envoy --mode validate`; plaintext has no transport socket."""
    base = [sys.executable, str(ROOT / "scripts" / "render-envoy")]
    subprocess.run(base + ["--out", str(tmp_path / "tls")] + tls_args(pki), check=True)
    text = (tmp_path / "tls" / "envoy.yaml").read_text()
    assert "DownstreamTlsContext" in text and "forward_client_cert_details: SANITIZE_SET" in text
    r = subprocess.run([ENVOY, "--mode", "validate", "-c", str(tmp_path / "tls" / "envoy.yaml"), "--log-level", "error"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    subprocess.run(base + ["--out", str(tmp_path / "plain")], check=True)
    plain = (tmp_path / "plain" / "envoy.yaml").read_text()
    assert "transport_socket" not in plain.replace("# then this filter chain's transport_socket", "")
    assert "forward_client_cert_details" not in plain.replace("# forward_client_cert_details SANITIZE_SET", "")


def test_example_sds_certificate_rotates_without_restart(tmp_path, pki, standins):
    """envoy/examples/gateway-mtls.yaml: certificates by SDS from watched files; renaming a new
    sds-server.yaml over the old one changes the served certificate in the running Envoy."""
    tls = tmp_path / "tls"
    shutil.copytree(ROOT / "envoy" / "demo" / "tls", tls)
    cfg = (ROOT / "envoy" / "examples" / "gateway-mtls.yaml").read_text()
    cfg = cfg.replace("@REPO@/envoy/demo/tls", str(tls)).replace("@REPO@", str(ROOT))
    cfg = cfg.replace("port_value: 10443", f"port_value: {BASE + 130}").replace("port_value: 9901", f"port_value: {BASE + 131}")
    cfg = cfg.replace("port_value: 18003", f"port_value: {standins.ports['commercial']}")
    cfg = cfg.replace("/tmp/itar-gateway-mtls-example-audit.jsonl", str(tmp_path / "audit.jsonl"))
    (tmp_path / "envoy.yaml").write_text(cfg)
    assert WASM.exists()
    proc = subprocess.Popen([ENVOY, "-c", str(tmp_path / "envoy.yaml"), "--concurrency", "1", "--base-id", str(BASE + 130),
                             "--log-level", "warn"], stdout=(tmp_path / "envoy.log").open("wb"), stderr=subprocess.STDOUT)
    try:
        wait_port(BASE + 130)

        def served_cert(ca: pathlib.Path, cert: str) -> bytes:
            ctx = ssl.create_default_context(cafile=str(ca))
            ctx.load_cert_chain(str(tls / f"{cert}.pem"), str(tls / f"{cert}.key.pem"))
            with socket.create_connection(("127.0.0.1", BASE + 130), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    return s.getpeercert(binary_form=True)

        demo_ca = ROOT / "envoy" / "demo" / "tls" / "ca.pem"
        first = served_cert(demo_ca, "client")
        # The demo client gets through to the filter and the stand-in.
        status, _, body, _, _ = https_chat(BASE + 130, ctx_for(ROOT / "envoy" / "demo" / "tls", "client"))
        assert status == 200, body
        # Rotate: the session PKI's server certificate, written aside and renamed over.
        (tls / "new.yaml").write_text((pki / "sds-server.yaml").read_text())
        (tls / "new.yaml").rename(tls / "sds-server.yaml")
        end = time.time() + 5
        while True:
            try:
                second = served_cert(pki / "ca.pem", "client")  # verifies against the new server's CA
                break
            except ssl.SSLError:
                if time.time() > end:
                    raise
                time.sleep(0.1)
        assert second != first and proc.poll() is None
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- The client certificate as a second factor (policy identity.client_certificate) -------------

def der_sha256(pem: pathlib.Path) -> bytes:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem.read_text())).digest()


def x5t(pem: pathlib.Path) -> str:
    """RFC 8705 thumbprint of a certificate: base64url (no padding) of SHA-256 over its DER."""
    return base64.urlsafe_b64encode(der_sha256(pem)).rstrip(b"=").decode()


def cert_policy(tmp: pathlib.Path, name: str, client_certificate: dict) -> pathlib.Path:
    p = json.loads(POLICY.read_text())
    p["identity"]["client_certificate"] = client_certificate
    p["version"] = f"{p['version']}+{name}"
    out = tmp / f"{name}.json"
    out.write_text(json.dumps(p))
    return out


@pytest.fixture(scope="module")
def certgw(workdir, standins, pki, tmp_path_factory):
    """Optional client certificates at the TLS layer; the policy wants a demo user's certificate
    and checks certificate-bound tokens."""
    pol = cert_policy(tmp_path_factory.mktemp("cert-policy"), "certs", {
        "allowed_uri_prefixes": ["spiffe://demo.itar-gateway.invalid/user/"],
        "token_binding": "if_present"})
    g = Gateway(workdir / "gw-certs", standins, policy=pol, port=BASE + 122, admin=BASE + 123,
                render_args=tls_args(pki, require=False))
    yield g
    g.stop()


def refused_401(gw: Gateway, standins, ctx: ssl.SSLContext, tok: str, why: str) -> dict:
    before, start = len(standins.records("commercial")), gw.mark()
    status, headers, body, _, _ = https_chat(gw.port, ctx, headers={"authorization": f"Bearer {tok}"})
    assert status == 401, body
    err = json.loads(body)["error"]  # the OpenAI error format
    assert "client certificate is not acceptable" in err["message"] and why in err["message"], err
    assert headers["x-itar-decision"] == "refuse"
    [rec] = gw.audit_after(start)
    assert (rec["decision"], rec["reason"]) == ("refuse", "unauthenticated"), rec
    assert rec["identity"]["state"] == "invalid", rec["identity"]
    assert len(standins.records("commercial")) == before  # nothing went upstream
    return rec


def test_client_certificate_recorded_and_required(certgw, standins, pki):
    start = certgw.mark()
    status, _, body, _, _ = https_chat(certgw.port, ctx_for(pki, "client"))
    assert status == 200, body
    [rec] = certgw.audit_after(start)
    cert = rec["identity"]["client_cert"]
    # What Envoy's TLS stack saw, not a header: the SHA-256 of the DER the client sent, its URI SAN.
    assert cert["sha256"] == der_sha256(pki / "client.pem").hex()
    assert cert["uri"] == "spiffe://demo.itar-gateway.invalid/user/alice"
    assert rec["identity"]["state"] == "verified"
    # Same valid token, no client certificate (the TLS layer allows that here): refused by policy.
    rec = refused_401(certgw, standins, ctx_for(pki), TOK, "no verified client certificate")
    assert "client_cert" not in rec["identity"]
    # Listed (passthrough) paths too.
    conn = http.client.HTTPSConnection("127.0.0.1", certgw.port, context=ctx_for(pki), timeout=10)
    try:
        conn.request("GET", "/v1/models", headers={"authorization": f"Bearer {TOK}"})
        r = conn.getresponse()
        assert r.status == 401 and b"client certificate is not acceptable" in r.read()
    finally:
        conn.close()


def test_certificate_bound_token(certgw, standins, pki):
    bound = token(sub="alice", clearance="SECRET", extra={"cnf": {"x5t#S256": x5t(pki / "client.pem")}})
    start = certgw.mark()
    status, _, body, _, _ = https_chat(certgw.port, ctx_for(pki, "client"), headers={"authorization": f"Bearer {bound}"})
    assert status == 200, body
    [rec] = certgw.audit_after(start)
    assert rec["identity"]["subject"] == "alice"
    # A token bound to another certificate (stolen from another device) is refused with this one.
    stolen = token(sub="alice", clearance="SECRET", extra={"cnf": {"x5t#S256": x5t(pki / "server.pem")}})
    refused_401(certgw, standins, ctx_for(pki, "client"), stolen, "different client certificate")
    # And a bound token is only good together with a certificate.
    refused_401(certgw, standins, ctx_for(pki), bound, "no verified client certificate")


def test_client_certificate_outside_allowed_uris(workdir, standins, pki, tmp_path):
    pol = cert_policy(tmp_path, "eng-only", {"allowed_uri_prefixes": ["spiffe://demo.itar-gateway.invalid/workload/"]})
    g = Gateway(workdir / "gw-certs-eng", standins, policy=pol, port=BASE + 124, admin=BASE + 125,
                render_args=tls_args(pki, require=False))
    try:
        refused_401(g, standins, ctx_for(pki, "client"), TOK,
                    "spiffe://demo.itar-gateway.invalid/user/alice is not allowed")
    finally:
        g.stop()
