/* Fleet reports to the ISP and advisories back (docs/FLEET.md): part of
 * the engine, beside update.c. Off unless the config or the household
 * turns it on. When on, an MQTT client (libmosquitto, MQTT 3.1.1, QoS 1,
 * TLS with the box's own certificate or token) sends a report every
 * fleet_interval seconds to ROOT/report/<box id> and listens to the
 * retained ROOT/advisory. Reports wait in a bounded queue on the disk
 * (state_dir/fleet-queue/) until the broker acknowledges them, so an outage
 * or a power cut loses none. The box opens no port.
 *
 * What a report holds, and nothing else (ym_fleet_report_fields): a random
 * box id (state_dir/fleet.json; not the MAC, rotatable), Yamori's and the
 * data's versions, per device class (type, maker, model) the count of
 * devices and of each flag, and alert kinds counted per day. Never an
 * address, a name, a host name, a DNS name or traffic.
 *
 * Built without libmosquitto (cmake -DYAMORI_FLEET=OFF), the same calls
 * are stubs that answer "not supported"; callers never test for it. */
#ifndef YM_ENGINE_FLEET_H
#define YM_ENGINE_FLEET_H

#include <errno.h>
#include <stdio.h>

#include "engine-private.h"

/* The keys of a report and of one class, in the order they are written. */
#define YM_FLEET_REPORT_KEYS \
	"schema report_id box sent yamori data classes alerts"
#define YM_FLEET_CLASS_KEYS                                                \
	"type maker model devices default_password unsupported "           \
	"outdated_firmware idle suspicious isolated"
#define YM_FLEET_ALERT_KEYS "day kind count"
#define YM_FLEET_SCHEMA 1

#if YM_HAVE_FLEET

/* Starts the client when fleet reports are on (config, or the household's
 * choice kept in the store); a bad setting is a line on stderr and the
 * feature stays off. Always 0 unless out of memory. */
int ym_fleet_start(struct ym_engine *e) YM_MUST_CHECK;
void ym_fleet_stop(struct ym_engine *e);
void ym_fleet_fini(struct ym_engine *e);

/* The report the box would send now (a new reference). */
json_t *ym_fleet_report(struct ym_engine *e, const char *box, uint64_t seq);

/* The API's commands: "fleet" (state, last report, the notice),
 * "fleet_set" {"on": bool}, "fleet_send" (a report now), "fleet_rotate"
 * (a new box id). */
json_t *ym_fleet_cmd_status(struct ym_engine *e, struct ym_engine_request *r);
json_t *ym_fleet_cmd_set(struct ym_engine *e, struct ym_engine_request *r);
json_t *ym_fleet_cmd_send(struct ym_engine *e, struct ym_engine_request *r);
json_t *ym_fleet_cmd_rotate(struct ym_engine *e, struct ym_engine_request *r);

#else /* built without fleet reports */

static inline int ym_fleet_start(struct ym_engine *e)
{
	if (e->cfg.fleet)
		fprintf(stderr, "yamorid: fleet = on, but this build has no "
			"fleet reports; they stay off\n");
	return 0;
}
static inline void ym_fleet_stop(struct ym_engine *e) { (void)e; }
static inline void ym_fleet_fini(struct ym_engine *e) { (void)e; }
static inline json_t *ym_fleet_report(struct ym_engine *e, const char *box,
				      uint64_t seq)
{
	(void)e; (void)box; (void)seq;
	return NULL;
}
static inline json_t *ym_fleet_unsupported(struct ym_engine *e,
					   struct ym_engine_request *r)
{
	(void)e;
	return ym_api_fail(r->err, YM_API_OFF,
			   "this build has no fleet reports");
}
#define ym_fleet_cmd_status ym_fleet_unsupported
#define ym_fleet_cmd_set ym_fleet_unsupported
#define ym_fleet_cmd_send ym_fleet_unsupported
#define ym_fleet_cmd_rotate ym_fleet_unsupported

#endif
#endif
