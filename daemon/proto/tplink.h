/* TP-Link's Smart Home protocol (Kasa plugs, switches and bulbs; TCP and
 * UDP 9999): JSON hidden by an XOR "autokey" cipher whose key starts at
 * 171 and is each cipher byte in turn; over TCP a 4-byte big-endian length
 * comes first. A device's get_sysinfo answer names its model
 * ("HS110(EU)") and its kind ("IOT.SMARTPLUGSWITCH", "IOT.SMARTBULB").
 * Public write-up: github.com/softScheck/tplink-smartplug. */
#ifndef YM_TPLINK_H
#define YM_TPLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

struct ym_tplink {
	char model[32];
	char type[32];
};

/* Parses one message (tcp: with its length prefix). 0 when the message is
 * a get_sysinfo answer naming a model or a kind (out filled), -ENOENT when
 * it decodes to something else, -EINVAL when malformed. */
int ym_tplink_parse(const uint8_t *p, uint32_t len, bool tcp,
		    struct ym_tplink *out) YM_MUST_CHECK;

#endif
