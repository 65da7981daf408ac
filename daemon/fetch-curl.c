/* Downloads over verified HTTPS with libcurl (fetch.h). Built with
 * YAMORI_FETCH only. */
#include "fetch.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

int ym_fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -ENOMEM;
}

void ym_fetch_global_fini(void)
{
	curl_global_cleanup();
}

struct fetch_buf {
	uint8_t *data;
	size_t len;
	size_t max;
	bool too_big;
	atomic_bool *cancel;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct fetch_buf *b = arg;
	size_t len = size * n;
	uint8_t *v;

	if (len > b->max - b->len) {
		b->too_big = true;
		return 0;
	}
	v = realloc(b->data, b->len + len);
	if (!v)
		return 0;
	b->data = v;
	memcpy(b->data + b->len, ptr, len);
	b->len += len;
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct fetch_buf *b = arg;

	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	/* A server announcing too much is cut off before sending it. */
	if (dltotal > (curl_off_t)b->max)
		b->too_big = true;
	return b->too_big || atomic_load(b->cancel);
}

/* Fetches url: HTTPS only, the certificate and the name verified, no
 * redirects (a bundle is signed, but a redirect to elsewhere is still not
 * followed), limited in time and size. */
int ym_fetch_https(const char *url, const char *ca, size_t max,
		   long timeout_sec, atomic_bool *cancel, uint8_t **out,
		   size_t *len, char *err, size_t errlen)
{
	struct fetch_buf b = { NULL, 0, max, false, cancel };
	char curl_err[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode cc;
	CURL *c = curl_easy_init();

	if (!c) {
		snprintf(err, errlen, "cannot set up the download");
		return -ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca && ca[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_sec);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)max);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "yamorid/" YM_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &b);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (cc == CURLE_OK && status == 200) {
		*out = b.data;
		*len = b.len;
		return 0;
	}
	free(b.data);
	if (b.too_big || cc == CURLE_FILESIZE_EXCEEDED)
		snprintf(err, errlen, "the download is larger than "
			 "%zu MB", max >> 20);
	else if (cc != CURLE_OK)
		snprintf(err, errlen, "cannot download: %.300s",
			 curl_err[0] ? curl_err : curl_easy_strerror(cc));
	else
		snprintf(err, errlen, "cannot download: the "
			 "server answered %ld", status);
	return -EIO;
}
