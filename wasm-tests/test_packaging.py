"""Packaging: scripts/package-oci writes a valid, reproducible OCI image layout (the Wasm image
spec's compat variant, as Istio pulls it), and envoy/istio/ renders into well-formed manifests.

Native: no cluster here. The Istio manifests are checked for shape only (documents with
apiVersion/kind/metadata.name, consistent indentation, placeholders filled); the Wasm filter
config inside the EnvoyFilter is additionally checked by `envoy --mode validate` with the real
module and policy (which loads the .wasm and compiles the policy).
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import pathlib
import re
import subprocess
import sys
import tarfile

import pytest

from conftest import BASE, ENVOY, POLICY, ROOT, WASM

PACKAGE = [sys.executable, str(ROOT / "scripts" / "package-oci")]


def package(out: pathlib.Path, *extra: str) -> dict:
    r = subprocess.run(PACKAGE + ["--wasm", str(WASM), "--out", str(out), "--json", *extra],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def blob(layout: pathlib.Path, digest: str) -> bytes:
    algo, hexd = digest.split(":", 1)
    assert algo == "sha256"
    data = (layout / "blobs" / "sha256" / hexd).read_bytes()
    assert hashlib.sha256(data).hexdigest() == hexd, f"blob {digest} does not match its digest"
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not WASM.exists():
        pytest.fail(f"{WASM} is missing: build it first (scripts/setup does)")
    d = tmp_path_factory.mktemp("oci")
    first = package(d / "a")
    second = package(d / "b")
    return d, first, second


def test_layout_is_valid_and_blobs_match_digests(built):
    d, r, _ = built
    layout = d / "a"
    assert json.loads((layout / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    index = json.loads((layout / "index.json").read_text())
    assert index["schemaVersion"] == 2
    [m] = index["manifests"]
    assert m["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert m["digest"] == r["manifest_digest"]
    assert m["annotations"]["org.opencontainers.image.ref.name"] == r["tag"]
    raw = blob(layout, m["digest"])
    assert len(raw) == m["size"]
    manifest = json.loads(raw)
    assert manifest["schemaVersion"] == 2 and manifest["mediaType"] == m["mediaType"]
    assert manifest["annotations"]["module.wasm.image/variant"] == "compat"
    config_raw = blob(layout, manifest["config"]["digest"])
    assert len(config_raw) == manifest["config"]["size"]
    config = json.loads(config_raw)
    # Compat variant: exactly one tar+gzip layer holding plugin.wasm (what Istio extracts).
    [layer] = manifest["layers"]
    assert layer["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
    compressed = blob(layout, layer["digest"])
    assert len(compressed) == layer["size"]
    tar_bytes = gzip.decompress(compressed)
    assert config["rootfs"] == {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar_bytes).hexdigest()]}
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        [member] = tar.getmembers()
        assert member.name == "plugin.wasm" and member.isfile() and member.mtime == 0
        wasm = tar.extractfile(member).read()
    assert wasm == WASM.read_bytes()
    assert r["wasm_sha256"] == hashlib.sha256(wasm).hexdigest()
    # Nothing in the layout but the three blobs and the two index files.
    files = sorted(str(p.relative_to(layout)) for p in layout.rglob("*") if p.is_file())
    assert len(files) == 5 and files[-2:] == ["index.json", "oci-layout"]


def test_digest_is_reproducible(built):
    d, first, second = built
    assert first["manifest_digest"] == second["manifest_digest"]
    for p in (d / "a").rglob("*"):
        if p.is_file():
            assert p.read_bytes() == (d / "b" / p.relative_to(d / "a")).read_bytes()


def test_source_date_epoch_changes_only_dates(tmp_path, built):
    _, first, _ = built
    r = package(tmp_path / "c", "--source-date-epoch", "1700000000")
    assert r["wasm_sha256"] == first["wasm_sha256"]
    assert r["manifest_digest"] != first["manifest_digest"]
    assert package(tmp_path / "d", "--source-date-epoch", "1700000000")["manifest_digest"] == r["manifest_digest"]


def test_refuses_non_wasm(tmp_path):
    bogus = tmp_path / "x.wasm"
    bogus.write_bytes(b"not wasm")
    r = subprocess.run(PACKAGE + ["--wasm", str(bogus), "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 1 and "not a WebAssembly module" in r.stderr
    assert not (tmp_path / "o").exists()


# --- Istio manifests -------------------------------------------------------------------------

def documents(text: str) -> list[list[str]]:
    """YAML documents as lists of meaningful lines (comments and blank lines dropped)."""
    docs, cur = [], []
    for line in text.splitlines():
        if re.fullmatch(r" *ITAR_[A-Z_]+", line):
            continue  # a template's placeholder for a generated block
        if line.strip() == "---":
            docs.append(cur)
            cur = []
        elif line.strip() and not line.lstrip().startswith("#"):
            cur.append(line)
    docs.append(cur)
    return [d for d in docs if d]


def check_shape(doc: list[str], where: str) -> tuple[str, str, str]:
    """A minimal well-formedness check for the simple block YAML these manifests use."""
    top = {}
    for i, line in enumerate(doc):
        assert "\t" not in line, f"{where}: tab in {line!r}"
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0, f"{where}: odd indentation in {line!r}"
        if i > 0:
            prev = len(doc[i - 1]) - len(doc[i - 1].lstrip(" "))
            opens = doc[i - 1].rstrip().endswith(":") or doc[i - 1].lstrip().startswith("- ")
            assert indent <= prev + (4 if opens else 0), f"{where}: unexpected indent at {line!r}"
        body = line.strip()
        # Flow collections and quotes balanced on the line (JSON policy text included).
        unquoted = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', '""', body)
        assert unquoted.count("{") == unquoted.count("}") and unquoted.count("[") == unquoted.count("]"), \
            f"{where}: unbalanced flow collection in {body[:80]!r}"
        if indent == 0:
            key, sep, value = line.partition(":")
            assert sep and re.fullmatch(r"[A-Za-z]+", key), f"{where}: bad top-level line {line!r}"
            top[key] = value.strip()
    for k in ("apiVersion", "kind", "metadata"):
        assert k in top, f"{where}: no {k}"
    meta = doc.index("metadata:")
    name = next((line.split(":", 1)[1].strip() for line in doc[meta + 1:]
                 if line.startswith("  name:")), "")
    assert name, f"{where}: metadata.name missing"
    return top["apiVersion"], top["kind"], name


EXPECTED = {
    ("extensions.istio.io/v1alpha1", "WasmPlugin"),
    ("networking.istio.io/v1alpha3", "EnvoyFilter"),
    ("security.istio.io/v1", "RequestAuthentication"),
    ("security.istio.io/v1", "AuthorizationPolicy"),
    ("security.istio.io/v1", "PeerAuthentication"),
    ("networking.istio.io/v1", "Gateway"),
    ("networking.istio.io/v1", "VirtualService"),
    ("networking.istio.io/v1", "ServiceEntry"),
    ("networking.istio.io/v1", "DestinationRule"),
    ("networking.istio.io/v1", "Sidecar"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
}


# The demo IdP and destinations (test_bundles.py renders for an IdP of its own and runs the result).
DEMO_BUNDLE = ["--issuer", "https://idp.demo.itar-gateway.invalid", "--audience", "itar-gateway",
               "--jwks-file", str(ROOT / "envoy" / "demo" / "jwks.json"),
               "--provider-credentials", str(ROOT / "envoy" / "demo" / "provider-keys.json"),
               "--destination", "onprem=llm.onprem.example.internal", "--destination", "usgov=llm.usgov.example.us",
               "--destination", "commercial=api.openai.com", "--destination", "foreign=llm.eu.example.com"]


@pytest.fixture(scope="module")
def istio(tmp_path_factory, built):
    d = tmp_path_factory.mktemp("istio")
    r = package(d / "oci", "--istio-out", str(d / "manifests"), "--envoy-gateway-out", str(d / "eg"),
                "--registry", "registry.example.com/itar", *DEMO_BUNDLE)
    return d / "manifests", r


def test_istio_templates_and_rendered_manifests_are_well_formed(istio):
    out, r = istio
    seen = set()
    for src in sorted((ROOT / "envoy" / "istio").glob("*.yaml")):
        for tree in (src, out / src.name):
            for i, doc in enumerate(documents(tree.read_text())):
                api, kind, _ = check_shape(doc, f"{tree.name}#{i}")
                seen.add((api, kind))
    assert EXPECTED <= seen, EXPECTED - seen


EXPECTED_EG = {
    ("gateway.networking.k8s.io/v1", "Gateway"),
    ("gateway.networking.k8s.io/v1", "HTTPRoute"),
    ("gateway.networking.k8s.io/v1", "BackendTLSPolicy"),
    ("gateway.envoyproxy.io/v1alpha1", "EnvoyExtensionPolicy"),
    ("gateway.envoyproxy.io/v1alpha1", "SecurityPolicy"),
    ("gateway.envoyproxy.io/v1alpha1", "ClientTrafficPolicy"),
    ("gateway.envoyproxy.io/v1alpha1", "EnvoyPatchPolicy"),
    ("gateway.envoyproxy.io/v1alpha1", "Backend"),
}


def test_envoy_gateway_manifests_are_well_formed_and_rendered(istio):
    out = istio[0].parent / "eg"
    r = istio[1]
    seen = set()
    for src in sorted((ROOT / "envoy" / "envoy-gateway").glob("*.yaml")):
        for tree in (src, out / src.name):
            for i, doc in enumerate(documents(tree.read_text())):
                seen.add(check_shape(doc, f"{tree.name}#{i}")[:2])
        text = (out / src.name).read_text()
        assert "MANIFEST_DIGEST" not in text and "POLICY_JSON" not in text and "REGISTRY/" not in text
    assert EXPECTED_EG <= seen, EXPECTED_EG - seen
    text = (out / "itar-gateway.yaml").read_text()
    assert f"url: registry.example.com/itar/itar-filter:{r['tag']}" in text
    assert "sha256: " + r["manifest_digest"].split(":", 1)[1] in text and "failOpen: false" in text
    policy = json.loads(text.split("config: ", 1)[1].splitlines()[0])
    assert policy["identity"]["metadata_key"] == "itar"  # the SecurityPolicy provider name


def test_istio_rendered_with_image_digest_and_policy(istio):
    out, r = istio
    digest = r["manifest_digest"].split(":", 1)[1]
    text = {p.name: p.read_text() for p in out.glob("*.yaml")}
    for name, t in text.items():
        for placeholder in ("REGISTRY/", "MANIFEST_DIGEST", "POLICY_JSON", ":VERSION"):
            assert placeholder not in t, (name, placeholder)
    wp = text["wasmplugin.yaml"]
    assert f"url: oci://registry.example.com/itar/itar-filter:{r['tag']}" in wp
    assert f"sha256: {digest}" in wp and "failStrategy: FAIL_CLOSE" in wp and "phase: AUTHZ" in wp
    policy = json.loads(wp.split("pluginConfig: ", 1)[1].splitlines()[0])
    assert policy["identity"]["metadata_key"] == "payload"
    assert policy["id"] == json.loads((ROOT / "policies" / "default.json").read_text())["id"]
    ef = text["envoyfilter-itar-filter.yaml"]
    assert "allow_on_headers_stop_iteration: true" in ef and "failure_policy: FAIL_CLOSED" in ef
    assert f"sha256: {digest}" in ef


def test_envoyfilter_wasm_config_loads_in_envoy(istio, tmp_path):
    """The Wasm filter config from the EnvoyFilter, with the module made local (what istio-agent
    does after the pull), in a bootstrap that `envoy --mode validate` accepts: Envoy loads the
    .wasm and the filter compiles the rendered policy."""
    out, _ = istio
    lines = (out / "envoyfilter-itar-filter.yaml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "typed_config:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = [lines[start]]
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
    text = "\n".join(line[indent:] for line in block)
    remote = re.search(r"\n( +)remote:\n(?:\1 .*\n)+", text + "\n")
    assert remote, text[:500]
    pad = remote.group(1)
    text = text.replace(remote.group(0).rstrip("\n"), f"\n{pad}local: {{filename: {WASM}}}")
    filt = "\n".join("          " + line for line in ("- name: itar-filter\n  " + text.replace("\n", "\n  ")).splitlines())
    boot = f"""static_resources:
  listeners:
  - name: l
    address: {{socket_address: {{address: 127.0.0.1, port_value: {BASE + 190}}}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: t
          route_config: {{virtual_hosts: [{{name: a, domains: ["*"], routes: [{{match: {{prefix: "/"}}, route: {{cluster_header: x-itar-destination}}}}]}}]}}
          http_filters:
{filt}
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
"""
    (tmp_path / "boot.yaml").write_text(boot)
    r = subprocess.run([ENVOY, "--mode", "validate", "-c", str(tmp_path / "boot.yaml"), "--log-level", "error"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]


# --- The gateway's Envoy-side settings everywhere it ships ----------------------------------------

def render_envoy():
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("render_envoy_pkg", str(ROOT / "scripts" / "render-envoy"))
    spec = importlib.util.spec_from_loader("render_envoy_pkg", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


LIMITS = {key: default for _, key, default, _ in render_envoy().TRANSPORT_DEFAULTS}
HCM_LIMIT_LINES = [
    f"request_headers_timeout: {LIMITS['REQUEST_HEADERS_TIMEOUT']}",
    f"request_timeout: {LIMITS['REQUEST_TIMEOUT']}",
    f"stream_idle_timeout: {LIMITS['STREAM_IDLE_TIMEOUT']}",
    f"max_request_headers_kb: {LIMITS['MAX_REQUEST_HEADERS_KB']}",
    f"idle_timeout: {LIMITS['IDLE_TIMEOUT']}",
    f"max_requests_per_connection: {LIMITS['MAX_REQUESTS_PER_CONNECTION']}",
    f"max_headers_count: {LIMITS['MAX_HEADERS_COUNT']}",
    "headers_with_underscores_action: REJECT_REQUEST",
    f"max_concurrent_streams: {LIMITS['MAX_CONCURRENT_STREAMS']}",
]


def unindented(text: str) -> str:
    """Lines stripped of their indentation: blocks compare wherever they are nested."""
    return "\n".join(line.strip() for line in text.splitlines())


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "envoy" / "examples").glob("*.yaml")))
def test_examples_carry_the_gateway_settings(example):
    """Every shipped example bootstrap has what envoy/gateway.yaml renders: the fallback audit
    record (itar-audit/2 rejected_by_proxy / not_inspected, exactly render-envoy's access logs),
    the set_filter_state marker first, the client's x-request-id kept and removed on the routes,
    Envoy's local replies in the provider's format (render-envoy's mappers) and the transport
    limits with render-envoy's defaults. (envoy --mode validate: scripts/validate-envoy.)"""
    r = render_envoy()
    text = (ROOT / "envoy" / "examples" / example).read_text()
    assert "itar-audit-missing" not in text
    assert r.local_reply_config() in text
    audit = re.search(r'path: ("[^"]+")\n +log_format:\n +text_format_source:\n +inline_string: "%FILTER_STATE', text)
    assert audit, "no sealed-record file access log"
    assert r.proxy_record_logs(audit.group(1)) in text
    assert "expression: \"'wasm.itar_audit' in filter_state\"" in text
    first = text.split("http_filters:\n", 1)[1].lstrip()
    assert first.startswith("# Marks") and "- name: envoy.filters.http.set_filter_state" in first.split("\n          - name: ", 1)[0] + first[:400]
    assert "object_key: itar.filters_ran" in text
    assert "- remove: x-itar-client-request-id" in text and 'value: "%REQ(x-request-id)%"' in text
    for routes in re.findall(r"request_headers_to_remove: \[([^\]]*)\]", text):
        assert "x-itar-client-request-id" in routes
    assert text.count("request_headers_to_remove:") == text.count("cluster_header: x-itar-destination")
    flat = unindented(text)
    for line in HCM_LIMIT_LINES + [f"max_active_downstream_connections: {LIMITS['MAX_CONNECTIONS']}"]:
        assert line in flat, line
    if example.startswith("siem-"):
        # The SIEM sink carries the fallback record too: one sink logger per fallback case, with
        # the record's schema, decision and request id.
        sink = "open_telemetry" if "otel" in example else "http_grpc"
        assert text.count(f"- name: envoy.access_loggers.{sink}") == 5
        records = [line for line in text.splitlines() if "itar-audit/2" in line and not line.lstrip().startswith("#")]
        assert len(records) == 4 + 4  # the file's four cases and the sink's
        for decision in ("rejected_by_proxy", "not_inspected"):
            assert text.count(decision) >= 4, decision


def test_istio_envoyfilter_carries_the_gateway_settings(istio, tmp_path):
    """The rendered EnvoyFilter merges the gateway's HCM settings (render-envoy's local replies and
    audit access logs, the client's request id, the transport limits) and puts the marker filter
    first; together they make a configuration `envoy --mode validate` accepts. The routes remove
    the client's request id."""
    out, _ = istio
    r = render_envoy()
    ef = (out / "envoyfilter-itar-filter.yaml").read_text()
    flat = unindented(ef)
    assert unindented(r.local_reply_config()) in flat
    assert unindented(r.proxy_record_logs('"/dev/stdout"')) in flat
    for line in HCM_LIMIT_LINES:
        assert line in flat, line
    assert "operation: MERGE" in ef and "operation: INSERT_FIRST" in ef
    assert "ITAR_" not in ef
    vs = (out / "destinations.yaml").read_text()
    assert vs.count("remove: [x-itar-client-request-id, x-forwarded-client-cert]") == vs.count("x-itar-destination: {exact:")
    # The MERGE value and the marker filter in a bootstrap Envoy validates.
    lines = ef.splitlines()

    def block_after(marker: str, start: int = 0) -> list[str]:
        i = next(k for k in range(start, len(lines)) if lines[k].strip() == marker)
        pad = len(lines[i]) - len(lines[i].lstrip())
        body = []
        for line in lines[i + 1:]:
            if line.strip() and len(line) - len(line.lstrip()) <= pad:
                break
            body.append(line)
        return body

    merge = next(i for i, line in enumerate(lines) if line.strip() == "operation: MERGE")
    hcm = block_after("typed_config:", merge)
    hcm = [line for line in hcm if '"@type"' not in line or "HttpConnectionManager" not in line]
    pad = len(hcm[0]) - len(hcm[0].lstrip())
    first = next(i for i, line in enumerate(lines) if line.strip() == "operation: INSERT_FIRST")
    marker = block_after("value:", first)
    mpad = len(marker[0]) - len(marker[0].lstrip())
    fields = "\n".join("          " + line[pad:] for line in hcm)
    marker_item = "\n".join(("          - " if i == 0 else "            ") + line[mpad:] for i, line in enumerate(marker))
    boot = f"""static_resources:
  listeners:
  - name: l
    address: {{socket_address: {{address: 127.0.0.1, port_value: {BASE + 191}}}}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: t
          route_config: {{virtual_hosts: [{{name: a, domains: ["*"], routes: [{{match: {{prefix: "/"}}, route: {{cluster_header: x-itar-destination}}}}]}}]}}
{fields}
          http_filters:
{marker_item}
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
"""
    (tmp_path / "boot.yaml").write_text(boot)
    res = subprocess.run([ENVOY, "--mode", "validate", "-c", str(tmp_path / "boot.yaml"), "--log-level", "error"],
                         capture_output=True, text=True)
    assert res.returncode == 0, boot[:3000] + res.stdout[-3000:] + res.stderr[-3000:]


def test_envoy_gateway_patch_carries_the_gateway_settings(istio):
    """The rendered EnvoyPatchPolicy sets each HCM field render-envoy renders (local replies,
    request id, limits), appends the five audit access logs and puts the marker filter first;
    the ClientTrafficPolicy limits connections; the routes remove the client's request id."""
    out = istio[0].parent / "eg"
    r = render_envoy()
    text = (out / "itar-gateway.yaml").read_text()
    assert "ITAR_" not in text
    for path in ("/early_header_mutation_extensions", "/request_headers_timeout", "/request_timeout",
                 "/stream_idle_timeout", "/max_request_headers_kb", "/common_http_protocol_options",
                 "/http2_protocol_options", "/local_reply_config", "/http_filters/0"):
        assert f'path: "{path}"' in text, path
    assert text.count('path: "/access_log/-"') == 5
    flat = unindented(text)
    assert unindented(r.local_reply_config().split("\n", 1)[1]) in flat
    for line in HCM_LIMIT_LINES:
        key, value = line.split(": ")
        scalar = key in ("request_headers_timeout", "request_timeout", "stream_idle_timeout", "max_request_headers_kb")
        assert (f'path: "/{key}"\nvalue: {value}' if scalar else line) in flat, line
    assert text.count("schema: itar-audit/2") == 4
    assert f"value: {LIMITS['MAX_CONNECTIONS']}" in text  # ClientTrafficPolicy connectionLimit
    assert text.count("remove: [x-itar-client-request-id, x-forwarded-client-cert]") == text.count("{name: x-itar-destination, value:")


def test_support_matrix_minimum_envoy_is_met_here():
    """docs/deployment.md's support matrix names the minimum Envoy; the Envoy every test runs meets
    it, and the filter configuration uses the option that sets that minimum."""
    doc = (ROOT / "docs" / "deployment.md").read_text()
    m = re.search(r"^\| Envoy \| (\d+)\.(\d+) \|", doc, re.M)
    assert m, "docs/deployment.md has no support matrix row for Envoy"
    minimum = (int(m.group(1)), int(m.group(2)))
    out = subprocess.run([ENVOY, "--version"], capture_output=True, text=True, check=True).stdout
    v = re.search(r"/(\d+)\.(\d+)\.\d+/", out)
    assert v, out
    assert (int(v.group(1)), int(v.group(2))) >= minimum, out
    wasm_config = (ROOT / "envoy" / "itar-filter.wasm.yaml").read_text()
    assert "allow_on_headers_stop_iteration: true" in wasm_config
    for row in ("| Istio | 1.27 |", "| Envoy Gateway | 1.6 |", "| Gateway API CRDs | 1.4 |"):
        assert row in doc, row


# --- The operator scripts' own contract -------------------------------------------------------

def test_swap_policy_accepts_what_its_usage_says(tmp_path):
    """`scripts/swap-policy [POLICY] [--out DIR]`: --help prints that usage (exit 0), --out DIR
    (both spellings) writes DIR's ECDS file after the policy compiled, an unknown option is a
    usage error (2), a bad policy never reaches the ECDS file (1)."""
    swap = str(ROOT / "scripts" / "swap-policy")
    h = subprocess.run([swap, "--help"], capture_output=True, text=True)
    assert h.returncode == 0 and "Usage: scripts/swap-policy [POLICY] [--out DIR]" in h.stdout, h
    for i, form in enumerate((["--out", str(tmp_path / "a")], [f"--out={tmp_path / 'b'}"])):
        r = subprocess.run([swap, str(POLICY), *form], capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr
        ecds = tmp_path / "ab"[i] / "ecds" / "itar-filter.yaml"
        assert ecds.exists() and json.loads(POLICY.read_text())["id"] in ecds.read_text()
    bad = subprocess.run([swap, "--bogus"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown option --bogus" in bad.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "x"}')
    r = subprocess.run([swap, str(broken), "--out", str(tmp_path / "c")], capture_output=True, text=True)
    assert r.returncode == 1 and not (tmp_path / "c" / "ecds").exists(), r.stdout + r.stderr


@pytest.mark.parametrize("script", ["package-oci", "bundle-envoy", "render-envoy", "mint-token"])
def test_python_scripts_have_help_and_refuse_bad_usage(script):
    path = str(ROOT / "scripts" / script)
    h = subprocess.run([sys.executable, path, "--help"], capture_output=True, text=True)
    assert h.returncode == 0 and "usage:" in h.stdout, h.stderr
    bad = subprocess.run([sys.executable, path, "--no-such-option"], capture_output=True, text=True)
    assert bad.returncode == 2 and f"{script}: error:" in bad.stderr, bad.stderr
