#!/usr/bin/env python3
"""Edit one metadata record of an rpm-md repository the way build.sh needs it.

    repomd-tool.py recompress REPO TYPE CODEC   # CODEC: gz, bz2, xz, zst, none
    repomd-tool.py resum REPO TYPE              # after editing the file in place
    repomd-tool.py check REPO                   # one line: what is wrong with REPO, or "ok"

recompress: createrepo_c 0.17 cannot write zstd, so build.sh makes its zstd primary.xml here:
the file is decompressed and recompressed with the gzip/bzip2/xz/zstd CLI (deterministic
settings), renamed to <sha256>-<type>.xml.<ext>, and the record's <checksum>, <size> and
<location> are updated (<open-*> stay: same content).
resum: recompute <checksum> and <size> of the file as it is now, and <open-checksum> and
<open-size> when it still decompresses (the broken/ fixtures: a truncated or malformed file
whose repomd record is otherwise correct). The file keeps its name.
check: run-oracles.sh's diagnosis of corpus repos dnf refuses (empty or unparsable repomd.xml,
no primary XML, files missing, size or checksum different from repomd).
repomd.xml is edited as text, so everything else keeps its bytes.
Needs Debian's /usr/bin/python3 only (no third-party modules).
"""
import hashlib
import os
import re
import subprocess
import sys

EXT = {"gz": ".gz", "bz2": ".bz2", "xz": ".xz", "zst": ".zst", "none": ""}
DECOMP = {".gz": ["gzip", "-dc"], ".bz2": ["bzip2", "-dc"], ".xz": ["xz", "-dc"],
          ".zst": ["zstd", "-dcq"]}
COMP = {"gz": ["gzip", "-n", "-9", "-c"], "bz2": ["bzip2", "-9", "-c"],
        "xz": ["xz", "-6", "-c", "--threads=1"], "zst": ["zstd", "-19", "-q", "-c", "--no-check"]}


def decompress(path: str, data: bytes) -> bytes | None:
    for ext, cmd in DECOMP.items():
        if path.endswith(ext):
            r = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            return r.stdout if r.returncode == 0 else None
    return data


def sub1(pattern: str, repl: str, text: str) -> str:
    out, n = re.subn(pattern, repl, text, count=1)
    if n != 1:
        sys.exit(f"repomd record has no match for {pattern}")
    return out


def check(repo: str) -> str:
    import xml.etree.ElementTree as ET
    path = os.path.join(repo, "repodata", "repomd.xml")
    try:
        head = open(path, "rb").read(200)
    except OSError as e:
        return f"repomd.xml cannot be read ({e.strerror})"
    if not head.lstrip().startswith(b"<"):
        # e.g. a git symlink checked out as a text file holding the link target
        return f"repomd.xml is not XML, it holds {head.decode('utf-8', 'replace')!r}"
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        return f"repomd.xml does not parse ({e})"
    ns = {"r": "http://linux.duke.edu/metadata/repo"}
    problems = []
    types = []
    for data in root.findall("r:data", ns):
        mdtype = data.get("type", "?")
        types.append(mdtype)
        loc = data.find("r:location", ns)
        href = loc.get("href") if loc is not None else None
        if not href:
            problems.append(f"{mdtype}: no location")
            continue
        f = os.path.join(repo, href)
        if not os.path.exists(f):
            problems.append(f"{mdtype}: {href} missing")
            continue
        raw = open(f, "rb").read()
        size = data.find("r:size", ns)
        if size is not None and size.text and int(size.text) != len(raw):
            problems.append(f"{mdtype}: {href} is {len(raw)} bytes, repomd says {size.text}")
        ck = data.find("r:checksum", ns)
        if ck is not None and ck.text:
            algo = {"sha": "sha1"}.get(ck.get("type", ""), ck.get("type", ""))
            try:
                actual = hashlib.new(algo, raw).hexdigest()
            except ValueError:
                problems.append(f"{mdtype}: unknown checksum type {algo}")
                continue
            if actual != ck.text.strip():
                problems.append(f"{mdtype}: {algo} mismatch")
    if "primary" not in types:
        problems.insert(0, "no primary XML record (types: " + ", ".join(types) + ")")
    return "; ".join(problems) or "ok"


def main() -> None:
    if sys.argv[1] == "check":
        print(check(sys.argv[2]))
        return
    op, repo, mdtype = sys.argv[1:4]
    repodata = os.path.join(repo, "repodata")
    repomd_path = os.path.join(repodata, "repomd.xml")
    repomd = open(repomd_path, encoding="utf-8").read()
    m = re.search(r'(<data type="%s">)(.*?)(</data>)' % re.escape(mdtype), repomd, re.S)
    if not m:
        sys.exit(f"{repomd_path}: no <data type=\"{mdtype}\">")
    record = m.group(2)
    href = re.search(r'<location href="([^"]+)"', record).group(1)
    path = os.path.join(repo, href)
    data = open(path, "rb").read()
    if op == "recompress":
        codec = sys.argv[4]
        raw = decompress(path, data)
        if raw is None:
            sys.exit(f"{path}: does not decompress")
        if codec != "none":
            data = subprocess.run(COMP[codec], input=raw, stdout=subprocess.PIPE,
                                  check=True).stdout
        else:
            data = raw
        name = f"{hashlib.sha256(data).hexdigest()}-{mdtype}.xml{EXT[codec]}"
        os.remove(path)
        with open(os.path.join(repodata, name), "wb") as f:
            f.write(data)
        record = sub1(r'<location href="[^"]+"/>', f'<location href="repodata/{name}"/>', record)
    elif op == "resum":
        raw = decompress(path, data)
        if raw is not None:
            record = sub1(r'<open-checksum type="sha256">[0-9a-f]+</open-checksum>',
                          f'<open-checksum type="sha256">{hashlib.sha256(raw).hexdigest()}'
                          "</open-checksum>", record)
            record = sub1(r"<open-size>\d+</open-size>", f"<open-size>{len(raw)}</open-size>",
                          record)
    else:
        sys.exit(f"unknown operation {op}")
    record = sub1(r'<checksum type="sha256">[0-9a-f]+</checksum>',
                  f'<checksum type="sha256">{hashlib.sha256(data).hexdigest()}</checksum>', record)
    record = sub1(r"<size>\d+</size>", f"<size>{len(data)}</size>", record)
    repomd = repomd[:m.start(2)] + record + repomd[m.end(2):]
    with open(repomd_path, "w", encoding="utf-8") as f:
        f.write(repomd)


if __name__ == "__main__":
    main()
