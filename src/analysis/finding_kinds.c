/* finding_kinds.c: the table of finding kinds (see finding.h) and the verdict names. Adding a
 * kind: one enum value in finding.h, one row here, the rule in diff.c that emits it; the help
 * is generated from this table and tests/cli/test_finding_kinds.sh checks the documents. */
#include "etcd-autopsy/finding.h"

#include <string.h>

#define W EA_FSEV_WARNING
#define C EA_FSEV_CRITICAL
#define I EA_FSEV_INFO

static const ea_finding_kind kinds[EA_FK_COUNT] = {
	{ EA_FK_LAGGING, "lagging", W,
	  "a log is a prefix of the others' (and whether it needs a snapshot)",
	  "none if the member runs: it catches up from the leader (by snapshot when the others' WALs no longer hold what it lacks)",
	  EA_FK_DRAW_WARN, EA_VERDICT_LAGGING },
	{ EA_FK_UNCOMMITTED_DIVERGENCE, "uncommitted-divergence", W | C,
	  "same index, different term, beyond a commit: which side is overwritten",
	  "normal after an isolated leader (warning); critical, and verdict committed-divergence, when the losing side had committed it",
	  EA_FK_DRAW_DIVERGENCE, EA_VERDICT_UNCOMMITTED_DIVERGENCE },
	{ EA_FK_COMMITTED_DIVERGENCE, "committed-divergence", C,
	  "a committed index with different terms, or the same (index, term) with other data",
	  "raft's log matching is broken: compare the entries on each side, restore from the majority or a verified backup",
	  EA_FK_DRAW_DIVERGENCE, EA_VERDICT_COMMITTED_DIVERGENCE },
	{ EA_FK_LOG_GAP, "log-gap", C,
	  "raft indexes missing from a WAL with no snapshot to explain them",
	  "do not restore from that member; keep its copy as evidence",
	  EA_FK_DRAW_NONE, EA_VERDICT_DAMAGED },
	{ EA_FK_WAL_DAMAGE, "wal-damage", W | C,
	  "errors or warnings the WAL reader found (file and offset in the detail)",
	  "see `wal ls` at the file and offset; a torn tail after a crash is normal, an error is not (critical, verdict damaged)",
	  EA_FK_DRAW_NONE, EA_VERDICT_DAMAGED },
	{ EA_FK_DB_DAMAGE, "db-damage", W | C,
	  "problems the bbolt reader found in a member's db",
	  "run `db check` on the copy; restore that member from a healthy one or a verified backup",
	  EA_FK_DRAW_NONE, EA_VERDICT_DAMAGED },
	{ EA_FK_APPLIED_AHEAD_OF_WAL, "applied-ahead-of-wal", I | W | C,
	  "the db's consistent index is past the WAL's end or commit, or behind its snapshot",
	  "critical: WAL writes were lost (fsync, disk); warning: an older (restored or swapped) db; info: normal after a crash",
	  EA_FK_DRAW_WARN, EA_VERDICT_STATE_DIVERGENCE },
	{ EA_FK_KV_HASH_MISMATCH, "kv-hash-mismatch", I | C,
	  "HashKV differs at the highest revision all members can hash (info: not comparable)",
	  "the applied key-value states diverged at the located revision: replace the odd member from the majority",
	  EA_FK_DRAW_NONE, EA_VERDICT_STATE_DIVERGENCE },
	{ EA_FK_CLUSTER_ID_MISMATCH, "cluster-id-mismatch", C,
	  "the members belong to different clusters",
	  "check that the copies belong together (a member restored from a backup gets a new cluster ID)",
	  EA_FK_DRAW_NONE, EA_VERDICT_DAMAGED },
	{ EA_FK_TERM_INFLATION, "term-inflation", W,
	  "an election storm, or a member whose term runs ahead of the others'",
	  "look for slow disks or network, CPU starvation, paused processes, a short election timeout; enable pre-vote",
	  EA_FK_DRAW_NONE, EA_VERDICT_CONSISTENT },
	{ EA_FK_MISSING_PART, "missing-part", W,
	  "a node without its WAL or its db (or with unreadable parts)",
	  "copy the member's whole data dir (member/wal and member/snap/db) and run again; it is never recommended",
	  EA_FK_DRAW_NONE, EA_VERDICT_INCOMPLETE },
	{ EA_FK_MEMBERSHIP_MISMATCH, "membership-mismatch", C,
	  "the db's members bucket is not what the WAL's committed conf changes built",
	  "compare `db members` with the conf changes in `wal ls`; do not restore from that member",
	  EA_FK_DRAW_WARN, EA_VERDICT_STATE_DIVERGENCE },
	{ EA_FK_MEMBER_REMOVED, "member-removed", I,
	  "a member removed by a committed conf change: its log stops by design",
	  "none; a removed member is never recommended",
	  EA_FK_DRAW_NONE, EA_VERDICT_CONSISTENT },
	{ EA_FK_RESTORE_LEFTOVER, "restore-leftover", I,
	  "source members `etcdctl snapshot restore` leaves in the members bucket",
	  "none: etcd takes membership from the .snap and never reads them; not a membership drift",
	  EA_FK_DRAW_NONE, EA_VERDICT_CONSISTENT },
	{ EA_FK_LEADER_MISMATCH, "leader-mismatch", W,
	  "a --logs leader differs from the one the WALs show",
	  "check that each --logs file is the named member's, of this cluster, for the same period as the WALs",
	  EA_FK_DRAW_NONE, EA_VERDICT_CONSISTENT },
	{ EA_FK_KV_HASH_RULE, "kv-hash-rule", I,
	  "the members' HashKV was computed with one etcd release's rule, or differs only by the rule",
	  "none: the tombstone-at-compaction rule changed in etcd 3.4.34/3.5.16; compare with --etcd-version set to the release that runs",
	  EA_FK_DRAW_NONE, EA_VERDICT_CONSISTENT },
	{ EA_FK_DB_DIFFERS_FROM_OWN_WAL, "db-differs-from-own-wal", C,
	  "a member's db differs from its own WAL replayed against it (index, revision, key, leaf page)",
	  "local storage corruption of that member's db: do not restore from it; replace it from a healthy member (`replay NODE` lists every difference)",
	  EA_FK_DRAW_WARN, EA_VERDICT_STATE_DIVERGENCE },
};

#undef W
#undef C
#undef I

const ea_finding_kind *ea_finding_kind_get(ea_finding_kind_id id)
{
	return (unsigned)id < EA_FK_COUNT ? &kinds[id] : NULL;
}

const ea_finding_kind *ea_finding_kind_by_name(const char *name)
{
	for (size_t i = 0; name && i < EA_FK_COUNT; i++)
		if (strcmp(kinds[i].name, name) == 0) return &kinds[i];
	return NULL;
}

const char *ea_finding_severity_name(unsigned sev_bit)
{
	switch (sev_bit) {
	case EA_FSEV_INFO: return "info";
	case EA_FSEV_WARNING: return "warning";
	case EA_FSEV_CRITICAL: return "critical";
	}
	return NULL;
}

static const char *const verdict_names[] = {
	"consistent", "incomplete", "lagging", "uncommitted-divergence", "damaged", "state-divergence",
	"committed-divergence"
};

const char *ea_verdict_name(ea_verdict v)
{
	return (unsigned)v < sizeof verdict_names / sizeof verdict_names[0] ? verdict_names[v] : "unknown";
}
