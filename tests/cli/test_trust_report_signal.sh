# test_trust_report_signal.sh: `report` interrupted by SIGTERM or SIGINT while its temp file
# OUT.tmp-XXXXXX exists removes it, writes no OUT, and exits nonzero (killed by the signal).
# EA_TEST_REPORT_PAUSE_MS holds the finished temp file before the rename so the signal
# lands while it exists.
. "$(dirname "$0")/lib.sh"
LC=$FIXTURES/leader-change

interrupt() { # interrupt SIGNAL: report in the background, signal it while the temp file exists
	local sig=$1 out="$TMP/$1/incident.html" pid st=0 i
	mkdir -p "$TMP/$sig"
	set -m   # own process group: a background job's SIGINT is not ignored
	EA_TEST_REPORT_PAUSE_MS=20000 "$EA" report -q -o "$out" "$LC/n1.tar.gz" "$LC/n2.tar.gz" "$LC/n3.tar.gz" \
		2>"$TMP/$sig/err" &
	pid=$!
	set +m
	for i in $(seq 600); do
		compgen -G "$out.tmp-*" >/dev/null && break
		sleep 0.05
	done
	check "$sig: the temp file exists before the signal" [ -n "$(compgen -G "$out.tmp-*")" ]
	kill "-$sig" "$pid"
	wait "$pid" || st=$?
	check "$sig: exit status nonzero ($st)" [ "$st" -ne 0 ]
	check "$sig: killed by the signal ($st = 128 + $(kill -l "$sig"))" [ "$st" = $((128 + $(kill -l "$sig"))) ]
	check "$sig: no temp file left ($(ls "$TMP/$sig"))" [ -z "$(compgen -G "$out.tmp-*")" ]
	check "$sig: no output written" [ ! -e "$out" ]
}
interrupt TERM
interrupt INT

# without a signal the pause changes nothing: the report is written, the temp file is gone
out=$TMP/ok.html
EA_TEST_REPORT_PAUSE_MS=10 "$EA" report -q -o "$out" "$LC/n1.tar.gz" "$LC/n2.tar.gz" "$LC/n3.tar.gz"
check "uninterrupted: report written" [ -s "$out" ]
check "uninterrupted: no temp file" [ -z "$(compgen -G "$out.tmp-*")" ]
finish
