# test_export_columns.sh: docs/schema.md documents exactly the columns an export has. The
# export's tables come from one column list per table (src/output/export_sqlite.c); this test
# reads a real export of fixtures/healthy (PRAGMA table_info) and fails when a column is not
# documented in its table's section of docs/schema.md (a row of its column table, its
# `table(col, ...)` form or its contract list), or when the doc names a column the export lacks.
# Then the columns added since, each with the facts it must hold (nodes.schema: issue 15).
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipping"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
DOC=$(cd "$(dirname "$0")/../../docs" && pwd)/schema.md
H=$FIXTURES/healthy

# every table, with --values (revisions.value) and the WAL records (wal_records)
expect_exit 0 "export healthy --values" "$EA" export -q --values -o "$TMP/h.sqlite" \
	"$H/n1.tar.gz" "$H/n2.tar.gz" "$H/n3.tar.gz"

# "TABLE COLUMN" per line, from the database itself
sqlite3 -batch -noheader "$TMP/h.sqlite" \
	"SELECT m.name || ' ' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
	  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid" >"$TMP/cols"
check "the export has tables" [ "$(wc -l <"$TMP/cols")" -gt 100 ]

# "TABLE COLUMN" per line, from docs/schema.md
python3 - "$DOC" >"$TMP/doc" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
ident = re.compile(r'[a-z_][a-z0-9_]*')
for sec in re.split(r'^## ', text, flags=re.M)[1:]:
    head, _, body = sec.partition('\n')
    tables = re.findall(r'`([a-z_]+)`', head)
    for t in tables:
        cols = []
        for line in body.split('\n'):
            m = re.match(r'^\|\s*(`[^|]*)\|', line)          # a column table row: | `a`, `b` | ... |
            if m and t != 'meta':                             # meta's rows are keys, not columns
                for span in re.findall(r'`([^`]*)`', m.group(1)):
                    cols += [w.strip() for w in span.split(',') if ident.fullmatch(w.strip())]
            for span in re.findall(r'`' + t + r'\(([^)`]*)\)`', line):   # `table(a, b, ...)`
                cols += [w.strip() for w in span.split(',')]
            for contract in re.findall(r'\*\(contract: (.*?)\)\*', line):
                for span in re.findall(r'`([^`(]*)`', contract):       # `a, b, c` (not `x(...)`)
                    if len(tables) == 1:
                        cols += [w.strip() for w in span.split(',') if ident.fullmatch(w.strip())]
        for c in dict.fromkeys(cols):
            print(t, c)
EOF
check "docs/schema.md names columns" [ "$(wc -l <"$TMP/doc")" -gt 100 ]

# every column is documented (`node` is defined once under Conventions)
while read -r t c; do
	[ "$c" = node ] && continue
	check "docs/schema.md documents $t.$c" grep -qx "$t $c" "$TMP/doc"
done <"$TMP/cols"
# every documented column exists
while read -r t c; do
	check "docs/schema.md's $t.$c is a column of the export" grep -qx "$t $c" "$TMP/cols"
done <"$TMP/doc"

# --- nodes.schema: the storage schema version etcd 3.6+ would detect (schema.go) ----------
# etcd 3.4 writes neither meta/storageVersion nor meta/term: etcd's detection fails ("missing
# term information"), so NULL. etcd 3.5 writes meta/term: 3.5.0. The etcd versions that made the
# fixtures are in their manifests.
for sc in healthy healthy-3.5; do
	v=$(manifest $sc etcd_version)
	case $v in 3.4.*) want=NULL ;; 3.5.*) want="'3.5.0'" ;; *) fail "$sc: unexpected etcd_version $v"; continue ;; esac
	# exit 1: a backup beside the members is a finding (it has no WAL); the file is written all the same
	expect_exit 1 "export $sc with its backup" "$EA" export -q -o "$TMP/$sc.sqlite" \
		"$FIXTURES/$sc/n1.tar.gz" "$FIXTURES/$sc/n2.tar.gz" "$FIXTURES/$sc/n3.tar.gz" "$FIXTURES/$sc/backup.tar.gz"
	got=$(sqlite3 -batch -noheader "$TMP/$sc.sqlite" "SELECT group_concat(quote(schema), ' ') FROM nodes")
	check "$sc (etcd $v): nodes.schema is $want on every node and the backup (got: $got)" \
		[ "$got" = "$want $want $want $want" ]
	# the same answer `db stat` gives
	"$EA" db stat -w json "$FIXTURES/$sc/n1.tar.gz" >"$TMP/stat.json" 2>/dev/null
	check "$sc: db stat's schema.version agrees" \
		[ "$(jq -r '.schema.version | if . == null then "NULL" else "'"'"'" + . + "'"'"'" end' "$TMP/stat.json")" = "$want" ]
done

finish
