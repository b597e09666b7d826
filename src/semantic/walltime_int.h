/* walltime_int.h: what walltime_scan.c's pass-1 anchors need of the anchor set (walltime.c). */
#ifndef EA_WALLTIME_INT_H
#define EA_WALLTIME_INT_H

#include "etcd-autopsy/walltime.h"

/* the last second of year 9999 (UTC): later times are not write times (and keep every
 * microsecond difference of two bounds inside int64) */
#define EA__WALLTIME_MAX_SEC 253402300799

/* Drops the last anchors (not the etcd-log ones) whose index is >= idx: the entries that gave
 * them were superseded. Anchors must have been added in index order. */
void ea__walltime_drop_from(ea_walltime *w, uint64_t idx);
/* Drops every anchor but the etcd-log ones. */
void ea__walltime_clear(ea_walltime *w);

#endif
