/* Small helpers shared by every module: addresses, MACs and time. */
#ifndef YM_UTIL_H
#define YM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define YM_MUST_CHECK __attribute__((warn_unused_result))

#define ym_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define YM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* An IPv4 or IPv6 address; IPv4 uses the first four bytes, the rest zero. */
struct ym_addr {
	uint8_t family; /* 4 or 6, 0 for none */
	uint8_t a[16];
};

#define YM_MAC_STRLEN 18
#define YM_ADDR_STRLEN 46
#define YM_TIME_STRLEN 32

/* Formats a MAC as lower-case "aa:bb:cc:dd:ee:ff". */
void ym_mac_format(const uint8_t mac[6], char out[YM_MAC_STRLEN]);

/* Parses "aa:bb:cc:dd:ee:ff" or "aa-bb-..."; 0 or -EINVAL. */
int ym_mac_parse(const char *s, uint8_t mac[6]) YM_MUST_CHECK;

/* True for a unicast, non-zero MAC that can belong to a device. */
bool ym_mac_is_unicast(const uint8_t mac[6]);

/* True when the locally administered bit is set (randomized addresses). */
bool ym_mac_is_local_admin(const uint8_t mac[6]);

/* Formats an address as text; "" for none. */
void ym_addr_format(const struct ym_addr *addr, char *out, size_t len);

/* Parses an IPv4 or IPv6 address; 0 or -EINVAL. */
int ym_addr_parse(const char *s, struct ym_addr *addr) YM_MUST_CHECK;

void ym_addr_set4(struct ym_addr *addr, const uint8_t v4[4]);
void ym_addr_set6(struct ym_addr *addr, const uint8_t v6[16]);
bool ym_addr_equal(const struct ym_addr *x, const struct ym_addr *y);

/* True for addresses that can only live on a home LAN: RFC 1918, link-local,
 * shared CGN space is NOT included (it sits outside the home), IPv6
 * link-local and ULA. */
bool ym_addr_is_private(const struct ym_addr *addr);

/* True for the unspecified, multicast, broadcast or loopback address. */
bool ym_addr_is_special(const struct ym_addr *addr);

/* Formats microseconds since the epoch as RFC 3339 UTC ("...Z"). */
void ym_time_format(uint64_t us, char out[YM_TIME_STRLEN]);

/* Wall clock in microseconds since the epoch. */
uint64_t ym_wall_us(void);

/* Copies at most len-1 bytes of printable ASCII/UTF-8 from src, replacing
 * control characters and broken UTF-8 with '?' and characters that could
 * disguise a name (C1 controls, bidirectional overrides) with a visible
 * "<U+202E>", always NUL-terminating and never cutting a character in
 * two. */
void ym_strlcpy_clean(char *dst, const char *src, size_t srclen, size_t len);

/* True when s is valid UTF-8 (what JSON needs). */
bool ym_utf8_valid(const char *s);

/* s itself when it is valid UTF-8, else a cleaned copy in buf: the last
 * guard before JSON, so a broken string costs a '?', never the answer. */
const char *ym_utf8_or_clean(const char *s, char *buf, size_t len);

/* Big-endian fields at off in a buffer of len bytes, read byte by byte (so
 * they are right on big-endian routers and need no alignment). A field that
 * does not fit reads as 0: parsers check lengths before they read, and this
 * keeps a missed check from reading outside the buffer. */
static inline uint16_t ym_be16(const uint8_t *buf, size_t len, size_t off)
{
	if (off > len || len - off < 2)
		return 0;
	return (uint16_t)(buf[off] << 8 | buf[off + 1]);
}

static inline uint32_t ym_be32(const uint8_t *buf, size_t len, size_t off)
{
	if (off > len || len - off < 4)
		return 0;
	return (uint32_t)buf[off] << 24 | (uint32_t)buf[off + 1] << 16 |
	       (uint32_t)buf[off + 2] << 8 | buf[off + 3];
}

/* A fast non-cryptographic hash over bytes, for hash tables. */
uint64_t ym_hash_bytes(const void *data, size_t len, uint64_t seed);

/* The final mix of the hashes below (splitmix64's). */
static inline uint64_t ym_hash_mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

/* The same quality for a MAC address, without the loop: it is hashed
 * twice per packet. */
static inline uint64_t ym_hash_mac(const uint8_t mac[6], uint64_t seed)
{
	uint64_t w = 0;

	__builtin_memcpy(&w, mac, 6);
	return ym_hash_mix(w ^ seed);
}

#endif
