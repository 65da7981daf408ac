#include "report.h"

#include <string.h>

#include "i18n.h"
#include "inventory.h"
#include "util.h"

const char *ym_device_display_name(const struct ym_device *d)
{
	/* The household's name first, then what the device calls itself. */
	static const char *const naming[] = {
		"upnp_name", "mdns_name", "netbios_name", "llmnr_name",
		"lldp_name",
	};

	if (d->user_name[0])
		return d->user_name;
	if (d->hostname[0])
		return d->hostname;
	for (size_t n = 0; n < YM_ARRAY_SIZE(naming); n++)
		for (uint8_t i = 0; i < d->n_evidence; i++)
			if (strcmp(d->evidence[i].signal, naming[n]) == 0)
				return d->evidence[i].value;
	return "";
}

json_t *ym_report_device(const struct ym_device *d)
{
	char mac[YM_MAC_STRLEN], ip[YM_ADDR_STRLEN];
	char first[YM_TIME_STRLEN], last[YM_TIME_STRLEN];
	json_t *ips = json_array(), *flags = json_array(),
	       *evidence = json_array();

	ym_mac_format(d->mac, mac);
	ym_time_format(d->first_us, first);
	ym_time_format(d->last_us, last);
	/* IPv4 first, then IPv6, each in the order learned. */
	for (int fam = 4; fam <= 6; fam += 2)
		for (uint8_t i = 0; i < d->n_ips; i++)
			if (d->ips[i].addr.family == fam) {
				ym_addr_format(&d->ips[i].addr, ip, sizeof(ip));
				json_array_append_new(ips, json_string(ip));
			}
	for (unsigned b = 0; b < YM_FLAG_COUNT; b++)
		if (d->flags & (1u << b))
			json_array_append_new(flags,
					      json_string(ym_flag_name(b)));
	for (uint8_t i = 0; i < d->n_evidence; i++)
		json_array_append_new(
			evidence,
			json_pack("{s:s, s:s, s:s}", "signal",
				  d->evidence[i].signal, "value",
				  d->evidence[i].value, "conclusion",
				  d->evidence[i].conclusion));
	return json_pack(
		"{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:o, s:s, s:s,"
		" s:b, s:I, s:I, s:I, s:I}",
		"mac", mac, "ips", ips, "name", ym_device_display_name(d),
		"hostname", d->hostname, "vendor", d->vendor, "type", d->type,
		"model", d->model, "os", d->os, "confidence",
		d->confidence, "evidence", evidence, "flags", flags,
		"first_seen", first, "last_seen", last, "gateway", d->gateway,
		"bytes_up", (json_int_t)d->bytes_up, "bytes_down",
		(json_int_t)d->bytes_down, "packets_up",
		(json_int_t)d->pkts_up, "packets_down",
		(json_int_t)d->pkts_down);
}

const char *ym_report_alert_message(const char *kind)
{
	(void)kind;
	/* Issue-specific messages are added with the detections that raise
	 * them; every alert has at least this plain sentence. */
	return _("Yamori noticed something on your network.");
}

json_t *ym_report_alert(const struct ym_alert_row *a)
{
	char first[YM_TIME_STRLEN], last[YM_TIME_STRLEN];
	json_t *ev = a->evidence ? json_loads(a->evidence, 0, NULL) : NULL;

	if (!ev)
		ev = json_array();
	ym_time_format(a->first_us, first);
	ym_time_format(a->last_us, last);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:s}",
			 "id", (json_int_t)a->id, "kind",
			 a->kind ? a->kind : "", "severity",
			 a->severity ? a->severity : "", "mac",
			 a->mac ? a->mac : "", "first_seen", first,
			 "last_seen", last, "count", (json_int_t)a->count,
			 "evidence", ev, "state", a->state ? a->state : "",
			 "message", ym_report_alert_message(a->kind));
}
