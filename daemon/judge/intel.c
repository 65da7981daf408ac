#include "intel.h"
#include "datafile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SET_ADDR, SET_DOMAIN, SET_JA3, SET_ALLOW, SET_COUNT };

/* An open-addressing set of 64-bit hashes (0 marks a free slot). */
struct set {
	uint64_t *slots;
	size_t cap, n;
};

struct ym_intel {
	struct set sets[SET_COUNT];
};

static uint64_t key_of(int set, const void *data, size_t len)
{
	return ym_hash_bytes(data, len, 0x1e7e1ULL + (uint64_t)set) | 1;
}

static int set_add(struct set *s, uint64_t k)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *slots = calloc(cap, sizeof(*slots));

		if (!slots)
			return -ENOMEM;
		for (size_t j = 0; j < s->cap; j++) {
			if (!s->slots[j])
				continue;
			for (i = s->slots[j] & (cap - 1); slots[i];
			     i = (i + 1) & (cap - 1))
				;
			slots[i] = s->slots[j];
		}
		free(s->slots);
		s->slots = slots;
		s->cap = cap;
	}
	for (i = k & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == k)
			return 0;
	s->slots[i] = k;
	s->n++;
	return 0;
}

static bool set_has(const struct set *s, uint64_t k)
{
	if (!s->cap)
		return false;
	for (size_t i = k & (s->cap - 1); s->slots[i];
	     i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == k)
			return true;
	return false;
}

static void lower_copy(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
	/* A trailing dot names the same domain. */
	if (i && dst[i - 1] == '.')
		dst[i - 1] = '\0';
}

static int parse_line(struct ym_intel *in, char *line, char *why,
		      size_t whylen)
{
	char *kind, *value, *source, *save = NULL;
	char name[256];
	struct ym_addr a;

	kind = strtok_r(line, " \t\r\n", &save);
	if (!kind || kind[0] == '#')
		return 0;
	value = strtok_r(NULL, " \t\r\n", &save);
	source = strtok_r(NULL, " \t\r\n", &save);
	if (!value || !source || strncmp(source, "source=", 7) != 0 ||
	    !source[7]) {
		snprintf(why, whylen, "expected 'KIND VALUE source=WHERE'");
		return -EINVAL;
	}
	if (strcmp(kind, "ip") == 0) {
		if (ym_addr_parse(value, &a) < 0) {
			snprintf(why, whylen, "'%.60s' is not an address",
				 value);
			return -EINVAL;
		}
		return set_add(&in->sets[SET_ADDR],
			       key_of(SET_ADDR, a.a, 16) ^ a.family);
	}
	if (strcmp(kind, "domain") == 0 || strcmp(kind, "allow") == 0) {
		int set = kind[0] == 'd' ? SET_DOMAIN : SET_ALLOW;

		if (strlen(value) >= sizeof(name) || !strchr(value, '.')) {
			snprintf(why, whylen, "'%.60s' is not a domain", value);
			return -EINVAL;
		}
		lower_copy(name, value, sizeof(name));
		return set_add(&in->sets[set], key_of(set, name, strlen(name)));
	}
	if (strcmp(kind, "ja3") == 0) {
		if (strlen(value) != 32 ||
		    strspn(value, "0123456789abcdefABCDEF") != 32) {
			snprintf(why, whylen, "a JA3 is 32 hex digits");
			return -EINVAL;
		}
		lower_copy(name, value, sizeof(name));
		return set_add(&in->sets[SET_JA3], key_of(SET_JA3, name, 32));
	}
	snprintf(why, whylen, "unknown kind '%.30s'", kind);
	return -EINVAL;
}

static int load_line(void *ctx, char *line, unsigned lineno, char *why,
		     size_t whylen)
{
	(void)lineno;
	return parse_line(ctx, line, why, whylen);
}

int ym_intel_init(struct ym_intel **out, const char *dir, char *err,
		  size_t errlen)
{
	struct ym_intel *in = calloc(1, sizeof(*in));
	const struct ym_datafile_reader reader = {
		.suffix = ".list",
		.line = load_line,
		.ctx = in,
	};
	int rc;

	*out = NULL;
	if (!in)
		return -ENOMEM;
	rc = ym_datafile_load(dir, &reader, err, errlen);
	if (rc == -ENOENT) {
		/* No lists: an empty set, so callers need no NULL checks. */
		*out = in;
		return rc;
	}
	if (rc < 0) {
		ym_intel_fini(in);
		return rc;
	}
	*out = in;
	return 0;
}

void ym_intel_fini(struct ym_intel *in)
{
	if (!in)
		return;
	for (int i = 0; i < SET_COUNT; i++)
		free(in->sets[i].slots);
	free(in);
}

size_t ym_intel_count(const struct ym_intel *in)
{
	size_t n = 0;

	for (int i = 0; in && i < SET_COUNT; i++)
		n += in->sets[i].n;
	return n;
}

bool ym_intel_bad_addr(const struct ym_intel *in, const struct ym_addr *a)
{
	return in && set_has(&in->sets[SET_ADDR],
			     key_of(SET_ADDR, a->a, 16) ^ a->family);
}

/* Looks the name and each parent domain (down to two labels) up. */
static bool domain_in(const struct ym_intel *in, int set, const char *name)
{
	char buf[256];
	const char *p;

	if (!in || !name || !name[0])
		return false;
	lower_copy(buf, name, sizeof(buf));
	/* a.b.example.com, b.example.com, example.com; never "com". */
	for (p = buf; strchr(p, '.'); p = strchr(p, '.') + 1)
		if (set_has(&in->sets[set], key_of(set, p, strlen(p))))
			return true;
	return false;
}

bool ym_intel_bad_domain(const struct ym_intel *in, const char *name)
{
	return domain_in(in, SET_DOMAIN, name);
}

bool ym_intel_allowed(const struct ym_intel *in, const char *name)
{
	return domain_in(in, SET_ALLOW, name);
}

bool ym_intel_bad_ja3(const struct ym_intel *in, const char *ja3)
{
	char buf[33];

	if (!in || !ja3 || strlen(ja3) != 32)
		return false;
	lower_copy(buf, ja3, sizeof(buf));
	return set_has(&in->sets[SET_JA3], key_of(SET_JA3, buf, 32));
}
