/* The device's life with the household (rules 1 and 3 of the guideline):
 * maker support ended, newer firmware known, no support contact; used by
 * a person lately or only chattering in the background; gone. Everything
 * is decided on the capture clock, so a replay of weeks takes seconds. */
#ifndef YM_LIFECYCLE_H
#define YM_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "util.h"

struct ym_alerts;
struct ym_device;
struct ym_support;

struct ym_lifecycle {
	const struct ym_support *kb;
	struct ym_alerts *alerts;
	uint64_t idle_us, gone_us;
};

/* A flow ended: if a person caused it (a media stream, notable volume, a
 * LAN device using another: printing, a web page), the devices at its ends
 * were used. initiator and responder may be NULL. */
void ym_lifecycle_flow_end(struct ym_lifecycle *lc, struct ym_device *initiator,
			   struct ym_device *responder, const struct ym_flow *f);

/* Decides the flags of rules 1 and 3 for a device at capture time now,
 * raising an alert when a flag is newly set. */
void ym_lifecycle_check(struct ym_lifecycle *lc, struct ym_device *d,
			uint64_t now_us);

/* The firmware version the device announced, or "". */
const char *ym_lifecycle_firmware(const struct ym_device *d);

#endif
