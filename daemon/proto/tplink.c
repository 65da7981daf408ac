#define _GNU_SOURCE /* memmem */
#include "tplink.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Only the first part of an answer is read: model and type come early. */
#define YM_TPLINK_MAX 1024

/* The text of "key":"value" in json, cleaned; false when absent. */
static bool field(const char *json, size_t len, const char *key, char *out,
		  size_t outlen)
{
	char pat[24];
	size_t n = (size_t)snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *at = memmem(json, len, pat, n), *end;

	out[0] = '\0';
	if (!at)
		return false;
	at += n;
	end = memchr(at, '"', len - (size_t)(at - json));
	if (!end || end == at)
		return false;
	ym_strlcpy_clean(out, at, (size_t)(end - at), outlen);
	return out[0] != '\0';
}

int ym_tplink_parse(const uint8_t *p, uint32_t len, bool tcp,
		    struct ym_tplink *out)
{
	char json[YM_TPLINK_MAX];
	uint8_t key = 171;
	uint32_t n;

	memset(out, 0, sizeof(*out));
	if (tcp) {
		uint32_t want;

		if (len < 4)
			return -EINVAL;
		want = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
		p += 4;
		len -= 4;
		if (want == 0)
			return -EINVAL;
		if (want < len) /* a second message follows: read the first */
			len = want;
	}
	if (len < 2)
		return -EINVAL;
	n = len < sizeof(json) ? len : sizeof(json) - 1;
	for (uint32_t i = 0; i < n; i++) {
		json[i] = (char)(p[i] ^ key);
		key = p[i];
	}
	json[n] = '\0';
	if (json[0] != '{')
		return -ENOENT;
	if (!memmem(json, n, "\"get_sysinfo\"", 13))
		return -ENOENT;
	field(json, n, "model", out->model, sizeof(out->model));
	if (!field(json, n, "type", out->type, sizeof(out->type)))
		field(json, n, "mic_type", out->type, sizeof(out->type));
	return out->model[0] || out->type[0] ? 0 : -ENOENT;
}
