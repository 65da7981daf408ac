/* Sniffers: read what devices announce about themselves (mDNS/DNS-SD,
 * LLMNR, NetBIOS, SSDP, DHCPv4, DHCPv6, LLDP, CDP, UPnP descriptions) and
 * what nDPI found in their flows (DNS names, TLS server names, User-Agents,
 * JA3), and hand it to identification as signals of the sending device.
 * This is the one door into identification for what devices say; only the
 * inventory adds the registry vendor and the gateway it recognised. Only a
 * device's own announcements count: answers it gives, not questions it
 * asks. */
#ifndef YM_SNIFF_H
#define YM_SNIFF_H

#include <stdint.h>

#include "decode.h"
#include "flow.h"

struct ym_device;
struct ym_identify;
struct ym_upnp_desc;

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

/* Reads what a DHCPv4 client dev said about itself (hostname, vendor
 * class, FQDN, parameter list); the inventory hands these on. */
void ym_sniff_dhcp(struct ym_sniff *s, struct ym_device *dev,
		   const struct ym_dhcp *msg);

/* Reads the UPnP description dev gave when asked. */
void ym_sniff_upnp(struct ym_sniff *s, struct ym_device *dev,
		   const struct ym_upnp_desc *desc);

#endif
