/* manifest.c: see manifest.h. */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EA_FIXTURES_DIR
#error "EA_FIXTURES_DIR must be defined by the build"
#endif

typedef struct { char *scenario, *key, *value; } kv;
static kv *cache;
static size_t ncache;
static char **loaded;
static size_t nloaded;

static void load(const char *scenario)
{
	for (size_t i = 0; i < nloaded; i++) if (strcmp(loaded[i], scenario) == 0) return;
	loaded = realloc(loaded, (nloaded + 1) * sizeof *loaded);
	loaded[nloaded++] = strdup(scenario);
	char path[4096];
	snprintf(path, sizeof path, "%s/%s/manifest.txt", EA_FIXTURES_DIR, scenario);
	FILE *f = fopen(path, "r");
	if (!f) return;
	char line[8192];
	while (fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
		if (!n || line[0] == '#') continue;
		char *eq = strchr(line, '=');
		if (!eq) continue;
		*eq = 0;
		cache = realloc(cache, (ncache + 1) * sizeof *cache);
		cache[ncache++] = (kv){ strdup(scenario), strdup(line), strdup(eq + 1) };
	}
	fclose(f);
}

const char *manifest_get(const char *scenario, const char *key)
{
	load(scenario);
	for (size_t i = 0; i < ncache; i++)
		if (strcmp(cache[i].scenario, scenario) == 0 && strcmp(cache[i].key, key) == 0) return cache[i].value;
	return NULL;
}

static uint64_t parse(const char *scenario, const char *key, int base)
{
	const char *v = manifest_get(scenario, key);
	if (!v) {
		fprintf(stderr, "manifest %s has no key %s\n", scenario, key);
		abort();
	}
	return strtoull(v, NULL, base);
}

uint64_t manifest_u64(const char *scenario, const char *key) { return parse(scenario, key, 10); }
uint64_t manifest_hex(const char *scenario, const char *key) { return parse(scenario, key, 16); }

const char *fixture_path(const char *scenario, const char *file)
{
	static char bufs[8][4096];
	static int k;
	char *b = bufs[k++ & 7];
	snprintf(b, 4096, "%s/%s/%s", EA_FIXTURES_DIR, scenario, file);
	return b;
}
