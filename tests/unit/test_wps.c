/* WPS inside EAPoL: an M1 names the joining device's maker, model, name
 * and primary device type; other EAPoL frames are not WSC; malformed and
 * truncated frames are refused without reading outside the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wps.h"

static size_t attr(uint8_t *p, uint16_t type, const void *v, uint16_t len)
{
	p[0] = (uint8_t)(type >> 8);
	p[1] = (uint8_t)type;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	memcpy(p + 4, v, len);
	return 4u + len;
}

/* EAPoL + EAP Response, expanded type WFA SimpleConfig, WSC_MSG. */
static size_t m1(uint8_t *buf, uint8_t msg_type)
{
	static const uint8_t pdt[8] = { 0, 4, 0, 0x50, 0xf2, 0x04, 0, 4 };
	uint8_t *a = buf + 4 + 14;
	size_t n = 0, eap;

	n += attr(a + n, 0x104a, "\x10", 1); /* version */
	n += attr(a + n, 0x1022, &msg_type, 1);
	n += attr(a + n, 0x1021, "D-Link Corporation", 18);
	n += attr(a + n, 0x1023, "DCS-930L", 8);
	n += attr(a + n, 0x1024, "B1", 2);
	n += attr(a + n, 0x1054, pdt, 8);
	n += attr(a + n, 0x1011, "DCS-930L-4F2A", 13);
	eap = 14 + n;
	buf[0] = 1;  /* version */
	buf[1] = 0;  /* EAP packet */
	buf[2] = (uint8_t)(eap >> 8);
	buf[3] = (uint8_t)eap;
	buf[4] = 2;  /* Response */
	buf[5] = 7;  /* id */
	buf[6] = (uint8_t)(eap >> 8);
	buf[7] = (uint8_t)eap;
	buf[8] = 254;
	memcpy(buf + 9, "\x00\x37\x2a\x00\x00\x00\x01", 7);
	buf[16] = 0x04; /* WSC_MSG */
	buf[17] = 0;    /* flags */
	return 4 + eap;
}

static void test_m1(void **state)
{
	uint8_t buf[256];
	size_t n = m1(buf, 0x04);
	struct ym_wps w;

	(void)state;
	assert_int_equal(ym_wps_parse(buf, (uint32_t)n, &w), 0);
	assert_int_equal(w.msg_type, YM_WPS_M1);
	assert_string_equal(w.manufacturer, "D-Link Corporation");
	assert_string_equal(w.model_name, "DCS-930L");
	assert_string_equal(w.model_number, "B1");
	assert_string_equal(w.device_name, "DCS-930L-4F2A");
	assert_int_equal(w.category, 4);
	assert_int_equal(w.subcategory, 4);
}

static void test_not_wsc(void **state)
{
	/* EAPoL-Key (type 3) and an EAP identity response. */
	static const uint8_t key[] = { 2, 3, 0, 4, 1, 2, 3, 4 };
	static const uint8_t ident[] = { 1, 0, 0, 9, 2, 1, 0, 9, 1,
					 'a', 'n', 'n', 'a' };
	struct ym_wps w;

	(void)state;
	assert_int_equal(ym_wps_parse(key, sizeof(key), &w), -ENOENT);
	assert_int_equal(ym_wps_parse(ident, sizeof(ident), &w), -ENOENT);
}

static void test_truncated_and_hostile(void **state)
{
	uint8_t buf[256], bad[256];
	size_t n = m1(buf, 0x04);
	struct ym_wps w;

	(void)state;
	/* Every cut of a good message is refused or parsed, never read past
	 * its end (the sanitizer build checks the reads). */
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		int rc;

		memcpy(copy, buf, cut);
		rc = ym_wps_parse(copy, (uint32_t)cut, &w);
		assert_true(rc == -EINVAL || rc == -ENOENT || rc == 0);
		free(copy);
	}
	/* An attribute longer than the message. */
	memcpy(bad, buf, n);
	bad[4 + 14 + 2] = 0xff;
	assert_int_equal(ym_wps_parse(bad, (uint32_t)n, &w), -EINVAL);
	/* An EAP length beyond the EAPoL body. */
	memcpy(bad, buf, n);
	bad[6] = 0xff;
	assert_int_equal(ym_wps_parse(bad, (uint32_t)n, &w), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_m1),
		cmocka_unit_test(test_not_wsc),
		cmocka_unit_test(test_truncated_and_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
