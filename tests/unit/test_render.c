/* test_render.c: the per-record renderers (render.h): a member is one writer whether it comes
 * from the db's members bucket or a .snap's v2 store (same columns; only the db knows the
 * learner flag); evidence bytes are escaped in tables and exact in JSON; key revisions show
 * printable bytes and cut long keys with their length; sizes for people in binary units. */
#include "test.h"
#include "etcd-autopsy/render.h"

#include <stdlib.h>
#include <string.h>

/* what a renderer wrote to a FILE*, as a string (the caller frees it) */
typedef struct {
	char *buf;
	size_t len;
	FILE *f;
} mem;
static void mem_open(mem *m) { m->buf = NULL; m->len = 0; m->f = open_memstream(&m->buf, &m->len); assert_non_null(m->f); }
static char *mem_close(mem *m) { fclose(m->f); return m->buf; }

static void test_render__member_db_and_snap_share_one_row(void **state)
{
	(void)state;
	ea_mvcc_member db = { 0x8e9e05c52164694d, "n1", "http://10.0.0.1:2380", "http://10.0.0.1:2379", 1, 0 };
	ea_snap_member sn = { 0x8e9e05c52164694d, "n1", "http://10.0.0.1:2380", "http://10.0.0.1:2379", 0 };
	mem m;
	mem_open(&m); ea_render_member_table(m.f, &db);
	char *t = mem_close(&m);
	assert_string_equal(t, "  8e9e05c52164694d n1           peer http://10.0.0.1:2380 client http://10.0.0.1:2379 learner\n");
	free(t);
	mem_open(&m); ea_render_snap_member_table(m.f, &sn);
	t = mem_close(&m);
	assert_string_equal(t, "    member 8e9e05c52164694d n1           peer http://10.0.0.1:2380 client http://10.0.0.1:2379\n");
	free(t);
	/* JSON: the db's member carries is_learner, the .snap's cannot (the v2 store has no such field) */
	mem_open(&m);
	ea_json j;
	ea_json_init(&j, m.f);
	ea_render_member_json(&j, &db); ea_json_newline(&j);
	ea_render_snap_member_json(&j, &sn); ea_json_newline(&j);
	t = mem_close(&m);
	assert_string_equal(t,
		"{\"id\":\"8e9e05c52164694d\",\"removed\":false,\"name\":\"n1\",\"peer_urls\":\"http://10.0.0.1:2380\","
		"\"client_urls\":\"http://10.0.0.1:2379\",\"is_learner\":true}\n"
		"{\"id\":\"8e9e05c52164694d\",\"removed\":false,\"name\":\"n1\",\"peer_urls\":\"http://10.0.0.1:2380\","
		"\"client_urls\":\"http://10.0.0.1:2379\"}\n");
	free(t);
}

static void test_render__member_removed_unpublished_hostile(void **state)
{
	(void)state;
	ea_mvcc_member gone = { 0x2a, "", "", "", 0, 1 };
	ea_mvcc_member fresh = { 0x2b, "", "http://p", "", 0, 0 };
	ea_snap_member evil = { 0x2c, "\x1b]0;x\x07", "u", "v", 0 };
	mem m;
	mem_open(&m);
	ea_render_member_table(m.f, &gone);
	ea_render_member_table(m.f, &fresh);
	ea_render_snap_member_table(m.f, &evil);
	char *t = mem_close(&m);
	assert_string_equal(t, "  2a               (removed)\n"
	                       "  2b               (unpublished) peer http://p client \n"
	                       "    member 2c               \\x1b]0;x\\x07 peer u client v\n");
	free(t);
	mem_open(&m);
	ea_json j;
	ea_json_init(&j, m.f);
	ea_render_member_json(&j, &gone); ea_json_newline(&j);
	ea_render_snap_member_json(&j, &evil); ea_json_newline(&j);
	t = mem_close(&m);
	assert_string_equal(t, "{\"id\":\"2a\",\"removed\":true}\n"
	                       "{\"id\":\"2c\",\"removed\":false,\"name\":\"\\u001b]0;x\\u0007\",\"peer_urls\":\"u\",\"client_urls\":\"v\"}\n");
	free(t);
}

static void test_render__key_revisions(void **state)
{
	(void)state;
	uint8_t key[100];
	memset(key, 'k', sizeof key);
	key[0] = '/'; key[1] = 0x00; key[2] = 0xff;
	ea_mvcc_kv put = { .main = 7, .sub = 0, .key = key, .key_len = sizeof key, .value = (const uint8_t *)"v\n", .value_len = 2,
	                   .create_revision = 5, .mod_revision = 7, .version = 2, .lease = 0x694d77aa9e2a5c08, .decode_ok = 1 };
	ea_mvcc_kv del = { .main = 8, .sub = 1, .tombstone = 1, .key = (const uint8_t *)"/a", .key_len = 2, .decode_ok = 1 };
	mem m;
	mem_open(&m);
	ea_render_kv_header(m.f, EA_RENDER_KV_HISTORY);
	ea_render_kv_table(m.f, &put, EA_RENDER_KV_HISTORY);
	ea_render_kv_table(m.f, &del, EA_RENDER_KV_HISTORY);
	ea_render_kv_header(m.f, EA_RENDER_KV_LS);
	char *t = mem_close(&m);
	char want[1024];
	snprintf(want, sizeof want,
	         "    REVISION OP     CREATE      MOD   VER            LEASE  KEY = VALUE\n"
	         "       7.0   PUT         5        7     2 694d77aa9e2a5c08  /..%.77s...(100 bytes) = v.\n"
	         "       8.1   DEL         0        0     0                0  /a\n"
	         "   CREATE      MOD   VER            LEASE  KEY = VALUE\n", (const char *)key + 3);
	assert_string_equal(t, want);
	free(t);
}

static void test_render__human_bytes(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(ea_render_human_bytes(b, sizeof b, 0), "0 B");
	assert_string_equal(ea_render_human_bytes(b, sizeof b, 1023), "1023 B");
	assert_string_equal(ea_render_human_bytes(b, sizeof b, 1024), "1.0 KiB");
	assert_string_equal(ea_render_human_bytes(b, sizeof b, 64ull << 20), "64.0 MiB");
	assert_string_equal(ea_render_human_bytes(b, sizeof b, 8ull << 30), "8.0 GiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render__member_db_and_snap_share_one_row),
		cmocka_unit_test(test_render__member_removed_unpublished_hostile),
		cmocka_unit_test(test_render__key_revisions),
		cmocka_unit_test(test_render__human_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
