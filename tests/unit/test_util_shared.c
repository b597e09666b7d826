/* test_util_shared.c: the helpers that replaced copies (issue 14): lower-case hex numbers as
 * etcd names files and members, capacity-doubling arrays, JSON URL lists joined; and
 * crc32c.h usable on its own, without a format header. */
#include "etcd-autopsy/crc32c.h"   /* first: it must compile without any other header */
#include "test.h"
#include "util/hex.h"
#include "util/jsonp.h"
#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

static void test_util__crc32c_header_alone(void **state)
{
	(void)state;
	/* the CRC-32C check value (RFC 3720 B.4 lists the same polynomial) */
	assert_int_equal(ea_crc32c(0, "123456789", 9), 0xE3069283u);
	assert_non_null(ea_crc32c_impl());
}

static void test_util__hex_etcd_names(void **state)
{
	(void)state;
	uint64_t v = 7;
	/* etcd's first WAL segment: 0000000000000000-0000000000000000.wal */
	assert_int_equal(ea__hex_u64("0000000000000000", 16, &v), 0);
	assert_int_equal(v, 0);
	/* member ID of a default single-member etcd (--initial-cluster default=http://localhost:2380) */
	assert_int_equal(ea__hex_u64("8e9e05c52164694d", 16, &v), 0);
	assert_true(v == UINT64_C(10276657743932975437));
	assert_int_equal(ea__hex_u64("ffffffffffffffff", 16, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(ea__hex_u64("1a", 2, &v), 0);
	assert_int_equal(v, 26);
	/* etcd writes lower case, 1..16 digits; anything else is not its name, *out left alone */
	v = 7;
	assert_int_equal(ea__hex_u64("8E9E05C52164694D", 16, &v), -1);
	assert_int_equal(ea__hex_u64("", 0, &v), -1);
	assert_int_equal(ea__hex_u64("10000000000000000", 17, &v), -1);
	assert_int_equal(ea__hex_u64("12-4", 4, &v), -1);
	assert_int_equal(v, 7);
}

static void test_util__vec_grow_doubles(void **state)
{
	(void)state;
	int *a = NULL;
	size_t cap = 0, n = 0;
	for (; n < 100; n++) {
		assert_int_equal(EA_VEC_GROW(a, cap, n, 16), 0);
		a[n] = (int)n;
		assert_true(cap > n);
	}
	assert_int_equal(cap, 128);   /* 16, 32, 64, 128: doubled, never grown one by one */
	for (size_t i = 0; i < n; i++) assert_int_equal(a[i], (int)i);
	int *before = a;
	assert_int_equal(EA_VEC_GROW(a, cap, 100, 16), 0);   /* room left: no realloc */
	assert_ptr_equal(a, before);
	free(a);
}

static void test_util__jsonp_join_urls(void **state)
{
	(void)state;
	ea_arena ar;
	ea_arena_init(&ar, 1 << 20);
	/* the members bucket value etcd stores (membership.Member as JSON) */
	const char *js = "{\"id\":10276657743932975437,\"peerURLs\":[\"http://10.0.0.1:2380\",\"http://10.0.0.2:2380\"],"
	                 "\"name\":\"n1\",\"clientURLs\":[],\"odd\":[1,\"x\",null]}";
	const ea_jv *root = ea_jsonp_parse(&ar, js, strlen(js));
	assert_non_null(root);
	assert_string_equal(ea_jsonp_join(&ar, ea_jsonp_get(root, "peerURLs")), "http://10.0.0.1:2380,http://10.0.0.2:2380");
	assert_string_equal(ea_jsonp_join(&ar, ea_jsonp_get(root, "clientURLs")), "");
	assert_string_equal(ea_jsonp_join(&ar, ea_jsonp_get(root, "odd")), "x");   /* strings only */
	assert_string_equal(ea_jsonp_join(&ar, ea_jsonp_get(root, "name")), "");   /* not an array */
	assert_string_equal(ea_jsonp_join(&ar, NULL), "");
	ea_arena_free(&ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util__crc32c_header_alone),
		cmocka_unit_test(test_util__hex_etcd_names),
		cmocka_unit_test(test_util__vec_grow_doubles),
		cmocka_unit_test(test_util__jsonp_join_urls),
	};
	return cmocka_run_group_tests_name("util_shared", tests, NULL, NULL);
}
