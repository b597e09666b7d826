/* v2store_check.c: does a .snap's v2 store hold anything but membership? etcd 3.6 refuses to
 * start on such a .snap ("detected disallowed custom content in v2store for stage
 * --v2-deprecation=write-only", server/storage/util.go AssertNoV2StoreContent, called by
 * bootstrap.go recoverSnapshot), and `etcdutl check v2store` (3.5.18+) reports it.
 * The rule is membership.IsMetaStoreOnly (server/etcdserver/api/membership/storev2.go, v3.6.14):
 * store.Get("/", recursive) lists the root's children, hidden ones (name starting with '_')
 * left out as v2store's node.Repr leaves them out; "/0" (membership) is skipped; "/2" (v2 auth)
 * counts only if one of its children has children (empty /2/users and /2/roles stay after all
 * users and roles are deleted; v3.6.0-3.6.x before that fix refused those too); any other
 * top-level dir with a child is custom content. The saved JSON is the node tree: {"Root":
 * {"Children": {"0": {...}, "1": {...}}}} with Children keyed by name, null for a key. */
#include "v2store_check.h"

#include <stdio.h>
#include <string.h>

/* Children that node.Repr would list (not hidden). */
static size_t visible_children(const ea_jv *node)
{
	const ea_jv *ch = ea_jsonp_get(node, "Children");
	size_t n = 0;
	if (!ch || ch->type != EA_JV_OBJ) return 0;
	for (const ea_jv *c = ch->child; c; c = c->next)
		if (c->key && c->key[0] != '_') n++;
	return n;
}

int ea__v2store_custom(const ea_jv *root, char *key, size_t key_len)
{
	const ea_jv *ch = ea_jsonp_get(ea_jsonp_get(root, "Root"), "Children");
	if (!ch || ch->type != EA_JV_OBJ) return 0;
	for (const ea_jv *c = ch->child; c; c = c->next) {
		if (!c->key || c->key[0] == '_' || strcmp(c->key, "0") == 0) continue;
		int custom = 0;
		if (strcmp(c->key, "2") == 0) {
			const ea_jv *g = ea_jsonp_get(c, "Children");
			for (const ea_jv *k = g && g->type == EA_JV_OBJ ? g->child : NULL; k && !custom; k = k->next)
				if (k->key && k->key[0] != '_' && visible_children(k)) custom = 1;
		} else {
			custom = visible_children(c) > 0;
		}
		if (custom) {
			snprintf(key, key_len, "/%s", c->key);
			return 1;
		}
	}
	return 0;
}
