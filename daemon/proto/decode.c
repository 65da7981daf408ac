#include "decode.h"

#include <stddef.h>
#include <string.h>

/* A bounded view of the bytes still to decode. cap is what was captured,
 * wire what was on the wire; a length field may exceed cap when the capture
 * was cut at the snapshot length, but never wire. */
struct cursor {
	const uint8_t *p;
	uint32_t cap;
	uint32_t wire;
};

static bool skip(struct cursor *c, uint32_t n)
{
	if (n > c->cap)
		return false;
	c->p += n;
	c->cap -= n;
	c->wire = c->wire >= n ? c->wire - n : 0;
	return true;
}

/* Restricts the cursor to a declared length (IP total length, UDP length);
 * false when the declared length runs past what was on the wire. */
static bool limit(struct cursor *c, uint32_t declared)
{
	if (declared > c->wire)
		return false;
	c->wire = declared;
	if (c->cap > declared)
		c->cap = declared;
	return true;
}

static const char *const result_names[YM_DECODE_RESULT_MAX] = {
	[YM_DECODE_OK] = "ok",
	[YM_DECODE_BAD_LINK] = "bad_link",
	[YM_DECODE_BAD_VLAN] = "bad_vlan",
	[YM_DECODE_BAD_ARP] = "bad_arp",
	[YM_DECODE_BAD_IPV4] = "bad_ipv4",
	[YM_DECODE_BAD_IPV6] = "bad_ipv6",
	[YM_DECODE_BAD_IPV6_EXT] = "bad_ipv6_ext",
	[YM_DECODE_BAD_TCP] = "bad_tcp",
	[YM_DECODE_BAD_UDP] = "bad_udp",
	[YM_DECODE_BAD_ICMP] = "bad_icmp",
	[YM_DECODE_BAD_ICMPV6] = "bad_icmpv6",
	[YM_DECODE_UNSUPPORTED_LINK] = "unsupported_link",
};

const char *ym_decode_result_name(enum ym_decode_result r)
{
	if ((unsigned)r >= YM_DECODE_RESULT_MAX)
		return "unknown";
	return result_names[r];
}

bool ym_decode_link_supported(int linktype)
{
	switch (linktype) {
	case YM_LINK_NULL:
	case YM_LINK_ETHERNET:
	case YM_LINK_RAW:
	case YM_LINK_RAW_LT:
	case YM_LINK_LINUX_SLL:
	case YM_LINK_LINUX_SLL2:
	case YM_LINK_IPV4:
	case YM_LINK_IPV6:
		return true;
	default:
		return false;
	}
}

static enum ym_decode_result decode_tcp(struct cursor *c, struct ym_packet *pkt)
{
	uint32_t hlen;

	if (c->cap < 20)
		return YM_DECODE_BAD_TCP;
	hlen = (uint32_t)(c->p[12] >> 4) * 4;
	if (hlen < 20 || hlen > c->wire)
		return YM_DECODE_BAD_TCP;
	pkt->sport = ym_be16(c->p, c->cap, 0);
	pkt->dport = ym_be16(c->p, c->cap, 2);
	pkt->tcp_flags = c->p[13];
	pkt->tcp_seq = ym_be32(c->p, c->cap, 4);
	/* Options cut off by the snapshot length: the ports are enough. */
	if (!skip(c, hlen))
		skip(c, c->cap);
	pkt->payload = c->p;
	pkt->payload_len = c->cap;
	return YM_DECODE_OK;
}

static enum ym_decode_result decode_udp(struct cursor *c, struct ym_packet *pkt)
{
	uint32_t ulen;

	if (c->cap < 8)
		return YM_DECODE_BAD_UDP;
	pkt->sport = ym_be16(c->p, c->cap, 0);
	pkt->dport = ym_be16(c->p, c->cap, 2);
	ulen = ym_be16(c->p, c->cap, 4);
	if (ulen < 8)
		return YM_DECODE_BAD_UDP;
	/* The UDP length of a fragmented datagram covers all fragments. */
	if (!pkt->fragment && !limit(c, ulen))
		return YM_DECODE_BAD_UDP;
	skip(c, 8);
	pkt->payload = c->p;
	pkt->payload_len = c->cap;
	return YM_DECODE_OK;
}

static enum ym_decode_result decode_icmp(struct cursor *c, struct ym_packet *pkt)
{
	if (c->cap < 4)
		return YM_DECODE_BAD_ICMP;
	pkt->icmp_type = c->p[0];
	pkt->icmp_code = c->p[1];
	pkt->payload = c->p + 4;
	pkt->payload_len = c->cap - 4;
	return YM_DECODE_OK;
}

/* Walks neighbour discovery options with bounds checks on every step. */
static enum ym_decode_result decode_nd_options(const uint8_t *p, uint32_t len,
					       struct ym_packet *pkt)
{
	struct ym_nd *nd = &pkt->nd;

	while (len >= 2) {
		uint32_t olen = (uint32_t)p[1] * 8;

		if (olen == 0 || olen > len)
			return YM_DECODE_BAD_ICMPV6;
		if ((p[0] == 1 || p[0] == 2) && olen >= 8) {
			nd->has_lladdr = true;
			memcpy(nd->lladdr, p + 2, 6);
		} else if (p[0] == 3 && olen >= 32 &&
			   nd->n_prefixes < YM_ND_MAX_PREFIXES) {
			nd->prefixes[nd->n_prefixes].len = p[2];
			memcpy(nd->prefixes[nd->n_prefixes].prefix, p + 16, 16);
			nd->n_prefixes++;
		}
		p += olen;
		len -= olen;
	}
	return YM_DECODE_OK;
}

static enum ym_decode_result decode_icmpv6(struct cursor *c,
					   struct ym_packet *pkt)
{
	const uint8_t *p = c->p;
	uint32_t len = c->cap, optoff;
	struct ym_nd *nd = &pkt->nd;

	if (len < 4)
		return YM_DECODE_BAD_ICMPV6;
	pkt->icmp_type = p[0];
	pkt->icmp_code = p[1];
	pkt->payload = p + 4;
	pkt->payload_len = len - 4;
	switch (p[0]) {
	case 133: /* router solicitation */
		optoff = 8;
		break;
	case 134: /* router advertisement */
		optoff = 16;
		break;
	case 135: /* neighbour solicitation */
	case 136: /* neighbour advertisement */
	case 137: /* redirect */
		optoff = p[0] == 137 ? 40 : 24;
		break;
	default:
		return YM_DECODE_OK;
	}
	/* Only fully captured ND messages are interpreted. */
	if (len < optoff || c->cap < c->wire)
		return len < optoff && c->cap == c->wire ? YM_DECODE_BAD_ICMPV6 :
							   YM_DECODE_OK;
	memset(nd, 0, sizeof(*nd));
	nd->type = p[0];
	if (p[0] == 134)
		nd->router_lifetime_nonzero = (p[6] | p[7]) != 0;
	if (p[0] >= 135) {
		nd->has_target = true;
		memcpy(nd->target, p + 8, 16);
	}
	if (decode_nd_options(p + optoff, len - optoff, pkt) != YM_DECODE_OK)
		return YM_DECODE_BAD_ICMPV6;
	pkt->has_nd = true;
	return YM_DECODE_OK;
}

static enum ym_decode_result decode_transport(struct cursor *c,
					      struct ym_packet *pkt)
{
	if (pkt->later_fragment)
		return YM_DECODE_OK;
	switch (pkt->proto) {
	case 6:
		return decode_tcp(c, pkt);
	case 17:
		return decode_udp(c, pkt);
	case 1:
		return decode_icmp(c, pkt);
	case 58:
		return decode_icmpv6(c, pkt);
	default:
		pkt->payload = c->p;
		pkt->payload_len = c->cap;
		return YM_DECODE_OK;
	}
}

static enum ym_decode_result decode_ipv4(struct cursor *c, struct ym_packet *pkt)
{
	const uint8_t *h = c->p;
	uint32_t hlen, tlen;
	uint16_t frag;

	if (c->cap < 20 || (h[0] >> 4) != 4)
		return YM_DECODE_BAD_IPV4;
	hlen = (uint32_t)(h[0] & 0x0f) * 4;
	tlen = ym_be16(h, c->cap, 2);
	if (hlen < 20 || hlen > c->cap || tlen < hlen || !limit(c, tlen))
		return YM_DECODE_BAD_IPV4;
	pkt->l3 = YM_L3_IPV4;
	pkt->l3_data = h;
	pkt->l3_len = c->cap;
	ym_addr_set4(&pkt->src, h + 12);
	ym_addr_set4(&pkt->dst, h + 16);
	pkt->proto = h[9];
	pkt->ttl = h[8];
	frag = ym_be16(h, c->cap, 6);
	pkt->fragment = (frag & 0x3fff) != 0;
	pkt->later_fragment = (frag & 0x1fff) != 0;
	skip(c, hlen);
	return decode_transport(c, pkt);
}

/* Walks the IPv6 extension header chain to the transport header. */
static enum ym_decode_result decode_ipv6(struct cursor *c, struct ym_packet *pkt)
{
	const uint8_t *h = c->p;
	uint8_t next;
	int hops;

	if (c->cap < 40 || (h[0] >> 4) != 6)
		return YM_DECODE_BAD_IPV6;
	/* A zero payload length means a jumbogram; none can cross a home LAN. */
	if (ym_be16(h, c->cap, 4) == 0 && h[6] != 59)
		return YM_DECODE_BAD_IPV6;
	if (!limit(c, 40u + ym_be16(h, c->cap, 4)))
		return YM_DECODE_BAD_IPV6;
	pkt->l3 = YM_L3_IPV6;
	pkt->l3_data = h;
	pkt->l3_len = c->cap;
	ym_addr_set6(&pkt->src, h + 8);
	ym_addr_set6(&pkt->dst, h + 24);
	pkt->ttl = h[7];
	next = h[6];
	skip(c, 40);
	for (hops = 0; hops < 8; hops++) {
		uint32_t elen;

		switch (next) {
		case 0:  /* hop-by-hop */
		case 43: /* routing */
		case 60: /* destination options */
			if (c->cap < 2)
				return YM_DECODE_BAD_IPV6_EXT;
			elen = ((uint32_t)c->p[1] + 1) * 8;
			break;
		case 44: /* fragment */
			if (c->cap < 8)
				return YM_DECODE_BAD_IPV6_EXT;
			elen = 8;
			pkt->fragment = true;
			pkt->later_fragment =
				(ym_be16(c->p, c->cap, 2) & 0xfff8) != 0;
			break;
		case 51: /* authentication header */
			if (c->cap < 2)
				return YM_DECODE_BAD_IPV6_EXT;
			elen = ((uint32_t)c->p[1] + 2) * 4;
			break;
		default:
			pkt->proto = next;
			return decode_transport(c, pkt);
		}
		next = c->p[0];
		if (!skip(c, elen))
			return YM_DECODE_BAD_IPV6_EXT;
	}
	/* More than eight extension headers: no legitimate sender does that. */
	return YM_DECODE_BAD_IPV6_EXT;
}

static enum ym_decode_result decode_arp(struct cursor *c, struct ym_packet *pkt)
{
	const uint8_t *a = c->p;

	if (c->cap < 8)
		return YM_DECODE_BAD_ARP;
	/* Only Ethernet/IPv4 ARP carries addresses Yamori uses. */
	if (ym_be16(a, c->cap, 0) != 1 || ym_be16(a, c->cap, 2) != 0x0800 ||
	    a[4] != 6 || a[5] != 4)
		return YM_DECODE_BAD_ARP;
	if (c->cap < 28)
		return YM_DECODE_BAD_ARP;
	pkt->l3 = YM_L3_ARP;
	pkt->arp.op = ym_be16(a, c->cap, 6);
	memcpy(pkt->arp.sha, a + 8, 6);
	memcpy(pkt->arp.spa, a + 14, 4);
	memcpy(pkt->arp.tha, a + 18, 6);
	memcpy(pkt->arp.tpa, a + 24, 4);
	return YM_DECODE_OK;
}

static enum ym_decode_result decode_ethertype(struct cursor *c,
					      struct ym_packet *pkt,
					      uint16_t type)
{
	/* Stacked 802.1Q / 802.1ad tags; four is more than any home uses. */
	while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
		if (c->cap < 4 || pkt->n_vlans >= 4)
			return YM_DECODE_BAD_VLAN;
		if (pkt->n_vlans == 0)
			pkt->vlan = ym_be16(c->p, c->cap, 0) & 0x0fff;
		pkt->n_vlans++;
		type = ym_be16(c->p, c->cap, 2);
		skip(c, 4);
	}
	pkt->ethertype = type;
	switch (type) {
	case 0x0800:
		return decode_ipv4(c, pkt);
	case 0x86dd:
		return decode_ipv6(c, pkt);
	case 0x0806:
		return decode_arp(c, pkt);
	default:
		/* LLDP and the like: the sniffers read the payload. */
		pkt->payload = c->p;
		pkt->payload_len = c->cap;
		return YM_DECODE_OK;
	}
}

static enum ym_decode_result decode_raw_ip(struct cursor *c,
					   struct ym_packet *pkt)
{
	if (c->cap < 1)
		return YM_DECODE_BAD_LINK;
	switch (c->p[0] >> 4) {
	case 4:
		pkt->ethertype = 0x0800;
		return decode_ipv4(c, pkt);
	case 6:
		pkt->ethertype = 0x86dd;
		return decode_ipv6(c, pkt);
	default:
		return YM_DECODE_BAD_LINK;
	}
}

static enum ym_decode_result decode_ethernet(struct cursor *c,
					     struct ym_packet *pkt)
{
	uint16_t type;

	if (c->cap < 14)
		return YM_DECODE_BAD_LINK;
	memcpy(pkt->dst_mac, c->p, 6);
	memcpy(pkt->src_mac, c->p + 6, 6);
	pkt->has_src_mac = pkt->has_dst_mac = true;
	type = ym_be16(c->p, c->cap, 12);
	skip(c, 14);
	if (type < 0x0600) {
		/* An 802.3 length field (STP, CDP, ...): the length bounds the
		 * payload, which the sniffers may read. */
		pkt->ethertype = 0;
		if (type < c->cap)
			c->cap = type;
		pkt->payload = c->p;
		pkt->payload_len = c->cap;
		return YM_DECODE_OK;
	}
	return decode_ethertype(c, pkt, type);
}

/* Linux cooked capture v1 (16 bytes) and v2 (20 bytes), used by "-i any". */
static enum ym_decode_result decode_sll(struct cursor *c, struct ym_packet *pkt,
					bool v2)
{
	const uint8_t *h = c->p;
	uint16_t hatype, type;
	uint8_t halen, pkttype;

	if (c->cap < (v2 ? 20u : 16u))
		return YM_DECODE_BAD_LINK;
	if (v2) {
		type = ym_be16(h, c->cap, 0);
		hatype = ym_be16(h, c->cap, 8);
		pkttype = h[10];
		halen = h[11];
		h += 12;
	} else {
		pkttype = (uint8_t)ym_be16(h, c->cap, 0);
		hatype = ym_be16(h, c->cap, 2);
		halen = (uint8_t)ym_be16(h, c->cap, 4);
		type = ym_be16(h, c->cap, 14);
		h += 6;
	}
	/* The address is the sender's, for Ethernet devices; packets this host
	 * sends (type 4) carry its own address. */
	if (hatype == 1 && halen == 6) {
		memcpy(pkt->src_mac, h, 6);
		pkt->has_src_mac = true;
	}
	(void)pkttype;
	skip(c, v2 ? 20 : 16);
	if (type < 0x0600)
		return YM_DECODE_OK;
	return decode_ethertype(c, pkt, type);
}

/* DHCPv4 is read here, once per packet, for the inventory, the sniffers
 * and detection. A message that does not parse is not a malformed frame:
 * the frame stays good and bad_dhcp says so. */
static void decode_dhcp(struct ym_packet *pkt)
{
	if ((pkt->l3 != YM_L3_IPV4 && pkt->l3 != YM_L3_IPV6) ||
	    pkt->proto != 17 || !pkt->payload ||
	    !((pkt->sport == 68 && pkt->dport == 67) ||
	      (pkt->sport == 67 && pkt->dport == 68)))
		return;
	if (ym_dhcp_parse(pkt->payload, pkt->payload_len, &pkt->dhcp) == 0)
		pkt->has_dhcp = true;
	else
		pkt->bad_dhcp = true;
}

enum ym_decode_result ym_decode(int linktype, const uint8_t *data,
				uint32_t caplen, uint32_t wirelen,
				struct ym_packet *pkt)
{
	struct cursor c = { data, caplen, wirelen < caplen ? caplen : wirelen };
	uint64_t ts = pkt->ts_us;

	enum ym_decode_result r;

	/* Not the DHCP message at the end: 400 bytes on every packet for the
	 * few that carry one (ym_dhcp_parse fills it whole). */
	memset(pkt, 0, offsetof(struct ym_packet, dhcp));
	pkt->ts_us = ts;
	pkt->caplen = caplen;
	pkt->wirelen = c.wire;
	switch (linktype) {
	case YM_LINK_ETHERNET:
		r = decode_ethernet(&c, pkt);
		break;
	case YM_LINK_LINUX_SLL:
		r = decode_sll(&c, pkt, false);
		break;
	case YM_LINK_LINUX_SLL2:
		r = decode_sll(&c, pkt, true);
		break;
	case YM_LINK_RAW:
	case YM_LINK_RAW_LT:
	case YM_LINK_IPV4:
	case YM_LINK_IPV6:
		r = decode_raw_ip(&c, pkt);
		break;
	case YM_LINK_NULL:
		/* BSD loopback: a 4-byte address family in host order. */
		if (!skip(&c, 4))
			return YM_DECODE_BAD_LINK;
		r = decode_raw_ip(&c, pkt);
		break;
	default:
		return YM_DECODE_UNSUPPORTED_LINK;
	}
	if (r == YM_DECODE_OK)
		decode_dhcp(pkt);
	return r;
}
