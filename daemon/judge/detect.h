/* Detection of infected or abused devices (guideline 要点9 and 要点21):
 * scans for telnet and other worm ports, port and ARP scans, floods,
 * contact with known malware, generated domain names, passwords sent in
 * the clear, UPnP/NAT-PMP/PCP port openings, a fake gateway or DHCP server,
 * unusual uploads and telnet/FTP offered on the LAN. Every counter lives in
 * a bounded per-device table on the capture clock; thresholds are set so
 * that ordinary home traffic (clouds, CDNs, mDNS, SSDP, NTP, updates)
 * raises nothing. */
#ifndef YM_DETECT_H
#define YM_DETECT_H

#include <stdint.h>

#include "decode.h"
#include "flow.h"
#include "util.h"

struct ym_alerts;
struct ym_device;
struct ym_intel;
struct ym_inventory;

struct ym_detect_stats {
	uint64_t sources_evicted;
};

struct ym_detect;

int ym_detect_init(struct ym_detect **out, struct ym_alerts *alerts,
		   struct ym_inventory *inv, const struct ym_intel *intel)
	YM_MUST_CHECK;

/* New threat lists (a data update): used from the next packet on. */
void ym_detect_set_intel(struct ym_detect *d, const struct ym_intel *intel);
void ym_detect_fini(struct ym_detect *d);

/* One decoded frame: src is the sending device (or NULL), f its flow (or
 * NULL) and dir the direction within the flow. */
void ym_detect_packet(struct ym_detect *d, struct ym_device *src,
		      const struct ym_packet *pkt, struct ym_flow *f, int dir);

/* nDPI finished with a flow that dev (a LAN device) started. */
void ym_detect_flow_classified(struct ym_detect *d, struct ym_device *dev,
			       const struct ym_flow *f,
			       const struct ym_flow_info *info,
			       const char *proto);

/* A flow ended; dev is the LAN device that started it, if any. */
void ym_detect_flow_end(struct ym_detect *d, struct ym_device *dev,
			const struct ym_flow *f);

void ym_detect_get_stats(const struct ym_detect *d,
			 struct ym_detect_stats *s);

#endif
