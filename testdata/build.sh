#!/usr/bin/env bash
# Rebuild every fixture repository under testdata/repos/ from the specs in testdata/specs/.
#
#   bash testdata/build.sh
#
# Needs rpmbuild (rpm), createrepo_c + modifyrepo_c (createrepo-c), zstd and Debian's
# /usr/bin/python3; on Debian 12: apt-get install -y rpm createrepo-c zstd.
# Output is reproducible: fixed SOURCE_DATE_EPOCH, build host and work path (rpmmacros), rpm
# file mtimes and repomd timestamps pinned, no sqlite databases. Running it twice gives the same
# bytes (checked with `git status` after a rebuild).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SPECS=$HERE/specs
REPOS=${REPOS:-$HERE/repos}
PY=/usr/bin/python3
# A fixed work path: a src.rpm stores the expanded %install script (which names the build root)
# and binary headers store the src.rpm's name, so a random path would break reproducibility.
WORK=/tmp/bramble-testdata-build
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
export SOURCE_DATE_EPOCH=1720000000 TZ=UTC LC_ALL=C

DEFS=()
while read -r name value; do
    [[ $name == %* ]] && DEFS+=(--define "${name#%} $value")
done <"$HERE/rpmmacros"

# rpmb SPEC TARGET [-ba] [rpmbuild args...]: build binary packages (and the src.rpm with -ba).
rpmb() {
    local spec=$1 target=$2 mode=-bb
    shift 2
    if [[ ${1:-} == -ba ]]; then mode=-ba; shift; fi
    if ! rpmbuild "${DEFS[@]}" --define "_topdir $WORK/top" \
            --target "$target" --nodeps "$@" "$mode" "$spec" >"$WORK/log" 2>&1; then
        cat "$WORK/log" >&2
        echo "rpmbuild failed: $spec ($target)" >&2
        exit 1
    fi
}

# collect DEST: move what rpmbuild produced into DEST (a directory), reset the top dir.
collect() {
    mkdir -p "$1"
    find "$WORK/top/RPMS" "$WORK/top/SRPMS" -name '*.rpm' -exec mv -t "$1" {} +
    rm -rf "$WORK/top"
}

# mkrepo DIR [createrepo_c args...]: metadata for DIR/Packages, timestamps pinned.
mkrepo() {
    local dir=$1
    shift
    touch -d "@$SOURCE_DATE_EPOCH" "$dir"/Packages/*.rpm
    createrepo_c --quiet --no-database --revision "$SOURCE_DATE_EPOCH" \
        --set-timestamp-to-revision "$@" "$dir" >/dev/null
}

# addmd FILE TYPE DIR [modifyrepo_c args...]: add a metadata file; modifyrepo_c stamps its
# record with the current time, so pin every <timestamp> to SOURCE_DATE_EPOCH.
addmd() {
    local file=$1 type=$2 dir=$3
    shift 3
    modifyrepo_c --mdtype="$type" "$@" "$file" "$dir/repodata" >/dev/null
    sed -i "s|<timestamp>[0-9]*</timestamp>|<timestamp>$SOURCE_DATE_EPOCH</timestamp>|" \
        "$dir/repodata/repomd.xml"
}

rm -rf "$REPOS"
mkdir -p "$REPOS"

# --- demo-base + demo-copr: the python-magic story (JOURNEYS.md journey 1) ----------------
S=$SPECS/demo-base
R=$REPOS/demo-base
for spec in filesystem glibc bash python3 file insights-client tar shadow-utils openssl dnf; do
    rpmb "$S/$spec.spec" x86_64 --define 'dist .el9'
done
rpmb "$S/openssh.spec" x86_64 --define 'dist .el9'
rpmb "$S/openssh.spec" x86_64 --define 'dist .el9' --define 'ssh_update 1'
collect "$R/Packages"
mkrepo "$R" --groupfile "$S/comps.xml"
# updateinfo.xml names the advisory's RPMs with their sha256; fill in the built ones.
cp "$S/updateinfo.xml" "$WORK/updateinfo.xml"
for f in "$R"/Packages/openssh*-38.*.rpm; do
    sum=$(sha256sum "$f" | cut -d' ' -f1)
    sed -i "s|@SHA256:$(basename "$f")@|$sum|" "$WORK/updateinfo.xml"
done
if grep -q '@SHA256:' "$WORK/updateinfo.xml"; then
    echo "updateinfo.xml names an RPM that was not built" >&2
    exit 1
fi
addmd "$WORK/updateinfo.xml" updateinfo "$R"

S=$SPECS/demo-copr
R=$REPOS/demo-copr
for spec in python-magic python-dateutil s3cmd; do  # gzip payloads here
    rpmb "$S/$spec.spec" x86_64 --define 'dist .el9' --define '_binary_payload w9.gzdio'
done
collect "$R/Packages"
mkrepo "$R" --general-compress-type=xz
