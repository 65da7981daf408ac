/* Isolation of a misbehaving device (guideline 要点9): one interface, three
 * backends chosen by config (isolate = nft | arp | none).
 *
 * - nft (router mode): Yamori's own tables "inet yamori" and "bridge yamori"
 *   hold a set of isolated MACs; the device may still reach the router's
 *   DHCP and DNS, nothing else, in either direction. The rules stay in the
 *   kernel when the daemon dies, so isolation holds until released.
 * - arp (appliance mode): ARP replies tell the device that the gateway is at
 *   this box (which does not forward) and the gateway that the device is
 *   here too, refreshed on a timer and restored with correct replies on
 *   release and at close. If the daemon dies, the caches heal by themselves
 *   within a minute or so (the neighbours ask again).
 * - none: report only; every apply is refused with a reason.
 *
 * Every call runs on the loop's thread. Calls return 0 or a negative errno;
 * refusals write one plain English line into why/err:
 *   -EINVAL  not a device's address, or arp mode without the device's IPv4
 *   -EPERM   the gateway or this box itself (never isolated)
 *   -ENOTSUP isolation cannot work here (none mode; arp: IPv6 router, proxy
 *            ARP, another device answering for the gateway, forwarding on)
 *   other    the kernel refused (nftables or the raw socket).
 * Apply is not the end: the caller asks ym_isolate_verify before it tells
 * anyone "isolated" (in arp mode the network is checked for about two seconds
 * first). */
#ifndef YM_ISOLATE_H
#define YM_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"
#include "util.h"

/* Devices isolated at once in arp mode: each costs two ARP replies every two
 * seconds, and a household isolates one or two devices, rarely more. */
#define YM_ISOLATE_ARP_MAX 32

/* enum ym_isolate_mode (none, nft, arp) is the config's, in config.h. */

/* Where Yamori runs. Zero MACs and family 0 addresses mean "unknown"; arp
 * mode needs ifname, self_mac, gateway_mac and gateway_ip. In router mode
 * (nft) the gateway is the router itself. */
struct ym_isolate_env {
	char ifname[16];        /* the LAN interface (arp mode) */
	uint8_t self_mac[6];    /* this box on the LAN */
	uint8_t gateway_mac[6];
	struct ym_addr gateway_ip;
	struct ym_addr self_ip;
};

struct ym_isolate_target {
	uint8_t mac[6];
	struct ym_addr ipv4; /* the device's address, needed in arp mode */
};

struct ym_isolator;

/* Parses "nft", "arp" or "none"; 0 or -EINVAL. */
int ym_isolate_mode_parse(const char *s, enum ym_isolate_mode *mode) YM_MUST_CHECK;

/* The config word for a mode ("nft", "arp", "none"). */
const char *ym_isolate_mode_name(enum ym_isolate_mode mode);

/* Starts a backend; nft creates Yamori's tables (idempotent, keeps the set). */
int ym_isolate_init(struct ym_isolator **out, enum ym_isolate_mode mode, uv_loop_t *loop,
		    const struct ym_isolate_env *env, char *err, size_t errlen) YM_MUST_CHECK;

/* Isolates one device; idempotent. Refuses the gateway and this box. */
int ym_isolate_apply(struct ym_isolator *iso, const struct ym_isolate_target *t, char *why,
		     size_t whylen) YM_MUST_CHECK;

/* Lets a device back in (arp: correct replies, five times); idempotent. */
int ym_isolate_release(struct ym_isolator *iso, const uint8_t mac[6], char *why,
		       size_t whylen) YM_MUST_CHECK;

/* 1 when the isolation really holds now, 0 if not (yet), -errno when it cannot. */
int ym_isolate_verify(struct ym_isolator *iso, const uint8_t mac[6]) YM_MUST_CHECK;

/* Why the last ym_isolate_verify did not return 1 ("" after a 1). */
const char *ym_isolate_reason(const struct ym_isolator *iso);

/* The isolated MACs held now (nft: in the kernel); stores up to max, returns the count or -errno. */
int ym_isolate_list(struct ym_isolator *iso, uint8_t (*macs)[6], size_t max) YM_MUST_CHECK;

/* An IPv6 router advertisement was seen on the LAN: arp mode stops and refuses. */
void ym_isolate_note_ipv6_router(struct ym_isolator *iso);

/* Stops the backend; arp restores the caches when restore (run the loop until it drains). */
void ym_isolate_close(struct ym_isolator *iso, bool restore);

#endif
