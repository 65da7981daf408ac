/* Threat intelligence: addresses, domains and TLS client fingerprints
 * (JA3) known to belong to malware, and domains known to look random but
 * be benign. Loaded from the .list files in data/intel/ into hash sets, so
 * a lookup per flow costs O(1) whatever the lists' size. */
#ifndef YM_INTEL_H
#define YM_INTEL_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct ym_intel;

/* Loads every .list file in dir: lines "ip ADDRESS source=WHERE",
 * "domain NAME source=WHERE", "ja3 MD5 source=WHERE" and
 * "allow NAME source=WHERE". A bad line is -EINVAL with FILE:LINE in err;
 * a missing dir gives an empty set and -ENOENT. */
int ym_intel_init(struct ym_intel **out, const char *dir, char *err,
		  size_t errlen) YM_MUST_CHECK;
void ym_intel_fini(struct ym_intel *in);

size_t ym_intel_count(const struct ym_intel *in);

bool ym_intel_bad_addr(const struct ym_intel *in, const struct ym_addr *a);

/* True when the name or one of its parent domains is listed. */
bool ym_intel_bad_domain(const struct ym_intel *in, const char *name);
bool ym_intel_bad_ja3(const struct ym_intel *in, const char *ja3);

/* True when the name or a parent is on the allow-list (vendor clouds
 * whose names look random). */
bool ym_intel_allowed(const struct ym_intel *in, const char *name);

#endif
