/* The default credential lists: data/credentials/NAME.creds. */
#include "audit-proto.h"
#include "datafile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const proto_names[YM_AP_COUNT] = {
	[YM_AP_TELNET] = "telnet", [YM_AP_SSH] = "ssh", [YM_AP_FTP] = "ftp",
	[YM_AP_HTTP] = "http",     [YM_AP_RTSP] = "rtsp",
};

int ym_audit_proto_parse(const char *name)
{
	if (strcmp(name, "*") == 0)
		return YM_AP_ANY;
	for (int i = 0; i < YM_AP_COUNT; i++)
		if (strcmp(name, proto_names[i]) == 0)
			return i;
	return -1;
}

const char *ym_audit_proto_name(enum ym_audit_proto p)
{
	return p < YM_AP_COUNT ? proto_names[p] : "*";
}

/* Reads one field at *p: a word, or a "quoted string" that may hold
 * spaces (no escapes: a password with a '"' cannot be written). */
static int next_field(const char **p, char *out, size_t outlen, char *why,
		      size_t whylen, const char *what)
{
	const char *s = *p, *end;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '\n' || *s == '\r') {
		snprintf(why, whylen,
			 "expected 'SERVICE VENDOR USER PASSWORD source=WHERE'"
			 " (no %s)", what);
		return -EINVAL;
	}
	if (*s == '"') {
		end = strchr(s + 1, '"');
		if (!end) {
			snprintf(why, whylen, "unclosed quote in the %s", what);
			return -EINVAL;
		}
		n = (size_t)(end - s - 1);
		s++;
		*p = end + 1;
		if (**p && **p != ' ' && **p != '\t') {
			snprintf(why, whylen, "text right after the quoted %s",
				 what);
			return -EINVAL;
		}
	} else {
		end = s;
		while (*end && *end != ' ' && *end != '\t' && *end != '\n' &&
		       *end != '\r')
			end++;
		n = (size_t)(end - s);
		*p = end;
	}
	if (n >= outlen) {
		snprintf(why, whylen, "the %s is longer than %zu bytes", what,
			 outlen - 1);
		return -EINVAL;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Printable ASCII only: these bytes go into protocol lines, where a CR or
 * LF would start a new command. */
static bool printable(const char *s, bool space_ok)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || (*s == ' ' && !space_ok))
			return false;
	return true;
}

int ym_audit_creds_parse_line(const char *line, struct ym_audit_cred *c,
			      char *why, size_t whylen)
{
	char service[16];
	const char *p = line;
	int proto;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '#' || *p == '\0' || *p == '\n' || *p == '\r')
		return 1;
	memset(c, 0, sizeof(*c));
	if (next_field(&p, service, sizeof(service), why, whylen,
		       "service") < 0 ||
	    next_field(&p, c->vendor, sizeof(c->vendor), why, whylen,
		       "vendor") < 0 ||
	    next_field(&p, c->user, sizeof(c->user), why, whylen, "user") < 0 ||
	    next_field(&p, c->pass, sizeof(c->pass), why, whylen,
		       "password") < 0)
		return -EINVAL;
	proto = ym_audit_proto_parse(service);
	if (proto < 0) {
		snprintf(why, whylen,
			 "unknown service '%s' (telnet, ssh, ftp, http, rtsp or"
			 " *)", service);
		return -EINVAL;
	}
	c->proto = (uint8_t)proto;
	if (c->vendor[0] == '\0') {
		snprintf(why, whylen, "empty vendor (use * for any)");
		return -EINVAL;
	}
	if (strcmp(c->vendor, "*") == 0)
		c->vendor[0] = '\0';
	if (c->user[0] == '\0' || !printable(c->user, false) ||
	    strchr(c->user, ':')) {
		snprintf(why, whylen,
			 "a user is printable ASCII without spaces or ':'");
		return -EINVAL;
	}
	if (!printable(c->pass, true) || !printable(c->vendor, true)) {
		snprintf(why, whylen, "control characters in the entry");
		return -EINVAL;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "source=", 7) != 0 || !isgraph((unsigned char)p[7])) {
		snprintf(why, whylen, "missing source=WHERE after the password");
		return -EINVAL;
	}
	return 0;
}

static int load_line(void *ctx, char *line, unsigned lineno, char *why,
		     size_t whylen)
{
	struct ym_audit_creds *cr = ctx;
	struct ym_audit_cred c;
	int r;

	(void)lineno;
	r = ym_audit_creds_parse_line(line, &c, why, whylen);
	if (r < 0)
		return -EINVAL;
	if (r > 0)
		return 0;
	if (cr->n >= YM_AUDIT_CREDS_MAX) {
		snprintf(why, whylen, "more than %d entries",
			 YM_AUDIT_CREDS_MAX);
		return -E2BIG;
	}
	/* The lists grow as they are read: a home's few hundred entries,
	 * not the 600 KB of the limit. */
	if (cr->n == cr->cap) {
		size_t cap = cr->cap ? cr->cap * 2 : 64;
		struct ym_audit_cred *v;

		if (cap > YM_AUDIT_CREDS_MAX)
			cap = YM_AUDIT_CREDS_MAX;
		v = realloc(cr->v, cap * sizeof(*v));
		if (!v) {
			snprintf(why, whylen, "out of memory");
			return -ENOMEM;
		}
		cr->v = v;
		cr->cap = cap;
	}
	cr->v[cr->n++] = c;
	return 0;
}

int ym_audit_creds_load(struct ym_audit_creds *cr, const char *dir, char *err,
			size_t errlen)
{
	const struct ym_datafile_reader reader = {
		.suffix = ".creds",
		.line = load_line,
		.ctx = cr,
	};
	int rc;

	memset(cr, 0, sizeof(*cr));
	/* Name order: a file's place in the list is its place in the order
	 * of attempts. */
	rc = ym_datafile_load(dir, &reader, err, errlen);
	if (rc == 0) {
		snprintf(err, errlen, "no *.creds file in %s", dir);
		rc = -ENOENT;
	} else if (rc > 0 && cr->n == 0) {
		snprintf(err, errlen, "no entries in the lists of %s", dir);
		rc = -ENOENT;
	}
	if (rc < 0) {
		ym_audit_creds_free(cr);
		return rc;
	}
	return 0;
}

void ym_audit_creds_free(struct ym_audit_creds *cr)
{
	free(cr->v);
	cr->v = NULL;
	cr->n = 0;
	cr->cap = 0;
}

static bool already(const struct ym_audit_creds *cr, const uint32_t *idx,
		    size_t n, const struct ym_audit_cred *c)
{
	for (size_t i = 0; i < n; i++) {
		const struct ym_audit_cred *o = &cr->v[idx[i]];

		if (strcmp(o->user, c->user) == 0 &&
		    strcmp(o->pass, c->pass) == 0)
			return true;
	}
	return false;
}

size_t ym_audit_creds_select(const struct ym_audit_creds *cr,
			     enum ym_audit_proto proto, const char *vendor,
			     uint32_t *idx, size_t max)
{
	size_t n = 0;
	bool known = vendor && vendor[0];

	/* Pass 0: the vendor's own entries; pass 1: the generic ones. */
	for (int pass = known ? 0 : 1; pass < 2; pass++) {
		for (size_t i = 0; i < cr->n && n < max; i++) {
			const struct ym_audit_cred *c = &cr->v[i];

			if (c->proto != proto && c->proto != YM_AP_ANY)
				continue;
			if (pass == 0 && (c->vendor[0] == '\0' ||
					  strcasecmp(c->vendor, vendor) != 0))
				continue;
			if (pass == 1 && c->vendor[0] != '\0')
				continue;
			if (!already(cr, idx, n, c))
				idx[n++] = (uint32_t)i;
		}
	}
	return n;
}
