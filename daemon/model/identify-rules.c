/* The rule files of identification: one line a rule, a plausible pairing
 * of maker and type, or a module maker; read through the data file loader
 * into the tables of identify-private.h, each signal's rules in file
 * order. Matching and deciding are identify.c's. */
#include "identify-private.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ym-limits.h"
#include "datafile.h"
#include "device.h"

/* Rules loaded from one directory; a router has room for thousands. */
#define YM_MAX_RULES 20000

static bool known_type(const char *t)
{
	return ym_device_type_known(t);
}

bool ym_identify_known_type(const char *type)
{
	return type && known_type(type);
}

/* Splits a rule line into words; "double quotes" keep spaces, and a word
 * key="a b" keeps them too. Returns the word count, or -1 on an unclosed
 * quote. Words are written in place. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *r = line, *w;

	while (*r && n < max) {
		while (isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			break;
		words[n++] = w = r;
		while (*r && !isspace((unsigned char)*r)) {
			if (*r == '"') {
				r++;
				while (*r && *r != '"')
					*w++ = *r++;
				if (*r != '"')
					return -1;
				r++;
				continue;
			}
			*w++ = *r++;
		}
		if (*r)
			r++;
		*w = '\0';
	}
	return n;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "E84F25*", "e8:4f:25" or "E84F25": the leading hex digits a device's
 * address must start with (Home Assistant's DHCP matchers use the first
 * form). */
static int parse_mac_prefix(const char *v, struct rule *r)
{
	r->mac_len = 0;
	for (; *v; v++) {
		int h = hex_digit(*v);

		if (*v == ':' || *v == '-')
			continue;
		if (*v == '*' && v[1] == '\0')
			break;
		if (h < 0 || r->mac_len == sizeof(r->mac_nib))
			return -1;
		r->mac_nib[r->mac_len++] = (uint8_t)h;
	}
	return r->mac_len >= 6 ? 0 : -1;
}

/* The brand's letters and digits in lower case, for finding it inside a
 * domain or a device's own name; none for makers of general-purpose
 * computers (a phone meets google, apple and samsung names all day). */
static void brand_token(struct plausible *p)
{
	size_t n = 0;

	p->token[0] = '\0';
	p->personal = strstr(p->types, ",phone,") ||
		      strstr(p->types, ",computer,") ||
		      strstr(p->types, ",tablet,");
	if (p->personal)
		return;
	for (const char *c = p->vendor; *c && n + 1 < sizeof(p->token); c++)
		if (isalnum((unsigned char)*c))
			p->token[n++] = (char)tolower((unsigned char)*c);
	p->token[n] = '\0';
}

/* "plausible VENDOR TYPE[,TYPE...] source=WHERE": types the maker makes. */
static int parse_plausible(struct ym_identify *id, char **w, int nw,
			   char *why, size_t whylen)
{
	struct plausible *p;
	size_t off = 1;

	if (nw < 4 || strncmp(w[nw - 1], "source=", 7) != 0 ||
	    !w[nw - 1][7]) {
		snprintf(why, whylen, "expected 'plausible VENDOR "
			 "TYPE[,TYPE...] source=WHERE'");
		return -EINVAL;
	}
	p = realloc(id->plaus, (id->n_plaus + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	id->plaus = p;
	p = &id->plaus[id->n_plaus];
	memset(p, 0, sizeof(*p));
	snprintf(p->vendor, sizeof(p->vendor), "%s", w[1]);
	p->types[0] = ',';
	for (char *t = strtok_r(w[2], ",", &w[0]); t;
	     t = strtok_r(NULL, ",", &w[0])) {
		if (!known_type(t)) {
			snprintf(why, whylen, "unknown type '%.30s'",
				 t);
			return -EINVAL;
		}
		off += (size_t)snprintf(p->types + off,
					sizeof(p->types) - off, "%s,",
					t);
		if (off >= sizeof(p->types)) {
			snprintf(why, whylen, "too many types");
			return -EINVAL;
		}
	}
	brand_token(p);
	id->n_plaus++;
	return 0;
}

/* "module VENDOR [platform] source=WHERE": a maker of radios or platforms. */
static int parse_module(struct ym_identify *id, char **w, int nw, char *why,
			size_t whylen)
{
	struct module *m;
	bool platform = nw == 4 && strcmp(w[2], "platform") == 0;

	if ((nw != 3 && !platform) || strncmp(w[nw - 1], "source=", 7) ||
	    !w[nw - 1][7]) {
		snprintf(why, whylen, "expected 'module VENDOR [platform] "
			 "source=WHERE'");
		return -EINVAL;
	}
	m = realloc(id->modules, (id->n_modules + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	id->modules = m;
	m = &id->modules[id->n_modules++];
	memset(m, 0, sizeof(*m));
	snprintf(m->vendor, sizeof(m->vendor), "%s", w[1]);
	m->tier = platform ? TIER_PLATFORM : TIER_CHIP;
	return 0;
}

/* "p0f SIGNATURE LABEL source=WHERE": a SYN signature of p0f's database
 * and the system it names, the label as p0f writes it
 * ("s:unix:Linux:3.11 and newer"; "g:" a generic one). */
static int parse_p0f(struct ym_identify *id, char **w, int nw, char *why,
		     size_t whylen)
{
	struct syn_rule r = { 0 }, *p;
	const char *bad = NULL;
	char *class, *name, *flavor;

	if (nw != 4 || strncmp(w[3], "source=", 7) != 0 || !w[3][7]) {
		snprintf(why, whylen, "expected 'p0f SIGNATURE LABEL "
			 "source=WHERE'");
		return -EINVAL;
	}
	if (ym_syn_sig_parse(w[1], &r.sig, &bad) < 0) {
		snprintf(why, whylen, "p0f signature: %s", bad);
		return -EINVAL;
	}
	class = strchr(w[2], ':');
	name = class ? strchr(class + 1, ':') : NULL;
	flavor = name ? strchr(name + 1, ':') : NULL;
	if (!flavor || class != w[2] + 1 || (w[2][0] != 's' && w[2][0] != 'g') ||
	    name == class + 1 || flavor == name + 1) {
		snprintf(why, whylen, "p0f label: expected "
			 "'s|g:CLASS:NAME:FLAVOR'");
		return -EINVAL;
	}
	r.generic = w[2][0] == 'g';
	*flavor = '\0';
	ym_strlcpy_clean(r.label, name + 1, strlen(name + 1), sizeof(r.label));
	if (flavor[1]) {
		size_t used = strlen(r.label);

		snprintf(r.label + used, sizeof(r.label) - used, " ");
		used = strlen(r.label);
		ym_strlcpy_clean(r.label + used, flavor + 1,
				 strlen(flavor + 1), sizeof(r.label) - used);
	}
	if (id->n_rules == YM_MAX_RULES) {
		snprintf(why, whylen, "more than %d rules", YM_MAX_RULES);
		return -EINVAL;
	}
	p = realloc(id->syns, (id->n_syns + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	id->syns = p;
	id->syns[id->n_syns++] = r;
	id->n_rules++;
	return 0;
}

/* A rule's key=value words (from the third on) into r. */
static int parse_rule_keys(struct rule *r, char **w, int nw, char *why,
			   size_t whylen)
{
	bool has_source = false;

	for (int i = 2; i < nw; i++) {
		char *eq = strchr(w[i], '='), *v;

		if (!eq) {
			snprintf(why, whylen, "expected key=value, got '%.30s'",
				 w[i]);
			return -EINVAL;
		}
		*eq = '\0';
		v = eq + 1;
		if (strcmp(w[i], "type") == 0) {
			if (!known_type(v)) {
				snprintf(why, whylen, "unknown type '%.30s'", v);
				return -EINVAL;
			}
			snprintf(r->type, sizeof(r->type), "%s", v);
		} else if (strcmp(w[i], "vendor") == 0) {
			snprintf(r->vendor, sizeof(r->vendor), "%s", v);
		} else if (strcmp(w[i], "model") == 0) {
			/* "$1" stands for what the first '*' matched. */
			r->model_from_match = strstr(v, "$1") != NULL;
			snprintf(r->model, sizeof(r->model), "%s", v);
		} else if (strcmp(w[i], "os") == 0) {
			snprintf(r->os, sizeof(r->os), "%s", v);
		} else if (strcmp(w[i], "weight") == 0) {
			char *end;

			r->weight = strtof(v, &end);
			if (*end || !(r->weight > 0.0f && r->weight <= 1.0f)) {
				snprintf(why, whylen, "weight must be above 0 "
					 "and at most 1");
				return -EINVAL;
			}
		} else if (strcmp(w[i], "source") == 0) {
			has_source = v[0] != '\0';
		} else if (strcmp(w[i], "mac") == 0) {
			if (parse_mac_prefix(v, r) < 0) {
				snprintf(why, whylen, "mac= wants hex digits of an "
					 "address prefix, got '%.30s'", v);
				return -EINVAL;
			}
		} else {
			snprintf(why, whylen, "unknown key '%.30s'", w[i]);
			return -EINVAL;
		}
	}
	if (!has_source) {
		snprintf(why, whylen, "every rule needs source=WHERE");
		return -EINVAL;
	}
	if (!r->type[0] && !r->vendor[0] && !r->model[0] &&
	    !r->model_from_match && !r->os[0]) {
		snprintf(why, whylen, "a rule must conclude a type, vendor, "
			 "model or os");
		return -EINVAL;
	}
	return 0;
}

/* How the rule's pattern matches, decided once at load. */
static void rule_set_kind(struct rule *r)
{
	size_t len = strlen(r->pattern);
	size_t wild = strcspn(r->pattern, "*?");

	if (wild == len)
		r->kind = PAT_EXACT;
	else if (r->pattern[0] == '*' &&
		 strcspn(r->pattern + 1, "*?") == len - 1)
		r->kind = PAT_SUFFIX;
	else if (r->pattern[len - 1] == '*' && wild == len - 1)
		r->kind = PAT_PREFIX;
	else
		r->kind = PAT_GLOB;
	r->fixed_len = (uint16_t)(r->kind == PAT_EXACT ? len : len - 1);
}

/* A rule that names a maker by a word inside a longer text ("*Arlo*",
 * "*ECOSYS*", "*iMac*", "*Insight*"): the word must stand as a word
 * (ym_rule_match), or a household's "Carlos-PC" is an Arlo camera and
 * "ecosystem-pi" a Kyocera printer. Words of letters only: a model
 * number ("*DCS-9*", "*HS110*") is found inside names ("tplinkhs110"),
 * and kind words without a maker ("*sensor*", "*cam") are found inside
 * a device's compound name ("doorsensor", "ipcam"). */
static void rule_set_word(struct rule *r)
{
	const char *lit;
	size_t n;

	r->word = false;
	if (!r->vendor[0] || r->pattern[0] != '*')
		return;
	lit = r->pattern + 1;
	n = strcspn(lit, "*?");
	if (n < 3 ||
	    !isalpha((unsigned char)lit[0]) ||
	    !isalpha((unsigned char)lit[n - 1]))
		return;
	for (size_t i = 0; i < n; i++)
		if (!isalpha((unsigned char)lit[i]) && lit[i] != ' ')
			return;
	r->word = true;
}

/* The squeezed form of a model_name pattern, when it still reads as a
 * model (a digit and two letters: "*sp1101w*", "ws30*", "*hs110*", which
 * then also matches "HS-110"). Words are not loosened: "*Lightswitch*"
 * must not read "light-switch". */
static int rule_set_squeezed(struct rule *r)
{
	size_t n = strlen(r->pattern), letters = 0, digits = 0;
	char *q;

	/* A maker's word must stand as a word (rule_set_word); squeezed,
	 * "powersocket 1.0" would read as "socket 1.0". */
	if (r->signal != SIG_MODEL_NAME || r->word)
		return 0;
	q = malloc(n + 1);
	if (!q)
		return -ENOMEM;
	ym_squeeze(r->pattern, q, n + 1);
	for (const char *c = q; *c; c++) {
		letters += isalpha((unsigned char)*c) != 0;
		digits += isdigit((unsigned char)*c) != 0;
	}
	if (digits >= 1 && letters >= 2)
		r->squeezed = q;
	else
		free(q);
	return 0;
}

/* Appends the rule to its signal's group. */
static int rule_add(struct ym_identify *id, struct rule *r)
{
	/* Each signal keeps its own array, in file order, grown by
	 * doubling: 20,000 rules load in well under 50 ms with no
	 * sorting pass. */
	struct rule_group *g = &id->groups[r->signal];

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct rule *p = realloc(g->rules, cap * sizeof(*p));

		if (!p) {
			free(r->pattern);
			free(r->squeezed);
			return -ENOMEM;
		}
		g->rules = p;
		g->cap = cap;
	}
	g->rules[g->n++] = *r;
	id->n_rules++;
	return 0;
}

static int parse_rule(struct ym_identify *id, char **w, int nw,
		      char *why, size_t whylen)
{
	struct rule r = { 0 };
	int sig, rc;

	if (strcmp(w[0], "plausible") == 0)
		return parse_plausible(id, w, nw, why, whylen);
	if (strcmp(w[0], "module") == 0)
		return parse_module(id, w, nw, why, whylen);
	if (strcmp(w[0], "p0f") == 0)
		return parse_p0f(id, w, nw, why, whylen);
	sig = ym_identify_signal_by_name(w[0]);
	if (strcmp(w[0], "model_name") == 0)
		sig = SIG_MODEL_NAME;
	else if (strcmp(w[0], "device_name") == 0)
		sig = SIG_DEVICE_NAME;
	if (sig < 0 || sig == YM_SIG_GATEWAY) {
		snprintf(why, whylen, "unknown signal '%.30s'", w[0]);
		return -EINVAL;
	}
	if (nw < 3) {
		snprintf(why, whylen, "expected 'SIGNAL PATTERN key=value... "
			 "source=WHERE'");
		return -EINVAL;
	}
	r.signal = (uint8_t)sig;
	r.weight = 0.5f;
	rc = parse_rule_keys(&r, w, nw, why, whylen);
	if (rc < 0)
		return rc;
	if (id->n_rules == YM_MAX_RULES) {
		snprintf(why, whylen, "more than %d rules", YM_MAX_RULES);
		return -EINVAL;
	}
	r.pattern = strdup(w[1]);
	if (!r.pattern)
		return -ENOMEM;
	lower(r.pattern);
	rule_set_kind(&r);
	rule_set_word(&r);
	if (rule_set_squeezed(&r) < 0) {
		free(r.pattern);
		return -ENOMEM;
	}
	return rule_add(id, &r);
}

/* One line of a rules file, for the data file loader. */
static int load_line(void *ctx, char *line, unsigned lineno, char *why,
		     size_t whylen)
{
	struct ym_identify *id = ctx;
	char *w[24];
	int nw;

	(void)lineno;
	nw = split_words(line, w, (int)YM_ARRAY_SIZE(w));
	if (nw == 0)
		return 0;
	if (nw < 0) {
		snprintf(why, whylen, "unclosed quote");
		return -EINVAL;
	}
	return parse_rule(id, w, nw, why, whylen);
}

int ym_identify_init(struct ym_identify **out, const char *dir, char *err,
		     size_t errlen)
{
	struct ym_identify *id = calloc(1, sizeof(*id));
	const struct ym_datafile_reader reader = {
		.suffix = ".rules",
		.line = load_line,
		.ctx = id,
	};
	int rc;

	if (!id)
		return -ENOMEM;
	/* Files load in name order, so the result does not depend on the
	 * directory's order on disk. */
	rc = ym_datafile_load(dir, &reader, err, errlen);
	if (rc < 0) {
		ym_identify_fini(id);
		return rc;
	}
	*out = id;
	return 0;
}

void ym_identify_fini(struct ym_identify *id)
{
	if (!id)
		return;
	for (int g = 0; g < N_GROUPS; g++) {
		for (size_t i = 0; i < id->groups[g].n; i++) {
			free(id->groups[g].rules[i].pattern);
			free(id->groups[g].rules[i].squeezed);
		}
		free(id->groups[g].rules);
	}
	free(id->plaus);
	free(id->modules);
	free(id->syns);
	free(id);
}

size_t ym_identify_rule_count(const struct ym_identify *id)
{
	return id ? id->n_rules : 0;
}
