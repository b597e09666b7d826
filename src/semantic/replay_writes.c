/* replay_writes.c: hands out what the entry ea_replay_next returned last wrote, element by
 * element (key, value, tombstone, create/mod/version, lease), from the model's write list:
 * `db history` and `export` show the revisions a db compacted away from it; and whether an
 * entry's writes learn create_revision/version from the db (no_db_check). */
#include "replay_int.h"

size_t ea_replay_write_count(const ea_replay *c)
{
	if (!c->item.entry || c->item.revision <= 0 || c->item.writes <= 0) return 0;
	return (size_t)c->item.writes <= c->m.nwrites ? (size_t)c->item.writes : c->m.nwrites;
}

int ea_replay_write_get(const ea_replay *c, size_t sub, ea_replay_write *out)
{
	if (sub >= ea_replay_write_count(c)) return EA_EINVAL;
	const rp_write *w = &c->m.writes[sub];
	const rp_key *k = &c->m.keys[w->key];
	*out = (ea_replay_write){ 0 };
	out->main = c->item.revision;
	out->sub = (int64_t)sub;
	out->key = ea__rp_key_bytes(&c->m, k);
	out->key_len = k->klen;
	out->tombstone = w->del;
	if (w->del) { out->cv_known = 1; out->value_known = 1; return EA_OK; }   /* etcd stores only the key */
	out->mod_revision = c->item.revision;
	out->value_known = w->val != NULL;
	out->value = w->val;
	out->value_len = w->val ? w->vlen : 0;
	out->lease = w->lease;
	out->cv_known = w->cv_known;
	out->create_revision = w->create;
	out->version = w->version;
	if (!w->cv_known && k->cv_known && k->mod == c->item.revision && k->mod_sub == (int64_t)sub) {
		/* learnt from the db's element by the check */
		out->cv_known = 1;
		out->create_revision = k->create;
		out->version = k->version;
	}
	return EA_OK;
}

int ea__rp_writes_learn_from_db(const rp_model *m)
{
	for (size_t s = 0; s < m->nwrites; s++)
		if (!m->writes[s].del && !m->writes[s].cv_known) return 1;
	return 0;
}
