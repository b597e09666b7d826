/* k8s_int.h: what k8s.c shares with k8s_dump.c (internal to src/semantic/). */
#ifndef EA_K8S_INT_H
#define EA_K8S_INT_H

#include "etcd-autopsy/k8s.h"
#include "util/arena.h"

/* The decoder's reused arena (reset by whoever uses it). */
ea_arena *ea_k8s_arena(ea_k8s *k);
/* 1 when the key is under one of k's prefixes (what ea_k8s_key returns, without parsing it). */
int ea__k8s_under(const ea_k8s *k, const uint8_t *key, size_t key_len);
/* RFC 3339 text ("2026-12-05T07:08:18Z", fraction and offset allowed) to Unix seconds: 0, or -1. */
int ea_k8s_parse_time(const char *s, size_t n, int64_t *out);

#endif
