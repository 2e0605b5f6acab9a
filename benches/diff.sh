#!/usr/bin/env bash
# Benchmark `bramble diff` on two Fedora-scale repos: the oracle's 63,440-package
# scale/debian-bookworm as OLD, and as NEW a modified copy generated here into a temp dir
# (never into the shared oracle): every 50th package upgraded (version + ".1", new pkgid),
# every 200th removed, every 300th rebuilt (new pkgid, same NEVRA). Prints the median wall
# time of cold runs (bramble has no cache) and, when dnf is installed, of `dnf repodiff
# --archlist '*'` (fresh --installroot each run) and the ratio. Target: bramble < 2 s.
#
#   bash benches/diff.sh [RUNS]          (BRAMBLE_ORACLE defaults to ../shared/oracle)
#   NO_BUILD=1: use the release binary as it is; SKIP_DNF=1: leave dnf out.
set -euo pipefail
RUNS=${1:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
O=${BRAMBLE_ORACLE:-$HERE/../shared/oracle}
O=$(cd "$O" && pwd)
B=${CARGO_TARGET_DIR:-$HERE/target}/release/bramble
[ -n "${NO_BUILD:-}" ] || (cd "$HERE" && cargo build --release -q)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OLD=$O/scale/debian-bookworm
NEW=$TMP/debian-bookworm-new
mkdir -p "$NEW/repodata"

# The modified copy: primary.xml edited, repomd.xml pointing at it (filelists and other
# copied unchanged; entries of removed packages there are simply unused).
/usr/bin/python3 - "$OLD" "$NEW" <<'PY'
import gzip, hashlib, os, re, shutil, sys
old, new = sys.argv[1], sys.argv[2]
rd = os.path.join(old, "repodata")
repomd = open(os.path.join(rd, "repomd.xml")).read()
prim = re.search(r'<data type="primary">.*?href="([^"]+)"', repomd, re.S).group(1)
text = gzip.open(os.path.join(old, prim), "rt", encoding="utf-8").read()
head, rest = text.split("<package ", 1)
pkgs = ("<package " + rest).split("</package>")
tail = pkgs.pop()
out, n = [], 0
for i, p in enumerate(pkgs):
    if i % 200 == 199:
        continue
    if i % 50 == 0:
        p = re.sub(r'(<version [^>]*ver=")([^"]*)"', r'\1\2.1"', p, count=1)
    if i % 50 == 0 or i % 300 == 7:
        p = re.sub(r'(pkgid="YES">)([0-9a-f]{8})', lambda m: m.group(1) + "deadbeef", p, count=1)
    out.append(p + "</package>")
    n += 1
head = re.sub(r'packages="\d+"', f'packages="{n}"', head)
data = (head + "".join(out) + tail).encode()
gz = gzip.compress(data, mtime=0)
name = "repodata/" + hashlib.sha256(gz).hexdigest() + "-primary.xml.gz"
open(os.path.join(new, name), "wb").write(gz)
for f in os.listdir(rd):
    if "primary" not in f and f != "repomd.xml":
        shutil.copy(os.path.join(rd, f), os.path.join(new, "repodata", f))
def rec(m):
    r = m.group(0)
    r = re.sub(r'href="[^"]+"', f'href="{name}"', r)
    r = re.sub(r'(<checksum type="sha256">)[0-9a-f]+', r'\g<1>' + hashlib.sha256(gz).hexdigest(), r)
    r = re.sub(r'(<open-checksum type="sha256">)[0-9a-f]+', r'\g<1>' + hashlib.sha256(data).hexdigest(), r)
    r = re.sub(r'<size>\d+', f'<size>{len(gz)}', r)
    r = re.sub(r'<open-size>\d+', f'<open-size>{len(data)}', r)
    return r
repomd = re.sub(r'<data type="primary">.*?</data>', rec, repomd, flags=re.S)
open(os.path.join(new, "repodata", "repomd.xml"), "w").write(repomd)
print(f"NEW: {n} packages ({len(pkgs) - n} removed)", file=sys.stderr)
PY

median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
# measure CMD...: prints "median-wall median-cpu" (cpu = user + sys) over $RUNS cold runs.
measure() {
  local walls=() cpus=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$TMP/root"; mkdir -p "$TMP/root"
    /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@" >"$TMP/out" 2>"$TMP/err" || true
    read -r w u s < <(tail -1 "$TMP/t")
    walls+=("$w"); cpus+=("$(echo "$u + $s" | bc)")
  done
  echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median)"
}
echo "== bramble diff, 63,440 packages each side (load: $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg))"
read -r BW BC < <(measure "$B" diff --old "old,$OLD" --new "new,$NEW" --json)
"$B" diff --old "old,$OLD" --new "new,$NEW" 2>/dev/null | grep -E '^(Packages|Problems|Dependency)' || true
printf 'bramble diff (closure, deps, packages)  wall %6.2f s  cpu %6.2f s  (target: wall < 2 s)\n' "$BW" "$BC"
read -r BP BPC < <(measure "$B" diff --old "old,$OLD" --new "new,$NEW" --no-closure --json)
printf 'bramble diff --no-closure               wall %6.2f s  cpu %6.2f s\n' "$BP" "$BPC"
read -r LW LC < <(measure "$B" query --repofrompath "d,$OLD" nonexistent-package)
printf 'bramble load of one side (query)        wall %6.2f s  cpu %6.2f s\n' "$LW" "$LC"
if command -v dnf >/dev/null && [ "${SKIP_DNF:-}" = "" ]; then
  read -r DW DC < <(measure dnf --config="$O/scenarios/dnf.conf" --disableplugin='*' --enableplugin=repodiff \
       --releasever=9 --installroot="$TMP/root" --disablerepo='*' \
       --repofrompath=old,"$OLD" --repofrompath=new,"$NEW" -q \
       repodiff --repo-old=old --repo-new=new --archlist '*' --simple)
  printf 'dnf repodiff --archlist * (cold)        wall %6.2f s  cpu %6.2f s\n' "$DW" "$DC"
  echo "dnf repodiff / bramble diff             $(echo "scale=2; $DW / $BW" | bc -l)"
fi
