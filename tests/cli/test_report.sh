# test_report.sh: `report` writes one self-contained HTML file whose DOM holds what `diff`,
# `history` and the fixture manifests say: the verdict, one SVG lane per node, the finding
# kinds, the leader of every term, failed elections, damage with file+offset; nothing is
# loaded from anywhere and untrusted strings (keys, names, log lines) are escaped.
# With /usr/bin/chromium (Debian's `chromium`; scripts/setup.sh --chromium) the reports are
# also rendered headless: the DOM after rendering is checked again and screenshots are saved
# under the build dir (test-artifacts/); without it that part is skipped.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
DOM="python3 $(dirname "$0")/report_dom.py"

IL=$FIXTURES/isolated-leader
ES=$FIXTURES/election-storm
LC=$FIXTURES/leader-change
ART=${EA_ARTIFACTS:-$(dirname "$EA")/../test-artifacts}

expect_exit 0 "report --help" "$EA" report --help
expect_exit 2 "report without -o" "$EA" report "$LC/n1.tar.gz"
expect_exit 2 "report unreadable node" "$EA" report -o "$TMP/x.html" "$TMP/nope"
check "nothing written for an unreadable node" [ ! -e "$TMP/x.html" ]

# leaders per term from the manifest (N:<hex>) vs the terms table and the SVG's term bands
leaders_ok() { # leaders_ok SCENARIO DOM.json
	local want got svg
	want=$(manifest "$1" leader_terms | tr ',' '\n' | sort -n | tr '\n' ' ')
	got=$(jq -r '.terms|to_entries[]|select(.value.leader)|"\(.key):\(.value.leader)"' "$2" | grep -v '^1:' | sort -n | tr '\n' ' ')
	svg=$(jq -r '.svg_terms|to_entries[]|select(.value)|"\(.key):\(.value)"' "$2" | grep -v '^1:' | sort -n | tr '\n' ' ')
	[ "$got" = "$want" ] && [ "$svg" = "$want" ] || { echo "leaders want '$want' table '$got' svg '$svg'" >&2; return 1; }
}
# the DOM checks every report passes: verdict = diff's, one lane per node, the finding kinds
# = diff's, nothing external, no scripts, every section present
common_checks() { # common_checks NAME DOM.json DIFF.json NODES...
	local name=$1 dom=$2 dj=$3; shift 3
	local nodes; nodes=$(printf '%s\n' "$@" | sed 's/=.*//' | jq -R . | jq -s -c .)
	check "$name: verdict banner = diff -w json ($(jq -r .verdict "$dj"))" \
		[ "$(jq -r .verdict "$dom")" = "$(jq -r .verdict "$dj")" ]
	check "$name: verdict attribute" [ "$(jq -r .verdict_attr "$dom")" = "$(jq -r .verdict "$dj")" ]
	check "$name: one timeline svg" [ "$(jq -r .svg_count "$dom")" = 1 ]
	check "$name: one lane per node, in order" [ "$(jq -c .lanes "$dom")" = "$nodes" ]
	check "$name: nodes table rows" [ "$(jq -c .nodes "$dom")" = "$nodes" ]
	check "$name: finding kinds = diff's" \
		[ "$(jq -c .finding_kinds "$dom")" = "$(jq -c '[.findings[].kind]|unique' "$dj")" ]
	check "$name: finding count = diff's" [ "$(jq '.findings|length' "$dom")" = "$(jq '.findings|length' "$dj")" ]
	check "$name: findings link to node rows" \
		jq -e '[.findings[].nodes[]] as $l | .ids as $ids | all($l[]; ltrimstr("#") as $i | $ids|index($i))' "$dom" >/dev/null
	check "$name: no script at all" [ "$(jq '.scripts + .script_src' "$dom")" = 0 ]
	check "$name: no external resource" [ "$(jq -c '.external + .forbidden' "$dom")" = "[]" ]
	check "$name: unique ids" [ "$(jq -c .duplicate_ids "$dom")" = "[]" ]
	check "$name: sections" jq -e '.ids as $i | all(("verdict","nodes","timeline","timeline-svg","legend","findings","terms","events","sql","export-command"); . as $s | $i|index($s))' "$dom" >/dev/null
	check "$name: light, dark, print" jq -e '.has_dark and .has_print' "$dom" >/dev/null
	check "$name: export command" jq -e '.export_command|startswith("etcd-autopsy export -o ")' "$dom" >/dev/null
}
# raw-text checks: no <script src, no http(s):// anywhere outside text (resource attributes
# are checked on the DOM); the file is one document
raw_checks() { # raw_checks NAME FILE
	check "$1: no <script src" bash -c "! grep -qi '<script[^>]*src' '$2'"
	check "$1: no src/href to the network" bash -c "! grep -qiE '(src|href)=\"(https?:)?//' '$2'"
	check "$1: no @import/url(http" bash -c "! grep -qiE '@import|url\\((\"|'\\'')?(https?:)?//' '$2'"
	check "$1: one html document" [ "$(grep -c '</html>' "$2")" = 1 ]
}

# ---- isolated leader: the leader's copy before its restart → uncommitted-divergence ----
iso=$(manifest isolated-leader isolated_leader)
IL_NODES=(n1=$IL/n1.tar.gz $iso=$IL/$iso-before-restart.tar.gz n3=$IL/n3.tar.gz)
"$EA" diff -w json "${IL_NODES[@]}" >"$TMP/il.diff.json" 2>/dev/null
expect_exit 1 "isolated-leader report exit 1 (findings)" "$EA" report -o "$TMP/il.html" "${IL_NODES[@]}"
$DOM "$TMP/il.html" >"$TMP/il.json"
common_checks isolated-leader "$TMP/il.json" "$TMP/il.diff.json" "${IL_NODES[@]}"
raw_checks isolated-leader "$TMP/il.html"
check "isolated-leader: verdict uncommitted-divergence" [ "$(jq -r .verdict "$TMP/il.json")" = uncommitted-divergence ]
check "isolated-leader: leaders per term = etcd's log" leaders_ok isolated-leader "$TMP/il.json"
check "isolated-leader: axis by raft index (no logs)" [ "$(jq -r .axis "$TMP/il.json")" = index ]
check "isolated-leader: divergence marker in the svg" jq -e '.svg_marks["class:divergence"] >= 1' "$TMP/il.json" >/dev/null
check "isolated-leader: divergence at the conflict index" \
	jq -e --argjson i "$(manifest isolated-leader isolated.conflict_index)" '.findings[0].index == $i' "$TMP/il.json" >/dev/null
check "isolated-leader: votes, membership changes, restarts drawn" \
	jq -e '.svg_marks.vote >= 1 and .svg_marks["conf-change"] >= 1 and .svg_marks["member-start"] >= 1' "$TMP/il.json" >/dev/null
check "isolated-leader: recommendation is not the isolated leader" \
	bash -c "jq -r .text '$TMP/il.json' | grep -q 'Restore from: n[13]'"
check "isolated-leader: ready queries listed" \
	jq -e '(.queries|length) >= 1 and (.queries|index("leaders-per-term.sql"))' "$TMP/il.json" >/dev/null
check "no temp file left beside the report" [ -z "$(ls "$TMP" | grep 'il.html.tmp')" ]

# refuses to overwrite; --force replaces
cp "$TMP/il.html" "$TMP/force.html"
cksum <"$TMP/force.html" >"$TMP/force.sum"
expect_exit 2 "no overwrite without --force" "$EA" report -o "$TMP/force.html" "$LC/n1.tar.gz"
check "existing report untouched" bash -c "cksum <'$TMP/force.html' | cmp -s - '$TMP/force.sum'"
expect_exit 0 "--force replaces (consistent single node: exit 0)" "$EA" report --force -q -o "$TMP/force.html" "$LC/n1.tar.gz"
check "replaced" bash -c "! cksum <'$TMP/force.html' | cmp -s - '$TMP/force.sum'"

# ---- superseded entries: the final isolated leader alone ----
expect_exit 0 "superseded report" "$EA" report -q -o "$TMP/sup.html" $iso=$IL/$iso.tar.gz
$DOM "$TMP/sup.html" >"$TMP/sup.json"
check "superseded range drawn" jq -e '.svg_marks.superseded == 1' "$TMP/sup.json" >/dev/null

# ---- committed divergence: leader-change n1, n2 + the edited n3 ----
CD_NODES=(n1=$LC/n1.tar.gz n2=$LC/n2.tar.gz n3=$FIXTURES/divergence/committed-divergence.tar.gz)
"$EA" diff -w json "${CD_NODES[@]}" >"$TMP/cd.diff.json" 2>/dev/null
expect_exit 1 "committed-divergence report exit 1" "$EA" report -q -o "$TMP/cd.html" "${CD_NODES[@]}"
$DOM "$TMP/cd.html" >"$TMP/cd.json"
common_checks committed-divergence "$TMP/cd.json" "$TMP/cd.diff.json" "${CD_NODES[@]}"
raw_checks committed-divergence "$TMP/cd.html"
check "committed-divergence: verdict" [ "$(jq -r .verdict "$TMP/cd.json")" = committed-divergence ]
check "committed-divergence: finding at the edited index" \
	jq -e --argjson i "$(manifest divergence committed-divergence.index)" \
	'[.findings[]|select(.kind=="committed-divergence" and .index==$i)]|length==1' "$TMP/cd.json" >/dev/null
check "committed-divergence: file+offset of the edited frame" \
	bash -c "grep -qF '$(manifest divergence committed-divergence.file)+$(manifest divergence committed-divergence.frame_offset)' '$TMP/cd.html'"
check "committed-divergence: leaders per term = etcd's log" leaders_ok leader-change "$TMP/cd.json"

# ---- election storm with etcd's logs: failed elections, time axis ----
ES_NODES=(n1=$ES/n1.tar.gz n2=$ES/n2.tar.gz n3=$ES/n3.tar.gz)
ES_LOGS=(--logs n1=$ES/etcd/logs/n1.log --logs n2=$ES/etcd/logs/n2.log --logs n3=$ES/etcd/logs/n3.log)
"$EA" diff -w json "${ES_NODES[@]}" "${ES_LOGS[@]}" >"$TMP/es.diff.json" 2>/dev/null
expect_exit 1 "election-storm report exit 1 (term inflation)" "$EA" report -q -o "$TMP/es.html" "${ES_NODES[@]}" "${ES_LOGS[@]}"
$DOM "$TMP/es.html" >"$TMP/es.json"
common_checks election-storm "$TMP/es.json" "$TMP/es.diff.json" "${ES_NODES[@]}"
raw_checks election-storm "$TMP/es.html"
check "election-storm: leaders per term = etcd's log" leaders_ok election-storm "$TMP/es.json"
want=$(manifest election-storm failed_election_terms | tr ',' ' ')
got=$(jq -r '.terms|to_entries|map(select(.value.failed))|map(.key|tonumber)|sort|map(tostring)|join(" ")' "$TMP/es.json")
check "election-storm: failed elections = etcd's log ($want)" [ "$got" = "$want" ]
check "election-storm: time axis from the logs" [ "$(jq -r .axis "$TMP/es.json")" = time ]
check "election-storm: term-inflation finding" jq -e '.finding_kinds|index("term-inflation")' "$TMP/es.json" >/dev/null
check "election-storm: failed-election bands in the svg" bash -c "grep -c 'class=\"term failed\"' '$TMP/es.html' | grep -qv '^0$'"

# ---- damage: the bit-flipped WAL segment ----
expect_exit 1 "bitflip report exit 1" "$EA" report -q -o "$TMP/bf.html" n1=$FIXTURES/corrupt/bitflip.tar.gz
"$EA" diff -w json n1=$FIXTURES/corrupt/bitflip.tar.gz >"$TMP/bf.diff.json" 2>/dev/null
$DOM "$TMP/bf.html" >"$TMP/bf.json"
common_checks bitflip "$TMP/bf.json" "$TMP/bf.diff.json" n1=x
raw_checks bitflip "$TMP/bf.html"
check "bitflip: verdict damaged" [ "$(jq -r .verdict "$TMP/bf.json")" = damaged ]
check "bitflip: wal-damage finding" jq -e '.finding_kinds|index("wal-damage")' "$TMP/bf.json" >/dev/null
check "bitflip: damage marker in the svg" jq -e '.svg_marks["class:damage"] >= 1' "$TMP/bf.json" >/dev/null
check "bitflip: file+offset of the damaged frame" \
	bash -c "grep -qF '$(manifest corrupt bitflip.file)+$(manifest corrupt bitflip.offset)' '$TMP/bf.html'"

# ---- untrusted input is escaped: a key with '<' in a db, a hostile name and log line ----
# leader-change n2 with the key of the state-divergence revision renamed to "<b>nal/k19"
# (same length, inside the KeyValue value: bbolt has no checksums), listed first so its
# key is the one the kv-hash-mismatch finding quotes
key=$(manifest divergence state-divergence.key)
mkdir -p "$TMP/odd"
tar -xzf "$LC/n2.tar.gz" -C "$TMP/odd"
python3 - "$TMP/odd/n2/member/snap/db" "$key" <<'EOF'
import sys
path, key = sys.argv[1], sys.argv[2].encode()
new = b"<b>" + key[3:]
data = open(path, "rb").read()
assert len(new) == len(key) and key in data, "key not found in db"
open(path, "wb").write(data.replace(key, new))
EOF
printf '%s\n' '{"level":"info","ts":"2026-11-27T05:46:30.000Z","caller":"raft/raft.go:1","msg":"6071b788d2e5f23c became leader at term 2 <script>alert(1)</script>"}' >"$TMP/evil.log"
expect_exit 1 "escaping report exit 1 (kv-hash-mismatch)" "$EA" report -q -o "$TMP/esc.html" \
	odd=$TMP/odd/n2 '<i>x&"'=$LC/n1.tar.gz --logs '<i>x&"'="$TMP/evil.log"
$DOM "$TMP/esc.html" >"$TMP/esc.json"
raw_checks escaping "$TMP/esc.html"
check "escaping: kv-hash-mismatch found" jq -e '.finding_kinds|index("kv-hash-mismatch")' "$TMP/esc.json" >/dev/null
check "escaping: the key with '<' is quoted as text" \
	jq -e '[.findings[]|select(.kind=="kv-hash-mismatch")|.text|contains("\"<b>nal/k19\"")]|any' "$TMP/esc.json" >/dev/null
check "escaping: the key is escaped in the file" grep -qF '&lt;b&gt;nal/k19' "$TMP/esc.html"
check "escaping: no <b> element from the key" bash -c "! grep -qF '<b>nal' '$TMP/esc.html'"
check "escaping: the node name is text" jq -e '.nodes|index("<i>x&\"")' "$TMP/esc.json" >/dev/null
check "escaping: no <i> element from the node name" bash -c "! grep -qF '<i>x' '$TMP/esc.html'"
check "escaping: no script from the log line" bash -c "! grep -qi '<script' '$TMP/esc.html'"
check "escaping: the log line is text" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$TMP/esc.html"

# ---- headless Chromium: render, check the DOM after rendering, screenshots ----
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
	mkdir -p "$ART"
	render() { # render NAME: dump-dom + screenshot of $TMP/NAME.html
		local prof; prof=$(mktemp -d "$TMP/chrome-XXXXXX")
		local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
		             --disable-background-networking --disable-component-update --disable-sync
		             --user-data-dir="$prof" --window-size=1400,1800)
		timeout 120 "$CHROMIUM" "${flags[@]}" --dump-dom "file://$TMP/$1.html" >"$TMP/$1.dom.html" 2>"$TMP/$1.chrome.err"
		timeout 120 "$CHROMIUM" "${flags[@]}" --screenshot="$ART/report-$1.png" "file://$TMP/$1.html" >/dev/null 2>>"$TMP/$1.chrome.err"
	}
	for r in il es cd bf; do
		render $r
		$DOM "$TMP/$r.dom.html" >"$TMP/$r.dom.json" 2>"$TMP/$r.dom.err"
		check "chromium $r: DOM after rendering" [ -s "$TMP/$r.dom.json" ]
		check "chromium $r: verdict after rendering" [ "$(jq -r .verdict "$TMP/$r.dom.json")" = "$(jq -r .verdict "$TMP/$r.json")" ]
		check "chromium $r: lanes after rendering" [ "$(jq -c .lanes "$TMP/$r.dom.json")" = "$(jq -c .lanes "$TMP/$r.json")" ]
		check "chromium $r: findings after rendering" [ "$(jq -c .finding_kinds "$TMP/$r.dom.json")" = "$(jq -c .finding_kinds "$TMP/$r.json")" ]
		check "chromium $r: terms after rendering" [ "$(jq -c .terms "$TMP/$r.dom.json")" = "$(jq -c .terms "$TMP/$r.json")" ]
		check "chromium $r: svg marks after rendering" [ "$(jq -c .svg_marks "$TMP/$r.dom.json")" = "$(jq -c .svg_marks "$TMP/$r.json")" ]
		check "chromium $r: screenshot saved ($ART/report-$r.png)" \
			bash -c "[ \"\$(head -c 8 '$ART/report-$r.png' | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ]"
	done
	cp "$TMP/il.html" "$TMP/es.html" "$ART/" 2>/dev/null
else
	echo "chromium not installed ($CHROMIUM): rendering checks skipped (scripts/setup.sh --chromium)"
fi
finish
