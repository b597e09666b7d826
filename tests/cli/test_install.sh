# test_install.sh: `cmake --install` lays out the binary, library, headers, pkg-config file,
# man page, completions and SQL queries, and a program builds against the installed library
# with nothing but pkg-config.
. "$(dirname "$0")/lib.sh"
: "${BUILD_DIR:?BUILD_DIR must point at the build tree}"
P=$TMP/prefix
cmake --install "$BUILD_DIR" --prefix "$P" >"$TMP/install.log" 2>&1
check "install ran" [ $? = 0 ]
for f in bin/etcd-autopsy lib/libetcd-autopsy.a lib/pkgconfig/etcd-autopsy.pc include/etcd-autopsy/etcd-autopsy.h \
         share/man/man1/etcd-autopsy.1 share/bash-completion/completions/etcd-autopsy share/zsh/site-functions/_etcd-autopsy; do
	check "installed $f" [ -f "$P/$f" ]
done
check "queries installed" [ "$(ls "$P"/share/etcd-autopsy/queries/*.sql 2>/dev/null | wc -l)" -ge 8 ]
check "man page renders" sh -c "man -l '$P/share/man/man1/etcd-autopsy.1' 2>/dev/null | grep -q 'EXIT STATUS'"
check "bash completion parses" bash -n "$P/share/bash-completion/completions/etcd-autopsy"
cat >"$TMP/use.c" <<'C'
#include <etcd-autopsy/etcd-autopsy.h>
#include <stdio.h>
int main(void) { printf("%08x\n", ea_crc32c(0, "123456789", 9)); return 0; }
C
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
# a sanitizer build of the library needs the sanitizer runtime in the program too
SAN=
nm "$P/lib/libetcd-autopsy.a" 2>/dev/null | grep -q __asan_ && SAN="-fsanitize=address,undefined"
if cc $SAN -o "$TMP/use" "$TMP/use.c" $(pkg-config --cflags etcd-autopsy) $(pkg-config --libs etcd-autopsy) -lpthread 2>"$TMP/cc.log"; then
	ok
	check "library works" [ "$("$TMP/use")" = e3069283 ]
else
	fail "build against installed library: $(head -c 400 "$TMP/cc.log")"
fi
check "installed binary runs" "$P/bin/etcd-autopsy" --version
finish
