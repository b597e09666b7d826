/* hashkv_version.c: which HashKV rule an etcd release uses for a tombstone at exactly the
 * compaction revision (docs/formats.md §7.3.1): parsing --etcd-version, and inferring the release
 * from a db (cluster version / storage version: major.minor only, so by minor version with the
 * latest patch releases assumed; a tombstone kept at the compaction revision proves a fixed one). */
#include "etcd-autopsy/mvcc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ea_hashkv_rule_name(ea_hashkv_rule r)
{
	return r == EA_HASHKV_RULE_CLASSIC ? "classic" : "skip-compact-tombstone";
}

const char *ea_hashkv_rule_versions(ea_hashkv_rule r)
{
	return r == EA_HASHKV_RULE_CLASSIC ? "3.0-3.4.33, 3.5.0-3.5.15" : "3.4.34+, 3.5.16+, 3.6+";
}

/* The rule of release 3.minor.patch (patch < 0: the latest patch releases of the minor). */
static ea_hashkv_rule rule_of(long minor, long patch)
{
	if (minor < 4) return EA_HASHKV_RULE_CLASSIC;
	if (patch < 0 || minor >= 6) return EA_HASHKV_RULE_SKIP_TOMBSTONE;
	if (minor == 4) return patch >= 34 ? EA_HASHKV_RULE_SKIP_TOMBSTONE : EA_HASHKV_RULE_CLASSIC;
	return patch >= 16 ? EA_HASHKV_RULE_SKIP_TOMBSTONE : EA_HASHKV_RULE_CLASSIC;
}

/* A decimal of 1..4 digits at *p (advanced); -1 if none. */
static long num(const char **p)
{
	long v = 0;
	int n = 0;
	while (**p >= '0' && **p <= '9' && n < 5) { v = v * 10 + (**p - '0'); (*p)++; n++; }
	return n == 0 || n > 4 ? -1 : v;
}

int ea_hashkv_parse_version(const char *s, ea_hashkv_version *out)
{
	memset(out, 0, sizeof *out);
	if (!s) return EA_EINVAL;
	const char *p = s + (*s == 'v');
	long maj = num(&p);
	if (maj != 3 || *p++ != '.') return EA_EINVAL;
	long min = num(&p);
	if (min < 0 || *p++ != '.') return EA_EINVAL;
	long pat = num(&p);
	if (pat < 0 || *p) return EA_EINVAL;
	out->rule = out->inferred = rule_of(min, pat);
	snprintf(out->version, sizeof out->version, "3.%d.%d", (int)(min % 10000), (int)(pat % 10000));
	snprintf(out->basis, sizeof out->basis, "etcd %s (--etcd-version)", out->version);
	return EA_OK;
}

/* "3.5.x >= 3.5.16" for the latest patch releases of a minor. */
static void assumed_range(long min, char *buf, size_t cap)
{
	if (min == 4) snprintf(buf, cap, "3.4.x >= 3.4.34");
	else if (min == 5) snprintf(buf, cap, "3.5.x >= 3.5.16");
	else snprintf(buf, cap, "3.%d.x", (int)(min % 10000));
}

void ea_hashkv_infer_version(const ea_mvcc_info *i, int has_compact_tombstone, ea_hashkv_version *out)
{
	memset(out, 0, sizeof *out);
	out->assumed = 1;
	long min = 4;
	char from[64];
	const char *p = i->cluster_version;
	if (num(&p) == 3 && *p++ == '.' && (min = num(&p)) >= 0) {
		snprintf(from, sizeof from, "cluster version 3.%d", (int)(min % 10000));
	} else if (i->schema.ok && i->schema.major == 3 && i->schema.minor >= 0 && i->schema.minor < 10000) {
		min = (long)i->schema.minor;
		snprintf(from, sizeof from, i->schema.from_storage_version ? "storage version %s"
		         : "the db's schema (meta/term: %s)", i->schema.version);
	} else {
		min = 4;
		snprintf(from, sizeof from, "the db's schema (no meta/term: 3.4 or older)");
	}
	if (has_compact_tombstone) {
		/* only fixed releases keep a tombstone at the compaction revision */
		out->rule = out->inferred = EA_HASHKV_RULE_SKIP_TOMBSTONE;
		assumed_range(min < 4 ? 5 : min, out->version, sizeof out->version);
		snprintf(out->basis, sizeof out->basis, "assuming etcd %s from %s and the tombstone kept at the "
		         "compaction revision (only 3.4.34+, 3.5.16+, 3.6+ keep it)", out->version, from);
		return;
	}
	out->rule = out->inferred = rule_of(min, -1);
	assumed_range(min, out->version, sizeof out->version);
	snprintf(out->basis, sizeof out->basis, "assuming etcd %s from %s (inferred by minor version: the "
	         "patch release is not recorded)", out->version, from);
}
