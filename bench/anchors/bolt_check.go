// bolt_check.go: anchor for `db check`: bbolt's own consistency check, tx.Check
// (go.etcd.io/bbolt 1.3.6), on a read-only open (O_RDONLY; bbolt takes flock LOCK_SH on the
// file and writes nothing). Prints the number of problems; exit 1 if any. Built by build.sh.
//   bolt_check DATADIR|DBFILE
package main

import (
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

func dbPath(p string) string {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return filepath.Join(p, "member", "snap", "db")
	}
	return p
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bolt_check DATADIR|DBFILE")
		os.Exit(2)
	}
	db, err := bolt.Open(dbPath(os.Args[1]), 0400, &bolt.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bolt_check: open:", err)
		os.Exit(1)
	}
	defer db.Close()
	n := 0
	err = db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			if n < 10 {
				fmt.Fprintln(os.Stderr, "bolt_check:", e)
			}
			n++
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bolt_check:", err)
		os.Exit(1)
	}
	fmt.Printf("problems %d\n", n)
	if n > 0 {
		os.Exit(1)
	}
}
