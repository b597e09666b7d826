/* db_members_note.c: the note `db stat` prints under the members bucket of a data dir when the
 * bucket lists members the newest .snap's conf state does not (etcd 3.4 takes membership from
 * the .snap's v2 store). A .snap at term 1 whose index is its number of members is the
 * bootstrap snapshot `etcdctl snapshot restore` writes: the extra members are the source
 * cluster's, left by the restore (it clears the members bucket through the key space, which
 * misses it); otherwise it may be drift, which `diff` checks against the WAL. */
#include "cli.h"
#include "etcd-autopsy/snap.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct {
	const ea_snap_info *s;
	char ids[512];
	size_t n;
} extra_ctx;

static int in_conf(const ea_snap_info *s, uint64_t id)
{
	for (size_t i = 0; i < s->n_voters; i++) if (s->voters[i] == id) return 1;
	for (size_t i = 0; i < s->n_learners; i++) if (s->learners[i] == id) return 1;
	return 0;
}

static int note_extra(const ea_mvcc_member *mb, void *p)
{
	extra_ctx *c = p;
	if (mb->removed || in_conf(c->s, mb->id)) return 0;
	size_t l = strlen(c->ids);
	snprintf(c->ids + l, sizeof c->ids - l, "%s%" PRIx64, l ? ", " : "", mb->id);
	c->n++;
	return 0;
}

void cli_db_members_note(ea_input *in, ea_mvcc *m)
{
	ea_snap_list *l = NULL;
	ea_error err = { 0 };
	if (ea_snap_list_open(&l, in, 0, &err) != EA_OK) return;   /* no .snap: nothing to compare */
	const ea_snap_info *newest = NULL;
	for (size_t i = 0; i < ea_snap_list_count(l); i++) {
		const ea_snap_info *s = ea_snap_list_at(l, i);
		if (strcmp(s->kind, "snap") == 0 && s->decoded && s->crc_ok == 1 && (!newest || s->index > newest->index))
			newest = s;
	}
	extra_ctx c = { .s = newest };
	if (newest && newest->n_voters) ea_mvcc_members(m, note_extra, &c);
	if (c.n) {
		size_t k = newest->n_voters + newest->n_learners;
		if (newest->term == 1 && newest->index == k)
			printf("  note: %zu of them (%s) are not in the conf state of %s (term 1, index %" PRIu64 ": the bootstrap "
			       "snapshot of `etcdctl snapshot restore`): the source cluster's members, left in the bucket by the "
			       "restore; etcd takes membership from the .snap and never reads them (not a drift)\n",
			       c.n, c.ids, newest->file, newest->index);
		else
			printf("  note: %zu of them (%s) are not in the conf state of the newest .snap %s (index %" PRIu64 "): "
			       "membership drift unless later conf changes explain it (`diff` checks it against the WAL)\n",
			       c.n, c.ids, newest->file, newest->index);
	}
	ea_snap_list_free(l);
}
