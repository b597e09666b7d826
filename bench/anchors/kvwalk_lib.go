// kvwalk_lib.go: shared by the db anchors (db_decode, db_json; build.sh links every *_lib.go
// file into every anchor): the read-only open (O_RDONLY, flock LOCK_SH, nothing written) and
// the walk of etcd's key bucket with a bbolt cursor, every value decoded as an mvccpb.KeyValue
// the way etcd's range does (kvs[i].Unmarshal).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/mvcc/mvccpb"
)

// dbArg is the db named by the one argument DATADIR|DBFILE (usage and exit 2 otherwise).
func dbArg(prog string) string {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s DATADIR|DBFILE\n", prog)
		os.Exit(2)
	}
	p := os.Args[1]
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return filepath.Join(p, "member", "snap", "db")
	}
	return p
}

// walkKV calls fn for every revision of the key bucket that decodes (with its bucket key);
// it returns the revisions, tombstones and undecodable values counted. An open or walk error
// (or one from fn) is printed as "prog: ..." and exits 1.
func walkKV(prog, path string, fn func(k []byte, kv *mvccpb.KeyValue) error) (n, tombs, bad int) {
	db, err := bolt.Open(path, 0400, &bolt.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, prog+": open:", err)
		os.Exit(1)
	}
	defer db.Close()
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
			if err := fn(k, &kv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, prog+":", err)
		os.Exit(1)
	}
	return n, tombs, bad
}
