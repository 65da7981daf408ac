/* libFuzzer harness for the SSDP, UPnP description, HTTP response head and
 * URL parsers. The binary parsers get the input as it is, the URL parser a
 * NUL-terminated copy; every result is checked against what the API
 * promises, so a broken invariant aborts like a sanitizer report. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ssdp.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_ssdp(const uint8_t *data, size_t size)
{
	struct ym_ssdp s;

	if (ym_ssdp_parse(data, (uint32_t)size, &s) < 0)
		return;
	if (s.kind < YM_SSDP_NOTIFY || s.kind > YM_SSDP_RESPONSE)
		abort();
	CHECK_STR(s.server);
	CHECK_STR(s.nt);
	CHECK_STR(s.nts);
	CHECK_STR(s.usn);
	CHECK_STR(s.location);
	CHECK_STR(s.user_agent);
}

static void fuzz_upnp(const uint8_t *data, size_t size)
{
	struct ym_upnp_desc d;

	if (ym_upnp_parse((const char *)data, size, &d) < 0)
		return;
	CHECK_STR(d.device_type);
	CHECK_STR(d.friendly_name);
	CHECK_STR(d.manufacturer);
	CHECK_STR(d.model_name);
	CHECK_STR(d.model_number);
	CHECK_STR(d.model_description);
	CHECK_STR(d.firmware);
	if (!d.device_type[0] && !d.friendly_name[0] && !d.manufacturer[0] &&
	    !d.model_name[0] && !d.model_number[0] &&
	    !d.model_description[0] && !d.firmware[0])
		abort();
}

static void fuzz_http(const uint8_t *data, size_t size)
{
	size_t body;
	long clen;
	int status, r;

	r = ym_http_response_head((const char *)data, size, &status, &clen,
				  &body);
	if (r == 0 && (status < 100 || status > 599 || clen < -1 ||
		       body > size || body < 14))
		abort();
	if (r != 0 && r != -EAGAIN && r != -EINVAL)
		abort();
}

static void fuzz_url(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1), path[64];
	struct ym_addr a;
	uint16_t port;

	if (!url)
		return;
	memcpy(url, data, size);
	url[size] = '\0';
	if (ym_url_parse(url, &a, &port, path, sizeof(path)) == 0) {
		CHECK_STR(path);
		if ((a.family != 4 && a.family != 6) || port == 0 ||
		    path[0] != '/')
			abort();
	}
	free(url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Datagrams are at most 64 KiB; the SSDP parser takes a uint32_t
	 * length. Descriptions are fetched with a bound of the same order. */
	if (size > 65535)
		return 0;
	fuzz_ssdp(data, size);
	fuzz_upnp(data, size);
	fuzz_http(data, size);
	fuzz_url(data, size);
	return 0;
}
