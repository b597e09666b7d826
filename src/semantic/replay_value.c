/* replay_value.c: the values of the replay model's keys. Each key keeps its value's length and
 * first RP_PREFIX bytes, and where the bytes can be read again (the WAL record of the put, or
 * the db element of the base state) instead of their hash: only a compare on VALUE (EQUAL,
 * NOT_EQUAL) and a put with ignore_value need the hash, and most windows have neither, so
 * hashing every put (megabytes per entry) up front was wasted work. A value that lives nowhere
 * else (a protobuf-c copy) is hashed at once. The first RP_PREFIX bytes (GREATER/LESS compares)
 * are kept out of line (rp_model.pre) only for such a value or once read again: a value in a WAL
 * record or a db element is read again when a compare first needs it, at most once per value
 * (the hash and the prefix together), so the bytes read again stay below the bytes the window
 * wrote. Memory: a fixed record per key, a prefix slot per key compared, no copies. */
#include "replay_int.h"
#include "format/pb_wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void set_facts(rp_key *k, size_t n)
{
	k->vlen = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	k->vpre_len = (uint8_t)(n < RP_PREFIX ? n : RP_PREFIX);
	k->pre_lazy = k->vpre_len != 0;
}

/* Keeps the first k->vpre_len bytes of v in k's prefix slot: 0, or -1 no memory. */
static int keep_prefix(rp_model *m, rp_key *k, const uint8_t *v)
{
	if (!k->vpre_len) { k->pre_lazy = 0; return 0; }
	if (!k->pre) {
		if (m->npre == m->cappre) {
			size_t nc = m->cappre ? m->cappre * 2 : 256;
			if (nc > UINT32_MAX - 1) return -1;
			void *p = realloc(m->pre, nc * sizeof *m->pre);
			if (!p) return -1;
			m->pre = p;
			m->cappre = nc;
		}
		k->pre = (uint32_t)++m->npre;
	}
	memcpy(m->pre[k->pre - 1], v, k->vpre_len);
	k->pre_lazy = 0;
	return 0;
}

int ea__rp_key_set_value(rp_model *m, rp_key *k, const uint8_t *v, size_t n)
{
	set_facts(k, n);
	k->vhash = ea__rp_hash(v, n);
	k->vsrc = RP_VS_NONE;
	return keep_prefix(m, k, v);
}

int ea__rp_key_set_put_value(rp_ctx *c, rp_key *k, const uint8_t *v, size_t n)
{
	const ea_entry_item *e = c->cur_entry;
	const ea_wal_record *r = e ? &e->log.item.rec : NULL;
	const ea_entry_header *h = r ? &r->u.entry : NULL;
	uintptr_t p = (uintptr_t)v, d = h && h->data ? (uintptr_t)h->data : 0;
	if (!d || p < d || n > h->data_len || p - d > h->data_len - n || p - d >= RP_VREF_MAX ||
	    r->length >= RP_VREF_MAX || n > UINT32_MAX) {
		return ea__rp_key_set_value(&c->m, k, v, n);   /* not in the record (a decoder's copy): hash it now */
	}
	set_facts(k, n);
	k->vsrc = RP_VS_WAL;
	k->vseg = r->segment > UINT32_MAX ? UINT32_MAX : (uint32_t)r->segment;
	k->vrel = (uint32_t)(p - d);
	k->vrec_len = (uint32_t)r->length;
	k->vat = r->offset;
	k->vidx = h->index;
	return 0;
}

void ea__rp_key_set_db_value(rp_key *k, const ea_mvcc_kv *kv)
{
	set_facts(k, kv->value_len);
	k->vsrc = RP_VS_DB;
	k->vat = (uint64_t)kv->main;
	k->vidx = (uint64_t)kv->sub;
}

/* The value read again: its hash, and its prefix kept (-1: no memory). */
static int learn(rp_model *m, rp_key *k, const uint8_t *v)
{
	k->vhash = ea__rp_hash(v, k->vlen);
	return keep_prefix(m, k, v);
}

/* The put's record read again: its entry's data must still hold the value where it was. */
static int hash_from_wal(rp_ctx *c, rp_key *k)
{
	const uint32_t rec_len = k->vrec_len, rel = k->vrel;
	ea_wal *w = ea_log_wal(c->log);
	if (!w || k->vat > UINT64_MAX - 8) return -1;
	uint8_t *buf = malloc(rec_len ? rec_len : 1);
	if (!buf) return -1;
	int rc = -1;
	ea_pb_record rec;
	ea_entry_header e;
	if (ea_wal_pread(w, k->vseg, buf, rec_len, k->vat + 8) == (long)rec_len &&
	    ea_pb_decode_record(buf, rec_len, &rec) == 0 && rec.has_data && rec.type == EA_WAL_ENTRY &&
	    ea_pb_decode_entry(rec.data, rec.data_len, &e) == 0 && e.index == k->vidx && e.data &&
	    rel <= e.data_len && k->vlen <= e.data_len - rel) {
		rc = learn(&c->m, k, e.data + rel);
	}
	free(buf);
	return rc;
}

typedef struct { rp_model *m; rp_key *k; int ok; } db_hash_ctx;

static int db_hash_cb(const ea_mvcc_kv *kv, void *payload)
{
	db_hash_ctx *d = payload;
	if (kv->tombstone || kv->value_len != d->k->vlen) return 0;
	d->ok = learn(d->m, d->k, kv->value ? kv->value : (const uint8_t *)"") == 0;
	return 0;
}

int ea__rp_key_hash(rp_ctx *c, rp_key *k)
{
	if (k->vsrc == RP_VS_NONE) return 0;
	int rc = -1;
	if (k->vsrc == RP_VS_WAL) {
		rc = hash_from_wal(c, k);
	} else if (c->db) {
		db_hash_ctx d = { &c->m, k, 0 };
		if (ea_mvcc_get_rev(c->db, (int64_t)k->vat, (int64_t)k->vidx, db_hash_cb, &d) == EA_OK && d.ok) rc = 0;
	}
	if (rc == 0) k->vsrc = RP_VS_NONE;
	return rc;
}

const uint8_t *ea__rp_key_prefix(rp_ctx *c, rp_key *k)
{
	if (!k->vpre_len) return (const uint8_t *)"";
	if (k->pre_lazy && (k->vsrc == RP_VS_NONE || ea__rp_key_hash(c, k))) return NULL;
	return k->pre ? c->m.pre[k->pre - 1] : NULL;
}
