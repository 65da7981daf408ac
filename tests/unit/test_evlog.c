/* The event log's chain: the key is made once (0600) and reloaded, the
 * store chains entries and the check finds an edited entry, a missing one
 * and a bad signature; wipe's erase removes the key files. brute_force is
 * a behaviour kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "alerts.h"
#include "evlog.h"
#include "store.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ym-evlog-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct rows {
	struct ym_evlog_entry e[16];
	char text[16][5][320];
	int n;
};

static int keep(const struct ym_evlog_entry *e, void *arg)
{
	struct rows *r = arg;
	const char *src[5] = { e->kind, e->mac, e->detail, e->prev, e->hash };

	if (r->n >= 16)
		return 1;
	r->e[r->n] = *e;
	for (int i = 0; i < 5; i++)
		snprintf(r->text[r->n][i], sizeof(r->text[0][0]), "%s", src[i]);
	r->e[r->n].kind = r->text[r->n][0];
	r->e[r->n].mac = r->text[r->n][1];
	r->e[r->n].detail = r->text[r->n][2];
	r->e[r->n].prev = r->text[r->n][3];
	r->e[r->n].hash = r->text[r->n][4];
	r->n++;
	return 0;
}

static enum ym_evlog_break check(const struct rows *r, int skip)
{
	struct ym_evlog_check c;

	ym_evlog_check_init(&c, dir);
	for (int i = 0; i < r->n; i++)
		if (i != skip && ym_evlog_check_entry(&c, &r->e[i]))
			break;
	return ym_evlog_check_end(&c);
}

static void test_chain(void **state)
{
	struct ym_evlog_key *k, *k2;
	struct ym_store *s;
	struct rows r = { .n = 0 };
	char err[256], path[128], head[320], hash[YM_EVLOG_HASH_STRLEN];
	struct stat st;
	int64_t seq;
	bool is_head;
	struct timespec t0, t1;

	(void)state;
	assert_int_equal(ym_evlog_key_open(&k, dir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, YM_EVLOG_KEY_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* The same key the second time. */
	assert_int_equal(ym_evlog_key_open(&k2, dir, err, sizeof(err)), 0);
	ym_evlog_key_close(k2);

	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_store_begin(s), 0);
	assert_int_equal(ym_store_put_alert(s, "brute_force", "critical",
					    "02:00:00:00:00:01", "port 22",
					    NULL, 1000, 1), 1);
	assert_int_equal(ym_store_log_event(s, "setting", NULL,
					    "{\"audit\":\"on\"}", 0), 0);
	assert_int_equal(ym_store_last_event(s, &seq, hash, &is_head), 0);
	assert_int_equal(seq, 2);
	assert_false(is_head);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ym_evlog_sign_head(k, seq, hash, head, sizeof(head)),
			 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("signing a head: %ld us\n",
		      (long)((t1.tv_sec - t0.tv_sec) * 1000000 +
			     (t1.tv_nsec - t0.tv_nsec) / 1000));
	assert_int_equal(ym_store_log_event(s, YM_EVLOG_HEAD, NULL, head, 0),
			 0);
	assert_int_equal(ym_store_commit(s), 0);
	assert_int_equal(ym_evlog_write_head(dir, head), 0);
	assert_int_equal(ym_store_get_events(s, keep, &r), 0);
	ym_store_close(s);
	ym_evlog_key_close(k);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.e[0].kind, "alert_raised");
	assert_non_null(strstr(r.e[0].detail, "\"alert\":\"brute_force\""));
	assert_string_equal(r.e[0].prev, ym_evlog_genesis);

	assert_int_equal(check(&r, -1), YM_EVLOG_OK);
	/* A missing entry in the middle. */
	assert_int_equal(check(&r, 1), YM_EVLOG_MISSING);
	/* Cut off the end: the head file knows entry 2 was there. */
	r.n = 1;
	assert_int_equal(check(&r, -1), YM_EVLOG_TRUNCATED);
	r.n = 3;
	/* An edited detail. */
	snprintf(r.text[1][2], sizeof(r.text[1][2]), "{\"audit\":\"off\"}");
	assert_int_equal(check(&r, -1), YM_EVLOG_EDITED);
	snprintf(r.text[1][2], sizeof(r.text[1][2]), "{\"audit\":\"on\"}");
	/* A forged signature. */
	r.text[2][2][strlen(r.text[2][2]) - 4] ^= 1;
	assert_int_not_equal(check(&r, -1), YM_EVLOG_OK);

	/* wipe's erase removes the key, its public half and the head. */
	assert_int_equal(ym_evlog_erase(dir), 3);
	assert_int_equal(access(path, F_OK), -1);
}

/* The chain from row from on, as if the rows before it were gone. */
static enum ym_evlog_break check_from(const struct rows *r, int from)
{
	struct ym_evlog_check c;

	ym_evlog_check_init(&c, dir);
	for (int i = from; i < r->n; i++)
		if (ym_evlog_check_entry(&c, &r->e[i]))
			break;
	return ym_evlog_check_end(&c);
}

/* Appends a setting and signs the head after it, as a commit does. */
static void entry_and_head(struct ym_store *s, struct ym_evlog_key *k)
{
	char head[320], hash[YM_EVLOG_HASH_STRLEN];
	int64_t seq;
	bool is_head;

	assert_int_equal(ym_store_log_event(s, "setting", NULL,
					    "{\"audit\":\"on\"}", 0), 0);
	assert_int_equal(ym_store_last_event(s, &seq, hash, &is_head), 0);
	assert_int_equal(ym_evlog_sign_head(k, seq, hash, head, sizeof(head)),
			 0);
	assert_int_equal(ym_store_log_event(s, YM_EVLOG_HEAD, NULL, head, 0),
			 0);
	assert_int_equal(ym_evlog_write_head(dir, head), 0);
}

/* A log over its size loses its oldest entries, starts at a signed head
 * and says so; the check accepts that start and no other. */
static void test_trim(void **state)
{
	struct ym_evlog_key *k;
	struct ym_store *s;
	struct rows r = { .n = 0 };
	char err[256];

	(void)state;
	assert_int_equal(ym_evlog_key_open(&k, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_store_open(&s, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_store_begin(s), 0);
	for (int i = 0; i < 6; i++)
		entry_and_head(s, k);
	/* 12 entries, heads at 2, 4 .. 12. Within 12 nothing goes. */
	assert_int_equal(ym_store_trim_events(s, 12), 0);
	/* Over 8: keep about 6 from a head, so 8 on, and say so. */
	assert_int_equal(ym_store_trim_events(s, 8), 7);
	entry_and_head(s, k);
	assert_int_equal(ym_store_commit(s), 0);
	assert_int_equal(ym_store_get_events(s, keep, &r), 0);
	assert_int_equal(r.n, 8); /* 8 .. 12, log_trimmed, setting, head */
	assert_int_equal(r.e[0].seq, 8);
	assert_string_equal(r.e[0].kind, YM_EVLOG_HEAD);
	assert_string_equal(r.e[5].kind, YM_EVLOG_TRIMMED);
	assert_string_equal(r.e[5].detail, "{\"before\":8,\"removed\":7}");
	assert_int_equal(check_from(&r, 0), YM_EVLOG_OK);
	/* Anyone else's cut at the front is still found: to a later head,
	 * to an entry that is not a head, or the trim's own entry. */
	assert_int_equal(check_from(&r, 2), YM_EVLOG_MISSING);
	assert_int_equal(check_from(&r, 1), YM_EVLOG_MISSING);
	assert_int_equal(check(&r, 5), YM_EVLOG_MISSING);
	/* The trim entry's start cannot be moved either. */
	snprintf(r.text[5][2], sizeof(r.text[5][2]),
		 "{\"before\":10,\"removed\":9}");
	assert_int_equal(check_from(&r, 0), YM_EVLOG_EDITED);

	/* A second trim drops the first one's entry with the rest. */
	for (int i = 0; i < 4; i++)
		entry_and_head(s, k);
	assert_true(ym_store_trim_events(s, 8) > 0);
	entry_and_head(s, k);
	r.n = 0;
	assert_int_equal(ym_store_get_events(s, keep, &r), 0);
	assert_true(r.n <= 9);
	assert_string_equal(r.e[0].kind, YM_EVLOG_HEAD);
	assert_int_equal(check_from(&r, 0), YM_EVLOG_OK);
	ym_store_close(s);
	ym_evlog_key_close(k);
}

static void test_brute_force_kind(void **state)
{
	(void)state;
	assert_string_equal(ym_alert_kind_name(YM_ALERT_BRUTE_FORCE),
			    "brute_force");
	assert_true(ym_alert_kind_is_behaviour(YM_ALERT_BRUTE_FORCE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trim, setup, teardown),
		cmocka_unit_test(test_brute_force_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
