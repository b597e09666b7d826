# test_v_gaps.sh: the small gaps of issue 15 on the real etcd 3.4 fixtures: db stat's conf state
# line, history's auth enable/disable events, the report's cluster version / meta term columns,
# a dir made by a real `etcdctl snapshot restore`, verify on a backup cut short mid-page.
# Facts come from the manifests, etcd's own output/logs and the file bytes, never from this tool.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }   # has TEXT PART
hasnt() { ! has "$1" "$2"; }
BR=$FIXTURES/backup-restore

# ---- a. db stat: a conf state line (etcd 3.4 does not store meta/confState) ----
check "healthy is etcd 3.4" [ "$(manifest healthy etcd_version | cut -d. -f1,2)" = 3.4 ]
"$EA" db stat "$FIXTURES/healthy/n1.tar.gz" >"$TMP/stat.txt" 2>/dev/null
check "db stat: a conf state line" grep -q '^conf state ' "$TMP/stat.txt"
check "db stat: 3.4 db: conf state not stored" grep -q '^conf state  *- (not stored before 3.5' "$TMP/stat.txt"
"$EA" db stat -w json "$FIXTURES/healthy/n1.tar.gz" >"$TMP/stat.json" 2>/dev/null
check "db stat json: conf_state null on a 3.4 db" jq -e '.conf_state == null' "$TMP/stat.json" >/dev/null

# ---- b. history: auth-enable / auth-disable events, committed only ----
# etcd-dump-logs' own listing of the WAL: "term index type data"
LA=$FIXTURES/dump-logs/etcd/listAll.output
read -r en_term en_index _ < <(grep -m1 'auth_enable:' "$LA")
read -r dis_term dis_index _ < <(grep -m1 'auth_disable:' "$LA")
"$EA" history -w json "$FIXTURES/dump-logs/committed.tar.gz" >"$TMP/h.json" 2>/dev/null
check "history: auth-enable at term $en_term index $en_index (etcd-dump-logs)" \
	jq -e -s --argjson t "$en_term" --argjson i "$en_index" \
	'[.[]|select(.event=="auth-enable")] | length==1 and .[0].term==$t and .[0].index==$i' "$TMP/h.json" >/dev/null
check "history: auth-disable at term $dis_term index $dis_index (etcd-dump-logs)" \
	jq -e -s --argjson t "$dis_term" --argjson i "$dis_index" \
	'[.[]|select(.event=="auth-disable")] | length==1 and .[0].term==$t and .[0].index==$i' "$TMP/h.json" >/dev/null
check "history table: auth-enable line" sh -c "'$EA' history '$FIXTURES/dump-logs/committed.tar.gz' 2>/dev/null | grep -q auth-enable"
# the same entries with HardState commit 0 (manifest): nothing committed, no auth event
check "test-wal commit is 0" [ "$(manifest dump-logs test-wal.hard_state_commit)" = 0 ]
"$EA" history -w json "$FIXTURES/dump-logs/test-wal.tar.gz" >"$TMP/h0.json" 2>/dev/null
check "history: no auth event for uncommitted entries" \
	jq -e -s '[.[]|select(.event|startswith("auth-"))]|length==0' "$TMP/h0.json" >/dev/null
# export's events table reads the same timeline
if command -v sqlite3 >/dev/null; then
	"$EA" export -o "$TMP/x.sqlite" "$FIXTURES/dump-logs/committed.tar.gz" >/dev/null 2>&1
	check "export: events rows for auth enable/disable" [ "$(sqlite3 "$TMP/x.sqlite" \
		"SELECT group_concat(event||':'||term||':'||idx, ' ') FROM (SELECT event, term, idx FROM events WHERE event LIKE 'auth-%' ORDER BY idx)")" \
		= "auth-enable:$en_term:$en_index auth-disable:$dis_term:$dis_index" ]
fi

# ---- c. report: cluster version and meta term in the nodes table ----
# etcd's log: "set initial cluster version" ... "cluster-version":"3.4"; the cluster bucket holds the semver
cv=$(grep -ho '"msg":"set initial cluster version"[^}]*"cluster-version":"[^"]*"' "$FIXTURES/healthy/etcd/logs/n1.log" |
	sed 's/.*"cluster-version":"\([^"]*\)"/\1/' | head -n 1)
check "healthy log names the cluster version ($cv)" [ -n "$cv" ]
"$EA" report -o "$TMP/r.html" n1="$FIXTURES/healthy/n1.tar.gz" n2="$FIXTURES/healthy/n2.tar.gz" >/dev/null 2>&1
check "report: cluster version column" grep -q '<th>cluster version</th><th>meta term</th>' "$TMP/r.html"
check "report: every node's cluster version is etcd's $cv.0" \
	[ "$(grep -o '<td class="mono cluster-version">[^<]*</td>' "$TMP/r.html" | sort -u)" = "<td class=\"mono cluster-version\">$cv.0</td>" ]
check "report: no meta term in a 3.4 db: '-'" \
	[ "$(grep -o '<td class="meta-term"[^>]*>[^<]*</td>' "$TMP/r.html" | sed 's/.*>\(.*\)<\/td>/\1/' | sort -u)" = "-" ]

# ---- d. a dir made by a real `etcdctl snapshot restore` of the fixture backup ----
if command -v etcdctl >/dev/null && etcdctl version 2>/dev/null | grep -q '^etcdctl version: 3\.4\.'; then
	mkdir -p "$TMP/br"
	tar -xzf "$BR/backup.tar.gz" -C "$TMP/br"
	ETCDCTL_API=3 etcdctl snapshot restore "$TMP/br/backup.db" --name r1 --data-dir "$TMP/r1" \
		--initial-cluster r1=http://127.0.0.1:1 --initial-advertise-peer-urls http://127.0.0.1:1 >"$TMP/restore.log" 2>&1
	check "etcdctl snapshot restore ran" [ -d "$TMP/r1/member/wal" ]
	rid=$(sed -n 's/.*"added-peer-id":"\([0-9a-f]*\)".*/\1/p' "$TMP/restore.log" | head -n 1)
	check "etcdctl logged the restored member ($rid)" [ -n "$rid" ]
	src_ids=$(for n in n1 n2 n3; do manifest backup-restore "$n.member_id"; done)
	"$EA" diff -w json "$TMP/r1" >"$TMP/d.json" 2>/dev/null
	check "restore: no critical finding (no membership-mismatch)" \
		jq -e '[.findings[]|select(.severity=="critical" or .kind=="membership-mismatch")]|length==0' "$TMP/d.json" >/dev/null
	det=$(jq -r '[.findings[]|select(.kind=="restore-leftover" and .severity=="info")][0].detail // empty' "$TMP/d.json")
	check "restore: a restore-leftover info finding" [ -n "$det" ]
	for id in $src_ids; do check "restore-leftover names source member $id" has "$det" "$id"; done
	check "restore-leftover does not name the restored member $rid" hasnt "$det" "$rid"
	"$EA" db stat "$TMP/r1" >"$TMP/rs.txt" 2>/dev/null
	note=$(grep '^  note:' "$TMP/rs.txt")
	for id in $src_ids; do check "db stat note names source member $id" has "$note" "$id"; done
	check "db stat note explains the restore" has "$note" "snapshot restore"
	# real drift is still flagged: the restored db under a WAL that never was a restore
	mkdir -p "$TMP/sw"
	tar -xzf "$FIXTURES/healthy/n1.tar.gz" -C "$TMP/sw"
	cp "$TMP/r1/member/snap/db" "$TMP/sw/n1/member/snap/db"
	"$EA" diff -w json "$TMP/sw/n1" >"$TMP/sw.json" 2>/dev/null
	check "swapped db under a normal WAL: critical membership-mismatch" \
		jq -e '[.findings[]|select(.kind=="membership-mismatch" and .severity=="critical")]|length==1' "$TMP/sw.json" >/dev/null
	check "swapped db: no restore-leftover" jq -e '[.findings[]|select(.kind=="restore-leftover")]|length==0' "$TMP/sw.json" >/dev/null
else
	echo "etcdctl 3.4 not installed: skipping the snapshot restore part"
fi

# ---- e. verify: a backup cut short mid-page ----
mkdir -p "$TMP/bk"
tar -xzf "$BR/backup.tar.gz" -C "$TMP/bk"
check "backup size as in the manifest" [ "$(stat -c %s "$TMP/bk/backup.db")" = "$(manifest backup-restore backup.size)" ]
# bbolt meta page 0: 16-byte page header, then magic, version, pageSize (u32 little-endian)
ps=$(python3 -c 'import struct,sys; print(struct.unpack_from("<I", open(sys.argv[1],"rb").read(28), 24)[0])' "$TMP/bk/backup.db")
for cut in 20001 20000; do   # 20000 % 512 == 32: its last 32 bytes sit where a trailer would
	head -c "$cut" "$TMP/bk/backup.db" >"$TMP/cut$cut.db"
	expect_exit 1 "verify cut $cut: exit 1" "$EA" verify -w json "$TMP/cut$cut.db"
	cp "$TMP/out" "$TMP/v$cut.json"
	check "verify cut $cut: not-restorable" jq -e '.verdict=="not-restorable"' "$TMP/v$cut.json" >/dev/null
	r=$(jq -r '.reasons[0].reason' "$TMP/v$cut.json")
	img=$cut; [ $((cut % 512)) = 32 ] && img=$((cut - 32))
	check "verify cut $cut: first reason says cut short" has "$r" "cut short"
	check "verify cut $cut: names the size $img" has "$r" "$img bytes"
	check "verify cut $cut: names the page size $ps" has "$r" "page size $ps"
	check "verify cut $cut: bytes missing to the next page" has "$r" "$((ps - img % ps)) bytes missing to the next page boundary"
	check "verify cut $cut: not called a raw db copy" sh -c "! jq -r '.reasons[].reason' '$TMP/v$cut.json' | grep -q 'no SHA-256 trailer: a raw db copy'"
done
# the whole backup is still restorable (trailer present per the manifest)
check "backup trailer present (manifest)" [ "$(manifest backup-restore backup.sha256_trailer)" = present ]
"$EA" verify -w json "$TMP/bk/backup.db" >"$TMP/vfull.json" 2>/dev/null
check "whole backup: no cut-short reason" sh -c "! jq -r '.reasons[].reason' '$TMP/vfull.json' | grep -q 'cut short'"

finish
