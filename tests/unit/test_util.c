/* Text from the network: copied whole characters only, controls and broken
 * UTF-8 replaced, and characters that disguise a name made visible. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static void copy(char *dst, size_t len, const char *src)
{
	ym_strlcpy_clean(dst, src, strlen(src), len);
}

/* Finding 2 of issue 17: a maker name cut in the middle of a character made
 * the device vanish from every JSON answer. */
static void test_finding_2_never_cuts_a_character(void **state)
{
	/* "深圳市，有限公司": three-byte characters, a full-width comma. */
	const char *name = "\xe6\xb7\xb1\xe5\x9c\xb3\xe5\xb8\x82\xef\xbc\x8c"
			   "\xe6\x9c\x89\xe9\x99\x90";
	char out[8];

	(void)state;
	for (size_t len = 1; len <= sizeof(out); len++) {
		copy(out, len, name);
		/* Only whole three-byte characters fit. */
		assert_int_equal(strlen(out) % 3, 0);
		assert_true(strlen(out) < len);
		assert_memory_equal(out, name, strlen(out));
	}
}

static void test_finding_7_controls_and_broken_utf8(void **state)
{
	char out[32];

	(void)state;
	copy(out, sizeof(out), "cam\x01\x7f" "era");
	assert_string_equal(out, "cam??era");
	copy(out, sizeof(out), "bad\xe6\xb7" "x"); /* a cut sequence */
	assert_string_equal(out, "bad??x");
	copy(out, sizeof(out), "\xc0\xaf"); /* overlong '/' */
	assert_string_equal(out, "??");
}

/* Finding 7: names that lie. */
static void test_finding_7_deceptive_characters_made_visible(void **state)
{
	char out[64];

	(void)state;
	/* U+202E RIGHT-TO-LEFT OVERRIDE: "photo<RLO>gpj.exe" shows as a jpg. */
	copy(out, sizeof(out), "photo\xe2\x80\xae" "gpj.exe");
	assert_string_equal(out, "photo<U+202E>gpj.exe");
	/* A C1 control (U+009B, CSI) and U+2066 LEFT-TO-RIGHT ISOLATE. */
	copy(out, sizeof(out), "a\xc2\x9b" "b\xe2\x81\xa6" "c");
	assert_string_equal(out, "a<U+009B>b<U+2066>c");
	/* Ordinary Japanese and emoji pass untouched. */
	copy(out, sizeof(out), "居間のカメラ\xf0\x9f\x93\xb7");
	assert_string_equal(out, "居間のカメラ\xf0\x9f\x93\xb7");
	/* A marker that does not fit is left out whole. */
	copy(out, 8, "ab\xe2\x80\xae" "cd");
	assert_string_equal(out, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finding_2_never_cuts_a_character),
		cmocka_unit_test(test_finding_7_controls_and_broken_utf8),
		cmocka_unit_test(test_finding_7_deceptive_characters_made_visible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
