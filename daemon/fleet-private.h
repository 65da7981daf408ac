/* What fleet.c and fleet-report.c share; nothing outside the fleet's
 * files includes this. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* T (Unix seconds) as RFC 3339 in UTC: 2026-12-07T11:00:00Z. */
static inline void ym_fleet_iso_time(int64_t t, char *out, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
