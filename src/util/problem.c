/* problem.c: names for layers/severities/codes and owned copies of problems. */
#include "etcd-autopsy/common.h"

#include <stdlib.h>
#include <string.h>

const char *ea_layer_name(ea_layer layer)
{
	switch (layer) {
	case EA_LAYER_SOURCE: return "source";
	case EA_LAYER_WAL: return "wal";
	case EA_LAYER_SNAP: return "snap";
	case EA_LAYER_BOLT: return "bolt";
	case EA_LAYER_RAFT: return "raft";
	case EA_LAYER_MVCC: return "mvcc";
	case EA_LAYER_ANALYSIS: return "analysis";
	}
	return "unknown";
}

const char *ea_severity_name(ea_severity sev)
{
	switch (sev) {
	case EA_SEV_INFO: return "info";
	case EA_SEV_WARNING: return "warning";
	case EA_SEV_ERROR: return "error";
	}
	return "unknown";
}

const char *ea_strerror(int code)
{
	switch (code) {
	case EA_OK: return "ok";
	case EA_ITEROVER: return "end of iteration";
	case EA_ENOMEM: return "out of memory";
	case EA_EIO: return "input/output error";
	case EA_ENOTFOUND: return "not found";
	case EA_EINVAL: return "invalid argument";
	case EA_ECORRUPT: return "structure too damaged to read";
	case EA_ELIMIT: return "size limit exceeded";
	}
	return "unknown error";
}

static const struct { const char *kind; const char *advice; } advice[] = {
	{ "torn-tail", "Normal after a crash or power loss: etcd truncates the torn record when it starts. "
	  "Only uncommitted entries are lost; nothing to do." },
	{ "crc-mismatch", "etcd refuses to start on this WAL. Do not edit it in place: rebuild this member from a "
	  "healthy peer (member remove + add with an empty data dir) or restore from a verified backup." },
	{ "crc-chain-mismatch", "A segment was changed or replaced: etcd refuses to start. Rebuild this member from a "
	  "healthy peer or restore from a verified backup." },
	{ "undecodable-record", "Bit rot or overwritten bytes: etcd refuses to start. Rebuild this member from a "
	  "healthy peer; check the disk." },
	{ "undecodable-payload", "The record is intact but its payload is not what etcd writes: check that this is an "
	  "etcd 3.4-3.6 WAL; otherwise treat it as corruption." },
	{ "impossible-length", "A damaged length word: etcd stops reading here. Rebuild this member from a healthy "
	  "peer; check the disk." },
	{ "torn-record", "Zeroed sectors inside a finished part of the WAL: disk or filesystem damage. Rebuild this "
	  "member from a healthy peer; check the disk." },
	{ "zeroed-region", "etcd stops at the zeros and, at boot, overwrites the records after them: copy this data dir "
	  "before starting etcd on it, then rebuild the member from a healthy peer." },
	{ "data-after-end", "Unreadable bytes after the end of the log: leftovers of an older file or damage; etcd ignores "
	  "them. Keep a copy for the investigation." },
	{ "missing-segment", "A WAL segment was deleted or not copied: copy the data dir again; if it is really gone, "
	  "rebuild this member from a healthy peer." },
	{ "metadata-conflict", "Segments of different members or clusters were mixed in one directory: separate them." },
	{ "index-gap", "Raft entries are missing from this WAL: rebuild this member from a healthy peer." },
	{ "segment-index-order", "Segment names are out of order: files were renamed or mixed; compare with the host." },
	{ "empty-segment", "The copy of this segment failed (etcd never leaves a segment empty): copy the data dir "
	  "again from the host; if the original is empty too, rebuild this member from a healthy peer." },
	{ "unreadable-directory", "Part of the copy cannot be read (see the errno text): fix the permissions of the "
	  "copy (never of the live member) or copy it again, then rerun." },
	{ "unreadable-file", "A file of the copy cannot be read (see the errno text): fix the permissions of the copy "
	  "or copy it again, then rerun." },
	{ "bad-segment-name", "A file etcd ignores; harmless, but ask why it is there." },
	{ "repaired-segment-copy", "etcd already repaired a torn tail here: the .broken file holds the original tail." },
	{ "undecodable-entry", "etcd panics when it applies this committed entry, at every restart: restore this member "
	  "from a healthy peer whose entry at this index decodes (`diff`), or from a backup taken before it." },
	{ "archive-damaged", "The archive is cut short: copy it again. Everything before the damage was analysed." },
	{ "archive-symlink", "Links in an archive are not followed: if etcd used this link (e.g. a WAL dir elsewhere), "
	  "extract the archive and give the directory it points to." },
	{ "archive-not-regular", "Not part of an etcd data dir; ask why it is in the archive." },
	{ "archive-hardlink-unresolved", "The file this link names is not in the archive: archive the data dir again "
	  "(tar --hard-dereference, or from a copy)." },
	{ "archive-too-many-members", "This archive is not one member's data dir: archive only the member's data dir." },
	{ "meta-fallback", "bbolt opens the older meta page: the last transaction is lost from the db; etcd re-applies it "
	  "from the WAL if the WAL is intact." },
	{ "live-data-dir", "A running etcd holds these files: a copy of a live dir may be inconsistent. Use `etcdctl "
	  "snapshot save`, or stop the member before copying." },
	{ NULL, NULL }
};

const char *ea_problem_advice(const ea_problem *p)
{
	for (int i = 0; advice[i].kind; i++)
		if (p->kind && strcmp(p->kind, advice[i].kind) == 0) return advice[i].advice;
	switch (p->layer) {
	case EA_LAYER_BOLT:
	case EA_LAYER_MVCC:
		return p->severity == EA_SEV_INFO ? "For information." :
		       "The bbolt db is damaged and etcd may panic on it: recover revisions with `db ls --salvage`, then "
		       "restore the member from a healthy peer or a verified backup (`verify`).";
	case EA_LAYER_SNAP:
		return "etcd skips a bad .snap (renaming it .snap.broken) and uses an older one; if none is usable it "
		       "cannot start: rebuild the member from a healthy peer.";
	case EA_LAYER_SOURCE:
		return "The copy could not be read completely: copy it again.";
	default:
		return p->severity == EA_SEV_INFO ? "For information." :
		       "Treat this member's copy as damaged: compare it with the others (`diff`) before trusting it.";
	}
}

int ea_problem_copy(ea_problem_owned *dst, const ea_problem *src)
{
	const char *k = src->kind ? src->kind : "";
	const char *f = src->file;
	const char *m = src->message ? src->message : "";
	size_t lk = strlen(k) + 1, lf = f ? strlen(f) + 1 : 0, lm = strlen(m) + 1;
	char *b = malloc(lk + lf + lm);
	if (!b) return EA_ENOMEM;
	dst->p = *src;
	memcpy(b, k, lk); dst->p.kind = b;
	if (f) { memcpy(b + lk, f, lf); dst->p.file = b + lk; }
	memcpy(b + lk + lf, m, lm); dst->p.message = b + lk + lf;
	dst->buf = b;
	return EA_OK;
}

void ea_problem_owned_free(ea_problem_owned *p)
{
	free(p->buf);
	p->buf = NULL;
}
