/* test_hashkv_variants.c: both HashKV rules from one walk (docs/formats.md §7.3.1), the etcd
 * version each release uses, and diff comparing like with like. The dbs are synthesized
 * (bbolt pages as etcd's backend writes them) because the cases where the two rules disagree
 * — no key alive at R, or a key deleted and re-created within the compaction revision — occur
 * in no fixture; the expected hashes are computed here from etcd's algorithm (CRC-32C over
 * "key" and the hashed elements), not copied from the program's output. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PS 4096u

typedef struct { uint8_t k[32]; size_t kn; uint8_t v[64]; size_t vn; } kv;
typedef struct { const char *name; const kv *e; size_t n; } bucket;

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void be64(uint8_t *p, uint64_t v) { for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; } }
static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

/* A leaf page of n elements (buckets: inline-less bucket headers). */
static void leaf(uint8_t *pg, uint64_t id, const kv *e, size_t n, int buckets)
{
	le64(pg, id); le16(pg + 8, 2); le16(pg + 10, (uint16_t)n);
	size_t at = 16 + 16 * n;
	for (size_t i = 0; i < n; i++) {
		uint8_t *el = pg + 16 + 16 * i;
		le32(el, buckets ? 1 : 0); le32(el + 4, (uint32_t)(at - (16 + 16 * i)));
		le32(el + 8, (uint32_t)e[i].kn); le32(el + 12, (uint32_t)e[i].vn);
		memcpy(pg + at, e[i].k, e[i].kn);
		memcpy(pg + at + e[i].kn, e[i].v, e[i].vn);
		at += e[i].kn + e[i].vn;
		assert_true(at <= PS);
	}
}

/* Writes a bbolt file of the buckets (names sorted, elements sorted) to `path`. */
static void write_db(const char *path, const bucket *bk, size_t nb)
{
	size_t npages = 3 + nb;
	uint8_t *b = calloc(npages, PS);
	assert_non_null(b);
	for (int pg = 0; pg < 2; pg++) {
		uint8_t *p = b + pg * PS;
		le64(p, (uint64_t)pg); le16(p + 8, 4);
		le32(p + 16, 0xED0CDAED); le32(p + 20, 2); le32(p + 24, PS);
		le64(p + 32, 2); le64(p + 48, UINT64_MAX); le64(p + 56, npages); le64(p + 64, (uint64_t)(2 + pg));
		le64(p + 72, fnv(p + 16, 56));
	}
	kv root[4];
	assert_true(nb <= 4);
	for (size_t i = 0; i < nb; i++) {
		memset(&root[i], 0, sizeof root[i]);
		root[i].kn = strlen(bk[i].name);
		memcpy(root[i].k, bk[i].name, root[i].kn);
		le64(root[i].v, 3 + i);
		root[i].vn = 16;
		leaf(b + (3 + i) * PS, 3 + i, bk[i].e, bk[i].n, 0);
	}
	leaf(b + 2 * PS, 2, root, nb, 1);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, PS, npages, f), npages);
	fclose(f);
	free(b);
}

/* A key-bucket element: revision key (main, sub[, 't']) → mvccpb.KeyValue. */
static kv rev(int64_t main, int64_t sub, int tomb, const char *key, const char *val)
{
	kv e;
	memset(&e, 0, sizeof e);
	be64(e.k, (uint64_t)main); e.k[8] = '_'; be64(e.k + 9, (uint64_t)sub);
	e.kn = 17;
	if (tomb) e.k[e.kn++] = 't';
	size_t kl = strlen(key), n = 0;
	e.v[n++] = 0x0a; e.v[n++] = (uint8_t)kl; memcpy(e.v + n, key, kl); n += kl;
	if (!tomb) {
		e.v[n++] = 0x10; e.v[n++] = (uint8_t)main;      /* create_revision (small) */
		e.v[n++] = 0x18; e.v[n++] = (uint8_t)main;      /* mod_revision */
		e.v[n++] = 0x20; e.v[n++] = 1;                  /* version */
		size_t vl = strlen(val);
		e.v[n++] = 0x2a; e.v[n++] = (uint8_t)vl; memcpy(e.v + n, val, vl); n += vl;
	}
	e.vn = n;
	return e;
}

static kv meta(const char *k, const uint8_t *v, size_t vn)
{
	kv e;
	memset(&e, 0, sizeof e);
	e.kn = strlen(k);
	memcpy(e.k, k, e.kn);
	memcpy(e.v, v, vn);
	e.vn = vn;
	return e;
}

/* cluster/clusterVersion, meta (consistent_index, finishedCompactRev = compact, term), key. */
static const char *make(const char *file, const kv *keys, size_t n, int64_t compact, const char *cluster_version)
{
	static char path[4][4096];
	static int slot;
	char *p = path[slot++ % 4];
	snprintf(p, sizeof path[0], "%s/%s", test_tmpdir(NULL), file);
	uint8_t ci[8] = { 0, 0, 0, 0, 0, 0, 0, 9 }, term[8] = { 0, 0, 0, 0, 0, 0, 0, 2 }, cr[17];
	be64(cr, (uint64_t)compact); cr[8] = '_'; be64(cr + 9, 0);
	kv cl[1] = { meta("clusterVersion", (const uint8_t *)cluster_version, strlen(cluster_version)) };
	kv me[3] = { meta("consistent_index", ci, 8), meta("finishedCompactRev", cr, 17), meta("term", term, 8) };
	bucket bk[3] = { { "cluster", cl, 1 }, { "key", keys, n }, { "meta", me, 3 } };
	write_db(p, bk, 3);
	return p;
}

/* etcd's HashKV over the chosen elements: CRC-32C of "key", then each key and value. */
static uint32_t expect(const kv *keys, const int *pick, size_t n)
{
	uint32_t h = ea_crc32c(0, "key", 3);
	for (size_t i = 0; i < n; i++) {
		h = ea_crc32c(h, keys[pick[i]].k, keys[pick[i]].kn);
		h = ea_crc32c(h, keys[pick[i]].v, keys[pick[i]].vn);
	}
	return h;
}

static ea_hashkv_result hash_of(const char *path, ea_hashkv_rule rule, int64_t at)
{
	ea_input *in;
	ea_error err = { 0 };
	assert_int_equal(ea_input_open(&in, path, &err), 0);
	ea_mvcc_options o = EA_MVCC_OPTIONS_INIT;
	o.hash_rule = rule;
	ea_mvcc *m;
	assert_int_equal(ea_mvcc_open(&m, in, &o, &err), 0);
	ea_hashkv_result h;
	assert_int_equal(ea_mvcc_hashkv(m, at, &h, &err), 0);
	ea_mvcc_close(m);
	ea_input_close(in);
	return h;
}

/* (a) no key alive at R: the classic rule hashes the tombstone at the compaction revision. */
static const kv *case_a(size_t *n)
{
	static kv k[4];
	k[0] = rev(2, 0, 0, "c", "v"); k[1] = rev(3, 0, 1, "c", ""); k[2] = rev(4, 0, 0, "d", "w"); k[3] = rev(5, 0, 1, "d", "");
	*n = 4;
	return k;
}

static void test_variants_keep_empty(void **state)
{
	(void)state;
	size_t n;
	const kv *k = case_a(&n);
	const char *path = make("a.db", k, n, 3, "3.5.0");
	const int all[] = { 0, 1, 2, 3 }, skip[] = { 0, 2, 3 };
	ea_hashkv_result h = hash_of(path, EA_HASHKV_RULE_AUTO, 0);
	assert_int_equal(h.hash_revision, 5);
	assert_int_equal(h.hash_classic, expect(k, all, 4));
	assert_int_equal(h.hash_skip, expect(k, skip, 3));
	assert_int_not_equal(h.hash_classic, h.hash_skip);
	/* the db keeps the tombstone at 3: only fixed releases do, so their rule */
	assert_int_equal(h.rule, EA_HASHKV_RULE_SKIP_TOMBSTONE);
	assert_int_equal(h.hash, h.hash_skip);
	assert_non_null(strstr(h.rule_basis, "3.5.x >= 3.5.16"));
	ea_hashkv_version v;
	assert_int_equal(ea_hashkv_parse_version("3.5.15", &v), 0);
	h = hash_of(path, v.rule, 0);
	assert_int_equal(h.rule, EA_HASHKV_RULE_CLASSIC);
	assert_int_equal(h.hash, expect(k, all, 4));
	assert_int_equal(h.hash_skip, expect(k, skip, 3));   /* both variants still reported */
}

/* (b) a key deleted and re-created within the compaction revision (etcd-io/etcd#22376): the
 * classic keep set holds the re-created put, the >= test of 3.4.34+/3.5.16+/3.6+ does not. */
static void test_variants_recreated_in_compact_revision(void **state)
{
	(void)state;
	kv k[5];
	k[0] = rev(1, 0, 0, "b", "x"); k[1] = rev(2, 0, 0, "a", "1"); k[2] = rev(3, 0, 1, "a", ""); k[3] = rev(3, 1, 0, "a", "2");
	k[4] = rev(4, 0, 0, "e", "y");
	const char *path = make("b.db", k, 5, 3, "3.6.0");
	const int classic[] = { 0, 3 }, skip[] = { 0 };
	ea_hashkv_result h = hash_of(path, EA_HASHKV_RULE_AUTO, 3);
	assert_int_equal(h.hash_classic, expect(k, classic, 2));
	assert_int_equal(h.hash_skip, expect(k, skip, 1));
	assert_int_equal(h.hash, h.hash_skip);
	/* above the compaction both rules keep the live put: same number */
	ea_hashkv_result h2 = hash_of(path, EA_HASHKV_RULE_CLASSIC, 0);
	assert_int_equal(h2.hash_revision, 4);
	const int at4[] = { 0, 3, 4 };
	assert_int_equal(h2.hash_classic, expect(k, at4, 3));
	assert_int_equal(h2.hash_skip, h2.hash_classic);
}

static void test_versions(void **state)
{
	(void)state;
	static const struct { const char *s; ea_hashkv_rule r; } ok[] = {
		{ "3.5.15", EA_HASHKV_RULE_CLASSIC }, { "3.5.16", EA_HASHKV_RULE_SKIP_TOMBSTONE },
		{ "3.4.33", EA_HASHKV_RULE_CLASSIC }, { "3.4.34", EA_HASHKV_RULE_SKIP_TOMBSTONE },
		{ "3.3.27", EA_HASHKV_RULE_CLASSIC }, { "3.6.0", EA_HASHKV_RULE_SKIP_TOMBSTONE },
		{ "v3.7.1", EA_HASHKV_RULE_SKIP_TOMBSTONE }, { "3.5.30", EA_HASHKV_RULE_SKIP_TOMBSTONE },
	};
	ea_hashkv_version v;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(ea_hashkv_parse_version(ok[i].s, &v), 0);
		assert_int_equal(v.rule, ok[i].r);
	}
	static const char *bad[] = { "", "3.5", "4.0.0", "3.5.x", "3.5.16-rc.0", "3.5.16 ", "3.99999.1", "x", NULL };
	for (int i = 0; bad[i]; i++) assert_int_equal(ea_hashkv_parse_version(bad[i], &v), EA_EINVAL);
	assert_int_equal(ea_hashkv_parse_version(NULL, &v), EA_EINVAL);

	/* inference by minor version; a 3.7 db is not mistaken for an old one */
	ea_mvcc_info i;
	memset(&i, 0, sizeof i);
	snprintf(i.cluster_version, sizeof i.cluster_version, "3.7.0");
	ea_hashkv_infer_version(&i, 0, &v);
	assert_int_equal(v.rule, EA_HASHKV_RULE_SKIP_TOMBSTONE);
	assert_true(v.assumed);
	assert_non_null(strstr(v.basis, "3.7.x"));
	snprintf(i.cluster_version, sizeof i.cluster_version, "3.3.0");
	ea_hashkv_infer_version(&i, 0, &v);
	assert_int_equal(v.rule, EA_HASHKV_RULE_CLASSIC);
	ea_hashkv_infer_version(&i, 1, &v);   /* a kept tombstone proves a fixed release */
	assert_int_equal(v.rule, EA_HASHKV_RULE_SKIP_TOMBSTONE);
	i.cluster_version[0] = 0;             /* no cluster version: the storage version (3.7) */
	i.schema.ok = 1; i.schema.from_storage_version = 1; i.schema.major = 3; i.schema.minor = 7;
	snprintf(i.schema.version, sizeof i.schema.version, "3.7.0");
	ea_hashkv_infer_version(&i, 0, &v);
	assert_int_equal(v.rule, EA_HASHKV_RULE_SKIP_TOMBSTONE);
	assert_non_null(strstr(v.basis, "storage version 3.7.0"));
}

static size_t count_kind(const ea_diff *d, const char *kind, const char *sev)
{
	size_t c = 0;
	for (size_t i = 0; i < d->nfindings; i++)
		c += strcmp(d->findings[i].kind, kind) == 0 && (!sev || strcmp(d->findings[i].severity, sev) == 0);
	return c;
}

/* Two members: one compacted by a fixed release (tombstone at 3 kept), one by an older release
 * (tombstone deleted). Hashed with one rule for both, even the classic one (--etcd-version
 * 3.5.15), they differ only by that tombstone: no kv-hash-mismatch, an info finding instead. */
static void test_diff_like_with_like(void **state)
{
	(void)state;
	size_t n;
	const kv *k = case_a(&n);
	kv old[3] = { k[0], k[2], k[3] };
	const char *pa = make("kept.db", k, n, 3, "3.5.0");
	const char *pb = make("deleted.db", old, 3, 3, "3.5.0");
	for (int forced = 0; forced < 2; forced++) {
		ea_node *nodes[2];
		ea_error err = { 0 };
		assert_int_equal(ea_node_open(&nodes[0], "new", pa, &err), 0);
		assert_int_equal(ea_node_open(&nodes[1], "old", pb, &err), 0);
		if (forced)
			for (int i = 0; i < 2; i++) ea_mvcc_set_hash_rule(ea_node_mvcc(nodes[i]), EA_HASHKV_RULE_CLASSIC);
		ea_terms terms;
		ea_diff d;
		assert_int_equal(ea_terms_build(nodes, 2, &terms), 0);
		assert_int_equal(ea_diff_run(nodes, 2, &terms, &d), 0);
		assert_int_equal(count_kind(&d, "kv-hash-mismatch", "critical"), 0);
		assert_int_equal(count_kind(&d, "kv-hash-rule", "info"), forced ? 1 : 0);
		ea_diff_free(&d);
		ea_terms_free(&terms);
		ea_node_close(nodes[0]);
		ea_node_close(nodes[1]);
	}
}

static int teardown(void **state)
{
	(void)state;
	test_tmpdir_remove();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variants_keep_empty),
		cmocka_unit_test(test_variants_recreated_in_compact_revision),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_diff_like_with_like),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
