/* test_v36_formats.c: etcd 3.6 and 3.7 formats. No real 3.6/3.7 data is available here: every
 * input below is ENCODED FROM THE FORMAT DEFINITIONS, not captured from etcd — raft payloads
 * packed with the protobuf-c code generated from the formats/ .proto files (which follow etcd's
 * api/etcdserverpb/raft_internal.proto, rpc.proto and api/membershippb/membership.proto on
 * release-3.6 / release-3.7), and bbolt files laid out by hand with the meta/cluster keys of
 * etcd's server/storage/schema/bucket.go. They go through the same code the real 3.4 fixtures
 * go through: ea_entry_decode() for entries, ea_mvcc_open() (the meta-bucket reader) for dbs. */
#include "test.h"

#include "etcdserverpb.pb-c.h"
#include "membershippb.pb-c.h"
#include "semantic/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ea_entry_decoder *dec;

static int setup(void **state)
{
	(void)state;
	return ea_entry_decoder_new(&dec);
}

static int teardown(void **state)
{
	(void)state;
	ea_entry_decoder_free(dec);
	test_tmpdir_remove();
	return 0;
}

/* ---- WAL entries ---------------------------------------------------------------------------- */

static uint8_t pbuf[4096];

static ea_entry_info decode(const void *data, size_t len)
{
	ea_entry_header e = { 0, 2, 10, data, len };
	ea_entry_info o;
	assert_int_equal(ea_entry_decode(dec, &e, 0, &o), 0);
	return o;
}

static size_t pack(const Etcdserverpb__InternalRaftRequest *r)
{
	size_t n = etcdserverpb__internal_raft_request__get_packed_size(r);
	assert_true(n <= sizeof pbuf);
	return etcdserverpb__internal_raft_request__pack(r, pbuf);
}

/* A request ID as etcd's idutil makes it: the proposer's low 16 bits on top. */
#define REQ_ID (0xdecaull << 48 | 0x0000017abcdef01ull)

static Etcdserverpb__RequestHeader hdr;

static void with_header(Etcdserverpb__InternalRaftRequest *r)
{
	etcdserverpb__request_header__init(&hdr);
	hdr.has_id = 1;
	hdr.id = REQ_ID;
	r->header = &hdr;
}

static void test_v36__cluster_version_set(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r;
	etcdserverpb__internal_raft_request__init(&r);
	Membershippb__ClusterVersionSetRequest cv;
	membershippb__cluster_version_set_request__init(&cv);
	cv.ver = "3.6.0";
	r.cluster_version_set = &cv;
	with_header(&r);
	ea_entry_info o = decode(pbuf, pack(&r));
	assert_true(o.decode_ok);
	assert_string_equal(o.kind, "cluster_version_set");
	assert_string_equal(o.detail, "version=3.6.0");
	assert_int_equal(o.request_id, REQ_ID);
	assert_int_equal(o.proposer_low16, 0xdeca);
	assert_true(ea_entry_kind_known("cluster_version_set"));
}

static void test_v36__cluster_member_attr_set(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r;
	etcdserverpb__internal_raft_request__init(&r);
	Membershippb__ClusterMemberAttrSetRequest ma;
	membershippb__cluster_member_attr_set_request__init(&ma);
	Membershippb__Attributes at;
	membershippb__attributes__init(&at);
	char *urls[] = { "http://10.0.0.1:2379" };
	at.name = "n1";
	at.client_urls = urls;
	at.n_client_urls = 1;
	ma.has_member_id = 1;
	ma.member_id = 0xdecacf2185b21ac2ull;
	ma.member_attributes = &at;
	r.cluster_member_attr_set = &ma;
	with_header(&r);
	ea_entry_info o = decode(pbuf, pack(&r));
	assert_true(o.decode_ok);
	assert_string_equal(o.kind, "cluster_member_attr_set");
	assert_string_equal(o.detail, "member=decacf2185b21ac2 name=n1 client_url=http://10.0.0.1:2379");
}

static void test_v36__downgrade_info_set_and_test_request(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r;
	etcdserverpb__internal_raft_request__init(&r);
	Membershippb__DowngradeInfoSetRequest dg;
	membershippb__downgrade_info_set_request__init(&dg);
	dg.has_enabled = 1;
	dg.enabled = 1;
	dg.ver = "3.5.0";
	r.downgrade_info_set = &dg;
	with_header(&r);
	ea_entry_info o = decode(pbuf, pack(&r));
	assert_string_equal(o.kind, "downgrade_info_set");
	assert_string_equal(o.detail, "enabled=true version=3.5.0");

	/* 9900, test-only in 3.6: etcd 3.6 applies nothing; it must not look undecodable */
	etcdserverpb__internal_raft_request__init(&r);
	Etcdserverpb__DowngradeVersionTestRequest dt;
	etcdserverpb__downgrade_version_test_request__init(&dt);
	dt.ver = "3.5.0";
	r.downgrade_version_test = &dt;
	with_header(&r);
	o = decode(pbuf, pack(&r));
	assert_true(o.decode_ok);
	assert_string_equal(o.kind, "downgrade_version_test");
	assert_non_null(strstr(o.detail, "version=3.5.0"));
	assert_true(ea_entry_kind_known("downgrade_version_test"));
}

static void test_v36__auth_status(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r;
	etcdserverpb__internal_raft_request__init(&r);
	Etcdserverpb__AuthStatusRequest as;
	etcdserverpb__auth_status_request__init(&as);
	r.auth_status = &as;
	with_header(&r);
	size_t n = pack(&r);
	/* field 1013, wire type 2, empty: tag varint 0xaa 0x3f (1013 << 3 | 2 = 8106) */
	int found = 0;
	for (size_t i = 0; i + 2 < n; i++) found |= pbuf[i] == 0xaa && pbuf[i + 1] == 0x3f && pbuf[i + 2] == 0;
	assert_true(found);
	ea_entry_info o = decode(pbuf, n);
	assert_true(o.decode_ok);
	assert_string_equal(o.kind, "auth_status");
	assert_int_equal(o.request_id, REQ_ID);
}

/* etcd's RequestHeader has fields 1-3 only (release-3.6, release-3.7, main): a field 4, of any
 * wire type, is an unknown field that etcd skips. The put must still decode as a put, with the
 * proposer from the request ID. */
static void test_v37__header_unknown_field_is_skipped(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r;
	etcdserverpb__internal_raft_request__init(&r);
	Etcdserverpb__PutRequest p;
	etcdserverpb__put_request__init(&p);
	p.has_key = 1;
	p.key.data = (uint8_t *)"k1";
	p.key.len = 2;
	r.put = &p;
	size_t n = pack(&r);
	uint8_t h[64];
	size_t hn = 0;
	for (int wire = 0; wire <= 2; wire += 2) {
		hn = 0;
		hn += pb_put_tag(h + hn, 1, 0); hn += pb_put_varint(h + hn, REQ_ID);
		hn += pb_put_tag(h + hn, 4, (unsigned)wire);
		if (wire == 0) hn += pb_put_varint(h + hn, 0xdecacf2185b21ac2ull);
		else { h[hn++] = 3; memcpy(h + hn, "abc", 3); hn += 3; }
		uint8_t buf[256];
		memcpy(buf, pbuf, n);
		size_t m = n;
		m += pb_put_tag(buf + m, 100, 2);
		m += pb_put_varint(buf + m, hn);
		memcpy(buf + m, h, hn);
		m += hn;
		ea_entry_info o = decode(buf, m);
		assert_true(o.decode_ok);
		assert_string_equal(o.kind, "put");
		assert_int_equal(o.key_len, 2);
		assert_memory_equal(o.key, "k1", 2);
		assert_int_equal(o.request_id, REQ_ID);
		assert_int_equal(o.proposer_low16, 0xdeca);
	}
}

/* 3.7 reserves field 2 (v2); WALs written by 3.6 and older still carry it and still decode. */
static void test_v37__v2_field_still_decoded(void **state)
{
	(void)state;
	Etcdserverpb__InternalRaftRequest r;
	etcdserverpb__internal_raft_request__init(&r);
	Etcdserverpb__Request v2;
	etcdserverpb__request__init(&v2);
	v2.method = "PUT";
	v2.path = "/0/members/decacf2185b21ac2/attributes";
	v2.val = "{}";
	v2.has_id = 1;
	v2.id = REQ_ID;
	r.v2 = &v2;
	r.has_id = 1;
	r.id = REQ_ID;
	ea_entry_info o = decode(pbuf, pack(&r));
	assert_true(o.decode_ok);
	assert_string_equal(o.kind, "v2:PUT");
	assert_int_equal(o.key_len, strlen(v2.path));
	assert_int_equal(o.proposer_low16, 0xdeca);
}

/* ---- schema detection ----------------------------------------------------------------------- */

static void test_v36__semver_as_go_semver(void **state)
{
	(void)state;
	int64_t a, b, c;
	static const char *ok[] = { "3.6.0", "3.7.1", "3.6.0-alpha.0", "3.6.0+meta", "03.6.0", NULL };
	static const char *bad[] = { "", "3.6", "v3.6.0", "3.6.0.1", "3..0", "3.6.x", " 3.6.0", "99999999999999999999.0.0", NULL };
	for (int i = 0; ok[i]; i++) assert_int_equal(ea_semver_parse(ok[i], strlen(ok[i]), &a, &b, &c), 0);
	for (int i = 0; bad[i]; i++) assert_int_equal(ea_semver_parse(bad[i], strlen(bad[i]), &a, &b, &c), -1);
	assert_int_equal(ea_semver_parse("3.7.1-rc.0", 10, &a, &b, &c), 0);
	assert_true(a == 3 && b == 7 && c == 1);
}

/* A bbolt file (page size 4096): root leaf with one bucket per `bk`, each a leaf page of its
 * key/value pairs (sorted by the caller), as etcd's backend would have them. */
typedef struct { const char *k; const uint8_t *v; size_t vn; } kvp;
typedef struct { const char *name; const kvp *kv; size_t n; } bucket;

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

static void leaf(uint8_t *pg, uint64_t id, size_t n, const char *const *keys, const uint8_t *const *vals,
                 const size_t *vlens, int buckets)
{
	le64(pg, id); le16(pg + 8, 2); le16(pg + 10, (uint16_t)n);
	size_t at = 16 + 16 * n;
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = pg + 16 + 16 * i;
		size_t kl = strlen(keys[i]);
		le32(e, buckets ? 1 : 0); le32(e + 4, (uint32_t)(at - (16 + 16 * i)));
		le32(e + 8, (uint32_t)kl); le32(e + 12, (uint32_t)vlens[i]);
		memcpy(pg + at, keys[i], kl);
		memcpy(pg + at + kl, vals[i], vlens[i]);
		at += kl + vlens[i];
		assert_true(at <= PS);
	}
}

static const char *make_db(const bucket *bk, size_t nb)
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
	const char *names[8];
	uint8_t hdrs[8][16];
	const uint8_t *hv[8];
	size_t hl[8];
	assert_true(nb <= 8);
	for (size_t i = 0; i < nb; i++) {
		names[i] = bk[i].name;
		memset(hdrs[i], 0, 16);
		le64(hdrs[i], 3 + i);
		hv[i] = hdrs[i];
		hl[i] = 16;
		const char *ks[16];
		const uint8_t *vs[16];
		size_t vl[16];
		assert_true(bk[i].n <= 16);
		for (size_t j = 0; j < bk[i].n; j++) { ks[j] = bk[i].kv[j].k; vs[j] = bk[i].kv[j].v; vl[j] = bk[i].kv[j].vn; }
		leaf(b + (3 + i) * PS, 3 + i, bk[i].n, ks, vs, vl, 0);
	}
	leaf(b + 2 * PS, 2, nb, names, hv, hl, 1);
	static char path[4096];
	snprintf(path, sizeof path, "%s/db", test_tmpdir(NULL));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, PS, npages, f), npages);
	fclose(f);
	free(b);
	return path;
}

static const uint8_t ci8[8] = { 0, 0, 0, 0, 0, 0, 0x01, 0xe1 };   /* consistent_index 481 */
static const uint8_t term8[8] = { 0, 0, 0, 0, 0, 0, 0, 2 };
static const uint8_t zero8[8] = { 0 };

typedef struct {
	const char *storage_version;   /* NULL: absent */
	const uint8_t *term; size_t term_len;   /* NULL: absent */
	const char *downgrade;         /* NULL: absent */
} dbspec;

static char last_problem[512];   /* kind, severity and offset of the db's last problem, "" if none */

/* Opens a db made of `s` (plus a bucket etcd does not know, which must be tolerated). */
static ea_mvcc_info open_db(const dbspec *s, ea_mvcc_info *out)
{
	kvp cl[2], me[3];
	size_t ncl = 0, nme = 0;
	cl[ncl++] = (kvp){ "clusterVersion", (const uint8_t *)"3.6.0", 5 };
	if (s->downgrade) cl[ncl++] = (kvp){ "downgrade", (const uint8_t *)s->downgrade, strlen(s->downgrade) };
	me[nme++] = (kvp){ "consistent_index", ci8, 8 };
	if (s->storage_version) me[nme++] = (kvp){ "storageVersion", (const uint8_t *)s->storage_version, strlen(s->storage_version) };
	if (s->term) me[nme++] = (kvp){ "term", s->term, s->term_len };
	static const kvp un[1] = { { "x", (const uint8_t *)"y", 1 } };
	bucket bk[4] = { { "cluster", cl, ncl }, { "key", NULL, 0 }, { "meta", me, nme }, { "zz-not-etcd", un, 1 } };
	const char *path = make_db(bk, 4);
	ea_input *in;
	ea_error err = { 0 };
	assert_int_equal(ea_input_open(&in, path, &err), 0);
	ea_mvcc *m;
	assert_int_equal(ea_mvcc_open(&m, in, NULL, &err), 0);
	assert_int_equal(ea_mvcc_info_scan(m, out), 0);
	ea_bolt *b = ea_mvcc_bolt(m);
	size_t np = ea_bolt_problem_count(b);
	last_problem[0] = 0;
	if (np) {
		const ea_problem *p = ea_bolt_problem_at(b, np - 1);
		snprintf(last_problem, sizeof last_problem, "%s sev=%d off=%llu %s", p->kind, (int)p->severity,
		         (unsigned long long)p->offset, p->message);
	}
	ea_mvcc_close(m);
	ea_input_close(in);
	return *out;
}

static void test_v36__storage_version_key(void **state)
{
	(void)state;
	ea_mvcc_info i;
	open_db(&(dbspec){ "3.6.0", term8, 8, "{\"target-version\":\"3.5.0\",\"enabled\":true}" }, &i);
	assert_true(i.have_storage_version_key);
	assert_string_equal(i.storage_version_key, "3.6.0");
	assert_true(i.schema.ok);
	assert_true(i.schema.from_storage_version);
	assert_string_equal(i.schema.version, "3.6.0");
	assert_string_equal(i.storage_version, "3.6.0");
	assert_string_equal(i.cluster_version, "3.6.0");
	assert_true(i.downgrade_info.present && i.downgrade_info.valid && i.downgrade_info.enabled);
	assert_string_equal(i.downgrade_info.target_version, "3.5.0");
	assert_string_equal(last_problem, "");   /* the unknown bucket is no problem */
	/* 3.7 writes "3.7.0"; no term needed once storageVersion is there */
	open_db(&(dbspec){ "3.7.0", NULL, 0, "{\"target-version\":\"\",\"enabled\":false}" }, &i);
	assert_string_equal(i.schema.version, "3.7.0");
	assert_true(i.downgrade_info.valid && !i.downgrade_info.enabled);
}

static void test_v36__term_rule_and_its_errors(void **state)
{
	(void)state;
	ea_mvcc_info i;
	/* no storageVersion, a non-zero term: 3.5 (confState is not consulted) */
	open_db(&(dbspec){ NULL, term8, 8, NULL }, &i);
	assert_true(i.schema.ok && !i.schema.from_storage_version);
	assert_string_equal(i.schema.version, "3.5.0");
	assert_string_equal(i.storage_version, "3.5");
	assert_false(i.downgrade_info.present);
	/* no term (3.4), or a zero term */
	open_db(&(dbspec){ NULL, NULL, 0, NULL }, &i);
	assert_false(i.schema.ok);
	assert_string_equal(i.schema.error, "missing term information");
	assert_string_equal(i.storage_version, "3.4");
	open_db(&(dbspec){ NULL, zero8, 8, NULL }, &i);
	assert_string_equal(i.schema.error, "missing term information");
	/* storageVersion that go-semver rejects ("" is what 3.6's first migration step writes):
	 * read as absent, so the term decides */
	open_db(&(dbspec){ "", term8, 8, NULL }, &i);
	assert_true(i.schema.storage_version_invalid);
	assert_string_equal(i.schema.version, "3.5.0");
	assert_non_null(strstr(last_problem, "meta-value-invalid sev=1"));   /* etcd tolerates it: a warning */
	assert_null(strstr(last_problem, "off=0 "));
	open_db(&(dbspec){ "3.6", NULL, 0, NULL }, &i);
	assert_false(i.schema.ok);
	/* a 4-byte term: binary.BigEndian.Uint64 panics in etcd */
	open_db(&(dbspec){ NULL, term8, 4, NULL }, &i);
	assert_false(i.schema.ok);
	assert_true(i.schema.panics);
}

static void test_v36__downgrade_values(void **state)
{
	(void)state;
	ea_downgrade_info d;
	static const char *valid[] = { "{\"target-version\":\"3.5.0\",\"enabled\":true}", "{}", "null",
	                               "{\"TARGET-VERSION\":\"3.5.0\",\"Enabled\":true}",
	                               "{\"enabled\":false,\"target-version\":\"junk\"}", NULL };
	static const char *panics[] = { "", "{", "[]", "{\"enabled\":\"yes\"}", "{\"target-version\":3}",
	                                "{\"enabled\":true,\"target-version\":\"3.5\"}", "{\"enabled\":true}", NULL };
	for (int k = 0; valid[k]; k++) {
		ea_downgrade_parse((const uint8_t *)valid[k], strlen(valid[k]), &d);
		assert_true(d.present && d.valid);
	}
	ea_downgrade_parse((const uint8_t *)valid[3], strlen(valid[3]), &d);
	assert_true(d.enabled);
	assert_string_equal(d.target_version, "3.5.0");
	for (int k = 0; panics[k]; k++) {
		ea_downgrade_parse((const uint8_t *)panics[k], strlen(panics[k]), &d);
		assert_false(d.valid);
	}
	/* through the db reader too */
	ea_mvcc_info i;
	open_db(&(dbspec){ "3.6.0", term8, 8, "{\"enabled\":true,\"target-version\":\"x\"}" }, &i);
	assert_true(i.downgrade_info.present);
	assert_false(i.downgrade_info.valid);
	assert_non_null(strstr(last_problem, "meta-value-invalid sev=2"));   /* etcd panics at boot */
	assert_non_null(strstr(last_problem, "cluster/downgrade"));
}

/* meta/confState as etcd 3.5 writes it (json.Marshal of raftpb.ConfState); the text of
 * healthy-3.5's restored db lists its source voters, 20 digits each where the ID needs them */
static void test_v36__conf_state_ids(void **state)
{
	(void)state;
	uint64_t ids[4];
	unsigned char over[4];
	int cut;
	const char *js = "{\"voters\":[13049203940898268840,2],\"auto_leave\":false}";
	assert_int_equal(ea_mvcc_conf_state_ids(js, "voters", ids, over, 4, &cut), 2);
	assert_true(ids[0] == UINT64_C(0xb51815d8bade66a8) && !over[0] && ids[1] == 2 && !cut);
	assert_int_equal(ea_mvcc_conf_state_ids(js, "learners", ids, over, 4, &cut), -1);
	assert_int_equal(ea_mvcc_conf_state_ids("{\"voters\":null}", "voters", ids, over, 4, &cut), -1);
	assert_int_equal(ea_mvcc_conf_state_ids("{\"voters\":[18446744073709551616,1", "voters", ids, over, 4, &cut), 2);
	assert_true(over[0] && !over[1] && ids[1] == 1 && cut);   /* 2^64 is no ID; the text is cut */
	assert_int_equal(ea_mvcc_conf_state_ids("{\"voters\":[1,2,3,4,5]}", "voters", ids, over, 4, &cut), 4);
	assert_true(cut);                                           /* more than max: said, not dropped */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v36__cluster_version_set),
		cmocka_unit_test(test_v36__cluster_member_attr_set),
		cmocka_unit_test(test_v36__downgrade_info_set_and_test_request),
		cmocka_unit_test(test_v36__auth_status),
		cmocka_unit_test(test_v37__header_unknown_field_is_skipped),
		cmocka_unit_test(test_v37__v2_field_still_decoded),
		cmocka_unit_test(test_v36__semver_as_go_semver),
		cmocka_unit_test(test_v36__storage_version_key),
		cmocka_unit_test(test_v36__term_rule_and_its_errors),
		cmocka_unit_test(test_v36__downgrade_values),
		cmocka_unit_test(test_v36__conf_state_ids),
	};
	return cmocka_run_group_tests_name("v36_formats", tests, setup, teardown);
}
