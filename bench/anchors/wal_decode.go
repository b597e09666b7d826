// wal_decode.go: anchor for `wal ls -w json`: wal.OpenForRead + ReadAll, then every entry's
// payload decoded the way etcd's apply loop does (etcdserver/server.go applyEntryNormal:
// InternalRaftRequest, else a v2 Request; raftpb.ConfChange for conf changes). Prints nothing
// but the counts. Built by build.sh.
//   wal_decode DATADIR
package main

import (
	"fmt"
	"os"
	"path/filepath"

	pb "go.etcd.io/etcd/etcdserver/etcdserverpb"
	"go.etcd.io/etcd/pkg/pbutil"
	"go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: wal_decode DATADIR")
		os.Exit(2)
	}
	w, err := wal.OpenForRead(zap.NewNop(), filepath.Join(os.Args[1], "member", "wal"), walpb.Snapshot{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "wal_decode: open:", err)
		os.Exit(1)
	}
	defer w.Close()
	_, _, ents, err := w.ReadAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wal_decode: ReadAll:", err)
		os.Exit(1)
	}
	var irr, v2, cc, empty, bad int
	for i := range ents {
		e := &ents[i]
		switch e.Type {
		case raftpb.EntryNormal:
			if len(e.Data) == 0 {
				empty++
				continue
			}
			var r pb.InternalRaftRequest
			if pbutil.MaybeUnmarshal(&r, e.Data) {
				irr++
				continue
			}
			var q pb.Request
			if pbutil.MaybeUnmarshal(&q, e.Data) {
				v2++
			} else {
				bad++
			}
		case raftpb.EntryConfChange:
			var c raftpb.ConfChange
			if pbutil.MaybeUnmarshal(&c, e.Data) {
				cc++
			} else {
				bad++
			}
		default:
			bad++
		}
	}
	fmt.Printf("entries %d requests %d v2_requests %d conf_changes %d empty %d undecodable %d\n",
		len(ents), irr, v2, cc, empty, bad)
}
