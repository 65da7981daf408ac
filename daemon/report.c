#include "report.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "device.h"
#include "i18n.h"
#include "support.h"
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

#define TEXT(s, buf) ym_utf8_or_clean((s), (buf), sizeof(buf))

json_t *ym_report_device(const struct ym_device *d)
{
	char b[6][YM_MAX_NAME + 1];
	char mac[YM_MAC_STRLEN], ip[YM_ADDR_STRLEN];
	char first[YM_TIME_STRLEN], last[YM_TIME_STRLEN];
	char checked[YM_TIME_STRLEN] = "";
	json_t *ips = json_array(), *flags = json_array(),
	       *evidence = json_array(), *maybe = json_array();

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
	/* Every string passes the UTF-8 guard: one broken byte (a name cut
	 * mid-character, a hostile host name) must cost a '?', never the
	 * device's place in the list. */
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *ev = &d->evidence[i];

		json_array_append_new(
			evidence,
			json_pack("{s:s, s:s, s:s}", "signal",
				  TEXT(ev->signal, b[0]), "value",
				  TEXT(ev->value, b[1]), "conclusion",
				  TEXT(ev->conclusion, b[2])));
	}
	/* Vocabulary words only: the rules' types are checked at load. */
	for (uint8_t i = 0; i < d->n_maybe && i < YM_MAYBE_KINDS; i++)
		json_array_append_new(maybe, json_string(d->maybe[i]));
	if (d->audit[0])
		ym_time_format(d->audit_us, checked);
	return json_pack(
		"{s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:o, s:o, s:s, s:s,"
		" s:b, s:b, s:I, s:I, s:I, s:I, s:{s:s, s:i, s:s}}",
		"mac", mac, "ips", ips, "name",
		TEXT(ym_device_display_name(d), b[0]), "hostname",
		TEXT(d->hostname, b[1]), "vendor", TEXT(d->vendor, b[2]),
		"type", TEXT(d->type, b[3]), "model", TEXT(d->model, b[4]),
		"os", TEXT(d->os, b[5]), "confidence",
		d->confidence, "evidence", evidence, "maybe", maybe, "flags", flags,
		"first_seen", first, "last_seen", last, "gateway", d->gateway,
		"never_isolate", d->never_isolate,
		"bytes_up", (json_int_t)d->bytes_up, "bytes_down",
		(json_int_t)d->bytes_down, "packets_up",
		(json_int_t)d->pkts_up, "packets_down",
		(json_int_t)d->pkts_down, "audit", "result",
		d->audit[0] ? d->audit : "none", "errors", (int)d->audit_errors,
		"at", checked);
}

/* What happened, what it means, what to do: one short sentence each, with
 * %s for the household's name of the device. */
static const struct {
	const char *kind, *text;
} messages[] = {
	{ "new_device",
	  N_("A new device joined your network: \"%s\". "
	     "If you do not know it, check it in the device list.") },
	{ "default_password",
	  N_("The password of \"%s\" is still the one it came with. "
	     "Others could use the device. "
	     "Please change the password to a new one.") },
	{ "risky_service",
	  N_("\"%s\" has an unsafe way in open. "
	     "You may not be able to close it yourself. "
	     "Please ask the maker, or stop its traffic. "
	     "You can also replace it.") },
	{ "unsupported",
	  N_("The maker no longer repairs or updates \"%s\". "
	     "For safety, please replace it with a new device.") },
	{ "no_support_contact",
	  N_("There is no known contact for \"%s\". "
	     "You may have nobody to ask when something goes wrong.") },
	{ "outdated_firmware",
	  N_("There is an update for \"%s\". "
	     "Please update it as the maker explains.") },
	{ "idle",
	  N_("\"%s\" has not been used for a long time. "
	     "Please switch off devices you no longer use.") },
	{ "telnet_scan",
	  N_("\"%s\" is secretly looking for other devices. "
	     "It may have a virus. "
	     "Please switch it off and ask the maker.") },
	{ "port_scan",
	  N_("\"%s\" is probing the ways into other devices. "
	     "If you did not expect this, please switch it off.") },
	{ "arp_scan",
	  N_("\"%s\" is checking every device in your home one by one. "
	     "If you did not expect this, please switch it off.") },
	{ "dos_attack",
	  N_("\"%s\" is sending a flood of data. "
	     "It may be harming other people. "
	     "Please switch it off for now.") },
	{ "malware_contact",
	  N_("\"%s\" talked to a known dangerous address. "
	     "It may have a virus. "
	     "Please switch it off and ask the maker.") },
	{ "dga_domain",
	  N_("\"%s\" is looking up strange names. "
	     "It may have a virus.") },
	{ "cleartext_credentials",
	  N_("\"%s\" sent a password without encryption. "
	     "Others could read it. "
	     "Please change the password it sent.") },
	{ "upnp_exposure",
	  N_("\"%s\" opened a way in from the internet on your router. "
	     "If you did not expect this, please check the router settings.") },
	{ "gateway_spoof",
	  N_("A device is pretending to be your router. "
	     "Someone may be watching your traffic. "
	     "Please check your router and the devices connected to it.") },
	{ "abnormal_upload",
	  N_("\"%s\" is sending much more data than usual. "
	     "If you did not expect this, please switch it off.") },
	{ "isolated",
	  N_("Yamori has stopped the traffic of \"%s\" for now. "
	     "Your other devices work as usual. "
	     "When it is fixed, press \"Bring back\".") },
	{ "brute_force",
	  N_("\"%s\" is trying many passwords on other devices. "
	     "It may have a virus. "
	     "Please switch it off and ask the maker.") },
	{ "database_damaged",
	  N_("Yamori's own record was damaged, maybe by a power cut. "
	     "Yamori kept it aside and started a new record. "
	     "It learns your devices again by itself.") },
};

const char *ym_report_alert_message(const char *kind)
{
	for (size_t i = 0; i < YM_ARRAY_SIZE(messages); i++)
		if (kind && strcmp(messages[i].kind, kind) == 0)
			return _(messages[i].text);
	return _("Yamori noticed something on your network.");
}

const char *ym_report_trust_line(void)
{
	return _("Yamori never asks you for money or passwords.");
}

json_t *ym_report_alert(const struct ym_alert_row *a, const char *name)
{
	char first[YM_TIME_STRLEN], last[YM_TIME_STRLEN], message[512];
	char mb[512], tb[128];
	json_t *ev = a->evidence ? json_loads(a->evidence, 0, NULL) : NULL;

	if (!ev)
		ev = json_array();
	ym_time_format(a->first_us, first);
	ym_time_format(a->last_us, last);
	/* The message names the device as the household knows it; a flood
	 * folded into one alert names no device. */
	if (a->target && strcmp(a->target, YM_ALERT_MANY_DEVICES) == 0)
		snprintf(message, sizeof(message), "%s",
			 a->kind && strcmp(a->kind, "new_device") == 0 ?
				 _("Very many new devices appeared at the same "
				   "time. Someone may be attacking your home's "
				   "connection. Please ask your internet "
				   "provider for help.") :
				 _("Many devices are behaving strangely at the "
				   "same time. Someone may be attacking your "
				   "home's connection. Please ask your internet "
				   "provider for help."));
	else
		snprintf(message, sizeof(message),
			 ym_report_alert_message(a->kind),
			 name && name[0] ? name : (a->mac ? a->mac : ""));
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:s}",
			 "id", (json_int_t)a->id, "kind",
			 a->kind ? a->kind : "", "severity",
			 a->severity ? a->severity : "", "mac",
			 a->mac ? a->mac : "", "target",
			 TEXT(a->target, tb), "first_seen", first,
			 "last_seen", last, "count", (json_int_t)a->count,
			 "evidence", ev, "state", a->state ? a->state : "",
			 "message", TEXT(message, mb));
}

/* The end of support as a word or a date (YYYY-MM-DD) in date. */
static const char *end_of_support(const struct ym_support_entry *m,
				  char date[16])
{
	char t[YM_TIME_STRLEN];

	if (m && m->eos == YM_EOS_SUPPORTED)
		return "supported";
	if (m && m->eos == YM_EOS_ENDED)
		return "ended";
	if (m && m->eos == YM_EOS_DATE) {
		ym_time_format(m->eos_us, t);
		snprintf(date, 16, "%.10s", t);
		return date;
	}
	return "unknown";
}

/* The model's reset steps in the household's language, else the generic
 * steps for its type, else "". */
static const char *reset_steps(const struct ym_support_entry *m,
			       const struct ym_support_entry *g)
{
	bool ja = ym_i18n_japanese();

	if (m && (ja ? m->reset_ja[0] : m->reset_en[0]))
		return ja ? m->reset_ja : m->reset_en;
	if (g)
		return ja ? g->reset_ja : g->reset_en;
	return "";
}

json_t *ym_report_device_support(const struct ym_device *d,
				 const struct ym_support *kb)
{
	const struct ym_support_entry *m, *v, *g;
	json_t *o = ym_report_device(d);
	char date[16] = "";

	if (!o)
		return NULL;
	m = ym_support_model(kb, d->vendor, d->model);
	v = ym_support_vendor(kb, d->vendor);
	g = ym_support_generic(kb, d->type);
	json_object_set_new(
		o, "support",
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "check",
			  ym_support_check_name(ym_support_check(
				  kb, d->type, d->vendor, d->model)),
			  "contact_web",
			  m && m->contact_web[0] ? m->contact_web :
			  v			 ? v->contact_web :
						   "",
			  "contact_phone",
			  m && m->contact_phone[0] ? m->contact_phone :
			  v			   ? v->contact_phone :
						     "",
			  "end_of_support", end_of_support(m, date),
			  "latest_firmware", m ? m->latest_firmware : "",
			  "source", m ? m->source : v ? v->source : ""));
	json_object_set_new(o, "reset_steps", json_string(reset_steps(m, g)));
	return o;
}
