#include "lifecycle.h"

#include <string.h>
#include <strings.h>

#include <ndpi_api.h>

#include "alerts.h"
#include "device.h"
#include "support.h"

/* A flow is use when a person is behind it: media of this size, any flow
 * of this volume (but software updates), or a LAN device using another
 * with this much data (a print job, a web page of the device). */
#define USE_MEDIA_BYTES (200ULL * 1024)
#define USE_VOLUME_BYTES (5ULL * 1024 * 1024)
#define USE_LAN_BYTES (20ULL * 1024)

static bool media_category(uint16_t c)
{
	return c == NDPI_PROTOCOL_CATEGORY_MEDIA ||
	       c == NDPI_PROTOCOL_CATEGORY_STREAMING ||
	       c == NDPI_PROTOCOL_CATEGORY_VIDEO ||
	       c == NDPI_PROTOCOL_CATEGORY_MUSIC ||
	       c == NDPI_PROTOCOL_CATEGORY_VOIP ||
	       c == NDPI_PROTOCOL_CATEGORY_GAME;
}

/* Discovery and housekeeping between LAN devices is background. */
static bool chatter_port(uint16_t p)
{
	return p == 53 || p == 67 || p == 68 || p == 123 || p == 137 ||
	       p == 138 || p == 1900 || p == 5353 || p == 5355;
}

static void used(struct ym_device *d, uint64_t at)
{
	if (d && at > d->last_use_us) {
		d->last_use_us = at;
		d->dirty = true;
	}
}

void ym_lifecycle_flow_end(struct ym_lifecycle *lc, struct ym_device *initiator,
			   struct ym_device *responder, const struct ym_flow *f)
{
	uint64_t total = f->bytes[0] + f->bytes[1];

	(void)lc;
	if (initiator && responder) {
		if (!chatter_port(f->port[1]) && total >= USE_LAN_BYTES) {
			used(initiator, f->last_us);
			used(responder, f->last_us);
		}
		return;
	}
	if (!initiator)
		return;
	if ((media_category(f->category) && total >= USE_MEDIA_BYTES) ||
	    (total >= USE_VOLUME_BYTES &&
	     f->category != NDPI_PROTOCOL_CATEGORY_SW_UPDATE))
		used(initiator, f->last_us);
}

const char *ym_lifecycle_firmware(const struct ym_device *d)
{
	static const char *const keys[] = { "fw=", "firmware=", "swver=",
					    "fwver=", "sw=" };

	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *e = &d->evidence[i];

		if (strcmp(e->signal, "upnp_firmware") == 0)
			return e->value;
		if (strcmp(e->signal, "mdns_txt") != 0)
			continue;
		for (size_t k = 0; k < YM_ARRAY_SIZE(keys); k++)
			if (strncasecmp(e->value, keys[k], strlen(keys[k])) == 0)
				return e->value + strlen(keys[k]);
	}
	return "";
}

static bool infrastructure(const struct ym_device *d)
{
	return d->gateway || !strcmp(d->type, "router") ||
	       !strcmp(d->type, "access_point") || !strcmp(d->type, "network");
}

/* Things a household buys for one job: they need a maker to ask. */
static bool iot(const struct ym_device *d)
{
	return strcmp(d->type, "unknown") && strcmp(d->type, "computer") &&
	       strcmp(d->type, "phone") && strcmp(d->type, "tablet");
}

/* Sets or clears a flag; true when it was newly set. */
static bool flag(struct ym_device *d, uint32_t bit, bool on)
{
	bool was = (d->flags & bit) != 0;

	if (on == was)
		return false;
	if (on)
		d->flags |= bit;
	else
		d->flags &= ~bit;
	d->dirty = true;
	return on;
}

static void raise_alert(struct ym_lifecycle *lc, enum ym_alert_kind kind,
			enum ym_severity sev, struct ym_device *d,
			const char *target, uint64_t now)
{
	ym_alerts_raise(lc->alerts, kind, sev, d, target, NULL, now);
}

void ym_lifecycle_check(struct ym_lifecycle *lc, struct ym_device *d,
			uint64_t now)
{
	const struct ym_support_entry *m, *v;
	const char *fw;
	uint64_t since;
	bool gone;

	if (d->flags & YM_FLAG_RETIRED)
		return;
	/* Rule 3: gone, or only background for idle_days. */
	gone = now > d->last_us + lc->gone_us;
	flag(d, YM_FLAG_GONE, gone);
	since = d->last_use_us > d->first_us ? d->last_use_us : d->first_us;
	if (flag(d, YM_FLAG_IDLE, !gone && !infrastructure(d) &&
				  now >= since + lc->idle_us))
		raise_alert(lc, YM_ALERT_IDLE, YM_INFO, d, "", now);

	/* Rule 1: support, firmware, a contact. */
	m = ym_support_model(lc->kb, d->vendor, d->model);
	if (flag(d, YM_FLAG_UNSUPPORTED,
		 m && (m->eos == YM_EOS_ENDED ||
		       (m->eos == YM_EOS_DATE && now >= m->eos_us))))
		raise_alert(lc, YM_ALERT_UNSUPPORTED, YM_WARNING, d, d->model,
			    now);
	fw = ym_lifecycle_firmware(d);
	if (flag(d, YM_FLAG_OUTDATED_FIRMWARE,
		 m && m->latest_firmware[0] && fw[0] &&
			 ym_version_compare(fw, m->latest_firmware) < 0))
		raise_alert(lc, YM_ALERT_OUTDATED_FIRMWARE, YM_WARNING, d, fw,
			    now);
	v = ym_support_vendor(lc->kb, d->vendor);
	if (flag(d, YM_FLAG_NO_SUPPORT_CONTACT,
		 ym_support_count(lc->kb) && iot(d) && d->confidence >= 0.5 &&
			 !v &&
			 !(m && (m->contact_web[0] || m->contact_phone[0]))))
		raise_alert(lc, YM_ALERT_NO_SUPPORT_CONTACT, YM_INFO, d, "",
			    now);
}
