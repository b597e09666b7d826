/* render_member.c: a cluster member as JSON and as a table row, whether it comes from the
 * db's members bucket (`db stat`, with the learner flag) or from a .snap's v2 store (`snap ls`). */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

#include <inttypes.h>

/* is_learner < 0: not recorded where the member comes from (a .snap's v2 store) */
static void member_json(ea_json *j, uint64_t id, int removed, const char *name, const char *peer,
                        const char *client, int is_learner)
{
	ea_json_object_begin(j);
	ea_json_key(j, "id"); ea_json_hex(j, id);
	ea_json_key(j, "removed"); ea_json_bool(j, removed);
	if (!removed) {
		ea_json_key(j, "name"); ea_json_str(j, name);
		ea_json_key(j, "peer_urls"); ea_json_str(j, peer);
		ea_json_key(j, "client_urls"); ea_json_str(j, client);
		if (is_learner >= 0) { ea_json_key(j, "is_learner"); ea_json_bool(j, is_learner); }
	}
	ea_json_object_end(j);
}

/* `lead` starts the row ("  " in db stat, "    member " in snap ls); names and URLs come from
 * the evidence: escaped for the terminal, a name cut at name_cap bytes (256 db, 1024 .snap) */
static void member_table(FILE *f, const char *lead, uint64_t id, int removed, const char *name, size_t name_cap,
                         const char *peer, const char *client, int is_learner)
{
	char nb[1024], pb[1024], cb[1024];
	if (removed) { fprintf(f, "%s%-16" PRIx64 " (removed)\n", lead, id); return; }
	fprintf(f, "%s%-16" PRIx64 " %-12s peer %s client %s%s\n", lead, id, *name ? ea_text_str(nb, name_cap, name) : "(unpublished)",
	        ea_text_str(pb, sizeof pb, peer), ea_text_str(cb, sizeof cb, client), is_learner > 0 ? " learner" : "");
}

void ea_render_member_json(ea_json *j, const ea_mvcc_member *mb)
{
	member_json(j, mb->id, mb->removed, mb->name, mb->peer_urls, mb->client_urls, mb->is_learner != 0);
}

void ea_render_member_table(FILE *f, const ea_mvcc_member *mb)
{
	member_table(f, "  ", mb->id, mb->removed, mb->name, 256, mb->peer_urls, mb->client_urls, mb->is_learner != 0);
}

void ea_render_snap_member_json(ea_json *j, const ea_snap_member *m)
{
	member_json(j, m->id, m->removed, m->name, m->peer_urls, m->client_urls, -1);
}

void ea_render_snap_member_table(FILE *f, const ea_snap_member *m)
{
	member_table(f, "    member ", m->id, m->removed, m->name, 1024, m->peer_urls, m->client_urls, -1);
}
