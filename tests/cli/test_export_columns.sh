# test_export_columns.sh: docs/schema.md documents exactly the columns an export has. The
# export's tables come from one column list per table (src/output/export_sqlite.c); this test
# reads a real export of fixtures/healthy (PRAGMA table_info) and fails when a column is not
# documented in its table's section of docs/schema.md (a row of its column table, its
# `table(col, ...)` form or its contract list), or when the doc names a column the export lacks.
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

finish
