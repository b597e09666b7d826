// hashkv_mvcc.go: anchor for `db hash`: etcd 3.4's own HashKV, exactly as a member computes
// it: backend.NewDefaultBackend (bbolt with MAP_POPULATE, NoFreelistSync), a lessor on it,
// mvcc.NewStore (which restores the key index from the key bucket) and HashByRev(0).
// etcd opens the db read-write and commits a transaction on open (NewStore creates its
// buckets), and may finish a scheduled compaction: so this refuses any path outside
// $TMPDIR (default /tmp) and any .../snap/db: give it a COPY of the db, never the evidence.
// Built by build.sh.
//   hashkv_mvcc DBCOPY
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.etcd.io/etcd/lease"
	"go.etcd.io/etcd/mvcc"
	"go.etcd.io/etcd/mvcc/backend"
	"go.uber.org/zap"
)

type noIndex struct{}

func (noIndex) ConsistentIndex() uint64 { return 0 }

// underTmp: p (resolved) lies strictly inside the resolved temp dir.
func underTmp(p string) bool {
	tmp, err := filepath.EvalSymlinks(os.TempDir())
	if err != nil {
		return false
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return false
	}
	rel, err := filepath.Rel(tmp, abs)
	return err == nil && rel != "." && !strings.HasPrefix(rel, "..")
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: hashkv_mvcc DBCOPY   (a copy of member/snap/db under $TMPDIR)")
		os.Exit(2)
	}
	p := os.Args[1]
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
		fmt.Fprintln(os.Stderr, "hashkv_mvcc: not a regular file:", p)
		os.Exit(2)
	}
	if filepath.Base(p) == "db" && filepath.Base(filepath.Dir(p)) == "snap" {
		fmt.Fprintf(os.Stderr, "hashkv_mvcc: %s looks like a data dir's own db: give it a copy\n", p)
		os.Exit(2)
	}
	if !underTmp(p) {
		fmt.Fprintf(os.Stderr, "hashkv_mvcc: %s is not under %s: etcd writes to the db it opens, give it a copy\n", p, os.TempDir())
		os.Exit(2)
	}
	lg := zap.NewNop()
	be := backend.NewDefaultBackend(p)
	le := lease.NewLessor(lg, be, nil, lease.LessorConfig{MinLeaseTTL: 1})
	s := mvcc.NewStore(lg, be, le, noIndex{}, mvcc.StoreConfig{})
	h, cur, comp, err := s.HashByRev(0)
	s.Close()
	le.Stop()
	be.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hashkv_mvcc:", err)
		os.Exit(1)
	}
	fmt.Printf("hash %d revision %d compact_revision %d\n", h, cur, comp)
}
