/* Edimax's device discovery (UDP 20560): an app broadcasts a question
 * (6 x 0xff, "EDIMAX", ...); each device answers with its MAC (bytes 0-5),
 * its maker (6-17), its model (22-35), its firmware version (36-43) and
 * the name shown in the app (44-171), each field NUL-padded. Layout from
 * the public client github.com/mwittig/edimax-smartplug (discoverDevices). */
#ifndef YM_EDIMAX_H
#define YM_EDIMAX_H

#include <stdint.h>

#include "util.h"

struct ym_edimax {
	char manufacturer[13];
	char model[15];
	char version[9];
	char name[129];
};

/* Parses a discovery answer: 0, or -EINVAL when p is none (too short, the
 * question itself, or a maker or model field that is not ASCII text, or no
 * maker). A garbled version or name is left empty. */
int ym_edimax_parse(const uint8_t *p, uint32_t len, struct ym_edimax *out)
	YM_MUST_CHECK;

#endif
