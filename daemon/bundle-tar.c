/* The bundle's container: a plain ustar archive, read strictly (no links,
 * no devices, no extensions), so an ISP can make one with tar. */
#include "bundle-private.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bundle.h"

/* --- the tar ----------------------------------------------------------- */

static int octal(const uint8_t *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < n && f[i] == ' ')
		i++;
	if (i == n || f[i] < '0' || f[i] > '7')
		return -EINVAL;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -EINVAL;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -EINVAL;
	*out = v;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* A field of n bytes, NUL-terminated unless full. */
static size_t field_len(const uint8_t *f, size_t n)
{
	const uint8_t *z = memchr(f, '\0', n);

	return z ? (size_t)(z - f) : n;
}

/* Walks a ustar archive: regular files into v (at most max), directories
 * skipped, anything else refused. */
int ym_bundle_read_tar(const uint8_t *buf, size_t len, struct entry *v,
		    size_t max, size_t *count, char *err, size_t errlen)
{
	size_t off = 0, n = 0;

	for (;;) {
		const uint8_t *h = buf + off;
		uint64_t size, sum, want = 0;
		size_t nl, pl;
		char type;

		if (len - off < 512) {
			snprintf(err, errlen, "the bundle is truncated");
			return -EINVAL;
		}
		if (all_zero(h, 512)) {
			/* The end: nothing but zeros may follow. */
			if (!all_zero(h, len - off)) {
				snprintf(err, errlen, "data after the end of "
					 "the bundle");
				return -EINVAL;
			}
			break;
		}
		for (int i = 0; i < 512; i++)
			want += (i >= 148 && i < 156) ? ' ' : h[i];
		if (memcmp(h + 257, "ustar", 5) != 0 ||
		    octal(h + 148, 8, &sum) < 0 || sum != want ||
		    octal(h + 124, 12, &size) < 0) {
			snprintf(err, errlen, "the bundle is not a tar file "
				 "or is damaged");
			return -EINVAL;
		}
		type = (char)h[156];
		nl = field_len(h, 100);
		pl = field_len(h + 345, 155);
		if (nl == 0) {
			snprintf(err, errlen, "an entry without a name");
			return -EINVAL;
		}
		if (size > len - off - 512) {
			snprintf(err, errlen, "the bundle is truncated");
			return -EINVAL;
		}
		if (type == '0' || type == '\0') {
			struct entry *e;

			if (n == max) {
				snprintf(err, errlen, "more than %zu files",
					 max);
				return -EINVAL;
			}
			e = &v[n++];
			if (pl)
				snprintf(e->name, sizeof(e->name), "%.*s/%.*s",
					 (int)pl, (const char *)h + 345,
					 (int)nl, (const char *)h);
			else
				snprintf(e->name, sizeof(e->name), "%.*s",
					 (int)nl, (const char *)h);
			if (strlen(e->name) != (pl ? pl + 1 : 0) + nl) {
				snprintf(err, errlen, "a name with a NUL");
				return -EINVAL;
			}
			e->data = h + 512;
			e->size = (size_t)size;
		} else if (type != '5' || size != 0) {
			snprintf(err, errlen, "the bundle holds something "
				 "other than files (tar type '%c')",
				 isprint((unsigned char)type) ? type : '?');
			return -EINVAL;
		}
		off += 512 + (size_t)((size + 511) / 512 * 512);
		if (off > len) {
			snprintf(err, errlen, "the bundle is truncated");
			return -EINVAL;
		}
	}
	*count = n;
	return 0;
}

