/* LLDP (ethertype 0x88cc) and CDP (802.2 SNAP, protocol 0x2000): the names
 * and descriptions switches, access points and phones announce. TLVs are
 * walked with bounds checks. */
#ifndef YM_LLDP_H
#define YM_LLDP_H

#include <stdint.h>

#include "util.h"

struct ym_lldp {
	char system_name[64];
	char system_description[128];
	char platform[64];        /* CDP platform */
	uint16_t capabilities;    /* LLDP system capabilities (enabled) */
};

#define YM_LLDP_CAP_BRIDGE 0x0004
#define YM_LLDP_CAP_WLAN_AP 0x0008
#define YM_LLDP_CAP_ROUTER 0x0010
#define YM_LLDP_CAP_PHONE 0x0020
#define YM_LLDP_CAP_STATION 0x0080

/* Parses an LLDPDU (the bytes after the ethertype). 0 or -EINVAL. */
int ym_lldp_parse(const uint8_t *p, uint32_t len, struct ym_lldp *out)
	YM_MUST_CHECK;

/* Parses a CDP packet starting at its version byte (after the 802.2 LLC
 * and SNAP headers). 0 or -EINVAL. */
int ym_cdp_parse(const uint8_t *p, uint32_t len, struct ym_lldp *out)
	YM_MUST_CHECK;

#endif
