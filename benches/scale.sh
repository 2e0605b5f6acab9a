#!/usr/bin/env bash
# Benchmark bramble against the reference tools on the Fedora-scale repos of the oracle
# (63,440 packages from Debian bookworm converted to rpm-md; see ../shared/oracle/TIMINGS.md).
# Prints median wall time, CPU time and peak RSS of each command over N runs, and the ratios
# the issues set targets for. Cold runs only: bramble has no cache; dnf gets a fresh
# --installroot each run.
#
#   bash benches/scale.sh [RUNS]          (BRAMBLE_ORACLE defaults to ../shared/oracle)
set -euo pipefail
RUNS=${1:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
O=${BRAMBLE_ORACLE:-$HERE/../shared/oracle}
O=$(cd "$O" && pwd)
B=$HERE/target/release/bramble
(cd "$HERE" && cargo build --release -q)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# measure NAME CMD... : median wall, user+sys, max RSS over $RUNS runs
declare -A WALL CPU RSS
measure() {
  local name=$1; shift
  local walls=() cpus=() rsss=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$TMP/root"; mkdir -p "$TMP/root"
    /usr/bin/time -f "%e %U %S %M" -o "$TMP/t" "$@" >/dev/null 2>"$TMP/err" || true
    read -r w u s m < <(tail -1 "$TMP/t")
    walls+=("$w"); cpus+=("$(echo "$u + $s" | bc)"); rsss+=("$m")
  done
  WALL[$name]=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  CPU[$name]=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  RSS[$name]=$(printf '%s\n' "${rsss[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  printf '%-34s wall %6.2f s  cpu %6.2f s  rss %7.1f MiB\n' "$name" "${WALL[$name]}" "${CPU[$name]}" "$(echo "${RSS[$name]} / 1024" | bc -l)"
}
ratio() { echo "scale=2; $1 / $2" | bc -l; }

DNF="dnf --config=$O/scenarios/dnf.conf --disableplugin=* --enableplugin=repoclosure --releasever=9 --disablerepo=*"
for repo in debian-bookworm debian-bookworm-files; do
  R=$O/scale/$repo
  [ -d "$R" ] || { echo "skip $repo: not found"; continue; }
  echo "== $repo  (load: $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg))"
  PRIM=$(ls "$R"/repodata/*primary.xml.gz); FL=$(ls "$R"/repodata/*filelists.xml.gz)
  measure zcat-primary sh -c "zcat '$PRIM' >/dev/null"
  measure zcat-primary+filelists sh -c "zcat '$PRIM' '$FL' >/dev/null"
  measure bramble-load bash -c "'$B' query --repofrompath d,$R --filelists never nonexistent-package"
  measure bramble-closure "$B" closure --repofrompath d,"$R"
  measure bramble-closure-full-filelists "$B" closure --filelists deps --repofrompath d,"$R"
  if command -v rpmmd2solv >/dev/null; then
    zcat "$PRIM" > "$TMP/primary.xml"
    measure rpmmd2solv sh -c "rpmmd2solv < '$TMP/primary.xml' > '$TMP/out.solv'"
  fi
  if command -v dnf >/dev/null && [ "${SKIP_DNF:-}" = "" ]; then
    measure dnf-repoclosure-cold $DNF --installroot="$TMP/root" --repofrompath=d,"$R" -q repoclosure
  fi
  echo "-- ratios"
  echo "bramble load / zcat primary                 $(ratio "${WALL[bramble-load]}" "${WALL[zcat-primary]}")  (target < 1.5)"
  echo "bramble closure / zcat primary+filelists    $(ratio "${WALL[bramble-closure]}" "${WALL[zcat-primary+filelists]}")  (target < 1.2)"
  echo "closure, all filelists / zcat prim+files    $(ratio "${WALL[bramble-closure-full-filelists]}" "${WALL[zcat-primary+filelists]}")"
  if [ -n "${WALL[rpmmd2solv]:-}" ]; then
    echo "bramble load / rpmmd2solv                   $(ratio "${WALL[bramble-load]}" "${WALL[rpmmd2solv]}")  (target < 1)"
  fi
  if [ -n "${WALL[dnf-repoclosure-cold]:-}" ]; then
    echo "dnf repoclosure / bramble closure           $(ratio "${WALL[dnf-repoclosure-cold]}" "${WALL[bramble-closure]}")  (target >= 20)"
    echo "bramble closure RSS / dnf RSS               $(ratio "${RSS[bramble-closure]}" "${RSS[dnf-repoclosure-cold]}")  (target <= 0.5)"
  fi
  "$B" closure --timings --repofrompath d,"$R" 2>&1 >/dev/null | grep timings || true
  # conflicts: detection after load (target < 1 s), file conflicts need every file list
  "$B" conflicts --timings --filelists all --repofrompath d,"$R" 2>&1 >/dev/null | grep timings || true
  unset 'WALL[rpmmd2solv]' 'WALL[dnf-repoclosure-cold]'
done
