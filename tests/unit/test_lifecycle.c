/* Rules 1 and 3: the support knowledge base loads with sources or is
 * refused with the file and line; versions compare by their numbers; a
 * device only chattering for idle_days is idle, one used now and then never
 * is; a device not seen is gone; support ended, newer firmware and no
 * contact are flagged once, with an alert. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include <cmocka.h>

#include "alerts.h"
#include "device.h"
#include "lifecycle.h"
#include "store.h"
#include "support.h"

#define DAY (86400ULL * 1000000)

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ym-life-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void write_kb(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *kb_text =
	"# routers\n"
	"[vendor NEC]\n"
	"contact_web = https://www.aterm.jp/support/\n"
	"source = https://www.aterm.jp/support/  # the maker\n"
	"\n"
	"[model NEC \"Aterm WR8370N*\"]\n"
	"type = router\n"
	"end_of_support = 2020-12-31\n"
	"latest_firmware = 1.3.3\n"
	"reset_ja = RESET を押します。|ランプを見ます。\n"
	"reset_en = Press RESET.|Watch the lamps.\n"
	"source = https://example.jp/eos#wr8370n\n"
	"\n"
	"[model \"Tapo\" \"C2*\"]\n"
	"type = camera\n"
	"end_of_support = supported\n"
	"latest_firmware = 1.4.10\n"
	"source = https://example.jp/tapo\n"
	"\n"
	"[generic camera]\n"
	"reset_ja = 電源を入れたまま、ボタンを押します。\n"
	"reset_en = Hold the button with the power on.\n"
	"source = https://example.jp/generic\n";

static struct ym_support *load(void)
{
	struct ym_support *kb;
	char err[256];

	write_kb("a.kb", kb_text);
	assert_int_equal(ym_support_init(&kb, dir, err, sizeof(err)), 0);
	return kb;
}

static void test_kb(void **state)
{
	struct ym_support *kb = load();
	const struct ym_support_entry *e;

	(void)state;
	assert_int_equal(ym_support_count(kb), 4);
	e = ym_support_model(kb, "nec", "Aterm WR8370N-HP");
	assert_non_null(e);
	assert_int_equal(e->eos, YM_EOS_DATE);
	assert_string_equal(e->latest_firmware, "1.3.3");
	/* The '#' of a URL fragment is not a comment. */
	assert_string_equal(e->source, "https://example.jp/eos#wr8370n");
	assert_null(ym_support_model(kb, "NEC", "Aterm WG1200"));
	assert_non_null(ym_support_vendor(kb, "NEC"));
	assert_null(ym_support_vendor(kb, "Tapo"));
	assert_non_null(ym_support_generic(kb, "camera"));
	assert_null(ym_support_generic(kb, "tv"));
	ym_support_fini(kb);
}

static void test_kb_errors(void **state)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{ "[model NEC \"x\"]\ntype = router\n", "needs source" },
		{ "[model NEC \"x\"]\nend_of_support = soon\nsource = s\n",
		  ":2: end_of_support is a date" },
		{ "[model NEC \"x\"]\nend_of_support = 1999-01-01\nsource = s\n",
		  ":2: end_of_support" },
		{ "[model NEC \"x\"]\ncolour = red\nsource = s\n",
		  ":2: unknown key 'colour'" },
		{ "type = router\n", ":1: a key outside any section" },
		{ "[gadget X]\nsource = s\n", ":1: unknown section" },
		{ "[generic fridge]\nsource = s\n", "unknown type 'fridge'" },
		{ "[model NEC Aterm]\nsource = s\n", ":1: expected [model" },
		{ "[model \"NEC \"x\"]\nsource = s\n", ":1: unclosed quote" },
	};
	struct ym_support *kb;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_kb("z.kb", bad[i].text);
		err[0] = '\0';
		assert_int_equal(ym_support_init(&kb, dir, err, sizeof(err)),
				 -EINVAL);
		if (!strstr(err, bad[i].needle) || !strstr(err, "z.kb"))
			fail_msg("'%s' lacks '%s'", err, bad[i].needle);
	}
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/z.kb", dir);
		unlink(path);
	}
	assert_int_equal(ym_support_init(&kb, "/nonexistent", err,
					 sizeof(err)),
			 -ENOENT);
	ym_support_fini(kb);
}

static void test_versions(void **state)
{
	(void)state;
	assert_true(ym_version_compare("1.10", "1.9") > 0);
	assert_true(ym_version_compare("1.2", "1.2.1") < 0);
	assert_int_equal(ym_version_compare("V1.3.3", "1.3.3"), 0);
	assert_true(ym_version_compare("1.0.9 Build 200101", "1.4.10") < 0);
	assert_int_equal(ym_version_compare("abc", "def"), 0);
	assert_true(ym_version_compare("99999999999999", "1") > 0);
}

static struct ym_device device(const char *type, const char *vendor,
			       const char *model)
{
	struct ym_device d;

	memset(&d, 0, sizeof(d));
	d.mac[0] = 0x02;
	d.mac[5] = (uint8_t)strlen(type);
	snprintf(d.type, sizeof(d.type), "%s", type);
	snprintf(d.vendor, sizeof(d.vendor), "%s", vendor);
	snprintf(d.model, sizeof(d.model), "%s", model);
	d.confidence = 0.9;
	d.first_us = 1000 * DAY;
	d.last_us = d.first_us;
	return d;
}

static void test_idle_and_gone(void **state)
{
	struct ym_store *s;
	struct ym_alerts *a;
	struct ym_lifecycle lc = { 0 };
	struct ym_device cam = device("camera", "Tapo", "C200");
	struct ym_device tv = device("tv", "Sony", "");
	struct ym_device router = device("router", "NEC", "");
	char err[256];
	uint64_t now;

	(void)state;
	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_alerts_init(&a, s), 0);
	lc.alerts = a;
	lc.idle_us = 30 * DAY;
	lc.gone_us = 14 * DAY;
	router.gateway = true;
	for (int day = 1; day <= 31; day++) {
		now = cam.first_us + (uint64_t)day * DAY;
		/* Everything chatters daily; the TV is used every third day. */
		cam.last_us = tv.last_us = router.last_us = now;
		if (day % 3 == 0)
			tv.last_use_us = now;
		ym_lifecycle_check(&lc, &cam, now);
		ym_lifecycle_check(&lc, &tv, now);
		ym_lifecycle_check(&lc, &router, now);
		if (day < 30)
			assert_false(cam.flags & YM_FLAG_IDLE);
	}
	assert_true(cam.flags & YM_FLAG_IDLE);
	assert_false(tv.flags & YM_FLAG_IDLE);
	assert_false(router.flags & YM_FLAG_IDLE);
	/* Used again: no longer idle. */
	cam.last_use_us = now;
	ym_lifecycle_check(&lc, &cam, now);
	assert_false(cam.flags & YM_FLAG_IDLE);
	/* Not seen for two weeks: gone, and a gone device is not idle. */
	now += 15 * DAY;
	ym_lifecycle_check(&lc, &tv, now);
	assert_true(tv.flags & YM_FLAG_GONE);
	assert_false(tv.flags & YM_FLAG_IDLE);
	tv.last_us = now;
	ym_lifecycle_check(&lc, &tv, now);
	assert_false(tv.flags & YM_FLAG_GONE);
	ym_alerts_fini(a);
	assert_int_equal(ym_store_commit(s), 0);
	ym_store_close(s);
}

static void test_support_flags(void **state)
{
	struct ym_support *kb = load();
	struct ym_store *s;
	struct ym_alerts *a;
	struct ym_alerts_stats st;
	struct ym_lifecycle lc = { 0 };
	struct ym_device old = device("router", "NEC", "Aterm WR8370N-HP");
	struct ym_device cam = device("camera", "Tapo", "C200");
	struct ym_device plug = device("smart_plug", "Espressif", "");
	char err[256];
	uint64_t before_eos = 1577836800ULL * 1000000; /* 2020-01-01 */
	uint64_t after_eos = 1640995200ULL * 1000000;  /* 2022-01-01 */

	(void)state;
	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_alerts_init(&a, s), 0);
	lc.kb = kb;
	lc.alerts = a;
	lc.idle_us = 30 * DAY;
	lc.gone_us = 14 * DAY;
	old.first_us = old.last_us = before_eos - DAY;
	ym_lifecycle_check(&lc, &old, before_eos);
	assert_false(old.flags & YM_FLAG_UNSUPPORTED);
	old.last_us = after_eos;
	ym_lifecycle_check(&lc, &old, after_eos);
	assert_true(old.flags & YM_FLAG_UNSUPPORTED);
	/* The camera runs 1.0.9; 1.4.10 is known: outdated. */
	ym_device_add_evidence(&cam, "upnp_firmware", "1.0.9 Build 200101",
			       "firmware");
	cam.last_us = cam.first_us;
	ym_lifecycle_check(&lc, &cam, cam.first_us);
	assert_true(cam.flags & YM_FLAG_OUTDATED_FIRMWARE);
	assert_false(cam.flags & YM_FLAG_UNSUPPORTED);
	/* A module maker has no contact for households. */
	plug.last_us = plug.first_us;
	ym_lifecycle_check(&lc, &plug, plug.first_us);
	assert_true(plug.flags & YM_FLAG_NO_SUPPORT_CONTACT);
	assert_false(old.flags & YM_FLAG_NO_SUPPORT_CONTACT);
	/* This knowledge base names no contact for Tapo either. */
	assert_true(cam.flags & YM_FLAG_NO_SUPPORT_CONTACT);
	/* Each flag raised its alert once, however often it is checked. */
	for (int i = 0; i < 5; i++)
		ym_lifecycle_check(&lc, &old, after_eos + (uint64_t)i * DAY);
	ym_alerts_get_stats(a, &st);
	assert_int_equal(st.raised, 4);
	ym_alerts_fini(a);
	assert_int_equal(ym_store_commit(s), 0);
	ym_store_close(s);
	ym_support_fini(kb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kb),
		cmocka_unit_test(test_kb_errors),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_idle_and_gone),
		cmocka_unit_test(test_support_flags),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
