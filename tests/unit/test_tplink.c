/* TP-Link's Smart Home protocol: a Kasa device's get_sysinfo answer names
 * its model and kind; other messages are not read as one; truncated and
 * hostile messages are refused without reading outside the buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tplink.h"

static const char sysinfo[] =
	"{\"system\":{\"get_sysinfo\":{\"sw_ver\":\"1.0.8\",\"hw_ver\":\"1.0\","
	"\"type\":\"IOT.SMARTPLUGSWITCH\",\"model\":\"HS110(EU)\","
	"\"alias\":\"Kettle\",\"relay_state\":0}}}";

/* The autokey cipher, with the TCP length prefix when tcp. */
static size_t encrypt(uint8_t *out, const char *json, int tcp)
{
	size_t n = strlen(json), off = 0;
	uint8_t key = 171;

	if (tcp) {
		out[0] = (uint8_t)(n >> 24);
		out[1] = (uint8_t)(n >> 16);
		out[2] = (uint8_t)(n >> 8);
		out[3] = (uint8_t)n;
		off = 4;
	}
	for (size_t i = 0; i < n; i++) {
		key ^= (uint8_t)json[i];
		out[off + i] = key;
	}
	return off + n;
}

static void test_sysinfo_answer_names_model_and_kind(void **state)
{
	uint8_t buf[512];
	struct ym_tplink t;
	size_t n;

	(void)state;
	n = encrypt(buf, sysinfo, 0);
	assert_int_equal(ym_tplink_parse(buf, (uint32_t)n, false, &t), 0);
	assert_string_equal(t.model, "HS110(EU)");
	assert_string_equal(t.type, "IOT.SMARTPLUGSWITCH");
	n = encrypt(buf, sysinfo, 1);
	assert_int_equal(ym_tplink_parse(buf, (uint32_t)n, true, &t), 0);
	assert_string_equal(t.model, "HS110(EU)");
}

static void test_bulb_mic_type(void **state)
{
	uint8_t buf[512];
	struct ym_tplink t;
	size_t n = encrypt(buf,
			   "{\"system\":{\"get_sysinfo\":{\"mic_type\":"
			   "\"IOT.SMARTBULB\",\"model\":\"LB130(EU)\"}}}",
			   0);

	(void)state;
	assert_int_equal(ym_tplink_parse(buf, (uint32_t)n, false, &t), 0);
	assert_string_equal(t.type, "IOT.SMARTBULB");
	assert_string_equal(t.model, "LB130(EU)");
}

static void test_other_messages_are_not_sysinfo(void **state)
{
	uint8_t buf[512];
	struct ym_tplink t;
	size_t n;

	(void)state;
	/* The app's question names nothing. */
	n = encrypt(buf, "{\"system\":{\"get_sysinfo\":{}}}", 0);
	assert_int_equal(ym_tplink_parse(buf, (uint32_t)n, false, &t),
			 -ENOENT);
	n = encrypt(buf, "{\"system\":{\"set_relay_state\":{\"err_code\":0}}}",
		    0);
	assert_int_equal(ym_tplink_parse(buf, (uint32_t)n, false, &t),
			 -ENOENT);
	/* Plain text on the port is no Kasa message. */
	memcpy(buf, "{\"model\":\"HS110\"} get_sysinfo", 30);
	assert_int_equal(ym_tplink_parse(buf, 30, false, &t), -ENOENT);
}

static void test_truncated_and_hostile(void **state)
{
	uint8_t buf[512], *copy;
	struct ym_tplink t;
	size_t n = encrypt(buf, sysinfo, 1);

	(void)state;
	/* Every truncation: no read past the end (ASan builds check it). */
	for (size_t cut = 0; cut < n; cut++) {
		copy = malloc(cut ? cut : 1);
		assert_non_null(copy);
		memcpy(copy, buf, cut);
		int a = ym_tplink_parse(copy, (uint32_t)cut, true, &t);
		int b = ym_tplink_parse(copy, (uint32_t)cut, false, &t);

		assert_true(a == 0 || a == -ENOENT || a == -EINVAL);
		assert_true(b == 0 || b == -ENOENT || b == -EINVAL);
		free(copy);
	}
	assert_int_equal(ym_tplink_parse(buf, 3, true, &t), -EINVAL);
	/* A zero length prefix. */
	memset(buf, 0, 4);
	assert_int_equal(ym_tplink_parse(buf, 40, true, &t), -EINVAL);
	/* A huge length prefix and a long run of bytes: only the first part
	 * is read, the fields stay bounded. */
	{
		static uint8_t big[8192];
		char json[4000];

		memset(json, 'x', sizeof(json));
		memcpy(json, "{\"get_sysinfo\":1,\"model\":\"", 26);
		json[sizeof(json) - 1] = '\0';
		n = encrypt(big, json, 1);
		big[0] = 0xff;
		assert_int_equal(ym_tplink_parse(big, (uint32_t)n, true, &t),
				 -ENOENT);
		assert_int_equal(t.model[0], '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysinfo_answer_names_model_and_kind),
		cmocka_unit_test(test_bulb_mic_type),
		cmocka_unit_test(test_other_messages_are_not_sysinfo),
		cmocka_unit_test(test_truncated_and_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
