/* The API's commands: a table of {name, handler, flags}, looked up by name,
 * each handler short. The answers are JSON objects of the interface
 * contract; every refusal carries a machine code (api.h, docs/API.md). */
#include "engine-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ym-features.h"
#include "engine-fleet.h"
#include "flow.h"
#include "identify.h"
#include "inventory.h"
#include "report.h"
#include "store.h"
#include "support.h"

#ifndef YM_VERSION
#define YM_VERSION "0.0.0"
#endif

/* --- status ------------------------------------------------------------ */

static void put_int(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

static json_t *status_reasons(const struct ym_engine *e)
{
	json_t *o = json_object();

	for (int r = 1; r < YM_DECODE_RESULT_MAX; r++)
		if (e->by_result[r])
			put_int(o, ym_decode_result_name(r), e->by_result[r]);
	return o;
}

static json_t *status_protocols(const struct ym_engine *e)
{
	json_t *o = json_object();

	for (int p = 0; p < YM_MAX_PROTO_IDS; p++)
		if (e->proto_flows[p])
			put_int(o, ym_flow_proto_name(e->flows, (uint16_t)p),
				e->proto_flows[p]);
	return o;
}

/* The capture files and the live capture's kernel counters. */
static void status_capture(const struct ym_engine *e, json_t *st)
{
	struct ym_capture_stats cs = { 0 };

	if (e->capture)
		ym_capture_get_stats(e->capture, &cs);
	json_object_set_new(
		st, "files",
		json_pack("{s:i, s:i, s:i, s:s}", "total", (int)cs.files_total,
			  "read", (int)cs.files_read, "truncated",
			  (int)cs.files_truncated, "last_problem",
			  cs.last_problem));
	json_object_set_new(st, "capture",
			    json_pack("{s:I, s:I}", "received",
				      (json_int_t)cs.received, "dropped",
				      (json_int_t)cs.dropped));
}

static json_t *status_flows(const struct ym_engine *e)
{
	struct ym_flow_stats fs;
	json_t *o;

	ym_flow_get_stats(e->flows, &fs);
	o = json_pack("{s:i, s:i}", "active", (int)fs.active, "max",
		      (int)fs.max);
	put_int(o, "created", fs.created);
	put_int(o, "expired", fs.expired);
	put_int(o, "evicted", fs.evicted);
	put_int(o, "classified", fs.classified);
	put_int(o, "unknown", fs.unknown);
	json_object_set_new(o, "ndpi_active", json_integer((int)fs.ndpi_active));
	return o;
}

/* The device table, and the DHCP packets it could not read (kept at the
 * top level, where the status has always had them). */
static void status_devices(const struct ym_engine *e, json_t *st)
{
	struct ym_inventory_stats is;
	json_t *o;

	ym_inventory_get_stats(e->inv, &is);
	o = json_pack("{s:i, s:i}", "in_memory", (int)is.devices, "max",
		      (int)is.max);
	put_int(o, "created", is.created);
	put_int(o, "evicted", is.evicted);
	put_int(o, "linked", is.linked);
	json_object_set_new(st, "devices", o);
	put_int(st, "dhcp_malformed", is.dhcp_bad);
}

static json_t *status_announcements(const struct ym_engine *e)
{
	json_t *o = json_object();

	put_int(o, "mdns", e->sniff.stats.mdns);
	put_int(o, "llmnr", e->sniff.stats.llmnr);
	put_int(o, "netbios", e->sniff.stats.netbios);
	put_int(o, "ssdp", e->sniff.stats.ssdp);
	put_int(o, "dhcp6", e->sniff.stats.dhcp6);
	put_int(o, "lldp", e->sniff.stats.lldp);
	put_int(o, "cdp", e->sniff.stats.cdp);
	put_int(o, "malformed", e->sniff.stats.malformed);
	return o;
}

static json_t *status_upnp(const struct ym_engine *e)
{
	struct ym_upnp_stats us = { 0 };
	json_t *o = json_object();

	if (e->upnp)
		ym_upnp_get_stats(e->upnp, &us);
	put_int(o, "requested", us.requested);
	put_int(o, "fetched", us.fetched);
	put_int(o, "refused", us.refused);
	put_int(o, "failed", us.failed);
	put_int(o, "timeouts", us.timeouts);
	put_int(o, "too_large", us.too_large);
	return o;
}

static json_t *status_alerts(const struct ym_engine *e)
{
	struct ym_alerts_stats as;
	json_t *o = json_object();

	ym_alerts_get_stats(e->alerts, &as);
	put_int(o, "raised", as.raised);
	put_int(o, "repeats", as.repeats);
	put_int(o, "suppressed", as.suppressed);
	put_int(o, "store_errors", as.store_errors);
	return o;
}

/* Who this run is and what it read. */
static json_t *status_run(const struct ym_engine *e)
{
	char t1[YM_TIME_STRLEN], t2[YM_TIME_STRLEN], t3[YM_TIME_STRLEN];

	ym_time_format(e->started_wall_us, t1);
	ym_time_format(e->capture_start_us, t2);
	ym_time_format(e->clock_us, t3);
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "version",
			 YM_VERSION, "mode", e->live ? "live" : "file",
			 "sources", e->sources, "pid", (int)getpid(),
			 "started", t1, "capture_start", t2, "capture_clock",
			 t3);
}

struct support_counts {
	const struct ym_support *kb;
	uint64_t n[3];
};

static void count_support(struct ym_device *d, void *arg)
{
	struct support_counts *c = arg;

	if (d->flags & YM_FLAG_RETIRED)
		return;
	c->n[ym_support_check(c->kb, d->type, d->vendor, d->model)]++;
}

/* Rule 1 over the devices in use: how many it could check, and how many
 * it could not because their kind or their maker's support is unknown. */
static json_t *status_support(struct ym_engine *e)
{
	struct support_counts c = { e->kb, { 0 } };
	json_t *o = json_object();

	ym_inventory_foreach(e->inv, count_support, &c);
	for (int i = 0; i < 3; i++)
		put_int(o, ym_support_check_name((enum ym_support_check)i),
			c.n[i]);
	return o;
}

/* The optional parts of this build (features.h): name -> built. */
static json_t *status_features(void)
{
	size_t n;
	const struct ym_feature *f = ym_features(&n);
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, f[i].name, json_boolean(f[i].built));
	return o;
}

json_t *ym_engine_status_json(struct ym_engine *e)
{
	json_t *st = status_run(e);

	if (!st)
		return NULL;
	put_int(st, "packets", e->packets);
	put_int(st, "bytes", e->bytes);
	put_int(st, "malformed", e->malformed);
	json_object_set_new(st, "malformed_by_reason", status_reasons(e));
	put_int(st, "arp", e->arp);
	put_int(st, "ipv4", e->ipv4);
	put_int(st, "ipv6", e->ipv6);
	put_int(st, "other", e->other_l3);
	put_int(st, "fragments", e->fragments);
	status_capture(e, st);
	json_object_set_new(st, "flows", status_flows(e));
	json_object_set_new(st, "protocols", status_protocols(e));
	status_devices(e, st);
	put_int(st, "store_errors", e->store_errors);
	put_int(st, "oui_entries", e->oui_entries);
	put_int(st, "support_entries", ym_support_count(e->kb));
	json_object_set_new(st, "support_check", status_support(e));
	put_int(st, "fingerprint_rules", e->rules);
	json_object_set_new(st, "data", ym_update_status_json(e));
	json_object_set_new(st, "announcements", status_announcements(e));
	json_object_set_new(st, "upnp", status_upnp(e));
	json_object_set_new(st, "alerts", status_alerts(e));
	json_object_set_new(st, "features", status_features());
	return st;
}

static json_t *cmd_status(struct ym_engine *e, struct ym_engine_request *r)
{
	json_t *st = ym_engine_status_json(e);

	if (!st)
		return ym_api_fail(r->err, YM_API_INTERNAL, "out of memory");
	json_object_set_new(st, "state", json_string("running"));
	return st;
}

/* --- settings ---------------------------------------------------------- */

/* Reads one policy word from args into *out; false when it is there but
 * not a word the policy allows. */
#define READ_POLICY(args, key, parse, out)                                  \
	(!json_object_get(args, key) ||                                     \
	 parse(json_string_value(json_object_get(args, key)), out) == 0)

/* The household's choices from the panel: password checks and automatic
 * isolation. They last across restarts (kept in the database) and win
 * over the config file, which holds the defaults. */
static json_t *cmd_settings(struct ym_engine *e, struct ym_engine_request *r)
{
	enum ym_audit_policy audit = e->cfg.audit;
	enum ym_auto_isolate iso = e->cfg.auto_isolate;
	bool change = json_object_get(r->args, "audit") ||
		      json_object_get(r->args, "auto_isolate");
	json_t *out;
	char *text;

	if (!READ_POLICY(r->args, "audit", ym_config_audit_parse, &audit) ||
	    !READ_POLICY(r->args, "auto_isolate", ym_config_auto_isolate_parse,
			 &iso))
		return ym_api_fail(r->err, YM_API_BAD_REQUEST,
				   "audit is off, ask or on; auto_isolate is "
				   "never, ask or critical");
	e->cfg.audit = audit;
	e->cfg.auto_isolate = iso;
	out = json_pack("{s:s, s:s, s:s}", "audit",
			ym_config_audit_name(e->cfg.audit), "auto_isolate",
			ym_config_auto_isolate_name(e->cfg.auto_isolate),
			"isolate", ym_config_isolate_name(e->cfg.isolate));
	if (change) {
		char *before = ym_store_get_meta(e->store, "settings");

		text = json_dumps(out, JSON_COMPACT);
		if (!text || ym_store_begin(e->store) < 0 ||
		    ym_store_put_meta(e->store, "settings", text) < 0)
			e->store_errors++;
		/* The record names a change, not a restart reading it back. */
		else if ((!before || strcmp(before, text) != 0) &&
			 ym_store_log_event(e->store, "setting", NULL, text,
					    0) < 0)
			e->store_errors++;
		free(before);
		free(text);
	}
	return out;
}

void ym_engine_load_settings(struct ym_engine *e)
{
	char *text = ym_store_get_meta(e->store, "settings");
	json_t *st = text ? json_loads(text, 0, NULL) : NULL;
	struct ym_api_error err;
	struct ym_engine_request r = { "settings", st, NULL, NULL, &err };

	free(text);
	if (st)
		json_decref(cmd_settings(e, &r));
	json_decref(st);
}

/* --- devices and alerts ------------------------------------------------ */

struct devices_ctx {
	json_t *list;
	bool all;
	struct ym_engine *e;
};

static void add_device(struct ym_device *d, void *arg)
{
	struct devices_ctx *c = arg;

	if ((d->flags & YM_FLAG_RETIRED) && !c->all)
		return;
	json_array_append_new(c->list, ym_report_device_support(d, c->e->kb));
}

static json_t *cmd_devices(struct ym_engine *e, struct ym_engine_request *r)
{
	struct devices_ctx c = {
		json_array(), json_is_true(json_object_get(r->args, "all")), e
	};

	ym_inventory_foreach(e->inv, add_device, &c);
	return c.list;
}

/* The most alerts one answer carries: a page stays far below the API's
 * 1 MB limit for a client, however long the history. */
#define YM_ALERTS_PAGE 500

struct alerts_ctx {
	struct ym_engine *e;
	json_t *list;
	json_int_t skip, left;
};

static int add_alert(const struct ym_alert_row *a, void *arg)
{
	struct alerts_ctx *c = arg;
	uint8_t mac[6];

	if (c->skip > 0) {
		c->skip--;
		return 0;
	}
	if (c->left-- <= 0)
		return 1; /* the page is full */
	struct ym_device *d = a->mac && ym_mac_parse(a->mac, mac) == 0 ?
				      ym_inventory_find(c->e->inv, mac) :
				      NULL;
	const char *name = d ? ym_device_display_name(d) : "";

	if (d && !name[0])
		name = d->vendor;
	json_array_append_new(c->list, ym_report_alert(a, name));
	return 0;
}

/* Newest first, a page at a time: args "offset" (alerts to skip) and
 * "limit" (at most YM_ALERTS_PAGE, the default). A client that wants the
 * whole history asks again from offset + what it got until a page comes
 * back short. */
static json_t *cmd_alerts(struct ym_engine *e, struct ym_engine_request *r)
{
	json_t *off = json_object_get(r->args, "offset"),
	       *lim = json_object_get(r->args, "limit");
	struct alerts_ctx c = { e, json_array(), 0, YM_ALERTS_PAGE };

	if ((off && (!json_is_integer(off) || json_integer_value(off) < 0)) ||
	    (lim && (!json_is_integer(lim) || json_integer_value(lim) < 1))) {
		json_decref(c.list);
		return ym_api_fail(r->err, YM_API_BAD_REQUEST,
				   "offset is 0 or more, limit 1 or more");
	}
	if (off)
		c.skip = json_integer_value(off);
	if (lim && json_integer_value(lim) < YM_ALERTS_PAGE)
		c.left = json_integer_value(lim);
	if (ym_store_get_alerts(e->store, add_alert, &c) < 0) {
		json_decref(c.list);
		return ym_api_fail(r->err, YM_API_INTERNAL,
				   "cannot read the alerts");
	}
	return c.list;
}

static json_t *cmd_acknowledge(struct ym_engine *e,
			       struct ym_engine_request *r)
{
	static const char *const reasons[] = { "later", "expected" };
	json_t *id = json_object_get(r->args, "id");
	json_t *why = json_object_get(r->args, "reason");
	const char *reason = NULL;
	int rc;

	if (!json_is_integer(id))
		return ym_api_fail(r->err, YM_API_BAD_REQUEST,
				   "no alert with that \"id\"");
	/* Put off with a reason: one of a few words, kept in the log. */
	if (why && !json_is_null(why)) {
		for (size_t i = 0; i < YM_ARRAY_SIZE(reasons); i++)
			if (json_is_string(why) &&
			    strcmp(json_string_value(why), reasons[i]) == 0)
				reason = reasons[i];
		if (!reason)
			return ym_api_fail(r->err, YM_API_BAD_REQUEST,
					   "\"reason\" is \"later\" or "
					   "\"expected\"");
	}
	rc = ym_store_begin(e->store);
	if (rc == 0)
		rc = ym_store_set_alert_state(e->store, json_integer_value(id),
					      "acknowledged", reason);
	/* "I know why; I did it": the household's word clears the mark
	 * its behaviour left on the device (the next alert sets it again).
	 * "Later" keeps it: the device is still in danger. */
	if (rc == 0 && reason && strcmp(reason, "expected") == 0) {
		uint8_t mac[6];
		struct ym_device *d;

		if (ym_store_alert_mac(e->store, json_integer_value(id),
				       mac) == 0 &&
		    (d = ym_inventory_find(e->inv, mac)) &&
		    (d->flags & YM_FLAG_SUSPICIOUS)) {
			d->flags &= ~YM_FLAG_SUSPICIOUS;
			d->dirty = true;
		}
	}
	if (rc < 0)
		return ym_api_fail(r->err, rc == -ENOENT ? YM_API_NOT_FOUND :
							   YM_API_INTERNAL,
				   "no alert with that \"id\"");
	return json_null();
}

/* --- one device -------------------------------------------------------- */

static json_t *cmd_rename(struct ym_engine *e, struct ym_engine_request *r)
{
	const char *name = json_string_value(json_object_get(r->args, "name"));
	struct ym_device *d = r->dev;

	if (!name)
		return ym_api_fail(r->err, YM_API_BAD_REQUEST, "give \"name\"");
	ym_strlcpy_clean(d->user_name, name, strlen(name),
			 sizeof(d->user_name));
	/* The row may not be written yet: write it first. */
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_put_device(e->store, d) < 0 ||
	    ym_store_rename(e->store, d->mac, d->user_name) < 0)
		return ym_api_fail(r->err, YM_API_INTERNAL,
				   "cannot record the name");
	d->dirty = true;
	return ym_report_device_support(d, e->kb);
}

/* What the household says the device is: "type" from the vocabulary (or
 * null to forget it), "vendor" optional. Identification keeps it. */
static json_t *cmd_set_kind(struct ym_engine *e, struct ym_engine_request *r)
{
	json_t *t = json_object_get(r->args, "type"),
	       *v = json_object_get(r->args, "vendor");
	const char *type = json_string_value(t);

	if (!t || (!json_is_null(t) && !ym_identify_known_type(type)) ||
	    (type && strcmp(type, "unknown") == 0) ||
	    (v && !json_is_null(v) && !json_is_string(v)))
		return ym_api_fail(r->err, YM_API_BAD_REQUEST,
				   "give \"type\": a device type (docs/API.md) "
				   "or null, and \"vendor\" as text");
	if (ym_identify_household(e->id, r->dev, type,
				  json_string_value(v)) < 0)
		return ym_api_fail(r->err, YM_API_BAD_REQUEST,
				   "unknown device type");
	return ym_report_device_support(r->dev, e->kb);
}

/* Appends one of the household's actions on a device to the event log. */
static void log_device_event(struct ym_engine *e, const struct ym_device *d,
			     const char *kind, const char *detail)
{
	char mac[YM_MAC_STRLEN];

	ym_mac_format(d->mac, mac);
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_log_event(e->store, kind, mac, detail, 0) < 0)
		e->store_errors++;
}

static json_t *cmd_retire(struct ym_engine *e, struct ym_engine_request *r)
{
	r->dev->flags |= YM_FLAG_RETIRED;
	r->dev->retired_us = e->clock_us;
	r->dev->dirty = true;
	log_device_event(e, r->dev, "retired", NULL);
	return ym_report_device_support(r->dev, e->kb);
}

/* The household's undo of "given away" (rule 4): the device is back in
 * the list and judged again, as before it was marked. */
static json_t *cmd_unretire(struct ym_engine *e, struct ym_engine_request *r)
{
	r->dev->flags &= ~YM_FLAG_RETIRED;
	r->dev->retired_us = 0;
	r->dev->dirty = true;
	log_device_event(e, r->dev, "unretired", NULL);
	return ym_report_device_support(r->dev, e->kb);
}

static json_t *cmd_never_isolate(struct ym_engine *e,
				 struct ym_engine_request *r)
{
	r->dev->never_isolate = !json_is_false(json_object_get(r->args, "on"));
	r->dev->dirty = true;
	log_device_event(e, r->dev, "setting",
			 r->dev->never_isolate ? "{\"never_isolate\":true}" :
						 "{\"never_isolate\":false}");
	return ym_report_device_support(r->dev, e->kb);
}

/* Takes the answer out of the request, or NULL with r->err set. */
static struct ym_api_deferred *defer(struct ym_engine_request *r)
{
	struct ym_api_deferred *later = r->call ? ym_api_defer(r->call) : NULL;

	if (!r->call)
		ym_api_fail(r->err, YM_API_BAD_REQUEST,
			    "\"%s\" answers a client only", r->cmd);
	else if (!later)
		ym_api_fail(r->err, YM_API_INTERNAL, "out of memory");
	return later;
}

static json_t *cmd_isolate(struct ym_engine *e, struct ym_engine_request *r)
{
	struct ym_api_deferred *later = defer(r);

	if (!later)
		return NULL;
	if (ym_respond_isolate(e, r->dev, "asked by the household", later,
			       r->err) < 0) {
		ym_api_complete(later, NULL, r->err->code, r->err->msg);
		r->err->msg[0] = '\0';
	}
	return NULL;
}

static json_t *cmd_release(struct ym_engine *e, struct ym_engine_request *r)
{
	if (ym_respond_release(e, r->dev, r->err) < 0)
		return NULL;
	return ym_report_device(r->dev);
}

/* --- password checks --------------------------------------------------- */

/* The device a request names by "target" (IP or MAC), or NULL. */
static struct ym_device *audit_target(struct ym_engine *e, const char *t,
				      struct ym_api_error *err)
{
	struct ym_device *d = NULL;
	struct ym_addr a;
	uint8_t mac[6];

	if (!t) {
		ym_api_fail(err, YM_API_BAD_REQUEST,
			    "give \"target\": an address or a MAC");
	} else if (ym_mac_parse(t, mac) == 0) {
		d = ym_inventory_find(e->inv, mac);
	} else if (ym_addr_parse(t, &a) == 0) {
		d = ym_inventory_find_addr(e->inv, &a);
	} else {
		ym_api_fail(err, YM_API_BAD_REQUEST,
			    "\"%.60s\" is neither an address nor a MAC", t);
		return NULL;
	}
	if (t && !d)
		ym_api_fail(err, YM_API_REFUSED, "refused: %.60s is not a device "
			    "Yamori knows on this network", t);
	return d;
}

/* Why a check could not start, from ym_audit_check's error. */
static void audit_not_started(struct ym_api_deferred *later, int rc)
{
	if (rc == -EAGAIN)
		ym_api_complete(later, NULL, YM_API_BUSY,
				"busy: this device was checked enough today, "
				"or too many checks run; try later");
	else if (rc == -EALREADY)
		ym_api_complete(later, NULL, YM_API_BUSY,
				"this device is being checked");
	else if (rc == -EPERM)
		ym_api_complete(later, NULL, YM_API_REFUSED,
				"refused: only devices on this home network "
				"are checked");
	else
		ym_api_complete(later, NULL, YM_API_FAILED,
				"the check could not start");
}

/* A check asked for could not start: the device says "not checked"
 * unless an earlier check told more (a device found "changed" an hour
 * ago stays so when today's attempts are spent). */
static void audit_not_done(struct ym_device *d)
{
	if (!d->audit[0])
		ym_respond_audit_note(d, "not_checked", 0);
}

/* Starts a check for the API; the answer comes when it is done. */
static json_t *cmd_audit(struct ym_engine *e, struct ym_engine_request *r)
{
	const char *t = json_string_value(json_object_get(r->args, "target"));
	const struct ym_addr *addr = NULL;
	struct ym_api_deferred *later;
	struct ym_device *d;
	struct ym_addr want;
	int rc;

	if (e->cfg.audit == YM_AUDIT_POLICY_OFF)
		return ym_api_fail(r->err, YM_API_OFF,
				   "password checks are off (audit = off)");
	d = audit_target(e, t, r->err);
	if (!d)
		return NULL;
	/* Turned on, and still cannot run (no credentials data, or a
	 * replay): not "off", which the household could change. */
	if (!e->audit) {
		audit_not_done(d);
		return ym_api_fail(r->err, YM_API_FAILED,
				   "password checks cannot run here (no "
				   "credentials data, or a replay)");
	}
	/* The address asked for, else the device's first IPv4 that can be
	 * checked. */
	if (ym_addr_parse(t, &want) == 0)
		addr = &want;
	else if (!(addr = ym_respond_audit_addr(d))) {
		/* Asked and not done: the device says so, never "fine". */
		audit_not_done(d);
		return ym_api_fail(r->err, YM_API_REFUSED,
				   "refused: no address of this device on "
				   "this network is known yet");
	}
	if (!ym_audit_addr_allowed(addr)) {
		audit_not_done(d);
		return ym_api_fail(r->err, YM_API_REFUSED,
				   "refused: only devices on this home "
				   "network are checked");
	}
	later = defer(r);
	if (!later)
		return NULL;
	rc = ym_audit_check(e->audit, d->mac, addr, d->vendor, later);
	if (rc < 0) {
		/* Being checked now: the check under way will say. */
		if (rc != -EALREADY)
			audit_not_done(d);
		audit_not_started(later, rc);
	}
	return NULL;
}

/* --- data updates --------------------------------------------------------- */

/* A signed data bundle: {path} on this box, or {} to fetch update_url now.
 * The answer (the new "data" object, or the reason it was refused) comes
 * once the bundle is checked and in use. */
static json_t *cmd_update(struct ym_engine *e, struct ym_engine_request *r)
{
	json_t *p = json_object_get(r->args, "path");
	struct ym_api_deferred *later;
	struct ym_api_error why;

	if (p && (!json_is_string(p) || json_string_value(p)[0] != '/'))
		return ym_api_fail(r->err, YM_API_BAD_REQUEST,
				   "path must be an absolute file name");
	later = defer(r);
	if (!later)
		return NULL;
	/* Deferred: a refusal to start is answered through later too. */
	if (ym_update_apply(e, p ? json_string_value(p) : NULL, later,
			    &why) < 0)
		ym_api_complete(later, NULL, why.code, why.msg);
	return NULL;
}

/* --- the table ----------------------------------------------------------- */

static const struct ym_engine_command commands[] = {
	{ "status", cmd_status, 0 },
	{ "devices", cmd_devices, 0 },
	{ "alerts", cmd_alerts, 0 },
	{ "acknowledge", cmd_acknowledge, YM_CMD_DURABLE },
	{ "rename", cmd_rename, YM_CMD_DEVICE | YM_CMD_DURABLE },
	{ "retire", cmd_retire, YM_CMD_DEVICE | YM_CMD_DURABLE },
	{ "unretire", cmd_unretire, YM_CMD_DEVICE | YM_CMD_DURABLE },
	{ "set_kind", cmd_set_kind, YM_CMD_DEVICE | YM_CMD_DURABLE },
	{ "never_isolate", cmd_never_isolate,
	  YM_CMD_DEVICE | YM_CMD_DURABLE },
	{ "settings", cmd_settings, YM_CMD_DURABLE },
	{ "audit", cmd_audit, YM_CMD_DEFERS },
	{ "isolate", cmd_isolate, YM_CMD_DEVICE | YM_CMD_DEFERS },
	{ "release", cmd_release, YM_CMD_DEVICE | YM_CMD_DURABLE },
	{ "update", cmd_update, YM_CMD_DEFERS },
	{ "fleet", ym_fleet_cmd_status, 0 },
	{ "fleet_set", ym_fleet_cmd_set, YM_CMD_DURABLE },
	{ "fleet_send", ym_fleet_cmd_send, 0 },
	{ "fleet_rotate", ym_fleet_cmd_rotate, 0 },
};

const struct ym_engine_command *ym_engine_commands(size_t *n)
{
	*n = YM_ARRAY_SIZE(commands);
	return commands;
}

const struct ym_engine_command *ym_engine_command_find(const char *name)
{
	for (size_t i = 0; name && i < YM_ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The device a request names by "mac", or NULL with err set. */
static struct ym_device *request_device(struct ym_engine *e, json_t *args,
					struct ym_api_error *err)
{
	const char *text = json_string_value(json_object_get(args, "mac"));
	struct ym_device *d = NULL;
	uint8_t mac[6];

	if (!text || ym_mac_parse(text, mac) < 0)
		ym_api_fail(err, YM_API_BAD_REQUEST,
			    "give \"mac\" as aa:bb:cc:dd:ee:ff");
	else if (!(d = ym_inventory_find(e->inv, mac)))
		ym_api_fail(err, YM_API_NOT_FOUND, "no device %s", text);
	return d;
}

json_t *ym_engine_request(struct ym_engine *e, const char *cmd, json_t *args,
			  struct ym_api_call *call, struct ym_api_error *err)
{
	const struct ym_engine_command *c = ym_engine_command_find(cmd);
	struct ym_engine_request r = { cmd, args, call, NULL, err };
	json_t *result;

	if (!c)
		return ym_api_fail(err, YM_API_UNKNOWN_COMMAND,
				   "unknown command \"%.40s\"", cmd);
	if ((c->flags & YM_CMD_DEVICE) &&
	    !(r.dev = request_device(e, args, err)))
		return NULL;
	result = c->run(e, &r);
	/* ok means kept: a power cut right after the answer loses nothing
	 * the household did. */
	if (result && (c->flags & YM_CMD_DURABLE) &&
	    ym_engine_commit_now(e) < 0) {
		json_decref(result);
		return ym_api_fail(err, YM_API_INTERNAL,
				   "the change could not be saved");
	}
	return result;
}
