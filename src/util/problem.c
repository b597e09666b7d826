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
