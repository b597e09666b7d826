#!/usr/bin/env bash
# same-output.sh: the refactoring safety net. Runs every command, in every output form, on
# every fixture with two builds of etcd-autopsy and compares stdout, stderr and the exit
# code byte for byte (the export database as `sqlite3 .dump`, the HTML report whole).
#
#   scripts/same-output.sh OLD_BINARY NEW_BINARY [WORKDIR]
#   ONLY=REGEX scripts/same-output.sh ...   only the runs whose label matches (e.g. 'diff|report')
#
# The report's "generated" time, the export's export_time and elapsed times ("0.39 s") are the only
# values allowed to differ; they are masked before comparing.
# Typical use, before a refactoring lands:
#   git worktree add /tmp/base main && cmake -S /tmp/base -B /tmp/base/build && cmake --build /tmp/base/build
#   scripts/same-output.sh /tmp/base/build/src/etcd-autopsy build/src/etcd-autopsy
# Exit 0 when every run is identical, 1 listing the runs that differ (diffs in WORKDIR).
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY [WORKDIR]" >&2; exit 2; }
OLD=$(realpath "$1"); NEW=$(realpath "$2")
for b in "$OLD" "$NEW"; do [ -x "$b" ] || { echo "$0: $b: not an executable" >&2; exit 2; }; done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FX=$ROOT/fixtures
WORK=${3:-$(mktemp -d "${TMPDIR:-/tmp}/same-output.XXXXXX")}
mkdir -p "$WORK/in" "$WORK/old" "$WORK/new" "$WORK/bin-old" "$WORK/bin-new"
# run copies taken now: a NEW_BINARY rebuilt while the runs go on (a linker rewriting it) would
# otherwise show up as "Permission denied" differences
cp "$OLD" "$WORK/bin-old/" && cp "$NEW" "$WORK/bin-new/" || { echo "$0: cannot copy the binaries into $WORK" >&2; exit 2; }
OLD=$WORK/bin-old/$(basename "$OLD"); NEW=$WORK/bin-new/$(basename "$NEW")
export TZ=UTC LC_ALL=C

# Fixtures unpacked once: each tarball into in/<scenario>/<tarball name>/
for tgz in "$FX"/*/*.tar.gz; do
	scen=$(basename "$(dirname "$tgz")"); base=$(basename "$tgz" .tar.gz)
	d=$WORK/in/$scen/$base
	[ -d "$d" ] || { mkdir -p "$d" && tar -xzf "$tgz" -C "$d"; }
done

runs=()    # "label|args..." (args split on \x1f)
add() { local label=$1; shift; local IFS=$'\x1f'; runs+=("$label|$*"); }

# the one data dir (or db file) inside an unpacked tarball
member_of() { local d=$1; local x; x=$(find "$d" -mindepth 1 -maxdepth 1 | head -1); echo "$x"; }

for scen_dir in "$WORK"/in/*/; do
	scen=$(basename "$scen_dir")
	members=()
	for m in "$scen_dir"*/; do
		m=${m%/}; name=$(basename "$m"); p=$(member_of "$m")
		members+=("$name=$p")
		for w in table json; do
			add "$scen.$name.wal-stat.$w" wal stat "$p" -w "$w"
			add "$scen.$name.db-stat.$w" db stat "$p" -w "$w"
			add "$scen.$name.db-hash.$w" db hash "$p" -w "$w"
			add "$scen.$name.db-check.$w" db check "$p" -w "$w"
			add "$scen.$name.snap-ls.$w" snap ls "$p" -w "$w"
			add "$scen.$name.db-ls.$w" db ls "$p" -w "$w"
			add "$scen.$name.db-history.$w" db history "$p" -w "$w"
		done
		add "$scen.$name.wal-ls.table" wal ls "$p"
		add "$scen.$name.wal-ls.json" wal ls "$p" -w json
		add "$scen.$name.wal-ls.records" wal ls "$p" --records -w json
		add "$scen.$name.verify" verify "$p"
		add "$scen.$name.verify.json" verify "$p" -w json
	done
	# the cluster view over the members proper (n1..n4, no backups or extra copies)
	nodes=()
	for m in "${members[@]}"; do case ${m%%=*} in n[0-9]) nodes+=("$m") ;; esac; done
	[ ${#nodes[@]} -ge 2 ] || continue
	for w in table json; do
		add "$scen.history.$w" history "${nodes[@]}" -w "$w"
		add "$scen.history-terms.$w" history "${nodes[@]}" --terms -w "$w"
		add "$scen.diff.$w" diff "${nodes[@]}" -w "$w"
	done
	for m in "${members[@]}"; do
		case ${m%%=*} in backup)
			against=(); for nd in "${nodes[@]}"; do against+=(--against "$nd"); done
			add "$scen.verify-against" verify "${m#*=}" "${against[@]}" -w json ;;
		esac
	done
	add "$scen.export" export "${nodes[@]}" -o @OUT@.sqlite
	add "$scen.report" report "${nodes[@]}" -o @OUT@.html
done
# archives read directly (staging, ARCHIVE:MEMBER), and the help texts
add "archive.wal-stat" wal stat "$FX/healthy/n1.tar.gz" -w json
add "archive.diff" diff "$FX/healthy/n1.tar.gz" "$FX/healthy/n2.tar.gz" "$FX/healthy/n3.tar.gz"
add "help" --help
for c in wal db snap history diff export verify report; do add "help.$c" "$c" --help; done

run_one() { # BIN SIDE LABEL ARGS...
	local bin=$1 side=$2 label=$3; shift 3
	local out=$WORK/$side/$label args=() a
	for a in "$@"; do args+=("${a//@OUT@/$out}"); done
	rm -f "$out.sqlite" "$out.html"
	(cd "$WORK/in" && "$bin" "${args[@]}" >"$out.stdout" 2>"$out.stderr"; echo $? >"$out.rc")
	[ -f "$out.sqlite" ] && { sqlite3 "$out.sqlite" .dump >"$out.sqldump"; rm -f "$out.sqlite"; }
	# paths of the two output files are the only expected difference
	sed -i -e "s#$WORK/$side/#OUT/#g" -e 's/generated [0-9T:.-]*Z/generated TIME/' -e 's/[0-9]*\.[0-9][0-9] s\b/N s/g' \
		-e "s/VALUES('export_time','[^']*')/VALUES('export_time','TIME')/" "$out".* 2>/dev/null
}

differ=0
for r in "${runs[@]}"; do
	label=${r%%|*}; IFS=$'\x1f' read -r -a args <<<"${r#*|}"
	[[ -z ${ONLY:-} || $label =~ $ONLY ]] || continue
	run_one "$OLD" old "$label" "${args[@]}"
	run_one "$NEW" new "$label" "${args[@]}"
	for ext in stdout stderr rc sqldump html; do
		o=$WORK/old/$label.$ext; n=$WORK/new/$label.$ext
		[ -e "$o" ] || [ -e "$n" ] || continue
		if ! cmp -s "$o" "$n"; then
			echo "DIFFERS: $label.$ext ($(printf '%q ' "${args[@]}"))"
			diff -u "$o" "$n" >"$WORK/$label.$ext.diff" 2>&1
			differ=1
		fi
	done
done
echo "${#runs[@]} runs compared in $WORK"
exit $differ
