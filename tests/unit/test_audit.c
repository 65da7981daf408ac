/* Unit tests for the default-password audit: the credential lists, the
 * LAN-only rule, the daily budget (also across a restart, through a real
 * SQLite attempt log), Digest against RFC 2617's example, and
 * the telnet, FTP, HTTP and RTSP engines on real transcripts, with the
 * device's bytes cut at every offset. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "audit-proto.h"
#include "audit.h"
#include "store.h"

/* ---- credentials ---- */

static void test_creds_parse_ok(void **state)
{
	struct ym_audit_cred c;
	char why[128];

	(void)state;
	assert_int_equal(ym_audit_creds_parse_line(
				 "telnet * root xc3511 source=mirai\n", &c, why,
				 sizeof(why)),
			 0);
	assert_int_equal(c.proto, YM_AP_TELNET);
	assert_string_equal(c.vendor, "");
	assert_string_equal(c.user, "root");
	assert_string_equal(c.pass, "xc3511");
	assert_int_equal(ym_audit_creds_parse_line(
				 "* \"I-O DATA\" admin \"\" source=manual p. 3",
				 &c, why, sizeof(why)),
			 0);
	assert_int_equal(c.proto, YM_AP_ANY);
	assert_string_equal(c.vendor, "I-O DATA");
	assert_string_equal(c.pass, "");
	assert_int_equal(ym_audit_creds_parse_line(
				 "http\tDahua admin \"Circle Of Life\"\tsource=x\r\n",
				 &c, why, sizeof(why)),
			 0);
	assert_string_equal(c.pass, "Circle Of Life");
	assert_int_equal(ym_audit_creds_parse_line("# comment", &c, why,
						   sizeof(why)),
			 1);
	assert_int_equal(ym_audit_creds_parse_line("   \n", &c, why,
						   sizeof(why)),
			 1);
}

static void expect_bad(const char *line, const char *reason)
{
	struct ym_audit_cred c;
	char why[128] = "";

	assert_int_equal(ym_audit_creds_parse_line(line, &c, why, sizeof(why)),
			 -EINVAL);
	if (!strstr(why, reason))
		fail_msg("'%s': reason '%s' lacks '%s'", line, why, reason);
}

static void test_creds_parse_errors(void **state)
{
	(void)state;
	expect_bad("telnet * root xc3511", "source=");
	expect_bad("telnet * root xc3511 from=mirai", "source=");
	expect_bad("telnet * root xc3511 source=", "source=");
	expect_bad("smtp * root xc3511 source=x", "unknown service");
	expect_bad("telnet * root", "no password");
	expect_bad("telnet \"I-O DATA admin x source=x", "unclosed quote");
	expect_bad("telnet \"\" root x source=x", "empty vendor");
	expect_bad("telnet * \"\" x source=x", "a user is");
	expect_bad("telnet * ro:ot x source=x", "a user is");
	expect_bad("telnet * root \"a\x01\" source=x", "control");
	expect_bad("telnet * root \"x\"y source=x", "right after");
	expect_bad("telnet * aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x source=x",
		   "longer than 31");
}

static char *make_dir(void)
{
	char tmpl[] = "/tmp/ym-audit-XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_dir(char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static void test_creds_load_errors(void **state)
{
	struct ym_audit_creds cr;
	char err[512] = "", *dir = make_dir();

	(void)state;
	/* An empty folder, then a bad line: FILE:LINE like the other lists. */
	assert_int_equal(ym_audit_creds_load(&cr, dir, err, sizeof(err)),
			 -ENOENT);
	write_file(dir, "a.creds", "telnet * root xc3511 source=x\n");
	write_file(dir, "b.creds",
		   "# header\n\nssh * admin admin source\n");
	write_file(dir, "c.txt", "not a list\n");
	assert_int_equal(ym_audit_creds_load(&cr, dir, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "/b.creds:3: "));
	assert_null(cr.v);
	assert_int_equal(ym_audit_creds_load(&cr, "/nonexistent-ym", err,
					     sizeof(err)),
			 -ENOENT);
	remove_dir(dir);
}

static void test_creds_select_order(void **state)
{
	struct ym_audit_creds cr;
	uint32_t idx[16];
	char err[256], *dir = make_dir();
	size_t n;

	(void)state;
	/* Files load by name: 10-generic before 20-vendor, yet the vendor's
	 * entries come first for a device of that vendor. */
	write_file(dir, "10-generic.creds",
		   "* * root xc3511 source=a\n"
		   "http * admin admin source=b\n"
		   "telnet * root vizxv source=c\n");
	write_file(dir, "20-vendor.creds",
		   "* Dahua root vizxv source=d\n"
		   "http Dahua admin 888888 source=e\n"
		   "* Hikvision admin 12345 source=f\n");
	assert_int_equal(ym_audit_creds_load(&cr, dir, err, sizeof(err)), 0);
	assert_int_equal(cr.n, 6);
	n = ym_audit_creds_select(&cr, YM_AP_TELNET, "dahua", idx, 16);
	/* Dahua's root/vizxv, then the generic xc3511; the generic
	 * root/vizxv is the same pair and not tried twice. */
	assert_int_equal(n, 2);
	assert_string_equal(cr.v[idx[0]].pass, "vizxv");
	assert_string_equal(cr.v[idx[0]].vendor, "Dahua");
	assert_string_equal(cr.v[idx[1]].pass, "xc3511");
	n = ym_audit_creds_select(&cr, YM_AP_HTTP, "Dahua", idx, 16);
	assert_int_equal(n, 4);
	assert_string_equal(cr.v[idx[0]].pass, "vizxv");
	assert_string_equal(cr.v[idx[1]].pass, "888888");
	assert_string_equal(cr.v[idx[2]].pass, "xc3511");
	assert_string_equal(cr.v[idx[3]].pass, "admin");
	/* An unknown vendor gets the generic ones only. */
	n = ym_audit_creds_select(&cr, YM_AP_HTTP, NULL, idx, 16);
	assert_int_equal(n, 2);
	n = ym_audit_creds_select(&cr, YM_AP_FTP, "", idx, 16);
	assert_int_equal(n, 1);
	/* The limit holds. */
	n = ym_audit_creds_select(&cr, YM_AP_HTTP, "Dahua", idx, 1);
	assert_int_equal(n, 1);
	ym_audit_creds_free(&cr);
	remove_dir(dir);
}

static void test_shipped_lists(void **state)
{
	struct ym_audit_creds cr;
	uint32_t idx[YM_AUDIT_CANDIDATES_MAX];
	char err[512] = "";

	(void)state;
	if (ym_audit_creds_load(&cr, YM_SOURCE_DATADIR "/credentials", err,
				sizeof(err)) != 0)
		fail_msg("%s", err);
	/* Mirai's 61 distinct pairs and more. */
	assert_true(cr.n >= 61 + 12);
	for (int p = 0; p < YM_AP_COUNT; p++)
		assert_true(ym_audit_creds_select(&cr, p, NULL, idx,
						  YM_ARRAY_SIZE(idx)) >= 61);
	/* Mirai's most used pair leads the generic telnet list. */
	assert_true(ym_audit_creds_select(&cr, YM_AP_TELNET, NULL, idx, 1));
	assert_string_equal(cr.v[idx[0]].user, "root");
	assert_string_equal(cr.v[idx[0]].pass, "xc3511");
	/* A brand's own default comes first for its web page. */
	assert_true(ym_audit_creds_select(&cr, YM_AP_HTTP, "Hikvision", idx, 1));
	assert_string_equal(cr.v[idx[0]].pass, "12345");
	ym_audit_creds_free(&cr);
}

/* ---- the LAN-only rule ---- */

static void test_lan_only(void **state)
{
	static const char *const refused[] = {
		"8.8.8.8",     "127.0.0.1",	  "224.0.0.1",
		"255.255.255.255", "0.0.0.0",	  "100.64.0.1",
		"203.0.113.5", "2001:db8::1",	  "::1",
		"ff02::1",     "::",		  "2400:cb00::1",
		"239.255.255.250",
	};
	static const char *const allowed[] = {
		"10.0.0.2", "172.16.5.4", "192.168.1.20", "169.254.3.3",
		"fd00::1",  "fe80::1",
	};
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 1 };
	struct ym_audit *a;
	struct ym_addr addr;
	uv_loop_t loop;
	char err[256];

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(ym_audit_init(&a, &loop,
				       YM_SOURCE_DATADIR "/credentials", NULL,
				       NULL, err, sizeof(err)),
			 0);
	for (size_t i = 0; i < YM_ARRAY_SIZE(refused); i++) {
		assert_int_equal(ym_addr_parse(refused[i], &addr), 0);
		assert_false(ym_audit_addr_allowed(&addr));
		if (ym_audit_check(a, mac, &addr, NULL, NULL) != -EPERM)
			fail_msg("%s was not refused", refused[i]);
	}
	for (size_t i = 0; i < YM_ARRAY_SIZE(allowed); i++) {
		assert_int_equal(ym_addr_parse(allowed[i], &addr), 0);
		assert_true(ym_audit_addr_allowed(&addr));
	}
	/* On the link: IPv6 link-local always, loopback never. (A private
	 * address off every link is refused in test_audit.py, in namespaces
	 * whose addresses the test knows.) */
	assert_int_equal(ym_addr_parse("fe80::1", &addr), 0);
	assert_true(ym_audit_addr_on_link(&addr));
	assert_int_equal(ym_addr_parse("127.0.0.1", &addr), 0);
	assert_false(ym_audit_addr_on_link(&addr));
	/* A link-local IPv6 target needs an interface: refused, not guessed. */
	assert_int_equal(ym_addr_parse("fe80::1", &addr), 0);
	assert_int_equal(ym_audit_check(a, mac, &addr, NULL, NULL), -EINVAL);
	/* Nothing was started: no handle, no request, nothing sent. */
	assert_int_equal(ym_audit_active(a), 0);
	assert_int_equal(uv_run(&loop, UV_RUN_NOWAIT), 0);
	ym_audit_close(a);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/* ---- the daily budget ---- */

static void test_budget(void **state)
{
	static const uint8_t mac[6] = { 0x02, 1, 2, 3, 4, 5 };
	static const uint8_t other[6] = { 0x02, 9, 9, 9, 9, 9 };
	struct ym_audit_budget *b = calloc(1, sizeof(*b));
	struct ym_audit_budget_entry *e;
	uint64_t t0 = 1700000000ULL * 1000000;

	(void)state;
	assert_non_null(b);
	e = ym_audit_budget_get(b, mac, t0);
	assert_false(ym_audit_budget_spent(e, 6));
	/* Telnet (slot 0) asked for a login and had 6 attempts; SSH (slot 2)
	 * asked too and had 5: one is left. */
	e->login_mask = 1u << 0 | 1u << 2;
	e->used[0] = 6;
	e->used[2] = 5;
	e->hint[0] = 7;
	assert_false(ym_audit_budget_spent(e, 6));
	e->used[2] = 6;
	assert_true(ym_audit_budget_spent(e, 6));
	/* Another device has its own budget. */
	assert_false(ym_audit_budget_spent(ym_audit_budget_get(b, other, t0),
					   6));
	/* Still spent 23 hours later, free again after a day. */
	e = ym_audit_budget_get(b, mac, t0 + 23 * 3600ULL * 1000000);
	assert_true(ym_audit_budget_spent(e, 6));
	e = ym_audit_budget_get(b, mac, t0 + YM_AUDIT_DAY_US);
	assert_false(ym_audit_budget_spent(e, 6));
	assert_int_equal(e->used[0], 0);
	/* What worked is still known (in memory) for the re-check. */
	assert_int_equal(e->hint[0], 7);
	/* A clock set back starts afresh rather than locking forever. */
	e->login_mask = 1;
	e->used[0] = 6;
	e = ym_audit_budget_get(b, mac, t0);
	assert_false(ym_audit_budget_spent(e, 6));
	/* A larger limit in the config means more attempts. */
	e->login_mask = 1;
	e->used[0] = 6;
	assert_false(ym_audit_budget_spent(e, 7));
	/* Full: the oldest device is forgotten, the table does not grow. */
	for (int i = 0; i < YM_AUDIT_BUDGET_DEVICES; i++) {
		uint8_t m[6] = { 0x02, 0xaa, 0, 0, (uint8_t)(i >> 8),
				 (uint8_t)i };

		ym_audit_budget_get(b, m, t0);
	}
	e = ym_audit_budget_get(b, mac, t0);
	assert_int_equal(e->login_mask, 0);
	free(b);
}

/* ---- HTTP authentication ---- */

/* A restart never grants a new day: the attempts in the log count. */
static uint64_t fake_now;
static uint64_t fake_clock(void)
{
	return fake_now;
}

static int restore_cb(void *arg, const uint8_t mac[6], const char *service,
		      uint16_t port, uint64_t at_us)
{
	ym_audit_restore(arg, mac, service, port, at_us);
	return 0;
}

static void test_budget_survives_restart(void **state)
{
	static const uint8_t cam[6] = { 0x02, 0, 0, 0, 0, 0x0c },
			     tv[6] = { 0x02, 0, 0, 0, 0, 0x7f },
			     old[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	const uint64_t hour = 3600ULL * 1000000, now = 1790000000ULL * 1000000;
	struct ym_audit_config cfg;
	struct ym_store *st;
	struct ym_audit *a;
	struct ym_addr addr;
	char dir[] = "/tmp/ym-audit-XXXXXX", err[256], cmd[64];
	uv_loop_t loop;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* Before the restart: the camera's telnet and ssh had their six
	 * attempts an hour ago; the old device's were 25 hours ago. */
	assert_int_equal(ym_store_open(&st, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_store_begin(st), 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(ym_store_log_attempt(st, now - hour + i, cam,
						      "telnet", 23, "root",
						      false),
				 0);
		assert_int_equal(ym_store_log_attempt(st, now - hour + i, cam,
						      "ssh", 22, "admin",
						      false),
				 0);
		assert_int_equal(ym_store_log_attempt(st, now - 25 * hour + i,
						      old, "telnet", 23,
						      "root", false),
				 0);
	}
	assert_int_equal(ym_store_commit(st), 0);
	ym_store_close(st);

	/* After: a new daemon reads the last day of the log. */
	ym_audit_config_default(&cfg);
	cfg.clock_us = fake_clock;
	fake_now = now;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(ym_audit_init(&a, &loop,
				       YM_SOURCE_DATADIR "/credentials", &cfg,
				       NULL, err, sizeof(err)),
			 0);
	assert_int_equal(ym_store_open(&st, dir, err, sizeof(err)), 0);
	assert_int_equal(ym_store_attempts_since(st, now - YM_AUDIT_DAY_US,
						 restore_cb, a),
			 0);
	ym_store_close(st);
	/* The camera's day is spent: refused, nothing started. */
	assert_int_equal(ym_addr_parse("192.168.1.20", &addr), 0);
	assert_int_equal(ym_audit_check(a, cam, &addr, NULL, NULL), -EAGAIN);
	assert_int_equal(ym_audit_active(a), 0);
	/* It was checked an hour ago: not due for the daily check, due for
	 * one every half hour; devices never checked are due. */
	assert_false(ym_audit_due(a, cam, YM_AUDIT_DAY_US));
	assert_true(ym_audit_due(a, cam, hour / 2));
	assert_true(ym_audit_due(a, tv, YM_AUDIT_DAY_US));
	assert_true(ym_audit_due(a, old, YM_AUDIT_DAY_US));
	/* A day after those attempts it is due again (that its budget is
	 * then renewed is test_budget's; no check is started here, so
	 * nothing is sent). */
	fake_now = now + 23 * hour + 6;
	assert_true(ym_audit_due(a, cam, YM_AUDIT_DAY_US));
	ym_audit_close(a);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&loop), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_digest_rfc2617(void **state)
{
	/* RFC 2617 section 3.5. */
	static const char hdr[] =
		"Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
		"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
		"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
	struct ym_http_challenge ch;
	char resp[33], auth[768];

	(void)state;
	assert_int_equal(ym_http_parse_challenge(hdr, strlen(hdr), &ch), 0);
	assert_int_equal(ch.scheme, YM_AUTH_DIGEST);
	assert_false(ch.unsupported);
	assert_true(ch.qop_auth);
	assert_string_equal(ch.realm, "testrealm@host.com");
	assert_string_equal(ch.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
	ym_http_digest_response(&ch, "GET", "/dir/index.html", "Mufasa",
				"Circle Of Life", "0a4f113b", 1, resp);
	assert_string_equal(resp, "6629fae49393a05397450978507c4ef1");
	assert_int_equal(ym_http_authorization(&ch, "GET", "/dir/index.html",
					       "Mufasa", "Circle Of Life",
					       "0a4f113b", 1, auth,
					       sizeof(auth)),
			 0);
	assert_non_null(strstr(auth, "response=\"6629fae49393a05397450978507c4ef1\""));
	assert_non_null(strstr(auth, "qop=auth, nc=00000001, cnonce=\"0a4f113b\""));
	assert_non_null(strstr(auth, "username=\"Mufasa\""));
	assert_non_null(strstr(auth, "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""));
	assert_null(strstr(auth, "Circle"));
	/* Too small a buffer is an error, never a cut header. */
	assert_int_equal(ym_http_authorization(&ch, "GET", "/", "Mufasa", "x",
					       "0a4f113b", 1, auth, 40),
			 -ENOSPC);
}

static void test_basic_and_challenges(void **state)
{
	struct ym_http_challenge ch;
	char auth[256];
	const char *s;

	(void)state;
	/* RFC 7617's example. */
	s = "Basic realm=\"WallyWorld\"";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), 0);
	assert_int_equal(ch.scheme, YM_AUTH_BASIC);
	assert_string_equal(ch.realm, "WallyWorld");
	assert_int_equal(ym_http_authorization(&ch, "GET", "/", "Aladdin",
					       "open sesame", "", 1, auth,
					       sizeof(auth)),
			 0);
	assert_string_equal(auth, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	/* Digest without qop (RFC 2069) and MD5-sess are answered. */
	s = "Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess, qop=\"auth\"";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), 0);
	assert_true(ch.md5_sess);
	assert_false(ch.unsupported);
	s = "digest realm=r,nonce=abc";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), 0);
	assert_false(ch.unsupported);
	assert_false(ch.qop_auth);
	assert_string_equal(ch.nonce, "abc");
	/* What cannot be answered is said so. */
	s = "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), 0);
	assert_true(ch.unsupported);
	s = "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), 0);
	assert_true(ch.unsupported);
	s = "Digest realm=\"r\"";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), 0);
	assert_true(ch.unsupported);
	s = "Digest realm=\"r\", nonce=\"n\", stale=TRUE";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), 0);
	assert_true(ch.stale);
	/* Escapes in quoted strings; an unclosed quote; other schemes. */
	s = "Digest realm=\"a \\\"b\\\"\", nonce=\"n\"";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), 0);
	assert_string_equal(ch.realm, "a \"b\"");
	s = "Digest realm=\"r, nonce=n";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), -EINVAL);
	s = "NTLM";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), -EINVAL);
	s = "Negotiate abc";
	assert_int_equal(ym_http_parse_challenge(s, strlen(s), &ch), -EINVAL);
}

/* ---- engines on transcripts, cut at every offset ---- */

enum eng { E_TELNET, E_FTP, E_HTTP, E_RTSP };

/* One exchange: what the device sends, then (for telnet, once the device
 * is quiet) what we must have sent in answer. */
struct step {
	const char *server;
	size_t len; /* 0: strlen(server) */
	const char *client;
};

struct engine {
	enum eng kind;
	union {
		struct ym_telnet t;
		struct ym_ftp f;
		struct ym_http h;
	} u;
};

static void eng_start(struct engine *e, enum eng kind, const char *user,
		      const char *pass, const struct ym_http_challenge *ch,
		      struct ym_audit_out *out)
{
	e->kind = kind;
	if (kind == E_TELNET)
		ym_telnet_start(&e->u.t, user, pass);
	else if (kind == E_FTP)
		ym_ftp_start(&e->u.f, user, pass);
	else
		ym_http_start(&e->u.h, kind == E_RTSP, "10.233.0.11",
			      kind == E_RTSP ? 554 : 80, user, pass, ch,
			      "0123456789abcdef", out);
}

static enum ym_av eng_feed(struct engine *e, const char *data, size_t len,
			   struct ym_audit_out *out)
{
	if (e->kind == E_TELNET)
		return ym_telnet_feed(&e->u.t, (const uint8_t *)data, len, out);
	if (e->kind == E_FTP)
		return ym_ftp_feed(&e->u.f, (const uint8_t *)data, len, out);
	return ym_http_feed(&e->u.h, (const uint8_t *)data, len, out);
}

/* Runs a transcript, the device's bytes of step `cut_step` split at `cut`
 * (no split when cut_step < 0); returns the verdict and appends everything
 * sent to sent. */
static enum ym_av run(enum eng kind, const struct step *steps, size_t n,
		      const char *user, const char *pass,
		      const struct ym_http_challenge *ch, int cut_step,
		      size_t cut, char *sent, size_t *sent_len)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct ym_audit_out out = { .len = 0 };
	enum ym_av v = YM_AV_MORE;

	assert_non_null(e);
	*sent_len = 0;
	eng_start(e, kind, user, pass, ch, &out);
	for (size_t i = 0; i < n && v == YM_AV_MORE; i++) {
		size_t len = steps[i].len ? steps[i].len :
					    strlen(steps[i].server);
		size_t first = (int)i == cut_step ? cut : len;

		v = eng_feed(e, steps[i].server, first, &out);
		if (v == YM_AV_MORE && first < len)
			v = eng_feed(e, steps[i].server + first, len - first,
				     &out);
		if (v == YM_AV_MORE && kind == E_TELNET)
			v = ym_telnet_quiet(&e->u.t, &out);
		memcpy(sent + *sent_len, out.buf, out.len);
		*sent_len += out.len;
		out.len = 0;
	}
	/* The transcript is over: the device closes. */
	if (v == YM_AV_MORE)
		v = kind == E_TELNET ? ym_telnet_eof(&e->u.t) :
		    kind == E_FTP    ? ym_ftp_eof(&e->u.f) :
				       ym_http_eof(&e->u.h);
	free(e);
	return v;
}

/* The whole transcript, then every cut of every step: same verdict, same
 * bytes sent. */
static void check_transcript(enum eng kind, const struct step *steps,
			     size_t n, const char *user, const char *pass,
			     const struct ym_http_challenge *ch,
			     enum ym_av expect, const char *expect_sent)
{
	static char sent[8192], sent2[8192];
	size_t len, len2;
	enum ym_av v;

	v = run(kind, steps, n, user, pass, ch, -1, 0, sent, &len);
	if (v != expect)
		fail_msg("verdict %d, expected %d", v, expect);
	if (expect_sent &&
	    (len != strlen(expect_sent) || memcmp(sent, expect_sent, len)))
		fail_msg("sent '%.*s', expected '%s'", (int)len, sent,
			 expect_sent);
	for (size_t i = 0; i < n; i++) {
		size_t slen = steps[i].len ? steps[i].len :
					     strlen(steps[i].server);

		for (size_t cut = 0; cut <= slen; cut++) {
			v = run(kind, steps, n, user, pass, ch, (int)i, cut,
				sent2, &len2);
			if (v != expect || len2 != len ||
			    memcmp(sent, sent2, len))
				fail_msg("step %zu cut at %zu: verdict %d", i,
					 cut, v);
		}
	}
}

#define N(a) YM_ARRAY_SIZE(a)
/* BusyBox telnetd's first bytes: DO ECHO, DO NAWS, WILL ECHO, WILL SGA. */
#define BB_IAC "\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x01\xff\xfb\x03"
#define BB_REPLY "\xff\xfc\x01\xff\xfc\x1f\xff\xfe\x01\xff\xfe\x03"

static void test_telnet_busybox(void **state)
{
	/* An OpenWrt router (BusyBox telnetd and login). */
	static const struct step ok[] = {
		{ BB_IAC "\r\n\r\nOpenWrt login: ", 0, NULL },
		{ "root\r\nPassword: ", 0, NULL },
		{ "\r\n\r\n\r\nBusyBox v1.19.4 (2013-03-14 11:28:31 UTC) "
		  "built-in shell (ash)\r\nEnter 'help' for a list of "
		  "built-in commands.\r\n\r\n"
		  "  _______                     ________        __\r\n"
		  " |       |.-----.-----.-----.|  |  |  |.----.|  |_\r\n"
		  " |   -   ||  _  |  -__|     ||  |  |  ||   _||   _|\r\n"
		  " |_______||   __|_____|__|__||________||__|  |____|\r\n"
		  "          |__| W I R E L E S S   F R E E D O M\r\n"
		  " -----------------------------------------------------\r\n"
		  "root@OpenWrt:~# ",
		  0, NULL },
	};
	static const struct step refused[] = {
		{ BB_IAC "\r\n\r\nOpenWrt login: ", 0, NULL },
		{ "root\r\nPassword: ", 0, NULL },
		{ "\r\nLogin incorrect\r\nOpenWrt login: ", 0, NULL },
	};

	(void)state;
	check_transcript(E_TELNET, ok, N(ok), "root", "xc3511", NULL,
			 YM_AV_ACCEPTED, BB_REPLY "root\r\nxc3511\r\n");
	check_transcript(E_TELNET, refused, N(refused), "root", "xc3511", NULL,
			 YM_AV_REFUSED, BB_REPLY "root\r\nxc3511\r\n");
	/* A probe stops at the prompt and sends nothing but the refusals. */
	check_transcript(E_TELNET, ok, 1, NULL, NULL, NULL, YM_AV_LOGIN,
			 BB_REPLY);
}

static void test_telnet_embedded(void **state)
{
	/* A Xiongmai-based DVR (the boards Mirai took over). */
	static const struct step dvr_ok[] = {
		{ "\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x01\xff\xfb\x03"
		  "LocalHost login: ", 0, NULL },
		{ "root\r\nPassword: ", 0, NULL },
		{ "\r\n\r\n\r\nBusyBox v1.16.1 (2013-07-19 15:40:43 CST) "
		  "built-in shell (ash)\r\nEnter 'help' for a list of "
		  "built-in commands.\r\n\r\n# ",
		  0, NULL },
	};
	/* A Dahua-style camera that says nothing but asks again. */
	static const struct step cam_refused[] = {
		{ "\r\n(none) login: ", 0, NULL },
		{ "admin\r\n", 0, NULL },
		{ "Password: ", 0, NULL },
		{ "\r\n\r\n(none) login: ", 0, NULL },
	};
	/* A Huawei home gateway's CLI. */
	static const struct step gw_ok[] = {
		{ "\r\nLogin:", 0, NULL },
		{ "Password:", 0, NULL },
		{ "\r\nWAP>", 0, NULL },
	};
	static const struct step gw_refused[] = {
		{ "\r\nLogin:", 0, NULL },
		{ "Password:", 0, NULL },
		{ "\r\nUsername or password error, please try again!\r\n"
		  "Login:",
		  0, NULL },
	};
	/* A Cisco-like CLI, with colour escapes around the prompt. */
	static const struct step cli_refused[] = {
		{ "\r\n\r\nUser Access Verification\r\n\r\n\x1b[1mUsername: "
		  "\x1b[0m",
		  0, NULL },
		{ "Password: ", 0, NULL },
		{ "\r\n% Authentication failed\r\n\r\nUsername: ", 0, NULL },
	};
	/* A device that only asks for a password. */
	static const struct step pw_only[] = {
		{ "\r\nPassword: ", 0, NULL },
		{ "\r\n> ", 0, NULL },
	};
	/* A Linux box: "Last login:" and "failed login attempts" are not
	 * failures, the final "$ " is a shell. */
	static const struct step linux_ok[] = {
		{ "Debian GNU/Linux 12\r\nbox login: ", 0, NULL },
		{ "pi\r\nPassword: ", 0, NULL },
		{ "\r\nLast login: Mon Jan  1 10:00:00 2024 from 10.0.0.5\r\n"
		  "There were 3 failed login attempts since the last "
		  "successful login.\r\n\x1b[01;32mpi@box\x1b[00m:~$ ",
		  0, NULL },
	};
	/* A banner of '#' art before the prompt, and a NUL. */
	static const struct step banner[] = {
		{ "\r\n#####################\r\n# Welcome to IPC #\r\n"
		  "##########\0###########\r\nIPCamera login: ",
		  0, NULL },
	};
	/* Hung up after the password. */
	static const struct step hangup[] = {
		{ "login: ", 0, NULL },
		{ "Password: ", 0, NULL },
	};

	(void)state;
	check_transcript(E_TELNET, dvr_ok, N(dvr_ok), "root", "xc3511", NULL,
			 YM_AV_ACCEPTED, BB_REPLY "root\r\nxc3511\r\n");
	check_transcript(E_TELNET, cam_refused, N(cam_refused), "admin", "x",
			 NULL, YM_AV_REFUSED, "admin\r\nx\r\n");
	check_transcript(E_TELNET, gw_ok, N(gw_ok), "root", "admin", NULL,
			 YM_AV_ACCEPTED, "root\r\nadmin\r\n");
	check_transcript(E_TELNET, gw_refused, N(gw_refused), "root", "admin",
			 NULL, YM_AV_REFUSED, "root\r\nadmin\r\n");
	check_transcript(E_TELNET, cli_refused, N(cli_refused), "admin", "x",
			 NULL, YM_AV_REFUSED, "admin\r\nx\r\n");
	check_transcript(E_TELNET, pw_only, N(pw_only), "admin", "1234", NULL,
			 YM_AV_ACCEPTED, "1234\r\n");
	check_transcript(E_TELNET, linux_ok, N(linux_ok), "pi", "raspberry",
			 NULL, YM_AV_ACCEPTED, "pi\r\nraspberry\r\n");
	{
		struct step b = banner[0];

		b.len = sizeof("\r\n#####################\r\n# Welcome to IPC "
			       "#\r\n##########\0###########\r\nIPCamera "
			       "login: ") - 1;
		check_transcript(E_TELNET, &b, 1, NULL, NULL, NULL,
				 YM_AV_LOGIN, "");
	}
	check_transcript(E_TELNET, hangup, N(hangup), "root", "x", NULL,
			 YM_AV_REFUSED, "root\r\nx\r\n");
}

static void test_telnet_classify(void **state)
{
	static const struct {
		const char *text;
		enum ym_telnet_screen s;
	} cases[] = {
		{ "OpenWrt login: ", YM_TS_LOGIN },
		{ "Username:", YM_TS_LOGIN },
		{ "User Name :", YM_TS_LOGIN },
		{ "login as: ", YM_TS_LOGIN },
		{ "Password: ", YM_TS_PASSWORD },
		{ "admin's password:", YM_TS_PASSWORD },
		{ "~ # ", YM_TS_SHELL },
		{ "/ # ", YM_TS_SHELL },
		{ "root@dev:~# ", YM_TS_SHELL },
		{ "[admin@MikroTik] > ", YM_TS_SHELL },
		{ "<HG8245H>", YM_TS_SHELL },
		{ "Login incorrect\n", YM_TS_FAILED },
		{ "Access denied\nlogin: ", YM_TS_FAILED },
		{ "Last login: Mon", YM_TS_NONE },
		{ "Last login:", YM_TS_NONE },
		{ "Welcome\n", YM_TS_NONE },
		{ "", YM_TS_NONE },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		if (ym_telnet_classify(cases[i].text, strlen(cases[i].text)) !=
		    cases[i].s)
			fail_msg("'%s'", cases[i].text);
}

static void test_telnet_hostile(void **state)
{
	struct ym_telnet *t = calloc(1, sizeof(*t));
	struct ym_audit_out out = { .len = 0 };
	uint8_t buf[4096];

	(void)state;
	assert_non_null(t);
	ym_telnet_start(t, "root", "x");
	/* The same option asked a thousand times is answered once: two
	 * refusing ends cannot loop. */
	for (int i = 0; i < 1000; i++) {
		static const uint8_t ask[] = { 255, 253, 24, 255, 251, 1 };

		assert_int_equal(ym_telnet_feed(t, ask, sizeof(ask), &out),
				 YM_AV_MORE);
	}
	assert_int_equal(out.len, 6);
	/* Random bytes, endless subnegotiation, a huge screen: bounded. */
	srand(7);
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rand();
		ym_telnet_feed(t, buf, sizeof(buf), &out);
		ym_telnet_quiet(t, &out);
		assert_true(out.len <= sizeof(out.buf));
		assert_true(t->screen_len <= sizeof(t->screen));
		out.len = 0;
	}
	free(t);
}

static void test_ftp(void **state)
{
	static const struct step ok[] = {
		{ "220 (vsFTPd 3.0.3)\r\n331 Please specify the password.\r\n"
		  "230 Login successful.\r\n",
		  0, NULL },
	};
	static const struct step refused[] = {
		{ "220-Welcome to the camera\r\n220-Be nice\r\n"
		  "some text without a code\r\n220 Ready\r\n"
		  "331 Password required for admin\r\n530 Login incorrect.\r\n",
		  0, NULL },
	};
	static const struct step nopass[] = {
		{ "220 FTP\n230 User logged in, proceed.\n", 0, NULL },
	};
	static const struct step not_ftp[] = {
		{ "SSH-2.0-OpenSSH_9.2p1\r\n", 0, NULL },
	};
	static const struct step busy[] = {
		{ "421 Too many connections\r\n", 0, NULL },
	};

	(void)state;
	check_transcript(E_FTP, ok, 1, "admin", "7ujMko0admin", NULL,
			 YM_AV_ACCEPTED,
			 "USER admin\r\nPASS 7ujMko0admin\r\nQUIT\r\n");
	check_transcript(E_FTP, refused, 1, "admin", "x", NULL, YM_AV_REFUSED,
			 "USER admin\r\nPASS x\r\nQUIT\r\n");
	check_transcript(E_FTP, nopass, 1, "admin", "x", NULL, YM_AV_ACCEPTED,
			 "USER admin\r\nQUIT\r\n");
	check_transcript(E_FTP, ok, 1, NULL, NULL, NULL, YM_AV_LOGIN,
			 "QUIT\r\n");
	check_transcript(E_FTP, not_ftp, 1, "admin", "x", NULL, YM_AV_ABSENT,
			 "");
	check_transcript(E_FTP, busy, 1, "admin", "x", NULL, YM_AV_ERROR, "");
}

static void test_ftp_long_line(void **state)
{
	struct ym_ftp f;
	struct ym_audit_out out = { .len = 0 };
	char line[3000];

	(void)state;
	ym_ftp_start(&f, "admin", "x");
	memset(line, 'a', sizeof(line));
	memcpy(line, "220 ", 4);
	line[sizeof(line) - 2] = '\r';
	line[sizeof(line) - 1] = '\n';
	assert_int_equal(ym_ftp_feed(&f, (const uint8_t *)line, sizeof(line),
				     &out),
			 YM_AV_MORE);
	assert_int_equal(out.len, strlen("USER admin\r\n"));
	assert_int_equal(ym_ftp_eof(&f), YM_AV_ERROR);
}

static void test_http(void **state)
{
	static const struct step probe_digest[] = {
		{ "HTTP/1.1 401 Unauthorized\r\nServer: lighttpd\r\n"
		  "WWW-Authenticate: Basic realm=\"cam\"\r\n"
		  "WWW-Authenticate: Digest realm=\"cam\", charset=UTF-8, "
		  "algorithm=MD5, nonce=\"66b2c4a1:5e1f\", qop=\"auth\"\r\n"
		  "Content-Length: 0\r\n\r\n",
		  0, NULL },
	};
	static const struct step open_page[] = {
		{ "HTTP/1.0 200 OK\nContent-Type: text/html\n\n<html>", 0,
		  NULL },
	};
	static const struct step form_page[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
		  "Content-Length: 150\r\n\r\n<html><body><form method=post "
		  "action=/login.cgi>",
		  0, NULL },
		{ "User <input name=user> Password <INPUT TYPE = 'Password' "
		  "name=pw><input type=submit></form></body></html>"
		  "                              ",
		  0, NULL },
	};
	static const struct step script_form[] = {
		{ "HTTP/1.0 200 OK\n\n<script>var p = "
		  "document.createElement('input'); p.type = \"password\";"
		  "</script>",
		  0, NULL },
	};
	static const struct step plain_page[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n"
		  "<html><body>Living room TV</body></html>\r\n",
		  0, NULL },
	};
	static const struct step cut_page[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n<html>", 0,
		  NULL },
	};
	static const struct step redirect[] = {
		{ "HTTP/1.1 302 Found\r\nLocation: /login.html\r\n\r\n", 0,
		  NULL },
	};
	static const struct step garbage[] = {
		{ "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11, NULL },
	};
	static const struct step accepted[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0,
		  NULL },
	};
	static const struct step refused[] = {
		{ "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest "
		  "realm=\"cam\", nonce=\"fresh\", qop=\"auth\"\r\n\r\n",
		  0, NULL },
	};
	static const struct step stale[] = {
		{ "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest "
		  "realm=\"cam\", nonce=\"fresh\", qop=\"auth\", stale=true"
		  "\r\n\r\n",
		  0, NULL },
	};
	struct ym_http_challenge basic = { .scheme = YM_AUTH_BASIC };
	struct ym_http *h = calloc(1, sizeof(*h));
	struct ym_audit_out out = { .len = 0 };

	(void)state;
	assert_non_null(h);
	check_transcript(E_HTTP, probe_digest, 1, NULL, NULL, NULL,
			 YM_AV_LOGIN,
			 "GET / HTTP/1.1\r\nHost: 10.233.0.11\r\nAccept: */*\r\n"
			 "Connection: close\r\nUser-Agent: Yamori/1.0\r\n\r\n");
	check_transcript(E_HTTP, open_page, 1, NULL, NULL, NULL, YM_AV_OPEN,
			 NULL);
	check_transcript(E_HTTP, redirect, 1, NULL, NULL, NULL, YM_AV_ABSENT,
			 NULL);
	/* Login forms: asks for a password, but not with Basic or Digest. */
	check_transcript(E_HTTP, form_page, N(form_page), NULL, NULL, NULL,
			 YM_AV_LOGIN, NULL);
	check_transcript(E_HTTP, script_form, 1, NULL, NULL, NULL,
			 YM_AV_LOGIN, NULL);
	check_transcript(E_HTTP, plain_page, 1, NULL, NULL, NULL, YM_AV_OPEN,
			 NULL);
	check_transcript(E_HTTP, cut_page, 1, NULL, NULL, NULL, YM_AV_ERROR,
			 NULL);
	ym_http_start(h, false, "10.233.0.11", 80, NULL, NULL, NULL, "c",
		      &out);
	assert_int_equal(ym_http_feed(h, (const uint8_t *)form_page[0].server,
				      strlen(form_page[0].server), &out),
			 YM_AV_MORE);
	assert_int_equal(ym_http_feed(h, (const uint8_t *)form_page[1].server,
				      strlen(form_page[1].server), &out),
			 YM_AV_LOGIN);
	assert_true(h->form);
	assert_int_equal(h->ch.scheme, YM_AUTH_NONE);
	/* A big page without a form cannot be told apart from one whose form
	 * comes late: not checked, rather than "no password". */
	{
		char *big = malloc(YM_HTTP_PAGE_MAX + 200);

		assert_non_null(big);
		memset(h, 0, sizeof(*h));
		ym_http_start(h, false, "10.233.0.11", 80, NULL, NULL, NULL,
			      "c", &out);
		memcpy(big, "HTTP/1.1 200 OK\r\n\r\n", 19);
		memset(big + 19, 'a', YM_HTTP_PAGE_MAX + 100);
		assert_int_equal(ym_http_feed(h, (const uint8_t *)big,
					      YM_HTTP_PAGE_MAX + 119, &out),
				 YM_AV_ERROR);
		assert_false(h->form);
		free(big);
	}
	memset(h, 0, sizeof(*h));
	out.len = 0;
	check_transcript(E_HTTP, garbage, 1, NULL, NULL, NULL, YM_AV_ABSENT,
			 NULL);
	check_transcript(E_HTTP, accepted, 1, "admin", "pw", &basic,
			 YM_AV_ACCEPTED,
			 "GET / HTTP/1.1\r\nHost: 10.233.0.11\r\nAccept: */*\r\n"
			 "Connection: close\r\nAuthorization: Basic "
			 "YWRtaW46cHc=\r\nUser-Agent: Yamori/1.0\r\n\r\n");
	check_transcript(E_HTTP, refused, 1, "admin", "pw", &basic,
			 YM_AV_REFUSED, NULL);
	check_transcript(E_HTTP, stale, 1, "admin", "pw", &basic, YM_AV_STALE,
			 NULL);
	/* The probe kept the Digest challenge, preferred to Basic. */
	ym_http_start(h, false, "10.233.0.11", 80, NULL, NULL, NULL, "c",
		      &out);
	assert_int_equal(ym_http_feed(h, (const uint8_t *)probe_digest[0].server,
				      strlen(probe_digest[0].server), &out),
			 YM_AV_LOGIN);
	assert_int_equal(h->ch.scheme, YM_AUTH_DIGEST);
	assert_string_equal(h->ch.nonce, "66b2c4a1:5e1f");
	free(h);
}

static void test_http_head_limit(void **state)
{
	struct ym_http *h = calloc(1, sizeof(*h));
	struct ym_audit_out out = { .len = 0 };
	char *big = malloc(YM_HTTP_HEAD_MAX + 100);
	size_t n;

	(void)state;
	assert_non_null(h);
	assert_non_null(big);
	/* Endless headers: an error at the limit, never a bigger buffer. */
	ym_http_start(h, false, "10.0.0.2", 8080, NULL, NULL, NULL, "c", &out);
	assert_non_null(strstr(out.buf, "Host: 10.0.0.2:8080\r\n"));
	n = (size_t)snprintf(big, 64, "HTTP/1.1 200 OK\r\n");
	memset(big + n, 'x', YM_HTTP_HEAD_MAX + 100 - n);
	assert_int_equal(ym_http_feed(h, (const uint8_t *)big,
				      YM_HTTP_HEAD_MAX + 100, &out),
			 YM_AV_ERROR);
	free(big);
	free(h);
}

static void test_rtsp(void **state)
{
	static const struct step probe[] = {
		{ "RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, "
		  "SETUP, PLAY, TEARDOWN\r\nContent-Length: 4\r\n\r\nabcd",
		  0, NULL },
		{ "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: "
		  "Digest realm=\"IP Camera\", nonce=\"0a1b2c\"\r\n\r\n",
		  0, NULL },
	};
	static const struct step open_stream[] = {
		{ "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n", 0, NULL },
		{ "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: "
		  "application/sdp\r\nContent-Length: 3\r\n\r\nv=0",
		  0, NULL },
	};
	static const struct step accepted[] = {
		{ "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n", 0, NULL },
	};
	static const struct step not_rtsp[] = {
		{ "HTTP/1.1 400 Bad Request\r\n\r\n", 0, NULL },
	};
	struct ym_http_challenge ch;
	const char *hdr = "Digest realm=\"IP Camera\", nonce=\"0a1b2c\"";
	char expect[1024], auth[512];

	(void)state;
	check_transcript(E_RTSP, probe, N(probe), NULL, NULL, NULL,
			 YM_AV_LOGIN,
			 "OPTIONS rtsp://10.233.0.11:554/ RTSP/1.0\r\nCSeq: 1\r\n"
			 "User-Agent: Yamori/1.0\r\n\r\n"
			 "DESCRIBE rtsp://10.233.0.11:554/ RTSP/1.0\r\nCSeq: 2\r\n"
			 "Accept: application/sdp\r\nUser-Agent: Yamori/1.0"
			 "\r\n\r\n");
	check_transcript(E_RTSP, open_stream, N(open_stream), NULL, NULL, NULL,
			 YM_AV_OPEN, NULL);
	check_transcript(E_RTSP, not_rtsp, 1, NULL, NULL, NULL, YM_AV_ABSENT,
			 NULL);
	/* A login answers the Digest challenge over the rtsp:// URI. */
	assert_int_equal(ym_http_parse_challenge(hdr, strlen(hdr), &ch), 0);
	assert_int_equal(ym_http_authorization(&ch, "DESCRIBE",
					       "rtsp://10.233.0.11:554/",
					       "admin", "12345",
					       "0123456789abcdef", 1, auth,
					       sizeof(auth)),
			 0);
	snprintf(expect, sizeof(expect),
		 "DESCRIBE rtsp://10.233.0.11:554/ RTSP/1.0\r\nCSeq: 1\r\n"
		 "Accept: application/sdp\r\nAuthorization: %s\r\n"
		 "User-Agent: Yamori/1.0\r\n\r\n",
		 auth);
	check_transcript(E_RTSP, accepted, 1, "admin", "12345", &ch,
			 YM_AV_ACCEPTED, expect);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_creds_parse_ok),
		cmocka_unit_test(test_creds_parse_errors),
		cmocka_unit_test(test_creds_load_errors),
		cmocka_unit_test(test_creds_select_order),
		cmocka_unit_test(test_shipped_lists),
		cmocka_unit_test(test_lan_only),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_budget_survives_restart),
		cmocka_unit_test(test_digest_rfc2617),
		cmocka_unit_test(test_basic_and_challenges),
		cmocka_unit_test(test_telnet_busybox),
		cmocka_unit_test(test_telnet_embedded),
		cmocka_unit_test(test_telnet_classify),
		cmocka_unit_test(test_telnet_hostile),
		cmocka_unit_test(test_ftp),
		cmocka_unit_test(test_ftp_long_line),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_http_head_limit),
		cmocka_unit_test(test_rtsp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
