#!/usr/bin/env bash
# Run the reference tools (dnf 4 repoclosure/repoquery, rpm) over the fixture repos of
# testdata/repos/ and over the real repositories of the corpus, and record their outputs in
# testdata/expected/.
#
#   bash testdata/build.sh && bash testdata/run-oracles.sh
#   CORPUS=/path/to/corpus bash testdata/run-oracles.sh     # default: ../shared/corpus
#
# Every case leaves CASE.cmd (the command, with paths written $TESTDATA and $CORPUS),
# CASE.stdout, CASE.stderr and CASE.rc; repoclosure cases also CASE.sorted (dependency lines
# sorted inside each package block: dnf prints them in random order, see
# normalize-repoclosure.py). In stdout/stderr the absolute testdata and corpus paths are
# replaced by $TESTDATA and $CORPUS, and dnf's "Last metadata expiration check" line (it
# carries the time, and is printed or not by cache age) is dropped, so a re-run from another
# checkout gives the same bytes.
#
# Needs dnf, dnf-plugins-core, rpm, createrepo-c (Debian 12: dnf 4.14, rpm 4.18). dnf is kept
# off the host as in ../shared/oracle: --installroot (cache, logs, rpmdb), --config=dnf.conf,
# --disableplugin='*' --enableplugin=repoclosure, --disablerepo='*'.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPOS=$HERE/repos
EXP=${EXPECTED:-$HERE/expected}
CORPUS=$(realpath "${CORPUS:-$HERE/../../shared/corpus}" 2>/dev/null || true)
[[ -d ${CORPUS:-} ]] || CORPUS=$(realpath /work/shared/corpus 2>/dev/null || true)
ORACLE=$(realpath "${ORACLE:-$HERE/../../shared/oracle}" 2>/dev/null || true)
[[ -d ${ORACLE:-} ]] || ORACLE=$(realpath /work/shared/oracle 2>/dev/null || true)
ROOTS=/tmp/bramble-testdata-roots
PY=/usr/bin/python3
export LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=UTC

rm -rf "$ROOTS" "$EXP"
mkdir -p "$ROOTS" "$EXP"

# fresh NAME: a new empty install root; sets ROOT and DNF (the common dnf prefix).
fresh() {
    ROOT=$ROOTS/$1
    rm -rf "$ROOT"
    mkdir -p "$ROOT"
    DNF=(dnf --config="$HERE/dnf.conf" --disableplugin='*' --enableplugin=repoclosure
         --releasever=9 --installroot="$ROOT" --disablerepo='*')
}

# paths: on stdin, replace the absolute testdata and corpus paths by $TESTDATA and $CORPUS, and
# drop dnf's "Last metadata expiration check: 0:00:01 ago on <date>" line (printed or not
# depending on the cache age in seconds).
paths() {
    local sedargs=(-e "s|$HERE|\$TESTDATA|g"
                   -e '/^Last metadata expiration check: /d')
    [[ -n $CORPUS ]] && sedargs+=(-e "s|$CORPUS|\$CORPUS|g")
    [[ -n $ORACLE ]] && sedargs+=(-e "s|$ORACLE|\$ORACLE|g")
    sed "${sedargs[@]}"
}

# record CASE CMD...: run CMD (at most 5 minutes), keep stdout/stderr/rc and the command line.
record() {
    local case=$1 out f
    shift
    out=$EXP/$case
    mkdir -p "$(dirname "$out")"
    printf '%q ' "$@" | sed 's/ $//' | paths >"$out.cmd"
    echo >>"$out.cmd"
    timeout 300 "$@" >"$out.stdout" 2>"$out.stderr"
    echo $? >"$out.rc"
    for f in "$out.stdout" "$out.stderr"; do
        paths <"$f" >"$f.tmp" && mv "$f.tmp" "$f"
    done
    case $case in
        *repoclosure*) "$HERE/normalize-repoclosure.py" <"$out.stdout" >"$out.sorted" ;;
    esac
}

# warm ARGS...: fill the metadata cache of the current root, so recorded runs print no
# download lines.
warm() { "${DNF[@]}" "$@" -q makecache >/dev/null 2>&1; }

NEVRA='%{name}-%{epoch}:%{version}-%{release}.%{arch}'

# ================================ demo-base + demo-copr ====================================
BASE=(--repofrompath="demo-base,$REPOS/demo-base")
COPR=(--repofrompath="demo-copr,$REPOS/demo-copr")
BOTH=("${BASE[@]}" "${COPR[@]}")
fresh demo; warm "${BOTH[@]}"
S=demo
record $S/repoclosure                "${DNF[@]}" "${BOTH[@]}" -q repoclosure
record $S/repoclosure-newest         "${DNF[@]}" "${BOTH[@]}" -q repoclosure --newest
record $S/repoclosure-check-demo-copr "${DNF[@]}" "${BOTH[@]}" -q repoclosure --check demo-copr
record $S/repoquery-all "${DNF[@]}" "${BOTH[@]}" -q repoquery --qf "$NEVRA %{reponame}"
record $S/repoquery-requires-s3cmd   "${DNF[@]}" "${BOTH[@]}" -q repoquery --requires s3cmd
record $S/repoquery-provides-python3-magic "${DNF[@]}" "${BOTH[@]}" -q repoquery --provides \
    python3-magic
record $S/repoquery-whatprovides-python3dist-magic "${DNF[@]}" "${BOTH[@]}" -q repoquery \
    --whatprovides 'python3dist(magic)'
record $S/repoquery-whatrequires-python3-magic "${DNF[@]}" "${BOTH[@]}" -q repoquery \
    --whatrequires python3-magic
record $S/repoquery-whatrequires-python3-file-magic "${DNF[@]}" "${BOTH[@]}" -q repoquery \
    --whatrequires python3-file-magic
record $S/repoquery-whatconflicts-python3-magic "${DNF[@]}" "${BOTH[@]}" -q repoquery \
    --whatconflicts python3-magic
record $S/repoquery-conflicts-python3-file-magic "${DNF[@]}" "${BOTH[@]}" -q repoquery \
    --conflicts python3-file-magic
record $S/repoquery-info-s3cmd       "${DNF[@]}" "${BOTH[@]}" -q repoquery --info s3cmd
record $S/install-insights-client-s3cmd "${DNF[@]}" "${BOTH[@]}" install --assumeno \
    insights-client s3cmd

fresh demo-base; warm "${BASE[@]}"
S=demo-base
record $S/repoclosure                "${DNF[@]}" "${BASE[@]}" -q repoclosure
record $S/repoclosure-newest         "${DNF[@]}" "${BASE[@]}" -q repoclosure --newest
record $S/repoquery-all "${DNF[@]}" "${BASE[@]}" -q repoquery --qf "$NEVRA"
record $S/repoquery-latest-limit-1 "${DNF[@]}" "${BASE[@]}" -q repoquery --latest-limit 1 \
    --qf "$NEVRA"
record $S/repoquery-requires-openssh-server "${DNF[@]}" "${BASE[@]}" -q repoquery --requires \
    openssh-server
record $S/repoquery-requires-pre-openssh-server "${DNF[@]}" "${BASE[@]}" -q repoquery \
    --requires-pre openssh-server
record $S/repoquery-provides-bash    "${DNF[@]}" "${BASE[@]}" -q repoquery --provides bash
record $S/repoquery-whatprovides-bin-sh "${DNF[@]}" "${BASE[@]}" -q repoquery \
    --whatprovides /bin/sh
record $S/repoquery-whatprovides-usr-bin-python3 "${DNF[@]}" "${BASE[@]}" -q repoquery \
    --whatprovides /usr/bin/python3
record $S/repoquery-whatrequires-python3 "${DNF[@]}" "${BASE[@]}" -q repoquery \
    --whatrequires python3
record $S/repoquery-info-insights-client "${DNF[@]}" "${BASE[@]}" -q repoquery --info \
    insights-client
record $S/repoquery-info-tar         "${DNF[@]}" "${BASE[@]}" -q repoquery --info tar
record $S/repoquery-list-openssh-server "${DNF[@]}" "${BASE[@]}" -q repoquery -l openssh-server
record $S/repoquery-changelog-openssh-server "${DNF[@]}" "${BASE[@]}" -q repoquery \
    --changelog openssh-server
record $S/repoquery-advisory-RHSA-2024-4312 "${DNF[@]}" "${BASE[@]}" -q repoquery \
    --advisory RHSA-2024:4312 --qf "$NEVRA"
record $S/group-info-core            "${DNF[@]}" "${BASE[@]}" -q group info core
record $S/group-list                 "${DNF[@]}" "${BASE[@]}" -q group list --hidden
# updateinfo lists only advisories for installed packages: install the old openssh-server
# (no scriptlets: the stand-in /bin/sh cannot run them), then ask.
fresh demo-base-installed; warm "${BASE[@]}"
record $S/updateinfo-1-install-old-openssh-server "${DNF[@]}" "${BASE[@]}" \
    --setopt=tsflags=noscripts install -y openssh-server-8.7p1-34.el9
record $S/updateinfo-2-list          "${DNF[@]}" "${BASE[@]}" -q updateinfo list
record $S/updateinfo-3-info          "${DNF[@]}" "${BASE[@]}" -q updateinfo info RHSA-2024:4312

fresh demo-copr; warm "${COPR[@]}"
S=demo-copr
record $S/repoclosure                "${DNF[@]}" "${COPR[@]}" -q repoclosure
record $S/repoquery-all "${DNF[@]}" "${COPR[@]}" -q repoquery --qf "$NEVRA"

# ================================ closure (+ lookaside) ====================================
CL=(--repofrompath="closure,$REPOS/closure")
LA=(--repofrompath="lookaside,$REPOS/lookaside")
fresh closure; warm "${CL[@]}" "${LA[@]}"
S=closure
record $S/repoclosure                    "${DNF[@]}" "${CL[@]}" -q repoclosure
record $S/repoclosure-newest             "${DNF[@]}" "${CL[@]}" -q repoclosure --newest
record $S/repoclosure-best               "${DNF[@]}" "${CL[@]}" --setopt=best=True -q repoclosure
record $S/repoclosure-check-closure      "${DNF[@]}" "${CL[@]}" -q repoclosure --check closure
record $S/repoclosure-arch-x86_64        "${DNF[@]}" "${CL[@]}" -q repoclosure --arch x86_64
record $S/repoclosure-arch-i686          "${DNF[@]}" "${CL[@]}" -q repoclosure --arch i686
record $S/repoclosure-arch-noarch        "${DNF[@]}" "${CL[@]}" -q repoclosure --arch noarch
record $S/repoclosure-arch-src           "${DNF[@]}" "${CL[@]}" -q repoclosure --arch src
record $S/repoclosure-arch-aarch64       "${DNF[@]}" "${CL[@]}" -q repoclosure --arch aarch64
record $S/repoclosure-arch-x86_64-noarch "${DNF[@]}" "${CL[@]}" -q repoclosure --arch x86_64 \
    --arch noarch
record $S/repoclosure-pkg-frob           "${DNF[@]}" "${CL[@]}" -q repoclosure --pkg frob
record $S/repoclosure-pkg-rich-consumer  "${DNF[@]}" "${CL[@]}" -q repoclosure --pkg rich-consumer
record $S/repoclosure-lookaside-check-closure "${DNF[@]}" "${CL[@]}" "${LA[@]}" -q repoclosure \
    --check closure
record $S/repoclosure-lookaside-check-closure-newest "${DNF[@]}" "${CL[@]}" "${LA[@]}" -q \
    repoclosure --check closure --newest
record $S/repoclosure-lookaside-check-closure-arch-i686 "${DNF[@]}" "${CL[@]}" "${LA[@]}" -q \
    repoclosure --check closure --arch i686
record $S/repoclosure-lookaside-all      "${DNF[@]}" "${CL[@]}" "${LA[@]}" -q repoclosure
record $S/repoquery-all "${DNF[@]}" "${CL[@]}" -q repoquery --qf "$NEVRA"
record $S/repoquery-all-reponame "${DNF[@]}" "${CL[@]}" "${LA[@]}" -q repoquery \
    --qf "$NEVRA %{reponame}"
record $S/repoquery-arch-i686 "${DNF[@]}" "${CL[@]}" -q repoquery --arch i686 --qf "$NEVRA"
record $S/repoquery-latest-limit-1 "${DNF[@]}" "${CL[@]}" -q repoquery --latest-limit 1 \
    --qf "$NEVRA"
for p in rich-consumer epoch-consumer version-consumer virtual-consumer file-consumer \
         compat32-app zlib-devel; do
    record $S/repoquery-requires-$p "${DNF[@]}" "${CL[@]}" -q repoquery --requires $p
done
record $S/repoquery-requires-pre-scriptlet-consumer "${DNF[@]}" "${CL[@]}" -q repoquery \
    --requires-pre scriptlet-consumer
record $S/repoquery-requires-scriptlet-consumer "${DNF[@]}" "${CL[@]}" -q repoquery \
    --requires scriptlet-consumer
record $S/repoquery-requires-frob-src "${DNF[@]}" "${CL[@]}" -q repoquery --requires \
    frob-1.1-1.src
for k in recommends suggests supplements enhances; do
    record $S/repoquery-$k-weak-consumer "${DNF[@]}" "${CL[@]}" -q repoquery --$k weak-consumer
done
record $S/repoquery-supplements-rich-consumer "${DNF[@]}" "${CL[@]}" -q repoquery \
    --supplements rich-consumer
record $S/repoquery-conflicts-rich-consumer "${DNF[@]}" "${CL[@]}" -q repoquery --conflicts \
    rich-consumer
record $S/repoquery-obsoletes-frob-ng "${DNF[@]}" "${CL[@]}" -q repoquery --obsoletes frob-ng
record $S/repoquery-provides-frob    "${DNF[@]}" "${CL[@]}" -q repoquery --provides frob
record $S/repoquery-provides-zlib    "${DNF[@]}" "${CL[@]}" -q repoquery --provides zlib
record $S/repoquery-provides-epochal "${DNF[@]}" "${CL[@]}" -q repoquery --provides epochal
i=0
for w in /usr/bin/frobnicate /usr/share/frob/data.db /usr/libexec/frob/helper /bin/sh \
         /usr/bin/sh 'virt(frobber)' 'virt(frobber) >= 1.5' 'virt(frobber) = 1.0' \
         'virt(plain) >= 5.0' 'frob-legacy >= 2.0' 'libz.so.1' 'zlib(x86-32)' \
         'epochal = 1.2' 'epochal = 3:1.2' 'prerel >= 1.0~rc1' 'snapshot > 2.0'; do
    i=$((i + 1))
    slug=$(printf '%02d-%s' "$i" "$w" | tr -c 'A-Za-z0-9.~^=<>-' '-' | sed 's/-*$//')
    record "$S/repoquery-whatprovides-$slug" "${DNF[@]}" "${CL[@]}" -q repoquery \
        --whatprovides "$w"
done
record $S/repoquery-whatrequires-frob "${DNF[@]}" "${CL[@]}" -q repoquery --whatrequires frob
record $S/repoquery-whatrequires-bash "${DNF[@]}" "${CL[@]}" -q repoquery --whatrequires bash
record $S/repoquery-whatrequires-epochal "${DNF[@]}" "${CL[@]}" -q repoquery --whatrequires \
    epochal
record $S/repoquery-whatobsoletes-frob-legacy "${DNF[@]}" "${CL[@]}" -q repoquery \
    --whatobsoletes frob-legacy
record $S/repoquery-info-frob        "${DNF[@]}" "${CL[@]}" -q repoquery --info frob
record $S/repoquery-info-epochal     "${DNF[@]}" "${CL[@]}" -q repoquery --info epochal
record $S/repoquery-list-frob        "${DNF[@]}" "${CL[@]}" -q repoquery -l frob
record $S/repoquery-list-zlib-devel  "${DNF[@]}" "${CL[@]}" -q repoquery -l zlib-devel
record $S/repoquery-file-usr-share-frob-data-db "${DNF[@]}" "${CL[@]}" -q repoquery \
    --file /usr/share/frob/data.db

fresh lookaside; warm "${LA[@]}"
S=lookaside
record $S/repoclosure                "${DNF[@]}" "${LA[@]}" -q repoclosure
record $S/repoquery-all "${DNF[@]}" "${LA[@]}" -q repoquery --qf "$NEVRA"
record $S/repoquery-whatprovides-usr-share-lookaside-data-txt "${DNF[@]}" "${LA[@]}" -q \
    repoquery --whatprovides /usr/share/lookaside/data.txt

# ================================ modular ==================================================
MOD=(--repofrompath="modular,$REPOS/modular")
PLATFORM=--setopt=module_platform_id=platform:el9
S=modular
fresh modular; warm "${MOD[@]}" "$PLATFORM"
record $S/repoclosure                "${DNF[@]}" "${MOD[@]}" "$PLATFORM" -q repoclosure
record $S/repoclosure-newest         "${DNF[@]}" "${MOD[@]}" "$PLATFORM" -q repoclosure --newest
record $S/repoclosure-no-platform    "${DNF[@]}" "${MOD[@]}" -q repoclosure
record $S/repoquery-all "${DNF[@]}" "${MOD[@]}" "$PLATFORM" -q repoquery --qf "$NEVRA"
record $S/repoquery-all-no-platform "${DNF[@]}" "${MOD[@]}" -q repoquery --qf "$NEVRA"
record $S/repoquery-all-disable-modular-filtering "${DNF[@]}" "${MOD[@]}" "$PLATFORM" -q \
    repoquery --disable-modular-filtering --qf "$NEVRA"
record $S/repoquery-info-postgresql-contrib "${DNF[@]}" "${MOD[@]}" "$PLATFORM" -q repoquery \
    --info postgresql-contrib
record $S/module-list                "${DNF[@]}" "${MOD[@]}" "$PLATFORM" -q module list
record $S/module-info-postgresql     "${DNF[@]}" "${MOD[@]}" "$PLATFORM" -q module info postgresql
fresh modular-s16; warm "${MOD[@]}" "$PLATFORM"
record $S/stream16-1-module-enable   "${DNF[@]}" "${MOD[@]}" "$PLATFORM" module enable -y \
    postgresql:16
record $S/stream16-2-repoclosure     "${DNF[@]}" "${MOD[@]}" "$PLATFORM" -q repoclosure
record $S/stream16-3-repoquery-all   "${DNF[@]}" "${MOD[@]}" "$PLATFORM" -q repoquery \
    --qf "$NEVRA"

# ================================ each-stream ==============================================
# What `bramble closure --each-stream` is compared with: for every stream of every module of a
# modular repo, a fresh root where `dnf module enable -y M:S` wrote /etc/dnf/modules.d, then
# repoclosure with that module state (the other modules as they are: defaults).
# each_stream GROUP NAME PATH PLATFORM|- M:S...
each_stream() {
    local group=$1 name=$2 path=$3 plat=$4 ms case
    shift 4
    local R=(--repofrompath="$name,$path") P=()
    [[ $plat != - ]] && P=(--setopt=module_platform_id="$plat")
    for ms in "$@"; do
        case=each-stream/$group/${ms//:/-}
        fresh "each-$group-${ms//:/-}"; warm "${R[@]}" "${P[@]}"
        record "$case-1-module-enable" "${DNF[@]}" "${R[@]}" "${P[@]}" module enable -y "$ms"
        record "$case-2-repoclosure" "${DNF[@]}" "${R[@]}" "${P[@]}" -q repoclosure
    done
}
each_stream modular modular "$REPOS/modular" platform:el9 postgresql:15 postgresql:16
if [[ -n $ORACLE ]]; then
    each_stream oracle-modular modular "$ORACLE/repos/modular" platform:el9 nodejs:18 nodejs:20
    each_stream oracle-modular-pruned modular-pruned "$ORACLE/repos/modular-pruned" \
        platform:el9 nodejs:18 nodejs:20
fi
if [[ -n $CORPUS ]]; then
    each_stream dnf-modules-all all "$CORPUS/dnf-testdata/modules/modules/_all/x86_64" - \
        base-runtime:f26 base-runtime:rhel73 httpd:2.2 httpd:2.4 m4:1.4.18
fi

# ================================ rpms-only ================================================
# rpm reads the loose files directly; dnf refuses the directory (no repodata), and answers
# once createrepo_c has run on a copy.
S=rpms-only
RO=$REPOS/rpms-only
# dnf's NEVRA: EPOCHNUM (0, not "(none)"), arch "src" for a source rpm (no SOURCERPM tag).
record $S/rpm-qp-nevra rpm -qp \
    --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%|SOURCERPM?{%{ARCH}}:{src}|\n' "$RO"/*.rpm
record modular/rpm-qp-modularitylabel rpm -qp --qf '%{NAME} %{MODULARITYLABEL}\n' \
    "$REPOS"/modular/Packages/*.rpm
for f in "$RO"/*.rpm; do
    b=$(basename "$f" .rpm)
    record $S/rpm-qp-requires-$b rpm -qp --requires "$f"
    record $S/rpm-qp-provides-$b rpm -qp --provides "$f"
    record $S/rpm-qp-list-$b rpm -qpl "$f"
    record $S/rpm-qp-info-$b rpm -qpi "$f"
done
record $S/rpm-qp-recommends-greeter rpm -qp --recommends "$RO"/greeter-0.3-1.noarch.rpm
record $S/rpm-qp-changelog-hello rpm -qp --changelog "$RO"/hello-2.12.1-2.x86_64.rpm
fresh rpms-only
record $S/dnf-repoquery-no-repodata "${DNF[@]}" --repofrompath="rpms-only,$RO" -q repoquery \
    --qf "$NEVRA"
TMPREPO=$ROOTS/rpms-only-copy
mkdir -p "$TMPREPO"
cp -p "$RO"/*.rpm "$TMPREPO/"
createrepo_c --quiet --no-database "$TMPREPO" >/dev/null
fresh rpms-only-createrepo; warm --repofrompath="rpms-only,$TMPREPO"
record $S/createrepo-repoquery-all "${DNF[@]}" --repofrompath="rpms-only,$TMPREPO" -q \
    repoquery --qf "$NEVRA"
record $S/createrepo-repoclosure "${DNF[@]}" --repofrompath="rpms-only,$TMPREPO" -q repoclosure
sed -i "s|$TMPREPO|\$RPMS_ONLY_COPY_WITH_CREATEREPO|g" "$EXP"/$S/createrepo-*.cmd

# ================================ broken ===================================================
for d in "$REPOS"/broken/*/; do
    v=$(basename "$d")
    fresh "broken-$v"
    record broken/$v-repoquery "${DNF[@]}" --repofrompath="$v,$d" -q repoquery --qf "$NEVRA"
    record broken/$v-repoclosure "${DNF[@]}" --repofrompath="$v,$d" -q repoclosure
done

# ================================ corpus ===================================================
# Every directory of the corpus that holds repodata/repomd.xml, as dnf sees it (modular
# filtering on, no platform: modular packages hidden unless --disable-modular-filtering).
if [[ -n $CORPUS ]]; then
    INDEX=$EXP/corpus/INDEX.md
    mkdir -p "$EXP/corpus"
    loaded=() refused=()
    while read -r md; do
        dir=${md%/repodata/repomd.xml}
        rel=${dir#"$CORPUS"/}
        slug=$(echo "$rel" | sed -e 's|/|__|g' -e 's|[^A-Za-z0-9._+-]|_|g')
        C=(--repofrompath="corpus,$dir")
        fresh "corpus-$slug"
        record corpus/$slug/repoquery-all "${DNF[@]}" "${C[@]}" -q repoquery \
            --qf "$NEVRA"
        record corpus/$slug/repoclosure "${DNF[@]}" "${C[@]}" -q repoclosure
        modules=no
        if grep -q '<data type="modules">' "$md"; then
            modules=yes
            record corpus/$slug/repoquery-all-disable-modular-filtering "${DNF[@]}" "${C[@]}" \
                -q repoquery --disable-modular-filtering --qf "$NEVRA"
        fi
        base=$EXP/corpus/$slug
        rc=$(cat "$base/repoquery-all.rc")
        n=$(wc -l <"$base/repoquery-all.stdout")
        # dnf's messages may span lines ("Parse error ... (Document is empty\n)"): join them.
        why=$(grep '^Error' -A5 "$base/repoquery-all.stderr" | tr '\n' ' ' | sed 's/ *$//; s/|/\\|/g')
        crc=$(cat "$base/repoclosure.rc")
        cmsg=$(grep '^Error' "$base/repoclosure.stderr" | tail -n 1 | sed 's/|/\\|/g')
        if [[ $rc == 0 ]]; then
            loaded+=("| \`$rel\` | \`$slug\` | $n | $modules | $crc | ${cmsg:-clean} |")
        else
            diag=$("$PY" "$HERE/repomd-tool.py" check "$dir" | sed 's/|/\\|/g')
            refused+=("| \`$rel\` | \`$slug\` | $rc | $why | $diag |")
        fi
    done < <(find "$CORPUS" -path '*/repodata/repomd.xml' | sort)
    {
        echo "# dnf on the corpus repositories"
        echo
        echo "Generated by testdata/run-oracles.sh with dnf 4.14.0 (Debian 12). Every directory"
        echo "of \$CORPUS holding \`repodata/repomd.xml\` was given to dnf as"
        echo "\`--repofrompath corpus,\$CORPUS/<dir>\`; outputs are in \`<slug>/\`."
        echo "\`repoquery-all\` lists NEVRAs (\`$NEVRA\`; dnf de-duplicates identical"
        echo "lines), with modular filtering on and no platform, so modular packages are hidden;"
        echo "repos with modules metadata also have \`repoquery-all-disable-modular-filtering\`."
        echo "Compare repoclosure through \`repoclosure.sorted\`. \"clean\" = rc 0, no unresolved"
        echo "dependencies (the modular repos print only the platform warning on stderr)."
        echo
        echo "## Loaded (${#loaded[@]})"
        echo
        echo "| dir | slug | NEVRA lines | modules | repoclosure rc | repoclosure says |"
        echo "|---|---|---:|---|---:|---|"
        printf '%s\n' "${loaded[@]}"
        echo
        echo "## Refused (${#refused[@]})"
        echo
        echo "| dir | slug | rc | dnf says | what is wrong (repomd-tool.py check) |"
        echo "|---|---|---:|---|---|"
        [[ ${#refused[@]} -gt 0 ]] && printf '%s\n' "${refused[@]}"
        echo
        echo "Not tried: repomd.xml files outside a \`repodata/\` directory:"
        echo
        find "$CORPUS" -name repomd.xml ! -path '*/repodata/repomd.xml' | sort |
            sed "s|^$CORPUS/|- \`|; s|\$|\`|"
    } >"$INDEX"
else
    echo "warning: corpus not found, corpus cases skipped" >&2
fi

# ================================ diff-old / diff-new: dnf repodiff =========================
# The package-level part of `bramble diff` against dnf-plugins-core's repodiff. --simple keeps
# changelogs out; --archlist x86_64,noarch compares binaries (default: only src).
repodiff() {
    local case=$1
    shift
    fresh "diff-$case"
    local RD=(dnf --config="$HERE/dnf.conf" --disableplugin='*' --enableplugin=repodiff
              --releasever=9 --installroot="$ROOT" --disablerepo='*'
              --repofrompath="diff-old,$REPOS/diff-old" --repofrompath="diff-new,$REPOS/diff-new")
    "${RD[@]}" -q makecache >/dev/null 2>&1
    record "diff/$case" "${RD[@]}" -q repodiff --repo-old=diff-old --repo-new=diff-new "$@"
}
repodiff repodiff-binary --archlist x86_64,noarch --simple --downgrade
repodiff repodiff-compare-arch --archlist x86_64,noarch --simple --downgrade --compare-arch

# ================================ summary ==================================================
{
    echo "# Oracle cases"
    echo
    echo "Generated by testdata/run-oracles.sh. rc is the exit status; the last column is the"
    echo "last non-empty line of stderr (dnf's closing message for repoclosure cases)."
    echo
    echo "| case | rc | last stderr line |"
    echo "|---|---:|---|"
    find "$EXP" -name '*.rc' ! -path "$EXP/corpus/*" | sort | while read -r f; do
        c=${f%.rc}
        last=$(grep -v '^$' "$c.stderr" | tail -n 1 | sed 's/|/\\|/g')
        printf '| %s | %s | %s |\n' "${c#"$EXP"/}" "$(cat "$f")" "$last"
    done
} >"$EXP/SUMMARY.md"

if [[ -e /var/cache/dnf/packages.db || -e /var/lib/dnf/plugins/local ]] ||
        compgen -G '/var/log/dnf*.log' >/dev/null; then
    echo "warning: dnf wrote outside the install roots" >&2
fi
rm -rf "$ROOTS"
echo "cases: $(find "$EXP" -name '*.rc' | wc -l)"
