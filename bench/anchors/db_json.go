// db_json.go: anchor for `db ls -w json` that also prints: db_decode's walk (a bbolt cursor
// over etcd's key bucket on a read-only open, every value decoded as an mvccpb.KeyValue), and
// every KeyValue written to stdout as one JSON line by Go's encoding/json (through a 256 KiB
// bufio.Writer): key, create_revision, mod_revision, version, lease (hex string or null),
// value (a string: invalid UTF-8 becomes U+FFFD, as in db ls) and value_b64 (base64, only when
// the value is not valid UTF-8, as in db ls). Not db ls's bytes: no page/offset/k8s fields,
// revision order instead of key order, Go's escapes (\ufffd, \u0000); the same kind and
// amount of work. Counts go to stderr. Built by build.sh.
//   db_json DATADIR|DBFILE > out
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
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

func dbPath(p string) string {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return filepath.Join(p, "member", "snap", "db")
	}
	return p
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: db_json DATADIR|DBFILE")
		os.Exit(2)
	}
	db, err := bolt.Open(dbPath(os.Args[1]), 0400, &bolt.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "db_json: open:", err)
		os.Exit(1)
	}
	defer db.Close()
	w := bufio.NewWriterSize(os.Stdout, 256<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var n, tombs, bad int
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("key"))
		if b == nil {
			return fmt.Errorf("no key bucket")
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var kv mvccpb.KeyValue
			if err := kv.Unmarshal(v); err != nil {
				bad++
				continue
			}
			n++
			if len(k) == 18 && k[17] == 't' {
				tombs++
			}
			l := line{Key: string(kv.Key), CreateRevision: kv.CreateRevision, ModRevision: kv.ModRevision,
				Version: kv.Version, Value: string(kv.Value)}
			if kv.Lease != 0 {
				h := strconv.FormatInt(kv.Lease, 16)
				l.Lease = &h
			}
			if !utf8.Valid(kv.Value) {
				l.ValueB64 = base64.StdEncoding.EncodeToString(kv.Value)
			}
			if err := enc.Encode(&l); err != nil {
				return err
			}
		}
		return w.Flush()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "db_json:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "revisions %d tombstones %d undecodable %d\n", n, tombs, bad)
}
