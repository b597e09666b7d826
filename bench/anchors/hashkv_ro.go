// hashkv_ro.go: anchor for `db hash`: etcd 3.4's HashKV at the current revision
// (mvcc/kvstore.go HashByRev(0)) recomputed read-only: a bbolt cursor over the key bucket and
// CRC-32C (Castagnoli) of "key" then every hashed key and value. For a compacted db the keep
// set is built as etcd builds it: the key index restored from the bucket
// (restoreIntoIndex: a key's first record a tombstone is skipped, a tombstone closes a
// generation, a second tombstone is ignored), then Keep(currentRev) = the last revision of
// every live key; revisions at or below finishedCompactRev are hashed only if kept (when the
// set is not empty). The db is opened read-only (O_RDONLY, flock LOCK_SH, nothing written).
// This is the classic rule of etcd 3.0-3.4.33 / 3.5.0-3.5.15 (Debian's etcd is 3.4.23).
// Built by build.sh.
//   hashkv_ro DATADIR|DBFILE
package main

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
	"go.etcd.io/etcd/mvcc/mvccpb"
)

type rev struct{ main, sub int64 }

// greater is etcd's revision.GreaterThan.
func (a rev) greater(b rev) bool {
	if a.main > b.main {
		return true
	}
	if a.main < b.main {
		return false
	}
	return a.sub > b.sub
}

type keyState struct {
	last rev
	live bool
}

func dbPath(p string) string {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return filepath.Join(p, "member", "snap", "db")
	}
	return p
}

func bytesToRev(k []byte) rev {
	return rev{int64(binary.BigEndian.Uint64(k[0:8])), int64(binary.BigEndian.Uint64(k[9:17]))}
}

func isTombstone(k []byte) bool { return len(k) == 18 && k[17] == 't' }

func hashKV(tx *bolt.Tx) (hash uint32, current, compact int64, err error) {
	compact = -1
	if mb := tx.Bucket([]byte("meta")); mb != nil {
		if v := mb.Get([]byte("finishedCompactRev")); len(v) >= 17 {
			compact = bytesToRev(v).main
		}
	}
	h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	h.Write([]byte("key"))
	kb := tx.Bucket([]byte("key"))
	if kb == nil {
		return h.Sum32(), 1, compact, nil
	}
	// pass 1: the key index etcd restores (only what Keep needs: last revision, live)
	keys := make(map[string]keyState)
	var kv mvccpb.KeyValue
	current = 1
	c := kb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) < 17 {
			return 0, 0, 0, fmt.Errorf("key bucket key of %d bytes (etcd would panic)", len(k))
		}
		r := bytesToRev(k)
		if r.main < 1 {
			continue // outside restore's range
		}
		if err := kv.Unmarshal(v); err != nil {
			return 0, 0, 0, fmt.Errorf("revision %d_%d: %v (etcd would panic)", r.main, r.sub, err)
		}
		current = r.main
		s, ok := keys[string(kv.Key)]
		switch {
		case ok && isTombstone(k):
			if s.live {
				keys[string(kv.Key)] = keyState{r, false}
			}
		case ok || !isTombstone(k):
			keys[string(kv.Key)] = keyState{r, true}
		}
	}
	if current < compact {
		current = compact
	}
	keep := make(map[rev]struct{})
	for _, s := range keys {
		if s.live {
			keep[s.last] = struct{}{}
		}
	}
	// pass 2: HashByRev's filter and CRC
	upper, lower := rev{current + 1, 0}, rev{compact + 1, 0}
	for k, v := c.First(); k != nil; k, v = c.Next() {
		r := bytesToRev(k)
		if !upper.greater(r) {
			continue
		}
		if lower.greater(r) && len(keep) > 0 {
			if _, ok := keep[r]; !ok {
				continue
			}
		}
		h.Write(k)
		h.Write(v)
	}
	return h.Sum32(), current, compact, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: hashkv_ro DATADIR|DBFILE")
		os.Exit(2)
	}
	db, err := bolt.Open(dbPath(os.Args[1]), 0400, &bolt.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "hashkv_ro: open:", err)
		os.Exit(1)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		h, cur, comp, err := hashKV(tx)
		if err == nil {
			fmt.Printf("hash %d revision %d compact_revision %d\n", h, cur, comp)
		}
		return err
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "hashkv_ro:", err)
		os.Exit(1)
	}
}
