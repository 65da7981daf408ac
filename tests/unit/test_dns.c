/* DNS, mDNS, LLMNR and NetBIOS parsing: records of every section with their
 * names decompressed and rdata decoded; pointer loops, overlong labels and
 * names, and lengths past the end are rejected; and every sample message
 * cut at every byte offset is handled without reading past the end (the
 * buffers are exactly as long as the cut, so ASan sees any overread). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"

/* An mDNS announcement as a Brother laser printer sends it: the IPP
 * service PTR, then SRV, TXT and A of the instance, with an AAAA in the
 * additional section; names are compressed against earlier ones. */
static const uint8_t mdns_brother[] = {
	/* 0: header: response, authoritative, 4 answers, 1 additional */
	0x00, 0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
	/* 12: _ipp._tcp.local */
	0x04, '_', 'i', 'p', 'p', 0x04, '_', 't', 'c', 'p', 0x05, 'l', 'o',
	'c', 'a', 'l', 0x00,
	/* 29: PTR IN ttl 4500, rdlength 28 */
	0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x11, 0x94, 0x00, 0x1c,
	/* 39: Brother HL-L2350DW series + pointer to _ipp._tcp.local */
	0x19, 'B', 'r', 'o', 't', 'h', 'e', 'r', ' ', 'H', 'L', '-', 'L', '2',
	'3', '5', '0', 'D', 'W', ' ', 's', 'e', 'r', 'i', 'e', 's', 0xc0, 0x0c,
	/* 67: name: pointer to the instance */
	0xc0, 0x27,
	/* 69: SRV, cache-flush IN, ttl 120 */
	0x00, 0x21, 0x80, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x18,
	/* 79: priority 0, weight 0, port 631 */
	0x00, 0x00, 0x00, 0x00, 0x02, 0x77,
	/* 85: target BRW1C1BB5A7C8D0 + pointer to local */
	0x0f, 'B', 'R', 'W', '1', 'C', '1', 'B', 'B', '5', 'A', '7', 'C', '8',
	'D', '0', 0xc0, 0x16,
	/* 103: name: pointer to the instance */
	0xc0, 0x27,
	/* 105: TXT, cache-flush IN, ttl 4500 */
	0x00, 0x10, 0x80, 0x01, 0x00, 0x00, 0x11, 0x94, 0x00, 0xf9,
	/* 115: txtvers=1 */
	0x09, 't', 'x', 't', 'v', 'e', 'r', 's', '=', '1',
	/* 125: qtotal=1 */
	0x08, 'q', 't', 'o', 't', 'a', 'l', '=', '1',
	/* 134: rp=ipp/print */
	0x0c, 'r', 'p', '=', 'i', 'p', 'p', '/', 'p', 'r', 'i', 'n', 't',
	/* 147: ty=Brother HL-L2350DW series */
	0x1c, 't', 'y', '=', 'B', 'r', 'o', 't', 'h', 'e', 'r', ' ', 'H', 'L',
	'-', 'L', '2', '3', '5', '0', 'D', 'W', ' ', 's', 'e', 'r', 'i', 'e',
	's',
	/* 176: product=(Brother HL-L2350DW series) */
	0x23, 'p', 'r', 'o', 'd', 'u', 'c', 't', '=', '(', 'B', 'r', 'o', 't',
	'h', 'e', 'r', ' ', 'H', 'L', '-', 'L', '2', '3', '5', '0', 'D', 'W',
	' ', 's', 'e', 'r', 'i', 'e', 's', ')',
	/* 212: pdl=application/octet-stream,image/urf,image/pwg-raster */
	0x37, 'p', 'd', 'l', '=', 'a', 'p', 'p', 'l', 'i', 'c', 'a', 't', 'i',
	'o', 'n', '/', 'o', 'c', 't', 'e', 't', '-', 's', 't', 'r', 'e', 'a',
	'm', ',', 'i', 'm', 'a', 'g', 'e', '/', 'u', 'r', 'f', ',', 'i', 'm',
	'a', 'g', 'e', '/', 'p', 'w', 'g', '-', 'r', 'a', 's', 't', 'e', 'r',
	/* 268: usb_MFG=Brother */
	0x0f, 'u', 's', 'b', '_', 'M', 'F', 'G', '=', 'B', 'r', 'o', 't', 'h',
	'e', 'r',
	/* 284: usb_MDL=HL-L2350DW series */
	0x19, 'u', 's', 'b', '_', 'M', 'D', 'L', '=', 'H', 'L', '-', 'L', '2',
	'3', '5', '0', 'D', 'W', ' ', 's', 'e', 'r', 'i', 'e', 's',
	/* 310: priority=25 */
	0x0b, 'p', 'r', 'i', 'o', 'r', 'i', 't', 'y', '=', '2', '5',
	/* 322: UUID=e3248000-80ce-11db-8000-1c1bb5a7c8d0 */
	0x29, 'U', 'U', 'I', 'D', '=', 'e', '3', '2', '4', '8', '0', '0', '0',
	'-', '8', '0', 'c', 'e', '-', '1', '1', 'd', 'b', '-', '8', '0', '0',
	'0', '-', '1', 'c', '1', 'b', 'b', '5', 'a', '7', 'c', '8', 'd', '0',
	/* 364: name: pointer to BRW1C1BB5A7C8D0.local */
	0xc0, 0x55,
	/* 366: A, cache-flush IN, ttl 120: 192.168.10.23 */
	0x00, 0x01, 0x80, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x04, 0xc0, 0xa8,
	0x0a, 0x17,
	/* 380: additional: pointer to BRW1C1BB5A7C8D0.local */
	0xc0, 0x55,
	/* 382: AAAA, cache-flush IN, ttl 120: fe80::1e1b:b5ff:fea7:c8d0 */
	0x00, 0x1c, 0x80, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x10, 0xfe, 0x80,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1e, 0x1b, 0xb5, 0xff, 0xfe, 0xa7,
	0xc8, 0xd0,
};

/* A DNS query for a1.tuyaus.com (a Tuya smart plug finding its cloud). */
static const uint8_t dns_query[] = {
	/* 0: header: query, recursion desired, 1 question */
	0x4c, 0x2a, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 12: a1.tuyaus.com */
	0x02, 'a', '1', 0x06, 't', 'u', 'y', 'a', 'u', 's', 0x03, 'c', 'o',
	'm', 0x00,
	/* 27: A IN */
	0x00, 0x01, 0x00, 0x01,
};

/* Its answer: a CNAME whose target is compressed into the middle of the
 * question name, then two A records named by a pointer to that target. */
static const uint8_t dns_response[] = {
	/* 0: header: response, RD RA, no error, 1 question, 3 answers */
	0x4c, 0x2a, 0x81, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
	/* 12: a1.tuyaus.com */
	0x02, 'a', '1', 0x06, 't', 'u', 'y', 'a', 'u', 's', 0x03, 'c', 'o',
	'm', 0x00,
	/* 27: A IN */
	0x00, 0x01, 0x00, 0x01,
	/* 31: pointer to a1.tuyaus.com, CNAME IN ttl 300 */
	0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x08,
	/* 43: a1-us + pointer to tuyaus.com */
	0x05, 'a', '1', '-', 'u', 's', 0xc0, 0x0f,
	/* 51: pointer to a1-us.tuyaus.com, A IN ttl 60: 203.0.113.10 */
	0xc0, 0x2b, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04,
	0xcb, 0x00, 0x71, 0x0a,
	/* 67: pointer to a1-us.tuyaus.com, A IN ttl 60: 203.0.113.11 */
	0xc0, 0x2b, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04,
	0xcb, 0x00, 0x71, 0x0b,
};

/* An LLMNR query (UDP 5355) from a Windows PC. */
static const uint8_t llmnr_query[] = {
	/* 0: header: LLMNR query, 1 question */
	0x8b, 0x1e, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 12: desktop-abc */
	0x0b, 'd', 'e', 's', 'k', 't', 'o', 'p', '-', 'a', 'b', 'c', 0x00,
	/* 25: AAAA IN */
	0x00, 0x1c, 0x00, 0x01,
};

/* A NetBIOS name registration broadcast by a Windows PC on boot. */
static const uint8_t nb_register[] = {
	/* 0: header: registration (opcode 5), RD, broadcast, 1 + 1 records */
	0x80, 0xa1, 0x29, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	/* 12: DESKTOP-ABC<00>, first-level encoded */
	0x20, 'E', 'E', 'E', 'F', 'F', 'D', 'E', 'L', 'F', 'E', 'E', 'P', 'F',
	'A', 'C', 'N', 'E', 'B', 'E', 'C', 'E', 'D', 'C', 'A', 'C', 'A', 'C',
	'A', 'C', 'A', 'A', 'A', 0x00,
	/* 46: NB IN */
	0x00, 0x20, 0x00, 0x01,
	/* 50: pointer to the name, NB IN ttl 300000: B-node, 192.168.10.70 */
	0xc0, 0x0c, 0x00, 0x20, 0x00, 0x01, 0x00, 0x04, 0x93, 0xe0, 0x00, 0x06,
	0x00, 0x00, 0xc0, 0xa8, 0x0a, 0x46,
};

/* A NetBIOS name query for the file server NAS<20>. */
static const uint8_t nb_query[] = {
	/* 0: header: query (opcode 0), RD, broadcast, 1 question */
	0x80, 0xa2, 0x01, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 12: NAS<20>, first-level encoded */
	0x20, 'E', 'O', 'E', 'B', 'F', 'D', 'C', 'A', 'C', 'A', 'C', 'A', 'C',
	'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C',
	'A', 'C', 'A', 'C', 'A', 0x00,
	/* 46: NB IN */
	0x00, 0x20, 0x00, 0x01,
};

#define MAX_SEEN 16
#define MAX_TXT 16

/* What a walk delivered, copied out because the message is freed after. */
struct seen {
	int n;
	int stop_at;   /* return 7 from the stop_at-th record; 0 for never */
	int txt_ret;   /* last ym_dns_txt_next result for a TXT record */
	int n_txt;
	struct ym_dns_rr rr[MAX_SEEN];
	char txt[MAX_TXT][256];
};

static int collect(const struct ym_dns_rr *rr, void *arg)
{
	struct seen *s = arg;

	if (s->n < MAX_SEEN) {
		s->rr[s->n] = *rr;
		/* rdata points into the message, which the caller frees. */
		s->rr[s->n].rdata = NULL;
	}
	s->n++;
	if (rr->type == YM_DNS_TXT) {
		const uint8_t *p = rr->rdata;
		uint16_t left = rr->rdlen;
		char tmp[256];

		while ((s->txt_ret = ym_dns_txt_next(&p, &left, tmp,
						     sizeof(tmp))) == 1) {
			if (s->n_txt < MAX_TXT)
				memcpy(s->txt[s->n_txt++], tmp, sizeof(tmp));
		}
	}
	if (s->stop_at && s->n == s->stop_at)
		return 7;
	return 0;
}

static int walk_copy(const uint8_t *src, uint32_t len, struct seen *s)
{
	/* An exact-size heap copy lets AddressSanitizer catch overreads. */
	uint8_t *buf = malloc(len ? len : 1);
	int stop_at = s->stop_at, r;

	assert_non_null(buf);
	memset(s, 0, sizeof(*s));
	s->stop_at = stop_at;
	memcpy(buf, src, len);
	r = ym_dns_walk(buf, len, collect, s);
	free(buf);
	return r;
}

static int netbios_copy(const uint8_t *src, uint32_t len, char out[16],
			uint8_t *suffix, bool *own)
{
	uint8_t *buf = malloc(len ? len : 1);
	int r;

	assert_non_null(buf);
	memcpy(buf, src, len);
	r = ym_netbios_name(buf, len, out, suffix, own);
	free(buf);
	return r;
}

static bool has_txt(const struct seen *s, const char *text)
{
	for (int i = 0; i < s->n_txt; i++)
		if (strcmp(s->txt[i], text) == 0)
			return true;
	return false;
}

static void assert_addr(const struct ym_addr *a, const char *text)
{
	char buf[YM_ADDR_STRLEN];

	ym_addr_format(a, buf, sizeof(buf));
	assert_string_equal(buf, text);
}

static void test_mdns_announcement(void **state)
{
	struct seen s = { 0 };
	const struct ym_dns_rr *rr = s.rr;

	(void)state;
	assert_true(ym_dns_is_response(mdns_brother, sizeof(mdns_brother)));
	assert_int_equal(walk_copy(mdns_brother, sizeof(mdns_brother), &s), 0);
	assert_int_equal(s.n, 5);

	assert_int_equal(rr[0].section, YM_DNS_ANSWER);
	assert_int_equal(rr[0].type, YM_DNS_PTR);
	assert_int_equal(rr[0].klass, 1);
	assert_string_equal(rr[0].name, "_ipp._tcp.local");
	assert_string_equal(rr[0].target,
			    "Brother HL-L2350DW series._ipp._tcp.local");
	assert_int_equal(rr[0].addr.family, 0);
	assert_int_equal(rr[0].rdlen, 28);

	/* The cache-flush bit is gone from the class. */
	assert_int_equal(rr[1].type, YM_DNS_SRV);
	assert_int_equal(rr[1].klass, 1);
	assert_string_equal(rr[1].name,
			    "Brother HL-L2350DW series._ipp._tcp.local");
	assert_int_equal(rr[1].port, 631);
	assert_string_equal(rr[1].target, "BRW1C1BB5A7C8D0.local");

	assert_int_equal(rr[2].type, YM_DNS_TXT);
	assert_string_equal(rr[2].name,
			    "Brother HL-L2350DW series._ipp._tcp.local");
	assert_string_equal(rr[2].target, "");
	assert_int_equal(rr[2].rdlen, 249);
	assert_int_equal(s.txt_ret, 0);
	assert_int_equal(s.n_txt, 10);
	assert_string_equal(s.txt[0], "txtvers=1");
	assert_true(has_txt(&s, "ty=Brother HL-L2350DW series"));
	assert_true(has_txt(&s, "usb_MDL=HL-L2350DW series"));
	assert_true(has_txt(&s, "usb_MFG=Brother"));

	assert_int_equal(rr[3].type, YM_DNS_A);
	assert_string_equal(rr[3].name, "BRW1C1BB5A7C8D0.local");
	assert_int_equal(rr[3].addr.family, 4);
	assert_addr(&rr[3].addr, "192.168.10.23");

	assert_int_equal(rr[4].section, YM_DNS_ADDITIONAL);
	assert_int_equal(rr[4].type, YM_DNS_AAAA);
	assert_string_equal(rr[4].name, "BRW1C1BB5A7C8D0.local");
	assert_int_equal(rr[4].addr.family, 6);
	assert_addr(&rr[4].addr, "fe80::1e1b:b5ff:fea7:c8d0");
}

static void test_dns_query(void **state)
{
	struct seen s = { 0 };

	(void)state;
	assert_false(ym_dns_is_response(dns_query, sizeof(dns_query)));
	assert_int_equal(walk_copy(dns_query, sizeof(dns_query), &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rr[0].section, YM_DNS_QUESTION);
	assert_int_equal(s.rr[0].type, YM_DNS_A);
	assert_int_equal(s.rr[0].klass, 1);
	assert_string_equal(s.rr[0].name, "a1.tuyaus.com");
	assert_string_equal(s.rr[0].target, "");
	assert_int_equal(s.rr[0].addr.family, 0);
	assert_int_equal(s.rr[0].rdlen, 0);
}

static void test_dns_response_compressed(void **state)
{
	struct seen s = { 0 };

	(void)state;
	assert_true(ym_dns_is_response(dns_response, sizeof(dns_response)));
	assert_int_equal(walk_copy(dns_response, sizeof(dns_response), &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.rr[0].name, "a1.tuyaus.com");
	assert_int_equal(s.rr[1].section, YM_DNS_ANSWER);
	assert_int_equal(s.rr[1].type, 5);
	assert_string_equal(s.rr[1].name, "a1.tuyaus.com");
	assert_string_equal(s.rr[1].target, "a1-us.tuyaus.com");
	/* A pointer to a name that itself ends in a pointer. */
	assert_string_equal(s.rr[2].name, "a1-us.tuyaus.com");
	assert_addr(&s.rr[2].addr, "203.0.113.10");
	assert_string_equal(s.rr[3].name, "a1-us.tuyaus.com");
	assert_addr(&s.rr[3].addr, "203.0.113.11");
}

static void test_llmnr_query(void **state)
{
	struct seen s = { 0 };

	(void)state;
	assert_false(ym_dns_is_response(llmnr_query, sizeof(llmnr_query)));
	assert_int_equal(walk_copy(llmnr_query, sizeof(llmnr_query), &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.rr[0].type, YM_DNS_AAAA);
	assert_string_equal(s.rr[0].name, "desktop-abc");
}

static void test_callback_stops(void **state)
{
	struct seen s = { .stop_at = 2 };

	(void)state;
	assert_int_equal(walk_copy(mdns_brother, sizeof(mdns_brother), &s), 7);
	assert_int_equal(s.n, 2);
}

/* Writes a header with one question and returns its length. */
static uint32_t one_question(uint8_t *m)
{
	memset(m, 0, 12);
	m[5] = 1;
	return 12;
}

static void test_pointer_loops(void **state)
{
	/* Each is a question name at offset 12 followed by type and class. */
	static const uint8_t self[] = { 0xc0, 12, 0, 1, 0, 1 };
	static const uint8_t label_back[] = { 1, 'a', 0xc0, 12, 0, 1, 0, 1 };
	static const uint8_t forward[] = { 0xc0, 14, 0xc0, 12, 0, 1, 0, 1 };
	static const uint8_t header[] = { 1, 'a', 0xc0, 2, 0, 1, 0, 1 };
	static const struct {
		const uint8_t *name;
		size_t len;
	} bad[] = {
		{ self, sizeof(self) },
		{ label_back, sizeof(label_back) },
		{ forward, sizeof(forward) },
		{ header, sizeof(header) },
	};
	uint8_t m[512];
	struct seen s = { 0 };
	uint32_t len, prev;

	(void)state;
	for (size_t i = 0; i < YM_ARRAY_SIZE(bad); i++) {
		len = one_question(m);
		memcpy(m + len, bad[i].name, bad[i].len);
		len += (uint32_t)bad[i].len;
		assert_int_equal(walk_copy(m, len, &s), -EINVAL);
		assert_int_equal(s.n, 0);
	}

	/* A chain of questions, each one label and a pointer to the one
	 * before: every pointer goes backwards, yet from the 34th on a name
	 * takes more jumps than any real name needs. */
	len = one_question(m);
	m[5] = 40;
	prev = len;
	m[len++] = 1;
	m[len++] = 'x';
	m[len++] = 0;
	m[len++] = 0;
	m[len++] = 1;
	m[len++] = 0;
	m[len++] = 1;
	for (int i = 1; i < 40; i++) {
		uint32_t here = len;

		m[len++] = 1;
		m[len++] = (uint8_t)('a' + i % 26);
		m[len++] = (uint8_t)(0xc0 | prev >> 8);
		m[len++] = (uint8_t)prev;
		m[len++] = 0;
		m[len++] = 1;
		m[len++] = 0;
		m[len++] = 1;
		prev = here;
	}
	assert_int_equal(walk_copy(m, len, &s), -EINVAL);
	assert_int_equal(s.n, 33);
	assert_int_equal(strlen(s.rr[15].name), 31);
}

/* Appends a question of labels of the given lengths, filled with 'a'. */
static uint32_t question_of(uint8_t *m, const uint8_t *lens, size_t n)
{
	uint32_t len = one_question(m);

	for (size_t i = 0; i < n; i++) {
		m[len++] = lens[i];
		memset(m + len, 'a', lens[i]);
		len += lens[i];
	}
	m[len++] = 0;
	m[len++] = 0;
	m[len++] = 1;
	m[len++] = 0;
	m[len++] = 1;
	return len;
}

static void test_name_limits(void **state)
{
	static const uint8_t label64[] = { 64 };
	static const uint8_t label63[] = { 63 };
	/* 3 * 64 + 62 + the root byte: 255 bytes, the longest name. */
	static const uint8_t longest[] = { 63, 63, 63, 61 };
	static const uint8_t too_long[] = { 63, 63, 63, 62 };
	uint8_t m[512];
	struct seen s = { 0 };
	uint32_t len;

	(void)state;
	len = question_of(m, label64, 1);
	assert_int_equal(walk_copy(m, len, &s), -EINVAL);
	/* 0x80 is an obsolete extended label type, not a length. */
	m[12] = 0x80;
	assert_int_equal(walk_copy(m, len, &s), -EINVAL);

	len = question_of(m, label63, 1);
	assert_int_equal(walk_copy(m, len, &s), 0);
	assert_int_equal(strlen(s.rr[0].name), 63);

	len = question_of(m, longest, YM_ARRAY_SIZE(longest));
	assert_int_equal(walk_copy(m, len, &s), 0);
	assert_int_equal(strlen(s.rr[0].name), 253);

	len = question_of(m, too_long, YM_ARRAY_SIZE(too_long));
	assert_int_equal(walk_copy(m, len, &s), -EINVAL);
	assert_int_equal(s.n, 0);
}

static void test_name_cleaned(void **state)
{
	/* A control character, a NUL and a dot inside labels, and UTF-8. */
	static const uint8_t name[] = {
		6, 'a', 0x01, 'b', 0x00, 'c', 0x7f, 5, 'x', '.', 'y', 0xc3,
		0xa9, 5, 'l', 'o', 'c', 'a', 'l', 0, 0, 12, 0x80, 1,
	};
	uint8_t m[64];
	struct seen s = { 0 };
	uint32_t len = one_question(m);

	(void)state;
	memcpy(m + len, name, sizeof(name));
	len += sizeof(name);
	assert_int_equal(walk_copy(m, len, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.rr[0].name,
			    "a?b?c?.x.y\xc3\xa9.local");
	/* The unicast-response bit of an mDNS question is not the class. */
	assert_int_equal(s.rr[0].klass, 1);
}

static void test_rdlength_past_end(void **state)
{
	uint8_t m[sizeof(dns_response)];
	struct seen s = { 0 };

	(void)state;
	memcpy(m, dns_response, sizeof(m));
	/* The last A record claims 5 bytes of rdata and has 4. */
	m[sizeof(m) - 5] = 5;
	assert_int_equal(walk_copy(m, sizeof(m), &s), -EINVAL);
	assert_int_equal(s.n, 3);

	/* An A record of 5 bytes in a message that holds them is malformed
	 * too, but an empty one (a DNS UPDATE deletion) is not. */
	memcpy(m, dns_response, sizeof(m));
	m[sizeof(m) - 5] = 0;
	assert_int_equal(walk_copy(m, sizeof(m) - 4, &s), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.rr[3].addr.family, 0);
	m[sizeof(m) - 5] = 3;
	assert_int_equal(walk_copy(m, sizeof(m) - 1, &s), -EINVAL);
	assert_int_equal(s.n, 3);

	/* A CNAME target that runs past its rdlength. */
	memcpy(m, dns_response, sizeof(m));
	m[42] = 7;
	assert_int_equal(walk_copy(m, sizeof(m), &s), -EINVAL);
	assert_int_equal(s.n, 1);
}

static void test_txt_next(void **state)
{
	static const uint8_t bad[] = { 3, 'a', '=', '1', 5, 'b', '=' };
	static const uint8_t ctl[] = { 4, 'k', '=', 0x1b, 'v' };
	const uint8_t *p = bad;
	uint16_t left = sizeof(bad);
	char out[8];

	(void)state;
	assert_int_equal(ym_dns_txt_next(&p, &left, out, sizeof(out)), 1);
	assert_string_equal(out, "a=1");
	assert_int_equal(left, 3);
	assert_int_equal(ym_dns_txt_next(&p, &left, out, sizeof(out)), -EINVAL);
	assert_string_equal(out, "");

	p = ctl;
	left = sizeof(ctl);
	assert_int_equal(ym_dns_txt_next(&p, &left, out, 4), 1);
	assert_string_equal(out, "k=?");
	assert_int_equal(ym_dns_txt_next(&p, &left, out, sizeof(out)), 0);

	/* An empty TXT rdata has no strings. */
	left = 0;
	assert_int_equal(ym_dns_txt_next(&p, &left, out, sizeof(out)), 0);
}

static void test_netbios_register(void **state)
{
	char name[16];
	uint8_t suffix = 0xff;
	bool own = false;

	(void)state;
	assert_int_equal(netbios_copy(nb_register, sizeof(nb_register), name,
				      &suffix, &own), 0);
	assert_string_equal(name, "DESKTOP-ABC");
	assert_int_equal(suffix, 0x00);
	assert_true(own);
}

static void test_netbios_query(void **state)
{
	uint8_t m[sizeof(nb_query)];
	char name[16];
	uint8_t suffix = 0;
	bool own = true;

	(void)state;
	assert_int_equal(netbios_copy(nb_query, sizeof(nb_query), name,
				      &suffix, &own), 0);
	assert_string_equal(name, "NAS");
	assert_int_equal(suffix, 0x20);
	assert_false(own);

	/* The positive answer from the NAS names its sender. */
	memcpy(m, nb_query, sizeof(m));
	m[2] = 0x85;
	m[3] = 0x00;
	m[5] = 0;
	m[7] = 1;
	assert_int_equal(netbios_copy(m, sizeof(m), name, &suffix, &own), 0);
	assert_true(own);
	/* A negative one does not. */
	m[3] = 0x03;
	assert_int_equal(netbios_copy(m, sizeof(m), name, &suffix, &own), 0);
	assert_false(own);
}

static void test_netbios_malformed(void **state)
{
	uint8_t m[sizeof(nb_register)];
	char name[16];
	uint8_t suffix;
	bool own;

	(void)state;
	/* Not first-level encoding: a letter past 'P'. */
	memcpy(m, nb_register, sizeof(m));
	m[13] = 'Q';
	assert_int_equal(netbios_copy(m, sizeof(m), name, &suffix, &own),
			 -EINVAL);
	assert_string_equal(name, "");
	assert_false(own);
	/* A name of the wrong length. */
	memcpy(m, nb_register, sizeof(m));
	m[12] = 31;
	assert_int_equal(netbios_copy(m, sizeof(m), name, &suffix, &own),
			 -EINVAL);
	/* A scope label that runs past the end. */
	memcpy(m, nb_register, sizeof(m));
	m[45] = 60;
	assert_int_equal(netbios_copy(m, sizeof(m), name, &suffix, &own),
			 -EINVAL);
	/* No record at all. */
	memcpy(m, nb_register, sizeof(m));
	m[5] = 0;
	m[11] = 0;
	assert_int_equal(netbios_copy(m, sizeof(m), name, &suffix, &own),
			 -EINVAL);
}

static void test_record_limit(void **state)
{
	/* 300 questions for the root name, 5 bytes each: well formed, but
	 * more than the walk reads. */
	uint32_t len = 12 + 300 * 5;
	uint8_t *m = calloc(1, len);
	struct seen s = { 0 };

	(void)state;
	assert_non_null(m);
	m[4] = 300 >> 8;
	m[5] = 300 & 0xff;
	for (uint32_t off = 12; off < len; off += 5) {
		m[off + 2] = YM_DNS_A;
		m[off + 4] = 1;
	}
	assert_int_equal(walk_copy(m, len, &s), 0);
	assert_int_equal(s.n, 256);
	free(m);
}

static void test_every_cut(void **state)
{
	static const struct {
		const uint8_t *data;
		uint32_t len;
		int records;
	} samples[] = {
		{ mdns_brother, sizeof(mdns_brother), 5 },
		{ dns_query, sizeof(dns_query), 1 },
		{ dns_response, sizeof(dns_response), 4 },
		{ llmnr_query, sizeof(llmnr_query), 1 },
		{ nb_register, sizeof(nb_register), 2 },
		{ nb_query, sizeof(nb_query), 1 },
	};
	struct seen s = { 0 };

	(void)state;
	for (size_t i = 0; i < YM_ARRAY_SIZE(samples); i++) {
		char full[16], name[16];
		uint8_t full_suffix, suffix;
		bool full_own, own;
		int full_nb;

		assert_int_equal(walk_copy(samples[i].data, samples[i].len, &s),
				 0);
		assert_int_equal(s.n, samples[i].records);
		full_nb = netbios_copy(samples[i].data, samples[i].len, full,
				       &full_suffix, &full_own);
		for (uint32_t cut = 0; cut < samples[i].len; cut++) {
			int r = walk_copy(samples[i].data, cut, &s);

			/* No sample has bytes past its last record, so any
			 * cut leaves a record short. */
			assert_int_equal(r, -EINVAL);
			assert_true(s.n < samples[i].records);
			r = netbios_copy(samples[i].data, cut, name, &suffix,
					 &own);
			if (r == 0) {
				assert_int_equal(full_nb, 0);
				assert_string_equal(name, full);
				assert_int_equal(suffix, full_suffix);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mdns_announcement),
		cmocka_unit_test(test_dns_query),
		cmocka_unit_test(test_dns_response_compressed),
		cmocka_unit_test(test_llmnr_query),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_pointer_loops),
		cmocka_unit_test(test_name_limits),
		cmocka_unit_test(test_name_cleaned),
		cmocka_unit_test(test_rdlength_past_end),
		cmocka_unit_test(test_txt_next),
		cmocka_unit_test(test_netbios_register),
		cmocka_unit_test(test_netbios_query),
		cmocka_unit_test(test_netbios_malformed),
		cmocka_unit_test(test_record_limit),
		cmocka_unit_test(test_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
