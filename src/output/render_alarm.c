/* render_alarm.c: an alarm of the db's alarm bucket (NOSPACE, CORRUPT) as JSON and as a row. */
#include "etcd-autopsy/render.h"

#include <inttypes.h>

void ea_render_alarm_json(ea_json *j, const ea_mvcc_alarm *a)
{
	ea_json_object_begin(j);
	ea_json_key(j, "member_id"); ea_json_hex(j, a->member_id);
	ea_json_key(j, "alarm"); ea_json_str(j, a->alarm_name);
	ea_json_object_end(j);
}

void ea_render_alarm_table(FILE *f, const ea_mvcc_alarm *a)
{
	fprintf(f, "  alarm %s on member %" PRIx64 "\n", a->alarm_name, a->member_id);
}
