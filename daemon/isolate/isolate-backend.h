/* Private to the isolate module: what a backend (isolate-nft.c,
 * isolate-arp.c, isolate-none.c) provides to the front end in isolate.c.
 * Each backend embeds struct ym_isolator as its first member and gets its own
 * state back with ym_container_of. The front end has already refused bad
 * MACs, the gateway and this box when a backend is called. */
#ifndef YM_ISOLATE_BACKEND_H
#define YM_ISOLATE_BACKEND_H

#include "isolate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

struct ym_isolate_ops {
	int (*apply)(struct ym_isolator *iso, const struct ym_isolate_target *t, char *why,
		     size_t whylen);
	int (*release)(struct ym_isolator *iso, const uint8_t mac[6], char *why, size_t whylen);
	int (*verify)(struct ym_isolator *iso, const uint8_t mac[6]);
	int (*list)(struct ym_isolator *iso, uint8_t (*macs)[6], size_t max);
	void (*note_ipv6_router)(struct ym_isolator *iso);
	void (*close)(struct ym_isolator *iso, bool restore);
};

struct ym_isolator {
	const struct ym_isolate_ops *ops;
	enum ym_isolate_mode mode;
	uv_loop_t *loop;
	struct ym_isolate_env env;
	bool ipv6_router; /* an IPv6 router advertised itself on the LAN */
	char reason[192]; /* why the last verify did not say 1 */
};

/* Each returns 0 and a backend with its base filled in, or -errno and one
 * line in err. */
int ym_isolate_none_new(struct ym_isolator **out, const struct ym_isolate_env *env,
			char *err, size_t errlen);
#if YM_HAVE_NFT
int ym_isolate_nft_new(struct ym_isolator **out, const struct ym_isolate_env *env,
		       char *err, size_t errlen);
#else
/* Built without libnftables (cmake -DYAMORI_NFT=OFF). */
static inline int ym_isolate_nft_new(struct ym_isolator **out,
				     const struct ym_isolate_env *env, char *err,
				     size_t errlen)
{
	(void)env;
	*out = NULL;
	if (err && errlen)
		snprintf(err, errlen, "isolate = nft is not supported: this "
			 "yamorid was built without nftables; use arp or none");
	return -ENOTSUP;
}
#endif
int ym_isolate_arp_new(struct ym_isolator **out, uv_loop_t *loop,
		       const struct ym_isolate_env *env, char *err, size_t errlen);

/* Sets iso->reason (printf style) and returns ret, for verify. Inline here
 * so that backends never call back into the front end: isolate.c calls the
 * backends, never the reverse. */
static inline int ym_isolate_say(struct ym_isolator *iso, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int ym_isolate_say(struct ym_isolator *iso, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(iso->reason, sizeof(iso->reason), fmt, ap);
	va_end(ap);
	return ret;
}

/* Formats a line into buf (len bytes; nothing when buf is NULL): the
 * messages the front end and the backends hand back to their callers. */
static inline void ym_isolate_format(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void ym_isolate_format(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

#endif
