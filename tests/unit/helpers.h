/* Frame builders shared by the unit tests. */
#ifndef YM_TEST_HELPERS_H
#define YM_TEST_HELPERS_H

#include <stdint.h>
#include <string.h>

#include "decode.h"

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Builds Ethernet + IPv4 + UDP (or TCP with flags when tcp) into buf and
 * returns its length. */
static inline uint32_t build_ipv4(uint8_t *buf, const uint8_t src_mac[6],
				  const uint8_t dst_mac[6],
				  const uint8_t src[4], const uint8_t dst[4],
				  uint16_t sport, uint16_t dport, int tcp,
				  uint8_t flags, const void *payload,
				  uint16_t plen)
{
	uint16_t l4 = tcp ? 20 : 8;
	uint16_t tlen = (uint16_t)(20 + l4 + plen);

	memset(buf, 0, 14 + tlen);
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	put16(buf + 12, 0x0800);
	buf[14] = 0x45;
	put16(buf + 16, tlen);
	buf[22] = 64;
	buf[23] = tcp ? 6 : 17;
	memcpy(buf + 26, src, 4);
	memcpy(buf + 30, dst, 4);
	put16(buf + 34, sport);
	put16(buf + 36, dport);
	if (tcp) {
		buf[46] = 0x50;
		buf[47] = flags;
	} else {
		put16(buf + 38, (uint16_t)(8 + plen));
	}
	if (plen)
		memcpy(buf + 34 + l4, payload, plen);
	return 14u + tlen;
}

static inline void decode_at(struct ym_packet *p, const uint8_t *buf,
			     uint32_t len, uint64_t ts)
{
	p->ts_us = ts;
	if (ym_decode(YM_LINK_ETHERNET, buf, len, len, p) != YM_DECODE_OK)
		memset(p, 0, sizeof(*p));
}

#endif
