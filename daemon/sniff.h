/* Sniffers: read what devices announce about themselves (mDNS/DNS-SD,
 * LLMNR, NetBIOS, SSDP, DHCPv6, LLDP, CDP) and what nDPI found in their
 * flows (DNS names, TLS server names, User-Agents, JA3), and hand it to
 * identification as signals of the sending device. Only a device's own
 * announcements count: answers it gives, not questions it asks. */
#ifndef YM_SNIFF_H
#define YM_SNIFF_H

#include <stdint.h>

#include "decode.h"
#include "flow.h"

struct ym_device;
struct ym_identify;

struct ym_sniff_stats {
	uint64_t mdns, llmnr, netbios, ssdp, dhcp6, lldp, cdp;
	uint64_t malformed; /* announcements that did not parse */
};

/* Receives the UPnP description addresses devices announce. */
struct ym_sniff_observer {
	void (*upnp_location)(struct ym_sniff_observer *obs,
			      struct ym_device *dev, const char *url);
};

struct ym_sniff {
	struct ym_identify *id;
	struct ym_sniff_observer *obs;
	struct ym_sniff_stats stats;
};

/* Reads one decoded frame sent by dev. */
void ym_sniff_packet(struct ym_sniff *s, struct ym_device *dev,
		     const struct ym_packet *pkt);

/* Reads what nDPI found in a flow that dev started. */
void ym_sniff_flow(struct ym_sniff *s, struct ym_device *dev,
		   const struct ym_flow *f, const struct ym_flow_info *info,
		   const char *proto);

#endif
