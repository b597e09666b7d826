// db_json.go: anchor for `db ls -w json` that also prints: db_decode's walk (a bbolt cursor
// over etcd's key bucket on a read-only open, every value decoded as an mvccpb.KeyValue), and
// every KeyValue written to stdout as one JSON line by Go's encoding/json (through a 256 KiB
// bufio.Writer): key, create_revision, mod_revision, version, lease (hex string or null),
// value (a string: invalid UTF-8 becomes U+FFFD, as in db ls) and value_b64 (base64, only when
// the value is not valid UTF-8, as in db ls). Not db ls's bytes: no page/offset/k8s fields,
// revision order instead of key order, Go's escapes (\ufffd, \u0000); the same kind and
// amount of work (the walk is kvwalk_lib.go's). Counts go to stderr. Built by build.sh.
//   db_json DATADIR|DBFILE > out
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"unicode/utf8"

	"go.etcd.io/etcd/mvcc/mvccpb"
)

type line struct {
	Key            string  `json:"key"`
	CreateRevision int64   `json:"create_revision"`
	ModRevision    int64   `json:"mod_revision"`
	Version        int64   `json:"version"`
	Lease          *string `json:"lease"`
	Value          string  `json:"value"`
	ValueB64       string  `json:"value_b64,omitempty"`
}

func main() {
	path := dbArg("db_json")
	w := bufio.NewWriterSize(os.Stdout, 256<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n, tombs, bad := walkKV("db_json", path, func(k []byte, kv *mvccpb.KeyValue) error {
		l := line{Key: string(kv.Key), CreateRevision: kv.CreateRevision, ModRevision: kv.ModRevision,
			Version: kv.Version, Value: string(kv.Value)}
		if kv.Lease != 0 {
			h := strconv.FormatInt(kv.Lease, 16)
			l.Lease = &h
		}
		if !utf8.Valid(kv.Value) {
			l.ValueB64 = base64.StdEncoding.EncodeToString(kv.Value)
		}
		return enc.Encode(&l)
	})
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "db_json:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "revisions %d tombstones %d undecodable %d\n", n, tombs, bad)
}
