#include "dhcp.h"

#include <errno.h>
#include <string.h>

#define BOOTP_FIXED 236
#define DHCP_COOKIE_LEN 4

int ym_dhcp_parse(const uint8_t *p, uint32_t len, struct ym_dhcp *d)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	uint32_t off;

	memset(d, 0, sizeof(*d));
	if (len < BOOTP_FIXED + DHCP_COOKIE_LEN)
		return -EINVAL;
	/* Ethernet hardware type with 6-byte addresses only. */
	if ((p[0] != 1 && p[0] != 2) || p[1] != 1 || p[2] != 6)
		return -EINVAL;
	if (memcmp(p + BOOTP_FIXED, cookie, 4) != 0)
		return -EINVAL;
	d->op = p[0];
	memcpy(d->ciaddr, p + 12, 4);
	memcpy(d->yiaddr, p + 16, 4);
	memcpy(d->chaddr, p + 28, 6);
	off = BOOTP_FIXED + DHCP_COOKIE_LEN;
	while (off < len) {
		uint8_t code = p[off], olen;
		const uint8_t *v;

		if (code == 255)
			break;
		if (code == 0) {
			off++;
			continue;
		}
		if (off + 2 > len)
			return -EINVAL;
		olen = p[off + 1];
		if (off + 2 + olen > len)
			return -EINVAL;
		v = p + off + 2;
		switch (code) {
		case 53:
			if (olen >= 1)
				d->msg_type = v[0];
			break;
		case 12:
			if (olen >= 1) {
				d->has_hostname = true;
				ym_strlcpy_clean(d->hostname, (const char *)v,
						 olen, sizeof(d->hostname));
			}
			break;
		case 1:
		case 3:
		case 50:
		case 54:
			if (olen >= 4) {
				uint8_t *dst = code == 1 ? d->mask :
					       code == 3 ? d->router :
					       code == 50 ? d->requested :
							    d->server_id;

				memcpy(dst, v, 4);
				if (code == 1)
					d->has_mask = true;
				else if (code == 3)
					d->has_router = true;
				else if (code == 50)
					d->has_requested = true;
				else
					d->has_server_id = true;
			}
			break;
		case 55:
			d->n_params = olen > sizeof(d->params) ?
					      (uint8_t)sizeof(d->params) : olen;
			memcpy(d->params, v, d->n_params);
			break;
		case 60:
			ym_strlcpy_clean(d->vendor_class, (const char *)v, olen,
					 sizeof(d->vendor_class));
			break;
		default:
			break;
		}
		off += 2u + olen;
	}
	return 0;
}
