/* test.h: common includes for cmocka unit tests (cmocka 1.1 needs these first). */
#ifndef EA_TEST_H
#define EA_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fixture_file.h"
#include "manifest.h"
#include "tmpdir.h"
#include "walgen.h"
#include "etcd-autopsy/etcd-autopsy.h"

#endif
