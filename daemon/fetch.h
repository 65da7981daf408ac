/* Downloads of data bundles over verified HTTPS (fetch-curl.c, libcurl).
 * Built with YAMORI_FETCH only; without it the stubs below answer "not
 * supported" and bundles are applied by hand (yamorictl update FILE). */
#ifndef YM_FETCH_H
#define YM_FETCH_H

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

#if YM_HAVE_FETCH
/* Once per process before the first download: 0, or -ENOMEM. */
int ym_fetch_global_init(void) YM_MUST_CHECK;
void ym_fetch_global_fini(void);
/* Fetches url: HTTPS only, the certificate and the name verified (against
 * ca when not NULL or ""), no redirects, at most max bytes and timeout_sec
 * seconds; gives up when *cancel turns true. 0 and *out (malloc'd, *len
 * bytes), or -errno and one line in err. Blocks: thread pool only. */
int ym_fetch_https(const char *url, const char *ca, size_t max,
		   long timeout_sec, atomic_bool *cancel, uint8_t **out,
		   size_t *len, char *err, size_t errlen) YM_MUST_CHECK;
#else
static inline int ym_fetch_global_init(void)
{
	return -ENOTSUP;
}

static inline void ym_fetch_global_fini(void)
{
}

static inline int ym_fetch_https(const char *url, const char *ca, size_t max,
				 long timeout_sec, atomic_bool *cancel,
				 uint8_t **out, size_t *len, char *err,
				 size_t errlen)
{
	(void)url;
	(void)ca;
	(void)max;
	(void)timeout_sec;
	(void)cancel;
	*out = NULL;
	*len = 0;
	snprintf(err, errlen, "this yamorid cannot download updates (built "
		 "without libcurl); use yamorictl update FILE");
	return -ENOTSUP;
}
#endif

#endif
