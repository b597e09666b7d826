/* keycount.h: distinct and live user keys of a key bucket without the key index (keycount.c). */
#ifndef EA_KEYCOUNT_H
#define EA_KEYCOUNT_H

#include <stddef.h>
#include <stdint.h>

/* A set of user keys, each as 126 bits of its keyed SipHash (a random key per set) and whether
 * its last revision is a tombstone: 16 bytes a key in a table at most half full (the index
 * keeps the key, its revisions and a sorted order: ~230 bytes a key at 8 GB). A collision needs
 * ~2^63 keys, and an input cannot aim for one without the key. */
typedef struct {
	uint64_t (*slot)[2];
	size_t   nslots;
	uint64_t keys, live;   /* distinct keys put at least once; those whose last entry is a put */
	uint64_t sip[2];       /* the SipHash key */
} ea_keycount;

/* Empty set: 0, or EA_ENOMEM. */
int  ea_keycount_init(ea_keycount *s);
/* One key-bucket element in revision order, with the index's rules: a put creates the key or
 * starts a generation; a tombstone ends a live generation and is ignored otherwise (a key never
 * put, or already deleted). 0, or EA_ENOMEM. */
int  ea_keycount_add(ea_keycount *s, const uint8_t *key, size_t len, int tomb);
void ea_keycount_free(ea_keycount *s);

#endif
