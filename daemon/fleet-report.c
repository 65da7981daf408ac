/* The fleet report (docs/FLEET.md): what one box tells its ISP, built on
 * the loop from the inventory and the alert rows. Only counts per kind,
 * maker and model, and alert counts per day: no address, no name the
 * household gave, no host name. */
#define _GNU_SOURCE
#include "engine-fleet.h"

#include <ctype.h>
#include <string.h>

#include "device.h"
#include "fleet-private.h"
#include "inventory.h"
#include "store.h"

#define ALERT_DAYS 7

/* A maker or model as sent: printable ASCII of a small set, else nothing;
 * never a string holding the household's name for the device or its host
 * name. */
static void clean_label(char *out, size_t len, const char *in,
			const struct ym_device *d)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *p = in; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(" .,_+()/-", *p))
			return;
	n = strlen(in);
	if (n == 0 || n >= len)
		return;
	if ((strlen(d->user_name) >= 3 && strcasestr(in, d->user_name)) ||
	    (strlen(d->hostname) >= 3 && strcasestr(in, d->hostname)))
		return;
	memcpy(out, in, n + 1);
}

struct class_ctx {
	json_t *classes;
};

static const uint32_t class_flags[] = {
	YM_FLAG_DEFAULT_PASSWORD, YM_FLAG_UNSUPPORTED,
	YM_FLAG_OUTDATED_FIRMWARE, YM_FLAG_IDLE, YM_FLAG_SUSPICIOUS,
	YM_FLAG_ISOLATED,
};
static const char *const class_flag_names[] = {
	"default_password", "unsupported", "outdated_firmware", "idle",
	"suspicious", "isolated",
};

static void count_device(struct ym_device *d, void *arg)
{
	struct class_ctx *c = arg;
	char type[24], maker[48], model[48];
	json_t *cl = NULL;
	size_t i;

	if (d->gateway || (d->flags & (YM_FLAG_RETIRED | YM_FLAG_GONE)))
		return;
	clean_label(type, sizeof(type), d->type[0] ? d->type : "unknown", d);
	if (!type[0])
		snprintf(type, sizeof(type), "unknown");
	clean_label(maker, sizeof(maker), d->vendor, d);
	clean_label(model, sizeof(model), d->model, d);
	json_array_foreach(c->classes, i, cl) {
		if (!strcmp(json_string_value(json_object_get(cl, "type")),
			    type) &&
		    !strcmp(json_string_value(json_object_get(cl, "maker")),
			    maker) &&
		    !strcmp(json_string_value(json_object_get(cl, "model")),
			    model))
			break;
	}
	if (i == json_array_size(c->classes)) {
		cl = json_object();
		json_object_set_new(cl, "type", json_string(type));
		json_object_set_new(cl, "maker", json_string(maker));
		json_object_set_new(cl, "model", json_string(model));
		json_object_set_new(cl, "devices", json_integer(0));
		for (size_t k = 0; k < YM_ARRAY_SIZE(class_flags); k++)
			json_object_set_new(cl, class_flag_names[k],
					    json_integer(0));
		json_array_append_new(c->classes, cl);
	}
	json_object_set_new(cl, "devices", json_integer(json_integer_value(
			    json_object_get(cl, "devices")) + 1));
	for (size_t k = 0; k < YM_ARRAY_SIZE(class_flags); k++)
		if (d->flags & class_flags[k])
			json_object_set_new(cl, class_flag_names[k],
					    json_integer(json_integer_value(
					    json_object_get(cl,
					    class_flag_names[k])) + 1));
}

struct alert_ctx {
	json_t *days;      /* "day kind" -> count */
	uint64_t since_us;
};

static int count_alert(const struct ym_alert_row *a, void *arg)
{
	struct alert_ctx *c = arg;
	char day[16], key[96];
	time_t t = (time_t)(a->last_us / 1000000);
	struct tm tm;

	if (a->last_us < c->since_us || !a->kind)
		return 0;
	for (const char *p = a->kind; *p; p++)
		if (!islower((unsigned char)*p) && *p != '_' &&
		    !isdigit((unsigned char)*p))
			return 0;
	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	snprintf(key, sizeof(key), "%s %.60s", day, a->kind);
	json_object_set_new(c->days, key, json_integer(json_integer_value(
			    json_object_get(c->days, key)) + a->count));
	return 0;
}

json_t *ym_fleet_report(struct ym_engine *e, const char *box, uint64_t seq)
{
	struct class_ctx cc = { json_array() };
	struct alert_ctx ac = { json_object(), 0 };
	json_t *r = json_object(), *alerts = json_array(), *v;
	const char *key;
	char id[64], now[32];
	uint64_t clock = e->clock_us ? e->clock_us : ym_wall_us();

	ym_inventory_foreach(e->inv, count_device, &cc);
	ac.since_us = clock > ALERT_DAYS * 86400ull * 1000000 ?
		      clock - ALERT_DAYS * 86400ull * 1000000 : 0;
	if (ym_store_get_alerts(e->store, count_alert, &ac) < 0)
		e->store_errors++;
	/* json objects keep their insertion order; sort the keys for a
	 * stable report. */
	{
		const char **keys = calloc(json_object_size(ac.days) + 1,
					   sizeof(*keys));
		size_t n = 0;

		json_object_foreach(ac.days, key, v)
			if (keys)
				keys[n++] = key;
		for (size_t i = 1; keys && i < n; i++)
			for (size_t j = i; j > 0 && strcmp(keys[j - 1],
							   keys[j]) > 0; j--) {
				const char *t = keys[j];

				keys[j] = keys[j - 1];
				keys[j - 1] = t;
			}
		for (size_t i = 0; keys && i < n; i++) {
			char day[16];
			const char *sp = strchr(keys[i], ' ');

			snprintf(day, sizeof(day), "%.*s",
				 (int)(sp - keys[i]), keys[i]);
			json_array_append_new(alerts, json_pack(
				"{s:s, s:s, s:I}", "day", day, "kind", sp + 1,
				"count", json_integer_value(json_object_get(
					ac.days, keys[i]))));
		}
		free(keys);
	}
	json_decref(ac.days);
	snprintf(id, sizeof(id), "%s-%llu", box, (unsigned long long)seq);
	ym_fleet_iso_time((int64_t)(ym_wall_us() / 1000000), now, sizeof(now));
	json_object_set_new(r, "schema", json_integer(YM_FLEET_SCHEMA));
	json_object_set_new(r, "report_id", json_string(id));
	json_object_set_new(r, "box", json_string(box));
	json_object_set_new(r, "sent", json_string(now));
	json_object_set_new(r, "yamori", json_string(YM_VERSION));
	json_object_set_new(r, "data",
			    json_integer((json_int_t)e->data.version));
	json_object_set_new(r, "classes", cc.classes);
	json_object_set_new(r, "alerts", alerts);
	return r;
}
