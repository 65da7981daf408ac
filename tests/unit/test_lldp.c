/* LLDP and CDP: a switch's LLDPDU and a phone's CDP packet give their
 * names, descriptions, platform and capabilities; TLVs that run past the
 * end are refused; every sample cut at every byte offset is handled without
 * reading past the end (exact-size heap copies for ASan) and never yields a
 * value the whole packet does not hold. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lldp.h"

/* A phone's CDP v2 packet, from the version byte: device ID, addresses,
 * port ID, capabilities, software version, platform. */
static const uint8_t cdp_phone[] = {
	0x02, 0xb4, 0x8c, 0x3e,
	0x00, 0x01, 0x00, 0x13, 'S', 'E', 'P', '0', '0', '1', '1', '2', '2',
	'3', '3', '4', '4', '5', '5',
	0x00, 0x02, 0x00, 0x11, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0xcc,
	0x00, 0x04, 192, 168, 10, 80,
	0x00, 0x03, 0x00, 0x0a, 'P', 'o', 'r', 't', ' ', '1',
	0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x04, 0x90,
	0x00, 0x05, 0x00, 0x14, 'S', 'C', 'C', 'P', '7', '5', '.', '9', '-',
	'4', '-', '2', 'S', 'R', '3', 'S',
	0x00, 0x06, 0x00, 0x17, 'C', 'i', 's', 'c', 'o', ' ', 'I', 'P', ' ',
	'P', 'h', 'o', 'n', 'e', ' ', '7', '9', '7', '5',
};

static const char sw_desc[] =
	"Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version "
	"15.0(2)SE11, RELEASE SOFTWARE (fc3) Technical Support: "
	"http://www.cisco.com/techsupport Copyright (c) 1986-2017 by Cisco "
	"Systems, Inc. Compiled Sat 19-Aug-17 09:34 by prod_rel_team and a "
	"long tail so the TLV needs the ninth length bit: 0123456789";

static uint32_t put_tlv(uint8_t *buf, uint32_t off, unsigned type,
			const void *v, uint32_t len)
{
	buf[off] = (uint8_t)(type << 1 | len >> 8);
	buf[off + 1] = (uint8_t)len;
	memcpy(buf + off + 2, v, len);
	return off + 2 + len;
}

/* Builds a switch's LLDPDU (after the ethertype) with padding after the
 * End TLV, as it arrives in a minimum-size frame; returns its length and
 * the length up to the End TLV. */
static uint32_t build_lldp(uint8_t *buf, uint32_t *end)
{
	static const uint8_t chassis[] = { 4, 0x00, 0x1b, 0x54, 0x6a, 0x3c,
					   0x80 };
	static const uint8_t ttl[] = { 0x00, 0x78 };
	static const uint8_t caps[] = { 0x00, 0x14, 0x00, 0x04 };
	uint32_t off = 0;

	off = put_tlv(buf, off, 1, chassis, sizeof(chassis));
	off = put_tlv(buf, off, 2, "\x05Gi1/0/7", 8);
	off = put_tlv(buf, off, 3, ttl, sizeof(ttl));
	off = put_tlv(buf, off, 4, "GigabitEthernet1/0/7", 20);
	off = put_tlv(buf, off, 5, "core-sw1.home", 13);
	off = put_tlv(buf, off, 6, sw_desc, sizeof(sw_desc) - 1);
	off = put_tlv(buf, off, 7, caps, sizeof(caps));
	off = put_tlv(buf, off, 0, "", 0);
	*end = off;
	memset(buf + off, 0, 8);
	return off + 8;
}

static int lldp_copy(const uint8_t *src, uint32_t len, struct ym_lldp *out,
		     int cdp)
{
	/* An exact-size heap copy lets AddressSanitizer catch overreads. */
	uint8_t *buf = malloc(len ? len : 1);
	int r;

	assert_non_null(buf);
	memcpy(buf, src, len);
	r = cdp ? ym_cdp_parse(buf, len, out) : ym_lldp_parse(buf, len, out);
	free(buf);
	return r;
}

static void test_lldp(void **state)
{
	uint8_t f[512];
	uint32_t end, len = build_lldp(f, &end);
	struct ym_lldp l;

	(void)state;
	assert_true(sizeof(sw_desc) - 1 > 255);
	assert_int_equal(lldp_copy(f, len, &l, 0), 0);
	assert_string_equal(l.system_name, "core-sw1.home");
	/* The description is cut to the field, and the capabilities after
	 * the long TLV are still found. */
	assert_int_equal(strlen(l.system_description),
			 sizeof(l.system_description) - 1);
	assert_memory_equal(l.system_description, sw_desc,
			    sizeof(l.system_description) - 1);
	assert_int_equal(l.capabilities, YM_LLDP_CAP_BRIDGE);
	assert_string_equal(l.platform, "");
	/* Without the End TLV, the LLDPDU ends with the frame. */
	assert_int_equal(lldp_copy(f, end - 2, &l, 0), 0);
	assert_int_equal(l.capabilities, YM_LLDP_CAP_BRIDGE);
}

static void test_cdp(void **state)
{
	struct ym_lldp l;

	(void)state;
	assert_int_equal(lldp_copy(cdp_phone, sizeof(cdp_phone), &l, 1), 0);
	assert_string_equal(l.system_name, "SEP001122334455");
	assert_string_equal(l.system_description, "SCCP75.9-4-2SR3S");
	assert_string_equal(l.platform, "Cisco IP Phone 7975");
	assert_int_equal(l.capabilities, 0);
}

static void test_malformed(void **state)
{
	uint8_t f[512], c[sizeof(cdp_phone)];
	uint32_t end, len = build_lldp(f, &end);
	uint32_t name = 9 + 10 + 4 + 22; /* offset of the system name TLV */
	struct ym_lldp l;

	(void)state;
	assert_int_equal(f[name] >> 1, 5);
	/* System name claims 0x1ff bytes. */
	f[name] |= 1;
	f[name + 1] = 0xff;
	assert_int_equal(lldp_copy(f, len, &l, 0), -EINVAL);
	len = build_lldp(f, &end);
	/* Capabilities too short to hold the enabled ones. */
	f[end - 2 - 6 + 1] = 2;
	assert_int_equal(lldp_copy(f, end - 2, &l, 0), -EINVAL);
	len = build_lldp(f, &end);
	/* Not opened by a Chassis ID TLV. */
	assert_int_equal(lldp_copy(f + 9, len - 9, &l, 0), -EINVAL);
	/* One stray byte after the last TLV. */
	assert_int_equal(lldp_copy(f, end - 1, &l, 0), -EINVAL);
	assert_int_equal(lldp_copy(f, 0, &l, 0), -EINVAL);

	memcpy(c, cdp_phone, sizeof(c));
	c[0] = 3; /* unknown version */
	assert_int_equal(lldp_copy(c, sizeof(c), &l, 1), -EINVAL);
	memcpy(c, cdp_phone, sizeof(c));
	c[7] = 0x40; /* device ID runs past the end */
	assert_int_equal(lldp_copy(c, sizeof(c), &l, 1), -EINVAL);
	memcpy(c, cdp_phone, sizeof(c));
	c[7] = 0x00; /* a length of 0 would never move on */
	assert_int_equal(lldp_copy(c, sizeof(c), &l, 1), -EINVAL);
	c[7] = 0x03; /* shorter than its own header */
	assert_int_equal(lldp_copy(c, sizeof(c), &l, 1), -EINVAL);
	assert_int_equal(lldp_copy(cdp_phone, 3, &l, 1), -EINVAL);
	/* A header alone is a packet with no TLVs. */
	assert_int_equal(lldp_copy(cdp_phone, 4, &l, 1), 0);
	assert_string_equal(l.system_name, "");
}

static void assert_field_cut(const char *cut, const char *whole)
{
	/* A cut packet gives a field whole or not at all. */
	if (cut[0] != '\0')
		assert_string_equal(cut, whole);
}

static void test_every_cut(void **state)
{
	uint8_t f[512];
	uint32_t end, len = build_lldp(f, &end);
	struct {
		const uint8_t *data;
		uint32_t len;
		int cdp;
	} samples[] = {
		{ f, len, 0 },
		{ cdp_phone, sizeof(cdp_phone), 1 },
	};
	struct ym_lldp whole, cut;

	(void)state;
	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		int ok = 0;

		assert_int_equal(lldp_copy(samples[s].data, samples[s].len,
					   &whole, samples[s].cdp),
				 0);
		for (uint32_t n = 0; n < samples[s].len; n++) {
			int r = lldp_copy(samples[s].data, n, &cut,
					  samples[s].cdp);

			assert_true(r == 0 || r == -EINVAL);
			if (r < 0)
				continue;
			ok++;
			assert_field_cut(cut.system_name, whole.system_name);
			assert_field_cut(cut.system_description,
					 whole.system_description);
			assert_field_cut(cut.platform, whole.platform);
			assert_true(cut.capabilities == 0 ||
				    cut.capabilities == whole.capabilities);
		}
		/* Only cuts on TLV boundaries and in the padding pass. */
		assert_true(ok <= 16);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lldp),
		cmocka_unit_test(test_cdp),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
