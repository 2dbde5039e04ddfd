"""Usage governance through real Envoy with 2 worker threads and concurrent clients: request and
token quotas hold across workers (shared data with CAS), with 429 + Retry-After in the provider's
format, and the audit and metrics record it."""
import concurrent.futures
import json
import time

import pytest

from conftest import BASE, ROOT, Gateway, token

WINDOW = 3600


@pytest.fixture(scope="module")
def qgw(workdir, standins, tmp_path_factory):
    now = time.time()
    if WINDOW - now % WINDOW < 20:  # do not straddle a window boundary
        time.sleep(WINDOW - now % WINDOW + 1)
    pol = json.loads((ROOT / "policies" / "default.json").read_text())
    pol["quotas"] = [
        {"id": "per-user-requests", "scope": "user", "window_seconds": WINDOW, "requests": 20},
        {"id": "team-tokens", "scope": "team", "window_seconds": WINDOW, "tokens": 2000, "models": ["claude-sonnet-5-5"]},
    ]
    p = tmp_path_factory.mktemp("quota") / "quota-policy.json"
    p.write_text(json.dumps(pol))
    g = Gateway(workdir / "gw-quota", standins, policy=p, port=BASE + 60, admin=BASE + 61, concurrency=2)
    yield g
    g.stop()


def test_request_quota_exact_under_concurrency(qgw, standins):
    tok = token(sub=f"quota-user-{time.time_ns()}")
    before = len(standins.records("commercial"))
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        results = list(ex.map(lambda i: qgw.chat(f"hello {i}", tok), range(40)))
    statuses = sorted(r.status for r in results)
    assert statuses.count(200) == 20 and statuses.count(429) == 20, statuses
    refused = [r for r in results if r.status == 429]
    for r in refused:
        err = r.json()["error"]
        assert err["code"] == "quota_exceeded" and "per-user-requests" in err["message"]
        assert 0 < int(r.headers["retry-after"]) <= WINDOW
    assert len(standins.records("commercial")) - before == 20  # no overshoot upstream
    qgw.settle()
    mine = [a for a in qgw.audit() if (a.get("identity") or {}).get("subject", "").startswith("quota-user")]
    assert sum(a["decision"] == "throttle" for a in mine) == 20
    assert all(a["quota"] == "per-user-requests" for a in mine if a["decision"] == "throttle")
    stats = qgw.stats_when("itar_decision_throttle", lambda s: any(v >= 20 for v in s.values()))
    assert any(v >= 20 for v in stats.values()), stats


def test_other_users_unaffected(qgw):
    assert qgw.chat("hello", token(sub=f"other-{time.time_ns()}")).status == 200


def test_token_quota_settled_with_reported_usage(qgw):
    """Team tokens (2000) on claude-sonnet-5-5: each reply reports ~250 output tokens (the stand-in
    counts ceil(chars/4) of a scripted 1000-character reply), so the team runs out after a handful
    of requests even though each prompt's estimate is small, and gets 429 in Anthropic's format."""
    import base64

    reply = base64.b64encode(("x" * 1000).encode()).decode()
    statuses = []
    for i in range(12):
        tok = token(sub=f"team-member-{i}-{time.time_ns()}", team="avionics")
        r = qgw.messages("short prompt", tok, headers={"x-standin-reply-b64": reply})
        statuses.append(r.status)
        if r.status == 429:
            body = r.json()
            assert body["type"] == "error" and body["error"]["code"] == "quota_exceeded"
            assert "team-tokens" in body["error"]["message"]
    assert statuses[0] == 200 and 429 in statuses, statuses
    n_ok = statuses.index(429)
    # Each admitted request settles ~250+ tokens: 2000 allows at most 8 before the refusal.
    assert 4 <= n_ok <= 9, statuses
    assert all(s == 429 for s in statuses[n_ok:]), statuses
    # Another team is unaffected.
    r = qgw.messages("short prompt", token(sub="x", team="radar"))
    assert r.status == 200
