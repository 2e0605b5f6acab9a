#!/usr/bin/env bash
# Record which module streams dnf 4.14 (libdnf 0.69) makes active on real RHEL 8 AppStream
# module metadata ($CORPUS/eurolinux8-modules/x86_64-appstream: modules.yaml +
# defaults.yaml, put into an empty repository), with platform:el8: in the default state,
# after `module enable` of every stream that is not a default, and after `module disable`
# of every module that has a default. Writes active.txt next to this script:
#
#   default: NSVC NSVC ...          the active builds (name:stream:version:context)
#   enable N:S: +NSVC -NSVC ...     what changes against the default state
#   disable N: +NSVC -NSVC ...
#
# Read by tests/integration/conformance_modules.rs. Needs dnf, createrepo-c (Debian 12).
#   CORPUS=/path/to/corpus bash testdata/modules-el8/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CORPUS=$(realpath "${CORPUS:-$HERE/../../../shared/corpus}")
SRC=$CORPUS/eurolinux8-modules/x86_64-appstream
WORK=$(mktemp -d /tmp/bramble-modules-el8.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/repo"
createrepo_c "$WORK/repo" >/dev/null
cat "$SRC/modules.yaml" "$SRC/defaults.yaml" > "$WORK/modules.yaml"
modifyrepo_c --mdtype=modules "$WORK/modules.yaml" "$WORK/repo/repodata" >/dev/null
export LC_ALL=C.UTF-8 TZ=UTC
/usr/bin/python3 - "$WORK" "$HERE/../dnf.conf" > "$HERE/active.txt" <<'PY'
import subprocess, sys, shutil
work, conf = sys.argv[1], sys.argv[2]
def dnf(root, *args):
    cmd = ['/usr/bin/python3', '/usr/bin/dnf', '--config=' + conf, '--disableplugin=*',
           '--releasever=9', '--installroot=' + root, '--disablerepo=*',
           '--repofrompath=el8,' + work + '/repo',
           '--setopt=module_platform_id=platform:el8', '-q'] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True).stdout
def info(root):
    names = sorted({l.split()[0] for l in dnf(root, 'module', 'list').splitlines()
                    if l and l.split()[0] not in ('el8', 'Name', 'Hint:')})
    streams, active = [], set()
    for block in dnf(root, 'module', 'info', *names).split('\n\n'):
        m = {}
        for line in block.splitlines():
            if ' : ' in line:
                k, v = line.split(' : ', 1)
                m[k.strip()] = v.strip()
        if 'Name' in m and 'Stream' in m:
            st = m['Stream'].split(' ')[0]
            nsvc = f"{m['Name']}:{st}:{m['Version']}:{m['Context']}"
            streams.append((m['Name'], st, '[d]' in m['Stream']))
            if '[a]' in m['Stream']:
                active.add(nsvc)
    return streams, active
root = work + '/root'
streams, base = info(root)
print('default: ' + ' '.join(sorted(base)))
def delta(label, act):
    plus = ['+' + x for x in sorted(act - base)]
    minus = ['-' + x for x in sorted(base - act)]
    print(f'{label}: ' + ' '.join(plus + minus))
for name, st in sorted({(n, s) for n, s, d in streams if not d}):
    shutil.rmtree(root, ignore_errors=True)
    dnf(root, 'module', 'enable', '-y', f'{name}:{st}')
    delta(f'enable {name}:{st}', info(root)[1])
for name in sorted({n for n, s, d in streams if d}):
    shutil.rmtree(root, ignore_errors=True)
    dnf(root, 'module', 'disable', '-y', name)
    delta(f'disable {name}', info(root)[1])
PY
