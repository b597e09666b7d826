/* render_auth.c: an auth user or role of the db's authUsers/authRoles buckets as JSON and as a
 * row. A user's password hash is never written, only whether one is stored. */
#include "etcd-autopsy/render.h"
#include "etcd-autopsy/text.h"

void ea_render_auth_json(ea_json *j, const ea_mvcc_auth_entry *a)
{
	ea_json_object_begin(j);
	ea_json_key(j, "type"); ea_json_str(j, a->is_role ? "role" : "user");
	ea_json_key(j, "name"); ea_json_str(j, a->name);
	if (a->is_role) { ea_json_key(j, "permissions"); ea_json_u64(j, a->permissions); }
	else {
		ea_json_key(j, "roles"); ea_json_str(j, a->roles);
		ea_json_key(j, "has_password"); ea_json_bool(j, a->has_password);
		ea_json_key(j, "no_password"); ea_json_bool(j, a->no_password);
	}
	ea_json_object_end(j);
}

void ea_render_auth_table(FILE *f, const ea_mvcc_auth_entry *a)
{
	char name[256], roles[1024];   /* from the db: escaped for the terminal */
	ea_text_str(name, sizeof name, a->name);
	if (a->is_role) fprintf(f, "  role %s (%zu permissions)\n", name, a->permissions);
	else fprintf(f, "  user %s roles [%s]%s\n", name, ea_text_str(roles, sizeof roles, a->roles), a->has_password ? " (password hash stored, not shown)" : "");
}
