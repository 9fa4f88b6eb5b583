// SPDX-License-Identifier: GPL-2.0
/*
 * The model table: which dialect drives the family AT+CGMM (or ATI) names.
 * A family without a dialect is recognised, reported and refused: its file
 * plugs in here.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dialect.h"
#include "modem.h"
#include "sim7000.h"
#include "sim7020.h"

static const struct {
	const char *family;
	const struct atnet_dialect_ops *dialect;
} atnet_models[] = {
	{ "SIM7000", &atnet_sim7000_dialect },
	{ "SIM7020", &atnet_sim7020_dialect },
};

static int atnet_model_find(const char *model)
{
	int i;

	if (!model[0])
		return -1;
	for (i = 0; i < ARRAY_SIZE(atnet_models); i++)
		if (strstr(model, atnet_models[i].family))
			return i;
	return -1;
}

/* @model names a family of the table (which may have no dialect yet). */
bool atnet_model_known(const char *model)
{
	return atnet_model_find(model) >= 0;
}

/*
 * Pick the dialect for m->model and give it its state: 0, or an error with
 * m->reason set. Lock held.
 */
int atnet_dialect_pick(struct atnet_modem *m)
{
	const struct atnet_dialect_ops *d;
	int i;

	lockdep_assert_held(&m->lock);
	i = atnet_model_find(m->model);
	if (i < 0) {
		atnet_modem_set_reason(m,
				       "unknown model \"%s\" (AT+CGMM/ATI); supported: SIM7000, SIM7020",
				       m->model[0] ? m->model : "(no answer)");
		return -ENODEV;
	}
	d = atnet_models[i].dialect;
	if (!d) {
		atnet_modem_set_reason(m, "%s not supported yet",
				       atnet_models[i].family);
		return -EOPNOTSUPP;
	}
	/* Kept across restarts of the same family (its counters live on). */
	if (m->dialect_priv && m->last_dialect != d) {
		kfree(m->dialect_priv);
		m->dialect_priv = NULL;
		m->last_dialect = NULL;
	}
	if (!m->dialect_priv && d->priv_size) {
		m->dialect_priv = kzalloc(d->priv_size, GFP_KERNEL);
		if (!m->dialect_priv) {
			atnet_modem_set_reason(m, "out of memory");
			return -ENOMEM;
		}
	}
	m->last_dialect = d;
	m->dialect = d;
	return 0;
}

/* The family reported to netlink: the last one identified, as a re-probe runs. */
enum atnet_dialect atnet_modem_dialect(struct atnet_modem *m)
{
	return m->last_dialect ? m->last_dialect->id : ATNET_DIALECT_UNKNOWN;
}

MODULE_DESCRIPTION("SIMCom AT-command modems (SIM7000, SIM7020) as a line discipline and network interfaces");
