"""A short soak (scripts/soak): 2,000 mixed requests at concurrency 16 through a real gateway.
No unexpected status, nothing controlled at commercial/foreign, one audit record per request,
Envoy memory flat between the first and last third. Ports BASE+280 to BASE+291 (conftest.BASE,
ITAR_TEST_PORT_BASE)."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import BASE, ROOT


def test_short_soak():
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "soak"), "--requests", "2000",
                          "--concurrency", "16", "--port-base", str(BASE + 280)],
                         capture_output=True, text=True, timeout=300)
    lines = out.stdout.strip().splitlines()
    assert lines, out.stderr[-3000:]
    s = json.loads(lines[-1])
    print(lines[-1])
    assert s["unexpected_status"] == 0 and s["leaks"] == 0, s
    assert s["audit_records"] == 2000, s
    assert s["decisions"] == {"allow": 1166, "block": 334, "redact": 334, "reroute": 166}, s
    assert s["ok"] and out.returncode == 0, s
