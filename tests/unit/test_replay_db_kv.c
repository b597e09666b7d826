/* test_replay_db_kv.c: ea_replay_options.on_db_kv (export's revisions rows come from the
 * replay's walk of the key bucket instead of a walk of their own): on a real member it sees
 * every key-bucket element exactly as ea_mvcc_foreach gives them, in the same order, once;
 * nothing when the replay does not walk (entries_only); and its nonzero return stops
 * ea_replay_next with that code. Facts from fixtures/healthy/manifest.txt. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

typedef struct { int64_t *main, *sub; size_t n, cap; int stop_at; } seen;

static int collect(const ea_mvcc_kv *kv, void *arg)
{
	seen *s = arg;
	if (s->stop_at && (int)s->n == s->stop_at) return EA_ELIMIT;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->main = realloc(s->main, s->cap * sizeof *s->main);
		s->sub = realloc(s->sub, s->cap * sizeof *s->sub);
		assert_non_null(s->main);
		assert_non_null(s->sub);
	}
	s->main[s->n] = kv->main;
	s->sub[s->n] = kv->sub;
	s->n++;
	return 0;
}

/* replays n1 of fixtures/healthy with the hook; the code that ended ea_replay_next */
static int replay(ea_node *nd, seen *s, int entries_only)
{
	ea_replay_options ro = EA_REPLAY_OPTIONS_INIT;
	ro.on_db_kv = collect;
	ro.arg = s;
	ro.entries_only = entries_only;
	ea_replay *r;
	ea_error err = { 0 };
	ea_error lerr = { 0 };
	assert_int_equal(ea_log_rewind(ea_node_log(nd), &lerr), EA_OK);
	assert_int_equal(ea_replay_new(&r, ea_node_log(nd), ea_node_mvcc(nd), &ro, &err), EA_OK);
	const ea_replay_item *it;
	int rc;
	while ((rc = ea_replay_next(&it, r)) == EA_OK) {}
	ea_replay_free(r);
	return rc;
}

static void test_replay_db_kv__every_element_once(void **state)
{
	(void)state;
	ea_node *nd;
	ea_error err = { 0 };
	assert_int_equal(ea_node_open(&nd, "n1", fixture_path("healthy", "n1.tar.gz"), &err), 0);
	assert_non_null(ea_node_mvcc(nd));
	seen walk = { 0 }, hook = { 0 };
	assert_true(ea_mvcc_foreach(ea_node_mvcc(nd), collect, &walk) >= 0);
	assert_int_equal(replay(nd, &hook, 0), EA_ITEROVER);
	/* the db's revisions reach etcd's own revision of n1 */
	assert_true(walk.n > 0);
	assert_int_equal(walk.main[walk.n - 1], (int64_t)manifest_u64("healthy", "n1.revision"));
	assert_int_equal(hook.n, walk.n);
	assert_memory_equal(hook.main, walk.main, walk.n * sizeof *walk.main);
	assert_memory_equal(hook.sub, walk.sub, walk.n * sizeof *walk.sub);

	seen none = { 0 };
	assert_int_equal(replay(nd, &none, 1), EA_ITEROVER);
	assert_int_equal(none.n, 0);   /* entries_only: no walk */

	seen stop = { .stop_at = 3 };
	assert_int_equal(replay(nd, &stop, 0), EA_ELIMIT);
	assert_int_equal(stop.n, 3);
	free(walk.main); free(walk.sub); free(hook.main); free(hook.sub); free(stop.main); free(stop.sub);
	ea_node_close(nd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_db_kv__every_element_once),
	};
	return cmocka_run_group_tests_name("replay_db_kv", tests, NULL, NULL);
}
