#define _GNU_SOURCE /* memmem, strcasestr */
#include "sniff.h"
#include "sniff-private.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "device.h"
#include "dhcp.h"
#include "dns.h"
#include "edimax.h"
#include "identify.h"
#include "lldp.h"
#include "p0f.h"
#include "smarter.h"
#include "ssdp.h"
#include "tplink.h"
#include "wps.h"

/* TXT keys that name a model or maker in DNS-SD records (AirPlay md/am,
 * Google Cast md/fn, IPP ty/usb_MFG/usb_MDL, HomeKit md, printers product,
 * D-Link's HNAP service model_number). */
static const char *const model_keys[] = {
	"md", "model", "ty", "am", "fn", "usb_MDL", "usb_MFG", "mdl", "mfg",
	"product", "manufacturer", "vendor", "rpMd", "integrator",
	"model_number",
	"ci", /* HomeKit accessory category */
};

static bool ends_with(const char *s, const char *tail)
{
	size_t ls = strlen(s), lt = strlen(tail);

	return ls >= lt && strcasecmp(s + ls - lt, tail) == 0;
}

/* "_ipp._tcp.local" -> "_ipp._tcp"; false when name is no service type. */
static bool service_type(const char *name, char *out, size_t len)
{
	const char *p = name;
	int labels = 0;

	if (name[0] != '_' || !ends_with(name, ".local"))
		return false;
	/* A service type is "_service._proto.local"; a subtype carries
	 * "._sub." and an instance has a first label without '_'. */
	for (; *p; p++)
		if (*p == '.')
			labels++;
	if (labels != 2 || strstr(name, "._sub.") ||
	    strcmp(name, "_services._dns-sd._udp.local") == 0)
		return false;
	snprintf(out, len, "%.*s", (int)(strlen(name) - 6), name);
	return true;
}

struct mdns_ctx {
	struct ym_sniff *s;
	struct ym_device *dev;
	enum ym_signal name_sig;
};

static void txt_signals(struct mdns_ctx *c, const struct ym_dns_rr *rr)
{
	const uint8_t *p = rr->rdata;
	uint16_t left = rr->rdlen;
	char kv[160];

	while (ym_dns_txt_next(&p, &left, kv, sizeof(kv)) == 1) {
		char *eq = strchr(kv, '=');

		if (!eq || eq == kv || !eq[1])
			continue;
		for (size_t i = 0; i < YM_ARRAY_SIZE(model_keys); i++) {
			if ((size_t)(eq - kv) == strlen(model_keys[i]) &&
			    strncasecmp(kv, model_keys[i], (size_t)(eq - kv)) ==
				    0) {
				ym_identify_signal(c->s->id, c->dev,
						   YM_SIG_MDNS_TXT, kv);
				break;
			}
		}
	}
}

/* Strips ".local" and, for an instance, the service part. */
static void short_name(const char *name, char *out, size_t len)
{
	const char *svc = strstr(name, "._");

	if (svc)
		snprintf(out, len, "%.*s", (int)(svc - name), name);
	else if (ends_with(name, ".local"))
		snprintf(out, len, "%.*s", (int)(strlen(name) - 6), name);
	else
		snprintf(out, len, "%s", name);
}

static int on_mdns_rr(const struct ym_dns_rr *rr, void *arg)
{
	struct mdns_ctx *c = arg;
	char buf[YM_DNS_NAME_MAX];

	if (rr->section == YM_DNS_QUESTION)
		return 0;
	switch (rr->type) {
	case YM_DNS_PTR:
		if (service_type(rr->name, buf, sizeof(buf)))
			ym_identify_signal(c->s->id, c->dev,
					   YM_SIG_MDNS_SERVICE, buf);
		if (rr->target[0] && !service_type(rr->target, buf,
						   sizeof(buf))) {
			short_name(rr->target, buf, sizeof(buf));
			ym_identify_signal(c->s->id, c->dev, c->name_sig, buf);
		}
		break;
	case YM_DNS_SRV:
		short_name(rr->target, buf, sizeof(buf));
		ym_identify_signal(c->s->id, c->dev, c->name_sig, buf);
		break;
	case YM_DNS_TXT:
		txt_signals(c, rr);
		break;
	case YM_DNS_A:
	case YM_DNS_AAAA:
		/* Only names of the sender's own addresses. */
		short_name(rr->name, buf, sizeof(buf));
		if (strncmp(rr->name, "_", 1) != 0)
			ym_identify_signal(c->s->id, c->dev, c->name_sig, buf);
		break;
	default:
		break;
	}
	return 0;
}

static void sniff_dns_announcement(struct ym_sniff *s, struct ym_device *dev,
				   const struct ym_packet *pkt,
				   enum ym_signal name_sig)
{
	struct mdns_ctx c = { s, dev, name_sig };

	/* Answers only: a question names what another device offers. */
	if (!ym_dns_is_response(pkt->payload, pkt->payload_len))
		return;
	if (ym_dns_walk(pkt->payload, pkt->payload_len, on_mdns_rr, &c) < 0)
		s->stats.malformed++;
}

static void sniff_ssdp(struct ym_sniff *s, struct ym_device *dev,
		       const struct ym_packet *pkt)
{
	struct ym_ssdp m;

	if (ym_ssdp_parse(pkt->payload, pkt->payload_len, &m) < 0) {
		s->stats.malformed++;
		return;
	}
	s->stats.ssdp++;
	/* An M-SEARCH asks for others; the User-Agent is still its own. */
	if (m.kind == YM_SSDP_MSEARCH) {
		ym_identify_signal(s->id, dev, YM_SIG_HTTP_USER_AGENT,
				   m.user_agent);
		return;
	}
	if (strcasecmp(m.nts, "ssdp:byebye") == 0)
		return;
	ym_identify_signal(s->id, dev, YM_SIG_SSDP_SERVER, m.server);
	if (strstr(m.nt, ":device:"))
		ym_identify_signal(s->id, dev, YM_SIG_SSDP_TYPE, m.nt);
	if (m.location[0] && s->obs && s->obs->upnp_location)
		s->obs->upnp_location(s->obs, dev, m.location);
}

static void sniff_netbios(struct ym_sniff *s, struct ym_device *dev,
			  const struct ym_packet *pkt)
{
	char name[16];
	uint8_t suffix;
	bool own;

	if (ym_netbios_name(pkt->payload, pkt->payload_len, name, &suffix,
			    &own) < 0) {
		s->stats.malformed++;
		return;
	}
	s->stats.netbios++;
	/* Suffix 0x00 is the workstation name; group names are not devices. */
	if (own && suffix == 0x00 && name[0])
		ym_identify_signal(s->id, dev, YM_SIG_NETBIOS_NAME, name);
}

static void sniff_dhcp6(struct ym_sniff *s, struct ym_device *dev,
			const struct ym_packet *pkt)
{
	struct ym_dhcp6 m;

	if (ym_dhcp6_parse(pkt->payload, pkt->payload_len, &m) < 0) {
		s->stats.malformed++;
		return;
	}
	s->stats.dhcp6++;
	ym_identify_signal(s->id, dev, YM_SIG_DHCP6_VENDOR, m.vendor_class);
	ym_identify_signal(s->id, dev, YM_SIG_DHCP_FQDN, m.fqdn);
}

static void lldp_signals(struct ym_sniff *s, struct ym_device *dev,
			 const struct ym_lldp *l)
{
	ym_identify_signal(s->id, dev, YM_SIG_LLDP_NAME, l->system_name);
	ym_identify_signal(s->id, dev, YM_SIG_LLDP_DESCRIPTION,
			   l->system_description);
	ym_identify_signal(s->id, dev, YM_SIG_LLDP_DESCRIPTION, l->platform);
}

bool ym_sniff_starts_with(const uint8_t *p, uint32_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(p, lit, n) == 0;
}

/* The text of the first <tag>...</tag> in p, cleaned; false if absent. */
static bool xml_field(const uint8_t *p, uint32_t len, const char *tag,
		      char *out, size_t outlen)
{
	char open[40], close[40];
	const uint8_t *a, *b;
	int no = snprintf(open, sizeof(open), "<%s>", tag);
	int nc = snprintf(close, sizeof(close), "</%s>", tag);

	out[0] = '\0';
	a = memmem(p, len, open, (size_t)no);
	if (!a)
		return false;
	a += no;
	b = memmem(a, len - (uint32_t)(a - p), close, (size_t)nc);
	if (!b || b == a)
		return false;
	ym_strlcpy_clean(out, (const char *)a, (size_t)(b - a), outlen);
	return true;
}

/* HNAP (D-Link and others): an app's GetDeviceSettings answer names the
 * maker and model the way a UPnP description does, and is read as one. */
static void sniff_hnap(struct ym_sniff *s, struct ym_device *dev,
		       const uint8_t *p, uint32_t len)
{
	char v[64];

	if (xml_field(p, len, "VendorName", v, sizeof(v)))
		ym_identify_signal(s->id, dev, YM_SIG_UPNP_MANUFACTURER, v);
	if (xml_field(p, len, "ModelName", v, sizeof(v)))
		ym_identify_signal(s->id, dev, YM_SIG_UPNP_MODEL, v);
	if (xml_field(p, len, "DeviceName", v, sizeof(v)))
		ym_identify_signal(s->id, dev, YM_SIG_UPNP_NAME, v);
}

/* Edimax smart plugs answer their app's HTTP queries with XML that names
 * the customer brand and model (<Run.Cus>, <Run.Model>). */
static void sniff_smartplug(struct ym_sniff *s, struct ym_device *dev,
			    const uint8_t *p, uint32_t len)
{
	char v[64];

	if (xml_field(p, len, "Run.Cus", v, sizeof(v)))
		ym_identify_signal(s->id, dev, YM_SIG_UPNP_MANUFACTURER, v);
	if (xml_field(p, len, "Run.Model", v, sizeof(v)))
		ym_identify_signal(s->id, dev, YM_SIG_UPNP_MODEL, v);
}

/* The Server: header of an HTTP answer, within the segment's headers. */
static void sniff_http_server(struct ym_sniff *s, struct ym_device *dev,
			      const uint8_t *p, uint32_t len)
{
	char v[96];

	if (ym_sniff_http_header(p, len, "server", v, sizeof(v)))
		ym_identify_signal(s->id, dev, YM_SIG_HTTP_SERVER, v);
}

/* Query keys under which a device's own requests name its model: a
 * firmware check ("query.aspx?model=DCH-S150_Ax_..."), a registration. */
static const char *const model_params[] = {
	"model",	"modelname",   "model_name",  "modelno",
	"model_no",	"modelid",     "product",     "productname",
	"product_name", "devicemodel", "device_model", "hwmodel",
	"hw_model",
};

/* One query value, %-decoded ('+' is a space), cleaned into out. */
static void query_value(const char *v, size_t n, char *out, size_t len)
{
	char tmp[128];
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < sizeof(tmp); i++) {
		if (v[i] == '%' && i + 2 < n && isxdigit((unsigned char)v[i + 1]) &&
		    isxdigit((unsigned char)v[i + 2])) {
			char hex[3] = { v[i + 1], v[i + 2], '\0' };

			tmp[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			tmp[o++] = v[i] == '+' ? ' ' : v[i];
		}
	}
	ym_strlcpy_clean(out, tmp, o, len);
}

/* A request a device sends to the internet on its own (a firmware check,
 * a registration) may name its model in the query, and its path may be
 * one a maker's protocol documents (a Fitbit Aria's /scale/upload); only
 * paths a rule lists mean anything. Browsers' and phone apps' requests
 * are not read: a page about a plug is not a plug. */
static void sniff_http_request(struct ym_sniff *s, struct ym_device *dev,
			       const struct ym_packet *pkt)
{
	static const char *const clients[] = { "Mozilla/", "Dalvik/",
					       "okhttp", "CFNetwork" };
	const uint8_t *p = pkt->payload;
	uint32_t len = pkt->payload_len;
	const char *q, *end;
	char ua[96];
	uint32_t skip;

	if (ym_sniff_starts_with(p, len, "GET "))
		skip = 4;
	else if (ym_sniff_starts_with(p, len, "POST "))
		skip = 5;
	else
		return;
	/* Out to the internet from one of the device's own addresses: not
	 * to a device at home, not a request from outside that the router
	 * passes on (its source is no address of the router's). */
	if (ym_addr_is_private(&pkt->dst) || !ym_device_has_ip(dev, &pkt->src))
		return;
	/* Header names are case-insensitive ("user-agent:"). */
	if (ym_sniff_http_header(p, len, "user-agent", ua, sizeof(ua)))
		for (size_t k = 0; k < YM_ARRAY_SIZE(clients); k++)
			if (strncmp(ua, clients[k], strlen(clients[k])) == 0)
				return;
	end = memchr(p + skip, ' ', len - skip);
	if (!end)
		return;
	q = memchr(p + skip, '?', (size_t)(end - (const char *)p) - skip);
	if (p[skip] == '/') {
		char path[96];

		ym_strlcpy_clean(path, (const char *)p + skip,
				 (size_t)((q ? q : end) - (const char *)p) -
					 skip,
				 sizeof(path));
		ym_identify_signal(s->id, dev, YM_SIG_HTTP_PATH, path);
	}
	if (!q)
		return;
	for (q++; q < end;) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));

		for (size_t i = 0; eq && i < YM_ARRAY_SIZE(model_params); i++) {
			char v[96];

			if ((size_t)(eq - q) != strlen(model_params[i]) ||
			    strncasecmp(q, model_params[i], (size_t)(eq - q)))
				continue;
			query_value(eq + 1, (size_t)(stop - eq - 1), v,
				    sizeof(v));
			ym_identify_signal(s->id, dev, YM_SIG_HTTP_MODEL, v);
			break;
		}
		q = stop + 1;
	}
}

/* A UPnP description that crosses the wire (a phone's app fetches it from
 * the device) names the device as well as one Yamori fetches itself, so
 * capture files identify as live capture does. Only segments that open an
 * HTTP answer or an XML document are looked at; the first <device>'s fields
 * in that segment are read. */
static void sniff_upnp_description(struct ym_sniff *s, struct ym_device *dev,
				   const struct ym_packet *pkt)
{
	static const char ns[] = "urn:schemas-upnp-org:device-1-0";
	static const char hnap[] = "purenetworks.com/HNAP1/";
	const uint8_t *p = pkt->payload;
	uint32_t len = pkt->payload_len;
	const uint8_t *at;
	struct ym_upnp_desc desc;
	char model[160];

	if (len < 64 || !(ym_sniff_starts_with(p, len, "HTTP/1.") ||
			  ym_sniff_starts_with(p, len, "<?xml") ||
			  ym_sniff_starts_with(p, len, "<root")))
		return;
	/* The web server of a device at home names itself in its answers'
	 * Server: header ("alphapd", "Edimax", a model). Answers from the
	 * internet come through the router and say nothing about it. */
	if (ym_sniff_starts_with(p, len, "HTTP/1.") && ym_addr_is_private(&pkt->src))
		sniff_http_server(s, dev, p, len);
	if (memmem(p, len, hnap, sizeof(hnap) - 1)) {
		sniff_hnap(s, dev, p, len);
		return;
	}
	if (memmem(p, len, "<SMARTPLUG", 10)) {
		sniff_smartplug(s, dev, p, len);
		return;
	}
	at = memmem(p, len, ns, sizeof(ns) - 1);
	if (!at || ym_upnp_parse((const char *)p, len, &desc) < 0)
		return;
	snprintf(model, sizeof(model), "%s%s%s", desc.model_name,
		 desc.model_name[0] && desc.model_number[0] ? " " : "",
		 desc.model_number);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_MANUFACTURER,
			   desc.manufacturer);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_MODEL, model);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_TYPE, desc.device_type);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_NAME, desc.friendly_name);
}

/* The text between the first <...Tag> (any namespace prefix) and the
 * next '<', cleaned; false if absent. */
bool ym_sniff_xml_text_after(const uint8_t *p, uint32_t len, const char *tag,
			     char *out, size_t outlen)
{
	size_t n = strlen(tag);
	const uint8_t *a = p, *end = p + len;

	out[0] = '\0';
	while ((a = memmem(a, (size_t)(end - a), tag, n)) != NULL) {
		const uint8_t *b;

		a += n;
		if (a >= end || *a != '>')
			continue;
		a++;
		b = memchr(a, '<', (size_t)(end - a));
		if (!b || b == a)
			return false;
		ym_strlcpy_clean(out, (const char *)a, (size_t)(b - a), outlen);
		return true;
	}
	return false;
}

/* WS-Discovery (UDP 3702): an ONVIF camera announces itself (Hello) or
 * answers a search (ProbeMatches) with its types
 * (dn:NetworkVideoTransmitter) and scopes that carry its hardware model
 * and name. A Probe is someone looking for cameras and says nothing about
 * its sender. */
static void sniff_wsd(struct ym_sniff *s, struct ym_device *dev,
		      const struct ym_packet *pkt)
{
	static const char hw[] = "onvif://www.onvif.org/hardware/";
	static const char nm[] = "onvif://www.onvif.org/name/";
	const uint8_t *p = pkt->payload, *at;
	uint32_t len = pkt->payload_len;
	char v[128];

	if (!memmem(p, len, "/Hello<", 7) &&
	    !memmem(p, len, "/ProbeMatches<", 14))
		return;
	if (ym_sniff_xml_text_after(p, len, ":Types", v, sizeof(v)))
		ym_identify_signal(s->id, dev, YM_SIG_WSD_TYPE, v);
	if ((at = memmem(p, len, hw, sizeof(hw) - 1)) != NULL) {
		const uint8_t *a = at + sizeof(hw) - 1, *b = a;

		while (b < p + len && *b != ' ' && *b != '<')
			b++;
		ym_strlcpy_clean(v, (const char *)a, (size_t)(b - a),
				 sizeof(v));
		ym_identify_signal(s->id, dev, YM_SIG_UPNP_MODEL, v);
	}
	if ((at = memmem(p, len, nm, sizeof(nm) - 1)) != NULL) {
		const uint8_t *a = at + sizeof(nm) - 1, *b = a;

		while (b < p + len && *b != ' ' && *b != '<')
			b++;
		ym_strlcpy_clean(v, (const char *)a, (size_t)(b - a),
				 sizeof(v));
		ym_identify_signal(s->id, dev, YM_SIG_UPNP_NAME, v);
	}
}

/* A WPS set-up's M1 (from the device joining) or M2 (from the access
 * point) names its sender: maker, model, name and primary device type. */
static void sniff_wps(struct ym_sniff *s, struct ym_device *dev,
		      const struct ym_packet *pkt)
{
	struct ym_wps w;
	char v[112];
	int rc = ym_wps_parse(pkt->payload, pkt->payload_len, &w);

	/* A TCP segment need not begin a message: only UDP counts. */
	if (rc == -EINVAL && pkt->proto == 17)
		s->stats.malformed++;
	if (rc < 0 || (w.msg_type != YM_WPS_M1 && w.msg_type != YM_WPS_M2))
		return;
	ym_identify_signal(s->id, dev, YM_SIG_WPS_MANUFACTURER,
			   w.manufacturer);
	snprintf(v, sizeof(v), "%s%s%s", w.model_name,
		 w.model_name[0] && w.model_number[0] ? " " : "",
		 w.model_number);
	ym_identify_signal(s->id, dev, YM_SIG_WPS_MODEL, v);
	ym_identify_signal(s->id, dev, YM_SIG_WPS_NAME, w.device_name);
	if (w.category) {
		snprintf(v, sizeof(v), "%u-%u", w.category, w.subcategory);
		ym_identify_signal(s->id, dev, YM_SIG_WPS_CATEGORY, v);
	}
}

/* A Kasa device's get_sysinfo answer (TCP or UDP 9999) names its model
 * and kind the way a UPnP description does, and is read as one. */
static void sniff_tplink(struct ym_sniff *s, struct ym_device *dev,
			 const struct ym_packet *pkt)
{
	struct ym_tplink t;
	int rc = ym_tplink_parse(pkt->payload, pkt->payload_len,
				 pkt->proto == 6, &t);

	/* A TCP segment need not begin a message: only UDP counts. */
	if (rc == -EINVAL && pkt->proto == 17)
		s->stats.malformed++;
	if (rc < 0)
		return;
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_MODEL, t.model);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_TYPE, t.type);
}

/* Edimax's discovery answer (UDP 20560) names the maker, the model and the
 * name the app shows, read as a description's. */
static void sniff_edimax(struct ym_sniff *s, struct ym_device *dev,
			 const struct ym_packet *pkt)
{
	struct ym_edimax x;

	if (ym_edimax_parse(pkt->payload, pkt->payload_len, &x) < 0)
		return;
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_MANUFACTURER,
			   x.manufacturer);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_MODEL, x.model);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_NAME, x.name);
}

/* A Smarter kettle's or coffee machine's answer to its app's "identify"
 * (TCP or UDP 2081) names which one it is; read as a UPnP model. */
static void sniff_smarter(struct ym_sniff *s, struct ym_device *dev,
			  const struct ym_packet *pkt)
{
	const char *model = ym_smarter_model(pkt->payload, pkt->payload_len);

	if (!model)
		return;
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_MANUFACTURER, "Smarter");
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_MODEL, model);
}

/* A TTL no router has lowered: the initial values systems use. */
static bool initial_ttl(uint8_t ttl)
{
	return ttl == 32 || ttl == 64 || ttl == 128 || ttl == 255;
}

void ym_sniff_packet(struct ym_sniff *s, struct ym_device *dev,
		     const struct ym_packet *pkt)
{
	struct ym_lldp l;

	if (!dev || !pkt->payload)
		return;
	if (pkt->ethertype == 0x88cc) {
		if (ym_lldp_parse(pkt->payload, pkt->payload_len, &l) < 0) {
			s->stats.malformed++;
			return;
		}
		s->stats.lldp++;
		lldp_signals(s, dev, &l);
		return;
	}
	if (pkt->ethertype == 0x888e) {
		sniff_wps(s, dev, pkt);
		return;
	}
	/* CDP: 802.2 LLC SNAP with Cisco's OUI and protocol 0x2000. */
	if (pkt->ethertype == 0 && pkt->payload_len > 8 &&
	    memcmp(pkt->payload, "\xaa\xaa\x03\x00\x00\x0c\x20\x00", 8) == 0) {
		if (ym_cdp_parse(pkt->payload + 8, pkt->payload_len - 8, &l) <
		    0) {
			s->stats.malformed++;
			return;
		}
		s->stats.cdp++;
		lldp_signals(s, dev, &l);
		return;
	}
	if (pkt->proto == 6 && !pkt->later_fragment) {
		struct ym_syn syn;

		/* It opens a connection itself: the shape of its SYN says
		 * which system sent it (p0f's signatures). Only a SYN that
		 * left its sender here, with its TTL untouched (32, 64, 128
		 * or 255): not one the router passes on from the internet,
		 * a VPN or a guest network, whose address the inventory may
		 * have given the router. */
		if ((pkt->tcp_flags & (YM_TCP_SYN | YM_TCP_ACK)) == YM_TCP_SYN &&
		    pkt->l3_data && initial_ttl(pkt->ttl) &&
		    ym_device_has_ip(dev, &pkt->src) &&
		    ym_syn_read(pkt->l3_data, pkt->l3_len, &syn))
			ym_identify_tcp_syn(s->id, dev, &syn);
		/* It accepts a connection: it serves that port (a camera
		 * its RTSP stream, a printer JetDirect). */
		if ((pkt->tcp_flags & (YM_TCP_SYN | YM_TCP_ACK)) ==
		    (YM_TCP_SYN | YM_TCP_ACK)) {
			char port[16];

			snprintf(port, sizeof(port), "tcp/%u", pkt->sport);
			ym_identify_signal(s->id, dev, YM_SIG_SERVICE, port);
		}
		if (pkt->sport == 9999 && pkt->payload_len > 4)
			sniff_tplink(s, dev, pkt);
		else if (pkt->sport == 21 || pkt->sport == 23)
			ym_sniff_banner(s, dev, pkt);
		else if (pkt->sport == 2081)
			sniff_smarter(s, dev, pkt);
		else {
			if (pkt->dport == 80 || pkt->dport == 8080)
				sniff_http_request(s, dev, pkt);
			sniff_upnp_description(s, dev, pkt);
			ym_sniff_served(s, dev, pkt);
		}
		return;
	}
	if (pkt->proto != 17 || pkt->later_fragment)
		return;
	if (pkt->sport == 5353 || pkt->dport == 5353) {
		s->stats.mdns++;
		sniff_dns_announcement(s, dev, pkt, YM_SIG_MDNS_NAME);
	} else if (pkt->sport == 5355) {
		s->stats.llmnr++;
		sniff_dns_announcement(s, dev, pkt, YM_SIG_LLMNR_NAME);
	} else if (pkt->sport == 137 && pkt->dport == 137) {
		sniff_netbios(s, dev, pkt);
	} else if (pkt->dport == 1900 || pkt->sport == 1900) {
		sniff_ssdp(s, dev, pkt);
	} else if (pkt->dport == 3702 || pkt->sport == 3702) {
		sniff_wsd(s, dev, pkt);
	} else if (pkt->sport == 546 && pkt->dport == 547) {
		sniff_dhcp6(s, dev, pkt);
	} else if (pkt->sport >= 1024 && pkt->sport < 32768 &&
		   (pkt->dport >= 32768 || pkt->dport == pkt->sport) &&
		   ym_addr_is_private(&pkt->src)) {
		char port[16];

		if (pkt->sport == 9999)
			sniff_tplink(s, dev, pkt);
		else if (pkt->sport == 2081)
			sniff_smarter(s, dev, pkt);
		else if (pkt->sport == 20560)
			sniff_edimax(s, dev, pkt);
		/* It sends from a fixed port below the ephemeral ranges to an
		 * app's ephemeral port (or to the same port): it answers
		 * there (a MAX! Cube's discovery reply from 23272, a TP-Link
		 * plug's from 9999). A client's own random port (an old stack
		 * that picks them from 1024-5000) goes to a server's fixed
		 * port and is not read. Only ports a rule lists mean
		 * anything. */
		snprintf(port, sizeof(port), "udp/%u", pkt->sport);
		ym_identify_signal(s->id, dev, YM_SIG_SERVICE, port);
	}
}

void ym_sniff_flow(struct ym_sniff *s, struct ym_device *dev,
		   const struct ym_flow *f, const struct ym_flow_info *info,
		   const char *proto)
{
	(void)f;
	if (!dev)
		return;
	if (info->server_name[0]) {
		if (strcmp(proto, "DNS") == 0 || strcmp(proto, "HTTP") == 0)
			/* A lookup or an HTTP Host names the clouds a device
			 * talks to. */
			ym_identify_signal(s->id, dev, YM_SIG_DNS_QUERY,
					   info->server_name);
		else if (strstr(proto, "TLS") || strstr(proto, "QUIC"))
			ym_identify_signal(s->id, dev, YM_SIG_TLS_SNI,
					   info->server_name);
		/* mDNS, LLMNR and NetBIOS names are local: the sniffers above
		 * read them with their meaning. */
	}
	ym_identify_signal(s->id, dev, YM_SIG_HTTP_USER_AGENT,
			   info->user_agent);
	ym_identify_signal(s->id, dev, YM_SIG_JA3, info->ja3);
}

void ym_sniff_dhcp(struct ym_sniff *s, struct ym_device *dev,
		   const struct ym_dhcp *msg)
{
	char params[4 * sizeof(msg->params) + 1];
	size_t off = 0;

	if (!dev)
		return;
	if (msg->has_hostname)
		ym_identify_signal(s->id, dev, YM_SIG_DHCP_HOSTNAME,
				   msg->hostname);
	ym_identify_signal(s->id, dev, YM_SIG_DHCP_VENDOR, msg->vendor_class);
	ym_identify_signal(s->id, dev, YM_SIG_DHCP_FQDN, msg->fqdn);
	params[0] = '\0';
	for (uint8_t i = 0; i < msg->n_params; i++)
		off += (size_t)snprintf(params + off, sizeof(params) - off,
					"%s%u", i ? "," : "", msg->params[i]);
	ym_identify_signal(s->id, dev, YM_SIG_DHCP_PARAMS, params);
}

void ym_sniff_upnp(struct ym_sniff *s, struct ym_device *dev,
		   const struct ym_upnp_desc *desc)
{
	char model[160];

	if (!dev)
		return;
	snprintf(model, sizeof(model), "%s%s%s", desc->model_name,
		 desc->model_name[0] && desc->model_number[0] ? " " : "",
		 desc->model_number);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_MANUFACTURER,
			   desc->manufacturer);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_MODEL, model);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_TYPE, desc->device_type);
	ym_identify_signal(s->id, dev, YM_SIG_UPNP_NAME, desc->friendly_name);
	if (desc->firmware[0])
		ym_device_add_evidence(dev, "upnp_firmware", desc->firmware,
				       "firmware");
}
