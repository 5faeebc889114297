"""What costs what in the shipped libraries: the npm package's .wasm and the phone
profile's .so, per crate and per top symbol, from the builds `bash wasm/build` and
`bash bindings/build-mobile` leave in target/. Writes a JSON report; with --compare, also
prints what changed against an earlier report and fails when a shipped size grew by more
than 5 KB over it (regenerate reports/size.json and say why in docs/measurements.md).

  python3 tools/size-report.py --out reports/size.json [--compare reports/size.json]

The .wasm is attributed on its build before wasm-bindgen and wasm-opt (function bodies of
the code section, named by the name section); the .so on its unstripped twin (`nm`). The
totals are of the shipped files (wasm/pkg/size.json, target/mobile/size.json)."""
import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict

WASM = "target/wasm32-unknown-unknown/wasm/kefu_wasm.wasm"
SO = "target/x86_64-unknown-linux-gnu/mobile/libkefu_ffi.so"
GROWTH_LIMIT = 5 * 1024
TOP = 30


def leb(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def idents_v0(body):
    """The identifiers of a v0 Rust symbol (`_R…`), in order: a readable approximation of
    its path (generic arguments and disambiguators left out)."""
    m = re.search(r"C(?:s[0-9A-Za-z]*_)?(?=\d)", body)
    if not m:
        return []
    out, at = [], m.end()
    while at < len(body):
        d = re.match(r"(\d+)_?", body[at:])
        if not d:
            at += 1
            continue
        n, start = int(d.group(1)), at + d.end()
        ident = body[start : start + n]
        if n and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", ident):
            out.append(ident)
            at = start + n
        else:
            at += len(d.group(1))
    return out


def demangle(name):
    """A Rust symbol (legacy _ZN…E or v0 _R…) as a path; other names as they are."""
    if re.match(r"^_?_R", name):
        return "::".join(idents_v0(name)) or name
    m = re.match(r"^_?_ZN(.*)E$", name)
    if not m:
        return name
    body, parts, at = m.group(1), [], 0
    while at < len(body) and body[at].isdigit():
        n = re.match(r"\d+", body[at:]).group(0)
        at += len(n)
        parts.append(body[at : at + int(n)])
        at += int(n)
    if parts and re.match(r"^h[0-9a-f]{16}$", parts[-1]):
        parts.pop()
    path = "::".join(parts)
    for code, char in (("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$RF$", "&"), ("$C$", ","), ("..", "::")):
        path = path.replace(code, char)
    return path


def crate_of(path):
    """The crate a symbol's code belongs to: the first path segment, looking inside `<…>`."""
    m = re.search(r"[A-Za-z_][A-Za-z0-9_]*(?=::)", path)
    return m.group(0) if m else "(other)"


def wasm_functions(path):
    data = open(path, "rb").read()
    at, imported, bodies, names = 8, 0, [], {}
    while at < len(data):
        kind = data[at]
        size, at = leb(data, at + 1)
        end = at + size
        if kind == 2:  # imports: count the functions among them
            count, p = leb(data, at)
            for _ in range(count):
                for _ in range(2):
                    n, p = leb(data, p)
                    p += n
                k = data[p]
                p += 1
                if k == 0:
                    _, p = leb(data, p)
                    imported += 1
                elif k == 1:
                    p += 1
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif k == 2:
                    flags, p = leb(data, p)
                    _, p = leb(data, p)
                    if flags & 1:
                        _, p = leb(data, p)
                elif k == 3:
                    p += 2
        elif kind == 10:  # code: each body's size
            count, p = leb(data, at)
            for _ in range(count):
                n, p2 = leb(data, p)
                bodies.append(n + (p2 - p))
                p = p2 + n
        elif kind == 0:  # custom: the name section's function names
            n, p = leb(data, at)
            if data[p : p + n] == b"name":
                p += n
                while p < end:
                    sub, p = data[p], p + 1
                    length, p = leb(data, p)
                    if sub == 1:
                        count, q = leb(data, p)
                        for _ in range(count):
                            index, q = leb(data, q)
                            n2, q = leb(data, q)
                            names[index] = data[q : q + n2].decode("utf-8", "replace")
                            q += n2
                    p += length
        at = end
    return [(demangle(names.get(imported + i, f"func{imported + i}")), size) for i, size in enumerate(bodies)]


def so_symbols(path):
    out = subprocess.run(["nm", "-S", "--defined-only", path], capture_output=True, text=True, check=True).stdout
    symbols = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            symbols.append((demangle(parts[3]), int(parts[1], 16)))
    return symbols


def summary(symbols, total):
    by_crate = defaultdict(int)
    for name, size in symbols:
        by_crate[crate_of(name)] += size
    ordered = sorted(by_crate.items(), key=lambda kv: -kv[1])
    top = sorted(symbols, key=lambda s: -s[1])[:TOP]
    return {
        "shipped_bytes": total,
        "code_bytes": sum(s for _, s in symbols),
        "by_crate": dict(ordered),
        "top_symbols": [[name[:160], size] for name, size in top],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--compare")
    args = ap.parse_args()
    wasm_total = json.load(open("wasm/pkg/size.json"))["wasm_gzip_bytes"]
    so_total = json.load(open("target/mobile/size.json"))["so_stripped_bytes"]
    report = {
        "wasm": dict(summary(wasm_functions(WASM), wasm_total), shipped="wasm/pkg/kefu_wasm_bg.wasm, gzip -9"),
        "so": dict(summary(so_symbols(SO), so_total), shipped="target/mobile/libkefu_ffi.so, stripped"),
    }
    # The package without its `yaml` feature (`bash wasm/build --compiled-only`), if built.
    try:
        compiled_only = json.load(open("wasm/pkg-compiled/size.json"))["wasm_gzip_bytes"]
        report["wasm_compiled_bots_only"] = {
            "shipped_bytes": compiled_only,
            "shipped": "wasm/pkg-compiled/kefu_wasm_bg.wasm (`bash wasm/build --compiled-only`), gzip -9",
        }
    except FileNotFoundError:
        pass
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    if "wasm_compiled_bots_only" in report:
        print(f"wasm, compiled bots only: {report['wasm_compiled_bots_only']['shipped_bytes']:,} B shipped")
    for kind in ("wasm", "so"):
        r = report[kind]
        crates = ", ".join(f"{c} {b / 1024:.0f} KB" for c, b in list(r["by_crate"].items())[:8])
        print(f"{kind}: {r['shipped_bytes']:,} B shipped; code by crate: {crates}")
    if not args.compare:
        return
    before = json.load(open(args.compare))
    grew = []
    for kind in ("wasm", "so"):
        old, new = before[kind], report[kind]
        for crate in sorted(set(old["by_crate"]) | set(new["by_crate"])):
            delta = new["by_crate"].get(crate, 0) - old["by_crate"].get(crate, 0)
            if abs(delta) > GROWTH_LIMIT:
                print(f"  {kind} {crate}: {delta / 1024:+.1f} KB of code")
        delta = new["shipped_bytes"] - old["shipped_bytes"]
        print(f"  {kind} shipped: {delta:+,} B against {args.compare}")
        if delta > GROWTH_LIMIT:
            grew.append(f"{kind} +{delta:,} B")
    if grew:
        sys.exit(
            f"size grew by more than 5 KB ({'; '.join(grew)}): regenerate the report with "
            f"`python3 tools/size-report.py --out {args.compare}` and say why in docs/measurements.md"
        )


if __name__ == "__main__":
    main()
