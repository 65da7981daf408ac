/* Vendor lookup: MA-L, MA-M and MA-S assignments, longest prefix first,
 * quoted CSV fields, and no vendor for locally administered addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "oui.h"

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_registry(void **state)
{
	char dir[] = "/tmp/ym-oui-XXXXXX", cmd[64];
	struct ym_oui *o;
	uint32_t n;
	const uint8_t apple[6] = { 0xc4, 0x61, 0x8b, 0x35, 0x82, 0xa9 };
	const uint8_t mam[6] = { 0x74, 0x1a, 0xe0, 0x91, 0x22, 0x33 };
	const uint8_t mas[6] = { 0x70, 0xb3, 0xd5, 0xf2, 0xf1, 0x00 };
	const uint8_t block[6] = { 0x70, 0xb3, 0xd5, 0x00, 0x00, 0x01 };
	const uint8_t local[6] = { 0xc6, 0x61, 0x8b, 0x35, 0x82, 0xa9 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "oui.csv",
		   "Registry,Assignment,Organization Name,Organization Address\n"
		   "MA-L,C4618B,\"Apple, Inc.\",1 Infinite Loop Cupertino CA US 95014\n"
		   "MA-L,70B3D5,IEEE Registration Authority,445 Hoes Lane\n"
		   "MA-L,741AE0,IEEE Registration Authority,445 Hoes Lane\n"
		   "garbage line\n"
		   "MA-L,ZZZZZZ,Bad hex,\n");
	write_file(dir, "mam.csv",
		   "Registry,Assignment,Organization Name,Organization Address\n"
		   "MA-M,741AE09,\"Say \"\"Hi\"\" Ltd\",\n");
	write_file(dir, "oui36.csv",
		   "Registry,Assignment,Organization Name,Organization Address\n"
		   "MA-S,70B3D5F2F,TELEPLATFORMS,\"Polbina st., 3/1 Moscow\"\n");
	assert_int_equal(ym_oui_init(&o, dir, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(ym_oui_lookup(o, apple), "Apple, Inc.");
	assert_string_equal(ym_oui_lookup(o, mam), "Say \"Hi\" Ltd");
	assert_string_equal(ym_oui_lookup(o, mas), "TELEPLATFORMS");
	assert_string_equal(ym_oui_lookup(o, block),
			    "IEEE Registration Authority");
	assert_null(ym_oui_lookup(o, local));
	ym_oui_fini(o);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_missing_dir(void **state)
{
	struct ym_oui *o;
	uint32_t n = 1;
	const uint8_t mac[6] = { 0xc4, 0x61, 0x8b, 0, 0, 1 };

	(void)state;
	assert_int_equal(ym_oui_init(&o, "/nonexistent", &n), 0);
	assert_int_equal(n, 0);
	assert_null(ym_oui_lookup(o, mac));
	ym_oui_fini(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_missing_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
