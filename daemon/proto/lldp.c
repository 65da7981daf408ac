#include "lldp.h"

#include <errno.h>
#include <string.h>

#define LLDP_TLV_END 0
#define LLDP_TLV_CHASSIS_ID 1
#define LLDP_TLV_SYSTEM_NAME 5
#define LLDP_TLV_SYSTEM_DESC 6
#define LLDP_TLV_CAPABILITIES 7

#define CDP_HEADER 4
#define CDP_TLV_HEADER 4
#define CDP_TLV_DEVICE_ID 0x0001
#define CDP_TLV_SOFTWARE 0x0005
#define CDP_TLV_PLATFORM 0x0006

/* Reads a big-endian 16-bit field byte by byte, so alignment and host
 * order do not matter. */
/* Copies a TLV's text into dst unless an earlier TLV already filled it:
 * each of these TLVs may appear once, and the first one is the one the
 * standard defines. */
static void take_text(char *dst, size_t dstlen, const uint8_t *v,
		      uint32_t vlen)
{
	if (dst[0] == '\0')
		ym_strlcpy_clean(dst, (const char *)v, vlen, dstlen);
}

int ym_lldp_parse(const uint8_t *p, uint32_t len, struct ym_lldp *out)
{
	uint32_t off = 0;
	bool first = true;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return -EINVAL;
	while (off < len) {
		uint8_t type;
		uint32_t tlen;
		const uint8_t *v;

		if (len - off < 2)
			return -EINVAL;
		type = p[off] >> 1;
		tlen = (uint32_t)(p[off] & 1) << 8 | p[off + 1];
		if (tlen > len - off - 2)
			return -EINVAL;
		v = p + off + 2;
		/* An LLDPDU opens with the Chassis ID TLV (IEEE 802.1AB
		 * 8.2); anything else on this ethertype is not LLDP. */
		if (first && type != LLDP_TLV_CHASSIS_ID)
			return -EINVAL;
		first = false;
		switch (type) {
		case LLDP_TLV_END:
			/* Ethernet padding after the End TLV is not read. */
			return 0;
		case LLDP_TLV_SYSTEM_NAME:
			take_text(out->system_name, sizeof(out->system_name), v,
				  tlen);
			break;
		case LLDP_TLV_SYSTEM_DESC:
			take_text(out->system_description,
				  sizeof(out->system_description), v, tlen);
			break;
		case LLDP_TLV_CAPABILITIES:
			/* System capabilities (2 bytes), then the enabled
			 * ones (2 bytes): what the device does now. */
			if (tlen < 4)
				return -EINVAL;
			out->capabilities = ym_be16(v, tlen, 2);
			break;
		default:
			break;
		}
		off += 2 + tlen;
	}
	return 0;
}

int ym_cdp_parse(const uint8_t *p, uint32_t len, struct ym_lldp *out)
{
	uint32_t off = CDP_HEADER;

	memset(out, 0, sizeof(*out));
	/* Version, TTL and checksum. The checksum is not verified: Cisco's
	 * own implementations disagree on odd-length packets, and a forged
	 * packet could carry a valid one anyway. */
	if (len < CDP_HEADER || (p[0] != 1 && p[0] != 2))
		return -EINVAL;
	while (off < len) {
		uint16_t type, tlen;
		const uint8_t *v;
		uint32_t vlen;

		if (len - off < CDP_TLV_HEADER)
			return -EINVAL;
		type = ym_be16(p, len, off);
		tlen = ym_be16(p, len, off + 2);
		/* The length counts the TLV's own 4-byte header. */
		if (tlen < CDP_TLV_HEADER || tlen > len - off)
			return -EINVAL;
		v = p + off + CDP_TLV_HEADER;
		vlen = (uint32_t)tlen - CDP_TLV_HEADER;
		switch (type) {
		case CDP_TLV_DEVICE_ID:
			take_text(out->system_name, sizeof(out->system_name), v,
				  vlen);
			break;
		case CDP_TLV_SOFTWARE:
			take_text(out->system_description,
				  sizeof(out->system_description), v, vlen);
			break;
		case CDP_TLV_PLATFORM:
			take_text(out->platform, sizeof(out->platform), v,
				  vlen);
			break;
		default:
			break;
		}
		off += tlen;
	}
	return 0;
}
