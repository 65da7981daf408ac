/* Flow table: both directions land in one flow, bytes and packets are
 * counted each way, nDPI classifies and lets go, idle flows expire on the
 * capture clock, and a full table evicts the least recently used flow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flow.h"
#include "helpers.h"

static const uint8_t mac_a[6] = { 0xac, 0xed, 0x5c, 0x70, 0x70, 0xab };
static const uint8_t mac_r[6] = { 0x6c, 0xe4, 0xda, 0xa0, 0x10, 0x01 };
static const uint8_t ip_a[4] = { 192, 168, 10, 70 };
static const uint8_t ip_r[4] = { 203, 0, 113, 10 };

struct ended {
	struct ym_flow_observer obs;
	int count;
	uint16_t last_proto;
	uint64_t last_bytes[2];
};

static void on_end(struct ym_flow_observer *obs, const struct ym_flow *f)
{
	struct ended *e = (struct ended *)obs;

	e->count++;
	e->last_proto = f->app_proto ? f->app_proto : f->master_proto;
	e->last_bytes[0] = f->bytes[0];
	e->last_bytes[1] = f->bytes[1];
}

/* A DNS query and its answer, as nDPI needs to see them. */
static const uint8_t dns_query[] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	0x00, 0x01, 0x00, 0x01,
};

/* The answer: example.com A 93.184.216.34. */
static const uint8_t dns_answer[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,
	93, 184, 216, 34,
};

static void test_bidirectional(void **state)
{
	struct ended e = { .obs.flow_end = on_end };
	struct ym_flow_table *t;
	struct ym_flow *f1, *f2;
	struct ym_flow_stats s;
	struct ym_packet p;
	uint8_t buf[256];
	uint32_t len;
	int dir;

	(void)state;
	assert_int_equal(ym_flow_init(&t, 1024, 60, &e.obs), 0);
	len = build_ipv4(buf, mac_a, mac_r, ip_a, ip_r, 40000, 53, 0, 0,
			 dns_query, sizeof(dns_query));
	decode_at(&p, buf, len, 1000000);
	f1 = ym_flow_packet(t, &p, &dir);
	assert_non_null(f1);
	assert_int_equal(dir, YM_DIR_FWD);
	len = build_ipv4(buf, mac_r, mac_a, ip_r, ip_a, 53, 40000, 0, 0,
			 dns_answer, sizeof(dns_answer));
	decode_at(&p, buf, len, 1100000);
	f2 = ym_flow_packet(t, &p, &dir);
	assert_ptr_equal(f1, f2);
	assert_int_equal(dir, YM_DIR_REV);
	assert_int_equal(f1->pkts[0], 1);
	assert_int_equal(f1->pkts[1], 1);
	assert_int_equal(f1->bytes[1], len);
	assert_memory_equal(f1->mac[0], mac_a, 6);
	assert_memory_equal(f1->mac[1], mac_r, 6);
	/* nDPI recognised DNS and its state is already freed. */
	assert_true(f1->classified);
	assert_string_equal(ym_flow_proto_name(t, f1->app_proto ?
						     f1->app_proto :
						     f1->master_proto),
			    "DNS");
	assert_string_equal(f1->server_name, "example.com");
	ym_flow_get_stats(t, &s);
	assert_int_equal(s.ndpi_active, 0);
	assert_int_equal(s.active, 1);

	/* Idle expiry runs on the capture clock given to it. */
	ym_flow_expire(t, 30 * 1000000ULL);
	ym_flow_get_stats(t, &s);
	assert_int_equal(s.active, 1);
	ym_flow_expire(t, 62 * 1000000ULL);
	ym_flow_get_stats(t, &s);
	assert_int_equal(s.active, 0);
	assert_int_equal(s.expired, 1);
	assert_int_equal(e.count, 1);
	assert_true(e.last_bytes[0] > 0 && e.last_bytes[1] > e.last_bytes[0]);
	ym_flow_fini(t);
}

static void test_eviction(void **state)
{
	struct ended e = { .obs.flow_end = on_end };
	struct ym_flow_table *t;
	struct ym_flow_stats s;
	struct ym_packet p;
	uint8_t buf[128];
	uint32_t len;
	int dir;

	(void)state;
	assert_int_equal(ym_flow_init(&t, 1024, 60, &e.obs), 0);
	/* 3000 distinct flows into a table of 1024. */
	for (int i = 0; i < 3000; i++) {
		len = build_ipv4(buf, mac_a, mac_r, ip_a, ip_r,
				 (uint16_t)(10000 + i), 9999, 1, YM_TCP_SYN,
				 NULL, 0);
		decode_at(&p, buf, len, 1000000 + (uint64_t)i);
		assert_non_null(ym_flow_packet(t, &p, &dir));
	}
	ym_flow_get_stats(t, &s);
	assert_int_equal(s.active, 1024);
	assert_int_equal(s.created, 3000);
	assert_int_equal(s.evicted, 3000 - 1024);
	assert_int_equal(e.count, 3000 - 1024);
	/* The newest flow is still there: same packet, same flow, no create. */
	ym_flow_packet(t, &p, &dir);
	ym_flow_get_stats(t, &s);
	assert_int_equal(s.created, 3000);
	ym_flow_fini(t);
	assert_int_equal(e.count, 3000);
}

static void test_closed_expire_sooner(void **state)
{
	struct ym_flow_table *t;
	struct ym_flow_stats s;
	struct ym_packet p;
	uint8_t buf[128];
	uint32_t len;
	int dir;

	(void)state;
	assert_int_equal(ym_flow_init(&t, 1024, 180, NULL), 0);
	len = build_ipv4(buf, mac_a, mac_r, ip_a, ip_r, 1234, 80, 1,
			 YM_TCP_RST, NULL, 0);
	decode_at(&p, buf, len, 1000000);
	ym_flow_packet(t, &p, &dir);
	ym_flow_expire(t, 1000000 + 11 * 1000000ULL);
	ym_flow_get_stats(t, &s);
	assert_int_equal(s.active, 0);
	ym_flow_fini(t);
}

static void test_no_flow_for_arp_and_later_fragments(void **state)
{
	struct ym_flow_table *t;
	struct ym_packet p;
	uint8_t buf[128];
	uint32_t len;
	int dir;

	(void)state;
	assert_int_equal(ym_flow_init(&t, 1024, 180, NULL), 0);
	len = build_ipv4(buf, mac_a, mac_r, ip_a, ip_r, 1, 2, 0, 0, NULL, 0);
	buf[14 + 7] = 0x40; /* fragment offset 64 */
	decode_at(&p, buf, len, 1);
	assert_true(p.later_fragment);
	assert_null(ym_flow_packet(t, &p, &dir));
	ym_flow_fini(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bidirectional),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_closed_expire_sooner),
		cmocka_unit_test(test_no_flow_for_arp_and_later_fragments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
