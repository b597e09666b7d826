/* entry_iter.c: ea_entry_iter, the one place where a WAL record becomes an entry with its
 * meaning: the ea_log item, ea_entry_decode() of its payload (the segment's mtime unwraps the
 * request ID's time), the proposer named from the member IDs, and the committed / superseded /
 * uncommitted state against the last HardState's commit index. Also ea_member_set. */
#include "etcd-autopsy/entry_iter.h"

#include <stdlib.h>
#include <string.h>

struct ea_entry_iter {
	ea_log *log;
	ea_entry_decoder *dec;
	ea_member_set members;
	uint64_t commit;
	ea_entry_item cur;
};

void ea_member_set_add(ea_member_set *s, uint64_t id)
{
	if (!id) return;
	for (size_t i = 0; i < s->n; i++) if (s->ids[i] == id) return;
	if (s->n < EA_MEMBER_SET_MAX) s->ids[s->n++] = id;
}

uint64_t ea_member_set_match(const ea_member_set *s, uint16_t low16)
{
	uint64_t found = 0;
	int count = 0;
	for (size_t i = 0; i < s->n; i++)
		if ((uint16_t)s->ids[i] == low16) { found = s->ids[i]; count++; }
	return count == 1 ? found : 0;
}

const char *ea_entry_state_label(ea_entry_state s)
{
	return s == EA_ENTRY_SUPERSEDED ? "SUPERSEDED" : s == EA_ENTRY_UNCOMMITTED ? "UNCOMMITTED" : "committed";
}

int ea_entry_iter_new(ea_entry_iter **out, ea_log *log, const ea_entry_iter_options *opts)
{
	*out = NULL;
	ea_entry_iter *it = calloc(1, sizeof *it);
	if (!it) return EA_ENOMEM;
	if (ea_entry_decoder_new(&it->dec) != EA_OK) { free(it); return EA_ENOMEM; }
	it->log = log;
	it->commit = ea_log_commit_index(log);
	if (opts && opts->members) {
		it->members = *opts->members;
	} else {
		const uint64_t *ids;
		for (size_t i = 0, n = ea_log_member_ids(log, &ids); i < n; i++) ea_member_set_add(&it->members, ids[i]);
	}
	*out = it;
	return EA_OK;
}

void ea_entry_iter_free(ea_entry_iter *it)
{
	if (!it) return;
	ea_entry_decoder_free(it->dec);
	free(it);
}

/* lower-case hex without leading zeros, as etcd prints member IDs */
static void hex_id(char *out, uint64_t v)
{
	static const char hx[] = "0123456789abcdef";
	char b[17], *p = b + sizeof b;
	do { *--p = hx[v & 15]; v >>= 4; } while (v);
	size_t n = (size_t)(b + sizeof b - p);
	memcpy(out, p, n);
	out[n] = 0;
}

static void name_proposer(ea_entry_item *e, const ea_member_set *members)
{
	e->proposer = 0;
	e->proposer_name[0] = 0;
	if (!e->info.request_id) return;
	e->proposer = ea_member_set_match(members, e->info.proposer_low16);
	if (e->proposer) { hex_id(e->proposer_name, e->proposer); return; }
	memcpy(e->proposer_name, "????", 4);
	char low[17];
	hex_id(low, (uint64_t)e->info.proposer_low16 | 0x10000u);   /* 5 digits: a leading 1, then 4 */
	memcpy(e->proposer_name + 4, low + 1, 5);
}

int ea_entry_iter_next(const ea_entry_item **out, ea_entry_iter *it)
{
	*out = NULL;
	ea_entry_item *e = &it->cur;
	int rc = ea_log_next(it->log, &e->log);
	if (rc != EA_OK) return rc;
	const ea_wal_record *r = &e->log.item.rec;
	e->is_entry = e->log.item.kind == EA_WAL_ITEM_RECORD && r->type == EA_WAL_ENTRY && r->decoded;
	if (e->is_entry) {
		const ea_wal_segment *seg = ea_wal_segment_at(ea_log_wal(it->log), r->segment);
		ea_entry_decode(it->dec, &r->u.entry, seg && seg->mtime > 0 ? seg->mtime * 1000 : 0, &e->info);
		e->state = e->log.superseded ? EA_ENTRY_SUPERSEDED :
		           r->u.entry.index > it->commit ? EA_ENTRY_UNCOMMITTED : EA_ENTRY_COMMITTED;
		name_proposer(e, &it->members);
	}
	*out = e;
	return EA_OK;
}
