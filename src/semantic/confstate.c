/* confstate.c: the IDs in etcd's meta/confState value (etcd 3.5+): json.Marshal of
 * raftpb.ConfState, e.g. {"voters":[1,2],"auto_leave":false}, member IDs as decimal uint64s. */
#include "etcd-autopsy/mvcc.h"

#include <stdio.h>
#include <string.h>

long ea_mvcc_conf_state_ids(const char *js, const char *name, uint64_t *ids, unsigned char *over, size_t max,
                            int *cut)
{
	char pat[32];
	*cut = 0;
	if (!js || (size_t)snprintf(pat, sizeof pat, "\"%s\":", name) >= sizeof pat) return -1;
	const char *p = strstr(js, pat);
	if (!p || *(p += strlen(pat)) != '[') return -1;
	size_t n = 0;
	for (p++; *p && *p != ']';) {
		if (*p < '0' || *p > '9') { p++; continue; }
		if (n == max) { *cut = 1; return (long)n; }
		uint64_t v = 0;
		int o = 0;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) o = 1;
			v = v * 10 + (uint64_t)(*p - '0');
		}
		ids[n] = o ? 0 : v;
		over[n++] = (unsigned char)o;
	}
	if (!*p) *cut = 1;   /* the stored text ends inside the array */
	return (long)n;
}
