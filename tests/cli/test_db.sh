# test_db.sh: the `db` and `snap` commands' output contract, exit codes and damage reporting,
# checked against facts etcd reported (fixtures/*/manifest.txt) and the offsets recorded by
# fixtures/make-corrupt-db.py (fixtures/corrupt-db/manifest.txt).
. "$(dirname "$0")/lib.sh"

H=$FIXTURES/healthy
C=$FIXTURES/corrupt-db

# --help everywhere, exit 0 on stdout; usage errors exit 2
for v in stat check ls history hash pages; do
	expect_exit 0 "db $v --help" "$EA" db "$v" --help
done
expect_exit 0 "db --help" "$EA" db --help
expect_exit 0 "snap --help" "$EA" snap --help
expect_exit 0 "snap ls --help" "$EA" snap ls --help
expect_exit 2 "db without verb" "$EA" db
expect_exit 2 "db unknown verb" "$EA" db frob "$H/n1.tar.gz"
expect_exit 2 "db stat without path" "$EA" db stat
expect_exit 2 "db history without key" "$EA" db history "$H/n1.tar.gz"
expect_exit 2 "db bad number" "$EA" db hash "$H/n1.tar.gz" --rev abc
expect_exit 2 "db bad format" "$EA" db stat "$H/n1.tar.gz" -w yaml
expect_exit 2 "db missing path" "$EA" db stat "$TMP/nope"
expect_exit 2 "db no database in path" "$EA" db stat "$FIXTURES/corrupt"
expect_exit 2 "snap ls nothing" "$EA" snap ls "$H/backup.tar.gz"

# db stat / db hash on every member: etcd's own numbers
for sc in healthy leader-change follower-behind; do
	for n in n1 n2 n3; do
		expect_exit 0 "$sc/$n db stat clean" "$EA" db stat -w json "$FIXTURES/$sc/$n.tar.gz"
		j=$TMP/out
		check "$sc/$n revision" [ "$(jq -r .revision "$j")" = "$(manifest $sc $n.revision)" ]
		check "$sc/$n hash" [ "$(jq -r .hash "$j")" = "$(manifest $sc $n.hashkv)" ]
		check "$sc/$n compact_revision" [ "$(jq -r .compact_revision "$j")" = "$(manifest $sc $n.hashkv_compact_revision)" ]
		check "$sc/$n term null (3.4)" [ "$(jq -r .term "$j")" = null ]
		check "$sc/$n storage_version" [ "$(jq -r .storage_version "$j")" = 3.4 ]
		check "$sc/$n sha256_trailer absent" [ "$(jq -r .sha256_trailer "$j")" = absent ]
		check "$sc/$n no problems" [ "$(jq -r '.problems|length' "$j")" = 0 ]
		for k in revision compact_revision consistent_index term storage_version hash live_keys total_key \
		         snapshot_hash page_size pages free_pages size meta_page_used sha256_trailer; do
			check "$sc/$n stat has $k" jq -e "has(\"$k\")" "$j" >/dev/null
		done
		r=$(manifest $sc $n.hashkv_rev)
		expect_exit 0 "$sc/$n db hash --rev" "$EA" db hash -w json --rev "$r" "$FIXTURES/$sc/$n.tar.gz"
		check "$sc/$n hash at $r" [ "$(jq -r .hash "$TMP/out")" = "$(manifest $sc $n.hashkv_at_rev)" ]
		check "$sc/$n hash_revision" [ "$(jq -r .hash_revision "$TMP/out")" = "$r" ]
		check "$sc/$n hash compact_revision" [ "$(jq -r .compact_revision "$TMP/out")" = "$(manifest $sc $n.hashkv_compact_revision)" ]
	done
done
c=$(manifest healthy n1.hashkv_compact_revision)
expect_exit 2 "hash of a compacted revision" "$EA" db hash "$H/n1.tar.gz" --rev $((c - 1))
check "compacted named" grep -q compacted "$TMP/err"
expect_exit 2 "hash of a future revision" "$EA" db hash "$H/n1.tar.gz" --rev $(( $(manifest healthy n1.revision) + 1 ))

# the backup: snapshot status numbers and the SHA-256 trailer
expect_exit 0 "backup stat" "$EA" db stat -w json "$H/backup.tar.gz"
j=$TMP/out
check "backup snapshot_hash" [ "$(jq -r .snapshot_hash "$j")" = "$(manifest healthy backup.hash)" ]
check "backup snapshot_revision" [ "$(jq -r .snapshot_revision "$j")" = "$(manifest healthy backup.revision)" ]
check "backup total_key" [ "$(jq -r .total_key "$j")" = "$(manifest healthy backup.total_key)" ]
check "backup total_size" [ "$(jq -r .total_size "$j")" = "$(manifest healthy backup.total_size)" ]
check "backup size" [ "$(jq -r .size "$j")" = "$(manifest healthy backup.size)" ]
check "backup trailer ok" [ "$(jq -r .sha256_trailer "$j")" = ok ]
check "backup meta 0 in use" [ "$(jq -r .meta_page_used "$j")" = 0 ]
expect_exit 0 "backup check" "$EA" db check -w json "$H/backup.tar.gz"
check "backup check ok" [ "$(jq -r .ok "$TMP/out")" = true ]

# streams are JSON Lines
expect_exit 0 "db ls json" "$EA" db ls -w json "$H/n1.tar.gz" --prefix /tail/
check "db ls lines parse" jq -e -s 'length > 0 and all(has("key") and has("mod_revision"))' "$TMP/out" >/dev/null
check "db ls prefix" jq -e -s 'all(.key | startswith("/tail/"))' "$TMP/out" >/dev/null
r=$(manifest healthy n1.hashkv_rev)
expect_exit 0 "db ls --rev" "$EA" db ls -w json "$H/n1.tar.gz" --rev "$r"
check "db ls --rev bounded" jq -e -s "all(.mod_revision <= $r)" "$TMP/out" >/dev/null
expect_exit 0 "db history" "$EA" db history -w json "$H/n1.tar.gz" /tail/t0
check "db history lines" jq -e -s 'length >= 1 and all(.key == "/tail/t0")' "$TMP/out" >/dev/null
expect_exit 0 "db pages" "$EA" db pages -w json "$H/n1.tar.gz"
check "db pages count = pages" [ "$(wc -l <"$TMP/out")" = "$("$EA" db stat -w json "$H/n1.tar.gz" | jq -r .pages)" ]
check "db pages meta" jq -e -s '.[0].type == "meta" and .[1].type == "meta"' "$TMP/out" >/dev/null
expect_exit 0 "db ls table" "$EA" db ls "$H/n1.tar.gz"
expect_exit 0 "db stat table" "$EA" db stat "$H/n1.tar.gz"
expect_exit 0 "db check table" "$EA" db check "$H/n1.tar.gz"
check "db check says OK" grep -q '^OK$' "$TMP/out"

# snap ls
expect_exit 0 "snap ls json" "$EA" snap ls -w json "$H/n1.tar.gz"
check "snap ls 4 files" [ "$(jq -s 'length' "$TMP/out")" = 4 ]
check "snap ls crc ok" jq -e -s 'all(.crc_ok == true and .term == 2)' "$TMP/out" >/dev/null
check "snap ls member names" jq -e -s '.[0].members | map(.name) | sort == ["n1","n2","n3"]' "$TMP/out" >/dev/null
expect_exit 0 "snap ls table" "$EA" snap ls "$H/n1.tar.gz"

# corrupted copies: exit 1, problem with page id and offset from the script's manifest
cm() { manifest corrupt-db "$1"; }
expect_exit 1 "leaf-flip check" "$EA" db check -w json "$C/leaf-flip.tar.gz"
for off in $(cm leaf-flip.element_offsets | tr , ' '); do
	check "leaf-flip offset $off" jq -e ".problems | any(.offset == $off and (.message | contains(\"page $(cm leaf-flip.page) element\")))" "$TMP/out" >/dev/null
done
check "leaf-flip summary on stderr" grep -q "element-overrun" "$TMP/err"
expect_exit 1 "leaf-flip ls keeps going" "$EA" db ls -w json "$C/leaf-flip.tar.gz"
check "leaf-flip ls problem lines" jq -e -s '[.[] | select(has("problem"))] | length == 2' "$TMP/out" >/dev/null
expect_exit 1 "leaf-flip salvage" "$EA" db ls --salvage -w json "$C/leaf-flip.tar.gz"
jq -r 'select(has("revision")) | .revision' "$TMP/out" | sort -un >"$TMP/salvaged"
"$EA" db ls -w json "$H/n1.tar.gz" | jq -r .mod_revision | sort -un >"$TMP/healthy_revs"
lost=" $(cm leaf-flip.lost_revisions | tr , ' ') "
missing=0
while read -r rev; do
	case "$lost" in *" $rev "*) continue ;; esac
	grep -qx "$rev" "$TMP/salvaged" || missing=$((missing + 1))
done <"$TMP/healthy_revs"
check "salvage recovers every revision outside the damaged elements" [ "$missing" = 0 ]

expect_exit 1 "meta0 fallback" "$EA" db stat -w json "$C/meta0-checksum.tar.gz"
check "meta0 fallback used meta 1" [ "$(jq -r .meta_page_used "$TMP/out")" = "$(cm meta0-checksum.expected_meta)" ]
check "meta0 fallback named" jq -e '.problems | any(.kind == "meta-fallback" and .offset == 0 and (.message | contains("falling back to meta page 1")))' "$TMP/out" >/dev/null

expect_exit 1 "truncated backup" "$EA" db check -w json "$C/backup-truncated.tar.gz"
check "truncated at offset" jq -e ".problems | any(.kind == \"truncated\" and .offset == $(cm backup-truncated.size))" "$TMP/out" >/dev/null
check "truncated: no trailer" [ "$(jq -r .sha256_trailer "$TMP/out")" = absent ]

expect_exit 1 "altered backup" "$EA" db check -w json "$C/backup-lastbyte.tar.gz"
check "trailer mismatch" [ "$(jq -r .sha256_trailer "$TMP/out")" = mismatch ]
check "trailer mismatch offset" jq -e ".problems | any(.kind == \"trailer-mismatch\" and .offset == $(cm backup-lastbyte.trailer_offset))" "$TMP/out" >/dev/null

finish
