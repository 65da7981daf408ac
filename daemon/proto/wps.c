#include "wps.h"

#include <errno.h>
#include <string.h>

#define EAPOL_HEADER 4
#define EAPOL_TYPE_EAP 0
#define EAP_HEADER 5 /* code, id, length, type */
#define EAP_REQUEST 1
#define EAP_RESPONSE 2
#define EAP_TYPE_EXPANDED 254
#define WSC_VENDOR_ID 0x00372a /* Wi-Fi Alliance */
#define WSC_VENDOR_TYPE 1      /* SimpleConfig */
#define WSC_OP_MSG 0x04
#define WSC_FLAG_LF 0x02       /* a 2-byte message length follows */

#define ATTR_DEVICE_NAME 0x1011
#define ATTR_MANUFACTURER 0x1021
#define ATTR_MSG_TYPE 0x1022
#define ATTR_MODEL_NAME 0x1023
#define ATTR_MODEL_NUMBER 0x1024
#define ATTR_PRIMARY_DEV_TYPE 0x1054

static void take(char *dst, size_t dstlen, const uint8_t *v, uint32_t vlen)
{
	if (dst[0] == '\0')
		ym_strlcpy_clean(dst, (const char *)v, vlen, dstlen);
}

int ym_wps_parse(const uint8_t *p, uint32_t len, struct ym_wps *out)
{
	uint32_t body, eap_len, off, end;
	uint8_t flags;

	memset(out, 0, sizeof(*out));
	if (len < EAPOL_HEADER)
		return -EINVAL;
	if (p[1] != EAPOL_TYPE_EAP)
		return -ENOENT;
	body = ym_be16(p, len, 2);
	if (body > len - EAPOL_HEADER)
		return -EINVAL;
	p += EAPOL_HEADER;
	if (body < EAP_HEADER)
		return -ENOENT;
	eap_len = ym_be16(p, body, 2);
	if ((p[0] != EAP_REQUEST && p[0] != EAP_RESPONSE) ||
	    p[4] != EAP_TYPE_EXPANDED)
		return -ENOENT;
	if (eap_len > body || eap_len < EAP_HEADER + 7 + 2)
		return -EINVAL;
	/* Expanded type: 3-byte vendor id, 4-byte vendor type. */
	if (((uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7]) !=
		    WSC_VENDOR_ID ||
	    ((uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
	     (uint32_t)p[10] << 8 | p[11]) != WSC_VENDOR_TYPE)
		return -ENOENT;
	if (p[12] != WSC_OP_MSG)
		return -ENOENT;
	flags = p[13];
	off = 14;
	if (flags & WSC_FLAG_LF)
		off += 2;
	end = eap_len;
	if (off > end)
		return -EINVAL;
	while (off < end) {
		uint16_t type, alen;
		const uint8_t *v;

		if (end - off < 4)
			return -EINVAL;
		type = ym_be16(p, end, off);
		alen = ym_be16(p, end, off + 2);
		if (alen > end - off - 4) {
			/* The rest is in the next fragment. */
			if (flags & 0x01)
				break;
			return -EINVAL;
		}
		v = p + off + 4;
		switch (type) {
		case ATTR_MSG_TYPE:
			if (alen == 1)
				out->msg_type = v[0];
			break;
		case ATTR_MANUFACTURER:
			take(out->manufacturer, sizeof(out->manufacturer), v,
			     alen);
			break;
		case ATTR_MODEL_NAME:
			take(out->model_name, sizeof(out->model_name), v, alen);
			break;
		case ATTR_MODEL_NUMBER:
			take(out->model_number, sizeof(out->model_number), v,
			     alen);
			break;
		case ATTR_DEVICE_NAME:
			take(out->device_name, sizeof(out->device_name), v,
			     alen);
			break;
		case ATTR_PRIMARY_DEV_TYPE:
			/* category (2), OUI (4), subcategory (2) */
			if (alen == 8 && out->category == 0) {
				out->category = ym_be16(v, 8, 0);
				out->subcategory = ym_be16(v, 8, 6);
			}
			break;
		default:
			break;
		}
		off += 4u + alen;
	}
	return 0;
}
