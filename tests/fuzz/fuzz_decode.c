/* libFuzzer harness for the frame decoder: the first byte picks one of the
 * link types it understands, the rest is the frame. Every pointer and length
 * the decoder reports is checked against the frame it was given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = {
	YM_LINK_NULL, YM_LINK_ETHERNET, YM_LINK_RAW, YM_LINK_RAW_LT,
	YM_LINK_LINUX_SLL, YM_LINK_IPV4, YM_LINK_IPV6, YM_LINK_LINUX_SLL2,
};

/* Aborts unless [p, p + len) lies inside [base, base + size). */
static void check_inside(const uint8_t *base, size_t size, const uint8_t *p,
			 uint32_t len)
{
	if (!p) {
		if (len)
			abort();
		return;
	}
	if (p < base || p > base + size || len > (size_t)(base + size - p))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ym_packet pkt;
	const uint8_t *frame;
	uint32_t caplen;
	int link;

	if (size < 1 || size > 65536)
		return 0;
	link = links[data[0] % (sizeof(links) / sizeof(links[0]))];
	frame = data + 1;
	caplen = (uint32_t)(size - 1);
	memset(&pkt, 0, sizeof(pkt));
	/* The wire length is at least the captured one, as libpcap gives it. */
	if (ym_decode(link, frame, caplen, caplen + (data[0] >> 4), &pkt) !=
	    YM_DECODE_OK)
		return 0;
	check_inside(frame, caplen, pkt.l3_data, pkt.l3_len);
	check_inside(frame, caplen, pkt.payload, pkt.payload_len);
	if (pkt.has_nd && pkt.nd.n_prefixes > YM_ND_MAX_PREFIXES)
		abort();
	if (pkt.src.family != 0 && pkt.src.family != 4 && pkt.src.family != 6)
		abort();
	if (pkt.dst.family != 0 && pkt.dst.family != 4 && pkt.dst.family != 6)
		abort();
	return 0;
}
