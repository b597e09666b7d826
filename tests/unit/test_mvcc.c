/* test_mvcc.c: etcd's store inside bbolt, against what etcd itself reported when the fixtures
 * were made (endpoint status revision, endpoint hashkv at the latest revision and at an older
 * one, snapshot status of the backup), plus salvage of a damaged copy and hand-made key
 * buckets for the generation and HashKV rules. */
#include "test.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *scenarios[] = { "healthy", "leader-change", "follower-behind" };
static const char *members[] = { "n1", "n2", "n3" };

static const char *key(const char *node, const char *k)
{
	static char b[4][128];
	static int i;
	char *p = b[i++ & 3];
	snprintf(p, 128, "%s.%s", node, k);
	return p;
}

typedef struct {
	ea_input *in;
	ea_mvcc *m;
} opened;

static void open_store(opened *o, const char *path, const ea_mvcc_options *opts)
{
	ea_error err = { 0 };
	int rc = ea_input_open(&o->in, path, &err);
	if (rc) fail_msg("open %s: %s", path, err.msg);
	rc = ea_mvcc_open(&o->m, o->in, opts, &err);
	if (rc) fail_msg("mvcc open %s: %s", path, err.msg);
}

static void close_store(opened *o)
{
	ea_mvcc_close(o->m);
	ea_input_close(o->in);
}

/* ---- fixtures vs etcd ---- */

static void open_member(opened *o, const char *sc, const char *nm)
{
	char file[32];
	snprintf(file, sizeof file, "%s.tar.gz", nm);
	open_store(o, fixture_path(sc, file), NULL);
}

static void test_mvcc__hashkv_matches_etcd(void **state)
{
	(void)state;
	for (size_t s = 0; s < 3; s++)
		for (size_t n = 0; n < 3; n++) {
			const char *sc = scenarios[s], *nm = members[n];
			opened o;
			open_member(&o, sc, nm);
			ea_mvcc_info info;
			assert_int_equal(ea_mvcc_info_get(o.m, &info), 0);
			assert_int_equal(info.revision, manifest_u64(sc, key(nm, "revision")));
			assert_int_equal(info.compact_revision, manifest_u64(sc, key(nm, "hashkv_compact_revision")));
			ea_error err = { 0 };
			ea_hashkv_result h;
			assert_int_equal(ea_mvcc_hashkv(o.m, 0, &h, &err), 0);
			if (h.hash != manifest_u64(sc, key(nm, "hashkv")))
				fail_msg("%s/%s: hashkv %u, etcd said %s", sc, nm, h.hash, manifest_get(sc, key(nm, "hashkv")));
			assert_int_equal(h.hash_revision, manifest_u64(sc, key(nm, "revision")));
			assert_int_equal(h.compact_revision, manifest_u64(sc, key(nm, "hashkv_compact_revision")));
			int64_t r = (int64_t)manifest_u64(sc, key(nm, "hashkv_rev"));
			assert_int_equal(ea_mvcc_hashkv(o.m, r, &h, &err), 0);
			if (h.hash != manifest_u64(sc, key(nm, "hashkv_at_rev")))
				fail_msg("%s/%s: hashkv at %" PRId64 " %u, etcd said %s", sc, nm, r, h.hash,
				         manifest_get(sc, key(nm, "hashkv_at_rev")));
			assert_int_equal(h.hash_revision, r);
			/* a revision below the compaction and a future one are refused, as by etcd */
			assert_int_equal(ea_mvcc_hashkv(o.m, info.compact_revision - 1, &h, &err), EA_EINVAL);
			assert_non_null(strstr(err.msg, "compacted"));
			assert_int_equal(ea_mvcc_hashkv(o.m, info.revision + 1, &h, &err), EA_EINVAL);
			assert_non_null(strstr(err.msg, "future"));
			/* healthy dbs: no problem at all */
			assert_int_equal(ea_bolt_problem_count(ea_mvcc_bolt(o.m)), 0);
			close_store(&o);
		}
}

/* The same facts whatever the order of the calls: HashKV first (the check walk computes it,
 * exactly when nothing lies at or below the compact revision: isolated-leader was never
 * compacted, the other two were), then the key index, then HashKV again at both revisions. */
static void test_mvcc__hashkv_in_any_order(void **state)
{
	(void)state;
	static const char *const order_scenarios[] = { "healthy", "isolated-leader", "leader-change" };
	int fused = 0, keep_set = 0;
	for (size_t s = 0; s < 3; s++)
		for (size_t n = 0; n < 3; n++) {
			const char *sc = order_scenarios[s], *nm = members[n];
			opened o;
			open_member(&o, sc, nm);
			uint64_t want = manifest_u64(sc, key(nm, "hashkv")), want_at = manifest_u64(sc, key(nm, "hashkv_at_rev"));
			int64_t r = (int64_t)manifest_u64(sc, key(nm, "hashkv_rev"));
			int64_t compact = (int64_t)manifest_u64(sc, key(nm, "hashkv_compact_revision"));
			if (compact < 0) fused++; else keep_set++;
			ea_error err = { 0 };
			ea_bolt_check_result chk;
			ea_hashkv_result h;
			assert_int_equal(ea_mvcc_check_hash(o.m, &chk, &h, &err), 0);
			assert_true(h.hash == want);
			assert_int_equal(chk.problems, 0);
			ea_mvcc_info info;
			assert_int_equal(ea_mvcc_info_scan(o.m, &info), 0);
			assert_int_equal(info.revision, manifest_u64(sc, key(nm, "revision")));
			assert_int_equal(ea_mvcc_info_get(o.m, &info), 0);   /* builds the key index */
			assert_true(info.keys > 0);
			assert_int_equal(ea_mvcc_hashkv(o.m, 0, &h, &err), 0);
			assert_true(h.hash == want);
			assert_int_equal(ea_mvcc_hashkv(o.m, r, &h, &err), 0);
			assert_true(h.hash == want_at);
			assert_int_equal(ea_mvcc_hashkv(o.m, 0, &h, &err), 0);
			assert_true(h.hash == want);
			close_store(&o);
		}
	assert_true(fused > 0 && keep_set > 0);   /* both ways of hashing were exercised */
}

static int member_cb(const ea_mvcc_member *mb, void *p)
{
	char (*seen)[17] = p;
	for (int i = 0; i < 3; i++)
		if (!seen[i][0]) { snprintf(seen[i], 17, "%" PRIx64, mb->id); break; }
	assert_true(mb->name[0] == 'n');
	assert_non_null(strstr(mb->peer_urls, "http://127.0.0.1:"));
	return 0;
}

static void test_mvcc__members_bucket(void **state)
{
	(void)state;
	for (size_t s = 0; s < 3; s++) {
		opened o;
		open_store(&o, fixture_path(scenarios[s], "n1.tar.gz"), NULL);
		char seen[3][17] = { { 0 } };
		assert_int_equal(ea_mvcc_members(o.m, member_cb, seen), 0);
		for (size_t n = 0; n < 3; n++) {
			const char *id = manifest_get(scenarios[s], key(members[n], "member_id"));
			int found = 0;
			for (int i = 0; i < 3; i++) found |= strcmp(seen[i], id) == 0;
			if (!found) fail_msg("%s: member %s not in the members bucket", scenarios[s], id);
		}
		close_store(&o);
	}
}

static void test_mvcc__backup_snapshot_status(void **state)
{
	(void)state;
	opened o;
	open_store(&o, fixture_path("healthy", "backup.tar.gz"), NULL);
	ea_snapshot_status ss;
	assert_int_equal(ea_mvcc_snapshot_status(o.m, &ss), 0);
	assert_int_equal(ss.hash, manifest_u64("healthy", "backup.hash"));
	assert_int_equal(ss.revision, manifest_u64("healthy", "backup.revision"));
	assert_int_equal(ss.total_key, manifest_u64("healthy", "backup.total_key"));
	assert_int_equal(ss.total_size, manifest_u64("healthy", "backup.total_size"));
	ea_bolt *b = ea_mvcc_bolt(o.m);
	assert_int_equal(ea_bolt_file_size(b), manifest_u64("healthy", "backup.size"));
	ea_bolt_trailer_state ts;
	assert_int_equal(ea_bolt_trailer(b, &ts, NULL, NULL), 0);
	assert_int_equal(ts, EA_BOLT_TRAILER_OK);
	assert_string_equal(manifest_get("healthy", "backup.sha256_trailer"), "present");
	ea_bolt_check_result r;
	assert_int_equal(ea_bolt_check(b, &r), 0);
	assert_int_equal(ea_bolt_problem_count(b), 0);
	close_store(&o);
}

/* ---- range and history ---- */

typedef struct {
	size_t n;
	int64_t max_mod;
	char last[256];
	int sorted;
} range_acc;

static int range_cb(const ea_mvcc_kv *kv, void *p)
{
	range_acc *a = p;
	char k[256];
	size_t l = kv->key_len < 255 ? kv->key_len : 255;
	memcpy(k, kv->key, l);
	k[l] = 0;
	if (a->n && strcmp(k, a->last) <= 0) a->sorted = 0;
	strcpy(a->last, k);
	assert_true(kv->decode_ok);
	assert_false(kv->tombstone);
	assert_int_equal(kv->mod_revision, kv->main);
	if (kv->mod_revision > a->max_mod) a->max_mod = kv->mod_revision;
	a->n++;
	return 0;
}

static void test_mvcc__range_at_revisions(void **state)
{
	(void)state;
	opened o;
	open_store(&o, fixture_path("healthy", "n1.tar.gz"), NULL);
	ea_mvcc_info info;
	assert_int_equal(ea_mvcc_info_get(o.m, &info), 0);
	ea_error err = { 0 };
	range_acc a = { 0, 0, "", 1 };
	assert_int_equal(ea_mvcc_range(o.m, NULL, 0, 0, range_cb, &a, &err), 0);
	assert_int_equal(a.n, info.live_keys);
	assert_true(a.sorted);
	assert_int_equal(a.max_mod, info.revision);
	int64_t r = (int64_t)manifest_u64("healthy", "n1.hashkv_rev");
	range_acc b = { 0, 0, "", 1 };
	assert_int_equal(ea_mvcc_range(o.m, NULL, 0, r, range_cb, &b, &err), 0);
	assert_true(b.max_mod <= r);
	assert_int_equal(ea_mvcc_range(o.m, NULL, 0, info.compact_revision - 1, range_cb, &b, &err), EA_EINVAL);
	close_store(&o);
}

typedef struct {
	size_t puts, dels;
	int64_t last;
} hist_acc;

static int hist_cb(const ea_mvcc_kv *kv, void *p)
{
	hist_acc *h = p;
	assert_true(kv->main > h->last);
	h->last = kv->main;
	if (kv->tombstone) h->dels++; else h->puts++;
	return 0;
}

static void test_mvcc__history_of_blob(void **state)
{
	(void)state;
	/* healthy: /big/blob0 was put many times with compactions in between: the bucket keeps
	 * only the revisions after the last compaction plus the one kept at it */
	opened o;
	open_store(&o, fixture_path("healthy", "n1.tar.gz"), NULL);
	hist_acc h = { 0, 0, 0 };
	assert_int_equal(ea_mvcc_history(o.m, "/big/blob0", 10, hist_cb, &h), 0);
	assert_true(h.puts >= 1);
	assert_true(h.last <= (int64_t)manifest_u64("healthy", "n1.revision"));
	close_store(&o);
}

/* ---- salvage on a damaged copy ---- */

typedef struct {
	int64_t *revs;
	size_t n, cap;
} revlist;

static int collect_cb(const ea_mvcc_kv *kv, void *p)
{
	revlist *l = p;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->revs = realloc(l->revs, l->cap * sizeof *l->revs);
		assert_non_null(l->revs);
	}
	l->revs[l->n++] = kv->main;
	return 0;
}

static int has_rev(const revlist *l, int64_t r)
{
	for (size_t i = 0; i < l->n; i++) if (l->revs[i] == r) return 1;
	return 0;
}

static int bolt_collect_cb(const ea_bolt_kv *kv, void *p)
{
	if (kv->key_len < 17) return 0;
	int64_t m = 0;
	for (int i = 0; i < 8; i++) m = m << 8 | kv->key[i];
	ea_mvcc_kv x = { .main = m };
	return collect_cb(&x, p);
}

static void test_mvcc__salvage_recovers_undamaged_revisions(void **state)
{
	(void)state;
	/* every revision of the healthy db ... */
	opened h;
	open_store(&h, fixture_path("healthy", "n1.tar.gz"), NULL);
	ea_bolt *hb = ea_mvcc_bolt(h.m);
	ea_bolt_bucket kb;
	assert_int_equal(ea_bolt_bucket_open(hb, NULL, "key", 3, &kb), 0);
	revlist all = { 0 };
	assert_int_equal(ea_bolt_foreach(hb, &kb, bolt_collect_cb, &all), 0);
	ea_bolt_bucket_close(&kb);
	close_store(&h);
	assert_true(all.n > 100);

	/* ... is found by salvage in the damaged copy, except the two whose elements were hit */
	opened o;
	open_store(&o, fixture_path("corrupt-db", "leaf-flip.tar.gz"), NULL);
	revlist got = { 0 };
	assert_int_equal(ea_mvcc_salvage(o.m, collect_cb, &got), 0);
	const char *lost = manifest_get("corrupt-db", "leaf-flip.lost_revisions");
	assert_non_null(lost);
	size_t missing = 0;
	for (size_t i = 0; i < all.n; i++) {
		char rs[32];
		snprintf(rs, sizeof rs, "%" PRId64, all.revs[i]);
		int is_lost = 0;
		for (const char *s = lost; s; s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL)
			if (strtoll(s, NULL, 10) == all.revs[i]) is_lost = 1;
		if (!has_rev(&got, all.revs[i])) {
			if (!is_lost) fail_msg("salvage lost revision %s", rs);
			missing++;
		}
	}
	assert_true(missing <= 2);
	/* the normal reading reports the damage with page and offset and goes on */
	ea_mvcc_info info;
	assert_int_equal(ea_mvcc_info_get(o.m, &info), 0);
	assert_int_equal(info.key_revisions, all.n - 2);
	close_store(&o);
	free(all.revs);
	free(got.revs);
}

static void test_mvcc__meta_fallback_still_hashes(void **state)
{
	(void)state;
	/* meta page 1 is the previous transaction: its tree is complete and readable */
	opened o;
	open_store(&o, fixture_path("corrupt-db", "meta0-checksum.tar.gz"), NULL);
	ea_error err = { 0 };
	ea_hashkv_result h;
	assert_int_equal(ea_mvcc_hashkv(o.m, 0, &h, &err), 0);
	assert_true(h.current_revision > 0);
	close_store(&o);
}

/* ---- generations and the HashKV rules on a hand-made key bucket ---- */

#define PS 4096u

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void le64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
	return h;
}

typedef struct { int64_t main; int tomb; const char *key; int64_t create, ver; } ent;

/* A db with a key bucket of `ents` (sub 0 each) and meta/finishedCompactRev = compact. */
static const char *make_db(const ent *ents, size_t n, int64_t compact)
{
	uint8_t *b = calloc(5, PS);
	assert_non_null(b);
	for (int pg = 0; pg < 2; pg++) {
		uint8_t *p = b + pg * PS;
		le64(p, (uint64_t)pg); le16(p + 8, 4);
		le32(p + 16, 0xED0CDAED); le32(p + 20, 2); le32(p + 24, PS);
		le64(p + 32, 2); le64(p + 48, UINT64_MAX); le64(p + 56, 5); le64(p + 64, (uint64_t)(2 + pg));
		le64(p + 72, fnv(p + 16, 56));
	}
	/* root (page 2): "key" -> page 3, "meta" -> page 4 */
	uint8_t *r = b + 2 * PS;
	le64(r, 2); le16(r + 8, 2); le16(r + 10, 2);
	size_t at = 48;
	const char *names[2] = { "key", "meta" };
	for (int i = 0; i < 2; i++) {
		uint8_t *e = r + 16 + 16 * i;
		size_t kl = strlen(names[i]);
		le32(e, 1); le32(e + 4, (uint32_t)(at - (size_t)(16 + 16 * i))); le32(e + 8, (uint32_t)kl); le32(e + 12, 16);
		memcpy(r + at, names[i], kl);
		memset(r + at + kl, 0, 16);
		le64(r + at + kl, (uint64_t)(3 + i));
		at += kl + 16;
	}
	uint8_t *k = b + 3 * PS;
	le64(k, 3); le16(k + 8, 2); le16(k + 10, (uint16_t)n);
	at = 16 + 16 * n;
	for (size_t i = 0; i < n; i++) {
		uint8_t key[18], val[128];
		for (int j = 0; j < 8; j++) key[j] = (uint8_t)((uint64_t)ents[i].main >> (56 - 8 * j));
		key[8] = '_';
		memset(key + 9, 0, 8);
		key[17] = 't';
		size_t kl = ents[i].tomb ? 18 : 17, vl = 0;
		size_t ul = strlen(ents[i].key);
		val[vl++] = 0x0a; val[vl++] = (uint8_t)ul; memcpy(val + vl, ents[i].key, ul); vl += ul;
		if (!ents[i].tomb) {
			vl += pb_put_varint(val + vl, 0x10); vl += pb_put_varint(val + vl, (uint64_t)ents[i].create);
			vl += pb_put_varint(val + vl, 0x18); vl += pb_put_varint(val + vl, (uint64_t)ents[i].main);
			vl += pb_put_varint(val + vl, 0x20); vl += pb_put_varint(val + vl, (uint64_t)ents[i].ver);
			val[vl++] = 0x2a; val[vl++] = 1; val[vl++] = 'v';
		}
		uint8_t *e = k + 16 + 16 * i;
		le32(e + 4, (uint32_t)(at - (16 + 16 * i))); le32(e + 8, (uint32_t)kl); le32(e + 12, (uint32_t)vl);
		memcpy(k + at, key, kl);
		memcpy(k + at + kl, val, vl);
		at += kl + vl;
	}
	uint8_t *m = b + 4 * PS;
	le64(m, 4); le16(m + 8, 2); le16(m + 10, compact > 0 ? 1 : 0);
	if (compact > 0) {
		uint8_t rv[17] = { 0 };
		for (int j = 0; j < 8; j++) rv[j] = (uint8_t)((uint64_t)compact >> (56 - 8 * j));
		rv[8] = '_';
		le32(m + 16 + 4, 16); le32(m + 16 + 8, 18); le32(m + 16 + 12, 17);
		memcpy(m + 32, "finishedCompactRev", 18);
		memcpy(m + 50, rv, 17);
	}
	static char path[4096];
	snprintf(path, sizeof path, "%s/db", test_tmpdir(NULL));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, PS, 5, f), 5);
	fclose(f);
	free(b);
	return path;
}

typedef struct {
	const int64_t *mains;
	size_t n;
	uint32_t h;
} hash_acc;

static int hash_sel_cb(const ea_bolt_kv *kv, void *p)
{
	hash_acc *a = p;
	int64_t m = 0;
	for (int i = 0; i < 8; i++) m = m << 8 | kv->key[i];
	for (size_t i = 0; i < a->n; i++)
		if (a->mains[i] == m) {
			a->h = ea_crc32c(a->h, kv->key, kv->key_len);
			a->h = ea_crc32c(a->h, kv->value, kv->value_len);
		}
	return 0;
}

/* CRC-32C of "key" then k, v of the listed entries, independently of the HashKV code. */
static uint32_t expect_hash(const char *path, const int64_t *mains, size_t n)
{
	opened o;
	open_store(&o, path, NULL);
	ea_bolt *b = ea_mvcc_bolt(o.m);
	ea_bolt_bucket kb;
	assert_int_equal(ea_bolt_bucket_open(b, NULL, "key", 3, &kb), 0);
	hash_acc a = { mains, n, ea_crc32c(0, "key", 3) };
	assert_int_equal(ea_bolt_foreach(b, &kb, hash_sel_cb, &a), 0);
	ea_bolt_bucket_close(&kb);
	close_store(&o);
	return a.h;
}

static void test_mvcc__generations_and_keep(void **state)
{
	(void)state;
	/* a: put 2, put 3, del 4, put 5 | b: put 6 (compacted at 4: a's 2, 3 gone, tombstone 4
	 * deleted by 3.4.23 but kept by 3.4.34+) */
	const ent ents[] = {
		{ 4, 1, "a", 0, 0 }, { 5, 0, "a", 5, 1 }, { 6, 0, "b", 6, 1 },
	};
	const char *path = make_db(ents, 3, 4);
	opened o;
	open_store(&o, path, NULL);
	ea_mvcc_info info;
	assert_int_equal(ea_mvcc_info_get(o.m, &info), 0);
	assert_int_equal(info.revision, 6);
	assert_int_equal(info.compact_revision, 4);
	assert_int_equal(info.keys, 2);            /* the leading tombstone of "a" is ignored */
	assert_int_equal(info.live_keys, 2);
	assert_int_equal(info.tombstones, 1);
	ea_error err = { 0 };
	ea_hashkv_result h;
	/* keep at 6 = {5 (a), 6 (b)} is non-empty, so the tombstone at 4 (<= compact, not kept)
	 * is skipped under either rule */
	assert_int_equal(ea_mvcc_hashkv(o.m, 0, &h, &err), 0);
	const int64_t want[] = { 5, 6 };
	uint32_t wh = expect_hash(path, want, 2);
	assert_int_equal(h.hash, wh);
	close_store(&o);

	/* keep empty (every key deleted by the compaction revision): only the rule decides */
	const ent e2[] = { { 2, 0, "c", 2, 1 }, { 3, 1, "c", 0, 0 } };
	path = make_db(e2, 2, 3);
	ea_mvcc_options classic = { EA_MVCC_OPTIONS_VERSION, EA_HASHKV_RULE_CLASSIC };
	open_store(&o, path, &classic);
	assert_int_equal(ea_mvcc_hashkv(o.m, 0, &h, &err), 0);
	const int64_t all[] = { 2, 3 };
	assert_int_equal(h.hash, expect_hash(path, all, 2));
	assert_false(h.skipped_compact_tombstone);
	close_store(&o);
	open_store(&o, path, NULL);
	assert_int_equal(ea_mvcc_hashkv(o.m, 0, &h, &err), 0);
	const int64_t notomb[] = { 2 };
	assert_int_equal(h.hash, expect_hash(path, notomb, 1));
	assert_true(h.skipped_compact_tombstone);
	ea_mvcc_info i2;
	ea_mvcc_info_get(o.m, &i2);
	assert_int_equal(i2.live_keys, 0);
	close_store(&o);
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
		cmocka_unit_test(test_mvcc__hashkv_matches_etcd),
		cmocka_unit_test(test_mvcc__hashkv_in_any_order),
		cmocka_unit_test(test_mvcc__members_bucket),
		cmocka_unit_test(test_mvcc__backup_snapshot_status),
		cmocka_unit_test(test_mvcc__range_at_revisions),
		cmocka_unit_test(test_mvcc__history_of_blob),
		cmocka_unit_test(test_mvcc__salvage_recovers_undamaged_revisions),
		cmocka_unit_test(test_mvcc__meta_fallback_still_hashes),
		cmocka_unit_test(test_mvcc__generations_and_keep),
	};
	return cmocka_run_group_tests_name("mvcc", tests, NULL, teardown);
}
