#include "edimax.h"

#include <errno.h>
#include <string.h>

/* The NUL-padded text field p[from..to), cleaned into out; false when it
 * holds a control byte before its end, or, unless utf8, a byte that is no
 * ASCII (a household's name for the device may be "Küche"). */
static bool field(const uint8_t *p, uint32_t from, uint32_t to, char *out,
		  size_t outlen, bool utf8)
{
	uint32_t n = 0;

	while (from + n < to && p[from + n] != 0) {
		if (p[from + n] < 0x20 || p[from + n] == 0x7f ||
		    (p[from + n] > 0x7f && !utf8))
			return false;
		n++;
	}
	ym_strlcpy_clean(out, (const char *)p + from, n, outlen);
	return true;
}

int ym_edimax_parse(const uint8_t *p, uint32_t len, struct ym_edimax *out)
{
	static const uint8_t question[6] = { 0xff, 0xff, 0xff,
					     0xff, 0xff, 0xff };

	memset(out, 0, sizeof(*out));
	/* The model ends at byte 36: a shorter datagram names nothing. */
	if (len < 36 || memcmp(p, question, sizeof(question)) == 0)
		return -EINVAL;
	if (!field(p, 6, 18, out->manufacturer, sizeof(out->manufacturer),
		   false) ||
	    !out->manufacturer[0] ||
	    !field(p, 22, 36, out->model, sizeof(out->model), false)) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	/* The version and the name are optional; a garbled one is left out. */
	if (len >= 44 &&
	    !field(p, 36, 44, out->version, sizeof(out->version), false))
		out->version[0] = '\0';
	if (len > 44 &&
	    !field(p, 44, len < 172 ? len : 172, out->name, sizeof(out->name),
		   true))
		out->name[0] = '\0';
	return 0;
}
