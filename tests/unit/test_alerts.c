/* Alerts collapse by device, kind and target with a count; repeats within
 * the cooldown are counted and written later; a critical alert marks the
 * device suspicious; a resolved alert that comes back is open again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "alerts.h"
#include "device.h"
#include "intel.h"
#include "store.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ym-alerts-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

struct rows {
	int n;
	int64_t count[8];
	char kind[8][32], state[8][16], target[8][64];
};

static int collect(const struct ym_alert_row *a, void *arg)
{
	struct rows *r = arg;

	if (r->n < 8) {
		r->count[r->n] = a->count;
		snprintf(r->kind[r->n], 32, "%s", a->kind);
		snprintf(r->state[r->n], 16, "%s", a->state);
		snprintf(r->target[r->n], 64, "%s", a->target);
	}
	r->n++;
	return 0;
}

static void test_dedup_cooldown_suspicious(void **state)
{
	struct ym_store *s;
	struct ym_alerts *a;
	struct ym_device dev = { .mac = { 0x02, 1, 2, 3, 4, 5 } };
	struct rows rows = { 0 };
	char err[256];
	const uint64_t min = 60ULL * 1000000;

	(void)state;
	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_alerts_init(&a, s), 0);
	assert_int_equal(ym_alerts_raise(a, YM_ALERT_PORT_SCAN, YM_WARNING,
					 &dev, "192.168.10.2", NULL, 1 * min),
			 1);
	/* Nine repeats within ten minutes are counted, not written. */
	for (int i = 0; i < 9; i++)
		assert_int_equal(ym_alerts_raise(a, YM_ALERT_PORT_SCAN,
						 YM_WARNING, &dev,
						 "192.168.10.2", NULL,
						 2 * min + (uint64_t)i),
				 0);
	/* Another target is another alert. */
	assert_int_equal(ym_alerts_raise(a, YM_ALERT_PORT_SCAN, YM_WARNING,
					 &dev, "192.168.10.3", NULL, 3 * min),
			 1);
	assert_false(dev.flags & YM_FLAG_SUSPICIOUS);
	/* A factory password is critical but a weakness, not behaviour: the
	 * device is not called suspicious for it. */
	assert_int_equal(ym_alerts_raise(a, YM_ALERT_DEFAULT_PASSWORD,
					 YM_CRITICAL, &dev, "telnet/23", NULL,
					 3 * min + 1),
			 1);
	assert_false(dev.flags & YM_FLAG_SUSPICIOUS);
	assert_int_equal(ym_alerts_raise(a, YM_ALERT_TELNET_SCAN, YM_CRITICAL,
					 &dev, "", "[]", 4 * min),
			 1);
	assert_true(dev.flags & YM_FLAG_SUSPICIOUS);
	ym_alerts_flush(a);
	assert_int_equal(ym_store_commit(s), 0);
	assert_int_equal(ym_store_get_alerts(s, collect, &rows), 0);
	assert_int_equal(rows.n, 4);
	for (int i = 0; i < 4; i++)
		if (strcmp(rows.target[i], "192.168.10.2") == 0)
			assert_int_equal(rows.count[i], 10);
	ym_alerts_fini(a);
	ym_store_close(s);
}

static void test_resolved_reopens(void **state)
{
	struct ym_store *s;
	struct ym_alerts *a;
	struct ym_device dev = { .mac = { 0x02, 9, 9, 9, 9, 9 } };
	struct rows rows = { 0 };
	char err[256], path[128];
	sqlite3 *db;

	(void)state;
	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_alerts_init(&a, s), 0);
	ym_alerts_raise(a, YM_ALERT_ARP_SCAN, YM_WARNING, &dev, "", NULL, 1);
	assert_int_equal(ym_store_commit(s), 0);
	snprintf(path, sizeof(path), "%s/yamori.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE alerts SET state = 'resolved'"
				      " WHERE kind = 'arp_scan'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	/* Long after the cooldown the same sweep happens again. */
	ym_alerts_raise(a, YM_ALERT_ARP_SCAN, YM_WARNING, &dev, "", NULL,
			3600ULL * 1000000);
	assert_int_equal(ym_store_commit(s), 0);
	assert_int_equal(ym_store_get_alerts(s, collect, &rows), 0);
	for (int i = 0; i < rows.n && i < 8; i++)
		if (strcmp(rows.kind[i], "arp_scan") == 0) {
			assert_string_equal(rows.state[i], "open");
			assert_int_equal(rows.count[i], 2);
		}
	ym_alerts_fini(a);
	ym_store_close(s);
}

static void test_intel_lists(void **state)
{
	char ldir[96], path[128], err[256];
	struct ym_intel *in;
	struct ym_addr bad, good;
	FILE *f;

	(void)state;
	snprintf(ldir, sizeof(ldir), "%s/intel", dir);
	mkdir(ldir, 0755);
	snprintf(path, sizeof(path), "%s/a.list", ldir);
	f = fopen(path, "w");
	fputs("# test\nip 203.0.113.66 source=test\n"
	      "domain bad.example source=test\n"
	      "ja3 6734F37431670B3AB4292B8F60F29984 source=test\n"
	      "allow dcp.cpp.philips.com source=test\n", f);
	fclose(f);
	assert_int_equal(ym_intel_init(&in, ldir, err, sizeof(err)), 0);
	assert_int_equal(ym_intel_count(in), 4);
	assert_int_equal(ym_addr_parse("203.0.113.66", &bad), 0);
	assert_int_equal(ym_addr_parse("203.0.113.67", &good), 0);
	assert_true(ym_intel_bad_addr(in, &bad));
	assert_false(ym_intel_bad_addr(in, &good));
	assert_true(ym_intel_bad_domain(in, "c2.bad.example"));
	assert_true(ym_intel_bad_domain(in, "BAD.example."));
	assert_false(ym_intel_bad_domain(in, "notbad.example"));
	assert_false(ym_intel_bad_domain(in, "example"));
	assert_true(ym_intel_bad_ja3(in, "6734f37431670b3ab4292b8f60f29984"));
	assert_true(ym_intel_allowed(in, "dcp.cpp.philips.com"));
	ym_intel_fini(in);
	/* A bad line names the file and line. */
	f = fopen(path, "a");
	fputs("ip not-an-address source=x\n", f);
	fclose(f);
	assert_int_equal(ym_intel_init(&in, ldir, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a.list:6"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dedup_cooldown_suspicious),
		cmocka_unit_test(test_resolved_reopens),
		cmocka_unit_test(test_intel_lists),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
