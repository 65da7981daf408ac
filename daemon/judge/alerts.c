#include "alerts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "store.h"

/* Recent alerts remembered for cooldowns; older ones just write again. */
#define YM_ALERT_CACHE 1024

/* A repeat within this time (capture clock) is counted, not written. */
#define YM_ALERT_COOLDOWN_US (10ULL * 60 * 1000000)

static const char *const kind_names[YM_ALERT_KIND_COUNT] = {
	"new_device", "default_password", "risky_service", "unsupported",
	"no_support_contact", "outdated_firmware", "idle", "telnet_scan",
	"port_scan", "arp_scan", "dos_attack", "malware_contact",
	"dga_domain", "cleartext_credentials", "upnp_exposure",
	"gateway_spoof", "abnormal_upload", "isolated", "database_damaged",
	"brute_force",
};

static const char *const severity_names[] = { "info", "warning", "critical" };

struct recent {
	uint64_t key;
	uint64_t written_us;
	uint32_t pending;    /* repeats not yet written */
	uint8_t kind, severity;
	uint8_t mac[6];
	char target[64];
};

/* More devices than this joining within the window (or a quarter of it
 * raising one kind of behaviour alert) is a flood: spoofed MACs, or a worm
 * in every device. The rest fold into one alert about many devices instead
 * of thousands of rows. */
#define YM_ALERT_FLOOD_DEVICES 64
#define YM_ALERT_FLOOD_WINDOW_US (10ULL * 60 * 1000000)

struct flood {
	uint64_t since_us;
	uint32_t n;
	uint8_t macs[YM_ALERT_FLOOD_DEVICES][6];
};

struct ym_alerts {
	struct ym_store *store;
	struct flood flood[YM_ALERT_KIND_COUNT];
	struct recent cache[YM_ALERT_CACHE];
	struct ym_alerts_stats stats;
	struct ym_alerts_observer *obs;
};

void ym_alerts_set_observer(struct ym_alerts *a,
			    struct ym_alerts_observer *obs)
{
	a->obs = obs;
}

const char *ym_alert_kind_name(enum ym_alert_kind kind)
{
	return (unsigned)kind < YM_ALERT_KIND_COUNT ? kind_names[kind] : "";
}

bool ym_alert_kind_is_behaviour(enum ym_alert_kind kind)
{
	switch (kind) {
	case YM_ALERT_TELNET_SCAN:
	case YM_ALERT_PORT_SCAN:
	case YM_ALERT_ARP_SCAN:
	case YM_ALERT_DOS_ATTACK:
	case YM_ALERT_MALWARE_CONTACT:
	case YM_ALERT_DGA_DOMAIN:
	case YM_ALERT_GATEWAY_SPOOF:
	case YM_ALERT_ABNORMAL_UPLOAD:
	case YM_ALERT_BRUTE_FORCE:
		return true;
	default:
		return false;
	}
}

const char *ym_severity_name(enum ym_severity sev)
{
	return (unsigned)sev <= YM_CRITICAL ? severity_names[sev] : "info";
}

int ym_alerts_init(struct ym_alerts **out, struct ym_store *store)
{
	struct ym_alerts *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->store = store;
	*out = a;
	return 0;
}

void ym_alerts_fini(struct ym_alerts *a)
{
	free(a);
}

static int write_alert(struct ym_alerts *a, const struct recent *r,
		       const char *evidence, uint64_t now_us, uint32_t count)
{
	char mac[YM_MAC_STRLEN];
	int rc;

	static const uint8_t box[6];

	/* Alerts about Yamori itself or about many devices name no device. */
	if (memcmp(r->mac, box, 6) == 0)
		mac[0] = '\0';
	else
		ym_mac_format(r->mac, mac);
	rc = ym_store_begin(a->store);
	if (rc == 0)
		rc = ym_store_put_alert(a->store, ym_alert_kind_name(r->kind),
					ym_severity_name(r->severity), mac,
					r->target, evidence, now_us, count);
	if (rc < 0)
		a->stats.store_errors++;
	return rc;
}

static void make_key(struct recent *key, enum ym_alert_kind kind,
		     enum ym_severity sev, const uint8_t mac[6],
		     const char *target)
{
	uint8_t buf[6 + 1 + sizeof(key->target)];
	size_t tlen;

	memset(key, 0, sizeof(*key));
	key->kind = (uint8_t)kind;
	key->severity = (uint8_t)sev;
	memcpy(key->mac, mac, 6);
	ym_strlcpy_clean(key->target, target ? target : "",
			 target ? strlen(target) : 0, sizeof(key->target));
	tlen = strlen(key->target);
	memcpy(buf, key->mac, 6);
	buf[6] = key->kind;
	memcpy(buf + 7, key->target, tlen);
	key->key = ym_hash_bytes(buf, 7 + tlen, 0x5eed) | 1;
}

/* True when this device's new alert of a behaviour kind is one too many
 * within the window: it then folds into the alert about many devices. */
static bool flooding(struct ym_alerts *a, enum ym_alert_kind kind,
		     const uint8_t mac[6], uint64_t now_us)
{
	struct flood *f = &a->flood[kind];
	/* A household can switch on a few dozen devices at once (the first
	 * start, a party); a burst of new MACs beyond that is made up. */
	uint32_t most = kind == YM_ALERT_NEW_DEVICE ? YM_ALERT_FLOOD_DEVICES :
			ym_alert_kind_is_behaviour(kind) ?
					 YM_ALERT_FLOOD_DEVICES / 4 : 0;

	if (most == 0)
		return false;
	if (now_us >= f->since_us + YM_ALERT_FLOOD_WINDOW_US) {
		f->since_us = now_us;
		f->n = 0;
	}
	for (uint32_t i = 0; i < f->n; i++)
		if (memcmp(f->macs[i], mac, 6) == 0)
			return false;
	if (f->n < most) {
		memcpy(f->macs[f->n++], mac, 6);
		return false;
	}
	return true;
}

int ym_alerts_raise(struct ym_alerts *a, enum ym_alert_kind kind,
		    enum ym_severity sev, struct ym_device *dev,
		    const char *target, const char *evidence, uint64_t now_us)
{
	static const uint8_t many[6];
	struct recent key, *slot;
	bool folded = false;
	int rc;

	if ((unsigned)kind >= YM_ALERT_KIND_COUNT || !dev)
		return -EINVAL;
	make_key(&key, kind, sev, dev->mac, target);
	slot = &a->cache[key.key % YM_ALERT_CACHE];
	if (slot->key != key.key && flooding(a, kind, dev->mac, now_us)) {
		make_key(&key, kind, sev, many, YM_ALERT_MANY_DEVICES);
		slot = &a->cache[key.key % YM_ALERT_CACHE];
		folded = true;
	}
	/* A device folded into a flood is not marked one by one: thousands of
	 * made-up MACs must stay prunable. */
	if (!folded && sev == YM_CRITICAL && ym_alert_kind_is_behaviour(kind) &&
	    !(dev->flags & YM_FLAG_SUSPICIOUS)) {
		dev->flags |= YM_FLAG_SUSPICIOUS;
		dev->dirty = true;
	}
	if (slot->key == key.key && now_us < slot->written_us +
						      YM_ALERT_COOLDOWN_US) {
		slot->pending++;
		a->stats.suppressed++;
		return 0;
	}
	if (slot->key == key.key) {
		/* Past the cooldown: one write carries the repeats. */
		rc = write_alert(a, &key, evidence, now_us, slot->pending + 1);
		slot->pending = 0;
		slot->written_us = now_us;
		a->stats.repeats++;
		return rc < 0 ? rc : 0;
	}
	/* A different alert in the slot: its repeats are written first. */
	if (slot->key && slot->pending)
		write_alert(a, slot, NULL, slot->written_us, slot->pending);
	*slot = key;
	slot->written_us = now_us;
	rc = write_alert(a, &key, evidence, now_us, 1);
	if (rc < 0)
		return rc;
	a->stats.raised++;
	/* A fold names no one device: nothing to isolate on its word. */
	if (!folded && a->obs && a->obs->raised)
		a->obs->raised(a->obs, kind, sev, dev, key.target);
	return rc;
}

int ym_alerts_raise_box(struct ym_alerts *a, enum ym_alert_kind kind,
			enum ym_severity sev, const char *target,
			uint64_t now_us)
{
	char clean[64];
	int rc;

	if ((unsigned)kind >= YM_ALERT_KIND_COUNT)
		return -EINVAL;
	ym_strlcpy_clean(clean, target ? target : "",
			 target ? strlen(target) : 0, sizeof(clean));
	rc = ym_store_begin(a->store);
	if (rc == 0)
		rc = ym_store_put_alert(a->store, ym_alert_kind_name(kind),
					ym_severity_name(sev), "", clean, NULL,
					now_us, 1);
	if (rc < 0) {
		a->stats.store_errors++;
		return rc;
	}
	a->stats.raised++;
	return 1;
}

void ym_alerts_flush(struct ym_alerts *a)
{
	for (int i = 0; i < YM_ALERT_CACHE; i++) {
		struct recent *r = &a->cache[i];

		if (r->key && r->pending) {
			write_alert(a, r, NULL, r->written_us, r->pending);
			r->pending = 0;
		}
	}
}

void ym_alerts_get_stats(const struct ym_alerts *a, struct ym_alerts_stats *s)
{
	*s = a->stats;
}
