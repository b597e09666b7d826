/* humanize.c: small helpers that make tables readable for people: sizes in KiB/MiB/GiB next
 * to the raw byte counts, and member IDs shown as the node name the user gave them. */
#include "cli.h"

#include <inttypes.h>

const char *cli_human_bytes(char *buf, size_t cap, uint64_t bytes) { return ea_render_human_bytes(buf, cap, bytes); }

const char *cli_member_label(ea_node *const *nodes, size_t n, uint64_t id, char *buf, size_t cap)
{
	return ea_render_member_label(nodes, n, id, buf, cap);
}
