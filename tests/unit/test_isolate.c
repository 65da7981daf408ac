/* Isolation without privileges: the refusals every backend shares (a bad
 * MAC, the router, this box itself), isolate = none, and the arp backend's
 * refusals that come before any raw socket is opened. The kernel side is
 * covered by tests/integration/test_isolate.py. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "isolate.h"

static const uint8_t gw_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t self_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x05 };
static const uint8_t dev_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };

static void make_env(struct ym_isolate_env *env, const char *ifname)
{
	memset(env, 0, sizeof(*env));
	snprintf(env->ifname, sizeof(env->ifname), "%s", ifname);
	memcpy(env->gateway_mac, gw_mac, 6);
	memcpy(env->self_mac, self_mac, 6);
	assert_int_equal(ym_addr_parse("10.232.1.1", &env->gateway_ip), 0);
	assert_int_equal(ym_addr_parse("10.232.1.5", &env->self_ip), 0);
}

static void target(struct ym_isolate_target *t, const uint8_t mac[6], const char *ip)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->mac, mac, 6);
	if (ip)
		assert_int_equal(ym_addr_parse(ip, &t->ipv4), 0);
}

static void test_mode_parse(void **state)
{
	enum ym_isolate_mode m;

	(void)state;
	assert_int_equal(ym_isolate_mode_parse("nft", &m), 0);
	assert_int_equal(m, YM_ISOLATE_NFT);
	assert_int_equal(ym_isolate_mode_parse("arp", &m), 0);
	assert_int_equal(m, YM_ISOLATE_ARP);
	assert_int_equal(ym_isolate_mode_parse("none", &m), 0);
	assert_int_equal(m, YM_ISOLATE_NONE);
	assert_int_equal(ym_isolate_mode_parse("iptables", &m), -EINVAL);
	assert_int_equal(ym_isolate_mode_parse("", &m), -EINVAL);
	assert_string_equal(ym_isolate_mode_name(YM_ISOLATE_ARP), "arp");
}

/* The refusals come before any backend, so isolate = none shows them. */
static void test_refusals(void **state)
{
	static const uint8_t multicast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	struct ym_isolate_env env;
	struct ym_isolate_target t;
	struct ym_isolator *iso;
	char why[160], err[160];

	(void)state;
	make_env(&env, "");
	assert_int_equal(ym_isolate_init(&iso, YM_ISOLATE_NONE, NULL, &env, err, sizeof(err)), 0);

	target(&t, gw_mac, NULL);
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "router"));

	target(&t, self_mac, "10.232.1.77");
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "this Yamori box"));

	/* A device claiming the router's or this box's address is refused too. */
	target(&t, dev_mac, "10.232.1.1");
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "router's address"));
	target(&t, dev_mac, "10.232.1.5");
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EPERM);

	/* An address of any local interface is this box. */
	target(&t, dev_mac, "127.0.0.1");
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "belongs to this box"));

	target(&t, multicast, NULL);
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "01:00:5e:00:00:01 is not the address of a device");
	target(&t, bcast, NULL);
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EINVAL);
	target(&t, zero, NULL);
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EINVAL);
	assert_int_equal(ym_isolate_release(iso, multicast, why, sizeof(why)), -EINVAL);
	assert_int_equal(ym_isolate_verify(iso, multicast), -EINVAL);

	ym_isolate_close(iso, true);
}

static void test_none_reports_only(void **state)
{
	struct ym_isolate_env env;
	struct ym_isolate_target t;
	struct ym_isolator *iso;
	uint8_t macs[4][6];
	char why[160], err[160];

	(void)state;
	make_env(&env, "");
	assert_int_equal(ym_isolate_init(&iso, YM_ISOLATE_NONE, NULL, &env, err, sizeof(err)), 0);
	target(&t, dev_mac, "10.232.1.10");
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "isolate = none"));
	assert_int_equal(ym_isolate_verify(iso, dev_mac), 0);
	assert_true(strlen(ym_isolate_reason(iso)) > 0);
	assert_int_equal(ym_isolate_release(iso, dev_mac, why, sizeof(why)), 0);
	assert_int_equal(ym_isolate_list(iso, macs, 4), 0);
	ym_isolate_close(iso, false);

	/* Without an environment nothing is known, and nothing breaks. */
	assert_int_equal(ym_isolate_init(&iso, YM_ISOLATE_NONE, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -ENOTSUP);
	ym_isolate_close(iso, true);
}

static void test_arp_init_errors(void **state)
{
	struct ym_isolate_env env;
	struct ym_isolator *iso;
	uv_loop_t loop;
	char err[160];

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	make_env(&env, "ymnosuch0");
	assert_int_equal(ym_isolate_init(&iso, YM_ISOLATE_ARP, &loop, &env, err, sizeof(err)),
			 -ENODEV);
	assert_string_equal(err, "no network interface named ymnosuch0");
	assert_null(iso);

	make_env(&env, "lo");
	memset(env.gateway_mac, 0, 6);
	assert_int_equal(ym_isolate_init(&iso, YM_ISOLATE_ARP, &loop, &env, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "router's IPv4 address and MAC"));

	make_env(&env, "lo");
	memset(&env.gateway_ip, 0, sizeof(env.gateway_ip));
	assert_int_equal(ym_isolate_init(&iso, YM_ISOLATE_ARP, &loop, &env, err, sizeof(err)),
			 -EINVAL);

	make_env(&env, "lo");
	memset(env.self_mac, 0, 6);
	assert_int_equal(ym_isolate_init(&iso, YM_ISOLATE_ARP, &loop, &env, err, sizeof(err)),
			 -EINVAL);

	make_env(&env, "lo");
	assert_int_equal(ym_isolate_init(&iso, YM_ISOLATE_ARP, NULL, &env, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/* The arp backend opens its raw socket only at an apply that passed every
 * check, so these refusals need no privileges. */
static void test_arp_refusals(void **state)
{
	struct ym_isolate_env env;
	struct ym_isolate_target t;
	struct ym_isolator *iso;
	uint8_t macs[4][6];
	uv_loop_t loop;
	char why[200], err[160];

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	make_env(&env, "lo");
	assert_int_equal(ym_isolate_init(&iso, YM_ISOLATE_ARP, &loop, &env, err, sizeof(err)), 0);

	target(&t, dev_mac, NULL);
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "IPv4 address"));
	target(&t, dev_mac, "255.255.255.255");
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EINVAL);

	target(&t, gw_mac, "10.232.1.9");
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EPERM);
	target(&t, self_mac, "10.232.1.9");
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -EPERM);

	ym_isolate_note_ipv6_router(iso);
	target(&t, dev_mac, "10.232.1.10");
	assert_int_equal(ym_isolate_apply(iso, &t, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "IPv6"));

	assert_int_equal(ym_isolate_verify(iso, dev_mac), 0);
	assert_non_null(strstr(ym_isolate_reason(iso), "not isolated"));
	assert_int_equal(ym_isolate_list(iso, macs, 4), 0);
	assert_int_equal(ym_isolate_release(iso, dev_mac, why, sizeof(why)), 0);

	/* Closing leaves no handle behind once the loop has run. */
	ym_isolate_close(iso, true);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_parse),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_none_reports_only),
		cmocka_unit_test(test_arp_init_errors),
		cmocka_unit_test(test_arp_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
