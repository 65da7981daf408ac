/* Smarter's appliance protocol: the answer to "identify" names an iKettle
 * 2.0 or a SmarterCoffee, alone or among other messages; other messages,
 * truncated ones and arbitrary bytes name nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smarter.h"

static void test_identify_answer(void **state)
{
	static const uint8_t kettle[] = { 0x65, 0x01, 0x13, 0x7e };
	static const uint8_t coffee[] = { 0x65, 0x02, 0x16, 0x7e };
	/* A command status first, then the identify answer. */
	static const uint8_t both[] = { 0x03, 0x00, 0x7e, 0x65, 0x02, 0x14, 0x7e };

	(void)state;
	assert_string_equal(ym_smarter_model(kettle, sizeof(kettle)),
			    "iKettle 2.0");
	assert_string_equal(ym_smarter_model(coffee, sizeof(coffee)),
			    "SmarterCoffee");
	assert_string_equal(ym_smarter_model(both, sizeof(both)),
			    "SmarterCoffee");
}

static void test_other_messages_name_nothing(void **state)
{
	/* The app's question, a status, an unknown device type, a WiFi
	 * list that holds 0x65 bytes, a cut answer. */
	static const uint8_t ask[] = { 0x64, 0x7e };
	static const uint8_t status[] = { 0x14, 0x00, 0x64, 0x08, 0x7e };
	static const uint8_t other[] = { 0x65, 0x07, 0x13, 0x7e };
	static const uint8_t wifi[] = { 0x0e, 'e', 0x01, 0x13, 0x7e };
	static const uint8_t cut[] = { 0x65, 0x01, 0x13 };

	(void)state;
	assert_null(ym_smarter_model(ask, sizeof(ask)));
	assert_null(ym_smarter_model(status, sizeof(status)));
	assert_null(ym_smarter_model(other, sizeof(other)));
	assert_null(ym_smarter_model(wifi, sizeof(wifi)));
	assert_null(ym_smarter_model(cut, sizeof(cut)));
	assert_null(ym_smarter_model(cut, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identify_answer),
		cmocka_unit_test(test_other_messages_name_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
