#!/usr/bin/env python3
"""Runs every family generator (A-D here and the sealed S): writes their JSONL, or with --check
verifies that the committed files equal the generator output (exit 1 otherwise).

    python3 filter/testdata/corpus/families/make_families.py [--check]
"""
import pathlib, subprocess, sys

here = pathlib.Path(__file__).resolve().parent
gens = [here / f"family_{x}.py" for x in "abcde"] + [here.parent / "sealed" / "family_s.py"]
ok = True
for g in gens:
    r = subprocess.run([sys.executable, str(g)] + sys.argv[1:])
    ok &= r.returncode == 0
sys.exit(0 if ok else 1)
