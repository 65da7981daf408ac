/* One engine for the harnesses that need the whole daemon (fuzz_api,
 * fuzz_packet): file mode (no capture, no API socket, no password checks,
 * no isolation: audit = off and isolate = none as by default), a fresh state
 * directory in memory (/dev/shm, else /tmp) removed at exit, the project's
 * own data files and the IEEE registry when it is installed. Small tables,
 * so a long run also exercises eviction. */
#ifndef YM_FUZZ_ENGINE_H
#define YM_FUZZ_ENGINE_H

#include <stdint.h>

#include "engine-private.h"

/* The engine, created on the first call (aborts when it cannot start). */
struct ym_engine *ym_fuzz_engine(void);

/* Gives the engine a few devices of a home (ARP from each), so commands
 * that name a device by MAC find one: 02:11:22:33:44:55 and 02:11:22:33:44:66
 * on 192.168.1.20 and .21, behind the router 02:00:00:00:00:01. */
void ym_fuzz_engine_household(struct ym_engine *e, uint64_t ts_us);

#endif
