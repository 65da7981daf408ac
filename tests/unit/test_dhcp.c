/* DHCPv4 and DHCPv6: a phone's DISCOVER and a laptop's Solicit give the
 * client's identifiers (parameter list, maximum size, vendor class, client
 * ID, FQDN in both encodings, DUID, option request list); relay messages
 * and malformed lengths are refused; every sample cut at every byte offset
 * is handled without reading past the end (exact-size heap copies for
 * ASan) and never yields a value the whole message does not hold. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dhcp.h"

static const uint8_t mac_phone[6] = { 0x5a, 0x3c, 0x91, 0xd2, 0x7e, 0x04 };

static const uint8_t params_phone[] = { 1, 3, 6, 15, 26, 28, 51, 58, 59,
					43, 114, 108 };

/* "pixel-7.home.arpa" in DNS wire format, with its root label. */
static const uint8_t wire_pixel[] = { 7, 'p', 'i', 'x', 'e', 'l', '-', '7',
				      4, 'h', 'o', 'm', 'e',
				      4, 'a', 'r', 'p', 'a', 0 };

/* A laptop's Solicit: client ID (DUID-LLT), elapsed time, IA_NA, client
 * FQDN, vendor class with two items, option request list. */
static const uint8_t solicit_laptop[] = {
	0x01, 0x5e, 0x2a, 0x07,
	0x00, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x01, 0x2c, 0x4f, 0x1a, 0x30,
	0xac, 0xed, 0x5c, 0x70, 0x70, 0xab,
	0x00, 0x08, 0x00, 0x02, 0x00, 0x00,
	0x00, 0x03, 0x00, 0x0c, 0x0e, 0xac, 0xed, 0x5c, 0, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x27, 0x00, 0x15, 0x00, 8, 'l', 'a', 'p', 't', 'o', 'p', '-',
	'1', 4, 'h', 'o', 'm', 'e', 4, 'a', 'r', 'p', 'a', 0,
	0x00, 0x10, 0x00, 0x16, 0x00, 0x00, 0x01, 0x37,
	0x00, 0x08, 'M', 'S', 'F', 'T', ' ', '5', '.', '0',
	0x00, 0x06, 's', 'e', 'c', 'o', 'n', 'd',
	0x00, 0x06, 0x00, 0x08, 0x00, 0x11, 0x00, 0x17, 0x00, 0x18, 0x00, 0x27,
};

static uint32_t put_opt(uint8_t *buf, uint32_t off, uint8_t code,
			const void *v, uint8_t len)
{
	buf[off] = code;
	buf[off + 1] = len;
	memcpy(buf + off + 2, v, len);
	return off + 2 + len;
}

/* Builds a phone's DHCPDISCOVER; option 81 carries the name in wire
 * format when wire is set, in ASCII otherwise. Returns its length. */
static uint32_t build_discover(uint8_t *buf, int wire)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	static const uint8_t discover = 1;
	static const uint8_t max_size[2] = { 0x05, 0xdc };
	uint8_t client_id[7], fqdn[3 + sizeof(wire_pixel)];
	uint32_t off = 240;
	uint8_t fqdn_len;

	memset(buf, 0, 240);
	buf[0] = 1;
	buf[1] = 1;
	buf[2] = 6;
	buf[4] = 0x3d;
	memcpy(buf + 28, mac_phone, 6);
	memcpy(buf + 236, cookie, 4);
	client_id[0] = 1;
	memcpy(client_id + 1, mac_phone, 6);
	/* S set (the server updates the A record), RCODEs 0. */
	fqdn[0] = wire ? 0x05 : 0x01;
	fqdn[1] = 0;
	fqdn[2] = 0;
	if (wire) {
		memcpy(fqdn + 3, wire_pixel, sizeof(wire_pixel));
		fqdn_len = (uint8_t)(3 + sizeof(wire_pixel));
	} else {
		memcpy(fqdn + 3, "pixel-7.home.arpa", 17);
		fqdn_len = 3 + 17;
	}
	off = put_opt(buf, off, 53, &discover, 1);
	off = put_opt(buf, off, 61, client_id, sizeof(client_id));
	off = put_opt(buf, off, 57, max_size, sizeof(max_size));
	off = put_opt(buf, off, 60, "android-dhcp-13", 15);
	off = put_opt(buf, off, 12, "Pixel-7", 7);
	off = put_opt(buf, off, 81, fqdn, fqdn_len);
	off = put_opt(buf, off, 55, params_phone, sizeof(params_phone));
	buf[off++] = 255;
	return off;
}

static int dhcp_copy(const uint8_t *src, uint32_t len, struct ym_dhcp *out)
{
	/* An exact-size heap copy lets AddressSanitizer catch overreads. */
	uint8_t *buf = malloc(len ? len : 1);
	int r;

	assert_non_null(buf);
	memcpy(buf, src, len);
	r = ym_dhcp_parse(buf, len, out);
	free(buf);
	return r;
}

static int dhcp6_copy(const uint8_t *src, uint32_t len, struct ym_dhcp6 *out)
{
	uint8_t *buf = malloc(len ? len : 1);
	int r;

	assert_non_null(buf);
	memcpy(buf, src, len);
	r = ym_dhcp6_parse(buf, len, out);
	free(buf);
	return r;
}

static void test_discover(void **state)
{
	uint8_t buf[400];
	struct ym_dhcp d;

	(void)state;
	for (int wire = 0; wire <= 1; wire++) {
		uint32_t len = build_discover(buf, wire);

		assert_int_equal(dhcp_copy(buf, len, &d), 0);
		assert_int_equal(d.op, 1);
		assert_int_equal(d.msg_type, YM_DHCP_DISCOVER);
		assert_memory_equal(d.chaddr, mac_phone, 6);
		assert_true(d.has_hostname);
		assert_string_equal(d.hostname, "Pixel-7");
		assert_string_equal(d.vendor_class, "android-dhcp-13");
		assert_int_equal(d.max_size, 1500);
		assert_int_equal(d.client_id_len, 7);
		assert_int_equal(d.client_id[0], 1);
		assert_memory_equal(d.client_id + 1, mac_phone, 6);
		assert_int_equal(d.n_params, sizeof(params_phone));
		assert_memory_equal(d.params, params_phone,
				    sizeof(params_phone));
		assert_string_equal(d.fqdn, "pixel-7.home.arpa");
	}
}

/* Replaces the option 81 payload of a DISCOVER by v and parses it. */
static int parse_fqdn(const uint8_t *v, uint8_t len, struct ym_dhcp *d)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	uint8_t buf[600];
	uint32_t off;

	memset(buf, 0, 240);
	buf[0] = 1;
	buf[1] = 1;
	buf[2] = 6;
	memcpy(buf + 236, cookie, 4);
	off = put_opt(buf, 240, 81, v, len);
	buf[off++] = 255;
	return dhcp_copy(buf, off, d);
}

static void test_dhcp_fqdn_and_ids(void **state)
{
	static const uint8_t partial[] = { 0x04, 0, 0, 7, 'p', 'i', 'x', 'e',
					   'l', '-', '7' };
	static const uint8_t pointer[] = { 0x04, 0, 0, 3, 'a', 'b', 'c', 0xc0,
					   0x0c };
	static const uint8_t overrun[] = { 0x04, 0, 0, 9, 'a', 'b', 'c' };
	static const uint8_t control[] = { 0x00, 0, 0, 'a', '\n', 'b' };
	uint8_t long_label[3 + 1 + 64 + 1] = { 0x04, 0, 0, 64 };
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	uint8_t buf[600], id[40];
	struct ym_dhcp d;
	uint32_t off;

	(void)state;
	/* A partial name (no root label) is allowed by RFC 4702. */
	assert_int_equal(parse_fqdn(partial, sizeof(partial), &d), 0);
	assert_string_equal(d.fqdn, "pixel-7");
	/* Compression, labels past the end and labels over 63 bytes leave
	 * the name empty, not the message refused. */
	assert_int_equal(parse_fqdn(pointer, sizeof(pointer), &d), 0);
	assert_string_equal(d.fqdn, "");
	assert_int_equal(parse_fqdn(overrun, sizeof(overrun), &d), 0);
	assert_string_equal(d.fqdn, "");
	memset(long_label + 4, 'a', 64);
	assert_int_equal(parse_fqdn(long_label, sizeof(long_label), &d), 0);
	assert_string_equal(d.fqdn, "");
	/* An ASCII name is cleaned like every other string. */
	assert_int_equal(parse_fqdn(control, sizeof(control), &d), 0);
	assert_string_equal(d.fqdn, "a?b");
	/* Too short to hold the flags and RCODEs. */
	assert_int_equal(parse_fqdn(control, 2, &d), 0);
	assert_string_equal(d.fqdn, "");

	/* A client ID longer than the buffer is truncated, not refused;
	 * a one-byte maximum size is ignored. */
	memset(buf, 0, 240);
	buf[0] = 1;
	buf[1] = 1;
	buf[2] = 6;
	memcpy(buf + 236, cookie, 4);
	for (size_t i = 0; i < sizeof(id); i++)
		id[i] = (uint8_t)i;
	off = put_opt(buf, 240, 61, id, sizeof(id));
	off = put_opt(buf, off, 57, id, 1);
	buf[off++] = 255;
	assert_int_equal(dhcp_copy(buf, off, &d), 0);
	assert_int_equal(d.client_id_len, sizeof(d.client_id));
	assert_memory_equal(d.client_id, id, sizeof(d.client_id));
	assert_int_equal(d.max_size, 0);
}

static void test_solicit(void **state)
{
	struct ym_dhcp6 d;

	(void)state;
	assert_int_equal(dhcp6_copy(solicit_laptop, sizeof(solicit_laptop),
				    &d),
			 0);
	assert_int_equal(d.msg_type, 1);
	assert_int_equal(d.duid_len, 14);
	assert_memory_equal(d.duid, solicit_laptop + 8, 14);
	assert_int_equal(d.n_oro, 4);
	assert_int_equal(d.oro[0], 17);
	assert_int_equal(d.oro[1], 23);
	assert_int_equal(d.oro[2], 24);
	assert_int_equal(d.oro[3], 39);
	assert_int_equal(d.enterprise, 311);
	assert_string_equal(d.vendor_class, "MSFT 5.0");
	assert_string_equal(d.fqdn, "laptop-1.home.arpa");
}

static void test_dhcp6_refused(void **state)
{
	uint8_t m[sizeof(solicit_laptop)];
	uint8_t big[4 + 4 + 100 + 4 + 80];
	uint8_t long_name[4 + 4 + 1 + 5 * 64 + 1];
	size_t oro_off = sizeof(solicit_laptop) - 12;
	size_t vc_off = 69;
	struct ym_dhcp6 d;

	(void)state;
	assert_int_equal(solicit_laptop[vc_off + 1], 0x10);
	memcpy(m, solicit_laptop, sizeof(m));
	m[0] = 12; /* relay-forward */
	assert_int_equal(dhcp6_copy(m, sizeof(m), &d), -EINVAL);
	m[0] = 13; /* relay-reply */
	assert_int_equal(dhcp6_copy(m, sizeof(m), &d), -EINVAL);
	m[0] = 0;
	assert_int_equal(dhcp6_copy(m, sizeof(m), &d), -EINVAL);

	/* The client ID claims more than the message holds. */
	memcpy(m, solicit_laptop, sizeof(m));
	m[7] = 0xff;
	assert_int_equal(dhcp6_copy(m, sizeof(m), &d), -EINVAL);
	/* An option request list of an odd length. */
	memcpy(m, solicit_laptop, sizeof(m));
	m[oro_off + 3] = 7;
	assert_int_equal(dhcp6_copy(m, sizeof(m) - 1, &d), -EINVAL);
	/* A vendor-class item running past its option. */
	memcpy(m, solicit_laptop, sizeof(m));
	m[vc_off + 9] = 0x09;
	assert_int_equal(dhcp6_copy(m, sizeof(m), &d), -EINVAL);
	/* A vendor class too short for its enterprise number. */
	memcpy(m, solicit_laptop, sizeof(m));
	m[vc_off + 3] = 3;
	assert_int_equal(dhcp6_copy(m, vc_off + 7, &d), -EINVAL);
	/* An option header cut short, and a message without a header. */
	assert_int_equal(dhcp6_copy(solicit_laptop, 6, &d), -EINVAL);
	assert_int_equal(dhcp6_copy(solicit_laptop, 3, &d), -EINVAL);
	/* A header alone is a message without options. */
	assert_int_equal(dhcp6_copy(solicit_laptop, 4, &d), 0);
	assert_int_equal(d.duid_len, 0);

	/* A long DUID and a long request list are truncated to fit. */
	memset(big, 0, sizeof(big));
	big[0] = 3;
	big[4 + 1] = 1;
	big[4 + 3] = 100;
	for (int i = 0; i < 100; i++)
		big[8 + i] = (uint8_t)i;
	big[108 + 1] = 6;
	big[108 + 3] = 80;
	for (int i = 0; i < 40; i++)
		big[112 + 2 * i + 1] = (uint8_t)(i + 1);
	assert_int_equal(dhcp6_copy(big, sizeof(big), &d), 0);
	assert_int_equal(d.msg_type, 3);
	assert_int_equal(d.duid_len, sizeof(d.duid));
	assert_memory_equal(d.duid, big + 8, sizeof(d.duid));
	assert_int_equal(d.n_oro, 32);
	assert_int_equal(d.oro[31], 32);

	/* A name over 255 bytes is dropped, the message kept. */
	memset(long_name, 0, sizeof(long_name));
	long_name[0] = 1;
	long_name[4 + 1] = 39;
	long_name[4 + 2] = (uint8_t)((1 + 5 * 64 + 1) >> 8);
	long_name[4 + 3] = (uint8_t)(1 + 5 * 64 + 1);
	for (int i = 0; i < 5; i++) {
		long_name[9 + i * 64] = 63;
		memset(long_name + 10 + i * 64, 'b', 63);
	}
	assert_int_equal(dhcp6_copy(long_name, sizeof(long_name), &d), 0);
	assert_string_equal(d.fqdn, "");
	/* Four labels of 63 bytes: 257 bytes with the root label. */
	long_name[9 + 4 * 64] = 0;
	assert_int_equal(dhcp6_copy(long_name, sizeof(long_name), &d), 0);
	assert_string_equal(d.fqdn, "");
	/* 256 bytes, then exactly 255. */
	long_name[9 + 3 * 64] = 62;
	long_name[9 + 3 * 64 + 63] = 0;
	assert_int_equal(dhcp6_copy(long_name, sizeof(long_name), &d), 0);
	assert_string_equal(d.fqdn, "");
	long_name[9 + 3 * 64] = 61;
	long_name[9 + 3 * 64 + 62] = 0;
	assert_int_equal(dhcp6_copy(long_name, sizeof(long_name), &d), 0);
	assert_int_equal(strlen(d.fqdn), sizeof(d.fqdn) - 1);
	assert_memory_equal(d.fqdn, "bbbb", 4);
}

static void assert_field_cut(const char *cut, const char *whole)
{
	/* A cut message gives a field whole or not at all. */
	if (cut[0] != '\0')
		assert_string_equal(cut, whole);
}

static void test_every_cut(void **state)
{
	uint8_t buf[400];
	struct ym_dhcp w4, c4;
	struct ym_dhcp6 w6, c6;

	(void)state;
	for (int wire = 0; wire <= 1; wire++) {
		uint32_t len = build_discover(buf, wire);

		assert_int_equal(dhcp_copy(buf, len, &w4), 0);
		for (uint32_t cut = 0; cut < len; cut++) {
			int r = dhcp_copy(buf, cut, &c4);

			assert_true(r == 0 || r == -EINVAL);
			if (cut < 240)
				assert_int_equal(r, -EINVAL);
			if (r < 0)
				continue;
			assert_field_cut(c4.hostname, w4.hostname);
			assert_field_cut(c4.vendor_class, w4.vendor_class);
			assert_field_cut(c4.fqdn, w4.fqdn);
			assert_true(c4.max_size == 0 ||
				    c4.max_size == w4.max_size);
			assert_true(c4.client_id_len == 0 ||
				    c4.client_id_len == w4.client_id_len);
			assert_true(c4.n_params == 0 ||
				    c4.n_params == w4.n_params);
		}
	}

	assert_int_equal(dhcp6_copy(solicit_laptop, sizeof(solicit_laptop),
				    &w6),
			 0);
	for (uint32_t cut = 0; cut < sizeof(solicit_laptop); cut++) {
		int r = dhcp6_copy(solicit_laptop, cut, &c6);

		assert_true(r == 0 || r == -EINVAL);
		if (cut < 4)
			assert_int_equal(r, -EINVAL);
		if (r < 0)
			continue;
		assert_true(c6.duid_len == 0 || c6.duid_len == w6.duid_len);
		assert_true(c6.n_oro == 0 || c6.n_oro == w6.n_oro);
		assert_true(c6.enterprise == 0 ||
			    c6.enterprise == w6.enterprise);
		assert_field_cut(c6.vendor_class, w6.vendor_class);
		assert_field_cut(c6.fqdn, w6.fqdn);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover),
		cmocka_unit_test(test_dhcp_fqdn_and_ids),
		cmocka_unit_test(test_solicit),
		cmocka_unit_test(test_dhcp6_refused),
		cmocka_unit_test(test_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
