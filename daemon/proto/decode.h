/* Decoding of captured frames: link layer, IPv4/IPv6, ARP, TCP, UDP, ICMP,
 * ICMPv6 neighbour discovery and DHCPv4. Every header is length-checked before it is
 * read; the decoder never reads past caplen and never allocates. */
#ifndef YM_DECODE_H
#define YM_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "dhcp.h"
#include "util.h"

/* Link types, as libpcap's DLT values on Linux. */
#define YM_LINK_NULL 0
#define YM_LINK_ETHERNET 1
#define YM_LINK_RAW 12
#define YM_LINK_RAW_LT 101
#define YM_LINK_LINUX_SLL 113
#define YM_LINK_IPV4 228
#define YM_LINK_IPV6 229
#define YM_LINK_LINUX_SLL2 276

/* Why a frame was rejected; each has a counter in status. */
enum ym_decode_result {
	YM_DECODE_OK = 0,
	YM_DECODE_BAD_LINK,   /* link header cut short or inconsistent */
	YM_DECODE_BAD_VLAN,   /* VLAN tag cut short or too deeply stacked */
	YM_DECODE_BAD_ARP,
	YM_DECODE_BAD_IPV4,
	YM_DECODE_BAD_IPV6,
	YM_DECODE_BAD_IPV6_EXT,
	YM_DECODE_BAD_TCP,
	YM_DECODE_BAD_UDP,
	YM_DECODE_BAD_ICMP,
	YM_DECODE_BAD_ICMPV6,
	YM_DECODE_UNSUPPORTED_LINK, /* not malformed: a link type we skip */
	YM_DECODE_RESULT_MAX
};

/* Short machine name of a decode result, for status counters. */
const char *ym_decode_result_name(enum ym_decode_result r);

enum ym_l3 {
	YM_L3_NONE = 0, /* some other ethertype (LLDP, EAPOL, 802.3 ...) */
	YM_L3_ARP,
	YM_L3_IPV4,
	YM_L3_IPV6,
};

#define YM_ND_MAX_PREFIXES 4

struct ym_nd {
	uint8_t type;            /* 133..137 */
	bool has_target;
	uint8_t target[16];      /* NS/NA target */
	bool has_lladdr;
	uint8_t lladdr[6];       /* source or target link-layer option */
	uint8_t router_lifetime_nonzero; /* RA: advertises a default route */
	uint8_t n_prefixes;
	struct {
		uint8_t len;
		uint8_t prefix[16];
	} prefixes[YM_ND_MAX_PREFIXES];
};

struct ym_arp {
	uint16_t op;
	uint8_t sha[6], spa[4], tha[6], tpa[4];
};

/* One decoded frame. Pointers point into the caller's buffer. */
struct ym_packet {
	uint64_t ts_us;
	uint32_t caplen, wirelen;

	bool has_src_mac, has_dst_mac;
	uint8_t src_mac[6], dst_mac[6];
	uint16_t vlan;      /* outermost VLAN id, 0 if untagged */
	uint8_t n_vlans;
	uint16_t ethertype;

	enum ym_l3 l3;
	const uint8_t *l3_data; /* IP header, for nDPI */
	uint32_t l3_len;        /* IP packet length inside the capture */

	struct ym_addr src, dst;
	uint8_t proto;          /* IP protocol of the transport header */
	uint8_t ttl;
	bool fragment;          /* part of a fragmented datagram */
	bool later_fragment;    /* not the first fragment: no transport header */

	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t tcp_seq;
	uint8_t icmp_type, icmp_code;
	const uint8_t *payload; /* transport payload */
	uint32_t payload_len;

	struct ym_arp arp;      /* valid when l3 == YM_L3_ARP */
	bool has_nd;
	struct ym_nd nd;        /* valid when has_nd */

	/* DHCPv4 (UDP 67/68 over IP), parsed once for every reader. */
	bool has_dhcp;          /* dhcp holds a well-formed message */
	bool bad_dhcp;          /* UDP 67/68 that is no DHCP message */
	/* Last, and not cleared for every packet: the decoder zeroes what
	 * comes before it, the DHCP parser fills it whole when it runs. */
	struct ym_dhcp dhcp;    /* valid when has_dhcp */
};

#define YM_TCP_FIN 0x01
#define YM_TCP_SYN 0x02
#define YM_TCP_RST 0x04
#define YM_TCP_ACK 0x10

/* Decodes one frame of the given link type into pkt. Returns YM_DECODE_OK or
 * the reason the frame was rejected; pkt holds what was decoded so far. */
enum ym_decode_result ym_decode(int linktype, const uint8_t *data,
				uint32_t caplen, uint32_t wirelen,
				struct ym_packet *pkt);

/* True if the link type is one ym_decode understands. */
bool ym_decode_link_supported(int linktype);

#endif
