// db_decode.go: anchor for `db ls -w json`: a bbolt cursor over etcd's key bucket on a
// read-only open (O_RDONLY, flock LOCK_SH, nothing written), every value decoded as an
// mvccpb.KeyValue the way etcd's range does (kvs[i].Unmarshal; the walk is kvwalk_lib.go's).
// Prints only counts. Built by build.sh.
//   db_decode DATADIR|DBFILE
package main

import (
	"fmt"

	"go.etcd.io/etcd/mvcc/mvccpb"
)

func main() {
	path := dbArg("db_decode")
	bytes := 0
	n, tombs, bad := walkKV("db_decode", path, func(k []byte, kv *mvccpb.KeyValue) error {
		bytes += len(kv.Key) + len(kv.Value)
		return nil
	})
	fmt.Printf("revisions %d tombstones %d undecodable %d key_value_bytes %d\n", n, tombs, bad, bytes)
}
