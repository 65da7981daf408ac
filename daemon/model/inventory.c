#include "inventory.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "identify.h"
#include "oui.h"

#define YM_MAX_LOCAL_NETS 8

/* Frames with an internet source address a device must send before traffic
 * alone marks it as the gateway. */
#define YM_GATEWAY_MIN_REMOTE 3

struct local_net {
	struct ym_addr net;
	uint8_t plen;
};

/* A device record in the table, with the table's own links: the next slot
 * in its hash chain (or the free list) and its place in the LRU list, least
 * recently heard first. Slots are handed out as indices so the pool can be
 * one allocation. */
struct ym_inventory_slot {
	struct ym_device dev;
	int32_t next, lru_prev, lru_next;
};

struct ym_inventory {
	struct ym_inventory_slot *pool;
	int32_t *buckets;
	uint32_t mask, max;
	int32_t free_head, lru_head, lru_tail;
	uint32_t used; /* slots ever handed out */
	uint64_t seed; /* per-process hash seed against crafted MAC floods */
	const struct ym_oui *oui;
	struct ym_identify *id;
	struct ym_inventory_observer *obs;
	struct local_net nets[YM_MAX_LOCAL_NETS];
	uint32_t n_nets;
	bool has_router_ip;
	bool has_gateway;
	uint8_t gateway_mac[6];   /* decided in ym_inventory_decide */
	struct ym_addr router_ip;  /* DHCP option 3 */
	struct ym_inventory_stats stats;
};

int ym_inventory_init(struct ym_inventory **out, uint32_t max_devices,
		      const struct ym_oui *oui, struct ym_identify *id,
		      struct ym_inventory_observer *obs)
{
	struct ym_inventory *inv;
	uint32_t nb = 1;

	if (max_devices == 0 || max_devices > (1u << 20))
		return -EINVAL;
	while (nb < max_devices * 2)
		nb <<= 1;
	inv = calloc(1, sizeof(*inv));
	if (!inv)
		return -ENOMEM;
	inv->pool = calloc(max_devices, sizeof(*inv->pool));
	inv->buckets = malloc(nb * sizeof(*inv->buckets));
	if (!inv->pool || !inv->buckets) {
		ym_inventory_fini(inv);
		return -ENOMEM;
	}
	memset(inv->buckets, 0xff, nb * sizeof(*inv->buckets));
	inv->mask = nb - 1;
	inv->max = max_devices;
	inv->free_head = -1;
	if (getrandom(&inv->seed, sizeof(inv->seed), 0) != sizeof(inv->seed))
		inv->seed = (uint64_t)(uintptr_t)inv ^ ym_wall_us();
	inv->lru_head = inv->lru_tail = -1;
	inv->oui = oui;
	inv->id = id;
	inv->obs = obs;
	inv->stats.max = max_devices;
	*out = inv;
	return 0;
}

void ym_inventory_set_identify(struct ym_inventory *inv,
			       struct ym_identify *id)
{
	inv->id = id;
}

void ym_inventory_fini(struct ym_inventory *inv)
{
	if (!inv)
		return;
	free(inv->pool);
	free(inv->buckets);
	free(inv);
}

static uint32_t mac_hash(const struct ym_inventory *inv, const uint8_t mac[6])
{
	return (uint32_t)ym_hash_mac(mac, inv->seed);
}

/* The slot holding a device record handed out by this inventory. */
static struct ym_inventory_slot *slot_of(struct ym_device *d)
{
	return ym_container_of(d, struct ym_inventory_slot, dev);
}

static int32_t slot_index(const struct ym_inventory *inv,
			  const struct ym_inventory_slot *sl)
{
	return (int32_t)(sl - inv->pool);
}

static void lru_unlink(struct ym_inventory *inv, struct ym_inventory_slot *sl)
{
	if (sl->lru_prev >= 0)
		inv->pool[sl->lru_prev].lru_next = sl->lru_next;
	else
		inv->lru_head = sl->lru_next;
	if (sl->lru_next >= 0)
		inv->pool[sl->lru_next].lru_prev = sl->lru_prev;
	else
		inv->lru_tail = sl->lru_prev;
}

static void lru_append(struct ym_inventory *inv, struct ym_inventory_slot *sl)
{
	int32_t idx = slot_index(inv, sl);

	sl->lru_next = -1;
	sl->lru_prev = inv->lru_tail;
	if (inv->lru_tail >= 0)
		inv->pool[inv->lru_tail].lru_next = idx;
	else
		inv->lru_head = idx;
	inv->lru_tail = idx;
}

struct ym_device *ym_inventory_find(struct ym_inventory *inv,
				    const uint8_t mac[6])
{
	int32_t idx = inv->buckets[mac_hash(inv, mac) & inv->mask];

	for (; idx >= 0; idx = inv->pool[idx].next)
		if (memcmp(inv->pool[idx].dev.mac, mac, 6) == 0)
			return &inv->pool[idx].dev;
	return NULL;
}

/* Takes a device out of the table and the LRU list. */
static void remove_device(struct ym_inventory *inv, struct ym_device *d)
{
	struct ym_inventory_slot *sl = slot_of(d);
	int32_t idx = slot_index(inv, sl);
	int32_t *pp = &inv->buckets[mac_hash(inv, d->mac) & inv->mask];

	while (*pp >= 0 && *pp != idx)
		pp = &inv->pool[*pp].next;
	if (*pp == idx)
		*pp = sl->next;
	lru_unlink(inv, sl);
	memset(sl, 0, sizeof(*sl));
	sl->next = inv->free_head;
	inv->free_head = idx;
	inv->stats.devices--;
}

static void evict_oldest(struct ym_inventory *inv)
{
	struct ym_device *d = &inv->pool[inv->lru_head].dev;

	/* The store writes the device before it leaves memory, so nothing
	 * that was learned is lost. */
	if (inv->obs && inv->obs->device_evicted)
		inv->obs->device_evicted(inv->obs, d);
	remove_device(inv, d);
	inv->stats.evicted++;
}

static struct ym_device *device_get(struct ym_inventory *inv,
				    const uint8_t mac[6], uint64_t ts)
{
	struct ym_device *d = ym_inventory_find(inv, mac);
	struct ym_inventory_slot *sl;
	const char *vendor;
	uint32_t h;
	int32_t idx;

	if (d)
		return d;
	/* A device that left memory comes back with its record. */
	if (inv->obs && inv->obs->device_load) {
		struct ym_device *saved = malloc(sizeof(*saved));

		if (saved && inv->obs->device_load(inv->obs, mac, saved)) {
			d = ym_inventory_restore(inv, saved);
			free(saved);
			return d;
		}
		free(saved);
	}
	/* Untouched slots first: memory is touched only as devices arrive. */
	if (inv->free_head < 0 && inv->used < inv->max) {
		idx = (int32_t)inv->used++;
	} else {
		if (inv->free_head < 0)
			evict_oldest(inv);
		idx = inv->free_head;
		inv->free_head = inv->pool[idx].next;
	}
	sl = &inv->pool[idx];
	memset(sl, 0, sizeof(*sl));
	d = &sl->dev;
	memcpy(d->mac, mac, 6);
	d->first_us = d->last_us = ts;
	snprintf(d->type, sizeof(d->type), "unknown");
	h = mac_hash(inv, mac);
	sl->next = inv->buckets[h & inv->mask];
	inv->buckets[h & inv->mask] = idx;
	lru_append(inv, sl);
	inv->stats.devices++;
	inv->stats.created++;
	d->dirty = true;
	if (ym_mac_is_local_admin(mac)) {
		d->flags |= YM_FLAG_RANDOMIZED_MAC;
		ym_device_add_evidence(d, "mac", "locally administered",
				       "randomized_mac");
	}
	vendor = ym_oui_lookup(inv->oui, mac);
	if (vendor)
		ym_identify_signal(inv->id, d, YM_SIG_OUI, vendor);
	return d;
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	unsigned bytes = plen / 8, bits = plen % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	return ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

bool ym_inventory_addr_is_local(const struct ym_inventory *inv,
				const struct ym_addr *addr)
{
	if (ym_addr_is_private(addr))
		return true;
	for (uint32_t i = 0; i < inv->n_nets; i++)
		if (inv->nets[i].net.family == addr->family &&
		    prefix_match(inv->nets[i].net.a, addr->a,
				 inv->nets[i].plen))
			return true;
	return false;
}

static void learn_net(struct ym_inventory *inv, const struct ym_addr *net,
		      unsigned plen)
{
	/* A prefix shorter than /16 (v4) or /48 (v6) is not a home LAN. */
	if ((net->family == 4 && (plen < 16 || plen > 32)) ||
	    (net->family == 6 && (plen < 48 || plen > 128)))
		return;
	for (uint32_t i = 0; i < inv->n_nets; i++)
		if (inv->nets[i].plen == plen &&
		    ym_addr_equal(&inv->nets[i].net, net))
			return;
	if (inv->n_nets == YM_MAX_LOCAL_NETS)
		memmove(inv->nets, inv->nets + 1,
			sizeof(inv->nets[0]) * (YM_MAX_LOCAL_NETS - 1));
	else
		inv->n_nets++;
	inv->nets[inv->n_nets - 1].net = *net;
	inv->nets[inv->n_nets - 1].plen = (uint8_t)plen;
}

static void add_ip(struct ym_device *d, const struct ym_addr *addr,
		   uint64_t ts)
{
	uint8_t oldest = 0;

	if (ym_addr_is_special(addr))
		return;
	for (uint8_t i = 0; i < d->n_ips; i++) {
		if (ym_addr_equal(&d->ips[i].addr, addr)) {
			/* Refresh at most once a minute: last-seen times of
			 * addresses need not cause a write per packet. */
			if (ts > d->ips[i].last_us + 60000000ULL) {
				d->ips[i].last_us = ts;
				d->dirty = true;
			}
			return;
		}
		if (d->ips[i].last_us < d->ips[oldest].last_us)
			oldest = i;
	}
	if (d->n_ips < YM_MAX_IPS_PER_DEVICE)
		oldest = d->n_ips++;
	d->ips[oldest].addr = *addr;
	d->ips[oldest].last_us = ts;
	d->dirty = true;
}

static void handle_arp(struct ym_inventory *inv, struct ym_device *src,
		       const struct ym_packet *pkt)
{
	struct ym_addr a;
	static const uint8_t zero[4];

	/* Only trust the sender fields when they name the frame's sender. */
	if (memcmp(pkt->arp.sha, src->mac, 6) != 0 ||
	    memcmp(pkt->arp.spa, zero, 4) == 0)
		return;
	ym_addr_set4(&a, pkt->arp.spa);
	add_ip(src, &a, pkt->ts_us);
	(void)inv;
}

static void handle_nd(struct ym_inventory *inv, struct ym_device *src,
		      const struct ym_packet *pkt)
{
	const struct ym_nd *nd = &pkt->nd;
	struct ym_addr a;

	/* Neighbour discovery is link-local by definition: hop limit 255. */
	if (pkt->ttl != 255)
		return;
	if (!ym_addr_is_special(&pkt->src))
		add_ip(src, &pkt->src, pkt->ts_us);
	if (nd->type == 136 && nd->has_target &&
	    (!nd->has_lladdr || memcmp(nd->lladdr, src->mac, 6) == 0)) {
		ym_addr_set6(&a, nd->target);
		add_ip(src, &a, pkt->ts_us);
	}
	if (nd->type == 134) {
		if (nd->router_lifetime_nonzero && !src->sent_ra) {
			src->sent_ra = true;
			src->dirty = true;
		}
		for (uint8_t i = 0; i < nd->n_prefixes; i++) {
			ym_addr_set6(&a, nd->prefixes[i].prefix);
			learn_net(inv, &a, nd->prefixes[i].len);
		}
	}
}

/* How long a device given away must have been silent to count as back. */
#define YM_RETURN_GAP_US (10ULL * 60 * 1000000)

/* How long an old random address must have been silent before a new one
 * with the same name is taken for the same phone. */
#define YM_LINK_QUIET_US (60ULL * 1000000)

/* Hostnames phones use out of the box: two phones of one family may both
 * say "iPhone", so such a name links nothing. */
static bool generic_name(const char *n)
{
	static const char *const generic[] = {
		"iphone", "ipad", "android", "localhost", "galaxy", "pixel",
		"phone", "mobile", "unknown", "xiaomi", "redmi", "oppo",
	};

	if (strlen(n) < 4)
		return true;
	for (size_t i = 0; i < YM_ARRAY_SIZE(generic); i++)
		if (strcasecmp(n, generic[i]) == 0)
			return true;
	return false;
}

/* A client id made from the current MAC changes with it and links nothing. */
static bool client_id_from_mac(const struct ym_device *d)
{
	return d->client_id_len == 7 && d->client_id[0] == 1 &&
	       memcmp(d->client_id + 1, d->mac, 6) == 0;
}

/* Folds old into d: the same phone, back with a new random address. */
static void merge(struct ym_inventory *inv, struct ym_device *d,
		  struct ym_device *old)
{
	char oldmac[YM_MAC_STRLEN];
	uint8_t mac[6];

	memcpy(mac, old->mac, 6);
	ym_mac_format(mac, oldmac);
	if (old->first_us < d->first_us)
		d->first_us = old->first_us;
	d->bytes_up += old->bytes_up;
	d->bytes_down += old->bytes_down;
	d->pkts_up += old->pkts_up;
	d->pkts_down += old->pkts_down;
	d->flags |= old->flags & ~(YM_FLAG_IDLE | YM_FLAG_GONE);
	/* The household was told about this phone once already. */
	d->announced |= old->announced;
	if (!d->user_name[0])
		snprintf(d->user_name, sizeof(d->user_name), "%s",
			 old->user_name);
	if (!d->user_type[0]) {
		snprintf(d->user_type, sizeof(d->user_type), "%s",
			 old->user_type);
		snprintf(d->user_vendor, sizeof(d->user_vendor), "%s",
			 old->user_vendor);
	}
	for (uint8_t i = 0; i < old->n_evidence &&
			    d->n_evidence < YM_MAX_EVIDENCE; i++) {
		bool dup = false;

		for (uint8_t j = 0; j < d->n_evidence; j++)
			dup |= strcmp(d->evidence[j].signal,
				      old->evidence[i].signal) == 0 &&
			       strcmp(d->evidence[j].value,
				      old->evidence[i].value) == 0;
		if (!dup)
			d->evidence[d->n_evidence++] = old->evidence[i];
	}
	ym_device_add_evidence(d, "previous_mac", oldmac, "same device");
	if (inv->obs && inv->obs->device_replaced)
		inv->obs->device_replaced(inv->obs, mac, d);
	remove_device(inv, old);
	inv->stats.linked++;
	ym_identify_decide(inv->id, d);
	d->dirty = true;
}

/* Links a phone that came back with a new random MAC to its old record
 * when its DHCP hostname or client id says so without doubt: exactly one
 * other randomized device carries it, and the two were never seen at the
 * same time. Two different devices are never merged. */
static void maybe_link(struct ym_inventory *inv, struct ym_device *d)
{
	struct ym_device *match = NULL;
	int candidates = 0;
	bool by_name = d->hostname[0] && !generic_name(d->hostname);
	bool by_id = d->client_id_len > 0 && !client_id_from_mac(d);

	if (!(d->flags & YM_FLAG_RANDOMIZED_MAC) || (!by_name && !by_id))
		return;
	for (int32_t i = inv->lru_head; i >= 0; i = inv->pool[i].lru_next) {
		struct ym_device *o = &inv->pool[i].dev;
		bool same;

		if (o == d || !(o->flags & YM_FLAG_RANDOMIZED_MAC))
			continue;
		same = (by_name && strcasecmp(o->hostname, d->hostname) == 0) ||
		       (by_id && o->client_id_len == d->client_id_len &&
			memcmp(o->client_id, d->client_id,
			       d->client_id_len) == 0);
		if (!same)
			continue;
		/* Seen together (or within a minute of each other) means two
		 * devices, whatever they say: a phone that rejoins with a new
		 * address has left the network with the old one first. */
		if (o->last_us + YM_LINK_QUIET_US >= d->first_us)
			return;
		match = o;
		candidates++;
	}
	if (candidates == 1)
		merge(inv, d, match);
}

static void handle_dhcp(struct ym_inventory *inv, struct ym_device *src,
			const struct ym_packet *pkt)
{
	const struct ym_dhcp *msg = &pkt->dhcp;
	struct ym_device *client;
	struct ym_addr a;

	if (msg->op == 1) {
		/* A client speaks for itself only: the hardware address must
		 * be the frame's sender. */
		if (memcmp(msg->chaddr, src->mac, 6) != 0)
			return;
		if (msg->has_hostname && msg->hostname[0] &&
		    strcmp(src->hostname, msg->hostname) != 0) {
			snprintf(src->hostname, sizeof(src->hostname), "%s",
				 msg->hostname);
			src->dirty = true;
		}
		if (msg->client_id_len) {
			src->client_id_len = msg->client_id_len;
			memcpy(src->client_id, msg->client_id,
			       msg->client_id_len);
		}
		if (inv->obs && inv->obs->dhcp_client)
			inv->obs->dhcp_client(inv->obs, src, msg);
		maybe_link(inv, src);
		return;
	}
	if (msg->msg_type != YM_DHCP_ACK && msg->msg_type != YM_DHCP_OFFER)
		return;
	if (!src->dhcp_server) {
		src->dhcp_server = true;
		src->dirty = true;
	}
	if (msg->has_router) {
		ym_addr_set4(&a, msg->router);
		inv->router_ip = a;
		inv->has_router_ip = true;
	}
	if (msg->msg_type != YM_DHCP_ACK)
		return;
	ym_addr_set4(&a, msg->yiaddr);
	if (msg->has_mask) {
		struct ym_addr net = a;
		unsigned plen = 0;

		for (int i = 0; i < 4; i++) {
			net.a[i] &= msg->mask[i];
			plen += (unsigned)__builtin_popcount(msg->mask[i]);
		}
		learn_net(inv, &net, plen);
	}
	client = ym_inventory_find(inv, msg->chaddr);
	if (client)
		add_ip(client, &a, pkt->ts_us);
}

struct ym_device *ym_inventory_packet(struct ym_inventory *inv,
				      const struct ym_packet *pkt)
{
	struct ym_device *src, *dst;

	if (pkt->has_dst_mac && (dst = ym_inventory_find(inv, pkt->dst_mac))) {
		dst->bytes_down += pkt->wirelen;
		dst->pkts_down++;
		dst->dirty = true;
	}
	if (!pkt->has_src_mac || !ym_mac_is_unicast(pkt->src_mac))
		return NULL;
	src = device_get(inv, pkt->src_mac, pkt->ts_us);
	/* A device given away that comes back, after being away for a
	 * while, is a new device to the household again (rule 4); one still
	 * on while it is being reset is not. */
	if ((src->flags & YM_FLAG_RETIRED) && pkt->ts_us > src->retired_us &&
	    pkt->ts_us > src->last_us + YM_RETURN_GAP_US) {
		src->flags &= ~YM_FLAG_RETIRED;
		src->announced = false;
		src->first_us = pkt->ts_us;
		src->dirty = true;
	}
	if (pkt->ts_us > src->last_us)
		src->last_us = pkt->ts_us;
	src->bytes_up += pkt->wirelen;
	src->pkts_up++;
	src->dirty = true;
	if (inv->lru_tail != slot_index(inv, slot_of(src))) {
		lru_unlink(inv, slot_of(src));
		lru_append(inv, slot_of(src));
	}
	switch (pkt->l3) {
	case YM_L3_ARP:
		handle_arp(inv, src, pkt);
		return src;
	case YM_L3_IPV4:
	case YM_L3_IPV6:
		break;
	default:
		return src;
	}
	if (ym_addr_is_special(&pkt->src)) {
		/* DHCP clients send from 0.0.0.0; still read their message. */
	} else if (ym_inventory_addr_is_local(inv, &pkt->src)) {
		add_ip(src, &pkt->src, pkt->ts_us);
	} else if (!pkt->has_nd) {
		src->remote_src_pkts++;
	}
	if (pkt->has_nd)
		handle_nd(inv, src, pkt);
	if (pkt->bad_dhcp)
		inv->stats.dhcp_bad++;
	if (pkt->has_dhcp)
		handle_dhcp(inv, src, pkt);
	return src;
}

static void set_gateway(struct ym_inventory *inv, struct ym_device *d,
			bool on, const char *why, double confidence)
{
	if (on) {
		if (!d->gateway || d->gateway_weight != (float)confidence) {
			d->gateway = true;
			d->gateway_weight = (float)confidence;
			ym_identify_assert(inv->id, d, YM_SIG_GATEWAY, why,
					   "router", (float)confidence);
			d->dirty = true;
		}
	} else if (d->gateway) {
		d->gateway = false;
		d->gateway_weight = 0;
		ym_identify_assert(inv->id, d, YM_SIG_GATEWAY, "", NULL, 0);
		d->dirty = true;
	}
}

void ym_inventory_decide(struct ym_inventory *inv)
{
	struct ym_device *best = NULL;
	const char *why = NULL;
	double conf = 0;
	int rank = 0;

	/* One gateway: the address DHCP names as router, then the sender of
	 * router advertisements, then the device through which most internet
	 * traffic arrives. */
	for (int32_t i = inv->lru_head; i >= 0; i = inv->pool[i].lru_next) {
		struct ym_device *d = &inv->pool[i].dev;
		int r = 0;

		if (inv->has_router_ip && ym_device_has_ip(d, &inv->router_ip))
			r = 4;
		else if (d->sent_ra)
			r = 3;
		else if (d->remote_src_pkts >= YM_GATEWAY_MIN_REMOTE)
			r = d->dhcp_server ? 2 : 1;
		if (r > rank || (r == rank && r > 0 && best &&
				 d->remote_src_pkts > best->remote_src_pkts)) {
			best = d;
			rank = r;
		}
	}
	switch (rank) {
	case 4:
		why = "named router by DHCP";
		conf = 0.95;
		break;
	case 3:
		why = "sends IPv6 router advertisements";
		conf = 0.9;
		break;
	case 2:
	case 1:
		why = "forwards traffic from internet addresses";
		conf = 0.7;
		break;
	default:
		/* No evidence this run: keep what an earlier run decided. */
		return;
	}
	for (int32_t i = inv->lru_head; i >= 0; i = inv->pool[i].lru_next) {
		struct ym_device *d = &inv->pool[i].dev;

		if (d == best) {
			float before = d->confidence;

			set_gateway(inv, d, true, why, conf);
			/* Forwarding seen since DHCP named it is what makes
			 * it a router for sure (identify.c): no new signal
			 * says so, so look again. */
			ym_identify_decide(inv->id, d);
			if (d->confidence != before)
				d->dirty = true;
			memcpy(inv->gateway_mac, d->mac, 6);
			inv->has_gateway = true;
		}
		else if (d->gateway)
			set_gateway(inv, d, false, NULL, 0);
	}
}

struct ym_device *ym_inventory_find_addr(struct ym_inventory *inv,
					 const struct ym_addr *addr)
{
	/* Rare (a request names a device by address): a walk will do. */
	for (int32_t i = inv->lru_head; i >= 0; i = inv->pool[i].lru_next)
		if (ym_device_has_ip(&inv->pool[i].dev, addr))
			return &inv->pool[i].dev;
	return NULL;
}

struct ym_device *ym_inventory_gateway(struct ym_inventory *inv)
{
	struct ym_device *d;

	if (!inv->has_gateway)
		return NULL;
	d = ym_inventory_find(inv, inv->gateway_mac);
	return d && d->gateway ? d : NULL;
}

void ym_inventory_foreach(struct ym_inventory *inv,
			  void (*fn)(struct ym_device *dev, void *arg),
			  void *arg)
{
	for (int32_t i = inv->lru_head; i >= 0; i = inv->pool[i].lru_next)
		fn(&inv->pool[i].dev, arg);
}

struct ym_device *ym_inventory_restore(struct ym_inventory *inv,
				       const struct ym_device *saved)
{
	struct ym_inventory_observer *obs = inv->obs;
	struct ym_device *d;

	/* No second look in the store for the device being restored. */
	inv->obs = NULL;
	d = device_get(inv, saved->mac, saved->first_us);
	inv->obs = obs;
	/* The record is taken whole; the slot's table links stay as they
	 * are, outside it. */
	*d = *saved;
	d->dirty = false;
	/* A device from an earlier run was announced then. */
	d->announced = true;
	if (d->gateway) {
		memcpy(inv->gateway_mac, d->mac, 6);
		inv->has_gateway = true;
	}
	return d;
}

void ym_inventory_get_stats(const struct ym_inventory *inv,
			    struct ym_inventory_stats *s)
{
	*s = inv->stats;
}
