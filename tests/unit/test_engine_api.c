/* The API's command table (engine-api.c): every command is found by name,
 * and what a client gets wrong comes back with the right machine code. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine-private.h"
#include "engine-fleet.h"
#include "helpers.h"

static const uint8_t dev_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

struct fixture {
	uv_loop_t loop;
	struct ym_engine *e;
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ym_config cfg;
	uint8_t buf[128];
	const uint8_t gw[6] = { 0x02, 0, 0, 0, 0, 1 };
	const uint8_t src[4] = { 192, 168, 1, 20 }, dst[4] = { 192, 168, 1, 1 };
	struct ym_packet p;
	char err[256];
	uint32_t len;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ym-engine-api-XXXXXX");
	if (!mkdtemp(f->dir) || uv_loop_init(&f->loop) != 0)
		return -1;
	ym_config_defaults(&cfg);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", f->dir);
	snprintf(cfg.oui_dir, sizeof(cfg.oui_dir), "%s", f->dir);
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", YM_SOURCE_DATADIR);
	if (ym_engine_init(&f->e, &f->loop, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	/* One device on the LAN, known from one packet. */
	len = build_ipv4(buf, dev_mac, gw, src, dst, 40000, 53, 0, 0, NULL, 0);
	decode_at(&p, buf, len, 1700000000000000ULL);
	if (!ym_inventory_packet(f->e->inv, &p))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	ym_engine_stop(f->e);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	(void)ym_engine_fini(f->e);
	uv_loop_close(&f->loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(f);
	return 0;
}

/* Sends cmd with args (a JSON text, or NULL) and returns the result; the
 * error lands in err. */
static json_t *ask(struct fixture *f, const char *cmd, const char *args,
		   struct ym_api_error *err)
{
	json_t *a = args ? json_loads(args, 0, NULL) : json_null();
	json_t *r;

	assert_non_null(a);
	memset(err, 0, sizeof(*err));
	r = ym_engine_request(f->e, cmd, a, NULL, err);
	json_decref(a);
	if (!r)
		assert_true(err->code != YM_API_OK && err->msg[0]);
	return r;
}

static void expect_code(struct fixture *f, const char *cmd, const char *args,
			enum ym_api_code code)
{
	struct ym_api_error err;
	json_t *r = ask(f, cmd, args, &err);

	if (r)
		fail_msg("%s %s answered, expected %s", cmd,
			 args ? args : "", ym_api_code_name(code));
	if (err.code != code)
		fail_msg("%s %s: %s (%s), expected %s", cmd, args ? args : "",
			 ym_api_code_name(err.code), err.msg,
			 ym_api_code_name(code));
}

static void table_names_resolve(void **state)
{
	size_t n;
	const struct ym_engine_command *t = ym_engine_commands(&n);

	(void)state;
	assert_true(n >= 11);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(ym_engine_command_find(t[i].name), &t[i]);
		assert_non_null(t[i].run);
	}
	assert_null(ym_engine_command_find("make_coffee"));
	assert_null(ym_engine_command_find(""));
	assert_null(ym_engine_command_find(NULL));
	/* subscribe is the socket's own, not a command of the engine. */
	assert_null(ym_engine_command_find("subscribe"));
	/* Only the slow ones answer later; isolate names a device. */
	assert_int_equal(ym_engine_command_find("audit")->flags,
			 YM_CMD_DEFERS);
	assert_int_equal(ym_engine_command_find("isolate")->flags,
			 YM_CMD_DEVICE | YM_CMD_DEFERS);
	assert_int_equal(ym_engine_command_find("status")->flags, 0);
}

static void codes_have_words(void **state)
{
	(void)state;
	for (int c = 0; c < YM_API_CODE_MAX; c++)
		assert_int_equal(ym_api_code_parse(ym_api_code_name(c)), c);
	assert_string_equal(ym_api_code_name(YM_API_BAD_REQUEST),
			    "bad_request");
	assert_string_equal(ym_api_code_name(YM_API_CODE_MAX), "internal");
	assert_int_equal(ym_api_code_parse("no such code"), YM_API_INTERNAL);
	assert_int_equal(ym_api_code_parse(NULL), YM_API_INTERNAL);
}

static void unknown_command(void **state)
{
	expect_code(*state, "make_coffee", NULL, YM_API_UNKNOWN_COMMAND);
}

static void device_commands_need_a_mac(void **state)
{
	size_t n;
	const struct ym_engine_command *t = ym_engine_commands(&n);

	for (size_t i = 0; i < n; i++) {
		if (!(t[i].flags & YM_CMD_DEVICE))
			continue;
		expect_code(*state, t[i].name, NULL, YM_API_BAD_REQUEST);
		expect_code(*state, t[i].name, "{}", YM_API_BAD_REQUEST);
		expect_code(*state, t[i].name, "{\"mac\": \"nonsense\"}",
			    YM_API_BAD_REQUEST);
		expect_code(*state, t[i].name, "{\"mac\": 7}",
			    YM_API_BAD_REQUEST);
		expect_code(*state, t[i].name,
			    "{\"mac\": \"02:00:00:00:00:99\"}",
			    YM_API_NOT_FOUND);
	}
}

static void missing_arguments(void **state)
{
	struct fixture *f = *state;

	expect_code(f, "rename", "{\"mac\": \"02:11:22:33:44:55\"}",
		    YM_API_BAD_REQUEST);
	expect_code(f, "acknowledge", NULL, YM_API_BAD_REQUEST);
	expect_code(f, "acknowledge", "{\"id\": \"one\"}", YM_API_BAD_REQUEST);
	expect_code(f, "acknowledge", "{\"id\": 123456}", YM_API_NOT_FOUND);
	expect_code(f, "settings", "{\"audit\": \"sometimes\"}",
		    YM_API_BAD_REQUEST);
	expect_code(f, "settings", "{\"auto_isolate\": true}",
		    YM_API_BAD_REQUEST);
	/* An unknown reason to put an alert off. */
	expect_code(f, "acknowledge", "{\"id\": 1, \"reason\": \"bored\"}",
		    YM_API_BAD_REQUEST);
	/* Replaying, there is no password checker: the checks are on and
	 * cannot run ("failed"), which the household's setting cannot
	 * change; "off" is the household's own setting. */
	expect_code(f, "audit", "{\"target\": \"192.168.1.20\"}",
		    YM_API_FAILED);
	f->e->cfg.audit = YM_AUDIT_POLICY_OFF;
	expect_code(f, "audit", "{\"target\": \"192.168.1.20\"}", YM_API_OFF);
	f->e->cfg.audit = YM_AUDIT_POLICY_ASK;
	/* A command answered later needs a client to answer. */
	expect_code(f, "isolate", "{\"mac\": \"02:11:22:33:44:55\"}",
		    YM_API_BAD_REQUEST);
}

static void commands_answer(void **state)
{
	struct fixture *f = *state;
	struct ym_api_error err;
	json_t *r;

	r = ask(f, "status", NULL, &err);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "state")),
			    "running");
	assert_true(json_is_object(json_object_get(r, "flows")));
	assert_true(json_is_object(json_object_get(r, "alerts")));
	json_decref(r);
	r = ask(f, "devices", NULL, &err);
	assert_int_equal(json_array_size(r), 1);
	/* The daemon's device objects carry support and reset steps. */
	assert_true(json_is_object(json_object_get(json_array_get(r, 0),
						   "support")));
	assert_true(json_is_string(json_object_get(json_array_get(r, 0),
						   "reset_steps")));
	json_decref(r);
	r = ask(f, "rename",
		"{\"mac\": \"02:11:22:33:44:55\", \"name\": \"kitchen\"}", &err);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "name")),
			    "kitchen");
	json_decref(r);
	r = ask(f, "settings", "{\"audit\": \"on\"}", &err);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "audit")),
			    "on");
	assert_string_equal(json_string_value(json_object_get(r, "isolate")),
			    "none");
	assert_int_equal(f->e->cfg.audit, YM_AUDIT_POLICY_ON);
	json_decref(r);
}

/* Rule 4's undo: a device given away comes back to the list, and only
 * "devices" with "all" shows it meanwhile. */
static void retire_and_undo(void **state)
{
	struct fixture *f = *state;
	struct ym_api_error err;
	const char *mac = "{\"mac\": \"02:11:22:33:44:55\"}";
	json_t *r, *flags;

	r = ask(f, "retire", mac, &err);
	assert_non_null(r);
	json_decref(r);
	r = ask(f, "devices", NULL, &err);
	assert_int_equal(json_array_size(r), 0);
	json_decref(r);
	r = ask(f, "devices", "{\"all\": true}", &err);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	r = ask(f, "unretire", mac, &err);
	assert_non_null(r);
	flags = json_object_get(r, "flags");
	assert_true(json_is_array(flags));
	for (size_t i = 0; i < json_array_size(flags); i++)
		assert_string_not_equal(
			json_string_value(json_array_get(flags, i)), "retired");
	json_decref(r);
	r = ask(f, "devices", NULL, &err);
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	expect_code(f, "unretire", "{\"mac\": \"02:00:00:00:00:99\"}",
		    YM_API_NOT_FOUND);
}

/* Fleet reports are off by default, and nothing turns them on without a
 * broker; the report itself holds only the listed keys, never a MAC or a
 * name the household gave. */
static void fleet_off_by_default(void **state)
{
	struct fixture *f = *state;
	struct ym_api_error err;
	json_t *r = ask(f, "fleet", NULL, &err);

#if YM_HAVE_FLEET
	assert_non_null(r);
	assert_false(json_is_true(json_object_get(r, "on")));
	assert_false(json_is_true(json_object_get(r, "configured")));
	assert_int_equal(strlen(json_string_value(json_object_get(r, "box"))),
			 32);
	json_decref(r);
	expect_code(f, "fleet_send", NULL, YM_API_OFF);
	expect_code(f, "fleet_set", "{}", YM_API_BAD_REQUEST);
	expect_code(f, "fleet_set", "{\"on\": \"yes\"}", YM_API_BAD_REQUEST);
	expect_code(f, "fleet_set", "{\"on\": true}", YM_API_OFF);
	r = ask(f, "rename",
		"{\"mac\": \"02:11:22:33:44:55\", \"name\": \"Hanako\"}", &err);
	json_decref(r);
	r = ym_fleet_report(f->e, "0123456789abcdef0123456789abcdef", 7);
	assert_non_null(r);
	{
		const char *keys[] = { "schema", "report_id", "box", "sent",
				       "yamori", "data", "classes", "alerts" };
		const char *key;
		json_t *v;
		size_t i = 0;
		char *text = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);

		json_object_foreach(r, key, v) {
			assert_true(i < 8);
			assert_string_equal(key, keys[i++]);
		}
		assert_int_equal(i, 8);
		assert_string_equal(json_string_value(json_object_get(
			r, "report_id")), "0123456789abcdef0123456789abcdef-7");
		assert_null(strstr(text, "02:11"));
		assert_null(strstr(text, "Hanako"));
		free(text);
	}
	json_decref(r);
#else
	assert_null(r);
	assert_int_equal(err.code, YM_API_OFF);
#endif
}

static void isolation_off_is_off(void **state)
{
	struct fixture *f = *state;
	struct ym_device *d = ym_inventory_find(f->e->inv, dev_mac);
	struct ym_api_error err = { YM_API_OK, "" };

	assert_non_null(d);
	assert_true(ym_respond_isolate(f->e, d, "test", NULL, &err) < 0);
	assert_int_equal(err.code, YM_API_OFF);
}

/* ym_engine_feed (the whole-packet fuzzer's door) takes a frame along the
 * capture's path: a new device appears, and the clock moves. */
static void feed_takes_the_packet_path(void **state)
{
	struct fixture *f = *state;
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x77 };
	const uint8_t gw[6] = { 0x02, 0, 0, 0, 0, 1 };
	const uint8_t src[4] = { 192, 168, 1, 30 }, dst[4] = { 192, 168, 1, 1 };
	uint8_t buf[128];
	uint32_t len;

	len = build_ipv4(buf, mac, gw, src, dst, 40001, 53, 0, 0, NULL, 0);
	assert_null(ym_inventory_find(f->e->inv, mac));
	assert_int_equal(ym_engine_feed(f->e, YM_LINK_ETHERNET,
					1700000001000000ULL, buf, len, len), 0);
	assert_non_null(ym_inventory_find(f->e->inv, mac));
	assert_int_equal(f->e->packets, 1);
	assert_true(f->e->clock_us >= 1700000001000000ULL);
	/* More captured than was on the wire is not a frame. */
	assert_int_equal(ym_engine_feed(f->e, YM_LINK_ETHERNET,
					1700000002000000ULL, buf, len, len - 1),
			 -EINVAL);
	assert_int_equal(f->e->packets, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_names_resolve),
		cmocka_unit_test(codes_have_words),
		cmocka_unit_test_setup_teardown(unknown_command, setup,
						teardown),
		cmocka_unit_test_setup_teardown(device_commands_need_a_mac,
						setup, teardown),
		cmocka_unit_test_setup_teardown(missing_arguments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(commands_answer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(retire_and_undo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(fleet_off_by_default, setup,
						teardown),
		cmocka_unit_test_setup_teardown(isolation_off_is_off, setup,
						teardown),
		cmocka_unit_test_setup_teardown(feed_takes_the_packet_path,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
