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
#include "device.h"
#include "util.h"

struct ym_oui;
struct ym_identify;

struct ym_inventory_stats {
	uint32_t devices, max;
	uint64_t created, evicted, dhcp_bad, linked;
};

/* What the inventory tells its owner. */
struct ym_inventory_observer {
	/* Hands a device that must be written before it leaves memory. */
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
	/* A DHCP client dev spoke for itself in msg: handed on for
	 * identification (the sniffers) before the inventory links a phone's
	 * new random address to its old record (optional). */
	void (*dhcp_client)(struct ym_inventory_observer *obs,
			    struct ym_device *dev, const struct ym_dhcp *msg);
};

struct ym_inventory;

/* id may be NULL: devices then get only registry and naming evidence. */
int ym_inventory_init(struct ym_inventory **out, uint32_t max_devices,
		      const struct ym_oui *oui, struct ym_identify *id,
		      struct ym_inventory_observer *obs) YM_MUST_CHECK;
void ym_inventory_fini(struct ym_inventory *inv);

/* New fingerprint rules (a data update): used from the next decision on. */
void ym_inventory_set_identify(struct ym_inventory *inv,
			       struct ym_identify *id);

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

/* Puts a device read back from the store into memory at start, so a
 * restarted daemon continues where it stopped. */
struct ym_device *ym_inventory_restore(struct ym_inventory *inv,
				       const struct ym_device *saved);

void ym_inventory_get_stats(const struct ym_inventory *inv,
			    struct ym_inventory_stats *s);

#endif
