/* fuzz_mvcc.c: etcd's v3 store over a bbolt file: meta bucket, key index with generations,
 * HashKV (current and an older revision, both tombstone rules), snapshot status, range,
 * history, salvage, members, leases, alarms, auth. */
#include "fuzz.h"

static int kv_cb(const ea_mvcc_kv *kv, void *payload)
{
	uint64_t *n = payload;
	if (++*n > 20000) return 1;
	fuzz_use((uint64_t)kv->main + (uint64_t)kv->sub + kv->key_len + kv->value_len + kv->offset);
	if (kv->key_len) fuzz_use(kv->key[kv->key_len - 1]);
	if (kv->value_len) fuzz_use(kv->value[kv->value_len - 1]);
	return 0;
}
static int member_cb(const ea_mvcc_member *m, void *p)
{ (void)p; fuzz_use(m->id + strlen(m->name) + strlen(m->peer_urls) + strlen(m->client_urls)); return 0; }
static int lease_cb(const ea_mvcc_lease *l, void *p) { (void)p; fuzz_use((uint64_t)l->id); return 0; }
static int alarm_cb(const ea_mvcc_alarm *a, void *p) { (void)p; fuzz_use(a->member_id + strlen(a->alarm_name)); return 0; }
static int auth_cb(const ea_mvcc_auth_entry *a, void *p)
{ (void)p; fuzz_use(strlen(a->name) + (a->roles ? strlen(a->roles) : 0)); return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ea_input_mem_file f = { "member/snap/db", data, size, 0 };
	ea_input *in;
	if (ea_input_open_mem(&in, &f, 1, NULL) != EA_OK) return 0;
	ea_mvcc_options o = EA_MVCC_OPTIONS_INIT;
	o.hash_rule = size ? (ea_hashkv_rule)(data[size - 1] % 3) : EA_HASHKV_RULE_AUTO;
	ea_mvcc *m;
	if (ea_mvcc_open(&m, in, &o, NULL) == EA_OK) {
		ea_mvcc_info info;
		uint64_t n = 0;
		if (ea_mvcc_info_get(m, &info) == EA_OK) {
			fuzz_use((uint64_t)info.revision + info.keys + info.live_keys);
			ea_hashkv_result h;
			ea_mvcc_hashkv(m, 0, &h, NULL);
			if (info.revision > 1) ea_mvcc_hashkv(m, info.revision - 1, &h, NULL);
			ea_mvcc_range(m, NULL, 0, 0, kv_cb, &n, NULL);
			n = 0;
			ea_mvcc_range(m, "/", 1, info.revision > 2 ? info.revision / 2 : 0, kv_cb, &n, NULL);
		}
		ea_snapshot_status ss;
		ea_mvcc_snapshot_status(m, &ss);
		n = 0; ea_mvcc_history(m, "foo", 3, kv_cb, &n);
		n = 0; ea_mvcc_foreach(m, kv_cb, &n);
		n = 0; ea_mvcc_salvage(m, kv_cb, &n);
		ea_mvcc_members(m, member_cb, NULL);
		ea_mvcc_leases(m, lease_cb, NULL);
		ea_mvcc_alarms(m, alarm_cb, NULL);
		ea_mvcc_auth(m, auth_cb, NULL);
		ea_mvcc_close(m);
	}
	ea_input_close(in);
	return 0;
}
