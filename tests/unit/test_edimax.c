/* Edimax's discovery answer (UDP 20560): a plug's answer names its maker,
 * model, version and name; the app's question, a short datagram and a
 * maker field that is no text name nothing; fields run to their own end
 * and no further. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "edimax.h"

/* An answer as github.com/mwittig/edimax-smartplug reads it. */
static uint32_t answer(uint8_t *p, const char *maker, const char *model,
		       const char *version, const char *name)
{
	static const uint8_t mac[6] = { 0x74, 0xda, 0x38, 0x5a, 0x63, 0x04 };

	memset(p, 0, 190);
	memcpy(p, mac, sizeof(mac));
	memcpy(p + 6, maker, strlen(maker));
	memcpy(p + 22, model, strlen(model));
	memcpy(p + 36, version, strlen(version));
	memcpy(p + 44, name, strlen(name));
	p[172] = 0x10; /* port 10000, little-endian */
	p[173] = 0x27;
	return 190;
}

static void test_answer_names_the_plug(void **state)
{
	uint8_t p[190];
	struct ym_edimax x;
	uint32_t n = answer(p, "EDIMAX", "SP2101W", "2.03", "EdiPlug.Kitchen");

	(void)state;
	assert_int_equal(ym_edimax_parse(p, n, &x), 0);
	assert_string_equal(x.manufacturer, "EDIMAX");
	assert_string_equal(x.model, "SP2101W");
	assert_string_equal(x.version, "2.03");
	assert_string_equal(x.name, "EdiPlug.Kitchen");
	/* Cut after the model: the model still counts, the rest is empty. */
	assert_int_equal(ym_edimax_parse(p, 36, &x), 0);
	assert_string_equal(x.model, "SP2101W");
	assert_string_equal(x.name, "");
}

static void test_fields_end_at_their_own_end(void **state)
{
	uint8_t p[190];
	struct ym_edimax x;
	/* A maker of 12 characters fills its field: the bytes after it (the
	 * gap before the model) are not part of it. */
	uint32_t n = answer(p, "EDIMAXEDIMAX", "IC3115W", "1", "cam");

	(void)state;
	memset(p + 18, 'Z', 4);
	assert_int_equal(ym_edimax_parse(p, n, &x), 0);
	assert_string_equal(x.manufacturer, "EDIMAXEDIMAX");
	assert_string_equal(x.model, "IC3115W");
}

static void test_others_name_nothing(void **state)
{
	static const uint8_t question[22] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'E',  'D',
		'I',  'M',  'A',  'X',  0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0xa1, 0xff, 0x5e
	};
	uint8_t p[190];
	struct ym_edimax x;
	uint32_t n = answer(p, "EDIMAX", "SP1101W", "1", "plug");

	(void)state;
	assert_int_equal(ym_edimax_parse(question, sizeof(question), &x),
			 -EINVAL);
	assert_int_equal(ym_edimax_parse(p, 35, &x), -EINVAL);
	assert_int_equal(ym_edimax_parse(p, 0, &x), -EINVAL);
	/* A question padded to an answer's length is still a question. */
	memset(p, 0xff, 6);
	assert_int_equal(ym_edimax_parse(p, n, &x), -EINVAL);
	/* No maker, or a maker that is no text. */
	n = answer(p, "", "SP1101W", "1", "plug");
	assert_int_equal(ym_edimax_parse(p, n, &x), -EINVAL);
	n = answer(p, "ED\x01MAX", "SP1101W", "1", "plug");
	assert_int_equal(ym_edimax_parse(p, n, &x), -EINVAL);
	assert_string_equal(x.model, "");
	/* A household's name in UTF-8 is kept; a garbled one is left out,
	 * the rest kept. */
	n = answer(p, "EDIMAX", "SP1101W", "1", "K\xc3\xbc" "che");
	assert_int_equal(ym_edimax_parse(p, n, &x), 0);
	assert_string_equal(x.name, "K\xc3\xbc" "che");
	n = answer(p, "EDIMAX", "SP1101W", "1", "pl\x02ug");
	assert_int_equal(ym_edimax_parse(p, n, &x), 0);
	assert_string_equal(x.name, "");
	assert_string_equal(x.model, "SP1101W");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_names_the_plug),
		cmocka_unit_test(test_fields_end_at_their_own_end),
		cmocka_unit_test(test_others_name_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
