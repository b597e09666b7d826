/* entry_kinds.c: the entry kinds ea_entry_decode() can report, so that a filter on a kind
 * (`wal ls --kind`) can refuse one that can never match instead of listing nothing. */
#include "etcd-autopsy/raft.h"

#include <string.h>

static const char *const kinds[] = {
	"empty", "unknown",
	"put", "delete_range", "txn", "range", "compaction",
	"lease_grant", "lease_revoke", "lease_checkpoint", "alarm",
	"auth_enable", "auth_disable", "auth_status", "authenticate",
	"auth_user_add", "auth_user_delete", "auth_user_get", "auth_user_change_password",
	"auth_user_grant_role", "auth_user_revoke_role", "auth_user_list",
	"auth_role_list", "auth_role_add", "auth_role_delete", "auth_role_get",
	"auth_role_grant_permission", "auth_role_revoke_permission",
	"cluster_version_set", "cluster_member_attr_set", "downgrade_info_set", "downgrade_version_test",
	"confchange:add", "confchange:remove", "confchange:update", "confchange:add_learner",
	"confchange:unknown", "confchangev2",
	NULL
};

const char *const *ea_entry_kinds(void) { return kinds; }

int ea_entry_kind_known(const char *kind)
{
	if (!kind) return 0;
	/* v2 requests are "v2:" + their method, whatever the method is */
	if (strncmp(kind, "v2:", 3) == 0) return 1;
	for (size_t i = 0; kinds[i]; i++) if (strcmp(kinds[i], kind) == 0) return 1;
	return 0;
}
