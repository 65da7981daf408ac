/* The engine's insides, shared by its files and nobody else: engine.c (the
 * spine: wiring, clocks, commits), engine-api.c (the API's commands) and
 * respond.c (the response policy: password checks and isolation). The unit
 * tests include it to reach the command table. */
#ifndef YM_ENGINE_PRIVATE_H
#define YM_ENGINE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "alerts.h"
#include "api.h"
#include "audit.h"
#include "bundle.h"
#include "capture.h"
#include "config.h"
#include "decode.h"
#include "engine.h"
#include "evlog.h"
#include "flow.h"
#include "inventory.h"
#include "lifecycle.h"
#include "sniff.h"
#include "upnp.h"

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
	struct ym_audit_observer audit_obs;
	struct ym_alerts_observer alerts_obs;
	struct ym_upnp_observer upnp_obs;
	struct ym_store *store;
	struct ym_evlog_key *evkey;       /* signs the event log's head */
	struct ym_alerts *alerts;
	struct ym_intel *intel;
	struct ym_detect *detect;
	struct ym_support *kb;
	struct ym_bundle_info data;       /* the data in use (update.c) */
	struct ym_update *update;         /* data updates (update.c) */
	struct ym_fleet *fleet;           /* fleet reports (fleet.c) */
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
	bool audit_starting; /* in ym_audit_check: no refill from done() */
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

/* engine.c */

/* The time days before now_us, or 0. */
uint64_t ym_engine_days_before(uint64_t now_us, uint32_t days);

/* Commits now, synced to the disk: what the household asked for is kept
 * before the API says ok. 0 or negative on a store error. */
int ym_engine_commit_now(struct ym_engine *e) YM_MUST_CHECK;
/* An event (DETAIL, a reference it takes) into Yamori's own record, on the
 * disk at once: a power cut right after must not erase its trace. */
void ym_engine_log_now(struct ym_engine *e, const char *kind, json_t *detail);

/* Hands one frame to the packet path (decode, inventory, sniff, flows with
 * nDPI, detect, then the periodic work) as if the capture had read it, for
 * the whole-packet fuzzer and tests. caplen above len is -EINVAL. */
int ym_engine_feed(struct ym_engine *e, int linktype, uint64_t ts_us,
		   const uint8_t *data, uint32_t caplen, uint32_t len)
	YM_MUST_CHECK;

/* engine-api.c: the commands of the API. */

/* Flags of a command in the table. */
enum {
	/* args must name a device by "mac"; the table looks it up first. */
	YM_CMD_DEVICE = 1 << 0,
	/* The answer may come later (ym_api_defer), so only a client's
	 * request can run it. */
	YM_CMD_DEFERS = 1 << 1,
	/* Changes what is recorded: saved to the disk before the answer. */
	YM_CMD_DURABLE = 1 << 2,
};

/* One request as a command sees it. */
struct ym_engine_request {
	const char *cmd;
	json_t *args;
	struct ym_api_call *call;   /* NULL when not from a client (tests) */
	struct ym_device *dev;      /* with YM_CMD_DEVICE */
	struct ym_api_error *err;
};

struct ym_engine_command {
	const char *name;
	/* The result (a new reference), or NULL with r->err set (or after
	 * ym_api_defer). */
	json_t *(*run)(struct ym_engine *e, struct ym_engine_request *r);
	unsigned flags;
};

/* The command called name, or NULL. */
const struct ym_engine_command *ym_engine_command_find(const char *name);

/* The table, for tests and docs: n commands. */
const struct ym_engine_command *ym_engine_commands(size_t *n);

/* Answers one request (the API handler's job); see ym_api_handler. */
json_t *ym_engine_request(struct ym_engine *e, const char *cmd, json_t *args,
			  struct ym_api_call *call, struct ym_api_error *err);

/* The status object (counters of every module) without "state". */
json_t *ym_engine_status_json(struct ym_engine *e);

/* Applies the settings the household chose earlier over the config's. */
void ym_engine_load_settings(struct ym_engine *e);

/* update.c: signed data updates. */

/* Loads the data in use (the installed bundle, else data_dir) into e->id,
 * e->intel and e->kb, and its version into e->data. */
int ym_update_load_data(struct ym_engine *e, char *err, size_t errlen)
	YM_MUST_CHECK;

/* Checks and applies the bundle at path, or fetched from update_url when
 * path is NULL, off the loop; later (may be NULL) is answered when it is
 * in use or refused. <0 with err when it cannot start (one at a time). */
int ym_update_apply(struct ym_engine *e, const char *path,
		    struct ym_api_deferred *later, struct ym_api_error *err)
	YM_MUST_CHECK;

/* Schedules the fetch from update_url, if set. */
int ym_update_start(struct ym_engine *e) YM_MUST_CHECK;

/* Stops the schedule and cancels a fetch; ym_update_fini once the loop
 * has drained. */
void ym_update_stop(struct ym_engine *e);
void ym_update_fini(struct ym_engine *e);

/* The "data" object of the status: version, created, expires, expired. */
json_t *ym_update_status_json(struct ym_engine *e);

/* respond.c: the response policy. */

/* Starts password checks when the config allows them (live mode). */
void ym_respond_audit_start(struct ym_engine *e);

/* audit = on: checks a device by itself once a day when it is due. */
void ym_respond_audit_due(struct ym_engine *e, struct ym_device *d);

/* The device's first IPv4 address a password check may reach (private, on
 * this box's link), or NULL. */
const struct ym_addr *ym_respond_audit_addr(const struct ym_device *d);
/* Keeps the last check's word on the device for the API ("audit"). */
void ym_respond_audit_note(struct ym_device *d, const char *word,
			   int errors);

/* Router mode: starts the isolator and brings the kernel and the records
 * together. Returns <0 with err set when the isolator cannot start. */
int ym_respond_isolation_start(struct ym_engine *e, char *err,
			       size_t errlen) YM_MUST_CHECK;

/* Isolates a device and verifies it; the answer to later (if any) comes
 * when verified. On an immediate failure returns <0 with err set. */
int ym_respond_isolate(struct ym_engine *e, struct ym_device *d,
		       const char *reason, struct ym_api_deferred *later,
		       struct ym_api_error *err) YM_MUST_CHECK;

/* Lets a device back in and forgets its isolation. */
int ym_respond_release(struct ym_engine *e, struct ym_device *d,
		       struct ym_api_error *err) YM_MUST_CHECK;

/* Installs the alerts observer: events for subscribers, auto-isolation. */
void ym_respond_watch_alerts(struct ym_engine *e);

#endif
