/* Config: defaults, every setting parsed, and bad files rejected with the
 * file and line in one plain message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static const char *write_tmp(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/ym-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_defaults_and_values(void **state)
{
	struct ym_config c;
	char err[256];
	const char *p = write_tmp("# comment\n\n  state_dir = /tmp/x  \n"
				  "interface = eth0\ninterface=br-lan\n"
				  "max_flows = 2048\npromiscuous = no\n"
				  "audit_attempts = 3\naudit_spacing = 5\n");

	(void)state;
	ym_config_defaults(&c);
	assert_string_equal(c.state_dir, "/var/lib/yamori");
	assert_int_equal(ym_config_load(&c, p, true, err, sizeof(err)), 0);
	assert_string_equal(c.state_dir, "/tmp/x");
	assert_int_equal(c.n_interfaces, 2);
	assert_string_equal(c.interfaces[1], "br-lan");
	assert_int_equal(c.max_flows, 2048);
	assert_false(c.promiscuous);
	assert_int_equal(c.commit_interval, 30);
	assert_int_equal(c.audit_attempts, 3);
	assert_int_equal(c.audit_spacing, 5);
	assert_int_equal(c.audit_parallel, 2); /* the default */
	assert_false(c.fleet); /* fleet reports are off unless turned on */
	assert_int_equal(c.fleet_interval, 900);
	assert_string_equal(c.fleet_topic, "yamori");
	unlink(p);
	p = write_tmp("fleet = on\nfleet_broker = mqtts://fleet.isp.example:8883\n"
		      "fleet_topic = isp/yamori\nfleet_queue = 50\n");
	assert_int_equal(ym_config_load(&c, p, true, err, sizeof(err)), 0);
	assert_true(c.fleet);
	assert_string_equal(c.fleet_broker, "mqtts://fleet.isp.example:8883");
	assert_string_equal(c.fleet_topic, "isp/yamori");
	assert_int_equal(c.fleet_queue, 50);
	unlink(p);
}

static void expect_error(const char *text, const char *needle)
{
	struct ym_config c;
	char err[256] = "";
	const char *p = write_tmp(text);

	ym_config_defaults(&c);
	assert_true(ym_config_load(&c, p, true, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, p));
	assert_non_null(strstr(err, needle));
	unlink(p);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("colour = blue\n", ":1: unknown setting 'colour'");
	expect_error("\nmax_flows = lots\n", ":2: max_flows must be a number");
	expect_error("max_flows = 10\n", "from 1024");
	expect_error("max_flows = -5000\n", "must be a number");
	expect_error("state_dir = relative/path\n", "absolute path");
	/* The password checks' limits stay small. */
	expect_error("audit_attempts = 500\n", "from 1");
	expect_error("audit_spacing = 0\n", "from 1");
	expect_error("audit_parallel = 30\n", "from 1");
	expect_error("promiscuous = maybe\n", "yes or no");
	/* Fleet reports: TLS only, not too often, a topic without wildcards. */
	expect_error("fleet_broker = mqtt://isp.example:1883\n", "mqtts://");
	expect_error("fleet_broker = mqtts://a b\n", "mqtts://");
	expect_error("fleet_interval = 10\n", "from 300");
	expect_error("fleet_topic = isp/#\n", "topic");
	expect_error("fleet = perhaps\n", "yes or no");
	expect_error("just words\n", "expected 'setting = value'");
	{
		char longline[700];

		memset(longline, 'a', sizeof(longline) - 2);
		longline[sizeof(longline) - 2] = '\n';
		longline[sizeof(longline) - 1] = '\0';
		expect_error(longline, "longer than");
	}
}

static void test_missing(void **state)
{
	struct ym_config c;
	char err[256] = "";

	(void)state;
	ym_config_defaults(&c);
	/* The default path may be absent; a path the user gave may not. */
	assert_int_equal(ym_config_load(&c, "/nonexistent/yamori.conf", false,
					err, sizeof(err)),
			 0);
	assert_true(ym_config_load(&c, "/nonexistent/yamori.conf", true, err,
				   sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent/yamori.conf"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
