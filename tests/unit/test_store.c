/* Store: schema by migration, devices round-trip with addresses and
 * evidence, a batch not committed is not visible, the household's name
 * survives the daemon's writes, pruning keeps the gateway, and a database
 * from a newer Yamori is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "device.h"
#include "store.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ym-store-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void make_device(struct ym_device *d, uint8_t last, uint64_t seen)
{
	memset(d, 0, sizeof(*d));
	d->mac[0] = 0xac;
	d->mac[5] = last;
	snprintf(d->vendor, sizeof(d->vendor), "Intel Corporate");
	snprintf(d->hostname, sizeof(d->hostname), "host-%u", last);
	snprintf(d->type, sizeof(d->type), "unknown");
	d->first_us = 1000000;
	d->last_us = seen;
	d->bytes_up = 100;
	d->n_ips = 2;
	assert_int_equal(ym_addr_parse("192.168.10.70", &d->ips[0].addr), 0);
	assert_int_equal(ym_addr_parse("fe80::1", &d->ips[1].addr), 0);
	ym_device_add_evidence(d, "oui", "Intel Corporate", "vendor");
}

struct seen {
	int n;
	struct ym_device last;
};

static int collect(const struct ym_device *d, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->last = *d;
	return 0;
}

static void exec_sql(const char *sql)
{
	char path[128];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/%s", dir, YM_STORE_FILE);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_roundtrip(void **state)
{
	struct ym_store *s, *ro;
	struct ym_device d;
	struct seen seen = { 0 };
	char err[256], *v;

	(void)state;
	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	make_device(&d, 1, 5000000);
	d.n_maybe = 2;
	snprintf(d.maybe[0], sizeof(d.maybe[0]), "camera");
	snprintf(d.maybe[1], sizeof(d.maybe[1]), "smart_speaker");
	assert_int_equal(ym_store_begin(s), 0);
	assert_int_equal(ym_store_put_device(s, &d), 0);
	assert_int_equal(ym_store_put_meta(s, "status", "{\"packets\":1}"), 0);
	assert_int_equal(ym_store_commit(s), 0);

	/* A reader sees the committed batch while the writer is open. */
	assert_int_equal(ym_store_open_readonly(&ro, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_store_get_devices(ro, collect, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.last.hostname, "host-1");
	assert_int_equal(seen.last.n_ips, 2);
	assert_int_equal(seen.last.n_evidence, 1);
	assert_string_equal(seen.last.evidence[0].signal, "oui");
	assert_int_equal(seen.last.last_us, 5000000);
	assert_int_equal(seen.last.n_maybe, 2);
	assert_string_equal(seen.last.maybe[0], "camera");
	assert_string_equal(seen.last.maybe[1], "smart_speaker");
	v = ym_store_get_meta(ro, "status");
	assert_string_equal(v, "{\"packets\":1}");
	free(v);

	/* A batch that is never committed leaves no trace. */
	make_device(&d, 2, 6000000);
	assert_int_equal(ym_store_begin(s), 0);
	assert_int_equal(ym_store_put_device(s, &d), 0);
	ym_store_close(s);
	seen.n = 0;
	assert_int_equal(ym_store_get_devices(ro, collect, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(ym_store_check(ro), 0);
	ym_store_close(ro);

	/* A damaged list offers only the vocabulary's words it still holds. */
	exec_sql("UPDATE devices SET maybe = 'hub,,bogus,unknown,hub,"
		 "a_kind_far_too_long_to_be_one,camera'");
	assert_int_equal(ym_store_open_readonly(&ro, dir, err, sizeof(err)), 0);
	seen.n = 0;
	assert_int_equal(ym_store_get_devices(ro, collect, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.last.n_maybe, 2);
	assert_string_equal(seen.last.maybe[0], "hub");
	assert_string_equal(seen.last.maybe[1], "camera");
	ym_store_close(ro);
}

static void test_user_name_kept_and_prune(void **state)
{
	struct ym_store *s;
	struct ym_device d;
	struct seen seen = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	exec_sql("UPDATE devices SET user_name = '居間のカメラ'");
	make_device(&d, 1, 7000000);
	assert_int_equal(ym_store_begin(s), 0);
	assert_int_equal(ym_store_put_device(s, &d), 0);
	for (uint8_t i = 10; i < 30; i++) {
		make_device(&d, i, 1000000 + i);
		d.gateway = i == 10;
		assert_int_equal(ym_store_put_device(s, &d), 0);
	}
	assert_int_equal(ym_store_commit(s), 0);
	/* 21 devices; the named one and the gateway always stay, and of the
	 * other 19 the 5 seen last are kept. */
	assert_int_equal(ym_store_prune_devices(s, 5), 19 - 5);
	assert_int_equal(ym_store_get_devices(s, collect, &seen), 0);
	assert_int_equal(seen.n, 7);
	/* Sorted by last seen: the named device was seen last. */
	assert_string_equal(seen.last.user_name, "居間のカメラ");
	ym_store_close(s);
}

/* A device's last password check outlives a restart (the panel's rule 2
 * would else say "not checked yet" after every power cut); a word the
 * daemon never writes, from a damaged row, is dropped. */
static void test_audit_result_kept(void **state)
{
	struct ym_store *s;
	struct ym_device d;
	struct seen seen = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	make_device(&d, 3, 8000000);
	snprintf(d.audit, sizeof(d.audit), "defaults_refused");
	d.audit_errors = 1;
	d.audit_us = 7500000;
	assert_int_equal(ym_store_begin(s), 0);
	assert_int_equal(ym_store_put_device(s, &d), 0);
	assert_int_equal(ym_store_commit(s), 0);
	ym_store_close(s);

	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_store_get_device(s, d.mac, &d), 0);
	assert_string_equal(d.audit, "defaults_refused");
	assert_int_equal(d.audit_errors, 1);
	assert_int_equal(d.audit_us, 7500000);
	ym_store_close(s);

	exec_sql("UPDATE devices SET audit = 'all_fine', audit_errors = 9999,"
		 " audit_at = 5 WHERE mac LIKE '%:03'");
	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_store_get_device(s, d.mac, &d), 0);
	assert_string_equal(d.audit, "");
	assert_int_equal(d.audit_us, 0);
	assert_int_equal(d.audit_errors, 255);
	assert_int_equal(ym_store_get_devices(s, collect, &seen), 0);
	ym_store_close(s);
}

static void test_newer_schema_refused(void **state)
{
	struct ym_store *s;
	char err[256] = "";

	(void)state;
	exec_sql("PRAGMA user_version = 99");
	assert_true(ym_store_open(&s, dir, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "newer"));
	exec_sql("PRAGMA user_version = 1");
}

static void test_readonly_missing(void **state)
{
	struct ym_store *s;
	char err[256];

	(void)state;
	assert_int_equal(ym_store_open_readonly(&s, "/nonexistent", err,
						sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_user_name_kept_and_prune),
		cmocka_unit_test(test_audit_result_kept),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_readonly_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
