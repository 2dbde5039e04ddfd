"""docs/alerts.yaml under promtool: the rules check, and every alert has a unit test in which it
fires and one in which it stays quiet, on series named as Envoy exports them
(wasm-tests/test_observability.py checks the names exist in a real run; test_audit_sinks.py
replays the series of a real run with the collector down).

promtool compares annotations exactly; the unit tests run on a copy of the rules without them
(the templates are checked by `promtool check rules` on the real file)."""
from __future__ import annotations

import json
import pathlib
import re
import subprocess

import pytest

from conftest import ROOT, VENV_BIN

PROMTOOL = VENV_BIN / "promtool"
ALERTS = ROOT / "docs" / "alerts.yaml"


def promtool() -> pathlib.Path:
    if not PROMTOOL.exists():
        pytest.skip("promtool is not installed (scripts/setup fetches it from Debian when apt can)")
    return PROMTOOL


def alert_names() -> list[str]:
    return re.findall(r"^  - alert: (\w+)$", ALERTS.read_text(), re.M)


def rules_without_annotations(out: pathlib.Path) -> pathlib.Path:
    kept, skipping = [], False
    for line in ALERTS.read_text().splitlines():
        if line.startswith("    annotations:"):
            skipping = True
            continue
        if skipping and (line.startswith("      ") or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    out.write_text("\n".join(kept) + "\n")
    return out


def run_unit_tests(tmp: pathlib.Path, tests: list[dict]) -> None:
    rules = rules_without_annotations(tmp / "rules.yaml")
    spec = tmp / "tests.yaml"  # JSON is YAML
    spec.write_text(json.dumps({"rule_files": [str(rules)], "evaluation_interval": "1m",
                                "tests": tests}, indent=1))
    r = subprocess.run([str(promtool()), "test", "rules", str(spec)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def case(alert: str, series: dict[str, str], at: str, fires: list[dict] | None) -> dict:
    """One promtool test: `series` (name{labels} -> values), `alert` evaluated at `at`; `fires`
    lists the labels of the expected alerts (beyond severity), or None for quiet."""
    severity = re.search(rf"alert: {alert}\n(?:.*\n)*?      severity: (\w+)", ALERTS.read_text()).group(1)
    exp = [] if fires is None else [{"exp_labels": {**labels, "severity": severity}} for labels in fires]
    return {"interval": "1m",
            "input_series": [{"series": s, "values": v} for s, v in series.items()],
            "alert_rule_test": [{"eval_time": at, "alertname": alert, "exp_alerts": exp}]}


GW5 = 'envoy_http_downstream_rq_xx{envoy_http_conn_manager_prefix="gateway",envoy_response_code_class="5"}'
GW2 = 'envoy_http_downstream_rq_xx{envoy_http_conn_manager_prefix="gateway",envoy_response_code_class="2"}'
ALS_FAIL = 'envoy_cluster_upstream_cx_connect_fail{envoy_cluster_name="als-collector"}'
OTEL_5XX = 'envoy_cluster_upstream_rq_xx{envoy_cluster_name="otel-collector",envoy_response_code_class="5"}'
REJECTED = "envoy_extension_config_discovery_http_filter_itar_filter_update_rejected"

# alert -> [(series, eval time, expected labels or None)]: each alert fires once and stays quiet once.
CASES = {
    "ItarBlocksSpike": [
        ({"itar_decision_block": "0+0x1440 0+60x40"}, "1465m", [{}]),
        ({"itar_decision_block": "0+60x1480"}, "1465m", None),
    ],
    "ItarIdentityFailures": [
        ({"itar_identity_failures": "0+30x40", "itar_requests": "0+60x40"}, "30m", [{}]),
        ({"itar_identity_failures": "0+6x40", "itar_requests": "0+60x40"}, "30m", None),
    ],
    "ItarNoRequests": [
        ({"itar_requests": "5+0x100"}, "90m", [{}]),
        ({"itar_requests": "0+10x100"}, "90m", None),
    ],
    "ItarFilterMetricsAbsent": [
        ({"itar_requests": "0+10x30"}, "20m", [{}]),
        ({"itar_requests": "0+10x30", "itar_policy_digest_prefix": "7+0x30"}, "20m", None),
    ],
    "ItarPolicyDigestChanged": [
        ({'itar_policy_digest_prefix{instance="a"}': "1x10 2x10"}, "13m", [{"instance": "a"}]),
        ({'itar_policy_digest_prefix{instance="a"}': "1x20"}, "13m", None),
    ],
    "ItarPolicyMismatch": [
        ({'itar_policy_digest_prefix{instance="a"}': "1x30", 'itar_policy_digest_prefix{instance="b"}': "2x30"},
         "20m", [{}]),
        ({'itar_policy_digest_prefix{instance="a"}': "1x30", 'itar_policy_digest_prefix{instance="b"}': "1x30"},
         "20m", None),
    ],
    "ItarVmMemoryHigh": [
        ({'itar_vm_memory_bytes{instance="a"}': "30000000x40"}, "35m", [{"instance": "a"}]),
        ({'itar_vm_memory_bytes{instance="a"}': "20000000x40"}, "35m", None),
    ],
    "ItarIncompleteRequests": [
        ({"itar_decision_incomplete": "0+6x40", "itar_requests": "0+60x40"}, "30m", [{}]),
        ({"itar_decision_incomplete": "0+1x40", "itar_requests": "0+60x40"}, "30m", None),
    ],
    "ItarAuditShippingDropped": [
        ({ALS_FAIL: "0 0 0 2 2 2 2"}, "5m", [{}]),
        ({OTEL_5XX: "0 0 0 1 1 1 1"}, "5m", [{}]),
        ({"envoy_access_logs_open_telemetry_access_log_logs_dropped": "0 0 0 5 5 5 5"}, "5m", [{}]),
        ({ALS_FAIL: "0x10", "envoy_access_logs_grpc_access_log_logs_dropped": "0x10"}, "5m", None),
    ],
    "ItarThrottling": [
        ({"itar_decision_throttle": "0+12x40", "itar_requests": "0+60x40"}, "30m", [{}]),
        ({"itar_decision_throttle": "0+3x40", "itar_requests": "0+60x40"}, "30m", None),
    ],
    "ItarServerErrors": [
        ({GW5: "0+6x40", GW2: "0+54x40"}, "30m", [{}]),
        ({GW5: "0+1x40", GW2: "0+59x40"}, "30m", None),
    ],
    "ItarPolicySwapRejected": [
        ({REJECTED: "0 0 1 1 1"}, "4m", [{}]),
        ({REJECTED: "0x5"}, "4m", None),
    ],
    "ItarAuditSealFailures": [
        ({"itar_audit_seal_failures": "0 0 1 1 1"}, "4m", [{}]),
        ({"itar_audit_seal_failures": "3x5"}, "4m", None),
    ],
}


def test_rules_check():
    r = subprocess.run([str(promtool()), "check", "rules", str(ALERTS)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"SUCCESS: {len(alert_names())} rules found" in r.stdout


def test_every_alert_fires_and_stays_quiet(tmp_path):
    assert sorted(CASES) == sorted(alert_names()), "every alert needs its cases"
    for alert, cases in CASES.items():
        assert any(f is not None for _, _, f in cases) and any(f is None for _, _, f in cases), alert
    run_unit_tests(tmp_path, [case(a, s, t, f) for a, cs in CASES.items() for s, t, f in cs])


def test_a_wrong_expectation_fails(tmp_path):
    """The harness can fail: a quiet case expected to fire is reported."""
    with pytest.raises(AssertionError):
        run_unit_tests(tmp_path, [case("ItarPolicySwapRejected", {REJECTED: "0x5"}, "4m", [{}])])
