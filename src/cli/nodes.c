/* nodes.c: NAME=PATH arguments → opened ea_node objects, shared by history/diff/verify. */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The same input twice (the same file or directory under two paths, a data dir and its own
 * archive, two copies named alike) would be compared with itself and called consistent:
 * a usage error naming both arguments. Paths are compared by device and inode before
 * opening; names and WAL member IDs once the nodes are open. */
int cli_same_path(const char *cmd, const char *const *args, const char *const *paths, int nargs)
{
	struct stat st[CLI_MAX_NODES];
	int ok[CLI_MAX_NODES];
	for (int i = 0; i < nargs; i++) {
		ok[i] = stat(paths[i], &st[i]) == 0;
		for (int j = 0; ok[i] && j < i; j++)
			if (ok[j] && st[j].st_dev == st[i].st_dev && st[j].st_ino == st[i].st_ino) {
				char a1[512], a2[512];   /* arguments may carry control bytes: escaped for the terminal */
				fprintf(stderr, "etcd-autopsy %s: %s and %s are the same %s: give each member once\n", cmd,
				        ea_text_str(a1, sizeof a1, args[j]), ea_text_str(a2, sizeof a2, args[i]),
				        S_ISDIR(st[i].st_mode) ? "directory" : "file");
				return -1;
			}
	}
	return 0;
}

static int same_member(const char *cmd, const char *const *args, ea_node *const *nodes, size_t n)
{
	char a1[512], a2[512], nm[512];   /* arguments and names escaped for the terminal */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++) {
			ea_text_str(a1, sizeof a1, args[j]);
			ea_text_str(a2, sizeof a2, args[i]);
			if (strcmp(ea_node_name(nodes[i]), ea_node_name(nodes[j])) == 0) {
				fprintf(stderr, "etcd-autopsy %s: %s and %s are both named %s: name them apart with NAME=PATH\n",
				        cmd, a1, a2, ea_text_str(nm, sizeof nm, ea_node_name(nodes[i])));
				return -1;
			}
			const ea_wal_summary *a = &ea_node_wal(nodes[i])->summary, *b = &ea_node_wal(nodes[j])->summary;
			if (ea_node_wal(nodes[i])->present && ea_node_wal(nodes[j])->present && a->have_metadata && b->have_metadata &&
			    a->member_id && a->member_id == b->member_id && a->cluster_id == b->cluster_id) {
				fprintf(stderr, "etcd-autopsy %s: %s and %s hold the same member (member ID %" PRIx64 " of cluster %"
				        PRIx64 "): two copies of one member (a data dir and its own archive?) would only be "
				        "compared with themselves; give each member once\n", cmd, a1, a2, a->member_id,
				        a->cluster_id);
				return -1;
			}
		}
	return 0;
}

int cli_open_nodes(const char *cmd, const char *const *args, int nargs, ea_node **nodes, size_t *n)
{
	return cli_open_nodes_with(cmd, args, nargs, NULL, nodes, n);
}

int cli_open_nodes_with(const char *cmd, const char *const *args, int nargs, const ea_node_open_opts *opts,
                        ea_node **nodes, size_t *n)
{
	*n = 0;
	char names[CLI_MAX_NODES][256];
	const char *namep[CLI_MAX_NODES] = { 0 }, *paths[CLI_MAX_NODES] = { 0 };   /* zeroed: gcc -O2 cannot see nargs >= 1 */
	ea_error errs[CLI_MAX_NODES];
	if (nargs > CLI_MAX_NODES) return -1;
	for (int i = 0; i < nargs; i++) {
		const char *a = args[i];
		const char *eq = strchr(a, '=');
		names[i][0] = 0;
		paths[i] = a;
		/* NAME=PATH when the part before '=' looks like a name, not a path */
		if (eq && eq != a && (size_t)(eq - a) < sizeof names[i] && !memchr(a, '/', (size_t)(eq - a))) {
			memcpy(names[i], a, (size_t)(eq - a));
			names[i][eq - a] = 0;
			paths[i] = eq + 1;
		}
		namep[i] = names[i][0] ? names[i] : NULL;
		memset(&errs[i], 0, sizeof errs[i]);
	}
	if (cli_same_path(cmd, args, paths, nargs)) return -1;
	size_t failed = 0;
	cli_progress_nodes(namep, paths, nargs);
	int rc = ea_node_open_many_with(nodes, namep, paths, (size_t)nargs, opts, errs, &failed);
	cli_progress_phase("analysing");
	if (rc) {
		cli_print_error(cmd, paths[failed], rc, &errs[failed]);
		return -1;
	}
	if (same_member(cmd, args, nodes, (size_t)nargs)) {
		for (int i = 0; i < nargs; i++) ea_node_close(nodes[i]);
		return -1;
	}
	*n = (size_t)nargs;
	return 0;
}

int cli_force_logs;

int cli_attach_logs(const char *cmd, ea_node **nodes, size_t n, const char *const *specs, int nspecs)
{
	for (int i = 0; i < nspecs; i++) {
		const char *eq = strchr(specs[i], '=');
		if (!eq) {
			fprintf(stderr, "etcd-autopsy %s: --logs takes NAME=FILE (got %s)\n", cmd, specs[i]);
			return -1;
		}
		size_t nl = (size_t)(eq - specs[i]);
		ea_node *nd = NULL;
		for (size_t k = 0; k < n; k++)
			if (strlen(ea_node_name(nodes[k])) == nl && strncmp(ea_node_name(nodes[k]), specs[i], nl) == 0) nd = nodes[k];
		if (!nd) {
			fprintf(stderr, "etcd-autopsy %s: --logs %.*s: no node with that name\n", cmd, (int)nl, specs[i]);
			return -1;
		}
		ea_error err = { 0 };
		int rc = ea_node_add_log(nd, eq + 1, &err);
		if (rc) {
			cli_print_error(cmd, eq + 1, rc, &err);
			return -1;
		}
		char why[512];
		if (ea_node_log_check(nd, why, sizeof why)) {
			fprintf(stderr, "etcd-autopsy %s: %s--logs %s: not %s's etcd log: %s%s\n", cmd,
			        cli_force_logs ? "warning: " : "", specs[i], ea_node_name(nd), why,
			        cli_force_logs ? " (kept: --force)" : " (--force to use it anyway)");
			if (!cli_force_logs) return -1;
		}
	}
	return 0;
}

int cli_nodes_from_args(const char *cmd, const char *help, const cli_parser *p, const char *const *logs,
                        int nlogs, const ea_node_open_opts *opts, ea_node **nodes, size_t *n)
{
	*n = 0;
	if (p->npositional < 1 || p->npositional > CLI_MAX_NODES) {
		fputs(help, stderr);
		return -1;
	}
	if (cli_open_nodes_with(cmd, p->positional, p->npositional, opts, nodes, n)) return -1;
	if (cli_nodes_readable(cmd, nodes, *n) || cli_attach_logs(cmd, nodes, *n, logs, nlogs)) {
		for (size_t i = 0; i < *n; i++) ea_node_close(nodes[i]);
		*n = 0;
		return -1;
	}
	return 0;
}
