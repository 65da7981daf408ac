/* Wi-Fi Simple Configuration (WPS) inside EAPoL (ethertype 0x888e): the
 * M1 and M2 messages of a WPS set-up name the sender's maker, model,
 * device name and primary device type (Wi-Fi Simple Configuration
 * Technical Specification, attributes 0x1011, 0x1021, 0x1023, 0x1024,
 * 0x1054; hostapd src/wps/wps_defs.h). Attributes are walked with bounds
 * checks; a fragmented message yields what its first fragment holds. */
#ifndef YM_WPS_H
#define YM_WPS_H

#include <stdint.h>

#include "util.h"

#define YM_WPS_M1 0x04 /* enrollee -> registrar: the device joining */
#define YM_WPS_M2 0x05 /* registrar -> enrollee: the access point */

struct ym_wps {
	uint8_t msg_type;     /* YM_WPS_M1, YM_WPS_M2 ... or 0 */
	char manufacturer[64];
	char model_name[64];
	char model_number[32];
	char device_name[64];
	uint16_t category;    /* primary device type, 0 when absent */
	uint16_t subcategory;
};

/* Parses an EAPoL frame (the bytes after the ethertype). 0 when it is a
 * WSC message (out filled), -ENOENT for other EAPoL (keys, identities),
 * -EINVAL when malformed. */
int ym_wps_parse(const uint8_t *p, uint32_t len, struct ym_wps *out)
	YM_MUST_CHECK;

#endif
