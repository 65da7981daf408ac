/* Alerts: what Yamori tells the household. The same device, kind and target
 * collapse into one alert with a count and a last-seen time; a cooldown per
 * alert keeps a repeating cause from writing on every packet; a device with
 * an open critical alert carries the "suspicious" flag. Alerts live in the
 * store; this module keeps a bounded cache of recent ones for the
 * cooldowns. */
#ifndef YM_ALERTS_H
#define YM_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

struct ym_store;
struct ym_device;

enum ym_severity {
	YM_INFO = 0,
	YM_WARNING,
	YM_CRITICAL,
};

/* DESIGN.md's alert kinds. */
enum ym_alert_kind {
	YM_ALERT_NEW_DEVICE,
	YM_ALERT_DEFAULT_PASSWORD,
	YM_ALERT_RISKY_SERVICE,
	YM_ALERT_UNSUPPORTED,
	YM_ALERT_NO_SUPPORT_CONTACT,
	YM_ALERT_OUTDATED_FIRMWARE,
	YM_ALERT_IDLE,
	YM_ALERT_TELNET_SCAN,
	YM_ALERT_PORT_SCAN,
	YM_ALERT_ARP_SCAN,
	YM_ALERT_DOS_ATTACK,
	YM_ALERT_MALWARE_CONTACT,
	YM_ALERT_DGA_DOMAIN,
	YM_ALERT_CLEARTEXT_CREDENTIALS,
	YM_ALERT_UPNP_EXPOSURE,
	YM_ALERT_GATEWAY_SPOOF,
	YM_ALERT_ABNORMAL_UPLOAD,
	YM_ALERT_ISOLATED,
	YM_ALERT_DATABASE_DAMAGED, /* Yamori's own record: kept aside, restarted */
	YM_ALERT_BRUTE_FORCE,      /* many SSH/telnet logins from one device */
	YM_ALERT_KIND_COUNT
};

const char *ym_alert_kind_name(enum ym_alert_kind kind);

/* True for the kinds that tell of what a device does (scans, attacks,
 * malware contact, spoofing, abnormal upload): only those, when critical,
 * make it "suspicious" and may isolate it by themselves. A weakness (a
 * factory password, an old device) is told, never acted on alone. */
bool ym_alert_kind_is_behaviour(enum ym_alert_kind kind);
const char *ym_severity_name(enum ym_severity sev);

struct ym_alerts_stats {
	uint64_t raised, repeats, suppressed, store_errors;
};

/* Told of every new alert (not of repeats), e.g. to push it to the panel. */
struct ym_alerts_observer {
	void (*raised)(struct ym_alerts_observer *obs, enum ym_alert_kind kind,
		       enum ym_severity sev, const struct ym_device *dev,
		       const char *target);
};

struct ym_alerts;

void ym_alerts_set_observer(struct ym_alerts *a,
			    struct ym_alerts_observer *obs);

int ym_alerts_init(struct ym_alerts **out, struct ym_store *store)
	YM_MUST_CHECK;
void ym_alerts_fini(struct ym_alerts *a);

/* The target of the one alert that many devices' alerts of one kind fold
 * into during a flood (its mac is ""). */
#define YM_ALERT_MANY_DEVICES "many_devices"

/* Raises (or repeats) an alert for a device about a target (an address, a
 * domain, a port: "" when there is none) at capture time now_us. evidence
 * is a JSON array text of {signal, value, conclusion} or NULL. Within the
 * cooldown a repeat only counts in memory. A critical alert marks the
 * device suspicious. When more than a few devices raise the same kind of
 * behaviour alert within minutes, the others fold into one alert with
 * target YM_ALERT_MANY_DEVICES. Returns 1 when a new alert was written, 0
 * for a repeat, negative on a store error. */
int ym_alerts_raise(struct ym_alerts *a, enum ym_alert_kind kind,
		    enum ym_severity sev, struct ym_device *dev,
		    const char *target, const char *evidence, uint64_t now_us);

/* Raises an alert about Yamori itself (no device: its mac is ""), for
 * example a damaged database that was set aside. Returns 1 when written,
 * negative on a store error. */
int ym_alerts_raise_box(struct ym_alerts *a, enum ym_alert_kind kind,
			enum ym_severity sev, const char *target,
			uint64_t now_us);

/* Writes repeats counted during cooldowns (before each commit). */
void ym_alerts_flush(struct ym_alerts *a);

void ym_alerts_get_stats(const struct ym_alerts *a, struct ym_alerts_stats *s);

#endif
