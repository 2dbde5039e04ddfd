"""Shared plumbing of the family generators: seeded randomness helpers, evasion transforms, and
writing or checking a family's JSONL. Vocabulary and genres live in each family's own file."""
import base64, codecs, json, pathlib, sys

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
         "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI"]


def num(rnd, lo, hi, nd=None):
    """A random figure between lo and hi, formatted with nd decimals (guessed from the range)."""
    x = rnd.uniform(lo, hi)
    if nd is None:
        span = hi - lo
        nd = 0 if span >= 50 else 1 if span >= 5 else 2 if span >= 0.5 else 3
    return f"{x:.{nd}f}"


def tol(rnd, v, unit):
    """A tolerance written one of several ways."""
    try:
        f = float(v)
        d = len(v.split(".")[1]) if "." in v else 0
    except ValueError:
        return f"{v} {unit}"
    t = max(abs(f) * rnd.choice([0.005, 0.01, 0.02, 0.05]), 10 ** -max(d, 1))
    ts = f"{t:.{max(d, 1) if t < 1 else d}f}"
    form = rnd.randrange(4)
    if form == 0:
        return f"{v} ± {ts} {unit}"
    if form == 1:
        return f"{v} +/- {ts} {unit}"
    if form == 2:
        return f"{v} {unit} (+{ts}/-0)"
    return f"{v} {unit} ±{ts}"


def designator(rnd, letters="ABCDEFGHJKLMNPRSTVWXYZ"):
    a = "".join(rnd.choice(letters) for _ in range(rnd.choice([2, 3])))
    return f"{a}-{rnd.randint(2, 990)}" + rnd.choice(["", "", "A", "B", "C", "(V)2", "E"])


def drawing(rnd):
    return rnd.choice([
        f"DWG {rnd.randint(10000, 99999)}-{rnd.randint(1, 40):03d} rev {rnd.choice('ABCDEFGH')}",
        f"P/N {rnd.randint(100, 999)}{rnd.choice('ABCDE')}{rnd.randint(1000, 9999)}-{rnd.randint(1, 19):02d}",
        f"SPEC {rnd.choice(['ES', 'PS', 'MS', 'TS'])}-{rnd.randint(1000, 9999)}{rnd.choice(['', 'A', 'B'])}",
        f"ICD-{rnd.randint(100, 999)}-{rnd.randint(10, 99)} Rev {rnd.choice('ABCD')}",
        f"drawing {rnd.randint(7000000, 7999999)}",
    ])


# ---- evasions -----------------------------------------------------------------------------

def b64(s):
    return base64.b64encode(s.encode()).decode()


def hexs(s):
    return s.encode().hex()


def spaced_hex(s):
    return " ".join(f"{b:02x}" for b in s.encode())


def qp_all(s):
    """Quoted-printable with every byte escaped and soft line breaks (RFC 2045 76 columns)."""
    enc = "".join(f"={b:02X}" for b in s.encode())
    lines, cur = [], ""
    for i in range(0, len(enc), 3):
        if len(cur) + 3 > 75:
            lines.append(cur + "=")
            cur = ""
        cur += enc[i:i + 3]
    lines.append(cur)
    return "\n".join(lines)


def rot13(s):
    return codecs.encode(s, "rot13")


def reverse(s):
    return s[::-1]


def tags(s):
    return "".join(chr(0xE0000 + ord(c)) if 0x20 <= ord(c) < 0x7F else c for c in s)


MATH = {"bold": (0x1D400, 0x1D41A, 0x1D7CE), "sans_bold": (0x1D5D4, 0x1D5EE, 0x1D7EC),
        "monospace": (0x1D670, 0x1D68A, 0x1D7F6), "double_struck": (0x1D538, 0x1D552, 0x1D7D8)}
DS_HOLES = {"C": 0x2102, "H": 0x210D, "N": 0x2115, "P": 0x2119, "Q": 0x211A, "R": 0x211D, "Z": 0x2124}


def math_alnum(s, style="bold"):
    up, lo, dg = MATH[style]
    out = []
    for c in s:
        if style == "double_struck" and c in DS_HOLES:
            out.append(chr(DS_HOLES[c]))
        elif "A" <= c <= "Z":
            out.append(chr(up + ord(c) - 65))
        elif "a" <= c <= "z":
            out.append(chr(lo + ord(c) - 97))
        elif "0" <= c <= "9":
            out.append(chr(dg + ord(c) - 48))
        else:
            out.append(c)
    return "".join(out)


def letter_space(s, sep=" "):
    return sep.join(c for c in s if c != " ") if " " not in s else "   ".join(
        sep.join(w) for w in s.split(" "))


LEET = {"A": "4", "E": "3", "I": "1", "O": "0", "S": "5", "T": "7", "B": "8", "G": "6"}


def leet(s):
    return "".join(LEET.get(c.upper(), c) for c in s)


def one_slash(s):
    return s.replace("//", "/")


# ---- output -------------------------------------------------------------------------------

def dumps(rows):
    ids = set()
    out = []
    for r in rows:
        assert r["id"] not in ids, r["id"]
        ids.add(r["id"])
        assert r["expect"] in ("block", "allow", "redact"), r
        if r["expect"] == "redact":
            for s in r["spans"]:
                assert s in r["text"], (r["id"], s)
        out.append(json.dumps(r, ensure_ascii=False, sort_keys=False)
                   .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085"))
    return "\n".join(out) + "\n"


def emit(path, rows, argv=None):
    """Write rows to path, or with --check compare with the committed file (exit 1 if different)."""
    argv = sys.argv[1:] if argv is None else argv
    text = dumps(rows)
    p = pathlib.Path(path)
    if "--check" in argv:
        if not p.exists() or p.read_text(encoding="utf-8") != text:
            print(f"{p.name}: differs from the generator output", file=sys.stderr)
            return False
        print(f"{p.name}: {len(rows)} rows, up to date")
        return True
    p.write_text(text, encoding="utf-8")
    print(f"{p.name}: {len(rows)} rows written")
    return True
