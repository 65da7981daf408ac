/* Matching one text against rules: the glob, the MAC prefix of a rule,
 * and which of several rules that match the same text count. */
#include "identify-private.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "device.h"
#include "ym-limits.h"

/* Case-insensitive glob with '*' and '?'; the text matched by the first
 * '*' goes to cap when cap is not NULL. Iterative, so hostile input cannot
 * make it recurse. */
bool ym_glob_match(const char *pat, const char *text, char *cap,
		       size_t caplen)
{
	const char *star = NULL, *star_text = NULL, *first_star_text = NULL;
	const char *first_star_end = NULL, *t = text, *p = pat;
	bool first_star_done = false;

	while (*t) {
		if (*p == '*') {
			star = p++;
			star_text = t;
			if (!first_star_done) {
				first_star_text = t;
				first_star_done = true;
			}
			continue;
		}
		if (*p == '?' || tolower((unsigned char)*p) ==
					 tolower((unsigned char)*t)) {
			p++;
			t++;
			continue;
		}
		if (star) {
			p = star + 1;
			t = ++star_text;
			continue;
		}
		return false;
	}
	while (*p == '*') {
		if (!first_star_done) {
			first_star_text = t;
			first_star_done = true;
		}
		p++;
	}
	if (*p)
		return false;
	if (cap && caplen) {
		cap[0] = '\0';
		if (first_star_text) {
			/* The first star's text ends where the pattern's next
			 * literal part begins; for the common "prefix*" and
			 * "*" patterns that is the end of the text. */
			const char *after = strchr(pat, '*') + 1;
			size_t tail = strlen(after);
			size_t len = strlen(first_star_text);

			first_star_end = first_star_text + len;
			if (strchr(after, '*') == NULL && tail <= len)
				first_star_end -= tail;
			ym_strlcpy_clean(cap, first_star_text,
					 (size_t)(first_star_end -
						  first_star_text),
					 caplen);
		}
	}
	return true;
}

void ym_squeeze(const char *text, char *out, size_t len)
{
	size_t o = 0;

	for (; *text && o + 1 < len; text++)
		if (*text != '-' && *text != '_' && *text != ' ' &&
		    *text != '.')
			out[o++] = *text;
	out[o] = '\0';
}

/* ASCII only, whatever the locale: names are matched byte by byte. */
static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_letter(char c)
{
	return is_lower(c) || is_upper(c);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The word goes on after value[at]: in small letters ("Insights",
 * "ecosystem"), or, after a word in capitals, in capitals with no digit
 * in the rest of the run ("ECOSYSTEM", "INSIGHTS"; but "EPSONA1B2C3" is
 * EPSON and a serial number). */
static bool word_goes_on(const char *value, size_t start, size_t at)
{
	bool caps = true;

	if (is_lower(value[at]))
		return true;
	if (!is_upper(value[at]))
		return false;
	for (size_t i = start; i < at; i++)
		if (is_lower(value[i]))
			caps = false;
	if (!caps)
		return false;
	for (size_t i = at; is_letter(value[i]) || is_digit(value[i]); i++)
		if (is_digit(value[i]))
			return false;
	return true;
}

/* Where the rule's word (the literal after its leading '*') stands in
 * value as a word, the end of the last such place, or 0: not inside a run
 * of letters ("Carlos", "grimace", "CARLOS"), unless a capital starts it
 * after small letters ("MyArlo"), and not going on as a word
 * (word_goes_on) unless the pattern's next part follows at once
 * ("wyzecam" for "*wyze*cam*"). The rest of the pattern matches what
 * follows. */
static size_t word_stands(const struct rule *r, const char *value,
			  size_t vlen)
{
	const char *lit = r->pattern + 1;
	size_t n = strcspn(lit, "*?"), end = 0;
	const char *rest = lit + n;

	for (size_t i = 0; i + n <= vlen; i++) {
		char prev = i ? value[i - 1] : ' ';

		if (strncasecmp(value + i, lit, n) != 0)
			continue;
		if (is_letter(prev) && !(is_lower(prev) && is_upper(value[i])))
			continue;
		if (*rest != '?' && word_goes_on(value, i, i + n) &&
		    !(*rest == '*' && rest[1] &&
		      ym_glob_match(rest + 1, value + i + n, NULL, 0)))
			continue;
		if (ym_glob_match(rest, value + i + n, NULL, 0))
			end = i + n;
	}
	return end;
}

static bool pattern_match(const struct rule *r, const char *value,
			  size_t vlen, char *cap, size_t caplen)
{
	switch (r->kind) {
	case PAT_EXACT:
		cap[0] = '\0';
		return vlen == r->fixed_len &&
		       strcasecmp(value, r->pattern) == 0;
	case PAT_SUFFIX:
		if (vlen < r->fixed_len ||
		    strcasecmp(value + vlen - r->fixed_len, r->pattern + 1))
			return false;
		ym_strlcpy_clean(cap, value, vlen - r->fixed_len, caplen);
		return true;
	case PAT_PREFIX:
		if (vlen < r->fixed_len ||
		    strncasecmp(value, r->pattern, r->fixed_len))
			return false;
		ym_strlcpy_clean(cap, value + r->fixed_len,
				 vlen - r->fixed_len, caplen);
		return true;
	default:
		return ym_glob_match(r->pattern, value, cap, caplen);
	}
}

bool ym_rule_match(const struct rule *r, const char *value, size_t vlen,
		   char *cap, size_t caplen)
{
	return pattern_match(r, value, vlen, cap, caplen) &&
	       (!r->word || word_stands(r, value, vlen) > 0);
}

bool ym_rule_mac_match(const struct rule *r, const uint8_t mac[6])
{
	for (uint8_t i = 0; i < r->mac_len; i++) {
		uint8_t nib = (uint8_t)(i % 2 ? mac[i / 2] & 0x0f :
						mac[i / 2] >> 4);

		if (nib != r->mac_nib[i])
			return false;
	}
	return true;
}

/* How specific a rule is: its literal characters, and the hex digits of
 * its MAC prefix. */
static size_t specificity(const struct rule *r)
{
	size_t n = r->mac_len;

	for (const char *p = r->pattern; *p; p++)
		if (*p != '*' && *p != '?')
			n++;
	return n;
}

/* Where the pattern's last literal part ends in value (which it
 * matched): the end of the text for "*-PC", before the last character
 * for "*-P?", the end of the last "brewer" for "*brewer*", of the word
 * that stands for a maker's word ("Arlo-carlos": 4). */
size_t ym_rule_end(const struct rule *r, const char *value, size_t vlen)
{
	size_t plen = strlen(r->pattern), e = plen, b, n;

	if (r->word)
		return word_stands(r, value, vlen);
	while (e && (r->pattern[e - 1] == '*' || r->pattern[e - 1] == '?'))
		e--;
	if (!strchr(r->pattern + e, '*'))
		return vlen >= plen - e ? vlen - (plen - e) : 0;
	b = e;
	while (b && r->pattern[b - 1] != '*' && r->pattern[b - 1] != '?')
		b--;
	n = e - b;
	if (!n)
		return 0;
	for (size_t i = vlen >= n ? vlen - n + 1 : 0; i-- > 0;)
		if (strncasecmp(value + i, r->pattern + b, n) == 0)
			return i + n;
	return vlen;
}

static bool conflicts(const struct rule *a, const struct rule *b)
{
	return (a->type[0] && b->type[0] && strcmp(a->type, b->type) != 0) ||
	       (a->vendor[0] && b->vendor[0] &&
		strcasecmp(a->vendor, b->vendor) != 0);
}

/* A model's pattern ("*HS110*", "DCS-*", "KDL-*"), not a word: its
 * literal characters are not all letters and spaces. */
static bool model_number(const struct rule *r)
{
	for (const char *p = r->pattern; *p; p++)
		if (*p != '*' && *p != '?' && *p != ' ' &&
		    !is_letter(*p))
			return true;
	return false;
}

/* Two rules that name other kinds in one name, one of them a kind word
 * (no maker) and the other no model number: the later one
 * is the head of the name, as in "Brewer-PC" or "Phaser-PC" (Windows PCs
 * named by their owners, not a coffee machine or a Xerox printer) or
 * "Motion Sensor Light". */
static bool kind_words_disagree(const struct rule *a, const struct rule *b)
{
	if (!a->type[0] || !b->type[0] || strcmp(a->type, b->type) == 0)
		return false;
	/* A model number ("*HS110*") is no word: see model_beats_word. */
	return (!a->vendor[0] && (!b->vendor[0] || !model_number(b))) ||
	       (!b->vendor[0] && !model_number(a));
}

/* A maker's model ("*HS110*", "DCS-*") that names another kind than a
 * kind word in the same name wins, wherever the word is: "HS110 Lamp" is
 * the plug, "DCS-930L-Motion" the camera. */
static bool model_beats_word(const struct rule *word, const struct rule *m)
{
	return !word->vendor[0] && word->type[0] && m->vendor[0] &&
	       m->type[0] && strcmp(word->type, m->type) != 0 &&
	       model_number(m);
}

/* Of the rules that matched one text, one that says another kind or maker
 * than a more specific rule on the same text gives way: a family's
 * "*DCH-S*" (sensors) to "*DCH-S220*" (a siren), a "DS???*" NAS pattern to
 * "*DSP-W215*" (a plug); of two kind words, the earlier gives way to the
 * later; a kind word gives way to a maker's model. Keeps the order;
 * returns how many are left. */
size_t ym_rule_hits_specific(struct ym_rule_hit *h, size_t n)
{
	size_t spec[YM_MAX_RULE_HITS], kept = 0;
	bool beaten[YM_MAX_RULE_HITS] = { false };

	if (n > YM_MAX_RULE_HITS)
		n = YM_MAX_RULE_HITS;
	for (size_t i = 0; i < n; i++)
		spec[i] = specificity(h[i].rule);
	/* Every hit is judged against all the others before any is
	 * dropped, so the order of the rules does not matter. */
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n && !beaten[i]; j++) {
			if (kind_words_disagree(h[i].rule, h[j].rule))
				beaten[i] = h[j].end > h[i].end ||
					    (h[j].end == h[i].end &&
					     spec[j] > spec[i]);
			else if (model_beats_word(h[i].rule, h[j].rule))
				beaten[i] = true;
			else if (model_beats_word(h[j].rule, h[i].rule))
				beaten[i] = false;
			else
				beaten[i] = spec[j] > spec[i] &&
					    conflicts(h[i].rule, h[j].rule);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!beaten[i])
			h[kept++] = h[i];
	return kept;
}
