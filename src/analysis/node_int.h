/* node_int.h: the layout of ea_node, private to the node code of the analysis layer (node.c,
 * node_logcheck.c). Everything else reads a node through the views of history.h. */
#ifndef EA_NODE_INT_H
#define EA_NODE_INT_H

#include "etcd-autopsy/history.h"
#include "etcd-autopsy/version.h"
#include "etcd-autopsy/node_replay.h"

struct ea_node {
	char *name;                         /* user-given name, or derived from the path */
	char *path;
	ea_input *in;
	ea_log *log;                        /* the node's log, kept open: ea_log_rewind() for another pass */
	ea_walltime *wt;                    /* time anchors gathered by the history pass, or NULL */
	ea_mvcc *mvcc;                      /* open for later HashKV at other revisions */
	char *missing;                      /* see ea_node_missing() */
	ea_wal_versions *versions;          /* the etcd versions the WAL's entries need (pass 1) */
	ea_node_wal_info wal;
	ea_node_history_info hist;
	ea_node_logs_info logs;
	ea_node_db_info db;
	ea_node_replay *replay;             /* ea_node_replay_get's kept run, NULL before */
};

#endif
