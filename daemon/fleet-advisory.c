/* Fleet advisories (docs/FLEET.md): what the ISP's broker sends a box,
 * retained on its advisory topic. A signed notice for the household, or a
 * signed data bundle applied as `yamorictl update` would; anything else,
 * unsigned, expired or rolled back, is refused, logged and published.
 * Runs on the loop (fleet.c hands each message over). */
#define _GNU_SOURCE
#include "engine-fleet.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "fleet-private.h"

static void refuse(struct ym_fleet *f, const char *why)
{
	f->refused++;
	ym_fleet_problem(f, "advisory refused: %s", why);
	ym_engine_log_now(f->e, "fleet_advisory_refused",
		  json_pack("{s:s}", "reason", why));
	ym_api_publish(f->e->api, json_pack("{s:s, s:s}", "event",
					    "fleet_advisory_refused",
					    "reason", why));
}

/* A notice: signed text of "key value" lines:
 *   yamori-notice 1
 *   version N            (grows; an older one is refused)
 *   created, expires     (RFC 3339 UTC)
 *   ja <plain Japanese>  (shown to the household)
 *   en <English>         (optional)
 *   maker, model         (optional: whom it is about) */
static void take_notice(struct ym_fleet *f, const char *text,
			const char *sig)
{
	struct ym_bundle_keys keys;
	char err[200], line[NOTICE_MAX];
	json_t *n = json_object();
	const char *p = text;
	bool head = false;
	uint64_t version = 0;
	int64_t created = -1, expires = -1;
	int64_t now = (int64_t)(ym_wall_us() / 1000000);

	ym_bundle_keys_load(&keys, f->e->cfg.keys_dir);
	if (strlen(text) >= NOTICE_MAX) {
		refuse(f, "the notice is too long");
		goto out;
	}
	if (ym_bundle_verify(text, strlen(text), sig, strlen(sig), &keys, err,
			     sizeof(err)) < 0) {
		refuse(f, err);
		goto out;
	}
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *sp;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (!line[0])
			continue;
		sp = strchr(line, ' ');
		if (!sp) {
			refuse(f, "the notice has a line without a value");
			goto out;
		}
		*sp++ = '\0';
		if (!strcmp(line, "yamori-notice"))
			head = !strcmp(sp, "1");
		else if (!strcmp(line, "version"))
			version = strtoull(sp, NULL, 10);
		else if (!strcmp(line, "created"))
			created = ym_fleet_parse_time(sp);
		else if (!strcmp(line, "expires"))
			expires = ym_fleet_parse_time(sp);
		else if (!strcmp(line, "ja") || !strcmp(line, "en") ||
			 !strcmp(line, "maker") || !strcmp(line, "model"))
			json_object_set_new(n, line, json_string(sp));
		else {
			refuse(f, "the notice has an unknown line");
			goto out;
		}
	}
	if (!head || !version || created < 0 || expires < 0 ||
	    !json_object_get(n, "ja")) {
		refuse(f, "the notice lacks its format, version, dates or "
		       "Japanese text");
		goto out;
	}
	if (expires <= now) {
		refuse(f, "the notice has expired");
		goto out;
	}
	if (version <= f->notice_version) {
		refuse(f, "the notice is not newer than the one in force "
		       "(rolled back)");
		goto out;
	}
	json_object_set_new(n, "version", json_integer((json_int_t)version));
	ym_fleet_iso_time(created, line, sizeof(line));
	json_object_set_new(n, "created", json_string(line));
	ym_fleet_iso_time(expires, line, sizeof(line));
	json_object_set_new(n, "expires", json_string(line));
	f->notice_version = version;
	json_decref(f->notice);
	f->notice = json_incref(n);
	ym_fleet_save_state(f);
	ym_engine_log_now(f->e, "fleet_notice", json_pack("{s:I, s:O}", "version",
				(json_int_t)version, "ja",
				json_object_get(n, "ja")));
	ym_api_publish(f->e->api, json_pack("{s:s, s:O}", "event",
					    "fleet_notice", "notice", n));
out:
	json_decref(n);
}

static void take_bundle(struct ym_fleet *f, const char *b64)
{
	size_t max = strlen(b64), len = 0;
	uint8_t *buf = malloc(max + 1);
	struct ym_api_error why;
	char path[1200];

	if (!buf || sodium_base642bin(buf, max + 1, b64, strlen(b64), "\n",
				      &len, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    len > YM_BUNDLE_MAX_BYTES) {
		free(buf);
		refuse(f, "the bundle is not base64 of a bundle");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", f->e->cfg.state_dir,
		 ADVISORY_FILE);
	if (ym_fleet_write_file(path, (const char *)buf, len) < 0) {
		free(buf);
		refuse(f, "the bundle cannot be kept on the disk");
		return;
	}
	free(buf);
	ym_engine_log_now(f->e, "fleet_advisory", json_pack("{s:s, s:s}", "kind",
						      "bundle", "sha256",
						      f->advisory_sha));
	/* The same checks as yamorictl update: signature, hashes, version
	 * above the installed one, not expired; update.c logs the outcome. */
	if (ym_update_apply(f->e, path, NULL, &why) < 0)
		refuse(f, why.msg);
}

void ym_fleet_take_advisory(struct ym_fleet *f, const uint8_t *payload,
			    size_t len)
{
	uint8_t h[32];
	char sha[65];
	json_t *a;
	const char *kind;

	crypto_hash_sha256(h, payload, len);
	sodium_bin2hex(sha, sizeof(sha), h, sizeof(h));
	/* The retained advisory comes again at every connection. */
	if (!strcmp(sha, f->advisory_sha))
		return;
	snprintf(f->advisory_sha, sizeof(f->advisory_sha), "%s", sha);
	ym_fleet_save_state(f);
	a = json_loadb((const char *)payload, len, 0, NULL);
	kind = json_string_value(json_object_get(a, "kind"));
	if (kind && !strcmp(kind, "notice") &&
	    json_is_string(json_object_get(a, "notice")) &&
	    json_is_string(json_object_get(a, "minisig")))
		take_notice(f, json_string_value(json_object_get(a, "notice")),
			    json_string_value(json_object_get(a, "minisig")));
	else if (kind && !strcmp(kind, "bundle") &&
		 json_is_string(json_object_get(a, "bundle")))
		take_bundle(f, json_string_value(json_object_get(a, "bundle")));
	else
		refuse(f, "not a signed notice or bundle");
	json_decref(a);
}
