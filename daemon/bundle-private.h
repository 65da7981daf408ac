/* What the bundle's files share inside the module: one entry of the tar
 * (pointing into the caller's buffer) and the strict ustar reader. */
#ifndef YM_BUNDLE_PRIVATE_H
#define YM_BUNDLE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "bundle.h"

struct entry {
	char name[YM_BUNDLE_PATH_MAX + 160];
	const uint8_t *data;
	size_t size;
};

/* Reads a whole uncompressed ustar archive into v (at most max entries):
 * regular files and directories only, checksums and sizes checked, nothing
 * but zeros after the end. 0, or negative errno with a line in err. */
int ym_bundle_read_tar(const uint8_t *buf, size_t len, struct entry *v,
		    size_t max, size_t *count, char *err, size_t errlen);

#endif
