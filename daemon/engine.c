#include "engine-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <pcap/pcap.h>

#include "alerts.h"
#include "capture.h"
#include "decode.h"
#include "detect.h"
#include "evlog.h"
#include "engine-fleet.h"
#include "flow.h"
#include "identify.h"
#include "intel.h"
#include "inventory.h"
#include "isolate.h"
#include "lifecycle.h"
#include "oui.h"
#include "sniff.h"
#include "store.h"
#include "support.h"
#include "upnp.h"
#include "ym-limits.h"

/* A device is announced (new_device) after this long, so a phone that
 * rejoined with a new random address is linked to its record first. */
#define YM_ANNOUNCE_DELAY_US (60ULL * 1000000)

/* Least real time between two commits when replaying capture files. */
#define YM_FILE_COMMIT_MS 1000

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
	/* Without rules devices keep registry vendors and names; without
	 * the other lists their checks are off (said once each). */
	rc = ym_update_load_data(e, err, errlen);
	if (rc < 0)
		goto out;
	e->rules = (uint32_t)ym_identify_rule_count(e->id);
	e->sniff.id = e->id;
	e->sniff_obs.upnp_location = on_upnp_location;
	e->sniff.obs = &e->sniff_obs;
	e->upnp_obs.described = on_described;
	rc = ym_store_open(&e->store, cfg->state_dir, err, errlen);
	if (rc < 0)
		goto out;
	rc = ym_evlog_key_open(&e->evkey, cfg->state_dir, err, errlen);
	if (rc < 0)
		goto out;
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
		ym_engine_load_settings(e);
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
		ym_evlog_key_close(e->evkey);
		ym_identify_fini(e->id);
		ym_oui_fini(e->oui);
		free(e);
		return rc;
	}
	*out = e;
	return 0;
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

static void check_lifecycle(struct ym_device *d, void *arg)
{
	struct ym_engine *e = arg;

	ym_lifecycle_check(&e->lifecycle, d, e->clock_us);
	ym_respond_audit_due(e, d);
}

uint64_t ym_engine_days_before(uint64_t now_us, uint32_t days)
{
	uint64_t span = (uint64_t)days * 86400 * 1000000;

	return now_us > span ? now_us - span : 0;
}

/* Signs the event log's head when entries came since the last signed one
 * (inside the commit's batch); head gets the head entry's detail, or "". */
static void sign_head(struct ym_engine *e, char *head, size_t len)
{
	char hash[YM_EVLOG_HASH_STRLEN];
	int64_t seq;
	bool is_head;

	head[0] = '\0';
	if (!e->evkey || ym_store_last_event(e->store, &seq, hash,
					      &is_head) < 0) {
		e->store_errors++;
		return;
	}
	if (seq == 0 || is_head)
		return;
	if (ym_evlog_sign_head(e->evkey, seq, hash, head, len) < 0 ||
	    ym_store_log_event(e->store, YM_EVLOG_HEAD, NULL, head, 0) < 0) {
		head[0] = '\0';
		e->store_errors++;
	}
}

/* One batched transaction: every changed device and the status counters;
 * durable syncs it to the disk before returning. */
static int commit_as(struct ym_engine *e, const char *state, bool durable)
{
	char head[320] = "";
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
	st = ym_engine_status_json(e);
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
			    ym_engine_days_before(e->clock_us, e->cfg.retention_alerts_days),
			    ym_engine_days_before(e->clock_us,
					e->cfg.retention_devices_days)) < 0)
		e->store_errors++;
	if (rc == 0 && (ym_store_prune_devices(e->store,
					       e->cfg.max_stored_devices) < 0 ||
			ym_store_prune_alerts(e->store,
					      YM_MAX_STORED_ALERTS) < 0))
		e->store_errors++;
	if (rc == 0 && ym_store_trim_events(e->store,
					    e->cfg.max_log_entries) < 0)
		e->store_errors++;
	if (rc == 0)
		sign_head(e, head, sizeof(head));
	if (rc == 0)
		rc = durable ? ym_store_commit_durable(e->store) :
			       ym_store_commit(e->store);
	/* Only a committed head is kept beside the database. */
	if (rc == 0 && head[0] &&
	    ym_evlog_write_head(e->cfg.state_dir, head) < 0)
		e->store_errors++;
out:
	if (rc < 0)
		e->store_errors++;
	e->last_commit_us = e->clock_us;
	e->last_commit_ms = uv_now(e->loop);
	return rc;
}

static int commit(struct ym_engine *e, const char *state)
{
	return commit_as(e, state, false);
}

int ym_engine_commit_now(struct ym_engine *e)
{
	return commit_as(e, "running", true);
}

void ym_engine_log_now(struct ym_engine *e, const char *kind, json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;

	if (!text || ym_store_begin(e->store) < 0 ||
	    ym_store_log_event(e->store, kind, "", text, 0) < 0 ||
	    ym_engine_commit_now(e) < 0)
		e->store_errors++;
	free(text);
	json_decref(detail);
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

int ym_engine_feed(struct ym_engine *e, int linktype, uint64_t ts_us,
		   const uint8_t *data, uint32_t caplen, uint32_t len)
{
	struct pcap_pkthdr h;

	if (caplen > len)
		return -EINVAL;
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(ts_us % 1000000);
	h.caplen = caplen;
	h.len = len;
	on_packet(&e->sink, linktype, &h, data);
	return 0;
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

static json_t *api_request(struct ym_api_handler *h, const char *cmd,
			   json_t *args, struct ym_api_call *call,
			   struct ym_api_error *err)
{
	struct ym_engine *e = ym_container_of(h, struct ym_engine, api_handler);

	return ym_engine_request(e, cmd, args, call, err);
}

int ym_engine_serve(struct ym_engine *e, char *err, size_t errlen)
{
	char path[1100];
	int rc;

	ym_api_default_path(e->cfg.state_dir, path, sizeof(path));
	if (e->cfg.api_socket[0])
		snprintf(path, sizeof(path), "%s", e->cfg.api_socket);
	e->api_handler.request = api_request;
	ym_respond_watch_alerts(e);
	e->serve = true;
	rc = ym_api_init(&e->api, e->loop, path, &e->api_handler, err, errlen);
	if (rc == -EADDRINUSE)
		return rc;
	if (rc < 0) {
		/* Capture still works; only the panel cannot talk. */
		fprintf(stderr, "yamorid: %s\n", err);
		err[0] = '\0';
	}
	rc = ym_update_start(e);
	if (rc < 0)
		/* Updates by hand (yamorictl update) still work. */
		fprintf(stderr, "yamorid: cannot schedule data updates: %s\n",
			uv_strerror(rc));
	/* Fleet reports, when the household or the config turned them on. */
	if (ym_fleet_start(e) < 0)
		fprintf(stderr, "yamorid: fleet reports cannot start\n");
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
	ym_respond_audit_start(e);
	if (ym_respond_isolation_start(e, err, errlen) < 0) {
		fprintf(stderr, "yamorid: %s\n", err);
		return -EINVAL;
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
	ym_update_stop(e);
	ym_fleet_stop(e);
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
	ym_update_fini(e);
	ym_fleet_fini(e);
	ym_flow_fini(e->flows);
	ym_detect_fini(e->detect);
	ym_inventory_fini(e->inv);
	ym_alerts_fini(e->alerts);
	ym_intel_fini(e->intel);
	ym_support_fini(e->kb);
	ym_store_close(e->store);
	ym_evlog_key_close(e->evkey);
	ym_identify_fini(e->id);
	ym_oui_fini(e->oui);
	free(e);
	return status;
}
