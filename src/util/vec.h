/* vec.h: growing an array that has a count but no capacity field. Storage doubles each time
 * the count reaches a power of two (the capacity is then the next power of two, at least 8),
 * so appending n elements costs O(n) copies instead of O(n^2). */
#ifndef EA_VEC_H
#define EA_VEC_H

#include <stdint.h>
#include <stdlib.h>

/* Make room for element number `count` (0-based) in *arr; 0 or -1 (out of memory). */
static inline int ea__vec_reserve(void **arr, size_t count, size_t elem)
{
	if (*arr && count >= 8 && (count & (count - 1)) != 0) return 0;   /* room left */
	if (*arr && count < 8) return 0;                                  /* first 8 allocated at once */
	size_t cap = count < 8 ? 8 : count * 2;
	void *p = realloc(*arr, cap * elem);
	if (!p) return -1;
	*arr = p;
	return 0;
}

#define EA_VEC_RESERVE(arr, count) ea__vec_reserve((void **)&(arr), (count), sizeof *(arr))

/* The same for an array with a capacity field: make room for element number `count` in *arr
 * of *cap elements, the capacity doubling from `first`; 0 or -1 (out of memory, both left). */
static inline int ea__vec_grow(void **arr, size_t *cap, size_t count, size_t elem, size_t first)
{
	if (count < *cap) return 0;
	size_t nc = *cap ? *cap * 2 : first;
	void *p = realloc(*arr, nc * elem);
	if (!p) return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

#define EA_VEC_GROW(arr, cap, count, first) ea__vec_grow((void **)&(arr), &(cap), (count), sizeof *(arr), (first))

/* Make room for `need` elements in *arr of *cap, the capacity doubling from `first` (or from
 * *cap) until it holds them; 0, or -1 (out of memory or size overflow, both left as they were). */
static inline int ea__vec_ensure(void **arr, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap) return 0;
	size_t nc = *cap ? *cap : first;
	while (nc < need) {
		if (nc > SIZE_MAX / 2 / elem) return -1;
		nc *= 2;
	}
	void *p = realloc(*arr, nc * elem);
	if (!p) return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

#endif
