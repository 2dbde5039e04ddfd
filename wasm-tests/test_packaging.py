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

from conftest import ENVOY, ROOT, WASM

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
    ("install.istio.io/v1alpha1", "IstioOperator"),
}


@pytest.fixture(scope="module")
def istio(tmp_path_factory, built):
    d = tmp_path_factory.mktemp("istio")
    r = package(d / "oci", "--istio-out", str(d / "manifests"), "--envoy-gateway-out", str(d / "eg"),
                "--registry", "registry.example.com/itar")
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
    address: {{socket_address: {{address: 127.0.0.1, port_value: 28190}}}}
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
