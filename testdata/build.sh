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

# --- diff-old + diff-new: a repo pair for `bramble diff` ---------------------------------
# libwidget 1.0 -> 2.0 breaks widget-app's `libwidget < 2.0`; widget-app is rebuilt (same
# NEVRA, new checksum); widget-tools goes x86_64 -> noarch; widget-legacy is replaced by
# widget-ng; gadget is downgraded 1.5 -> 1.4.
S=$SPECS/diff
R=$REPOS/diff-old
rpmb "$S/libwidget.spec" x86_64 --define 'widget_version 1.0' --define 'widget_soname 1'
rpmb "$S/widget-app.spec" x86_64
rpmb "$S/widget-tools.spec" x86_64
rpmb "$S/widget-legacy.spec" noarch
rpmb "$S/gadget.spec" noarch --define 'gadget_version 1.5'
collect "$R/Packages"
mkrepo "$R"
R=$REPOS/diff-new
rpmb "$S/libwidget.spec" x86_64 --define 'widget_version 2.0' --define 'widget_soname 2'
rpmb "$S/widget-app.spec" x86_64 --define 'side_new 1'
rpmb "$S/widget-tools.spec" noarch
rpmb "$S/widget-ng.spec" noarch
rpmb "$S/gadget.spec" noarch --define 'gadget_version 1.4'
collect "$R/Packages"
mkrepo "$R"

# --- closure: every dependency form, broken on purpose ------------------------------------
S=$SPECS/closure
R=$REPOS/closure
for arch in x86_64 i686; do
    rpmb "$S/glibc.spec" "$arch"
    rpmb "$S/zlib.spec" "$arch"
done
rpmb "$S/compat32.spec" i686
rpmb "$S/frob.spec" x86_64 --define 'frob_version 1.0'
rpmb "$S/frob.spec" x86_64 -ba
for spec in bash epochal; do rpmb "$S/$spec.spec" x86_64; done
for spec in frob-legacy frob-ng prerel snapshot consumers; do rpmb "$S/$spec.spec" noarch; done
rpmb "$S/armthing.spec" aarch64
collect "$R/Packages"
mkrepo "$R" --general-compress-type=bz2

# --- lookaside: provides part of what closure misses; primary.xml recompressed to zstd ------
S=$SPECS/lookaside
R=$REPOS/lookaside
rpmb "$S/lookaside.spec" x86_64 --define '_binary_payload w6.xzdio'
rpmb "$S/toolchain.spec" x86_64 --define '_binary_payload w6.xzdio'
rpmb "$S/libpng.spec" i686 --define '_binary_payload w6.xzdio'
collect "$R/Packages"
mkrepo "$R"
# createrepo_c 0.17 cannot write zstd: recompress primary and rewrite its repomd record.
"$PY" "$HERE/repomd-tool.py" recompress "$R" primary zst

# --- modular: postgresql:15 (default) and :16 streams, non-modular postgresql 13 ------------
S=$SPECS/modular
R=$REPOS/modular
rpmb "$S/postgresql.spec" x86_64 --define 'pg_stream 13' --define 'dist .el9'
rpmb "$S/postgresql.spec" x86_64 -ba --define 'pg_stream 15' \
    --define 'dist .module+el9.4.0+21001+1a2b3c4d' \
    --define 'modularitylabel postgresql:15:9040020240111120000:rhel9'
rpmb "$S/postgresql.spec" x86_64 --define 'pg_stream 16' \
    --define 'dist .module+el9.4.0+21002+5e6f7a8b'
rpmb "$S/base.spec" x86_64 --define 'dist .el9'
collect "$R/Packages"
# Every binary artifact that modules.yaml lists must have been built.
have=$(rpm -qp --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n' "$R"/Packages/*.rpm | sort)
want=$(sed -n 's/^ *- \([^ ]*\.\(x86_64\|noarch\)\)$/\1/p' "$S/modules.yaml" | sort)
missing=$(comm -13 <(echo "$have") <(echo "$want"))
if [[ -n $missing ]]; then
    printf 'modules.yaml lists artifacts that were not built:\n%s\n' "$missing" >&2
    exit 1
fi
mkrepo "$R"
addmd "$S/modules.yaml" modules "$R" --compress-type=xz

# --- rpms-only: loose RPMs, no repodata ----------------------------------------------------
S=$SPECS/rpms-only
R=$REPOS/rpms-only
rpmb "$S/hello.spec" x86_64 -ba
rpmb "$S/greeter.spec" noarch --define '_binary_payload w6.xzdio'
collect "$R"
touch -d "@$SOURCE_DATE_EPOCH" "$R"/*.rpm

# --- broken: damaged copies of a good gzip repo (metadata only, no Packages/) --------------
B=$REPOS/broken
G=$WORK/good
mkdir -p "$G"
cp -r "$REPOS/demo-copr/Packages" "$G/"
mkrepo "$G"
# variant NAME: a fresh copy of the good repodata in broken/NAME; sets D.
variant() {
    D=$B/$1
    mkdir -p "$D"
    cp -r "$G/repodata" "$D/"
}
mdfile() { sed -n "/<data type=\"$2\">/,/<\/data>/s|.*<location href=\"\([^\"]*\)\".*|\1|p" "$1/repodata/repomd.xml"; }

# truncated-primary: primary.xml.gz cut to half its length; repomd untouched (checksum
# mismatch first, truncated gzip stream second).
variant truncated-primary
f=$D/$(mdfile "$D" primary)
truncate -s $(( $(stat -c %s "$f") / 2 )) "$f"
# truncated-primary-sum-ok: the same file, but repomd's checksum and size describe the
# truncated file, so only the decompressor can notice.
variant truncated-primary-sum-ok
f=$D/$(mdfile "$D" primary)
truncate -s $(( $(stat -c %s "$f") / 2 )) "$f"
"$PY" "$HERE/repomd-tool.py" resum "$D" primary
# missing-primary / missing-filelists: repomd names a file that is not there.
variant missing-primary
rm "$D/$(mdfile "$D" primary)"
variant missing-filelists
rm "$D/$(mdfile "$D" filelists)"
# bad-checksum: primary's <checksum> has one hex digit changed.
variant bad-checksum
sum=$(sed -n '/<data type="primary">/,/<\/data>/s|.*<checksum type="sha256">\([0-9a-f]*\)<.*|\1|p' \
    "$D/repodata/repomd.xml")
bad=$(echo "$sum" | sed 's/^\(.\{10\}\)\(.\)/\1X/' | sed "s/X/$(echo "$sum" | cut -c11 | tr '0-9a-f' '1-9a-f0')/")
sed -i "s|<checksum type=\"sha256\">$sum</checksum>|<checksum type=\"sha256\">$bad</checksum>|" \
    "$D/repodata/repomd.xml"
# malformed-primary: the second <package>'s </name> is dropped (unclosed tag), recompressed,
# repomd record correct for the damaged file: only the XML parser can notice.
variant malformed-primary
f=$D/$(mdfile "$D" primary)
gzip -dc "$f" | awk '/<name>/ && ++n == 2 { sub("</name>", "") } { print }' | gzip -n -9 >"$f.new"
mv "$f.new" "$f"
"$PY" "$HERE/repomd-tool.py" resum "$D" primary
# no-repomd: repodata/ without repomd.xml.
variant no-repomd
rm "$D/repodata/repomd.xml"
# malformed-repomd: repomd.xml cut in the middle of an element.
variant malformed-repomd
truncate -s 700 "$D/repodata/repomd.xml"
touch -d "@$SOURCE_DATE_EPOCH" "$B"/*/repodata/*

# --- summary -------------------------------------------------------------------------------
for d in "$REPOS"/*/; do
    n=$(find "$d" -name '*.rpm' | wc -l)
    printf '%-24s %3d rpms %6s\n' "$(basename "$d")" "$n" "$(du -sh "$d" | cut -f1)"
done
du -sh "$REPOS" | sed 's/^/total: /'
