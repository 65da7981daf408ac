#define _GNU_SOURCE
#include "support.h"
#include "datafile.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Entries of one knowledge base; thousands fit easily. */
#define YM_MAX_SUPPORT 5000

enum kind { K_VENDOR, K_MODEL, K_GENERIC };

struct entry {
	enum kind kind;
	struct ym_support_entry e;
};

struct ym_support {
	struct entry *v;
	size_t n;
};

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static const char *const types[] = {
	"router", "access_point", "network", "camera", "doorbell", "alarm",
	"sensor", "lock", "hub", "light", "smart_plug", "thermostat",
	"appliance", "robot_vacuum", "health", "tv", "streaming", "speaker",
	"smart_speaker", "game_console", "printer", "nas", "computer", "phone",
	"tablet", "wearable", "voip", "unknown",
};

static bool known_type(const char *t)
{
	for (size_t i = 0; i < YM_ARRAY_SIZE(types); i++)
		if (strcmp(t, types[i]) == 0)
			return true;
	return false;
}

/* Parses "[vendor X]", "[model X "PATTERN"]" or "[generic TYPE]". */
static int parse_header(char *line, struct entry *out, char *why, size_t len)
{
	char *body = line + 1, *end = strrchr(line, ']'), *sp;

	if (!end || end[1] != '\0') {
		snprintf(why, len, "a section header ends with ']'");
		return -EINVAL;
	}
	*end = '\0';
	memset(out, 0, sizeof(*out));
	sp = strchr(body, ' ');
	if (!sp) {
		snprintf(why, len, "expected [vendor NAME], [model NAME "
			 "\"PATTERN\"] or [generic TYPE]");
		return -EINVAL;
	}
	*sp = '\0';
	sp = trim(sp + 1);
	if (strcmp(body, "vendor") == 0) {
		size_t vl = strlen(sp);

		out->kind = K_VENDOR;
		if (vl >= 2 && sp[0] == '"' && sp[vl - 1] == '"') {
			sp[vl - 1] = '\0';
			sp++;
		}
		snprintf(out->e.vendor, sizeof(out->e.vendor), "%s", sp);
	} else if (strcmp(body, "generic") == 0) {
		out->kind = K_GENERIC;
		if (!known_type(sp)) {
			snprintf(why, len, "unknown type '%.30s'", sp);
			return -EINVAL;
		}
		snprintf(out->e.type, sizeof(out->e.type), "%s", sp);
	} else if (strcmp(body, "model") == 0) {
		char *q = strrchr(sp, '"'), *open, *vend = sp;

		/* [model NAME "PATTERN"] or [model "NAME" "PATTERN"] */
		if (q)
			*q = '\0';
		open = q ? strrchr(sp, '"') : NULL;
		if (!q || !open || open == sp) {
			snprintf(why, len, "expected [model NAME \"PATTERN\"]");
			return -EINVAL;
		}
		*open = '\0';
		vend = trim(vend);
		if (vend[0] == '"') {
			size_t vl = strlen(vend);

			if (vl < 2 || vend[vl - 1] != '"') {
				snprintf(why, len, "unclosed quote in the "
					 "vendor name");
				return -EINVAL;
			}
			vend[vl - 1] = '\0';
			vend++;
		}
		out->kind = K_MODEL;
		snprintf(out->e.vendor, sizeof(out->e.vendor), "%s", vend);
		snprintf(out->e.pattern, sizeof(out->e.pattern), "%s", open + 1);
		for (char *p = out->e.pattern; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	} else {
		snprintf(why, len, "unknown section '%.20s'", body);
		return -EINVAL;
	}
	if (!out->e.vendor[0] && out->kind != K_GENERIC) {
		snprintf(why, len, "a section needs a vendor");
		return -EINVAL;
	}
	return 0;
}

static int parse_date(const char *v, uint64_t *us)
{
	struct tm tm = { 0 };
	char *end = strptime(v, "%Y-%m-%d", &tm);
	time_t t;

	if (!end || *end || tm.tm_year < 105 || tm.tm_year > 135)
		return -EINVAL;
	t = timegm(&tm);
	*us = (uint64_t)t * 1000000;
	return 0;
}

static int set_key(struct entry *en, const char *key, const char *v,
		   char *why, size_t len)
{
	struct ym_support_entry *e = &en->e;

	if (strcmp(key, "type") == 0) {
		if (!known_type(v)) {
			snprintf(why, len, "unknown type '%.30s'", v);
			return -EINVAL;
		}
		snprintf(e->type, sizeof(e->type), "%s", v);
	} else if (strcmp(key, "end_of_support") == 0) {
		if (strcmp(v, "unknown") == 0) {
			e->eos = YM_EOS_UNKNOWN;
		} else if (strcmp(v, "supported") == 0) {
			e->eos = YM_EOS_SUPPORTED;
		} else if (strcmp(v, "ended") == 0) {
			/* The maker says support is over but gives no day. */
			e->eos = YM_EOS_ENDED;
		} else if (parse_date(v, &e->eos_us) == 0) {
			e->eos = YM_EOS_DATE;
		} else {
			snprintf(why, len, "end_of_support is a date "
				 "(YYYY-MM-DD, 2005-2035), ended, supported or "
				 "unknown");
			return -EINVAL;
		}
	} else if (strcmp(key, "latest_firmware") == 0) {
		snprintf(e->latest_firmware, sizeof(e->latest_firmware), "%s",
			 strcmp(v, "unknown") == 0 ? "" : v);
	} else if (strcmp(key, "contact_web") == 0) {
		snprintf(e->contact_web, sizeof(e->contact_web), "%s", v);
	} else if (strcmp(key, "contact_phone") == 0) {
		snprintf(e->contact_phone, sizeof(e->contact_phone), "%s", v);
	} else if (strcmp(key, "reset_ja") == 0) {
		snprintf(e->reset_ja, sizeof(e->reset_ja), "%s", v);
	} else if (strcmp(key, "reset_en") == 0) {
		snprintf(e->reset_en, sizeof(e->reset_en), "%s", v);
	} else if (strcmp(key, "source") == 0) {
		snprintf(e->source, sizeof(e->source), "%s", v);
	} else {
		snprintf(why, len, "unknown key '%.30s'", key);
		return -EINVAL;
	}
	return 0;
}

static int finish(struct ym_support *s, struct entry *en, char *why,
		  size_t len)
{
	if (!en->e.source[0]) {
		snprintf(why, len, "every section needs source =");
		return -EINVAL;
	}
	if (s->n == YM_MAX_SUPPORT) {
		snprintf(why, len, "more than %d sections", YM_MAX_SUPPORT);
		return -EINVAL;
	}
	if (s->n % 64 == 0) {
		struct entry *v = realloc(s->v, (s->n + 64) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
	}
	s->v[s->n++] = *en;
	return 0;
}

/* The loader's state while it reads the knowledge base. */
struct kb_load {
	struct ym_support *s;
	struct entry cur;
	bool open_section;
	unsigned section_line;
};

static int kb_file_begin(void *ctx, const char *path)
{
	struct kb_load *k = ctx;

	(void)path;
	k->open_section = false;
	k->section_line = 0;
	return 0;
}

static int kb_line(void *ctx, char *line, unsigned lineno, char *why,
		   size_t whylen)
{
	struct kb_load *k = ctx;
	char *l, *eq, *hash;
	int rc = 0;

	/* A comment starts at '#' at the line's start (the loader skips
	 * those) or after a space, so URLs with fragments survive. */
	hash = strstr(line, " #");
	if (hash)
		*hash = '\0';
	l = trim(line);
	if (*l == '[') {
		if (k->open_section)
			rc = finish(k->s, &k->cur, why, whylen);
		if (rc == 0)
			rc = parse_header(l, &k->cur, why, whylen);
		k->open_section = rc == 0;
		k->section_line = lineno;
		return rc;
	}
	eq = strchr(l, '=');
	if (!k->open_section || !eq) {
		snprintf(why, whylen, k->open_section ?
			 "expected key = value" :
			 "a key outside any section");
		return -EINVAL;
	}
	*eq = '\0';
	return set_key(&k->cur, trim(l), trim(eq + 1), why, whylen);
}

static int kb_file_end(void *ctx, unsigned *lineno, char *why, size_t whylen)
{
	struct kb_load *k = ctx;
	int rc = 0;

	if (k->open_section) {
		rc = finish(k->s, &k->cur, why, whylen);
		if (rc < 0)
			*lineno = k->section_line;
	}
	k->open_section = false;
	return rc;
}

int ym_support_init(struct ym_support **out, const char *dir, char *err,
		    size_t errlen)
{
	struct ym_support *s = calloc(1, sizeof(*s));
	struct kb_load *k = calloc(1, sizeof(*k));
	struct ym_datafile_reader reader = {
		.suffix = ".kb",
		.line = kb_line,
		.file_begin = kb_file_begin,
		.file_end = kb_file_end,
		.ctx = k,
	};
	int rc;

	*out = NULL;
	if (!s || !k) {
		free(s);
		free(k);
		return -ENOMEM;
	}
	k->s = s;
	/* Name order: the first matching model wins, whatever the disk's
	 * directory order. */
	rc = ym_datafile_load(dir, &reader, err, errlen);
	free(k);
	if (rc == -ENOENT) {
		/* No knowledge base: an empty one, as before. */
		*out = s;
		return rc;
	}
	if (rc < 0) {
		ym_support_fini(s);
		return rc;
	}
	*out = s;
	return 0;
}

void ym_support_fini(struct ym_support *s)
{
	if (!s)
		return;
	free(s->v);
	free(s);
}

size_t ym_support_count(const struct ym_support *s)
{
	return s ? s->n : 0;
}

const struct ym_support_entry *ym_support_model(const struct ym_support *s,
						const char *vendor,
						const char *model)
{
	if (!s || !vendor || !vendor[0] || !model || !model[0])
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == K_MODEL &&
		    strcasecmp(s->v[i].e.vendor, vendor) == 0 &&
		    fnmatch(s->v[i].e.pattern, model, FNM_CASEFOLD) == 0)
			return &s->v[i].e;
	return NULL;
}

const struct ym_support_entry *ym_support_vendor(const struct ym_support *s,
						 const char *vendor)
{
	if (!s || !vendor || !vendor[0])
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == K_VENDOR &&
		    strcasecmp(s->v[i].e.vendor, vendor) == 0)
			return &s->v[i].e;
	return NULL;
}

const struct ym_support_entry *ym_support_generic(const struct ym_support *s,
						  const char *type)
{
	if (!s || !type)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == K_GENERIC &&
		    strcmp(s->v[i].e.type, type) == 0)
			return &s->v[i].e;
	return NULL;
}

enum ym_support_check ym_support_check(const struct ym_support *s,
				       const char *type, const char *vendor,
				       const char *model)
{
	if (!type || !type[0] || strcmp(type, "unknown") == 0)
		return YM_SUPPORT_UNKNOWN_KIND;
	if (!ym_support_model(s, vendor, model) && !ym_support_vendor(s, vendor))
		return YM_SUPPORT_NO_ENTRY;
	return YM_SUPPORT_CHECKED;
}

const char *ym_support_check_name(enum ym_support_check c)
{
	switch (c) {
	case YM_SUPPORT_UNKNOWN_KIND:
		return "unknown_kind";
	case YM_SUPPORT_NO_ENTRY:
		return "no_entry";
	case YM_SUPPORT_CHECKED:
	default:
		return "checked";
	}
}

int ym_version_compare(const char *a, const char *b)
{
	/* Number by number; letters between numbers are skipped. */
	while (*a || *b) {
		unsigned long x = 0, y = 0;
		bool hx = false, hy = false;

		while (*a && !isdigit((unsigned char)*a))
			a++;
		while (*b && !isdigit((unsigned char)*b))
			b++;
		while (isdigit((unsigned char)*a)) {
			x = x * 10 + (unsigned long)(*a++ - '0');
			hx = true;
			if (x > 100000000UL)
				x = 100000000UL;
		}
		while (isdigit((unsigned char)*b)) {
			y = y * 10 + (unsigned long)(*b++ - '0');
			hy = true;
			if (y > 100000000UL)
				y = 100000000UL;
		}
		if (!hx && !hy)
			return 0;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}
