/* k8s_opts.c: the Kubernetes options shared by db ls/history/get and wal ls: --k8s-prefix (the
 * key prefix, /registry by default), and the filters --resource and --namespace. */
#include "cli.h"

#include <string.h>

int cli_k8s_set(cli_k8s *k, const char *cmd, const char *opt, const char *val)
{
	if (!*val) {
		fprintf(stderr, "etcd-autopsy %s: --%s needs a non-empty value\n", cmd, opt);
		return -1;
	}
	if (strcmp(opt, "k8s-prefix") == 0) k->prefix = val;
	else if (strcmp(opt, "resource") == 0) k->resource = val;
	else k->ns = val;
	k->given = 1;
	return 0;
}

int cli_k8s_open(cli_k8s *k, const char *cmd)
{
	int rc = ea_k8s_new(&k->k, k->prefix);
	if (rc == EA_OK) return 0;
	if (rc == EA_EINVAL)
		fprintf(stderr, "etcd-autopsy %s: --k8s-prefix: expected up to %d comma-separated key prefixes such as "
		        "/registry or /kubernetes.io,/openshift.io\n", cmd, EA_K8S_MAX_PREFIXES);
	else
		fprintf(stderr, "etcd-autopsy %s: %s\n", cmd, ea_strerror(rc));
	return -1;
}

static int is(ea_k8s_str s, const char *want)
{
	return s.p && s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

int cli_k8s_match(const cli_k8s *k, const ea_k8s_object *o)
{
	if (!k->resource && !k->ns) return 1;
	if (!o) return 0;
	if (k->resource && !is(o->resource, k->resource)) return 0;
	return !k->ns || is(o->ns, k->ns);
}
