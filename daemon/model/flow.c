#include "flow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <ndpi_api.h>

#include "ym-limits.h"

struct ym_flow_table {
	struct ym_flow *pool;
	int32_t *buckets;
	uint32_t nbuckets_mask;
	uint32_t max;
	int32_t free_head;               /* free list through .next */
	uint32_t used;                   /* slots ever handed out */
	int32_t lru_head, lru_tail;      /* least recently used first */
	uint64_t idle_us;
	struct ym_flow_observer *obs;
	struct ndpi_detection_module_struct *ndpi;
	uint32_t ndpi_flow_size;
	uint64_t seed;                   /* per-process hash seed */
	struct ym_flow_stats stats;
};

int ym_flow_init(struct ym_flow_table **out, uint32_t max_flows,
		 uint32_t idle_sec, struct ym_flow_observer *obs)
{
	struct ym_flow_table *t;
	NDPI_PROTOCOL_BITMASK all;
	uint32_t nb = 1;

	if (max_flows == 0 || max_flows > (1u << 24))
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	while (nb < max_flows)
		nb <<= 1;
	/* calloc leaves untouched pages unmapped, so a large limit costs memory
	 * only when flows really arrive. */
	t->pool = calloc(max_flows, sizeof(*t->pool));
	t->buckets = malloc(nb * sizeof(*t->buckets));
	t->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
	if (!t->pool || !t->buckets || !t->ndpi) {
		ym_flow_fini(t);
		return -ENOMEM;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(t->ndpi, &all);
	ndpi_finalize_initialization(t->ndpi);
	t->ndpi_flow_size = ndpi_detection_get_sizeof_ndpi_flow_struct();
	/* A random seed keeps crafted traffic from piling flows into one
	 * hash chain. */
	if (getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ ym_wall_us();
	memset(t->buckets, 0xff, nb * sizeof(*t->buckets));
	t->nbuckets_mask = nb - 1;
	t->max = max_flows;
	t->free_head = -1;
	t->lru_head = t->lru_tail = -1;
	t->idle_us = (uint64_t)(idle_sec ? idle_sec : YM_DEFAULT_FLOW_IDLE_SEC) *
		     1000000;
	t->obs = obs;
	t->stats.max = max_flows;
	*out = t;
	return 0;
}

static void lru_unlink(struct ym_flow_table *t, struct ym_flow *f)
{
	if (f->lru_prev >= 0)
		t->pool[f->lru_prev].lru_next = f->lru_next;
	else
		t->lru_head = f->lru_next;
	if (f->lru_next >= 0)
		t->pool[f->lru_next].lru_prev = f->lru_prev;
	else
		t->lru_tail = f->lru_prev;
}

static void lru_append(struct ym_flow_table *t, struct ym_flow *f)
{
	int32_t idx = (int32_t)(f - t->pool);

	f->lru_next = -1;
	f->lru_prev = t->lru_tail;
	if (t->lru_tail >= 0)
		t->pool[t->lru_tail].lru_next = idx;
	else
		t->lru_head = idx;
	t->lru_tail = idx;
}

/* nDPI is done with the flow: keep the verdict, free nDPI's state. */
static void classify_done(struct ym_flow_table *t, struct ym_flow *f,
			  bool give_up)
{
	if (!f->ndpi)
		return;
	if (give_up) {
		uint8_t guessed = 0;
		ndpi_protocol p = ndpi_detection_giveup(t->ndpi, f->ndpi, 1,
							&guessed);

		f->app_proto = p.app_protocol;
		f->master_proto = p.master_protocol;
		f->category = (uint16_t)p.category;
	}
	ym_strlcpy_clean(f->server_name, f->ndpi->host_server_name,
			 sizeof(f->ndpi->host_server_name),
			 sizeof(f->server_name));
	if (t->obs && t->obs->flow_classified) {
		char ua[128] = "", ja3[33] = "";
		struct ym_flow_info info = { f->server_name, ua, ja3,
					     f->ndpi->risk, -1 };
		uint16_t p = f->master_proto ? f->master_proto : f->app_proto;

		if (f->ndpi->http.user_agent)
			ym_strlcpy_clean(ua, f->ndpi->http.user_agent,
					 strlen(f->ndpi->http.user_agent),
					 sizeof(ua));
		/* The TLS union member is only meaningful for TLS flows. */
		if (p == NDPI_PROTOCOL_TLS || p == NDPI_PROTOCOL_QUIC ||
		    f->app_proto == NDPI_PROTOCOL_TLS)
			ym_strlcpy_clean(ja3,
					 f->ndpi->protos.tls_quic.ja3_client,
					 sizeof(f->ndpi->protos.tls_quic.ja3_client),
					 sizeof(ja3));
		if (p == NDPI_PROTOCOL_DNS && !f->ndpi->protos.dns.is_query)
			info.dns_rcode = f->ndpi->protos.dns.reply_code;
		t->obs->flow_classified(t->obs, f, &info);
	}
	ndpi_free_flow(f->ndpi);
	f->ndpi = NULL;
	f->classified = true;
	t->stats.ndpi_active--;
	if (f->app_proto == NDPI_PROTOCOL_UNKNOWN &&
	    f->master_proto == NDPI_PROTOCOL_UNKNOWN)
		t->stats.unknown++;
	else
		t->stats.classified++;
}

static void flow_release(struct ym_flow_table *t, struct ym_flow *f)
{
	int32_t idx = (int32_t)(f - t->pool);
	int32_t *pp = &t->buckets[f->hash & t->nbuckets_mask];

	classify_done(t, f, true);
	if (t->obs && t->obs->flow_end)
		t->obs->flow_end(t->obs, f);
	while (*pp >= 0 && *pp != idx)
		pp = &t->pool[*pp].next;
	if (*pp == idx)
		*pp = f->next;
	lru_unlink(t, f);
	memset(f, 0, sizeof(*f));
	f->next = t->free_head;
	t->free_head = idx;
	t->stats.active--;
}

void ym_flow_fini(struct ym_flow_table *t)
{
	if (!t)
		return;
	if (t->pool) {
		while (t->lru_head >= 0)
			flow_release(t, &t->pool[t->lru_head]);
	}
	if (t->ndpi)
		ndpi_exit_detection_module(t->ndpi);
	free(t->pool);
	free(t->buckets);
	free(t);
}

static void make_key(const struct ym_packet *pkt, struct ym_flow_key *k,
		     bool *src_is_lo)
{
	int c = memcmp(pkt->src.a, pkt->dst.a, 16);

	memset(k, 0, sizeof(*k));
	k->family = pkt->src.family;
	k->proto = pkt->proto;
	k->vlan = pkt->vlan;
	*src_is_lo = c < 0 || (c == 0 && pkt->sport <= pkt->dport);
	if (*src_is_lo) {
		memcpy(k->addr_lo, pkt->src.a, 16);
		memcpy(k->addr_hi, pkt->dst.a, 16);
		k->port_lo = pkt->sport;
		k->port_hi = pkt->dport;
	} else {
		memcpy(k->addr_lo, pkt->dst.a, 16);
		memcpy(k->addr_hi, pkt->src.a, 16);
		k->port_lo = pkt->dport;
		k->port_hi = pkt->sport;
	}
}

/* The flow key is hashed once per packet: fixed-size loads, no loop. */
static uint32_t key_hash(const struct ym_flow_key *k, uint64_t seed)
{
	uint64_t w[5], h = seed;

	_Static_assert(sizeof(*k) == sizeof(w), "flow key is 40 bytes");
	memcpy(w, k, sizeof(w));
	for (int i = 0; i < 5; i++)
		h = (h ^ w[i]) * 0xff51afd7ed558ccdULL;
	return (uint32_t)ym_hash_mix(h);
}

static struct ym_flow *flow_new(struct ym_flow_table *t,
				const struct ym_packet *pkt,
				const struct ym_flow_key *k, uint32_t h)
{
	struct ym_flow *f;
	int32_t idx;

	/* Slots are taken from the untouched end of the pool first, so memory
	 * is only touched as flows really arrive. */
	if (t->free_head < 0 && t->used < t->max) {
		idx = (int32_t)t->used++;
		f = &t->pool[idx];
	} else {
		if (t->free_head < 0) {
			/* Full: the least recently used flow makes room. */
			flow_release(t, &t->pool[t->lru_head]);
			t->stats.evicted++;
		}
		idx = t->free_head;
		f = &t->pool[idx];
		t->free_head = f->next;
	}
	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->hash = h;
	f->in_use = true;
	f->addr[0] = pkt->src;
	f->addr[1] = pkt->dst;
	f->port[0] = pkt->sport;
	f->port[1] = pkt->dport;
	f->first_us = pkt->ts_us;
	f->next = t->buckets[h & t->nbuckets_mask];
	t->buckets[h & t->nbuckets_mask] = idx;
	lru_append(t, f);
	t->stats.active++;
	t->stats.created++;
	f->ndpi = ndpi_flow_malloc(t->ndpi_flow_size);
	if (f->ndpi) {
		memset(f->ndpi, 0, t->ndpi_flow_size);
		t->stats.ndpi_active++;
	} else {
		f->classified = true;
	}
	return f;
}

static void feed_ndpi(struct ym_flow_table *t, struct ym_flow *f,
		      const struct ym_packet *pkt)
{
	ndpi_protocol p;
	uint32_t len = pkt->l3_len > 65535 ? 65535 : pkt->l3_len;

	p = ndpi_detection_process_packet(t->ndpi, f->ndpi, pkt->l3_data,
					  (unsigned short)len,
					  pkt->ts_us / 1000);
	f->ndpi_pkts++;
	if (p.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
	    p.master_protocol != NDPI_PROTOCOL_UNKNOWN) {
		f->app_proto = p.app_protocol;
		f->master_proto = p.master_protocol;
		f->category = (uint16_t)p.category;
		if (!ndpi_extra_dissection_possible(t->ndpi, f->ndpi)) {
			classify_done(t, f, false);
			return;
		}
	}
	if (f->ndpi_pkts >= YM_NDPI_MAX_PACKETS)
		classify_done(t, f, true);
}

struct ym_flow *ym_flow_packet(struct ym_flow_table *t,
			       const struct ym_packet *pkt, int *dir)
{
	struct ym_flow_key k;
	struct ym_flow *f = NULL;
	bool src_is_lo;
	uint32_t h;
	int32_t idx;
	int d;

	if ((pkt->l3 != YM_L3_IPV4 && pkt->l3 != YM_L3_IPV6) ||
	    pkt->later_fragment)
		return NULL;
	make_key(pkt, &k, &src_is_lo);
	h = key_hash(&k, t->seed);
	for (idx = t->buckets[h & t->nbuckets_mask]; idx >= 0;
	     idx = t->pool[idx].next) {
		if (t->pool[idx].hash == h &&
		    memcmp(&t->pool[idx].key, &k, sizeof(k)) == 0) {
			f = &t->pool[idx];
			break;
		}
	}
	if (!f)
		f = flow_new(t, pkt, &k, h);
	d = (ym_addr_equal(&pkt->src, &f->addr[0]) &&
	     pkt->sport == f->port[0]) ? YM_DIR_FWD : YM_DIR_REV;
	f->bytes[d] += pkt->wirelen;
	f->pkts[d]++;
	if (pkt->has_src_mac && !f->has_mac[d]) {
		memcpy(f->mac[d], pkt->src_mac, 6);
		f->has_mac[d] = true;
	}
	if (pkt->ts_us > f->last_us)
		f->last_us = pkt->ts_us;
	if (pkt->tcp_flags & (YM_TCP_FIN | YM_TCP_RST))
		f->closed = true;
	if (t->lru_tail != (int32_t)(f - t->pool)) {
		lru_unlink(t, f);
		lru_append(t, f);
	}
	if (f->ndpi)
		feed_ndpi(t, f, pkt);
	*dir = d;
	return f;
}

void ym_flow_expire(struct ym_flow_table *t, uint64_t now_us)
{
	while (t->lru_head >= 0) {
		struct ym_flow *f = &t->pool[t->lru_head];
		uint64_t idle = now_us > f->last_us ? now_us - f->last_us : 0;

		if (idle < t->idle_us &&
		    !(f->closed && idle >= YM_FLOW_CLOSED_IDLE_SEC * 1000000ULL))
			break;
		flow_release(t, f);
		t->stats.expired++;
	}
}

void ym_flow_get_stats(const struct ym_flow_table *t, struct ym_flow_stats *s)
{
	*s = t->stats;
}

const char *ym_flow_proto_name(struct ym_flow_table *t, uint16_t proto)
{
	return ndpi_get_proto_name(t->ndpi, proto);
}
