#include "util.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void ym_mac_format(const uint8_t m[6], char out[YM_MAC_STRLEN])
{
	snprintf(out, YM_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ym_mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return -EINVAL;
			s++;
		}
	}
	return *s == '\0' ? 0 : -EINVAL;
}

bool ym_mac_is_unicast(const uint8_t m[6])
{
	static const uint8_t zero[6];

	return !(m[0] & 1) && memcmp(m, zero, 6) != 0;
}

bool ym_mac_is_local_admin(const uint8_t m[6])
{
	return (m[0] & 2) != 0;
}

void ym_addr_format(const struct ym_addr *addr, char *out, size_t len)
{
	if (len == 0)
		return;
	out[0] = '\0';
	if (addr->family == 4)
		inet_ntop(AF_INET, addr->a, out, (socklen_t)len);
	else if (addr->family == 6)
		inet_ntop(AF_INET6, addr->a, out, (socklen_t)len);
}

int ym_addr_parse(const char *s, struct ym_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, s, addr->a) == 1) {
		addr->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr->a) == 1) {
		addr->family = 6;
		return 0;
	}
	return -EINVAL;
}

void ym_addr_set4(struct ym_addr *addr, const uint8_t v4[4])
{
	memset(addr, 0, sizeof(*addr));
	addr->family = 4;
	memcpy(addr->a, v4, 4);
}

void ym_addr_set6(struct ym_addr *addr, const uint8_t v6[16])
{
	addr->family = 6;
	memcpy(addr->a, v6, 16);
}

bool ym_addr_equal(const struct ym_addr *x, const struct ym_addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

bool ym_addr_is_private(const struct ym_addr *addr)
{
	const uint8_t *a = addr->a;

	if (addr->family == 4)
		return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 168) ||
		       (a[0] == 169 && a[1] == 254);
	if (addr->family == 6)
		return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
		       (a[0] & 0xfe) == 0xfc;
	return false;
}

bool ym_addr_is_special(const struct ym_addr *addr)
{
	static const uint8_t zero[16];
	const uint8_t *a = addr->a;

	if (addr->family == 4)
		return a[0] == 0 || a[0] == 127 || a[0] >= 224;
	if (addr->family == 6)
		return a[0] == 0xff || memcmp(a, zero, 15) == 0;
	return true;
}

void ym_time_format(uint64_t us, char out[YM_TIME_STRLEN])
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (us == 0 || !gmtime_r(&t, &tm)) {
		out[0] = '\0';
		return;
	}
	strftime(out, YM_TIME_STRLEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

uint64_t ym_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* The code point of a valid sequence of seq bytes. */
static uint32_t utf8_cp(const unsigned char *s, size_t seq)
{
	static const unsigned char first[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = s[0] & first[seq];

	for (size_t i = 1; i < seq; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/* Characters that change how the text around them looks without being seen
 * themselves: C1 controls, bidirectional overrides and isolates (a name
 * "abc<RLO>gpj.exe" shows as "abcexe.jpg"), line and paragraph separators,
 * the byte-order mark. A name from the network keeps them as a visible
 * <U+XXXX>, so the panel shows no lie and the evidence keeps what was
 * sent. */
static bool deceptive(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

bool ym_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t seq = utf8_seq(p + i, n - i);

		if (seq == 0)
			return false;
		i += seq;
	}
	return true;
}

const char *ym_utf8_or_clean(const char *s, char *buf, size_t len)
{
	if (!s)
		return "";
	if (ym_utf8_valid(s))
		return s;
	ym_strlcpy_clean(buf, s, strlen(s), len);
	return buf;
}

void ym_strlcpy_clean(char *dst, const char *src, size_t srclen, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = 0, i = 0;

	if (len == 0)
		return;
	while (i < srclen && s[i]) {
		size_t seq = utf8_seq(s + i, srclen - i);

		if (seq > 1 && deceptive(utf8_cp(s + i, seq))) {
			char mark[16];
			int m = snprintf(mark, sizeof(mark), "<U+%04X>",
					 (unsigned)utf8_cp(s + i, seq));

			if (m < 0 || n + (size_t)m >= len)
				break;
			memcpy(dst + n, mark, (size_t)m);
			n += (size_t)m;
			i += seq;
			continue;
		}

		if (seq <= 1) {
			/* Control characters and broken UTF-8 become '?'. */
			if (n + 1 >= len)
				break;
			dst[n++] = (seq == 0 || s[i] < 0x20 || s[i] == 0x7f) ?
					   '?' : (char)s[i];
			i++;
			continue;
		}
		if (n + seq >= len)
			break;
		memcpy(dst + n, s + i, seq);
		n += seq;
		i += seq;
	}
	dst[n] = '\0';
}

uint64_t ym_hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL), w;

	/* Eight bytes at a time with a multiply-xorshift mix: flow keys are
	 * hashed once per packet, so this is on the hot path. */
	while (len >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		p += 8;
		len -= 8;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}
