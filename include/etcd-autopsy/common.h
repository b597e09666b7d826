/* etcd-autopsy/common.h: return codes, layers, and the problem record every reader emits.
 *
 * Every fallible function returns 0 (EA_OK) or a negative EA_E* code. Damage found in the
 * input is not an error: it is an ea_problem delivered in the stream, and reading goes on.
 * An ea_problem names the file (relative to the PATH the user gave) and the byte offset
 * where the bad structure starts, so a report can be checked with a hex editor. */
#ifndef EA_COMMON_H
#define EA_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EA_VERSION "0.1.0"

enum {
	EA_OK        = 0,
	EA_ITEROVER  = -1,  /* a cursor has nothing more */
	EA_ENOMEM    = -2,
	EA_EIO       = -3,  /* the input could not be read at all */
	EA_ENOTFOUND = -4,  /* the PATH holds nothing of the requested kind */
	EA_EINVAL    = -5,  /* bad argument */
	EA_ECORRUPT  = -6,  /* the structure is too damaged to go on */
	EA_ELIMIT    = -7   /* a size limit protecting memory or time was hit */
};

typedef enum {
	EA_LAYER_SOURCE = 0,
	EA_LAYER_WAL,
	EA_LAYER_SNAP,
	EA_LAYER_BOLT,
	EA_LAYER_RAFT,
	EA_LAYER_MVCC,
	EA_LAYER_ANALYSIS
} ea_layer;

typedef enum {
	EA_SEV_INFO = 0,     /* worth knowing, not damage (e.g. a clean preallocated tail) */
	EA_SEV_WARNING,      /* damage etcd itself tolerates or repairs (torn tail) */
	EA_SEV_ERROR         /* damage etcd would refuse to start on, or data lost */
} ea_severity;

#define EA_NO_OFFSET UINT64_MAX

/* One finding about the input. Strings are owned by the object that produced it and are
 * valid until that object's next call unless copied with ea_problem_copy(). */
typedef struct {
	ea_layer    layer;
	ea_severity severity;
	const char *kind;      /* stable machine name: "torn-tail", "crc-mismatch", ... */
	const char *file;      /* path relative to the user's PATH; NULL if not file-bound */
	uint64_t    offset;    /* byte offset in file, EA_NO_OFFSET if unknown */
	uint64_t    length;    /* bytes affected (0 if unknown) */
	const char *message;   /* one sentence, says what it means in etcd terms */
} ea_problem;

/* An owned copy of a problem (strings duplicated). */
typedef struct {
	ea_problem p;
	char *buf;
} ea_problem_owned;

/* Copies *src into dst with its strings duplicated: EA_OK or EA_ENOMEM. */
int  ea_problem_copy(ea_problem_owned *dst, const ea_problem *src);
/* Frees an owned copy's strings. */
void ea_problem_owned_free(ea_problem_owned *p);

/* What an operator should do about a problem of this kind, in one or two sentences
 * (never NULL). */
const char *ea_problem_advice(const ea_problem *p);

/* Lower-case name of a layer ("wal", "bolt", ...), "unknown" if out of range. */
const char *ea_layer_name(ea_layer layer);
/* "info", "warning" or "error" ("unknown" if out of range). */
const char *ea_severity_name(ea_severity sev);
/* A short text for an EA_* return code. */
const char *ea_strerror(int code);

/* Detailed error for a call that returned < 0: where and why. */
typedef struct {
	int      code;
	ea_layer layer;
	char     file[512];
	uint64_t offset;
	char     msg[512];
} ea_error;

#ifdef __cplusplus
}
#endif
#endif
