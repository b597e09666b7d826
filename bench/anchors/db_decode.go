// db_decode.go: anchor for `db ls -w json`: a bbolt cursor over etcd's key bucket on a
// read-only open (O_RDONLY, flock LOCK_SH, nothing written), every value decoded as an
// mvccpb.KeyValue the way etcd's range does (kvs[i].Unmarshal). Prints only counts.
// Built by build.sh.
//   db_decode DATADIR|DBFILE
package main

import (
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/mvcc/mvccpb"
)

func dbPath(p string) string {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return filepath.Join(p, "member", "snap", "db")
	}
	return p
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: db_decode DATADIR|DBFILE")
		os.Exit(2)
	}
	db, err := bolt.Open(dbPath(os.Args[1]), 0400, &bolt.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "db_decode: open:", err)
		os.Exit(1)
	}
	defer db.Close()
	var n, tombs, bad, bytes int
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
			bytes += len(kv.Key) + len(kv.Value)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "db_decode:", err)
		os.Exit(1)
	}
	fmt.Printf("revisions %d tombstones %d undecodable %d key_value_bytes %d\n", n, tombs, bad, bytes)
}
