#include "oui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct oui_entry {
	uint64_t prefix; /* the assignment's bits, left-aligned in 48 bits */
	uint32_t name;   /* offset into the name arena */
	uint8_t bits;    /* 24, 28 or 36 */
};

struct ym_oui {
	struct oui_entry *entries;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
};

/* Splits one CSV line into up to n fields in place, honouring quotes. */
static int csv_split(char *line, char **fields, int n)
{
	int count = 0;
	char *r = line, *w = line;

	while (count < n) {
		bool quoted = *r == '"';

		fields[count++] = w;
		if (quoted)
			r++;
		for (;;) {
			if (*r == '\0' || *r == '\n' || *r == '\r') {
				*w = '\0';
				return count;
			}
			if (quoted && *r == '"') {
				if (r[1] == '"') {
					*w++ = '"';
					r += 2;
					continue;
				}
				quoted = false;
				r++;
				continue;
			}
			if (!quoted && *r == ',') {
				*w++ = '\0';
				r++;
				break;
			}
			*w++ = *r++;
		}
		/* Fields are written behind the reader, so w never passes r. */
		w = r;
	}
	return count;
}

static int add_name(struct ym_oui *o, const char *name, uint32_t *off)
{
	size_t len = strlen(name) + 1;

	if (o->names_len + len > o->names_cap) {
		size_t cap = o->names_cap ? o->names_cap * 2 : 1 << 20;
		char *p;

		while (cap < o->names_len + len)
			cap *= 2;
		p = realloc(o->names, cap);
		if (!p)
			return -ENOMEM;
		o->names = p;
		o->names_cap = cap;
	}
	memcpy(o->names + o->names_len, name, len);
	*off = (uint32_t)o->names_len;
	o->names_len += len;
	return 0;
}

static int load_file(struct ym_oui *o, const char *path, uint32_t *loaded)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *fields[3], clean[128];
		struct oui_entry e = { 0 };
		size_t hexlen;
		char *end;

		if (csv_split(line, fields, 3) < 3)
			continue;
		hexlen = strlen(fields[1]);
		if (hexlen != 6 && hexlen != 7 && hexlen != 9)
			continue;
		e.prefix = strtoull(fields[1], &end, 16);
		if (*end != '\0')
			continue;
		e.bits = (uint8_t)(hexlen * 4);
		e.prefix <<= 48 - e.bits;
		ym_strlcpy_clean(clean, fields[2], strlen(fields[2]),
				 sizeof(clean));
		if (o->n == o->cap) {
			size_t cap = o->cap ? o->cap * 2 : 65536;
			struct oui_entry *p = realloc(o->entries,
						      cap * sizeof(*p));

			if (!p) {
				rc = -ENOMEM;
				break;
			}
			o->entries = p;
			o->cap = cap;
		}
		rc = add_name(o, clean, &e.name);
		if (rc < 0)
			break;
		o->entries[o->n++] = e;
		(*loaded)++;
	}
	fclose(f);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct oui_entry *x = a, *y = b;

	if (x->bits != y->bits)
		return x->bits < y->bits ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return 0;
}

int ym_oui_init(struct ym_oui **out, const char *dir, uint32_t *loaded)
{
	static const char *const files[] = { "oui.csv", "mam.csv",
					     "oui36.csv", "iab.csv" };
	struct ym_oui *o = calloc(1, sizeof(*o));
	char path[4096];
	int rc = 0;

	*loaded = 0;
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < YM_ARRAY_SIZE(files) && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		rc = load_file(o, path, loaded);
	}
	if (rc < 0) {
		ym_oui_fini(o);
		return rc;
	}
	if (o->n)
		qsort(o->entries, o->n, sizeof(*o->entries), cmp_entry);
	*out = o;
	return 0;
}

void ym_oui_fini(struct ym_oui *o)
{
	if (!o)
		return;
	free(o->entries);
	free(o->names);
	free(o);
}

static const char *find(const struct ym_oui *o, uint64_t mac48, uint8_t bits)
{
	struct oui_entry key = { .bits = bits };
	const struct oui_entry *e;

	key.prefix = mac48 >> (48 - bits) << (48 - bits);
	e = bsearch(&key, o->entries, o->n, sizeof(*o->entries), cmp_entry);
	return e ? o->names + e->name : NULL;
}

const char *ym_oui_lookup(const struct ym_oui *o, const uint8_t mac[6])
{
	static const uint8_t widths[] = { 36, 28, 24 };
	uint64_t v = 0;

	if (!o || o->n == 0 || ym_mac_is_local_admin(mac))
		return NULL;
	for (int i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	for (size_t i = 0; i < YM_ARRAY_SIZE(widths); i++) {
		const char *name = find(o, v, widths[i]);

		if (name)
			return name;
	}
	return NULL;
}
