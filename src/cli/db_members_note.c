/* db_members_note.c: the note `db stat` prints under the members bucket of a data dir when the
 * bucket lists members the newest .snap's conf state does not (etcd 3.4 takes membership from
 * the .snap's v2 store). A .snap at term 1 whose index is its number of members is the
 * bootstrap snapshot `etcdctl snapshot restore` writes: the extra members are the source
 * cluster's, left by the restore (it clears the members bucket through the key space, which
 * misses it); otherwise it may be drift, which `diff` checks against the WAL.
 * etcd 3.5+ shows the same leftover the other way round: `etcdutl snapshot restore` keeps the
 * source cluster's voters in meta/confState (rewritten only at the first conf change or
 * snapshot), while the members bucket and the .snap hold only the restored member. */
#include "cli.h"
#include "etcd-autopsy/restore.h"
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

typedef struct { uint64_t id; int found; } find_ctx;

static int find_member(const ea_mvcc_member *mb, void *p)
{
	find_ctx *c = p;
	if (!mb->removed && mb->id == c->id) c->found = 1;
	return 0;
}

/* conf state voters/learners the members bucket does not hold (etcd 3.5+ restore leftover) */
static void conf_state_note(ea_mvcc *m, const char *conf_state, const ea_snap_info *newest)
{
	uint64_t ids[64];
	unsigned char over[64];
	int cut;
	long nv = ea_mvcc_conf_state_ids(conf_state, "voters", ids, over, 64, &cut);
	if (nv < 0) nv = 0;
	long nl = ea_mvcc_conf_state_ids(conf_state, "learners", ids + nv, over + nv, 64 - (size_t)nv, &cut);
	size_t n = (size_t)nv + (size_t)(nl < 0 ? 0 : nl);
	char list[512] = "";
	size_t missing = 0;
	for (size_t i = 0; i < n; i++) {
		if (over[i]) continue;   /* no member ID: cmd_db's conf state line shows it as "?" */
		find_ctx c = { ids[i], 0 };
		ea_mvcc_members(m, find_member, &c);
		if (c.found) continue;
		size_t l = strlen(list);
		snprintf(list + l, sizeof list - l, "%s%" PRIx64, l ? ", " : "", ids[i]);
		missing++;
	}
	if (!missing) return;
	if (newest && ea_restore_is_bootstrap_snapshot(newest->term, newest->index, newest->n_voters + newest->n_learners))
		printf("  note: the conf state lists %zu member%s (%s) that the members bucket does not: left by "
		       "`etcdutl snapshot restore` (%s at term 1, index %" PRIu64 ", is its bootstrap snapshot); etcd "
		       "keeps the source cluster's conf state until the first conf change or snapshot (not a drift)\n",
		       missing, missing == 1 ? "" : "s", list, newest->file, newest->index);
	else
		printf("  note: the conf state lists %zu member%s (%s) that the members bucket does not: membership "
		       "drift unless later conf changes explain it (`diff` checks it against the WAL)\n",
		       missing, missing == 1 ? "" : "s", list);
}

void cli_db_members_note(ea_input *in, ea_mvcc *m, const char *conf_state)
{
	ea_snap_list *l = NULL;
	ea_error err = { 0 };
	if (ea_snap_list_open(&l, in, 0, &err) != EA_OK) {   /* no .snap: only the conf state to compare */
		if (conf_state && conf_state[0]) conf_state_note(m, conf_state, NULL);
		return;
	}
	const ea_snap_info *newest = NULL;
	for (size_t i = 0; i < ea_snap_list_count(l); i++) {
		const ea_snap_info *s = ea_snap_list_at(l, i);
		if (strcmp(s->kind, "snap") == 0 && s->decoded && s->crc_ok == 1 && (!newest || s->index > newest->index))
			newest = s;
	}
	extra_ctx c = { .s = newest };
	if (newest && newest->n_voters) ea_mvcc_members(m, note_extra, &c);
	if (c.n) {
		if (ea_restore_is_bootstrap_snapshot(newest->term, newest->index, newest->n_voters + newest->n_learners))
			printf("  note: %zu of them (%s) are not in the conf state of %s (term 1, index %" PRIu64 ": the bootstrap "
			       "snapshot of `etcdctl snapshot restore`): the source cluster's members, left in the bucket by the "
			       "restore; etcd takes membership from the .snap and never reads them (not a drift)\n",
			       c.n, c.ids, newest->file, newest->index);
		else
			printf("  note: %zu of them (%s) are not in the conf state of the newest .snap %s (index %" PRIu64 "): "
			       "membership drift unless later conf changes explain it (`diff` checks it against the WAL)\n",
			       c.n, c.ids, newest->file, newest->index);
	}
	if (conf_state && conf_state[0]) conf_state_note(m, conf_state, newest);
	ea_snap_list_close(l);
}
