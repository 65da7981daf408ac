#include "engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <locale.h>
#include <net/if.h>

#include <jansson.h>
#include <pcap/pcap.h>

#include "alerts.h"
#include "api.h"
#include "audit.h"
#include "capture.h"
#include "decode.h"
#include "detect.h"
#include "flow.h"
#include "identify.h"
#include "intel.h"
#include "inventory.h"
#include "isolate.h"
#include "lifecycle.h"
#include "oui.h"
#include "sniff.h"
#include "report.h"
#include "store.h"
#include "support.h"
#include "upnp.h"
#include "ym-limits.h"

#ifndef YM_VERSION
#define YM_VERSION "0.0.0"
#endif

/* A device is announced (new_device) after this long, so a phone that
 * rejoined with a new random address is linked to its record first. */
#define YM_ANNOUNCE_DELAY_US (60ULL * 1000000)

/* Least real time between two commits when replaying capture files. */
#define YM_FILE_COMMIT_MS 1000

/* nDPI protocol ids are below this bound in 4.2 (about 300 are defined). */
#define YM_MAX_PROTO_IDS 1024

struct ym_engine {
	uv_loop_t *loop;
	struct ym_config cfg;
	struct ym_oui *oui;
	struct ym_identify *id;
	struct ym_sniff sniff;
	struct ym_sniff_observer sniff_obs;
	struct ym_upnp *upnp;             /* live mode only */
	struct ym_api *api;               /* live mode only */
	struct ym_api_handler api_handler;
	struct ym_audit *audit;           /* live mode only */
	struct ym_isolator *isolator;     /* live mode only */
	enum ym_isolate_mode isolate_mode;
	struct ym_audit_observer audit_obs;
	struct ym_alerts_observer alerts_obs;
	struct ym_upnp_observer upnp_obs;
	struct ym_store *store;
	struct ym_alerts *alerts;
	struct ym_intel *intel;
	struct ym_detect *detect;
	struct ym_support *kb;
	struct ym_lifecycle lifecycle;
	struct ym_inventory *inv;
	struct ym_flow_table *flows;
	struct ym_capture *capture;
	struct ym_capture_sink sink;
	struct ym_flow_observer flow_obs;
	struct ym_inventory_observer inv_obs;
	uv_timer_t tick;
	bool tick_started;
	bool live, stopped, serve;
	int status;

	uint64_t clock_us;          /* the capture clock */
	uint64_t last_commit_us, last_expire_us;
	uint64_t last_commit_ms;    /* loop time of the last commit */
	uint64_t announce_created;  /* devices created at the last walk */
	uint32_t announce_waiting;  /* devices too new to announce then */
	uint64_t capture_start_us, started_wall_us;
	uint32_t oui_entries;
	uint32_t rules;
	char sources[512];

	uint64_t packets, bytes, malformed;
	uint64_t by_result[YM_DECODE_RESULT_MAX];
	uint64_t fragments, arp, ipv4, ipv6, other_l3;
	uint64_t store_errors;
	uint32_t proto_flows[YM_MAX_PROTO_IDS];
};

static void load_settings(struct ym_engine *e);

static void on_device_evicted(struct ym_inventory_observer *obs,
			      struct ym_device *dev)
{
	struct ym_engine *e = ym_container_of(obs, struct ym_engine, inv_obs);

	if (!dev->dirty)
		return;
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_put_device(e->store, dev) < 0)
		e->store_errors++;
}

static void on_device_replaced(struct ym_inventory_observer *obs,
			       const uint8_t old_mac[6], struct ym_device *dev)
{
	struct ym_engine *e = ym_container_of(obs, struct ym_engine, inv_obs);

	(void)dev;
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_delete_device(e->store, old_mac) < 0)
		e->store_errors++;
}

/* The LAN device that started a flow, if any. */
static struct ym_device *initiator(struct ym_engine *e, const struct ym_flow *f)
{
	if (!f->has_mac[0] ||
	    !ym_inventory_addr_is_local(e->inv, &f->addr[0]))
		return NULL;
	return ym_inventory_find(e->inv, f->mac[0]);
}

static bool on_device_load(struct ym_inventory_observer *obs,
			   const uint8_t mac[6], struct ym_device *out)
{
	struct ym_engine *e = ym_container_of(obs, struct ym_engine, inv_obs);

	return ym_store_get_device(e->store, mac, out) == 0;
}

static void on_dhcp_client(struct ym_inventory_observer *obs,
			   struct ym_device *dev, const struct ym_dhcp *msg)
{
	struct ym_engine *e = ym_container_of(obs, struct ym_engine, inv_obs);

	ym_sniff_dhcp(&e->sniff, dev, msg);
}

static void on_flow_end(struct ym_flow_observer *obs, const struct ym_flow *f)
{
	struct ym_engine *e = ym_container_of(obs, struct ym_engine, flow_obs);
	uint16_t p = f->app_proto ? f->app_proto : f->master_proto;

	struct ym_device *from = initiator(e, f), *to = NULL;

	/* Only TCP flows take part in the scan checks. */
	if (f->key.proto == 6)
		ym_detect_flow_end(e->detect, from, f);
	if (f->has_mac[1] && ym_inventory_addr_is_local(e->inv, &f->addr[1]))
		to = ym_inventory_find(e->inv, f->mac[1]);
	ym_lifecycle_flow_end(&e->lifecycle, from, to, f);
	if (p < YM_MAX_PROTO_IDS)
		e->proto_flows[p]++;
}

static void on_flow_classified(struct ym_flow_observer *obs,
			       const struct ym_flow *f,
			       const struct ym_flow_info *info)
{
	struct ym_engine *e = ym_container_of(obs, struct ym_engine, flow_obs);
	uint16_t p = f->master_proto ? f->master_proto : f->app_proto;
	struct ym_device *dev = initiator(e, f);
	const char *proto = ym_flow_proto_name(e->flows, p);

	/* Only flows a device on the LAN started say something about it. */
	if (!dev)
		return;
	ym_sniff_flow(&e->sniff, dev, f, info, proto);
	ym_detect_flow_classified(e->detect, dev, f, info, proto);
}

static void on_upnp_location(struct ym_sniff_observer *obs,
			     struct ym_device *dev, const char *url)
{
	struct ym_engine *e = ym_container_of(obs, struct ym_engine, sniff_obs);
	struct ym_addr ips[YM_MAX_IPS_PER_DEVICE];

	/* Replaying a capture, the device is not there to be asked. */
	if (!e->upnp)
		return;
	for (uint8_t i = 0; i < dev->n_ips; i++)
		ips[i] = dev->ips[i].addr;
	ym_upnp_request(e->upnp, dev->mac, ips, dev->n_ips, url, e->clock_us);
}

static void on_described(struct ym_upnp_observer *obs, const uint8_t mac[6],
			 const struct ym_upnp_desc *desc)
{
	struct ym_engine *e = ym_container_of(obs, struct ym_engine, upnp_obs);

	ym_sniff_upnp(&e->sniff, ym_inventory_find(e->inv, mac), desc);
}

static int restore_device(const struct ym_device *d, void *arg)
{
	struct ym_engine *e = arg;

	ym_inventory_restore(e->inv, d);
	return 0;
}

int ym_engine_init(struct ym_engine **out, uv_loop_t *loop,
		   const struct ym_config *cfg, char *err, size_t errlen)
{
	struct ym_engine *e = calloc(1, sizeof(*e));
	int rc;

	if (!e)
		return -ENOMEM;
	e->loop = loop;
	e->cfg = *cfg;
	e->started_wall_us = ym_wall_us();
	e->flow_obs.flow_end = on_flow_end;
	e->flow_obs.flow_classified = on_flow_classified;
	e->inv_obs.device_evicted = on_device_evicted;
	e->inv_obs.device_replaced = on_device_replaced;
	e->inv_obs.device_load = on_device_load;
	e->inv_obs.dhcp_client = on_dhcp_client;
	rc = ym_oui_init(&e->oui, cfg->oui_dir, &e->oui_entries);
	if (rc < 0) {
		snprintf(err, errlen, "out of memory reading %s", cfg->oui_dir);
		goto out;
	}
	if (e->oui_entries == 0)
		fprintf(stderr, "yamorid: no IEEE registry in %s; vendors will "
			"be unknown (install ieee-data)\n", cfg->oui_dir);
	{
		char path[1100];

		snprintf(path, sizeof(path), "%s/fingerprints", cfg->data_dir);
		rc = ym_identify_init(&e->id, path, err, errlen);
		if (rc == -ENOENT) {
			/* Without rules devices keep registry vendors and
			 * names; say so once, do not stop. */
			fprintf(stderr, "yamorid: %s; devices will not be "
				"identified\n", err);
			err[0] = '\0';
			rc = 0;
		} else if (rc < 0) {
			rc = -EINVAL;
			goto out;
		}
	}
	e->rules = (uint32_t)ym_identify_rule_count(e->id);
	e->sniff.id = e->id;
	e->sniff_obs.upnp_location = on_upnp_location;
	e->sniff.obs = &e->sniff_obs;
	e->upnp_obs.described = on_described;
	rc = ym_store_open(&e->store, cfg->state_dir, err, errlen);
	if (rc < 0)
		goto out;
	{
		char path[1100];

		snprintf(path, sizeof(path), "%s/intel", cfg->data_dir);
		rc = ym_intel_init(&e->intel, path, err, errlen);
		if (rc == -ENOENT) {
			fprintf(stderr, "yamorid: %s; known malware will not "
				"be recognised\n", err);
			err[0] = '\0';
			rc = 0;
		} else if (rc < 0) {
			rc = -EINVAL;
			goto out;
		}
	}
	{
		char path[1100];

		snprintf(path, sizeof(path), "%s/support", cfg->data_dir);
		rc = ym_support_init(&e->kb, path, err, errlen);
		if (rc == -ENOENT) {
			fprintf(stderr, "yamorid: %s; support periods will not "
				"be checked\n", err);
			err[0] = '\0';
			rc = 0;
		} else if (rc < 0) {
			rc = -EINVAL;
			goto out;
		}
	}
	rc = ym_alerts_init(&e->alerts, e->store);
	/* The household hears that the record started afresh. */
	if (rc == 0 && ym_store_damaged_copy(e->store))
		(void)ym_alerts_raise_box(e->alerts, YM_ALERT_DATABASE_DAMAGED,
					  YM_WARNING,
					  strrchr(ym_store_damaged_copy(e->store),
						  '/') + 1,
					  ym_wall_us());
	if (rc == 0)
		rc = ym_inventory_init(&e->inv, cfg->max_devices, e->oui,
				       e->id, &e->inv_obs);
	if (rc == 0)
		rc = ym_detect_init(&e->detect, e->alerts, e->inv, e->intel);
	if (rc == 0)
		load_settings(e);
	e->lifecycle.kb = e->kb;
	e->lifecycle.alerts = e->alerts;
	e->lifecycle.idle_us = (uint64_t)cfg->idle_days * 86400 * 1000000;
	e->lifecycle.gone_us = (uint64_t)cfg->gone_days * 86400 * 1000000;
	if (rc == 0)
		rc = ym_store_get_devices(e->store, restore_device, e);
	if (rc == 0)
		rc = ym_flow_init(&e->flows, cfg->max_flows,
				  cfg->flow_idle_timeout, &e->flow_obs);
	if (rc < 0) {
		snprintf(err, errlen, "cannot set up the device tables: %s",
			 strerror(-rc));
		goto out;
	}
	rc = uv_timer_init(loop, &e->tick);
out:
	if (rc < 0) {
		ym_flow_fini(e->flows);
		ym_inventory_fini(e->inv);
		ym_detect_fini(e->detect);
		ym_alerts_fini(e->alerts);
		ym_intel_fini(e->intel);
		ym_support_fini(e->kb);
		ym_store_close(e->store);
		ym_identify_fini(e->id);
		ym_oui_fini(e->oui);
		free(e);
		return rc;
	}
	*out = e;
	return 0;
}

static json_t *status_json(struct ym_engine *e)
{
	struct ym_flow_stats fs;
	struct ym_inventory_stats is;
	struct ym_capture_stats cs = { 0 };
	char t1[YM_TIME_STRLEN], t2[YM_TIME_STRLEN], t3[YM_TIME_STRLEN];
	struct ym_upnp_stats us = { 0 };
	struct ym_alerts_stats as;
	json_t *reasons = json_object(), *protos = json_object();

	ym_flow_get_stats(e->flows, &fs);
	ym_inventory_get_stats(e->inv, &is);
	if (e->upnp)
		ym_upnp_get_stats(e->upnp, &us);
	ym_alerts_get_stats(e->alerts, &as);
	if (e->capture)
		ym_capture_get_stats(e->capture, &cs);
	for (int r = 1; r < YM_DECODE_RESULT_MAX; r++)
		if (e->by_result[r])
			json_object_set_new(reasons,
					    ym_decode_result_name(r),
					    json_integer((json_int_t)e->by_result[r]));
	for (int p = 0; p < YM_MAX_PROTO_IDS; p++)
		if (e->proto_flows[p])
			json_object_set_new(protos,
					    ym_flow_proto_name(e->flows, (uint16_t)p),
					    json_integer(e->proto_flows[p]));
	ym_time_format(e->started_wall_us, t1);
	ym_time_format(e->capture_start_us, t2);
	ym_time_format(e->clock_us, t3);
	return json_pack(
		"{s:s, s:s, s:s, s:i, s:s, s:s, s:s,"
		" s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:I,"
		" s:{s:i, s:i, s:i, s:s}, s:{s:I, s:I},"
		" s:{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:i}, s:o,"
		" s:{s:i, s:i, s:I, s:I, s:I}, s:I, s:I, s:i, s:i, s:i,"
		" s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I},"
		" s:{s:I, s:I, s:I, s:I, s:I, s:I},"
		" s:{s:I, s:I, s:I, s:I}}",
		"version", YM_VERSION,
		"mode", e->live ? "live" : "file",
		"sources", e->sources,
		"pid", (int)getpid(),
		"started", t1,
		"capture_start", t2,
		"capture_clock", t3,
		"packets", (json_int_t)e->packets,
		"bytes", (json_int_t)e->bytes,
		"malformed", (json_int_t)e->malformed,
		"malformed_by_reason", reasons,
		"arp", (json_int_t)e->arp,
		"ipv4", (json_int_t)e->ipv4,
		"ipv6", (json_int_t)e->ipv6,
		"other", (json_int_t)e->other_l3,
		"fragments", (json_int_t)e->fragments,
		"files", "total", (int)cs.files_total, "read", (int)cs.files_read,
		"truncated", (int)cs.files_truncated,
		"last_problem", cs.last_problem,
		"capture", "received", (json_int_t)cs.received,
		"dropped", (json_int_t)cs.dropped,
		"flows", "active", (int)fs.active, "max", (int)fs.max,
		"created", (json_int_t)fs.created,
		"expired", (json_int_t)fs.expired,
		"evicted", (json_int_t)fs.evicted,
		"classified", (json_int_t)fs.classified,
		"unknown", (json_int_t)fs.unknown,
		"ndpi_active", (int)fs.ndpi_active,
		"protocols", protos,
		"devices", "in_memory", (int)is.devices, "max", (int)is.max,
		"created", (json_int_t)is.created,
		"evicted", (json_int_t)is.evicted,
		"linked", (json_int_t)is.linked,
		"dhcp_malformed", (json_int_t)is.dhcp_bad,
		"store_errors", (json_int_t)e->store_errors,
		"oui_entries", (int)e->oui_entries,
		"support_entries", (int)ym_support_count(e->kb),
		"fingerprint_rules", (int)e->rules,
		"announcements", "mdns", (json_int_t)e->sniff.stats.mdns,
		"llmnr", (json_int_t)e->sniff.stats.llmnr,
		"netbios", (json_int_t)e->sniff.stats.netbios,
		"ssdp", (json_int_t)e->sniff.stats.ssdp,
		"dhcp6", (json_int_t)e->sniff.stats.dhcp6,
		"lldp", (json_int_t)e->sniff.stats.lldp,
		"cdp", (json_int_t)e->sniff.stats.cdp,
		"malformed", (json_int_t)e->sniff.stats.malformed,
		"upnp", "requested", (json_int_t)us.requested,
		"fetched", (json_int_t)us.fetched,
		"refused", (json_int_t)us.refused,
		"failed", (json_int_t)us.failed,
		"timeouts", (json_int_t)us.timeouts,
		"too_large", (json_int_t)us.too_large,
		"alerts", "raised", (json_int_t)as.raised,
		"repeats", (json_int_t)as.repeats,
		"suppressed", (json_int_t)as.suppressed,
		"store_errors", (json_int_t)as.store_errors);
}

static void put_dirty(struct ym_device *d, void *arg)
{
	struct ym_engine *e = arg;

	if (!d->dirty)
		return;
	if (ym_store_put_device(e->store, d) < 0)
		e->store_errors++;
	else
		d->dirty = false;
}

struct announce_ctx {
	struct ym_engine *e;
	uint64_t before_us; /* announce devices first seen before this */
	uint32_t waiting;   /* devices still too new to announce */
};

static void announce(struct ym_device *d, void *arg)
{
	struct announce_ctx *c = arg;

	if (d->announced)
		return;
	if (d->first_us > c->before_us) {
		c->waiting++;
		return;
	}
	d->announced = true;
	ym_alerts_raise(c->e->alerts, YM_ALERT_NEW_DEVICE, YM_INFO, d, "",
			NULL, c->e->clock_us);
}

/* Raises new_device for devices around long enough to have been linked
 * to an earlier record if they were a returning phone. */
static void announce_new(struct ym_engine *e, bool all)
{
	struct announce_ctx c = { e, all ? UINT64_MAX :
				      (e->clock_us > YM_ANNOUNCE_DELAY_US ?
					       e->clock_us - YM_ANNOUNCE_DELAY_US :
					       0), 0 };
	struct ym_inventory_stats is;

	/* Walk the devices only when one is waiting or a new one came. */
	ym_inventory_get_stats(e->inv, &is);
	if (!all && !e->announce_waiting && is.created == e->announce_created)
		return;
	ym_inventory_foreach(e->inv, announce, &c);
	e->announce_waiting = c.waiting;
	e->announce_created = is.created;
}

/* The device's first IPv4 address a password check may reach (private,
 * on this box's link), or NULL. */
static const struct ym_addr *audit_addr(const struct ym_device *d)
{
	for (uint8_t i = 0; i < d->n_ips; i++)
		if (d->ips[i].addr.family == 4 &&
		    ym_audit_addr_allowed(&d->ips[i].addr) &&
		    ym_audit_addr_on_link(&d->ips[i].addr))
			return &d->ips[i].addr;
	return NULL;
}

static void check_lifecycle(struct ym_device *d, void *arg)
{
	struct ym_engine *e = arg;

	ym_lifecycle_check(&e->lifecycle, d, e->clock_us);
	/* audit = on: every device is checked by itself once a day (the
	 * module keeps each to a few attempts a day and a few devices at a
	 * time; one that cannot start now is tried at the next commit). */
	if (e->audit && strcmp(e->cfg.audit, "on") == 0 &&
	    !(d->flags & YM_FLAG_RETIRED) &&
	    ym_audit_due(e->audit, d->mac, YM_AUDIT_DAY_US)) {
		const struct ym_addr *addr = audit_addr(d);

		if (addr)
			(void)!ym_audit_check(e->audit, d->mac, addr,
					      d->vendor, NULL);
	}
}

static uint64_t days_before(uint64_t now_us, uint32_t days)
{
	uint64_t span = (uint64_t)days * 86400 * 1000000;

	return now_us > span ? now_us - span : 0;
}

/* One batched transaction: every changed device and the status counters. */
static int commit(struct ym_engine *e, const char *state)
{
	json_t *st;
	char *text;
	int rc;

	ym_inventory_decide(e->inv);
	rc = ym_store_begin(e->store);
	if (rc < 0)
		goto out;
	ym_inventory_foreach(e->inv, check_lifecycle, e);
	ym_alerts_flush(e->alerts);
	ym_inventory_foreach(e->inv, put_dirty, e);
	st = status_json(e);
	if (st)
		json_object_set_new(st, "state", json_string(state));
	text = st ? json_dumps(st, JSON_COMPACT) : NULL;
	json_decref(st);
	if (text) {
		rc = ym_store_put_meta(e->store, "status", text);
		free(text);
	}
	if (rc == 0 && e->clock_us &&
	    ym_store_retain(e->store,
			    days_before(e->clock_us, e->cfg.retention_alerts_days),
			    days_before(e->clock_us,
					e->cfg.retention_devices_days)) < 0)
		e->store_errors++;
	if (rc == 0 && (ym_store_prune_devices(e->store,
					       e->cfg.max_stored_devices) < 0 ||
			ym_store_prune_alerts(e->store,
					      YM_MAX_STORED_ALERTS) < 0))
		e->store_errors++;
	if (rc == 0)
		rc = ym_store_commit(e->store);
out:
	if (rc < 0)
		e->store_errors++;
	e->last_commit_us = e->clock_us;
	e->last_commit_ms = uv_now(e->loop);
	return rc;
}

static void periodic(struct ym_engine *e)
{
	if (e->clock_us >= e->last_expire_us + 1000000) {
		ym_flow_expire(e->flows, e->clock_us);
		announce_new(e, false);
		e->last_expire_us = e->clock_us;
	}
	if (e->clock_us < e->last_commit_us +
				  (uint64_t)e->cfg.commit_interval * 1000000)
		return;
	/* A capture file replays hours in a second; its commits are also
	 * spaced by real time, so a month-long replay does not turn into
	 * tens of thousands of tiny transactions. What is analysed does not
	 * depend on this: it only paces writes to disk. */
	if (!e->live && uv_now(e->loop) < e->last_commit_ms + YM_FILE_COMMIT_MS)
		return;
	commit(e, "running");
}

static void on_packet(struct ym_capture_sink *sink, int linktype,
		      const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct ym_engine *e = ym_container_of(sink, struct ym_engine, sink);
	struct ym_packet pkt;
	struct ym_device *src;
	struct ym_flow *flow;
	enum ym_decode_result r;
	int dir = 0;

	pkt.ts_us = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
	/* The capture clock never runs backwards, even when a later file or a
	 * reordered packet carries an older timestamp. */
	if (pkt.ts_us > e->clock_us)
		e->clock_us = pkt.ts_us;
	else
		pkt.ts_us = e->clock_us;
	if (e->capture_start_us == 0) {
		e->capture_start_us = pkt.ts_us;
		e->last_commit_us = e->last_expire_us = pkt.ts_us;
	}
	e->packets++;
	e->bytes += h->len;
	r = ym_decode(linktype, data, h->caplen, h->len, &pkt);
	e->by_result[r]++;
	if (r != YM_DECODE_OK) {
		if (r != YM_DECODE_UNSUPPORTED_LINK)
			e->malformed++;
		goto out;
	}
	switch (pkt.l3) {
	case YM_L3_ARP:
		e->arp++;
		break;
	case YM_L3_IPV4:
		e->ipv4++;
		break;
	case YM_L3_IPV6:
		e->ipv6++;
		break;
	default:
		e->other_l3++;
		break;
	}
	if (pkt.fragment)
		e->fragments++;
	src = ym_inventory_packet(e->inv, &pkt);
	if (e->isolator && pkt.has_nd && pkt.nd.type == 134 &&
	    pkt.nd.router_lifetime_nonzero)
		ym_isolate_note_ipv6_router(e->isolator);
	ym_sniff_packet(&e->sniff, src, &pkt);
	flow = ym_flow_packet(e->flows, &pkt, &dir);
	ym_detect_packet(e->detect, src, &pkt, flow, dir);
out:
	periodic(e);
}

static void on_finished(struct ym_capture_sink *sink)
{
	struct ym_engine *e = ym_container_of(sink, struct ym_engine, sink);

	/* Serving a replayed household: the files are done, the answers go
	 * on until SIGTERM. */
	if (e->serve && !e->live) {
		ym_flow_expire(e->flows, UINT64_MAX);
		announce_new(e, true);
		commit(e, "running");
		return;
	}
	ym_engine_stop(e);
}

/* Live mode: the wall clock moves the capture clock when the network is
 * quiet, so flows still expire and commits still happen. */
static void on_tick(uv_timer_t *t)
{
	struct ym_engine *e = ym_container_of(t, struct ym_engine, tick);
	uint64_t now = ym_wall_us();

	if (now > e->clock_us)
		e->clock_us = now;
	if (e->capture_start_us == 0)
		e->last_commit_us = e->last_expire_us = e->clock_us;
	periodic(e);
}

int ym_engine_start_files(struct ym_engine *e, char **files, uint32_t n,
			  char *err, size_t errlen)
{
	int rc;

	e->sink.packet = on_packet;
	e->sink.finished = on_finished;
	rc = ym_capture_open_files(&e->capture, e->loop, files, n, &e->sink,
				   err, errlen);
	if (rc < 0)
		return rc;
	snprintf(e->sources, sizeof(e->sources), "%s%s", files[0],
		 n > 1 ? " ..." : "");
	return ym_capture_start(e->capture);
}

static int isolate_device(struct ym_engine *e, struct ym_device *d,
			  const char *reason, struct ym_api_deferred *later,
			  char *err, size_t errlen);
static struct ym_device *api_target(struct ym_engine *e, json_t *args,
				    char *err, size_t errlen);

static void on_alert_raised(struct ym_alerts_observer *obs,
			    enum ym_alert_kind kind, enum ym_severity sev,
			    const struct ym_device *dev, const char *target)
{
	struct ym_engine *e = ym_container_of(obs, struct ym_engine,
					      alerts_obs);
	char mac[YM_MAC_STRLEN];

	ym_mac_format(dev->mac, mac);
	/* auto_isolate = critical: a device raising a critical alert is cut
	 * off at once (verified like any isolation). */
	if (sev == YM_CRITICAL && ym_alert_kind_is_behaviour(kind) &&
	    strcmp(e->cfg.auto_isolate, "critical") == 0 &&
	    !(dev->flags & YM_FLAG_ISOLATED)) {
		char why[160];
		struct ym_device *d = ym_inventory_find(e->inv, dev->mac);

		if (d)
			(void)isolate_device(e, d, ym_alert_kind_name(kind),
					     NULL, why, sizeof(why));
	}
	ym_api_publish(e->api, json_pack("{s:s, s:s, s:s, s:s, s:s}", "event",
					 "alert", "kind",
					 ym_alert_kind_name(kind), "severity",
					 ym_severity_name(sev), "mac", mac,
					 "target", target));
}

static void on_audit_attempt(struct ym_audit_observer *o, const uint8_t mac[6],
			     const char *service, uint16_t port,
			     const char *user, bool accepted, uint64_t at_us)
{
	struct ym_engine *e = ym_container_of(o, struct ym_engine, audit_obs);

	/* Every attempt is logged: when, what, which user; never a password. */
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_log_attempt(e->store, at_us, mac, service, port, user,
				 accepted) < 0)
		e->store_errors++;
}

/* The day's attempts made before a restart count against the budget. */
static int restore_attempt(void *arg, const uint8_t mac[6],
			   const char *service, uint16_t port, uint64_t at_us)
{
	ym_audit_restore(arg, mac, service, port, at_us);
	return 0;
}

static json_t *audit_report_json(const struct ym_audit_report *r)
{
	json_t *list = json_array();
	char mac[YM_MAC_STRLEN], addr[YM_ADDR_STRLEN];

	for (uint32_t i = 0; i < r->n; i++) {
		const struct ym_audit_service_result *x = &r->services[i];

		json_array_append_new(
			list,
			json_pack("{s:s, s:i, s:s, s:s, s:i, s:s}", "service",
				  x->service, "port", x->port, "result",
				  ym_audit_result_name(x->result), "user",
				  x->result == YM_AUDIT_DEFAULT_ACCEPTED ?
					  x->user : "",
				  "attempts", (int)x->attempts, "detail",
				  x->detail));
	}
	ym_mac_format(r->mac, mac);
	ym_addr_format(&r->addr, addr, sizeof(addr));
	return json_pack("{s:s, s:s, s:o}", "mac", mac, "address", addr,
			 "services", list);
}

/* Resolves a device's alerts whose cause a check found gone. */
static void resolve(struct ym_engine *e, const struct ym_device *d,
		    enum ym_alert_kind kind, const char *target)
{
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_resolve_alerts(e->store, d->mac, ym_alert_kind_name(kind),
				    target) < 0)
		e->store_errors++;
}

static void on_audit_done(struct ym_audit_observer *o,
			  const struct ym_audit_report *r, void *token)
{
	struct ym_engine *e = ym_container_of(o, struct ym_engine, audit_obs);
	struct ym_device *d = ym_inventory_find(e->inv, r->mac);
	const char *dp = ym_alert_kind_name(YM_ALERT_DEFAULT_PASSWORD);
	bool accepted = false, telnet = false, ftp = false, answered = false;
	char target[32];
	int left;

	for (uint32_t i = 0; i < r->n; i++) {
		const struct ym_audit_service_result *x = &r->services[i];

		if (x->result == YM_AUDIT_NOT_OFFERED)
			continue;
		answered = true;
		telnet |= strcmp(x->service, "telnet") == 0;
		ftp |= strcmp(x->service, "ftp") == 0;
	}
	if (!d)
		goto out;
	for (uint32_t i = 0; i < r->n; i++) {
		const struct ym_audit_service_result *x = &r->services[i];

		snprintf(target, sizeof(target), "%s/%u", x->service, x->port);
		if (x->result == YM_AUDIT_DEFAULT_ACCEPTED) {
			accepted = true;
			ym_alerts_raise(e->alerts, YM_ALERT_DEFAULT_PASSWORD,
					YM_CRITICAL, d, target, NULL,
					e->clock_us);
		} else if (answered &&
			   (x->result == YM_AUDIT_NOT_OFFERED ||
			    x->result == YM_AUDIT_DEFAULTS_REFUSED)) {
			/* The device answered, and this way in is closed or
			 * its factory password no longer works: that warning
			 * is over, not just read. A service that could not be
			 * told (an error, today's attempts spent) keeps it. */
			resolve(e, d, YM_ALERT_DEFAULT_PASSWORD, target);
		}
	}
	/* The flag says whether a factory password is still known to work
	 * somewhere on the device. */
	if (accepted) {
		d->flags |= YM_FLAG_DEFAULT_PASSWORD;
	} else if (answered) {
		left = ym_store_begin(e->store) < 0 ? -1 :
		       ym_store_count_unresolved(e->store, d->mac, dp);
		if (left < 0)
			e->store_errors++;
		else if (left == 0)
			d->flags &= ~YM_FLAG_DEFAULT_PASSWORD;
	}
	d->dirty = true;
	if (telnet)
		ym_alerts_raise(e->alerts, YM_ALERT_RISKY_SERVICE, YM_WARNING,
				d, "telnet", NULL, e->clock_us);
	/* Telnet or FTP turned off (and the device answered on something
	 * else): that way in is closed. */
	if (answered && !telnet)
		resolve(e, d, YM_ALERT_RISKY_SERVICE, "telnet");
	if (answered && !ftp)
		resolve(e, d, YM_ALERT_RISKY_SERVICE, "ftp");
out:
	if (token)
		ym_api_complete(token, audit_report_json(r), NULL);
}

/* The device a request names by "target" (IP or MAC), or NULL. */
static struct ym_device *audit_target(struct ym_engine *e, json_t *args,
				      char *err, size_t errlen)
{
	const char *t = json_string_value(json_object_get(args, "target"));
	struct ym_device *d = NULL;
	struct ym_addr a;
	uint8_t mac[6];

	if (!t) {
		snprintf(err, errlen, "give \"target\": an address or a MAC");
		return NULL;
	}
	if (ym_mac_parse(t, mac) == 0)
		d = ym_inventory_find(e->inv, mac);
	else if (ym_addr_parse(t, &a) == 0)
		d = ym_inventory_find_addr(e->inv, &a);
	else {
		snprintf(err, errlen, "\"%.60s\" is neither an address nor a "
			 "MAC", t);
		return NULL;
	}
	if (!d)
		snprintf(err, errlen, "refused: %.60s is not a device Yamori "
			 "knows on this network", t);
	return d;
}

/* Starts a check for the API; the answer comes when it is done. */
static json_t *api_audit(struct ym_engine *e, json_t *args,
			 struct ym_api_call *call, char *err, size_t errlen)
{
	struct ym_device *d;
	const struct ym_addr *addr = NULL;
	struct ym_api_deferred *later;
	const char *t;
	struct ym_addr want;
	int rc;

	if (!e->audit || strcmp(e->cfg.audit, "off") == 0) {
		snprintf(err, errlen, "password checks are off (audit = off)");
		return NULL;
	}
	d = audit_target(e, args, err, errlen);
	if (!d)
		return NULL;
	/* The address asked for, else the device's first IPv4 that can be
	 * checked. */
	t = json_string_value(json_object_get(args, "target"));
	if (ym_addr_parse(t, &want) == 0) {
		addr = &want;
	} else if (!(addr = audit_addr(d))) {
		snprintf(err, errlen, "refused: no address of this device on "
			 "this network is known yet");
		return NULL;
	}
	if (!ym_audit_addr_allowed(addr)) {
		snprintf(err, errlen, "refused: only devices on this home "
			 "network are checked");
		return NULL;
	}
	later = ym_api_defer(call);
	if (!later) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = ym_audit_check(e->audit, d->mac, addr, d->vendor, later);
	if (rc < 0) {
		ym_api_complete(later, NULL,
				rc == -EAGAIN ? "busy: this device was checked "
						"enough today, or too many "
						"checks run; try later" :
				rc == -EALREADY ? "this device is being checked" :
				rc == -EPERM ? "refused: only devices on this "
					       "home network are checked" :
						"the check could not start");
	}
	return NULL;
}

/* Verifying an isolation: a moment after applying it, the kernel (nft) or
 * the network (arp) must show it holds before anyone is told "isolated". */
struct isolation_check {
	uv_timer_t timer;
	struct ym_engine *e;
	uint8_t mac[6];
	struct ym_api_deferred *later; /* NULL for automatic isolation */
	char reason[64];
	int tries;
};

#define YM_ISOLATE_VERIFY_MS 2000
#define YM_ISOLATE_VERIFY_TRIES 3

static void isolation_check_closed(uv_handle_t *h)
{
	free(ym_container_of((uv_timer_t *)h, struct isolation_check, timer));
}

static void on_isolation_verify(uv_timer_t *t)
{
	struct isolation_check *c = ym_container_of(t, struct isolation_check,
						    timer);
	struct ym_engine *e = c->e;
	struct ym_device *d = ym_inventory_find(e->inv, c->mac);
	int v = e->isolator ? ym_isolate_verify(e->isolator, c->mac) : -EIO;
	char why[160];

	if (v == 0 && ++c->tries < YM_ISOLATE_VERIFY_TRIES) {
		uv_timer_start(&c->timer, on_isolation_verify,
			       YM_ISOLATE_VERIFY_MS, 0);
		return;
	}
	if (v == 1 && d) {
		d->flags |= YM_FLAG_ISOLATED;
		d->dirty = true;
		if (ym_store_begin(e->store) < 0 ||
		    ym_store_put_isolation(e->store, c->mac, e->clock_us,
					   c->reason, true) < 0)
			e->store_errors++;
		ym_alerts_raise(e->alerts, YM_ALERT_ISOLATED, YM_WARNING, d,
				"", NULL, e->clock_us);
		if (c->later)
			ym_api_complete(c->later, ym_report_device(d), NULL);
	} else {
		/* It did not take: say so, and take back what was applied. */
		snprintf(why, sizeof(why), "the isolation did not take: %s",
			 e->isolator ? ym_isolate_reason(e->isolator) :
				       "stopped");
		if (e->isolator)
			(void)!ym_isolate_release(e->isolator, c->mac, NULL, 0);
		if (c->later)
			ym_api_complete(c->later, NULL, why);
	}
	uv_close((uv_handle_t *)&c->timer, isolation_check_closed);
}

/* This box's MAC on an interface, from sysfs; false if unknown. */
static bool interface_mac(const char *ifname, uint8_t mac[6])
{
	char path[128], text[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(text, sizeof(text), f))
		text[0] = '\0';
	fclose(f);
	text[strcspn(text, "\n")] = '\0';
	return ym_mac_parse(text, mac) == 0;
}

/* Starts the isolation backend the config names, once the network it
 * needs is known (arp mode needs the gateway). */
static int isolator_start(struct ym_engine *e, char *err, size_t errlen)
{
	struct ym_isolate_env env = { .ifname = "" };
	struct ym_device *gw;

	if (e->isolator)
		return 0;
	if (ym_isolate_mode_parse(e->cfg.isolate, &e->isolate_mode) < 0)
		e->isolate_mode = YM_ISOLATE_NONE;
	/* Interface names are checked to fit when the config is read. */
	if (e->cfg.n_interfaces)
		snprintf(env.ifname, sizeof(env.ifname), "%.15s",
			 e->cfg.interfaces[0]);
	interface_mac(env.ifname, env.self_mac);
	gw = ym_inventory_gateway(e->inv);
	if (gw) {
		memcpy(env.gateway_mac, gw->mac, 6);
		for (uint8_t i = 0; i < gw->n_ips; i++)
			if (gw->ips[i].addr.family == 4)
				env.gateway_ip = gw->ips[i].addr;
	}
	if (e->isolate_mode == YM_ISOLATE_ARP && !gw) {
		snprintf(err, errlen, "refused: the router is not known yet");
		return -EAGAIN;
	}
	return ym_isolate_init(&e->isolator, e->isolate_mode, e->loop, &env,
			       err, errlen);
}

/* Isolates a device and verifies it; the answer (if any) comes later. */
static int isolate_device(struct ym_engine *e, struct ym_device *d,
			  const char *reason, struct ym_api_deferred *later,
			  char *err, size_t errlen)
{
	struct ym_isolate_target t = { .ipv4 = { 0 } };
	struct isolation_check *c;
	int rc;

	if (strcmp(e->cfg.isolate, "none") == 0) {
		snprintf(err, errlen, "refused: isolation is off here "
			 "(isolate = none)");
		return -ENOTSUP;
	}
	rc = isolator_start(e, err, errlen);
	if (rc < 0)
		return rc;
	if (d->gateway) {
		snprintf(err, errlen, "refused: the router itself is never "
			 "isolated");
		return -EPERM;
	}
	if (d->never_isolate) {
		snprintf(err, errlen, "refused: the household marked this "
			 "device \"never isolate\"");
		return -EPERM;
	}
	memcpy(t.mac, d->mac, 6);
	for (uint8_t i = 0; i < d->n_ips; i++)
		if (d->ips[i].addr.family == 4)
			t.ipv4 = d->ips[i].addr;
	rc = ym_isolate_apply(e->isolator, &t, err, errlen);
	if (rc < 0) {
		if (strncmp(err, "refused", 7) != 0) {
			char tmp[256];

			snprintf(tmp, sizeof(tmp), "refused: %s", err);
			snprintf(err, errlen, "%s", tmp);
		}
		return rc;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->e = e;
	memcpy(c->mac, d->mac, 6);
	c->later = later;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	uv_timer_init(e->loop, &c->timer);
	uv_timer_start(&c->timer, on_isolation_verify, YM_ISOLATE_VERIFY_MS, 0);
	return 0;
}

static json_t *api_isolate(struct ym_engine *e, const char *cmd, json_t *args,
			   struct ym_api_call *call, char *err, size_t errlen)
{
	struct ym_device *d = api_target(e, args, err, errlen);
	struct ym_api_deferred *later;

	if (!d)
		return NULL;
	if (strcmp(cmd, "release") == 0) {
		if (!e->isolator || ym_isolate_release(e->isolator, d->mac, err,
						       errlen) < 0) {
			if (!err[0])
				snprintf(err, errlen, "isolation is off here");
			return NULL;
		}
		d->flags &= ~YM_FLAG_ISOLATED;
		d->dirty = true;
		if (ym_store_begin(e->store) < 0 ||
		    ym_store_delete_isolation(e->store, d->mac) < 0)
			e->store_errors++;
		return ym_report_device(d);
	}
	later = ym_api_defer(call);
	if (!later) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (isolate_device(e, d, "asked by the household", later, err,
			   errlen) < 0) {
		ym_api_complete(later, NULL, err);
		err[0] = '\0';
	}
	return NULL;
}

/* At start: the kernel and the records agree again. nft isolation holds
 * when the daemon dies; what the records say but the kernel lost is
 * applied again, what the kernel holds is recorded. */
static void reconcile_isolation(struct ym_engine *e)
{
	uint8_t kernel[64][6], stored[64][6];
	int nk, ns;
	char why[160];

	if (!e->isolator || e->isolate_mode != YM_ISOLATE_NFT)
		return;
	nk = ym_isolate_list(e->isolator, kernel, 64);
	ns = ym_store_get_isolations(e->store, stored, 64);
	for (int i = 0; i < ns; i++) {
		struct ym_isolate_target t = { .ipv4 = { 0 } };
		bool held = false;

		for (int k = 0; k < nk; k++)
			held |= memcmp(kernel[k], stored[i], 6) == 0;
		if (held)
			continue;
		memcpy(t.mac, stored[i], 6);
		(void)!ym_isolate_apply(e->isolator, &t, why, sizeof(why));
	}
	for (int k = 0; k < nk; k++) {
		struct ym_device *d = ym_inventory_find(e->inv, kernel[k]);

		if (d) {
			d->flags |= YM_FLAG_ISOLATED;
			d->dirty = true;
		}
		if (ym_store_begin(e->store) < 0 ||
		    ym_store_put_isolation(e->store, kernel[k], e->clock_us,
					   "held across a restart", true) < 0)
			e->store_errors++;
	}
}

/* True when the daemon speaks Japanese to the household. */
static bool japanese(void)
{
	const char *l = getenv("LANGUAGE");

	if (!l || !l[0])
		l = setlocale(LC_MESSAGES, NULL);
	return l && strncmp(l, "ja", 2) == 0;
}

/* A device as the API gives it: the contract's fields, and for the panel
 * the maker's support contact and the steps to reset it (rules 1 and 4). */
static json_t *device_json(struct ym_engine *e, const struct ym_device *d)
{
	const struct ym_support_entry *m, *v, *g;
	json_t *o = ym_report_device(d);
	const char *eos = "unknown", *steps = "";
	char date[16] = "";

	if (!o)
		return NULL;
	m = ym_support_model(e->kb, d->vendor, d->model);
	v = ym_support_vendor(e->kb, d->vendor);
	g = ym_support_generic(e->kb, d->type);
	if (m && m->eos == YM_EOS_SUPPORTED)
		eos = "supported";
	else if (m && m->eos == YM_EOS_ENDED)
		eos = "ended";
	else if (m && m->eos == YM_EOS_DATE) {
		char t[YM_TIME_STRLEN];

		ym_time_format(m->eos_us, t);
		snprintf(date, sizeof(date), "%.10s", t);
		eos = date;
	}
	if (m && (japanese() ? m->reset_ja[0] : m->reset_en[0]))
		steps = japanese() ? m->reset_ja : m->reset_en;
	else if (g)
		steps = japanese() ? g->reset_ja : g->reset_en;
	json_object_set_new(
		o, "support",
		json_pack("{s:s, s:s, s:s, s:s, s:s}", "contact_web",
			  m && m->contact_web[0] ? m->contact_web :
			  v			 ? v->contact_web :
						   "",
			  "contact_phone",
			  m && m->contact_phone[0] ? m->contact_phone :
			  v			   ? v->contact_phone :
						     "",
			  "end_of_support", eos, "latest_firmware",
			  m ? m->latest_firmware : "", "source",
			  m ? m->source : v ? v->source : ""));
	json_object_set_new(o, "reset_steps", json_string(steps));
	return o;
}

/* One of the words a setting allows, or NULL. */
static const char *setting_word(json_t *v, const char *const *words)
{
	const char *s = json_string_value(v);

	for (; s && *words; words++)
		if (strcmp(s, *words) == 0)
			return *words;
	return NULL;
}

/* The household's choices from the panel: password checks and automatic
 * isolation. They last across restarts (kept in the database) and win
 * over the config file, which holds the defaults. */
static json_t *api_settings(struct ym_engine *e, json_t *args, char *err,
			    size_t errlen)
{
	static const char *const audit_words[] = { "off", "ask", "on", NULL };
	static const char *const iso_words[] = { "never", "ask", "critical",
						 NULL };
	json_t *a = json_object_get(args, "audit"),
	       *i = json_object_get(args, "auto_isolate"), *out;
	const char *aw = a ? setting_word(a, audit_words) : NULL;
	const char *iw = i ? setting_word(i, iso_words) : NULL;
	char *text;

	if ((a && !aw) || (i && !iw)) {
		snprintf(err, errlen, "audit is off, ask or on; auto_isolate is "
			 "never, ask or critical");
		return NULL;
	}
	if (aw)
		snprintf(e->cfg.audit, sizeof(e->cfg.audit), "%s", aw);
	if (iw)
		snprintf(e->cfg.auto_isolate, sizeof(e->cfg.auto_isolate), "%s",
			 iw);
	out = json_pack("{s:s, s:s, s:s}", "audit", e->cfg.audit,
			"auto_isolate", e->cfg.auto_isolate, "isolate",
			e->cfg.isolate);
	if (aw || iw) {
		text = json_dumps(out, JSON_COMPACT);
		if (!text || ym_store_begin(e->store) < 0 ||
		    ym_store_put_meta(e->store, "settings", text) < 0)
			e->store_errors++;
		free(text);
	}
	return out;
}

/* Settings the household chose earlier, over the config file's. */
static void load_settings(struct ym_engine *e)
{
	char *text = ym_store_get_meta(e->store, "settings");
	json_t *st = text ? json_loads(text, 0, NULL) : NULL;
	char err[64];

	free(text);
	if (st)
		json_decref(api_settings(e, st, err, sizeof(err)));
	json_decref(st);
}

struct api_devices {
	json_t *list;
	bool all;
	struct ym_engine *e;
};

static void api_device(struct ym_device *d, void *arg)
{
	struct api_devices *c = arg;

	if ((d->flags & YM_FLAG_RETIRED) && !c->all)
		return;
	json_array_append_new(c->list, device_json(c->e, d));
}

static int api_alert(const struct ym_alert_row *a, void *arg)
{
	struct ym_engine *e = ((void **)arg)[0];
	json_t *list = ((void **)arg)[1];
	uint8_t mac[6];
	struct ym_device *d = a->mac && ym_mac_parse(a->mac, mac) == 0 ?
				      ym_inventory_find(e->inv, mac) :
				      NULL;
	const char *name = d ? ym_device_display_name(d) : "";

	if (d && !name[0])
		name = d->vendor;
	json_array_append_new(list, ym_report_alert(a, name));
	return 0;
}

/* The device a request names by "mac", or NULL with err set. */
static struct ym_device *api_target(struct ym_engine *e, json_t *args,
				    char *err, size_t errlen)
{
	const char *text = json_string_value(json_object_get(args, "mac"));
	struct ym_device *d;
	uint8_t mac[6];

	if (!text || ym_mac_parse(text, mac) < 0) {
		snprintf(err, errlen, "give \"mac\" as aa:bb:cc:dd:ee:ff");
		return NULL;
	}
	d = ym_inventory_find(e->inv, mac);
	if (!d)
		snprintf(err, errlen, "no device %s", text);
	return d;
}

static json_t *api_request(struct ym_api_handler *h, const char *cmd,
			   json_t *args, struct ym_api_call *call, char *err,
			   size_t errlen)
{
	struct ym_engine *e = ym_container_of(h, struct ym_engine, api_handler);
	struct ym_device *d;

	if (strcmp(cmd, "status") == 0) {
		json_t *st = status_json(e);

		json_object_set_new(st, "state", json_string("running"));
		return st;
	}
	if (strcmp(cmd, "devices") == 0) {
		struct api_devices c = { json_array(),
					 json_is_true(json_object_get(args,
								      "all")),
					 e };

		ym_inventory_foreach(e->inv, api_device, &c);
		return c.list;
	}
	if (strcmp(cmd, "alerts") == 0) {
		json_t *list = json_array();
		void *ctx[2] = { e, list };

		if (ym_store_get_alerts(e->store, api_alert, ctx) < 0) {
			json_decref(list);
			snprintf(err, errlen, "cannot read the alerts");
			return NULL;
		}
		return list;
	}
	if (strcmp(cmd, "acknowledge") == 0) {
		json_t *id = json_object_get(args, "id");

		if (!json_is_integer(id) || ym_store_begin(e->store) < 0 ||
		    ym_store_set_alert_state(e->store, json_integer_value(id),
					     "acknowledged") < 0) {
			snprintf(err, errlen, "no alert with that \"id\"");
			return NULL;
		}
		return json_null();
	}
	if (strcmp(cmd, "rename") == 0 || strcmp(cmd, "retire") == 0 ||
	    strcmp(cmd, "never_isolate") == 0) {
		d = api_target(e, args, err, errlen);
		if (!d)
			return NULL;
		if (cmd[0] == 'n') {
			d->never_isolate = !json_is_false(
				json_object_get(args, "on"));
		} else if (cmd[2] == 'n') {
			const char *name = json_string_value(
				json_object_get(args, "name"));

			if (!name) {
				snprintf(err, errlen, "give \"name\"");
				return NULL;
			}
			ym_strlcpy_clean(d->user_name, name, strlen(name),
					 sizeof(d->user_name));
			/* The row may not be written yet: write it first. */
			if (ym_store_begin(e->store) < 0 ||
			    ym_store_put_device(e->store, d) < 0 ||
			    ym_store_rename(e->store, d->mac, d->user_name) <
				    0) {
				snprintf(err, errlen, "cannot record the name");
				return NULL;
			}
		} else {
			d->flags |= YM_FLAG_RETIRED;
			d->retired_us = e->clock_us;
		}
		d->dirty = true;
		return device_json(e, d);
	}
	if (strcmp(cmd, "settings") == 0)
		return api_settings(e, args, err, errlen);
	if (strcmp(cmd, "audit") == 0)
		return api_audit(e, args, call, err, errlen);
	if (strcmp(cmd, "isolate") == 0 || strcmp(cmd, "release") == 0)
		return api_isolate(e, cmd, args, call, err, errlen);
	snprintf(err, errlen, "unknown command \"%.40s\"", cmd);
	return NULL;
}

int ym_engine_serve(struct ym_engine *e, char *err, size_t errlen)
{
	char path[1100];
	int rc;

	ym_api_default_path(e->cfg.state_dir, path, sizeof(path));
	if (e->cfg.api_socket[0])
		snprintf(path, sizeof(path), "%s", e->cfg.api_socket);
	e->api_handler.request = api_request;
	e->alerts_obs.raised = on_alert_raised;
	ym_alerts_set_observer(e->alerts, &e->alerts_obs);
	e->serve = true;
	rc = ym_api_init(&e->api, e->loop, path, &e->api_handler, err, errlen);
	if (rc == -EADDRINUSE)
		return rc;
	if (rc < 0) {
		/* Capture still works; only the panel cannot talk. */
		fprintf(stderr, "yamorid: %s\n", err);
		err[0] = '\0';
	}
	return 0;
}

int ym_engine_start_live(struct ym_engine *e, char *err, size_t errlen)
{
	size_t off = 0;
	int rc;

	e->live = true;
	e->sink.packet = on_packet;
	e->sink.finished = on_finished;
	rc = ym_capture_open_live(&e->capture, e->loop, e->cfg.interfaces,
				  e->cfg.n_interfaces, e->cfg.snaplen,
				  e->cfg.promiscuous, &e->sink, err, errlen);
	if (rc < 0)
		return rc;
	for (uint32_t i = 0; i < e->cfg.n_interfaces; i++)
		off += (size_t)snprintf(e->sources + off,
					sizeof(e->sources) - off, "%s%s",
					i ? " " : "", e->cfg.interfaces[i]);
	e->clock_us = e->last_commit_us = e->last_expire_us = ym_wall_us();
	rc = ym_engine_serve(e, err, errlen);
	if (rc < 0)
		return rc;
	if (strcmp(e->cfg.audit, "off") != 0) {
		struct ym_audit_config acfg;
		char path[1100];

		snprintf(path, sizeof(path), "%s/credentials", e->cfg.data_dir);
		e->audit_obs.attempt = on_audit_attempt;
		e->audit_obs.done = on_audit_done;
		ym_audit_config_default(&acfg);
		acfg.max_attempts = e->cfg.audit_attempts;
		acfg.spacing_ms = e->cfg.audit_spacing * 1000;
		acfg.max_active = e->cfg.audit_parallel;
		/* An IPv6 link-local device is reached on the (first)
		 * interface it was seen on. */
		if (e->cfg.n_interfaces > 0)
			acfg.v6_scope_id =
				if_nametoindex(e->cfg.interfaces[0]);
		if (ym_audit_init(&e->audit, e->loop, path, &acfg,
				  &e->audit_obs, err, errlen) < 0) {
			/* Without credentials there is nothing to check. */
			fprintf(stderr, "yamorid: %s; password checks are "
				"off\n", err);
			err[0] = '\0';
			e->audit = NULL;
		} else if (ym_store_attempts_since(
				   e->store,
				   days_before(ym_wall_us(), 1),
				   restore_attempt, e->audit) < 0) {
			/* Without the log a restart would grant a new day's
			 * attempts: no checks rather than too many. */
			fprintf(stderr, "yamorid: cannot read the password "
				"check log; password checks are off\n");
			ym_audit_close(e->audit);
			e->audit = NULL;
		}
	}
	/* Router mode: isolation in the kernel outlives the daemon; what it
	 * holds and what the records say are brought together now. */
	if (strcmp(e->cfg.isolate, "nft") == 0) {
		if (isolator_start(e, err, errlen) < 0) {
			fprintf(stderr, "yamorid: %s\n", err);
			return -EINVAL;
		}
		reconcile_isolation(e);
	}
	rc = ym_upnp_init(&e->upnp, e->loop, &e->upnp_obs);
	if (rc == 0)
		rc = ym_capture_start(e->capture);
	if (rc == 0)
		rc = uv_timer_start(&e->tick, on_tick, 1000, 1000);
	if (rc == 0) {
		e->tick_started = true;
		rc = commit(e, "running");
	}
	if (rc < 0)
		snprintf(err, errlen, "cannot start capture: %s",
			 strerror(-rc));
	return rc;
}

void ym_engine_stop(struct ym_engine *e)
{
	if (e->stopped)
		return;
	e->stopped = true;
	uv_close((uv_handle_t *)&e->tick, NULL);
	ym_capture_drain(e->capture);
	/* Every flow still open ends now, so its protocol is counted; then one
	 * last commit, while the capture statistics can still be read. */
	ym_flow_expire(e->flows, UINT64_MAX);
	announce_new(e, true);
	if (commit(e, "stopped") < 0)
		e->status = 1;
	ym_capture_close(e->capture);
	e->capture = NULL;
	ym_upnp_close(e->upnp);
	e->upnp = NULL;
	ym_audit_close(e->audit);
	e->audit = NULL;
	/* arp mode puts the caches right again; nft rules stay. */
	if (e->isolator)
		ym_isolate_close(e->isolator, true);
	e->isolator = NULL;
	ym_api_close(e->api);
	e->api = NULL;
}

int ym_engine_fini(struct ym_engine *e)
{
	int status;

	if (!e)
		return 0;
	ym_engine_stop(e);
	status = e->status || e->store_errors ? 1 : 0;
	ym_flow_fini(e->flows);
	ym_detect_fini(e->detect);
	ym_inventory_fini(e->inv);
	ym_alerts_fini(e->alerts);
	ym_intel_fini(e->intel);
	ym_support_fini(e->kb);
	ym_store_close(e->store);
	ym_identify_fini(e->id);
	ym_oui_fini(e->oui);
	free(e);
	return status;
}
