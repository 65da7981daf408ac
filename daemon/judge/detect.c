#define _GNU_SOURCE
#include "detect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ndpi_api.h>

#include "alerts.h"
#include "dhcp.h"
#include "intel.h"
#include "inventory.h"

/* Devices whose behaviour is tracked at once; the least recently active
 * makes room, so a flood of random source addresses costs nothing more. */
#define SOURCES 512
#define PROBES 8

#define SEC 1000000ULL

/* Worm scans: distinct internet addresses tried on the ports IoT worms
 * use (Mirai, Hajime, Hide'n'Seek), within five minutes, mostly without
 * an answer. */
#define WORM_WINDOW (5 * 60 * SEC)
#define WORM_MIN_TARGETS 50
#define WORM_MIN_ENDED 30
/* Port scans, after Zeek's notice: 15 failed ports on one host, or one
 * port failing on 25 hosts, within five minutes. */
#define SCAN_WINDOW (5 * 60 * SEC)
#define SCAN_PORTS 15
#define SCAN_HOSTS 25
/* ARP sweeps: requests for 48 distinct addresses in a minute (a home has
 * far fewer devices than that to ask for). */
#define ARP_WINDOW (60 * SEC)
#define ARP_TARGETS 48
/* Floods: unanswered packets to one destination in ten seconds, far above
 * the device's usual rate. */
#define DOS_WINDOW (10 * SEC)
#define DOS_MIN_PACKETS 3000
#define DOS_FACTOR 10
/* Generated names: failed lookups of random-looking names in ten minutes. */
#define DGA_WINDOW (10 * 60 * SEC)
#define DGA_NAMES 8
/* Uploads: bytes to one internet destination in an hour, far above what
 * the device usually sends in an hour. */
#define UP_WINDOW (3600 * SEC)
#define UP_MIN_BYTES (25ULL << 20)
#define UP_FACTOR 10
#define UP_FLOOR (1ULL << 20)

#define BITS 1024

/* Flow detection state bits (struct ym_flow.detect). */
#define F_WORM 0x01       /* a worm-port attempt from a LAN device */
#define F_PW_PROMPT 0x02  /* the server asked for a password */
#define F_CLEARTEXT 0x04  /* credentials already reported */
#define F_UPNP 0x08       /* a port mapping already reported */
#define F_CHECKED 0x10    /* intel address check done */

struct bitset {
	uint64_t w[BITS / 64];
	uint16_t n;
};

struct target {
	uint64_t key;
	struct bitset set;
};

struct rate {
	struct ym_addr addr;
	uint32_t sent, recv;
};

struct upload {
	struct ym_addr addr;
	uint64_t bytes;
	bool reported;
};

struct source {
	uint8_t mac[6];
	bool used;
	uint64_t last_us;

	uint64_t worm_win;
	struct bitset worm;
	uint16_t mirai, worm_unanswered, worm_answered;

	uint64_t scan_win;
	struct {
		struct target hosts[4]; /* failed ports per target host */
		struct target ports[4]; /* failed hosts per target port */
		uint16_t stealth;       /* NULL, FIN and Xmas probes */
	} scan;

	uint64_t arp_win;
	struct bitset arp;

	uint64_t dos_win;
	struct rate rates[8];
	float dos_base;

	uint64_t dga_win;
	struct bitset dga;

	uint64_t up_win;
	struct upload ups[4];
	float up_base;
};

struct ym_detect {
	struct ym_alerts *alerts;
	struct ym_inventory *inv;
	const struct ym_intel *intel;
	struct source *sources;
	bool has_dhcp_server;
	uint8_t dhcp_server[6];
	struct ym_detect_stats stats;
};

static const uint16_t worm_ports[] = {
	23, 2323, 22, 2222, 5555, 7547, 37215, 52869, 8080, 81, 9527, 5358,
	60001, 8081, 23231,
};

int ym_detect_init(struct ym_detect **out, struct ym_alerts *alerts,
		   struct ym_inventory *inv, const struct ym_intel *intel)
{
	struct ym_detect *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->sources = calloc(SOURCES, sizeof(*d->sources));
	if (!d->sources) {
		free(d);
		return -ENOMEM;
	}
	d->alerts = alerts;
	d->inv = inv;
	d->intel = intel;
	*out = d;
	return 0;
}

void ym_detect_set_intel(struct ym_detect *d, const struct ym_intel *intel)
{
	d->intel = intel;
}

void ym_detect_fini(struct ym_detect *d)
{
	if (!d)
		return;
	free(d->sources);
	free(d);
}

void ym_detect_get_stats(const struct ym_detect *d, struct ym_detect_stats *s)
{
	*s = d->stats;
}

/* Adds a hashed item; true when it was new. Counts saturate with the set. */
static bool bit_add(struct bitset *b, uint64_t h)
{
	uint64_t bit = 1ULL << (h & 63);
	uint64_t *w = &b->w[(h >> 6) % (BITS / 64)];

	if (*w & bit)
		return false;
	*w |= bit;
	b->n++;
	return true;
}

static void window(uint64_t *start, uint64_t len, uint64_t now, void *state,
		   size_t size)
{
	if (*start && now < *start + len)
		return;
	memset(state, 0, size);
	*start = now;
}

static struct source *source_of(struct ym_detect *d, const uint8_t mac[6],
				uint64_t now)
{
	uint32_t h = (uint32_t)ym_hash_mac(mac, 0xde7ec7);
	struct source *victim = NULL;

	for (int i = 0; i < PROBES; i++) {
		struct source *s = &d->sources[(h + (uint32_t)i) % SOURCES];

		if (s->used && memcmp(s->mac, mac, 6) == 0) {
			s->last_us = now;
			return s;
		}
		if (!s->used) {
			if (!victim || victim->used)
				victim = s;
		} else if (!victim || (victim->used &&
				       s->last_us < victim->last_us)) {
			victim = s;
		}
	}
	if (victim->used)
		d->stats.sources_evicted++;
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->mac, mac, 6);
	victim->used = true;
	victim->last_us = now;
	return victim;
}

static bool is_worm_port(uint16_t port)
{
	for (size_t i = 0; i < YM_ARRAY_SIZE(worm_ports); i++)
		if (worm_ports[i] == port)
			return true;
	return false;
}

static void alert(struct ym_detect *d, enum ym_alert_kind kind,
		  enum ym_severity sev, struct ym_device *dev,
		  const char *target, const char *evidence, uint64_t now)
{
	ym_alerts_raise(d->alerts, kind, sev, dev, target, evidence, now);
}

/* One piece of evidence as the JSON array the alert stores. */
static void evidence1(char *buf, size_t len, const char *signal,
		      const char *value, const char *conclusion)
{
	char v[160];
	size_t j = 0;

	/* Values come from the network: keep them plain for JSON. */
	for (size_t i = 0; value[i] && j + 1 < sizeof(v); i++)
		v[j++] = (value[i] == '"' || value[i] == '\\' ||
			  (unsigned char)value[i] < 0x20) ? '?' : value[i];
	v[j] = '\0';
	snprintf(buf, len,
		 "[{\"signal\":\"%s\",\"value\":\"%s\",\"conclusion\":\"%s\"}]",
		 signal, v, conclusion);
}

static void addr_text(const struct ym_addr *a, char *out, size_t len)
{
	ym_addr_format(a, out, len);
}

static bool local(struct ym_detect *d, const struct ym_addr *a)
{
	return ym_inventory_addr_is_local(d->inv, a) || ym_addr_is_special(a);
}

/* The worm check: enough distinct internet targets on worm ports, and
 * either Mirai's tell-tale sequence numbers or mostly no answer. */
static void check_worm(struct ym_detect *d, struct ym_device *dev,
		       struct source *s, uint64_t now)
{
	uint32_t ended = s->worm_unanswered + s->worm_answered;
	char ev[256], v[64];

	if (s->worm.n < WORM_MIN_TARGETS)
		return;
	if (s->mirai < WORM_MIN_TARGETS / 2 &&
	    (ended < WORM_MIN_ENDED || s->worm_unanswered * 10 < ended * 7))
		return;
	snprintf(v, sizeof(v), "%u addresses, %u unanswered, %u mirai",
		 s->worm.n, s->worm_unanswered, s->mirai);
	evidence1(ev, sizeof(ev), "worm_ports", v, "telnet_scan");
	alert(d, YM_ALERT_TELNET_SCAN, YM_CRITICAL, dev, "", ev, now);
}

static void check_scan(struct ym_detect *d, struct ym_device *dev,
		       struct source *s, const struct ym_flow *f, uint64_t now)
{
	char ev[256], v[96], host[YM_ADDR_STRLEN];
	uint64_t hk = ym_hash_bytes(f->addr[1].a, 16, 1);
	struct target *t = NULL;

	window(&s->scan_win, SCAN_WINDOW, now, &s->scan, sizeof(s->scan));
	/* One host, many ports. */
	for (int i = 0; i < 4 && !t; i++)
		if (s->scan.hosts[i].key == hk || !s->scan.hosts[i].key)
			t = &s->scan.hosts[i];
	if (!t)
		t = &s->scan.hosts[now % 4];
	if (t->key != hk) {
		memset(t, 0, sizeof(*t));
		t->key = hk;
	}
	bit_add(&t->set, ym_hash_bytes(&f->port[1], 2, 2));
	addr_text(&f->addr[1], host, sizeof(host));
	if (t->set.n == SCAN_PORTS) {
		snprintf(v, sizeof(v), "%u ports of %s", t->set.n, host);
		evidence1(ev, sizeof(ev), "failed_connections", v,
			  "port_scan");
		alert(d, YM_ALERT_PORT_SCAN, YM_WARNING, dev, host, ev, now);
	}
	/* One port, many hosts. */
	hk = (uint64_t)f->port[1] + 1;
	t = NULL;
	for (int i = 0; i < 4 && !t; i++)
		if (s->scan.ports[i].key == hk || !s->scan.ports[i].key)
			t = &s->scan.ports[i];
	if (!t)
		t = &s->scan.ports[now % 4];
	if (t->key != hk) {
		memset(t, 0, sizeof(*t));
		t->key = hk;
	}
	bit_add(&t->set, ym_hash_bytes(f->addr[1].a, 16, 3));
	if (t->set.n == SCAN_HOSTS) {
		char port[16];

		snprintf(port, sizeof(port), "port %u", f->port[1]);
		snprintf(v, sizeof(v), "%u hosts on %s", t->set.n, port);
		evidence1(ev, sizeof(ev), "failed_connections", v,
			  "port_scan");
		alert(d, YM_ALERT_PORT_SCAN, YM_WARNING, dev, port, ev, now);
	}
}

void ym_detect_flow_end(struct ym_detect *d, struct ym_device *dev,
			const struct ym_flow *f)
{
	struct source *s;
	bool failed;

	if (!dev || f->key.proto != 6)
		return;
	s = source_of(d, dev->mac, f->last_us);
	/* No data from the other side: refused, reset or never answered. */
	failed = f->pkts[1] <= 1 && f->bytes[1] <= 80 && f->pkts[0] <= 4;
	if (f->detect & F_WORM) {
		window(&s->worm_win, WORM_WINDOW, f->last_us, &s->worm,
		       sizeof(s->worm));
		if (f->pkts[1] == 0)
			s->worm_unanswered++;
		else
			s->worm_answered++;
		check_worm(d, dev, s, f->last_us);
		return;
	}
	if (failed)
		check_scan(d, dev, s, f, f->last_us);
}

static void new_flow(struct ym_detect *d, struct ym_device *src,
		     const struct ym_packet *pkt, struct ym_flow *f)
{
	char ev[256], target[YM_ADDR_STRLEN];
	struct source *s;

	if (!local(d, &pkt->dst) && ym_intel_bad_addr(d->intel, &pkt->dst)) {
		addr_text(&pkt->dst, target, sizeof(target));
		evidence1(ev, sizeof(ev), "address", target,
			  "on a threat list");
		alert(d, YM_ALERT_MALWARE_CONTACT, YM_CRITICAL, src, target, ev,
		      pkt->ts_us);
	}
	if (pkt->proto != 6 || (pkt->tcp_flags & (YM_TCP_SYN | YM_TCP_ACK)) !=
				       YM_TCP_SYN)
		return;
	if (local(d, &pkt->dst) || !is_worm_port(pkt->dport))
		return;
	f->detect |= F_WORM;
	s = source_of(d, src->mac, pkt->ts_us);
	window(&s->worm_win, WORM_WINDOW, pkt->ts_us, &s->worm,
	       sizeof(s->worm));
	if (bit_add(&s->worm, ym_hash_bytes(pkt->dst.a, 16, 4)) &&
	    pkt->dst.family == 4 &&
	    pkt->tcp_seq == ((uint32_t)pkt->dst.a[0] << 24 |
			     (uint32_t)pkt->dst.a[1] << 16 |
			     (uint32_t)pkt->dst.a[2] << 8 | pkt->dst.a[3]))
		s->mirai++;
	check_worm(d, src, s, pkt->ts_us);
}

/* Flags no TCP stack opens a connection with: nmap's NULL, FIN and Xmas
 * probes, and SYN with FIN. */
static bool stealth_probe(uint8_t flags)
{
	uint8_t f = flags & 0x3f;

	return f == 0 || f == YM_TCP_FIN || f == (YM_TCP_FIN | 0x08 | 0x20) ||
	       (f & (YM_TCP_SYN | YM_TCP_FIN)) == (YM_TCP_SYN | YM_TCP_FIN);
}

static void check_stealth(struct ym_detect *d, struct ym_device *src,
			  const struct ym_packet *pkt)
{
	struct source *s = source_of(d, src->mac, pkt->ts_us);
	char ev[256], host[YM_ADDR_STRLEN];

	window(&s->scan_win, SCAN_WINDOW, pkt->ts_us, &s->scan,
	       sizeof(s->scan));
	if (++s->scan.stealth != 2)
		return;
	addr_text(&pkt->dst, host, sizeof(host));
	evidence1(ev, sizeof(ev), "tcp_flags", "NULL, FIN or Xmas probes",
		  "port_scan");
	alert(d, YM_ALERT_PORT_SCAN, YM_WARNING, src, host, ev, pkt->ts_us);
}

static void check_arp(struct ym_detect *d, struct ym_device *src,
		      const struct ym_packet *pkt)
{
	struct ym_device *gw = ym_inventory_gateway(d->inv);
	char ev[256], v[64], gwip[YM_ADDR_STRLEN];
	struct ym_addr spa;
	struct source *s;

	ym_addr_set4(&spa, pkt->arp.spa);
	/* Someone else answering for the gateway's address. */
	if (gw && gw != src && memcmp(pkt->arp.sha, src->mac, 6) == 0) {
		for (uint8_t i = 0; i < gw->n_ips; i++) {
			if (!ym_addr_equal(&gw->ips[i].addr, &spa))
				continue;
			addr_text(&spa, gwip, sizeof(gwip));
			evidence1(ev, sizeof(ev), "arp", gwip,
				  "claims the gateway's address");
			alert(d, YM_ALERT_GATEWAY_SPOOF, YM_CRITICAL, src, gwip,
			      ev, pkt->ts_us);
		}
	}
	if (pkt->arp.op != 1 || src == gw ||
	    memcmp(pkt->arp.spa, pkt->arp.tpa, 4) == 0)
		return;
	s = source_of(d, src->mac, pkt->ts_us);
	window(&s->arp_win, ARP_WINDOW, pkt->ts_us, &s->arp, sizeof(s->arp));
	if (bit_add(&s->arp, ym_hash_bytes(pkt->arp.tpa, 4, 5)) &&
	    s->arp.n == ARP_TARGETS) {
		snprintf(v, sizeof(v), "%u addresses in a minute", s->arp.n);
		evidence1(ev, sizeof(ev), "arp_requests", v, "arp_scan");
		alert(d, YM_ALERT_ARP_SCAN, YM_WARNING, src, "", ev,
		      pkt->ts_us);
	}
}

static void check_dhcp_server(struct ym_detect *d, struct ym_device *src,
			      const struct ym_packet *pkt)
{
	const struct ym_dhcp *m = &pkt->dhcp;
	char ev[256], mac[YM_MAC_STRLEN];

	if (!pkt->has_dhcp || m->op != 2 ||
	    (m->msg_type != YM_DHCP_OFFER && m->msg_type != YM_DHCP_ACK))
		return;
	if (!d->has_dhcp_server) {
		memcpy(d->dhcp_server, src->mac, 6);
		d->has_dhcp_server = true;
		return;
	}
	if (memcmp(d->dhcp_server, src->mac, 6) == 0)
		return;
	ym_mac_format(src->mac, mac);
	evidence1(ev, sizeof(ev), "dhcp_server", mac,
		  "a second DHCP server answers");
	alert(d, YM_ALERT_GATEWAY_SPOOF, YM_CRITICAL, src, "dhcp", ev,
	      pkt->ts_us);
}

static void check_natpmp(struct ym_detect *d, struct ym_device *src,
			 const struct ym_packet *pkt)
{
	const uint8_t *p = pkt->payload;
	char ev[256], v[64];

	if (pkt->payload_len < 2)
		return;
	/* NAT-PMP (RFC 6886) version 0, map UDP or TCP; PCP (RFC 6887)
	 * version 2, MAP request. */
	if (p[0] == 0 && (p[1] == 1 || p[1] == 2) && pkt->payload_len >= 12) {
		snprintf(v, sizeof(v), "NAT-PMP map, internal port %u",
			 (unsigned)ym_be16(p, pkt->payload_len, 4));
	} else if (p[0] == 2 && (p[1] & 0x7f) == 1 && !(p[1] & 0x80)) {
		snprintf(v, sizeof(v), "PCP map request");
	} else {
		return;
	}
	evidence1(ev, sizeof(ev), "port_mapping", v, "upnp_exposure");
	alert(d, YM_ALERT_UPNP_EXPOSURE, YM_WARNING, src, "nat-pmp", ev,
	      pkt->ts_us);
}

static bool contains(const uint8_t *p, uint32_t len, const char *needle)
{
	size_t n = strlen(needle);

	return len >= n && memmem(p, len, needle, n) != NULL;
}

/* Payload checks on the first packets of TCP flows: credentials sent in
 * the clear to the internet, and UPnP port mappings asked of the router. */
static void check_payload(struct ym_detect *d, const struct ym_packet *pkt,
			  struct ym_flow *f, int dir)
{
	struct ym_device *dev;
	char ev[256], host[YM_ADDR_STRLEN];
	const char *how = NULL;
	bool to_lan;

	if (f->pkts[0] + f->pkts[1] > 64 || !f->has_mac[0] ||
	    !ym_inventory_addr_is_local(d->inv, &f->addr[0]))
		return;
	/* The cheap tests first: the device is only looked up on a hit. */
	to_lan = local(d, &f->addr[1]);
	if (to_lan) {
		/* The action name is in the SOAPAction header and the body. */
		if (dir != YM_DIR_FWD || (f->detect & F_UPNP) ||
		    f->port[1] == 53 ||
		    !contains(pkt->payload, pkt->payload_len,
			      "#AddPortMapping"))
			return;
		dev = ym_inventory_find(d->inv, f->mac[0]);
		if (!dev)
			return;
		f->detect |= F_UPNP;
		evidence1(ev, sizeof(ev), "upnp_soap", "AddPortMapping",
			  "upnp_exposure");
		alert(d, YM_ALERT_UPNP_EXPOSURE, YM_WARNING, dev, "upnp", ev,
		      pkt->ts_us);
		return;
	}
	if (f->detect & F_CLEARTEXT)
		return;
	switch (f->port[1]) {
	case 21:
		if (dir == YM_DIR_FWD &&
		    contains(pkt->payload, pkt->payload_len, "PASS "))
			how = "FTP password";
		break;
	case 23:
	case 2323:
		/* A password typed after the server asked for one. */
		if (dir == YM_DIR_REV &&
		    contains(pkt->payload, pkt->payload_len, "assword"))
			f->detect |= F_PW_PROMPT;
		else if (dir == YM_DIR_FWD && (f->detect & F_PW_PROMPT))
			how = "telnet password";
		break;
	case 80:
	case 81:
	case 8000:
	case 8008:
	case 8080:
	case 8081:
		/* Header names are case-insensitive; in practice the first
		 * letter is the only one that varies. */
		if (dir == YM_DIR_FWD &&
		    contains(pkt->payload, pkt->payload_len,
			     "uthorization: Basic "))
			how = "HTTP Basic password";
		break;
	default:
		break;
	}
	if (!how || !(dev = ym_inventory_find(d->inv, f->mac[0])))
		return;
	f->detect |= F_CLEARTEXT;
	addr_text(&f->addr[1], host, sizeof(host));
	evidence1(ev, sizeof(ev), "cleartext", how, host);
	alert(d, YM_ALERT_CLEARTEXT_CREDENTIALS, YM_WARNING, dev, host, ev,
	      pkt->ts_us);
}

/* Floods: one-way packets to one destination in a window, against the
 * device's own usual rate; a destination that answers (its flow carries
 * replies) is a conversation, not a flood. */
static void count_flood(struct ym_detect *d, struct ym_device *src,
			struct source *s, const struct ym_packet *pkt,
			const struct ym_flow *f)
{
	struct rate *r = NULL, *smallest = &s->rates[0];
	char ev[256], v[96], target[YM_ADDR_STRLEN];

	if (!s->dos_win || pkt->ts_us >= s->dos_win + DOS_WINDOW) {
		uint32_t top = 0;

		for (int i = 0; i < 8; i++)
			if (s->rates[i].sent > top)
				top = s->rates[i].sent;
		/* The usual rate learns slowly, and not from a flood. */
		if (top < DOS_MIN_PACKETS)
			s->dos_base = s->dos_base * 0.9f + (float)top * 0.1f;
		memset(s->rates, 0, sizeof(s->rates));
		s->dos_win = pkt->ts_us;
	}
	for (int i = 0; i < 8; i++) {
		if (ym_addr_equal(&s->rates[i].addr, &pkt->dst)) {
			r = &s->rates[i];
			break;
		}
		if (s->rates[i].sent < smallest->sent)
			smallest = &s->rates[i];
	}
	if (!r) {
		r = smallest;
		memset(r, 0, sizeof(*r));
		r->addr = pkt->dst;
	}
	r->sent++;
	if (r->sent != DOS_MIN_PACKETS || f->pkts[1] * 20 > f->pkts[0] ||
	    (float)r->sent <= s->dos_base * DOS_FACTOR)
		return;
	addr_text(&pkt->dst, target, sizeof(target));
	snprintf(v, sizeof(v), "%u unanswered packets in 10 s to %s", r->sent,
		 target);
	evidence1(ev, sizeof(ev), "flood", v, "dos_attack");
	alert(d, YM_ALERT_DOS_ATTACK, YM_CRITICAL, src, target, ev, pkt->ts_us);
}

static bool exempt_from_upload(const struct ym_device *dev)
{
	/* Phones, computers and storage back up and sync in bulk. */
	return !strcmp(dev->type, "computer") || !strcmp(dev->type, "phone") ||
	       !strcmp(dev->type, "tablet") || !strcmp(dev->type, "nas");
}

static void count_upload(struct ym_detect *d, struct ym_device *src,
			 struct source *s, const struct ym_packet *pkt,
			 uint64_t bytes)
{
	struct upload *u = NULL, *smallest = &s->ups[0];
	char ev[256], v[96], target[YM_ADDR_STRLEN];
	uint64_t limit;

	if (!s->up_win || pkt->ts_us >= s->up_win + UP_WINDOW) {
		uint64_t top = 0;

		for (int i = 0; i < 4; i++)
			if (s->ups[i].bytes > top)
				top = s->ups[i].bytes;
		if (s->up_win)
			s->up_base = s->up_base * 0.8f + (float)top * 0.2f;
		memset(s->ups, 0, sizeof(s->ups));
		s->up_win = pkt->ts_us;
	}
	for (int i = 0; i < 4; i++) {
		if (ym_addr_equal(&s->ups[i].addr, &pkt->dst)) {
			u = &s->ups[i];
			break;
		}
		if (s->ups[i].bytes < smallest->bytes)
			smallest = &s->ups[i];
	}
	if (!u) {
		u = smallest;
		memset(u, 0, sizeof(*u));
		u->addr = pkt->dst;
	}
	u->bytes += bytes;
	limit = (uint64_t)s->up_base * UP_FACTOR;
	if (limit < UP_FLOOR * UP_FACTOR)
		limit = UP_FLOOR * UP_FACTOR;
	if (limit < UP_MIN_BYTES)
		limit = UP_MIN_BYTES;
	if (u->reported || u->bytes < limit || exempt_from_upload(src))
		return;
	u->reported = true;
	addr_text(&pkt->dst, target, sizeof(target));
	snprintf(v, sizeof(v), "%llu MB in an hour to %s",
		 (unsigned long long)(u->bytes >> 20), target);
	evidence1(ev, sizeof(ev), "upload", v, "abnormal_upload");
	alert(d, YM_ALERT_ABNORMAL_UPLOAD, YM_WARNING, src, target, ev,
	      pkt->ts_us);
}

static bool one_way(const struct ym_packet *pkt)
{
	if (pkt->proto == 17)
		return true;
	if (pkt->proto == 6)
		return (pkt->tcp_flags & (YM_TCP_SYN | YM_TCP_ACK)) ==
		       YM_TCP_SYN;
	return (pkt->proto == 1 && pkt->icmp_type == 8) ||
	       (pkt->proto == 58 && pkt->icmp_type == 128);
}

void ym_detect_packet(struct ym_detect *d, struct ym_device *src,
		      const struct ym_packet *pkt, struct ym_flow *f, int dir)
{
	struct source *s = NULL;

	if (src && pkt->l3 == YM_L3_ARP) {
		check_arp(d, src, pkt);
		return;
	}
	if (pkt->l3 != YM_L3_IPV4 && pkt->l3 != YM_L3_IPV6)
		return;
	if (src && pkt->proto == 17 && pkt->sport == 67 && pkt->dport == 68)
		check_dhcp_server(d, src, pkt);
	if (!f)
		return;
	if (f->key.proto == 6 && pkt->payload_len)
		check_payload(d, pkt, f, dir);
	if (!src || !ym_inventory_addr_is_local(d->inv, &pkt->src))
		return;
	if (dir == YM_DIR_FWD && f->pkts[0] == 1 && f->pkts[1] == 0) {
		new_flow(d, src, pkt, f);
		if (pkt->proto == 6 && stealth_probe(pkt->tcp_flags))
			check_stealth(d, src, pkt);
	}
	if (pkt->proto == 17 && pkt->dport == 5351)
		check_natpmp(d, src, pkt);
	/* A LAN device answering on telnet or FTP offers a risky service. */
	if (pkt->proto == 6 && dir == YM_DIR_REV &&
	    (pkt->tcp_flags & (YM_TCP_SYN | YM_TCP_ACK)) ==
		    (YM_TCP_SYN | YM_TCP_ACK) &&
	    (pkt->sport == 23 || pkt->sport == 2323 || pkt->sport == 21)) {
		char ev[256];
		const char *svc = pkt->sport == 21 ? "ftp" : "telnet";

		evidence1(ev, sizeof(ev), "service", svc, "offered on the LAN");
		alert(d, YM_ALERT_RISKY_SERVICE, YM_WARNING, src, svc, ev,
		      pkt->ts_us);
	}
	if (dir != YM_DIR_FWD)
		return;
	/* One lookup of the sender's counters serves both checks. */
	if (one_way(pkt)) {
		s = source_of(d, src->mac, pkt->ts_us);
		count_flood(d, src, s, pkt, f);
	}
	/* Uploads are volumes: a flow's bytes are added every 16 packets
	 * (and by a short flow's last packets at the next one's turn). */
	if ((f->pkts[0] & 15) == 0 && !local(d, &pkt->dst)) {
		if (!s)
			s = source_of(d, src->mac, pkt->ts_us);
		count_upload(d, src, s, pkt, f->bytes[0] - f->upload_mark);
		f->upload_mark = f->bytes[0];
	}
}

/* A random-looking label: long, with few vowels or long consonant runs
 * and digits mixed in. */
static bool looks_generated(const char *name)
{
	const char *label = name, *dot;
	size_t best = 0, len;
	int vowels = 0, digits = 0, run = 0, maxrun = 0;

	/* The longest label except the top-level domain. */
	for (const char *p = name; (dot = strchr(p, '.')); p = dot + 1) {
		if ((size_t)(dot - p) > best) {
			best = (size_t)(dot - p);
			label = p;
		}
	}
	len = best;
	if (len < 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = (char)(label[i] | 0x20);

		if (strchr("aeiouy", c)) {
			vowels++;
			run = 0;
		} else {
			if (c >= '0' && c <= '9')
				digits++;
			if (++run > maxrun)
				maxrun = run;
		}
	}
	return vowels * 5 < (int)len || maxrun >= 6 ||
	       (digits >= 3 && vowels * 3 < (int)len);
}

void ym_detect_flow_classified(struct ym_detect *d, struct ym_device *dev,
			       const struct ym_flow *f,
			       const struct ym_flow_info *info,
			       const char *proto)
{
	char ev[256];
	struct source *s;

	if (!dev)
		return;
	if ((info->server_name[0] &&
	     ym_intel_bad_domain(d->intel, info->server_name)) ||
	    ym_intel_bad_ja3(d->intel, info->ja3) ||
	    (info->risk & ((1ULL << NDPI_MALICIOUS_JA3) |
			   (1ULL << NDPI_MALICIOUS_SHA1_CERTIFICATE)))) {
		const char *what = info->server_name[0] ? info->server_name :
							  info->ja3;

		evidence1(ev, sizeof(ev), info->server_name[0] ? "domain" :
								 "ja3",
			  what, "on a threat list");
		alert(d, YM_ALERT_MALWARE_CONTACT, YM_CRITICAL, dev, what, ev,
		      f->last_us);
	}
	if ((info->risk & (1ULL << NDPI_CLEAR_TEXT_CREDENTIALS)) &&
	    !local(d, &f->addr[1])) {
		char host[YM_ADDR_STRLEN];

		addr_text(&f->addr[1], host, sizeof(host));
		evidence1(ev, sizeof(ev), "cleartext", proto, host);
		alert(d, YM_ALERT_CLEARTEXT_CREDENTIALS, YM_WARNING, dev, host,
		      ev, f->last_us);
	}
	if (strcmp(proto, "DNS") != 0 || !info->server_name[0] ||
	    info->dns_rcode == 0 || ym_intel_allowed(d->intel,
						     info->server_name))
		return;
	if (!(info->risk & (1ULL << NDPI_SUSPICIOUS_DGA_DOMAIN)) &&
	    !looks_generated(info->server_name))
		return;
	s = source_of(d, dev->mac, f->last_us);
	window(&s->dga_win, DGA_WINDOW, f->last_us, &s->dga, sizeof(s->dga));
	if (bit_add(&s->dga, ym_hash_bytes(info->server_name,
					   strlen(info->server_name), 6)) &&
	    s->dga.n == DGA_NAMES) {
		evidence1(ev, sizeof(ev), "dns_query", info->server_name,
			  "generated name, not resolved");
		alert(d, YM_ALERT_DGA_DOMAIN, YM_WARNING, dev, "", ev,
		      f->last_us);
	}
}
