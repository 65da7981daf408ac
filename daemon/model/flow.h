/* The flow table: bidirectional flows keyed by addresses, ports, protocol and
 * VLAN, each classified by nDPI while nDPI still needs packets. Fixed-size
 * pool, hash chains, and an LRU list on the capture clock for idle expiry and
 * eviction when full. No allocation per packet: the only allocation is nDPI's
 * per-flow state, which is freed as soon as classification ends. */
#ifndef YM_FLOW_H
#define YM_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "util.h"

struct ndpi_flow_struct;
struct ndpi_detection_module_struct;

struct ym_flow_key {
	uint8_t family;
	uint8_t proto;
	uint16_t vlan;
	uint16_t port_lo, port_hi;
	uint8_t addr_lo[16], addr_hi[16];
};

enum { YM_DIR_FWD = 0, YM_DIR_REV = 1 }; /* from initiator, from responder */

struct ym_flow {
	struct ym_flow_key key;
	struct ym_addr addr[2];   /* [0] initiator, [1] responder */
	uint16_t port[2];
	uint8_t mac[2][6];        /* source MAC seen for each side */
	bool has_mac[2];
	uint64_t first_us, last_us;
	uint64_t bytes[2], pkts[2]; /* [YM_DIR_FWD], [YM_DIR_REV] */
	uint16_t app_proto, master_proto; /* nDPI result once known */
	uint16_t category;        /* nDPI's category (media, game, ...) */
	bool classified;          /* nDPI is done with this flow */
	bool closed;              /* FIN or RST seen */
	uint8_t ndpi_pkts;
	char server_name[64];     /* SNI, HTTP Host or DNS name nDPI found */
	uint8_t detect;           /* detection state, owned by detect.c */
	uint64_t upload_mark;     /* bytes[0] already counted by detect.c */

	/* Table internals. */
	struct ndpi_flow_struct *ndpi;
	uint32_t hash;
	int32_t next;             /* hash chain */
	int32_t lru_prev, lru_next;
	bool in_use;
};

struct ym_flow_stats {
	uint64_t created, expired, evicted, classified, unknown;
	uint32_t active, ndpi_active, max;
};

/* What nDPI read from a flow's first packets, valid during the call. */
struct ym_flow_info {
	const char *server_name; /* SNI, HTTP Host or DNS query, or "" */
	const char *user_agent;  /* HTTP User-Agent, or "" */
	const char *ja3;         /* TLS client JA3, or "" */
	uint64_t risk;           /* nDPI's risk bits (1 << ndpi_risk_enum) */
	int dns_rcode;           /* DNS reply code, -1 when no reply seen */
};

struct ym_flow_observer {
	/* nDPI is done with the flow (optional). */
	void (*flow_classified)(struct ym_flow_observer *obs,
				const struct ym_flow *f,
				const struct ym_flow_info *info);
	/* The flow ends (expired, evicted or table shut down). */
	void (*flow_end)(struct ym_flow_observer *obs, const struct ym_flow *f);
};

struct ym_flow_table;

/* Creates a table of max_flows flows with its nDPI module; 0 or -errno. */
int ym_flow_init(struct ym_flow_table **out, uint32_t max_flows,
		 uint32_t idle_sec, struct ym_flow_observer *obs) YM_MUST_CHECK;

/* Ends every flow (reporting each to the observer) and frees the table. */
void ym_flow_fini(struct ym_flow_table *t);

/* Accounts one decoded IP packet; returns its flow and sets *dir, or NULL
 * for packets without a flow (ARP, later fragments, non-IP). */
struct ym_flow *ym_flow_packet(struct ym_flow_table *t,
			       const struct ym_packet *pkt, int *dir);

/* Expires flows idle for longer than the timeout at capture time now_us. */
void ym_flow_expire(struct ym_flow_table *t, uint64_t now_us);

void ym_flow_get_stats(const struct ym_flow_table *t, struct ym_flow_stats *s);

/* nDPI's name for a protocol id ("TLS", "DNS", ...). */
const char *ym_flow_proto_name(struct ym_flow_table *t, uint16_t proto);

#endif
