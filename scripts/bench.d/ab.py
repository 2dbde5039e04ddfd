#!/usr/bin/env python3
"""A/B of filter builds at one body size and concurrency (for attributing the gateway's cost).

Starts the fast upstream, plain Envoy, the floor filter's Envoy and one gateway Envoy per given
.wasm (the same render as scripts/bench), then runs wrk against each in interleaved rounds (order
reversed on odd rounds) and prints, per target, the median over rounds of p50 latency and proxy
CPU per request, and each minus plain Envoy and minus the floor in the same round.

    .venv/bin/python scripts/bench.d/ab.py [--size 4096] [--conc 1] [--rounds 6] [--duration 3] \\
        NAME=path/to/itar_wasm.wasm[,POLICY.json] [NAME=...]

Ports: the scripts/bench range (28300-28399; ITAR_BENCH_PORT_BASE moves it); gateway i listens
on 28321 + 2*i... (see PORTS below). Run it alone: it uses scripts/bench's fixed ports.
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench  # noqa: E402
from bench import PORTS, ROOT, POLICY  # noqa: E402

VARIANT_PORTS = [(PORTS["gateway"], PORTS["gateway_admin"]), (PORTS["sealed"], PORTS["sealed_admin"]),
                 (PORTS["shadow"], PORTS["shadow_admin"]), (PORTS["native"], PORTS["native_admin"]),
                 (PORTS["gateway"] + 4, PORTS["gateway"] + 5), (PORTS["gateway"] + 6, PORTS["gateway"] + 7)]


def render(out: pathlib.Path, port: int, admin: int, wasm: pathlib.Path, audit: pathlib.Path, policy: pathlib.Path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "render-envoy"), "--out", str(out),
                    "--policy", str(policy), "--wasm", str(wasm),
                    "--gateway-port", str(port), "--admin-port", str(admin), "--audit", str(audit),
                    f"--upstream=commercial={PORTS['upstream']}", f"--upstream=usgov={PORTS['upstream']}",
                    f"--upstream=foreign={PORTS['upstream']}", f"--upstream=onprem={PORTS['standin']}"],
                   check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=4096)
    ap.add_argument("--conc", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--duration", type=float, default=3.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-floor", action="store_true")
    ap.add_argument("--perf", action="store_true",
                    help="after the rounds, `perf record` each proxy during one more wrk run and print the "
                         "share of its samples per object (the Wasm JIT code is anonymous memory)")
    ap.add_argument("--out", default=str(ROOT / "var" / "bench-ab"))
    ap.add_argument("variants", nargs="+", help="NAME=WASM[,POLICY] (default policy: policies/default.json)")
    a = ap.parse_args()
    variants = [v.split("=", 1) for v in a.variants]
    if len(variants) > len(VARIANT_PORTS):
        print(f"at most {len(VARIANT_PORTS)} variants", file=sys.stderr)
        return 2
    run = pathlib.Path(a.out)
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    body = run / f"chat-{a.size}.json"
    body.write_bytes(bench.chat_body(a.size))
    sys.path.insert(0, str(ROOT / "wasm-tests"))
    from conftest import harness_policy, token as mint  # noqa: E402
    token = mint(sub="bench", clearance="SECRET", exp_in=3600 * 3)
    policy = harness_policy(POLICY, run)
    (run / "upstream.yaml").write_text(bench.UPSTREAM_YAML)
    (run / "baseline.yaml").write_text(bench.baseline_yaml(2097152))
    try:
        bench.envoy("upstream", run / "upstream.yaml", PORTS["upstream_admin"], 2, run)
        base = bench.envoy("baseline", run / "baseline.yaml", PORTS["baseline_admin"], a.workers, run)
        targets = {"plain": (base, PORTS["baseline"], "")}
        if not a.no_floor:
            bench.render_gateway(run / "floor", "floor", POLICY, bench.FLOOR_WASM, run / "floor-audit.jsonl")
            targets["floor"] = (bench.envoy("floor", run / "floor" / "envoy.yaml", PORTS["floor_admin"], a.workers, run),
                                PORTS["floor"], token)
        for (name, spec), (port, admin) in zip(variants, VARIANT_PORTS):
            wasm, _, pol = spec.partition(",")
            pol = harness_policy(pathlib.Path(pol).resolve(), run) if pol else policy
            render(run / name, port, admin, pathlib.Path(wasm).resolve(), run / f"{name}-audit.jsonl", pol)
            targets[name] = (bench.envoy(name, run / name / "envoy.yaml", admin, a.workers, run), port, token)
        for t, (_, port, tok) in targets.items():
            c = bench.check_request(port, body.read_bytes(), tok)
            if c["status"] != 200:
                raise RuntimeError(f"{t}: HTTP {c['status']} {c['body']!r}")
        url = "http://127.0.0.1:{}/v1/chat/completions"
        for t, (_, port, tok) in targets.items():
            bench.wrk(url.format(port), body, tok, a.conc, a.warmup, 2)
        per: dict[str, list[dict]] = {t: [] for t in targets}
        for r in range(a.rounds):
            order = list(targets) if r % 2 == 0 else list(reversed(targets))
            for t in order:
                e, port, tok = targets[t]
                c0 = bench.cpu_s(e["proc"].pid)
                w = bench.wrk(url.format(port), body, tok, a.conc, a.duration, 2)
                w["cpu"] = (bench.cpu_s(e["proc"].pid) - c0) * 1e6 / max(1, w["requests"])
                per[t].append(w)
        print(f"size {a.size} conc {a.conc}, {a.rounds} rounds of {a.duration}s; medians over rounds")
        print(f"{'target':<12} {'p50 us':>8} {'CPU us/req':>10} {'+plain p50':>10} {'+plain CPU':>10} "
              f"{'+floor p50':>10} {'+floor CPU':>10} {'rps':>7}")
        for t in targets:
            def med(f):
                return statistics.median(f(i) for i in range(a.rounds))
            p50 = med(lambda i: per[t][i]["latency_us"]["p50"])
            cpu = med(lambda i: per[t][i]["cpu"])
            dp = med(lambda i: per[t][i]["latency_us"]["p50"] - per["plain"][i]["latency_us"]["p50"])
            dc = med(lambda i: per[t][i]["cpu"] - per["plain"][i]["cpu"])
            if "floor" in per:
                fp = med(lambda i: per[t][i]["latency_us"]["p50"] - per["floor"][i]["latency_us"]["p50"])
                fc = med(lambda i: per[t][i]["cpu"] - per["floor"][i]["cpu"])
            else:
                fp = fc = float("nan")
            rps = med(lambda i: per[t][i]["rps"])
            print(f"{t:<12} {p50:>8.0f} {cpu:>10.1f} {dp:>10.0f} {dc:>10.1f} {fp:>10.0f} {fc:>10.1f} {rps:>7.0f}")
        if a.perf:
            for t, (e, port, tok) in targets.items():
                data = run / f"perf-{t}.data"
                rec = subprocess.Popen(["perf", "record", "-q", "-F", "2999", "-p", str(e["proc"].pid), "-o", str(data)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(0.3)
                w = bench.wrk(url.format(port), body, tok, a.conc, a.duration, 2)
                rec.send_signal(2)
                rec.wait(timeout=30)
                rep = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--sort", "dso", "-q"],
                                     capture_output=True, text=True).stdout
                (run / f"perf-{t}.txt").write_text(rep)
                sym = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--sort", "dso,sym", "-q"],
                                     capture_output=True, text=True).stdout
                (run / f"perf-{t}-sym.txt").write_text(sym)
                print(f"perf {t} ({w['requests']} requests):")
                for line in rep.splitlines()[:8]:
                    print("   ", line.strip())
    finally:
        bench.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
