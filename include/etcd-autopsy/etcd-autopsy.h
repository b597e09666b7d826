/* etcd-autopsy/etcd-autopsy.h: umbrella header of the etcd-autopsy library.
 * Layers, bottom up: source (bytes) → wal, bolt (format) → raft (semantic) → writer (output). */
#ifndef EA_ETCD_AUTOPSY_H
#define EA_ETCD_AUTOPSY_H

#include "common.h"
#include "source.h"
#include "crc32c.h"
#include "wal.h"
#include "raft.h"
#include "entry_iter.h"
#include "writer.h"
#include "text.h"
#include "history.h"
#include "finding.h"
#include "diff.h"
#include "verify.h"
#include "bolt.h"
#include "mvcc.h"
#include "space.h"
#include "replay.h"
#include "snap.h"
#include "export.h"
#include "report.h"
#include "restore.h"
#include "version.h"
#include "render.h"
#include "k8s.h"
#include "walltime.h"
#include "walltime_log.h"
#include "node_replay.h"
#include "k8s_load.h"

#endif
