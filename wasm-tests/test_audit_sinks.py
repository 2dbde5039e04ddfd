"""Audit records lost on the way to a SIEM are signalled: each shipped sink example
(envoy/examples/siem-otel.yaml, siem-grpc-als.yaml) runs in real Envoy with its collector down;
the series docs/alerts.yaml's ItarAuditShippingDropped reads for that sink move, and replayed
through promtool (when installed) they make the alert fire."""
import json
import re
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import ENVOY, ROOT, wait_port
from test_alerts import PROMTOOL, case, run_unit_tests

SINKS = {
    "siem-otel.yaml": ("otel-collector", 4317),
    "siem-grpc-als.yaml": ("als-collector", 9001),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stats(admin: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{admin}/stats/prometheus", timeout=5) as r:
        out = {}
        for line in r.read().decode().splitlines():
            if line and not line.startswith("#"):
                k, _, v = line.rpartition(" ")
                out[k] = float(v)
        return out


def alert_expr() -> str:
    text = (ROOT / "docs" / "alerts.yaml").read_text()
    m = re.search(r"alert: ItarAuditShippingDropped\n    expr: \|\n((?:      .*\n)+)", text)
    assert m, "ItarAuditShippingDropped not found"
    return m.group(1)


@pytest.mark.parametrize("example", sorted(SINKS))
def test_collector_down_is_signalled(example, standins, tmp_path):
    cluster, collector_port = SINKS[example]
    admin, listener, dead = free_port(), free_port(), free_port()
    cfg = (ROOT / "envoy" / "examples" / example).read_text().replace("@REPO@", str(ROOT))
    cfg = (cfg.replace("port_value: 9901}", f"port_value: {admin}}}")
              .replace("port_value: 10000}", f"port_value: {listener}}}")
              .replace("port_value: 18003}", f"port_value: {standins.ports['commercial']}}}")
              .replace(f"port_value: {collector_port}}}", f"port_value: {dead}}}"))
    path = tmp_path / example
    path.write_text(cfg)
    env_log = open(tmp_path / "envoy.log", "w")
    proc = subprocess.Popen([ENVOY, "-c", str(path), "--log-level", "warn", "--base-id",
                             str(listener)], stdout=env_log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        wait_port(listener, 20)
        body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
        for _ in range(5):
            req = urllib.request.Request(f"http://127.0.0.1:{listener}/v1/chat/completions",
                                         data=body.encode(), headers={"content-type": "application/json"})
            try:
                urllib.request.urlopen(req, timeout=10).read()
            except urllib.error.HTTPError:
                pass
        key = f'envoy_cluster_upstream_cx_connect_fail{{envoy_cluster_name="{cluster}"}}'
        end = time.time() + 15
        s = stats(admin)
        while s.get(key, 0) == 0 and time.time() < end:
            time.sleep(0.3)
            s = stats(admin)
    finally:
        proc.terminate()
        proc.wait(10)
        env_log.close()
    assert s.get(key, 0) > 0, {k: v for k, v in s.items() if cluster in k}
    expr = alert_expr()
    assert "envoy_cluster_upstream_cx_connect_fail" in expr and cluster in expr, expr
    # The drop counters alone miss this: with the collector unreachable gRPC ALS counts nothing
    # as dropped (its entries are "flushed" into a failing stream).
    if example == "siem-grpc-als.yaml":
        assert s.get("envoy_access_logs_grpc_access_log_logs_dropped{}", 0) == 0
    if PROMTOOL.exists():
        # The run's own counters (every series of the collector cluster and the sinks, as Envoy
        # exported them, 0 before the run and their value after) make the alert fire.
        moved = {k: f"0 0 0 {v:g} {v:g} {v:g} {v:g}" for k, v in s.items()
                 if (cluster in k or "access_log" in k) and v > 0}
        run_unit_tests(tmp_path, [case("ItarAuditShippingDropped", moved, "5m", [{}])])
        quiet = {k: "0x10" for k in moved}
        run_unit_tests(tmp_path, [case("ItarAuditShippingDropped", quiet, "5m", None)])
