/* TCP SYN fingerprints in p0f's form: the tuple of a SYN (TTL, options
 * layout, MSS, window, quirks) read from the bytes; signatures parsed and
 * matched as p0f does (mss*N windows, TTL within 35 hops, quirks of the
 * other IP version ignored); cut and malformed packets and signatures
 * refused, never read past their end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "p0f.h"

/* A Linux 3.x+ SYN: DF, IP ID set, MSS 1460, window 29200 (mss*20),
 * options mss,sok,ts,nop,ws 7. */
static const uint8_t linux_syn[] = {
	0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	192,  168,  1,	  23,	93,   184,  216,  34,
	/* TCP */
	0xc3, 0x50, 0x01, 0xbb, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0x72, 0x10, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x01, 0x02, 0x03,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* A Windows 10 SYN: TTL 128, window 64240, options
 * mss,nop,ws,nop,nop,sok, scale 8. */
static const uint8_t windows_syn[] = {
	0x45, 0x00, 0x00, 0x34, 0x7a, 0x01, 0x40, 0x00, 0x80, 0x06, 0x00, 0x00,
	192,  168,  1,	  40,	20,   42,   65,	  92,
	0xd4, 0x31, 0x01, 0xbb, 0x0a, 0x0b, 0x0c, 0x0d, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x08, 0x01, 0x01, 0x04, 0x02,
};

static void test_reads_a_linux_syn(void **state)
{
	struct ym_syn s;

	(void)state;
	assert_true(ym_syn_read(linux_syn, sizeof(linux_syn), &s));
	assert_int_equal(s.ver, 4);
	assert_int_equal(s.ttl, 64);
	assert_int_equal(s.olen, 0);
	assert_int_equal(s.mss, 1460);
	assert_int_equal(s.wsize, 29200);
	assert_int_equal(s.scale, 7);
	assert_string_equal(s.olayout, "mss,sok,ts,nop,ws");
	assert_int_equal(s.quirks, YM_SYN_DF | YM_SYN_ID_PLUS);
	assert_false(s.payload);
}

static void test_signatures_match_as_p0f_does(void **state)
{
	struct ym_syn lin, win;
	struct ym_syn_sig sig;
	const char *why;

	(void)state;
	assert_true(ym_syn_read(linux_syn, sizeof(linux_syn), &lin));
	assert_true(ym_syn_read(windows_syn, sizeof(windows_syn), &win));
	assert_string_equal(win.olayout, "mss,nop,ws,nop,nop,sok");
	/* p0f's "Linux 3.11 and newer" and "Windows 10 or 11". */
	assert_int_equal(ym_syn_sig_parse(
				 "*:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0",
				 &sig, &why),
			 0);
	assert_true(ym_syn_sig_match(&sig, &lin, false));
	assert_false(ym_syn_sig_match(&sig, &win, false));
	assert_int_equal(ym_syn_sig_parse(
				 "*:128:0:*:64240,8:mss,nop,ws,nop,nop,sok:df,id+:0",
				 &sig, &why),
			 0);
	assert_true(ym_syn_sig_match(&sig, &win, false));
	assert_false(ym_syn_sig_match(&sig, &lin, false));
	/* Seen a few hops away: the TTL went down, still the same system;
	 * more than 35 below is another one. */
	win.ttl = 120;
	assert_true(ym_syn_sig_match(&sig, &win, false));
	win.ttl = 90;
	assert_false(ym_syn_sig_match(&sig, &win, false));
	win.ttl = 128;
	/* A window that is no multiple of the MSS, a different scale, a
	 * missing quirk: no match. */
	assert_int_equal(ym_syn_sig_parse(
				 "*:64:0:*:mss*10,7:mss,sok,ts,nop,ws:df,id+:0",
				 &sig, &why),
			 0);
	assert_false(ym_syn_sig_match(&sig, &lin, false));
	assert_int_equal(ym_syn_sig_parse(
				 "*:64:0:*:mss*20,5:mss,sok,ts,nop,ws:df,id+:0",
				 &sig, &why),
			 0);
	assert_false(ym_syn_sig_match(&sig, &lin, false));
	assert_int_equal(ym_syn_sig_parse(
				 "*:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df:0",
				 &sig, &why),
			 0);
	assert_false(ym_syn_sig_match(&sig, &lin, false));
	/* Wildcards and %N. */
	assert_int_equal(ym_syn_sig_parse(
				 "4:64:0:1460:%8,*:mss,sok,ts,nop,ws:df,id+:*",
				 &sig, &why),
			 0);
	assert_true(ym_syn_sig_match(&sig, &lin, false));
	assert_int_equal(ym_syn_sig_parse(
				 "6:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0", &sig,
				 &why),
			 0);
	assert_false(ym_syn_sig_match(&sig, &lin, false));
	/* mtu*N: a window of two MTUs (MSS + 40 over IPv4). */
	{
		uint8_t p[sizeof(linux_syn)];

		memcpy(p, linux_syn, sizeof(p));
		p[34] = 0x0b; /* window 3000 */
		p[35] = 0xb8;
		assert_true(ym_syn_read(p, sizeof(p), &lin));
		assert_true(lin.win_mtu);
		assert_int_equal(lin.win_multi, 2);
		assert_int_equal(ym_syn_sig_parse("*:64:0:*:mtu*2,7:mss,sok,ts,"
						  "nop,ws:df,id+:0",
						  &sig, &why),
				 0);
		assert_true(ym_syn_sig_match(&sig, &lin, false));
		/* With timestamps, p0f also tries the MSS less 12:
		 * 14480 = 1448 * 10 is mss*10. */
		p[34] = 0x38;
		p[35] = 0x90;
		assert_true(ym_syn_read(p, sizeof(p), &lin));
		assert_false(lin.win_mtu);
		assert_int_equal(lin.win_multi, 10);
	}
}

/* p0f's second try: df and id+ may have gone, ecn and id- may have
 * come (Apple's SYNs ask for ECN since 2017). Nothing else. */
static void test_fuzzy_match(void **state)
{
	uint8_t p[sizeof(linux_syn)];
	struct ym_syn syn;
	struct ym_syn_sig sig;
	const char *why;

	(void)state;
	assert_int_equal(ym_syn_sig_parse(
				 "*:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0",
				 &sig, &why),
			 0);
	memcpy(p, linux_syn, sizeof(p));
	p[33] = 0xc2; /* SYN with ECE and CWR */
	assert_true(ym_syn_read(p, sizeof(p), &syn));
	assert_true(syn.quirks & YM_SYN_ECN);
	assert_false(ym_syn_sig_match(&sig, &syn, false));
	assert_true(ym_syn_sig_match(&sig, &syn, true));
	memcpy(p, linux_syn, sizeof(p));
	p[6] = 0x00; /* DF gone, the IP ID still set */
	assert_true(ym_syn_read(p, sizeof(p), &syn));
	assert_false(ym_syn_sig_match(&sig, &syn, false));
	assert_true(ym_syn_sig_match(&sig, &syn, true));
	/* A quirk that may not come: pushf+. */
	memcpy(p, linux_syn, sizeof(p));
	p[33] = 0x0a;
	assert_true(ym_syn_read(p, sizeof(p), &syn));
	assert_false(ym_syn_sig_match(&sig, &syn, true));
}

static void test_ipv6_syn_and_its_quirks(void **state)
{
	uint8_t p[40 + 40];
	struct ym_syn s;
	struct ym_syn_sig sig;
	const char *why;

	(void)state;
	memset(p, 0, sizeof(p));
	p[0] = 0x60;
	p[3] = 0x01; /* a flow label */
	p[5] = 40;   /* payload length */
	p[6] = 6;
	p[7] = 64;
	memcpy(p + 40, linux_syn + 20, 40);
	assert_true(ym_syn_read(p, sizeof(p), &s));
	assert_int_equal(s.ver, 6);
	assert_int_equal(s.quirks, YM_SYN_FLOW);
	/* A signature for both versions ignores its IPv4 quirks df and
	 * id+, and the packet's flow label (Linux labels its flows; p0f's
	 * signatures were written from IPv4). */
	assert_int_equal(ym_syn_sig_parse(
				 "*:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0",
				 &sig, &why),
			 0);
	assert_true(ym_syn_sig_match(&sig, &s, false));
	/* An IPv6 signature says whether it wants one. */
	assert_int_equal(ym_syn_sig_parse(
				 "6:64:0:*:mss*20,7:mss,sok,ts,nop,ws::0",
				 &sig, &why),
			 0);
	assert_false(ym_syn_sig_match(&sig, &s, false));
	p[3] = 0;
	assert_true(ym_syn_read(p, sizeof(p), &s));
	assert_int_equal(s.quirks, 0);
	assert_true(ym_syn_sig_match(&sig, &s, false));
	assert_int_equal(ym_syn_sig_parse(
				 "4:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0",
				 &sig, &why),
			 0);
	assert_false(ym_syn_sig_match(&sig, &s, false));
	/* An extension header is not followed. */
	p[6] = 0;
	assert_false(ym_syn_read(p, sizeof(p), &s));
}

static void test_other_packets_and_cut_ones_are_not_read(void **state)
{
	uint8_t p[sizeof(linux_syn)];
	struct ym_syn s;

	(void)state;
	/* Every cut short of the TCP options' end. */
	for (uint32_t n = 0; n < sizeof(linux_syn); n++)
		assert_false(ym_syn_read(linux_syn, n, &s));
	memcpy(p, linux_syn, sizeof(p));
	p[33] = 0x12; /* SYN+ACK */
	assert_false(ym_syn_read(p, sizeof(p), &s));
	p[33] = 0x06; /* SYN+RST */
	assert_false(ym_syn_read(p, sizeof(p), &s));
	memcpy(p, linux_syn, sizeof(p));
	p[9] = 17; /* UDP */
	assert_false(ym_syn_read(p, sizeof(p), &s));
	memcpy(p, linux_syn, sizeof(p));
	p[7] = 0x10; /* a later fragment */
	assert_false(ym_syn_read(p, sizeof(p), &s));
	memcpy(p, linux_syn, sizeof(p));
	p[32] = 0xf0; /* a TCP header longer than the packet */
	assert_false(ym_syn_read(p, sizeof(p), &s));
	memcpy(p, linux_syn, sizeof(p));
	p[6] = 0x60; /* the first of several fragments (MF) */
	assert_false(ym_syn_read(p, sizeof(p), &s));
	memcpy(p, linux_syn, sizeof(p));
	p[33] = 0x03; /* SYN+FIN */
	assert_false(ym_syn_read(p, sizeof(p), &s));
}

static void test_malformed_options_are_a_quirk(void **state)
{
	uint8_t p[sizeof(linux_syn)];
	struct ym_syn s;

	(void)state;
	/* A known option with a wrong length byte: read at its own size,
	 * as p0f does, and a quirk. */
	memcpy(p, linux_syn, sizeof(p));
	p[45] = 0x30;
	assert_true(ym_syn_read(p, sizeof(p), &s));
	assert_true(s.quirks & YM_SYN_BAD);
	assert_string_equal(s.olayout, "mss,sok,ts,nop,ws");
	/* An unknown option whose length runs past the header ends the
	 * walk. */
	memcpy(p, linux_syn, sizeof(p));
	p[56] = 30;
	p[57] = 0x30;
	assert_true(ym_syn_read(p, sizeof(p), &s));
	assert_true(s.quirks & YM_SYN_BAD);
	assert_string_equal(s.olayout, "mss,sok,ts,?30");
	/* A zero length would loop forever. */
	memcpy(p, linux_syn, sizeof(p));
	p[41] = 0;
	assert_true(ym_syn_read(p, sizeof(p), &s));
	assert_true(s.quirks & YM_SYN_BAD);
	/* End of options, then padding that is not zero: opt+. */
	memcpy(p, linux_syn, sizeof(p));
	p[56] = 0x00;
	assert_true(ym_syn_read(p, sizeof(p), &s));
	assert_string_equal(s.olayout, "mss,sok,ts,eol+3");
	assert_true(s.quirks & YM_SYN_OPT_PLUS);
	/* A scale above 14; an own timestamp of zero. */
	memcpy(p, linux_syn, sizeof(p));
	p[59] = 15;
	memset(p + 48, 0, 4);
	assert_true(ym_syn_read(p, sizeof(p), &s));
	assert_true(s.quirks & YM_SYN_EXWS);
	assert_true(s.quirks & YM_SYN_TS1_MINUS);
	/* Forty NOPs fill the layout without overflowing it. */
	{
		uint8_t big[20 + 60];

		memcpy(big, linux_syn, 40);
		big[3] = sizeof(big);
		big[32] = 0xf0;
		memset(big + 40, 1, 40);
		assert_true(ym_syn_read(big, sizeof(big), &s));
		assert_true(strlen(s.olayout) < sizeof(s.olayout));
		assert_true(s.quirks & YM_SYN_BAD);
	}
}

static void test_bad_signatures_are_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"*:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+",
		"*:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0:extra",
		"5:64:0:*:*,*:mss::0",
		"*:0:0:*:*,*:mss::0",
		"*:256:0:*:*,*:mss::0",
		"*:64:41:*:*,*:mss::0",
		"*:64:0:x:*,*:mss::0",
		"*:64:0:*:*:mss::0",
		"*:64:0:*:%0,*:mss::0",
		"*:64:0:*:mss*,*:mss::0",
		"*:64:0:*:mss*0,*:mss::0",
		"*:64:0:*:mtu*0,*:mss::0",
		"*:64:0:*:*,-1:mss::0",
		"*:64:0:*:*,*:mss,,ws::0",
		"*:64:0:*:*,*:mss,:df:0",
		"*:64:0:*:*,*:eol+x::0",
		"*:64:0:*:*,*:mss:zz:0",
		"*:64:0:*:*,*:mss::1",
	};
	struct ym_syn_sig sig;
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (ym_syn_sig_parse(bad[i], &sig, &why) == 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(why);
	}
	assert_int_equal(ym_syn_sig_parse("*:64-:0:1460:1024,0:mss::0", &sig,
					  &why),
			 0);
	assert_true(sig.bad_ttl);
	assert_int_equal(ym_syn_sig_parse("4:54+10:0:*:*,*:::+", &sig, &why),
			 0);
	assert_int_equal(sig.ittl, 64);
	assert_int_equal(sig.pclass, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_a_linux_syn),
		cmocka_unit_test(test_signatures_match_as_p0f_does),
		cmocka_unit_test(test_fuzzy_match),
		cmocka_unit_test(test_ipv6_syn_and_its_quirks),
		cmocka_unit_test(test_other_packets_and_cut_ones_are_not_read),
		cmocka_unit_test(test_malformed_options_are_a_quirk),
		cmocka_unit_test(test_bad_signatures_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
