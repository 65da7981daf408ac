/* TCP SYN fingerprints in p0f 3's form: reading the tuple of a SYN, and
 * parsing and matching signatures (see p0f.h). Every read is checked
 * against the captured length. */
#include "p0f.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIST 35 /* p0f: the farthest a TTL is believed to have come */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Appends one option's name to the layout; false when it is full. */
static bool layout_add(struct ym_syn *s, const char *name)
{
	size_t used = strlen(s->olayout);
	int n = snprintf(s->olayout + used, sizeof(s->olayout) - used, "%s%s",
			 used ? "," : "", name);

	if (n < 0 || (size_t)n >= sizeof(s->olayout) - used) {
		s->olayout[used] = '\0';
		return false;
	}
	return true;
}

/* An option's name in a layout, as p0f writes it ("?30": unknown). */
static const char *option_name(uint8_t opt, char *buf, size_t len)
{
	static const char *const known[9] = {
		[1] = "nop", [2] = "mss", [3] = "ws",
		[4] = "sok", [5] = "sack", [8] = "ts",
	};

	if (opt < 9 && known[opt])
		return known[opt];
	snprintf(buf, len, "?%u", opt);
	return buf;
}

/* Walks the TCP options as p0f 3 does (process.c): the layout in order;
 * MSS, window scale, SACK-permitted and timestamps read at their fixed
 * sizes whatever their length byte says (a wrong one is a quirk); other
 * options skipped by their length; anything that runs past the options'
 * end, or a layout too long to keep, ends the walk as "bad". Sets
 * *has_ts when a timestamp option is there. */
static void read_options(const uint8_t *p, const uint8_t *end,
			 struct ym_syn *s, bool *has_ts)
{
	char name[16];

	*has_ts = false;
	while (p < end) {
		uint8_t opt = *p++;
		uint32_t left;

		if (opt == 0) { /* end of options, then padding */
			snprintf(name, sizeof(name), "eol+%u",
				 (unsigned)(end - p));
			if (!layout_add(s, name))
				s->quirks |= YM_SYN_BAD;
			for (; p < end; p++)
				if (*p)
					s->quirks |= YM_SYN_OPT_PLUS;
			return;
		}
		if (!layout_add(s, option_name(opt, name, sizeof(name)))) {
			s->quirks |= YM_SYN_BAD;
			return;
		}
		left = (uint32_t)(end - p);
		switch (opt) {
		case 1:
			break;
		case 2:
			if (left < 3)
				goto bad;
			if (p[0] != 4)
				s->quirks |= YM_SYN_BAD;
			s->mss = be16(p + 1);
			p += 3;
			break;
		case 3:
			if (left < 2)
				goto bad;
			if (p[0] != 3)
				s->quirks |= YM_SYN_BAD;
			s->scale = p[1];
			if (s->scale > 14)
				s->quirks |= YM_SYN_EXWS;
			p += 2;
			break;
		case 4:
			if (left < 1)
				goto bad;
			if (p[0] != 2)
				s->quirks |= YM_SYN_BAD;
			p += 1;
			break;
		case 8:
			if (left < 9)
				goto bad;
			if (p[0] != 10)
				s->quirks |= YM_SYN_BAD;
			*has_ts = true;
			if (!be32(p + 1))
				s->quirks |= YM_SYN_TS1_MINUS;
			if (be32(p + 5))
				s->quirks |= YM_SYN_TS2_PLUS;
			p += 9;
			break;
		default:
			/* SACK (10 to 34 bytes) and options p0f does not
			 * know: skipped by their length. */
			if (left < 1 || p[0] < 2 || (uint32_t)p[0] - 1 > left)
				goto bad;
			if (opt == 5 && (p[0] < 10 || p[0] > 34))
				s->quirks |= YM_SYN_BAD;
			p += p[0] - 1;
			break;
		}
	}
	return;
bad:
	s->quirks |= YM_SYN_BAD;
}

/* What the window is a multiple of, in the order p0f 3 tries
 * (fp_tcp.c, detect_win_multi): the MSS, the MSS less 12 with
 * timestamps, the MSS of a 1500-byte link, then an MTU. */
static void window_multiple(struct ym_syn *s, bool has_ts, uint32_t hdr)
{
	uint32_t mss = s->mss > 0 ? (uint32_t)s->mss : 0;
	const struct {
		uint32_t div;
		bool mtu;
		bool when;
	} tries[] = {
		{ mss, false, true },
		{ mss - 12, false, has_ts && mss > 12 },
		{ 1500 - 40, false, true },
		{ 1500 - 40 - 12, false, true },
		{ 1500 - 60, false, s->ver == 6 },
		{ 1500 - 60 - 12, false, s->ver == 6 },
		{ mss + 40, true, true },
		{ mss + hdr, true, true },
		{ mss + 60, true, s->ver == 6 },
		{ 1500, true, true },
	};

	s->win_multi = 0;
	s->win_mtu = false;
	if (!s->wsize || mss < 100)
		return;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if (!tries[i].when || !tries[i].div ||
		    s->wsize % tries[i].div)
			continue;
		s->win_multi = s->wsize / tries[i].div;
		s->win_mtu = tries[i].mtu;
		return;
	}
}

bool ym_syn_read(const uint8_t *ip, uint32_t len, struct ym_syn *out)
{
	uint32_t off, thl, total = 0, flow;
	const uint8_t *tcp;
	uint8_t flags;
	bool has_ts;

	memset(out, 0, sizeof(*out));
	out->mss = -1;
	if (len < 20)
		return false;
	out->ver = ip[0] >> 4;
	if (out->ver == 4) {
		uint16_t frag = be16(ip + 6);

		off = (uint32_t)(ip[0] & 0x0f) * 4;
		/* Not a fragment, not even the first of several. */
		if (off < 20 || off > len || ip[9] != 6 || (frag & 0x3fff))
			return false;
		out->ttl = ip[8];
		out->olen = (uint8_t)(off - 20);
		total = be16(ip + 2);
		if (ip[1] & 0x03)
			out->quirks |= YM_SYN_ECN;
		if (frag & 0x8000)
			out->quirks |= YM_SYN_ZERO_PLUS;
		if (frag & 0x4000) {
			out->quirks |= YM_SYN_DF;
			if (be16(ip + 4))
				out->quirks |= YM_SYN_ID_PLUS;
		} else if (!be16(ip + 4)) {
			out->quirks |= YM_SYN_ID_MINUS;
		}
	} else if (out->ver == 6) {
		/* Extension headers are not followed (p0f's olen is 0 for
		 * IPv6 too). */
		if (len < 40 || ip[6] != 6)
			return false;
		off = 40;
		out->ttl = ip[7];
		total = 40u + be16(ip + 4);
		flow = (uint32_t)(ip[1] & 0x0f) << 16 | (uint32_t)ip[2] << 8 |
		       ip[3];
		if (flow)
			out->quirks |= YM_SYN_FLOW;
		if ((((ip[0] & 0x0f) << 4) | (ip[1] >> 4)) & 0x03)
			out->quirks |= YM_SYN_ECN;
	} else {
		return false;
	}
	if (len - off < 20)
		return false;
	tcp = ip + off;
	flags = tcp[13];
	/* An initial SYN: not a SYN+ACK, not a reset, no FIN. */
	if ((flags & 0x17) != 0x02)
		return false;
	thl = (uint32_t)(tcp[12] >> 4) * 4;
	if (thl < 20 || thl > len - off)
		return false;
	if ((flags & 0xc0) || (tcp[12] & 0x01)) /* ECE, CWR, NS */
		out->quirks |= YM_SYN_ECN;
	if (!be32(tcp + 4))
		out->quirks |= YM_SYN_SEQ_MINUS;
	if (be32(tcp + 8))
		out->quirks |= YM_SYN_ACK_PLUS;
	if (flags & 0x20)
		out->quirks |= YM_SYN_URGF_PLUS;
	else if (be16(tcp + 18))
		out->quirks |= YM_SYN_UPTR_PLUS;
	if (flags & 0x08)
		out->quirks |= YM_SYN_PUSHF_PLUS;
	out->wsize = be16(tcp + 14);
	read_options(tcp + 20, tcp + thl, out, &has_ts);
	window_multiple(out, has_ts, off + thl);
	out->payload = total > off + thl;
	return true;
}

/* A number of at most max, all of text; -1 when it is not one. */
static long number(const char *text, long max)
{
	char *end;
	long v;

	if (!text[0] || text[0] == '-' || text[0] == '+')
		return -1;
	v = strtol(text, &end, 10);
	return *end || v < 0 || v > max ? -1 : v;
}

static const struct {
	const char *name;
	uint32_t bit;
} quirk_names[] = {
	{ "df", YM_SYN_DF },	     { "id+", YM_SYN_ID_PLUS },
	{ "id-", YM_SYN_ID_MINUS },   { "ecn", YM_SYN_ECN },
	{ "0+", YM_SYN_ZERO_PLUS },   { "flow", YM_SYN_FLOW },
	{ "seq-", YM_SYN_SEQ_MINUS }, { "ack+", YM_SYN_ACK_PLUS },
	{ "ack-", YM_SYN_ACK_MINUS }, { "uptr+", YM_SYN_UPTR_PLUS },
	{ "urgf+", YM_SYN_URGF_PLUS }, { "pushf+", YM_SYN_PUSHF_PLUS },
	{ "ts1-", YM_SYN_TS1_MINUS }, { "ts2+", YM_SYN_TS2_PLUS },
	{ "opt+", YM_SYN_OPT_PLUS },  { "exws", YM_SYN_EXWS },
	{ "bad", YM_SYN_BAD },
};

static int parse_quirks(char *text, uint32_t *out)
{
	char *save = NULL;

	*out = 0;
	for (char *q = strtok_r(text, ",", &save); q;
	     q = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(quirk_names) / sizeof(quirk_names[0]);
		     i++)
			if (strcmp(q, quirk_names[i].name) == 0)
				break;
		if (i == sizeof(quirk_names) / sizeof(quirk_names[0]))
			return -1;
		*out |= quirk_names[i].bit;
	}
	return 0;
}

/* Each option name of a layout is one p0f knows. */
static int check_layout(const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, ",");
		char tok[16];

		if (n == 0 || n >= sizeof(tok))
			return -1;
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (strncmp(tok, "eol+", 4) == 0) {
			if (number(tok + 4, 40) < 0)
				return -1;
		} else if (tok[0] == '?') {
			if (number(tok + 1, 255) < 0)
				return -1;
		} else if (strcmp(tok, "nop") && strcmp(tok, "mss") &&
			   strcmp(tok, "ws") && strcmp(tok, "sok") &&
			   strcmp(tok, "sack") && strcmp(tok, "ts")) {
			return -1;
		}
		p += n;
		if (*p == ',' && !*++p)
			return -1;
	}
	return 0;
}

int ym_syn_sig_parse(const char *text, struct ym_syn_sig *out,
		     const char **why)
{
	char buf[256], *f[8], *p, *comma;
	long v;
	int n = 0;

	memset(out, 0, sizeof(*out));
	*why = "expected ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass";
	if (strlen(text) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", text);
	for (p = buf; n < 8; n++) {
		f[n] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n != 7 || p)
		return -1;
	if (strcmp(f[0], "*") == 0)
		out->ver = 0;
	else if (strcmp(f[0], "4") == 0 || strcmp(f[0], "6") == 0)
		out->ver = (uint8_t)(f[0][0] - '0');
	else
		return *why = "ver must be 4, 6 or *", -1;
	/* "64", "64-" (a random TTL up to 64) or "54+10" (seen + distance). */
	{
		size_t len = strlen(f[1]);
		char *plus = strchr(f[1], '+');
		long dist = 0;

		if (len && f[1][len - 1] == '-') {
			out->bad_ttl = true;
			f[1][len - 1] = '\0';
		} else if (plus) {
			*plus = '\0';
			dist = number(plus + 1, 255);
			if (dist < 0)
				return *why = "ittl must be a number", -1;
		}
		v = number(f[1], 255);
		if (v < 1 || v + dist > 255)
			return *why = "ittl must be a number of 1 to 255", -1;
		out->ittl = (uint8_t)(v + dist);
	}
	v = number(f[2], 40);
	if (v < 0)
		return *why = "olen must be a number of 0 to 40", -1;
	out->olen = (uint8_t)v;
	if (strcmp(f[3], "*") == 0) {
		out->mss = -1;
	} else {
		v = number(f[3], 65535);
		if (v < 0)
			return *why = "mss must be a number or *", -1;
		out->mss = (int32_t)v;
	}
	comma = strchr(f[4], ',');
	if (!comma)
		return *why = "expected wsize,scale", -1;
	*comma = '\0';
	if (strcmp(f[4], "*") == 0) {
		out->wtype = YM_SYN_WIN_ANY;
	} else {
		const char *num = f[4];

		out->wtype = YM_SYN_WIN_FIXED;
		if (strncmp(f[4], "mss*", 4) == 0) {
			out->wtype = YM_SYN_WIN_MSS;
			num = f[4] + 4;
		} else if (strncmp(f[4], "mtu*", 4) == 0) {
			out->wtype = YM_SYN_WIN_MTU;
			num = f[4] + 4;
		} else if (f[4][0] == '%') {
			out->wtype = YM_SYN_WIN_MOD;
			num = f[4] + 1;
		}
		v = number(num, 65535);
		if (v < 0 || (out->wtype != YM_SYN_WIN_FIXED && v == 0))
			return *why = "wsize must be N, mss*N, mtu*N, %N or *",
			       -1;
		out->wval = (uint32_t)v;
	}
	if (strcmp(comma + 1, "*") == 0) {
		out->scale = -1;
	} else {
		v = number(comma + 1, 255);
		if (v < 0)
			return *why = "scale must be a number or *", -1;
		out->scale = (int16_t)v;
	}
	if (check_layout(f[5]) < 0 || strlen(f[5]) >= sizeof(out->olayout))
		return *why = "olayout: unknown option name", -1;
	snprintf(out->olayout, sizeof(out->olayout), "%s", f[5]);
	if (parse_quirks(f[6], &out->quirks) < 0)
		return *why = "quirks: unknown quirk", -1;
	if (strcmp(f[7], "*") == 0)
		out->pclass = -1;
	else if (strcmp(f[7], "0") == 0)
		out->pclass = 0;
	else if (strcmp(f[7], "+") == 0)
		out->pclass = 1;
	else
		return *why = "pclass must be 0, + or *", -1;
	*why = NULL;
	return 0;
}

/* p0f's fuzzy fallback (fp_tcp.c): of the quirks, df and id+ may have
 * gone (a router in between cleared them) and id- and ecn may have come
 * (a system that turned ECN on: Apple's since 2017). */
#define FUZZY_GONE (YM_SYN_DF | YM_SYN_ID_PLUS)
#define FUZZY_COME (YM_SYN_ID_MINUS | YM_SYN_ECN)

bool ym_syn_sig_match(const struct ym_syn_sig *sig, const struct ym_syn *syn,
		      bool fuzzy)
{
	uint32_t want = sig->quirks, have = syn->quirks;

	if (sig->ver && sig->ver != syn->ver)
		return false;
	/* A signature for both versions ignores its quirks of the other
	 * version, and over IPv6 also the packet's flow label: p0f's
	 * signatures were written from IPv4, and Linux and macOS label
	 * their IPv6 flows. */
	if (!sig->ver) {
		want &= ~(uint32_t)(syn->ver == 6 ? YM_SYN_V4_ONLY :
						     YM_SYN_V6_ONLY);
		if (syn->ver == 6)
			have &= ~(uint32_t)YM_SYN_V6_ONLY;
	}
	if (want != have) {
		if (!fuzzy || (want & ~have & ~(uint32_t)FUZZY_GONE) ||
		    (have & ~want & ~(uint32_t)FUZZY_COME))
			return false;
	}
	if (sig->olen != syn->olen || strcmp(sig->olayout, syn->olayout) != 0)
		return false;
	if (sig->mss >= 0 && sig->mss != syn->mss)
		return false;
	if (sig->scale >= 0 && sig->scale != syn->scale)
		return false;
	if (sig->pclass >= 0 && sig->pclass != (syn->payload ? 1 : 0))
		return false;
	if (syn->ttl > sig->ittl ||
	    (!sig->bad_ttl && sig->ittl - syn->ttl > MAX_DIST))
		return false;
	switch (sig->wtype) {
	case YM_SYN_WIN_FIXED:
		return syn->wsize == sig->wval;
	case YM_SYN_WIN_MOD:
		return syn->wsize % sig->wval == 0;
	case YM_SYN_WIN_MSS:
		return !syn->win_mtu && syn->win_multi == sig->wval;
	case YM_SYN_WIN_MTU:
		return syn->win_mtu && syn->win_multi == sig->wval;
	default:
		return true;
	}
}
