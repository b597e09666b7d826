# test_trust_json_utf8.sh: JSON output is strictly UTF-8 (RFC 3629) and keeps the exact bytes.
# A real member's db with key /app/config/k100 rewritten to /app/config/k + ED A0 80 (an
# encoded surrogate, not UTF-8) and member n2 named "\xff2" (raw); a WAL (mkwal.py) with the
# key "/k/" + FF and a user name with an overlong C0 AF. Every output line must decode as
# strict UTF-8 (python3), the text form carries U+FFFD, and <field>_b64 decodes (base64 -d)
# to the exact bytes; valid UTF-8 gets no _b64.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipping"; exit 77; }
H=$FIXTURES/healthy
mkdir -p "$TMP/src" "$TMP/in"
tar -xzf "$H/n1.tar.gz" -C "$TMP/src"
python3 "$(dirname "$0")/mkhostile_names.py" "$TMP/src/n1" "$TMP/in"
python3 "$(dirname "$0")/mkwal.py" "$TMP/in/w" 75c0af 726f6c65c3a9 2f6b2fff
cd "$TMP/in" || exit 1

strict_utf8() { # strict_utf8 FILE: every line decodes as UTF-8, strictly, and is JSON
	python3 -c '
import json, sys
for n, line in enumerate(open(sys.argv[1], "rb"), 1):
    try:
        json.loads(line.decode("utf-8", errors="strict"))
    except Exception as e:
        sys.exit("line %d: %s: %r" % (n, e, line[:120]))' "$1"
}
hex_of() { od -An -tx1 -v | tr -d ' \n'; }

"$EA" db ls udb -w json >"$TMP/ls.json" 2>/dev/null
check "db ls -w json: strict UTF-8" strict_utf8 "$TMP/ls.json"
got=$(jq -r 'select(.key_b64).key_b64' "$TMP/ls.json" | base64 -d | hex_of)
check "db ls: key_b64 = /app/config/k ED A0 80 ($got)" [ "$got" = "$(printf '/app/config/k\355\240\200' | hex_of)" ]
check "db ls: the text form has U+FFFD for each bad byte" \
	[ "$(jq -r 'select(.key_b64).key' "$TMP/ls.json")" = "/app/config/k$(printf '\357\277\275\357\277\275\357\277\275')" ]
check "db ls: only that key has a key_b64 (the others are UTF-8)" [ "$(jq -c 'select(.key_b64)' "$TMP/ls.json" | wc -l)" = 1 ]
check "db ls: the other keys unchanged (/app/config/k0)" \
	[ "$(jq -c 'select(.key=="/app/config/k0")|keys' "$TMP/ls.json")" = '["create_revision","key","lease","mod_revision","offset","page","value","version"]' ]

n2=$(manifest healthy n2.member_id)
"$EA" db stat udb -w json >"$TMP/stat.json" 2>/dev/null
check "db stat -w json: strict UTF-8" strict_utf8 "$TMP/stat.json"
got=$(jq -r --arg id "$n2" '.members[]|select(.id==$id).name_b64' "$TMP/stat.json" | base64 -d | hex_of)
check "db stat: member $n2 name_b64 = FF 32 ($got)" [ "$got" = ff32 ]
check "db stat: the other members have no name_b64" \
	[ "$(jq --arg id "$n2" '[.members[]|select(.id!=$id and has("name_b64"))]|length' "$TMP/stat.json")" = 0 ]

"$EA" wal ls w -w json >"$TMP/wal.json" 2>/dev/null
check "wal ls -w json: strict UTF-8" strict_utf8 "$TMP/wal.json"
got=$(jq -r 'select(.kind=="put").key_b64' "$TMP/wal.json" | base64 -d | hex_of)
check "wal ls: key_b64 = /k/ FF ($got)" [ "$got" = 2f6b2fff ]
# a detail is a description: bytes of names in it that are not UTF-8 are \xNN there (exact, ASCII)
check "wal ls: the detail spells the overlong user name bytes as \\xc0\\xaf, no detail_b64" \
	[ "$(jq -r 'select(.kind=="auth_user_add")|[.detail, has("detail_b64")]|@tsv' "$TMP/wal.json")" = "$(printf 'user=u\\\\xc0\\\\xaf password=<redacted>\tfalse')" ]
check "wal ls: a valid UTF-8 role name (role + U+00E9) has no detail_b64" \
	[ "$(jq -r 'select(.kind=="auth_role_add")|[.detail, has("detail_b64")]|@tsv' "$TMP/wal.json")" = "$(printf 'role=role\303\251\tfalse')" ]

# export: the key is a BLOB (not UTF-8) with the exact bytes, the others TEXT
"$EA" export -q -o "$TMP/x.sqlite" udb >/dev/null 2>&1
if command -v sqlite3 >/dev/null; then
	check "export: the surrogate key is a BLOB with the exact bytes" \
		[ "$(sqlite3 "$TMP/x.sqlite" "SELECT lower(hex(key)) FROM revisions WHERE typeof(key)='blob'")" = "$(printf '/app/config/k\355\240\200' | hex_of)" ]
fi
finish
