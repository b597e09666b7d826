/* txn_shape.c: the shape of a txn request (its compares, the first op of each branch, the
 * success put's lease and value), kept with the decoded entry so that kube-apiserver's writes
 * can be told apart (src/semantic/k8s.c) without decoding the entry twice. */
#include "entry_detail.h"

#include <string.h>

static int64_t compare_operand(const Etcdserverpb__Compare *c)
{
	switch (c->target) {
	case 0: return c->version;
	case 1: return c->create_revision;
	case 2: return c->mod_revision;
	case 4: return c->lease;
	}
	return 0;
}

/* the op letter and key of a branch's first op */
static char first_op(Etcdserverpb__RequestOp *const *ops, size_t n, const uint8_t **key, size_t *key_len)
{
	*key = NULL;
	*key_len = 0;
	if (!n) return 0;
	const Etcdserverpb__RequestOp *op = ops[0];
	ProtobufCBinaryData k = { 0, NULL };
	char c = 0;
	if (op->request_put) { c = 'p'; k = op->request_put->key; }
	else if (op->request_delete_range) { c = 'd'; k = op->request_delete_range->key; }
	else if (op->request_range) { c = 'r'; k = op->request_range->key; }
	else if (op->request_txn) c = 't';
	*key = k.data;
	*key_len = k.len;
	return c;
}

void ea_txn_shape_fill(ea_txn_shape *out, const Etcdserverpb__TxnRequest *t, const uint8_t **value,
                       size_t *value_len)
{
	memset(out, 0, sizeof *out);
	out->ncompare = t->n_compare;
	for (size_t i = 0; i < t->n_compare && i < EA_TXN_SHAPE_COMPARES; i++) {
		const Etcdserverpb__Compare *c = t->compare[i];
		ea_txn_compare *o = &out->compare[i];
		o->key = c->key.data;
		o->key_len = c->key.len;
		o->target = c->target;
		o->result = c->result;
		o->num = compare_operand(c);
		if (c->target == 3) { o->value = c->value.data; o->value_len = c->value.len; }
	}
	out->nsuccess = t->n_success;
	out->nfailure = t->n_failure;
	out->success_op = first_op(t->success, t->n_success, &out->success_key, &out->success_key_len);
	out->failure_op = first_op(t->failure, t->n_failure, &out->failure_key, &out->failure_key_len);
	*value = NULL;
	*value_len = 0;
	if (out->success_op == 'p') {
		const Etcdserverpb__PutRequest *p = t->success[0]->request_put;
		out->lease = p->lease;
		*value = p->value.data;
		*value_len = p->value.len;
	}
}
