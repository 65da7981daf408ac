/* Decoder tests: every supported header decodes to the right fields, and
 * every sample frame cut at every byte offset is handled without reading
 * past the end (the buffers are exactly as long as the cut, so ASan sees
 * any overread). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode.h"

/* Ethernet + IPv4 + TCP SYN, 192.168.10.70:50000 -> 203.0.113.10:443. */
static const uint8_t eth_ipv4_tcp[] = {
	0x6c, 0xe4, 0xda, 0xa0, 0x10, 0x01, 0xac, 0xed, 0x5c, 0x70, 0x70, 0xab,
	0x08, 0x00,
	0x45, 0x00, 0x00, 0x2c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	192, 168, 10, 70, 203, 0, 113, 10,
	0xc3, 0x50, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff,
	0, 0, 0, 0, 0x02, 0x04, 0x05, 0xb4,
};

/* QinQ (0x88a8 then 0x8100) + IPv4 + UDP DNS query, with 2 payload bytes. */
static const uint8_t qinq_udp[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xac, 0xed, 0x5c, 0x70, 0x70, 0xab,
	0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x1e, 0, 0, 0, 0, 64, 17, 0, 0,
	192, 168, 10, 70, 192, 168, 10, 1,
	0xd4, 0x31, 0x00, 0x35, 0x00, 0x0a, 0x00, 0x00, 0xab, 0xcd,
};

/* Ethernet + ARP reply 192.168.10.1 is-at 6c:e4:da:a0:10:01. */
static const uint8_t eth_arp[] = {
	0xac, 0xed, 0x5c, 0x70, 0x70, 0xab, 0x6c, 0xe4, 0xda, 0xa0, 0x10, 0x01,
	0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x02,
	0x6c, 0xe4, 0xda, 0xa0, 0x10, 0x01, 192, 168, 10, 1,
	0xac, 0xed, 0x5c, 0x70, 0x70, 0xab, 192, 168, 10, 70,
};

/* Ethernet + IPv6 with hop-by-hop and destination options, then an ICMPv6
 * neighbour advertisement for 2001:db8:10:1::23 with a target link-layer
 * address option. */
static const uint8_t eth_ipv6_na[] = {
	0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x5a, 0x3c, 0x91, 0xd2, 0x7e, 0x04,
	0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0xff,
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x1c, 0x4b, 0x2a, 0x9e, 0xd0, 0x77, 0x31, 0xf5,
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	/* hop-by-hop, next = 60 (dstopts), len 0 (8 bytes), PadN */
	60, 0, 1, 4, 0, 0, 0, 0,
	/* destination options, next = 58 (ICMPv6), len 0 */
	58, 0, 1, 4, 0, 0, 0, 0,
	/* neighbour advertisement */
	136, 0, 0, 0, 0x20, 0, 0, 0,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x23,
	2, 1, 0x5a, 0x3c, 0x91, 0xd2, 0x7e, 0x04,
};

/* Linux cooked capture v1 + IPv4 + ICMP echo request. */
static const uint8_t sll_icmp[] = {
	0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0xac, 0xed, 0x5c, 0x70, 0x70, 0xab,
	0x00, 0x00, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x1c, 0, 0, 0, 0, 64, 1, 0, 0,
	192, 168, 10, 70, 192, 168, 10, 1,
	8, 0, 0, 0, 0, 1, 0, 1,
};

/* Linux cooked capture v2 + ARP request. */
static const uint8_t sll2_arp[] = {
	0x08, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x06,
	0x6c, 0xe4, 0xda, 0xa0, 0x10, 0x01, 0x00, 0x00,
	0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
	0x6c, 0xe4, 0xda, 0xa0, 0x10, 0x01, 192, 168, 10, 1,
	0, 0, 0, 0, 0, 0, 192, 168, 10, 70,
};

/* IPv4 first fragment (MF set) of a UDP datagram whose UDP length covers
 * more than this fragment. */
static const uint8_t eth_frag[] = {
	0x6c, 0xe4, 0xda, 0xa0, 0x10, 0x01, 0xac, 0xed, 0x5c, 0x70, 0x70, 0xab,
	0x08, 0x00,
	0x45, 0x00, 0x00, 0x24, 0x00, 0x07, 0x20, 0x00, 64, 17, 0, 0,
	192, 168, 10, 70, 203, 0, 113, 10,
	0x30, 0x39, 0x30, 0x39, 0x05, 0xdc, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
};

static enum ym_decode_result decode_copy(int link, const uint8_t *src,
					 uint32_t len, struct ym_packet *pkt)
{
	/* An exact-size heap copy lets AddressSanitizer catch overreads. */
	uint8_t *buf = malloc(len ? len : 1);
	enum ym_decode_result r;

	memcpy(buf, src, len);
	pkt->ts_us = 1;
	r = ym_decode(link, buf, len, len, pkt);
	free(buf);
	return r;
}

static void test_ipv4_tcp(void **state)
{
	struct ym_packet p;

	(void)state;
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, eth_ipv4_tcp,
				     sizeof(eth_ipv4_tcp), &p),
			 YM_DECODE_OK);
	assert_int_equal(p.l3, YM_L3_IPV4);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.sport, 50000);
	assert_int_equal(p.dport, 443);
	assert_int_equal(p.tcp_flags, YM_TCP_SYN);
	assert_int_equal(p.src.a[3], 70);
	assert_int_equal(p.dst.a[0], 203);
	assert_int_equal(p.src_mac[5], 0xab);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.l3_len, 44);
}

static void test_qinq(void **state)
{
	struct ym_packet p;

	(void)state;
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, qinq_udp,
				     sizeof(qinq_udp), &p),
			 YM_DECODE_OK);
	assert_int_equal(p.n_vlans, 2);
	assert_int_equal(p.vlan, 100);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.payload_len, 2);
}

static void test_arp(void **state)
{
	struct ym_packet p;

	(void)state;
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, eth_arp, sizeof(eth_arp),
				     &p),
			 YM_DECODE_OK);
	assert_int_equal(p.l3, YM_L3_ARP);
	assert_int_equal(p.arp.op, 2);
	assert_int_equal(p.arp.spa[3], 1);
	assert_int_equal(p.arp.sha[0], 0x6c);
}

static void test_ipv6_ext_nd(void **state)
{
	struct ym_packet p;

	(void)state;
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, eth_ipv6_na,
				     sizeof(eth_ipv6_na), &p),
			 YM_DECODE_OK);
	assert_int_equal(p.l3, YM_L3_IPV6);
	assert_int_equal(p.proto, 58);
	assert_true(p.has_nd);
	assert_int_equal(p.nd.type, 136);
	assert_true(p.nd.has_target);
	assert_int_equal(p.nd.target[15], 0x23);
	assert_true(p.nd.has_lladdr);
	assert_int_equal(p.nd.lladdr[5], 0x04);
	assert_int_equal(p.ttl, 255);
}

static void test_sll(void **state)
{
	struct ym_packet p;

	(void)state;
	assert_int_equal(decode_copy(YM_LINK_LINUX_SLL, sll_icmp,
				     sizeof(sll_icmp), &p),
			 YM_DECODE_OK);
	assert_true(p.has_src_mac);
	assert_false(p.has_dst_mac);
	assert_int_equal(p.src_mac[0], 0xac);
	assert_int_equal(p.proto, 1);
	assert_int_equal(p.icmp_type, 8);

	assert_int_equal(decode_copy(YM_LINK_LINUX_SLL2, sll2_arp,
				     sizeof(sll2_arp), &p),
			 YM_DECODE_OK);
	assert_int_equal(p.l3, YM_L3_ARP);
	assert_int_equal(p.src_mac[0], 0x6c);
	assert_int_equal(p.arp.tpa[3], 70);
}

static void test_fragment(void **state)
{
	struct ym_packet p;
	uint8_t later[sizeof(eth_frag)];

	(void)state;
	/* The UDP length of a first fragment covers the whole datagram. */
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, eth_frag,
				     sizeof(eth_frag), &p),
			 YM_DECODE_OK);
	assert_true(p.fragment);
	assert_false(p.later_fragment);
	assert_int_equal(p.dport, 12345);

	/* A later fragment has no transport header to read. */
	memcpy(later, eth_frag, sizeof(later));
	later[14 + 6] = 0x00;
	later[14 + 7] = 0xb9;
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, later, sizeof(later),
				     &p),
			 YM_DECODE_OK);
	assert_true(p.later_fragment);
	assert_int_equal(p.dport, 0);
}

static void test_malformed(void **state)
{
	struct ym_packet p;
	uint8_t f[sizeof(eth_ipv4_tcp)];

	(void)state;
	memcpy(f, eth_ipv4_tcp, sizeof(f));
	f[14] = 0x44; /* IHL 4 */
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, f, sizeof(f), &p),
			 YM_DECODE_BAD_IPV4);
	memcpy(f, eth_ipv4_tcp, sizeof(f));
	f[16] = 0x05; /* total length 1324 > frame */
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, f, sizeof(f), &p),
			 YM_DECODE_BAD_IPV4);
	memcpy(f, eth_ipv4_tcp, sizeof(f));
	f[14 + 20 + 12] = 0x30; /* TCP data offset 3 */
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, f, sizeof(f), &p),
			 YM_DECODE_BAD_TCP);
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, f, 10, &p),
			 YM_DECODE_BAD_LINK);
	assert_int_equal(decode_copy(999, f, sizeof(f), &p),
			 YM_DECODE_UNSUPPORTED_LINK);
}

static void test_truncated_ipv6_ext(void **state)
{
	struct ym_packet p;
	uint8_t f[sizeof(eth_ipv6_na)];

	(void)state;
	memcpy(f, eth_ipv6_na, sizeof(f));
	f[14 + 40 + 1] = 20; /* hop-by-hop claims 168 bytes */
	assert_int_equal(decode_copy(YM_LINK_ETHERNET, f, sizeof(f), &p),
			 YM_DECODE_BAD_IPV6_EXT);
}

/* A frame whose capture ends early (snap length) is not malformed; the
 * decoder uses what it has. */
static void test_snaplen(void **state)
{
	struct ym_packet p;
	uint8_t *buf = malloc(54);

	(void)state;
	memcpy(buf, eth_ipv4_tcp, 54);
	p.ts_us = 1;
	assert_int_equal(ym_decode(YM_LINK_ETHERNET, buf, 54,
				   sizeof(eth_ipv4_tcp), &p),
			 YM_DECODE_OK);
	assert_int_equal(p.dport, 443);
	free(buf);
}

static void test_every_cut(void **state)
{
	static const struct {
		int link;
		const uint8_t *data;
		uint32_t len;
	} samples[] = {
		{ YM_LINK_ETHERNET, eth_ipv4_tcp, sizeof(eth_ipv4_tcp) },
		{ YM_LINK_ETHERNET, qinq_udp, sizeof(qinq_udp) },
		{ YM_LINK_ETHERNET, eth_arp, sizeof(eth_arp) },
		{ YM_LINK_ETHERNET, eth_ipv6_na, sizeof(eth_ipv6_na) },
		{ YM_LINK_LINUX_SLL, sll_icmp, sizeof(sll_icmp) },
		{ YM_LINK_LINUX_SLL2, sll2_arp, sizeof(sll2_arp) },
		{ YM_LINK_ETHERNET, eth_frag, sizeof(eth_frag) },
		{ YM_LINK_RAW, eth_ipv4_tcp + 14, sizeof(eth_ipv4_tcp) - 14 },
		{ YM_LINK_RAW, eth_ipv6_na + 14, sizeof(eth_ipv6_na) - 14 },
	};
	struct ym_packet p;

	(void)state;
	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		int ok = 0;

		assert_int_equal(decode_copy(samples[s].link, samples[s].data,
					     samples[s].len, &p),
				 YM_DECODE_OK);
		for (uint32_t cut = 0; cut < samples[s].len; cut++) {
			enum ym_decode_result r = decode_copy(
				samples[s].link, samples[s].data, cut, &p);

			/* A cut frame claims more than it holds: it must be
			 * rejected, unless the cut only removed bytes past
			 * what the headers declare. */
			if (r == YM_DECODE_OK) {
				ok++;
				assert_true(p.payload_len <= cut);
				assert_true(p.l3_len <= cut);
			}
		}
		/* Cuts inside the headers are rejected. */
		assert_true(ok < (int)samples[s].len / 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_tcp),
		cmocka_unit_test(test_qinq),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_ipv6_ext_nd),
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated_ipv6_ext),
		cmocka_unit_test(test_snaplen),
		cmocka_unit_test(test_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
