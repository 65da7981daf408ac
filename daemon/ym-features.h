/* The optional parts of this build (named so as not to hide glibc's
 * <features.h>). Each compiles out (cmake -DYAMORI_NFT=OFF and so on;
 * docs/BUILDING.md) behind a static inline stub that answers
 * "not supported", so callers never test these themselves: the table is for
 * telling people (yamorictl status, yamorid --check-config). */
#ifndef YM_FEATURES_H
#define YM_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct ym_feature {
	const char *name;    /* "nft_isolation", "ssh_checks", ... */
	const char *library; /* what it needs: "libnftables", ... */
	bool built;
};

/* The optional parts, in a fixed order; *n is set to their number. */
const struct ym_feature *ym_features(size_t *n);

/* 0 when cfg asks for nothing this build lacks; else -ENOTSUP and one
 * line in err naming the setting and what the build needs. */
int ym_features_check_config(const struct ym_config *cfg, char *err,
			     size_t errlen);

#endif
