/* The device inventory: one device per MAC address on the local segment,
 * with its addresses, vendor, DHCP hostname, traffic and evidence. Remote
 * hosts behind the router never become devices: a device is only created
 * for the source MAC of a frame, and only on-link addresses are attributed.
 * The gateway is recognised from router advertisements, DHCP and from being
 * the link-layer source of traffic from internet addresses. */
#ifndef YM_INVENTORY_H
#define YM_INVENTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "util.h"
#include "ym-limits.h"

struct ym_oui;
struct ym_dhcp;
struct ym_identify;

/* Device flags (DESIGN.md vocabulary), as bits. */
enum ym_device_flag {
	YM_FLAG_DEFAULT_PASSWORD = 1u << 0,
	YM_FLAG_UNSUPPORTED = 1u << 1,
	YM_FLAG_NO_SUPPORT_CONTACT = 1u << 2,
	YM_FLAG_OUTDATED_FIRMWARE = 1u << 3,
	YM_FLAG_IDLE = 1u << 4,
	YM_FLAG_GONE = 1u << 5,
	YM_FLAG_SUSPICIOUS = 1u << 6,
	YM_FLAG_ISOLATED = 1u << 7,
	YM_FLAG_RETIRED = 1u << 8,
	YM_FLAG_RANDOMIZED_MAC = 1u << 9,
	YM_FLAG_COUNT = 10
};

/* Vocabulary name of flag bit i, or NULL. */
const char *ym_flag_name(unsigned bit);

#define YM_MAX_EVIDENCE 24

/* One piece of evidence: a signal seen on the device and what it says. The
 * structured part (type, vendor, model, os with a weight) is what the
 * identification weighs; conclusion is the same in words. */
struct ym_evidence {
	char signal[24];
	char value[YM_MAX_NAME];
	char conclusion[96];
	char type[24];
	char vendor[32];
	char model[48];
	char os[24];
	float weight;
};

/* Signal values already matched against the rules, so a device asking for
 * the same name again costs one hash lookup. */
#define YM_SEEN_SIGNALS 32

struct ym_device_ip {
	struct ym_addr addr;
	uint64_t last_us;
};

struct ym_device {
	uint8_t mac[6];
	char vendor[YM_MAX_NAME];
	char hostname[YM_MAX_NAME];
	char user_name[YM_MAX_NAME]; /* the household's name, from the store */
	char model[YM_MAX_NAME];
	char os[32];
	char type[24];
	double confidence;
	uint32_t flags;
	bool gateway;
	uint64_t first_us, last_us;
	uint64_t last_use_us;     /* last traffic a person caused (rule 3) */
	uint64_t retired_us;      /* when the household gave it away */
	uint64_t bytes_up, bytes_down, pkts_up, pkts_down;
	uint8_t n_ips;
	struct ym_device_ip ips[YM_MAX_IPS_PER_DEVICE];
	uint8_t n_evidence;
	struct ym_evidence evidence[YM_MAX_EVIDENCE];
	uint32_t seen[YM_SEEN_SIGNALS];
	uint8_t seen_next;

	/* Gateway recognition. */
	uint64_t remote_src_pkts; /* frames sent with an internet source */
	bool sent_ra;             /* IPv6 router advertisement with lifetime */
	bool dhcp_server;
	float gateway_weight;     /* weight of the gateway evidence given */
	bool announced;           /* the new_device alert was raised */
	bool never_isolate;       /* the household said so */
	uint8_t client_id_len;    /* DHCP option 61 as last sent */
	uint8_t client_id[32];

	/* Inventory internals. */
	bool dirty;               /* changed since the last store write */
	bool in_use;
	int32_t next, lru_prev, lru_next;
};

struct ym_inventory_stats {
	uint32_t devices, max;
	uint64_t created, evicted, dhcp_bad, linked;
};

/* Hands a device that must be written before it leaves memory. */
struct ym_inventory_observer {
	void (*device_evicted)(struct ym_inventory_observer *obs,
			       struct ym_device *dev);
	/* A phone came back with a new random address: the device at old_mac
	 * was folded into dev and must go from the store (optional). */
	void (*device_replaced)(struct ym_inventory_observer *obs,
				const uint8_t old_mac[6],
				struct ym_device *dev);
	/* A MAC not in memory sends again: fills *out with what was stored
	 * about it and returns true, so an evicted device keeps its record
	 * (optional). */
	bool (*device_load)(struct ym_inventory_observer *obs,
			    const uint8_t mac[6], struct ym_device *out);
};

struct ym_inventory;

/* id may be NULL: devices then get only registry and naming evidence. */
int ym_inventory_init(struct ym_inventory **out, uint32_t max_devices,
		      const struct ym_oui *oui, struct ym_identify *id,
		      struct ym_inventory_observer *obs) YM_MUST_CHECK;
void ym_inventory_fini(struct ym_inventory *inv);

/* Accounts one decoded frame: creates the sender's device, attributes
 * on-link addresses, counts traffic both ways, reads ARP, ND and DHCP.
 * Returns the sender's device, or NULL when the frame has no unicast
 * sender. */
struct ym_device *ym_inventory_packet(struct ym_inventory *inv,
				      const struct ym_packet *pkt);

/* Re-decides which device is the gateway; cheap, run before each commit. */
void ym_inventory_decide(struct ym_inventory *inv);

/* The device holding an address (on-link, as attributed), or NULL. */
struct ym_device *ym_inventory_find_addr(struct ym_inventory *inv,
					 const struct ym_addr *addr);

/* The device recognised as the gateway, or NULL. */
struct ym_device *ym_inventory_gateway(struct ym_inventory *inv);

/* Looks a device up by MAC; NULL if it is not in memory. */
struct ym_device *ym_inventory_find(struct ym_inventory *inv,
				    const uint8_t mac[6]);

/* Calls fn for each device in memory (in no particular order). */
void ym_inventory_foreach(struct ym_inventory *inv,
			  void (*fn)(struct ym_device *dev, void *arg),
			  void *arg);

/* True if the address is on the local segment as far as Yamori knows:
 * private ranges, link-local, ULA and prefixes learned from DHCP and RAs. */
bool ym_inventory_addr_is_local(const struct ym_inventory *inv,
				const struct ym_addr *addr);

/* Adds or refreshes evidence on a device (deduplicated by signal+value). */
void ym_device_add_evidence(struct ym_device *dev, const char *signal,
			    const char *value, const char *conclusion);

/* Puts a device read back from the store into memory at start, so a
 * restarted daemon continues where it stopped. */
struct ym_device *ym_inventory_restore(struct ym_inventory *inv,
				       const struct ym_device *saved);

void ym_inventory_get_stats(const struct ym_inventory *inv,
			    struct ym_inventory_stats *s);

#endif
