// wal_readall.go: anchor for `wal stat`: etcd 3.4's own reader, wal.OpenForRead + ReadAll
// (go.etcd.io/etcd/wal), from snapshot index 0 (the bench inputs keep every segment).
// Prints the counts etcd sees: entries, last index, HardState. Built by build.sh.
//   wal_readall DATADIR
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: wal_readall DATADIR")
		os.Exit(2)
	}
	w, err := wal.OpenForRead(zap.NewNop(), filepath.Join(os.Args[1], "member", "wal"), walpb.Snapshot{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "wal_readall: open:", err)
		os.Exit(1)
	}
	defer w.Close()
	md, hs, ents, err := w.ReadAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wal_readall: ReadAll:", err)
		os.Exit(1)
	}
	last := uint64(0)
	if len(ents) > 0 {
		last = ents[len(ents)-1].Index
	}
	fmt.Printf("entries %d last_index %d term %d commit %d metadata_bytes %d\n",
		len(ents), last, hs.Term, hs.Commit, len(md))
}
