"""The Kubernetes bundles as rendered: scripts/package-oci takes the IdP (issuer, audience, JWKS),
the destinations and the provider credentials, refuses a bundle that would refuse every token or
leave a destination unrouted, and what it renders works: the Envoy parts of both bundles (Istio,
Envoy Gateway), translated by scripts/bundle-envoy the way the control plane would, run in Envoy
1.40 in front of the stand-ins. A token from the bundle's IdP (a key made here, minted with
scripts/mint-token) gets 200 with the destination's credential injected; a token from another
issuer gets 401.

No cluster here: the manifests are parsed as YAML (every document has apiVersion, kind and a
name); the platform's own parts (downstream TLS, Istio RBAC) are not run.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import yaml

from conftest import BASE, DESTINATIONS, ENVOY, POLICY, ROOT, WASM, Standins, wait_port

PACKAGE = [sys.executable, str(ROOT / "scripts" / "package-oci")]
BUNDLE_ENVOY = [sys.executable, str(ROOT / "scripts" / "bundle-envoy")]
MINT = [sys.executable, str(ROOT / "scripts" / "mint-token")]
ISSUER = "https://idp.bundle-test.invalid/realms/eng"
AUDIENCE = "itar-bundle"
HOSTS = {"onprem": "llm.onprem.bundle.invalid", "usgov": "llm.usgov.bundle.invalid",
         "commercial": "api.commercial.bundle.invalid", "foreign": "api.foreign.bundle.invalid"}
CREDS = {"onprem": "Bearer BUNDLE-onprem-key", "usgov": {"header": "api-key", "value": "BUNDLE-usgov-key"},
         "commercial": "Bearer BUNDLE-commercial-key", "foreign": None}
PORTS = {"istio": BASE + 350, "envoy-gateway": BASE + 354}  # gateway, admin = +1; stand-ins = +2..


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    """An identity provider made here: an RSA key, its JWKS, and a policy that trusts it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from conftest import mint_token
    d = tmp_path_factory.mktemp("idp")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = d / "idp.key.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    (d / "jwks.json").write_text(json.dumps({"keys": [mint_token.jwk(key, "bundle-test-1")]}))
    policy = json.loads(POLICY.read_text())
    policy["identity"]["issuers"] = [ISSUER]
    policy["identity"]["audiences"] = [AUDIENCE]
    (d / "policy.json").write_text(json.dumps(policy))
    (d / "creds.json").write_text(json.dumps(CREDS))
    return d


def inputs(idp: pathlib.Path, **over) -> list[str]:
    args = {"--policy": str(idp / "policy.json"), "--issuer": ISSUER, "--audience": AUDIENCE,
            "--jwks-file": str(idp / "jwks.json"), "--provider-credentials": str(idp / "creds.json")}
    args.update(over)
    out = []
    for k, v in args.items():
        if v is not None:
            out += [k, v]
    if "--destination" not in over:
        out += [x for c, h in HOSTS.items() for x in ("--destination", f"{c}={h}")]
    return out


def render(tmp: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(PACKAGE + ["--wasm", str(WASM), "--out", str(tmp / "oci"), "--istio-out", str(tmp / "istio"),
                                     "--envoy-gateway-out", str(tmp / "envoy-gateway"), *args],
                          capture_output=True, text=True)


def mint(idp: pathlib.Path, iss: str = ISSUER, aud: str = AUDIENCE, key: pathlib.Path | None = None) -> str:
    r = subprocess.run(MINT + ["--sub", "alice", "--iss", iss, "--aud", aud, "--key", str(key or idp / "idp.key.pem"),
                               "--kid", "bundle-test-1"], capture_output=True, text=True, check=True)
    return r.stdout.strip()


@pytest.fixture(scope="module")
def rendered(idp, tmp_path_factory):
    if not WASM.exists():
        pytest.fail(f"{WASM} is missing: build it first (scripts/setup does)")
    d = tmp_path_factory.mktemp("bundles")
    r = render(d, *inputs(idp), "--audit-path", str(d / "audit.jsonl"))
    assert r.returncode == 0, r.stderr
    return d


# --- Refusals: a bundle that would refuse every token, or leave a destination unrouted -----------

@pytest.mark.parametrize("over, says", [
    ({"--issuer": "https://other-idp.invalid"}, "the policy trusts issuers"),
    ({"--audience": "someone-else"}, "tokens for it would be verified and then refused"),
    ({"--audience": None}, "--audience is required"),
    ({"--issuer": None}, "--issuer is required"),
    ({"--jwks-file": None}, "exactly one of --jwks-file"),
    ({"--jwks-uri": "http://idp.invalid/jwks"}, "exactly one of --jwks-file"),
    ({"--provider-credentials": None}, "--provider-credentials FILE is required"),
    ({"--destination": "usgov=llm.usgov.bundle.invalid"}, "has no --destination onprem=HOST"),
])
def test_refuses_a_bundle_that_would_not_work(idp, tmp_path, over, says):
    r = render(tmp_path, *inputs(idp, **over))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "refusing to render a bundle that would not work" in r.stderr and says in r.stderr, r.stderr
    assert not (tmp_path / "istio").exists() and not (tmp_path / "oci").exists()


def test_refuses_the_demo_policy_for_a_real_idp(idp, tmp_path):
    """The shipped policy trusts only the demo issuer: rendering it for another IdP is refused,
    naming both."""
    r = render(tmp_path, *inputs(idp, **{"--policy": str(POLICY)}))
    assert r.returncode == 1
    assert "https://idp.demo.itar-gateway.invalid" in r.stderr and ISSUER in r.stderr


def test_refuses_bad_jwks_credentials_and_unknown_destinations(idp, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"keys": []}')
    creds = tmp_path / "creds.json"
    creds.write_text(json.dumps({"onprem": "Bearer k", "usgov": "", "commercial": "Bearer k", "mars": "Bearer k"}))
    r = render(tmp_path, *inputs(idp, **{"--jwks-file": str(bad), "--provider-credentials": str(creds)}),
               "--destination", "mars=mars.invalid")
    assert r.returncode == 1
    for says in ("--jwks-file", "not a usable JWKS", "'usgov': expected a non-empty string",
                 "no entry for destination cluster 'foreign'", "names 'mars', which is no destination cluster",
                 "--destination mars: the policy has no destination"):
        assert says in r.stderr, (says, r.stderr)


# --- What is rendered ---------------------------------------------------------------------------

def documents(d: pathlib.Path) -> list[dict]:
    docs = []
    for f in sorted(d.glob("*.yaml")):
        for doc in yaml.safe_load_all(f.read_text()):
            if doc is None:
                continue
            assert doc.get("apiVersion") and doc.get("kind") and doc.get("metadata", {}).get("name"), (f.name, doc)
            docs.append(doc)
    return docs


def test_every_destination_routed_and_the_idp_pinned_in_both_bundles(rendered):
    policy_clusters = {d["cluster"] for d in json.loads(POLICY.read_text())["destinations"].values()}
    assert policy_clusters == set(HOSTS)
    istio = documents(rendered / "istio")
    [vs] = [d for d in istio if d["kind"] == "VirtualService"]
    routed = {h["match"][0]["headers"]["x-itar-destination"]["exact"]: h["route"][0]["destination"]["host"]
              for h in vs["spec"]["http"] if "route" in h}
    assert routed == HOSTS
    assert vs["spec"]["http"][-1]["directResponse"]["status"] == 403
    se_hosts = {h for d in istio if d["kind"] == "ServiceEntry" for h in d["spec"]["hosts"]}
    assert se_hosts == set(HOSTS.values())
    [ra] = [d for d in istio if d["kind"] == "RequestAuthentication"]
    [rule] = ra["spec"]["jwtRules"]
    assert rule["issuer"] == ISSUER and rule["audiences"] == [AUDIENCE] and json.loads(rule["jwks"])["keys"]
    [ap] = [d for d in istio if d["kind"] == "AuthorizationPolicy"]
    assert ap["spec"]["rules"][0]["from"][0]["source"]["requestPrincipals"] == [f"{ISSUER}/*"]
    [ef] = [d for d in istio if d["kind"] == "EnvoyFilter" and d["metadata"]["name"] == "itar-filter"]
    cfg = json.loads(ef["spec"]["configPatches"][0]["patch"]["value"]["typed_config"]["config"]["configuration"]["value"])
    assert cfg["identity"]["metadata_key"] == "payload" and cfg["identity"]["issuers"] == [ISSUER]
    [secret] = [d for d in istio if d["kind"] == "Secret"]
    assert set(secret["stringData"]) == {f"{c}-key.yaml" for c, v in CREDS.items() if v}
    assert oct((rendered / "istio" / "secret-provider-credentials.yaml").stat().st_mode & 0o777) == "0o600"

    eg = documents(rendered / "envoy-gateway")
    [route] = [d for d in eg if d["kind"] == "HTTPRoute"]
    backends = {d["metadata"]["name"]: d["spec"]["endpoints"][0]["fqdn"]["hostname"] for d in eg if d["kind"] == "Backend"}
    routed = {r["matches"][0]["headers"][0]["value"]: backends[r["backendRefs"][0]["name"]]
              for r in route["spec"]["rules"] if r.get("backendRefs")}
    assert routed == HOSTS
    [sp] = [d for d in eg if d["kind"] == "SecurityPolicy"]
    [prov] = sp["spec"]["jwt"]["providers"]
    assert prov["issuer"] == ISSUER and prov["audiences"] == [AUDIENCE] and prov["localJWKS"]["type"] == "Inline"
    [eep] = [d for d in eg if d["kind"] == "EnvoyExtensionPolicy"]
    assert eep["spec"]["wasm"][0]["config"]["identity"]["metadata_key"] == prov["name"]
    tls = {d["spec"]["targetRefs"][0]["name"] for d in eg if d["kind"] == "BackendTLSPolicy"}
    assert tls == set(HOSTS)
    secrets = {d["metadata"]["name"]: d["stringData"]["credential"] for d in eg if d["kind"] == "Secret"}
    assert secrets == {f"itar-provider-{c}": (v if isinstance(v, str) else v["value"]) for c, v in CREDS.items() if v}


def test_egress_lock_uses_current_istio_apis(rendered):
    """No IstioOperator (its in-cluster controller is gone since Istio 1.24 and `kubectl apply` has
    no such kind): mesh-wide REGISTRY_ONLY is a root-namespace Sidecar, plus the per-namespace
    Sidecar and the NetworkPolicies."""
    docs = [d for d in yaml.safe_load_all((ROOT / "envoy" / "istio" / "egress-lock.yaml").read_text()) if d]
    kinds = [(d["apiVersion"], d["kind"]) for d in docs]
    assert ("install.istio.io/v1alpha1", "IstioOperator") not in kinds
    assert all(api in ("networking.istio.io/v1", "networking.k8s.io/v1") for api, _ in kinds), kinds
    sidecars = [d for d in docs if d["kind"] == "Sidecar"]
    root = [d for d in sidecars if d["metadata"]["namespace"] == "istio-system"]
    assert len(root) == 1 and "workloadSelector" not in root[0]["spec"]
    for s in sidecars:
        assert s["spec"]["outboundTrafficPolicy"]["mode"] == "REGISTRY_ONLY"


# --- The bundles' Envoy parts in Envoy 1.40 -----------------------------------------------------

@pytest.mark.parametrize("kind", ["istio", "envoy-gateway"])
def test_bundle_envoy_parts_validate(rendered, kind, tmp_path):
    """With TLS origination to the providers as rendered (not the plain stand-ins)."""
    r = subprocess.run(BUNDLE_ENVOY + ["--kind", kind, "--bundle", str(rendered / kind), "--out", str(tmp_path),
                                       "--wasm", str(WASM)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    v = subprocess.run([ENVOY, "--mode", "validate", "-c", str(tmp_path / "envoy.yaml"), "--log-level", "error"],
                       capture_output=True, text=True)
    assert v.returncode == 0, v.stdout[-3000:] + v.stderr[-3000:]


def test_bundle_envoy_refuses_a_patch_that_selects_nothing(rendered, tmp_path):
    """An EnvoyPatchPolicy whose jsonPath matches no filter (e.g. Envoy Gateway names the Wasm
    filter differently) would silently leave allow_on_headers_stop_iteration unset: refused."""
    d = tmp_path / "eg"
    d.mkdir()
    text = (rendered / "envoy-gateway" / "itar-gateway.yaml").read_text()
    (d / "secret-provider-credentials.yaml").write_text(
        (rendered / "envoy-gateway" / "secret-provider-credentials.yaml").read_text())
    (d / "itar-gateway.yaml").write_text(text)
    ok = subprocess.run(BUNDLE_ENVOY + ["--kind", "envoy-gateway", "--bundle", str(d), "--out", str(tmp_path / "o")],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    (d / "itar-gateway.yaml").write_text(text.replace("envoy.filters.http.wasm/.*itar-filter.*", "no-such-filter"))
    r = subprocess.run(BUNDLE_ENVOY + ["--kind", "envoy-gateway", "--bundle", str(d), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "selects nothing" in r.stderr, r.stderr


def post(port: int, tok: str | None, text: str = "Write a haiku about the sea.") -> tuple[int, dict, bytes]:
    h = {"content-type": "application/json"}
    if tok:
        h["authorization"] = f"Bearer {tok}"
    body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": text}]}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", data=body, method="POST", headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.getheaders()), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


@pytest.mark.parametrize("kind", ["istio", "envoy-gateway"])
def test_token_from_the_bundles_idp_gets_through(rendered, idp, kind, tmp_path):
    """A local Envoy built from the rendered bundle: the IdP's token reaches the destination
    (200) with the destination's credential injected and the caller's token gone; a token from
    another issuer, or signed by another key, gets 401; the audit record names the caller."""
    base = PORTS[kind]
    ports = {n: base + 2 + i for i, n in enumerate(DESTINATIONS)}
    assert base + 2 + len(DESTINATIONS) <= base + 50
    rec = tmp_path / "upstreams"
    rec.mkdir()
    standins = Standins(rec, ports)
    proc = None
    try:
        out = tmp_path / "envoy"
        args = ["--kind", kind, "--bundle", str(rendered / kind), "--out", str(out), "--wasm", str(WASM),
                "--gateway-port", str(base), "--admin-port", str(base + 1), "--plain-upstreams"]
        args += [f"--upstream={HOSTS[n]}=127.0.0.1:{p}" for n, p in ports.items()]
        r = subprocess.run(BUNDLE_ENVOY + args, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        audit = rendered / "audit.jsonl"
        audit.touch()
        start = len(audit.read_text().splitlines())
        log = tmp_path / "envoy.log"
        proc = subprocess.Popen([ENVOY, "-c", str(out / "envoy.yaml"), "--concurrency", "1", "--log-level", "info",
                                 "--file-flush-interval-msec", "50", "--base-id", str(base)],
                                stdout=log.open("wb"), stderr=subprocess.STDOUT)
        wait_port(base + 1, 20)
        wait_port(base, 20)

        good = mint(idp)
        status, headers, body = post(base, good)
        assert status == 200, (status, body, log.read_text()[-3000:])
        assert json.loads(body)["choices"][0]["message"]["content"].startswith("Hello from the commercial stand-in")
        [rec_] = standins.records("commercial")
        assert rec_["headers"]["authorization"] == CREDS["commercial"]
        assert good not in json.dumps(rec_["headers"])

        other = mint(idp, iss="https://other-idp.invalid")
        status, _, body = post(base, other)
        assert status == 401, (status, body)
        stranger = tmp_path / "stranger.pem"
        stranger.write_bytes((ROOT / "envoy" / "demo" / "other-rs256.key.pem").read_bytes())
        status, _, body = post(base, mint(idp, key=stranger))
        assert status == 401, (status, body)
        assert len(standins.records("commercial")) == 1  # the refused requests went nowhere

        import time
        end = time.time() + 5
        while time.time() < end:
            lines = [json.loads(x) for x in audit.read_text().splitlines()[start:] if x.strip()]
            if len(lines) >= 3:
                break
            time.sleep(0.05)
        allowed = [x for x in lines if x.get("decision") == "allow"]
        assert len(allowed) == 1 and allowed[0]["identity"]["subject"] == "alice", lines
        assert allowed[0]["identity"]["issuer"] == ISSUER and allowed[0]["destination"] == "commercial"
        assert len(lines) == 3, lines  # one line per request, the refusals included
        # The listener buffers twice the policy's max_body_bytes (the filter decides on big bodies).
        boot = json.loads((out / "envoy.yaml").read_text().split("\n", 1)[1])
        limit = 2 * json.loads((idp / "policy.json").read_text())["limits"]["max_body_bytes"]
        assert boot["static_resources"]["listeners"][0]["per_connection_buffer_limit_bytes"] == max(limit, 2 << 20)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        standins.stop()


def test_bundle_with_a_jwks_uri_and_provider_cas_validates(idp, tmp_path):
    """--jwks-uri instead of a file (a remote JWKS: Istio's jwksUri, Envoy Gateway's remoteJWKS)
    and a provider CA reference: rendered, translated and accepted by Envoy."""
    r = render(tmp_path, *inputs(idp, **{"--jwks-file": None, "--jwks-uri": "https://idp.bundle-test.invalid/keys"}),
               "--destination-ca", "usgov=usgov-provider-ca")
    assert r.returncode == 0, r.stderr
    istio = documents(tmp_path / "istio")
    [ra] = [d for d in istio if d["kind"] == "RequestAuthentication"]
    assert ra["spec"]["jwtRules"][0]["jwksUri"] == "https://idp.bundle-test.invalid/keys"
    [dr] = [d for d in istio if d["kind"] == "DestinationRule" and d["spec"]["host"] == HOSTS["usgov"]]
    assert dr["spec"]["trafficPolicy"]["portLevelSettings"][0]["tls"]["credentialName"] == "usgov-provider-ca"
    eg = documents(tmp_path / "envoy-gateway")
    [sp] = [d for d in eg if d["kind"] == "SecurityPolicy"]
    assert sp["spec"]["jwt"]["providers"][0]["remoteJWKS"]["uri"] == "https://idp.bundle-test.invalid/keys"
    [tls] = [d for d in eg if d["kind"] == "BackendTLSPolicy" and d["spec"]["targetRefs"][0]["name"] == "usgov"]
    assert tls["spec"]["validation"]["caCertificateRefs"][0]["name"] == "usgov-provider-ca"
    for kind in ("istio", "envoy-gateway"):
        out = tmp_path / f"local-{kind}"
        b = subprocess.run(BUNDLE_ENVOY + ["--kind", kind, "--bundle", str(tmp_path / kind), "--out", str(out)],
                           capture_output=True, text=True)
        assert b.returncode == 0, b.stderr
        v = subprocess.run([ENVOY, "--mode", "validate", "-c", str(out / "envoy.yaml"), "--log-level", "error"],
                           capture_output=True, text=True)
        assert v.returncode == 0, v.stdout[-3000:] + v.stderr[-3000:]
