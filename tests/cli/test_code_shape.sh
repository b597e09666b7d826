#!/usr/bin/env bash
# test_code_shape.sh: the shape rules of CONTRIBUTING.md that a machine can check — no function
# in src/ longer than 150 lines, and a comment line right above every public function
# declared in include/etcd-autopsy/.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# Function bodies: a line starting with '{' after a signature, to the next line starting with '}'.
long=$(for f in "$ROOT"/src/*/*.c; do
	awk -v F="${f#$ROOT/}" 'prev != "" && /^\{/ { start = NR; name = prev }
		/^\}/ && start { if (NR - start > 150) printf "%s: %d lines: %s\n", F, NR - start, name; start = 0 }
		{ prev = $0 }' "$f"
done)
check "no function in src/ over 150 lines" test -z "$long"
[ -z "$long" ] || echo "$long" >&2

# Public declarations: every function declared in a public header has its own line of doc —
# a comment ending right above it, or a trailing comment on its line.
undoc=$(python3 - "$ROOT"/include/etcd-autopsy/*.h <<'PY'
import re, sys
decl = re.compile(r'^(?:const\s+)?(?:unsigned\s+|struct\s+)?[A-Za-z_][\w ]*[\s*]+\**(ea_\w+)\s*\(')
for path in sys.argv[1:]:
    lines = open(path).read().split('\n')
    for i, line in enumerate(lines):
        m = decl.match(line)
        if not m or line.startswith((' ', '\t')):
            continue
        if i > 0 and lines[i - 1].rstrip().endswith('*/'):
            continue
        if '/*' in line:
            continue
        print('%s:%d: %s' % (path.split('/include/')[-1], i + 1, m.group(1)))
PY
)
check "every public function in include/ has a line of doc" test -z "$undoc"
[ -z "$undoc" ] || echo "$undoc" >&2
finish
