#!/bin/bash
# test_v36_formats.sh: etcd 3.6+ storage facts on real etcd 3.4.23 data (fixtures/healthy,
# manifest etcd_version): etcd 3.6's schema detection finds no term (3.4 never writes meta/term,
# added in 3.5), there is no storageVersion or downgrade key; and `snap ls` on a data dir with no
# .snap says why that is normal, adding etcd 3.8's rule when the db is 3.6+ or unreadable.
. "$(dirname "$0")/lib.sh"
H="$FIXTURES/healthy"
check "fixture is 3.4" [ "$(manifest healthy etcd_version)" = 3.4.23 ]

expect_exit 0 "db stat json" "$EA" db stat -w json "$H/n1.tar.gz"
J="$TMP/out"
check "3.4: no storageVersion key" jq -e '.storage_version_key == null' "$J" >/dev/null
check "3.4: schema undetected by 3.6" jq -e '.schema.version == null and .schema.error == "missing term information"' "$J" >/dev/null
check "3.4: no downgrade key" jq -e '.downgrade == null' "$J" >/dev/null
check "3.4: label unchanged" jq -e '.storage_version == "3.4"' "$J" >/dev/null
expect_exit 0 "db stat table" "$EA" db stat "$H/n1.tar.gz"
check "table schema line" grep -q '^schema  *undetected by etcd 3.6+: missing term information' "$TMP/out"

D="$TMP/dd"
mkdir -p "$D"
tar xzf "$H/n1.tar.gz" -C "$D"
rm -f "$D"/n1/member/snap/*.snap
expect_exit 0 "snap ls, no .snap, 3.4 db" "$EA" snap ls "$D/n1"
check "3.4 db: not yet written" grep -q 'not written one yet)' "$TMP/out"
check "3.4 db: no 3.8 note" bash -c "! grep -q 'etcd 3.8' '$TMP/out'"
rm -f "$D/n1/member/snap/db"
expect_exit 0 "snap ls, no .snap, no db" "$EA" snap ls "$D/n1"
check "no db: 3.8 note" grep -q 'storage version is unknown (no readable db): etcd 3.8 writes no .snap files' "$TMP/out"
expect_exit 0 "snap ls json, no db" "$EA" snap ls -w json "$D/n1"
check "no db: note on stderr" grep -q 'etcd 3.8 writes no .snap files' "$TMP/err"
finish
