/* tmpdir.h: a fresh temporary directory per test, removed at the end. */
#ifndef EA_TEST_TMPDIR_H
#define EA_TEST_TMPDIR_H
/* Creates $TMPDIR/ea-test-XXXXXX (and `sub` below it when not NULL); returns its path. */
const char *test_tmpdir(const char *sub);
void test_tmpdir_remove(void);
#endif
