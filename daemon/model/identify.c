#include "identify.h"
#include "identify-private.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "ym-limits.h"

/* A type needs this much combined weight, and either two kinds of signal
 * or one strong one, before Yamori names it. */
#define YM_TYPE_MIN_SCORE 0.5f
#define YM_STRONG_WEIGHT 0.7f

/* A vendor needs at least the weight of the registry's name. */
#define YM_VENDOR_MIN_SCORE 0.3f

static int tier_of(const struct ym_identify *id, const char *vendor);

static const char *const signal_names[YM_SIG_COUNT] = {
	[YM_SIG_OUI] = "oui",
	[YM_SIG_DHCP_HOSTNAME] = "dhcp_hostname",
	[YM_SIG_DHCP_VENDOR] = "dhcp_vendor",
	[YM_SIG_DHCP_PARAMS] = "dhcp_params",
	[YM_SIG_DHCP_FQDN] = "dhcp_fqdn",
	[YM_SIG_DHCP6_VENDOR] = "dhcp6_vendor",
	[YM_SIG_MDNS_SERVICE] = "mdns_service",
	[YM_SIG_MDNS_NAME] = "mdns_name",
	[YM_SIG_MDNS_TXT] = "mdns_txt",
	[YM_SIG_SSDP_SERVER] = "ssdp_server",
	[YM_SIG_SSDP_TYPE] = "ssdp_type",
	[YM_SIG_UPNP_MANUFACTURER] = "upnp_manufacturer",
	[YM_SIG_UPNP_MODEL] = "upnp_model",
	[YM_SIG_UPNP_TYPE] = "upnp_type",
	[YM_SIG_UPNP_NAME] = "upnp_name",
	[YM_SIG_HTTP_USER_AGENT] = "http_user_agent",
	[YM_SIG_TLS_SNI] = "tls_sni",
	[YM_SIG_DNS_QUERY] = "dns_query",
	[YM_SIG_JA3] = "ja3",
	[YM_SIG_NETBIOS_NAME] = "netbios_name",
	[YM_SIG_LLMNR_NAME] = "llmnr_name",
	[YM_SIG_LLDP_NAME] = "lldp_name",
	[YM_SIG_LLDP_DESCRIPTION] = "lldp_description",
	[YM_SIG_SERVICE] = "service",
	[YM_SIG_HTTP_SERVER] = "http_server",
	[YM_SIG_WPS_MANUFACTURER] = "wps_manufacturer",
	[YM_SIG_WPS_MODEL] = "wps_model",
	[YM_SIG_WPS_NAME] = "wps_name",
	[YM_SIG_WPS_CATEGORY] = "wps_category",
	[YM_SIG_WSD_TYPE] = "wsd_type",
	[YM_SIG_GATEWAY] = "gateway",
};

static bool carries_model(enum ym_signal sig)
{
	switch (sig) {
	case YM_SIG_DHCP_HOSTNAME:
	case YM_SIG_DHCP_VENDOR:
	case YM_SIG_DHCP_FQDN:
	case YM_SIG_MDNS_NAME:
	case YM_SIG_MDNS_TXT:
	case YM_SIG_SSDP_SERVER:
	case YM_SIG_UPNP_MODEL:
	case YM_SIG_UPNP_NAME:
	case YM_SIG_HTTP_USER_AGENT:
	case YM_SIG_HTTP_SERVER:
	case YM_SIG_WPS_MODEL:
	case YM_SIG_WPS_NAME:
	case YM_SIG_NETBIOS_NAME:
	case YM_SIG_LLMNR_NAME:
	case YM_SIG_LLDP_NAME:
	case YM_SIG_LLDP_DESCRIPTION:
		return true;
	default:
		return false;
	}
}

static bool is_device_name(enum ym_signal sig)
{
	return sig == YM_SIG_DHCP_HOSTNAME || sig == YM_SIG_DHCP_FQDN ||
	       sig == YM_SIG_MDNS_NAME || sig == YM_SIG_NETBIOS_NAME ||
	       sig == YM_SIG_LLMNR_NAME || sig == YM_SIG_UPNP_NAME ||
	       sig == YM_SIG_WPS_NAME;
}

/* Signals that name the device: kept as evidence even when no rule
 * matches, because the household recognises a device by its name. */
static bool is_naming(enum ym_signal sig)
{
	return sig == YM_SIG_DHCP_HOSTNAME || sig == YM_SIG_MDNS_NAME ||
	       sig == YM_SIG_NETBIOS_NAME || sig == YM_SIG_UPNP_NAME ||
	       sig == YM_SIG_LLDP_NAME || sig == YM_SIG_UPNP_MODEL ||
	       sig == YM_SIG_UPNP_MANUFACTURER || sig == YM_SIG_WPS_NAME ||
	       sig == YM_SIG_WPS_MODEL || sig == YM_SIG_WPS_MANUFACTURER;
}

const char *ym_signal_name(enum ym_signal sig)
{
	return (unsigned)sig < YM_SIG_COUNT ? signal_names[sig] : "unknown";
}

int ym_identify_signal_by_name(const char *name)
{
	for (int i = 0; i < YM_SIG_COUNT; i++)
		if (strcmp(signal_names[i], name) == 0)
			return i;
	return -1;
}

static void conclusion_text(struct ym_evidence *e)
{
	char text[256];
	size_t off = 0;

	text[0] = '\0';
#define ADD(label, field)                                                    \
	if (field[0] && off < sizeof(text))                                  \
		off += (size_t)snprintf(text + off, sizeof(text) - off,        \
					"%s%s %s", off ? "; " : "", label,     \
					field);
	ADD("type", e->type);
	ADD("vendor", e->vendor);
	ADD("model", e->model);
	ADD("os", e->os);
#undef ADD
	/* Cut on a character boundary: registry names are UTF-8. */
	ym_strlcpy_clean(e->conclusion, text, strlen(text),
			 sizeof(e->conclusion));
	if (!e->conclusion[0])
		snprintf(e->conclusion, sizeof(e->conclusion), "name");
}

/* Adds evidence, or refreshes the entry with the same signal and value
 * and the same conclusion. False when nothing changed. */
static bool add_evidence(struct ym_device *d, const struct ym_evidence *in)
{
	struct ym_evidence *e = NULL;

	for (uint8_t i = 0; i < d->n_evidence; i++) {
		struct ym_evidence *x = &d->evidence[i];

		if (strcmp(x->signal, in->signal) == 0 &&
		    strcmp(x->value, in->value) == 0 &&
		    strcmp(x->conclusion, in->conclusion) == 0) {
			if (x->weight == in->weight)
				return false;
			e = x;
			break;
		}
	}
	if (!e) {
		if (d->n_evidence >= YM_MAX_EVIDENCE) {
			/* Full: a stronger piece replaces the weakest one,
			 * first among those another piece of the same
			 * signal and conclusion repeats (the tenth cloud
			 * name of one maker), so one kind of signal cannot
			 * crowd out the others (the registry's name). */
			uint8_t weakest = 0;
			bool weakest_rep = false;

			for (uint8_t i = 0; i < d->n_evidence; i++) {
				const struct ym_evidence *x = &d->evidence[i];
				bool rep = false;

				for (uint8_t j = 0; j < d->n_evidence && !rep;
				     j++)
					rep = j != i &&
					      strcmp(d->evidence[j].signal,
						     x->signal) == 0 &&
					      strcmp(d->evidence[j].conclusion,
						     x->conclusion) == 0 &&
					      d->evidence[j].weight >=
						      x->weight;
				if (i == 0 || (rep && !weakest_rep) ||
				    (rep == weakest_rep &&
				     x->weight < d->evidence[weakest].weight)) {
					weakest = (uint8_t)i;
					weakest_rep = rep;
				}
			}
			if (d->evidence[weakest].weight >= in->weight)
				return false;
			e = &d->evidence[weakest];
		} else {
			e = &d->evidence[d->n_evidence++];
		}
	}
	*e = *in;
	d->dirty = true;
	return true;
}

static void fill(struct ym_evidence *e, enum ym_signal sig, const char *value)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->signal, sizeof(e->signal), "%s", ym_signal_name(sig));
	ym_strlcpy_clean(e->value, value, strlen(value), sizeof(e->value));
}

/* Remembers (signal, value) in the device's small ring; true if it was
 * already there. */
static bool seen_before(struct ym_device *d, enum ym_signal sig,
			const char *value)
{
	struct ym_identify_seen *seen = &d->id_seen;
	uint32_t h = (uint32_t)ym_hash_bytes(value, strlen(value),
					     (uint64_t)sig + 1) | 1;

	for (int i = 0; i < YM_SEEN_SIGNALS; i++)
		if (seen->hash[i] == h)
			return true;
	seen->hash[seen->next] = h;
	seen->next = (uint8_t)((seen->next + 1) % YM_SEEN_SIGNALS);
	return false;
}

/* Collects the rules of one group that match value. */
static size_t match_group(const struct ym_identify *id,
			  const struct ym_device *d, int group,
			  const char *value, size_t vlen, struct ym_rule_hit *h,
			  size_t n, size_t max)
{
	const struct rule_group *g = &id->groups[group];

	for (size_t i = 0; i < g->n && n < max; i++) {
		const struct rule *r = &g->rules[i];

		if (r->mac_len && !ym_rule_mac_match(r, d->mac))
			continue;
		if (ym_rule_match(r, value, vlen, h[n].cap, sizeof(h[n].cap)))
			h[n++].rule = r;
	}
	return n;
}

/* Records one matched rule as evidence under the signal it came from. */
static bool add_hit(struct ym_device *d, enum ym_signal sig,
		    const char *value, const struct ym_rule_hit *h)
{
	const struct rule *r = h->rule;
	struct ym_evidence e;

	fill(&e, sig, value);
	snprintf(e.type, sizeof(e.type), "%s", r->type);
	snprintf(e.vendor, sizeof(e.vendor), "%s", r->vendor);
	if (r->model_from_match) {
		const char *at = strstr(r->model, "$1");
		char tmp[160];

		snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)(at - r->model),
			 r->model, h->cap, at + 2);
		/* Cut to the field on a character boundary. */
		ym_strlcpy_clean(e.model, tmp, strlen(tmp), sizeof(e.model));
	} else {
		snprintf(e.model, sizeof(e.model), "%s", r->model);
	}
	snprintf(e.os, sizeof(e.os), "%s", r->os);
	e.weight = r->weight;
	conclusion_text(&e);
	return add_evidence(d, &e);
}

/* How sure a brand's name found inside a text is, per signal; 0: not
 * looked for. A domain named after the maker (mydlink.com, myedimax.com,
 * withings.net) is the maker's cloud; a device's own name that carries
 * its maker (dlink-mov) says who made it. */
static float brand_weight(enum ym_signal sig)
{
	switch (sig) {
	case YM_SIG_DNS_QUERY:
	case YM_SIG_TLS_SNI:
		return 0.3f;
	case YM_SIG_DHCP_HOSTNAME:
	case YM_SIG_DHCP_FQDN:
	case YM_SIG_MDNS_NAME:
	case YM_SIG_NETBIOS_NAME:
	case YM_SIG_LLMNR_NAME:
	case YM_SIG_UPNP_NAME:
		return 0.5f;
	case YM_SIG_UPNP_MANUFACTURER:
	case YM_SIG_UPNP_MODEL:
	case YM_SIG_UPNP_TYPE:
	case YM_SIG_SSDP_TYPE:
	case YM_SIG_SSDP_SERVER:
	case YM_SIG_HTTP_SERVER:
	case YM_SIG_DHCP_VENDOR:
	case YM_SIG_WPS_MODEL:
	case YM_SIG_WPS_NAME:
		return 0.5f;
	case YM_SIG_WPS_MANUFACTURER:
		return 0.6f;
	case YM_SIG_MDNS_SERVICE:
	case YM_SIG_MDNS_TXT:
	case YM_SIG_HTTP_USER_AGENT:
		return 0.4f;
	default:
		return 0;
	}
}

/* The text's letters and digits in lower case, and its words separated
 * by single spaces: once split at every other character ("ring doorbell"),
 * once with hyphens kept inside words ("eq3"). For a domain the last
 * label (the top-level domain) is left out. */
static void brand_text(enum ym_signal sig, const char *value, char *flat,
		       char *words, size_t len)
{
	size_t vlen = strlen(value), nf = 0, nw = 0;

	if (sig == YM_SIG_DNS_QUERY || sig == YM_SIG_TLS_SNI) {
		const char *dot = strrchr(value, '.');

		if (dot)
			vlen = (size_t)(dot - value);
	}
	for (int pass = 0; pass < 2; pass++) {
		bool gap = true;

		for (size_t i = 0; i < vlen && nf + 1 < len && nw + 2 < len;
		     i++) {
			unsigned char c = (unsigned char)value[i];

			if (isalnum(c) && c < 0x80) {
				if (pass == 0)
					flat[nf++] = (char)tolower(c);
				words[nw++] = (char)tolower(c);
				gap = false;
			} else if (pass == 1 && c == '-') {
				continue;
			} else if (!gap) {
				words[nw++] = ' ';
				gap = true;
			}
		}
		if (nw + 2 < len && nw && words[nw - 1] != ' ')
			words[nw++] = ' ';
	}
	if (nw && words[nw - 1] == ' ')
		nw--;
	flat[nf] = '\0';
	words[nw] = '\0';
}

static bool has_word(const char *words, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = words; (p = strstr(p, w)) != NULL; p++)
		if ((p == words || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

/* Words that begin with a brand's name but are no brand. */
static const char *const not_brands[] = {
	"canonical", "signature", "brotherhood", "ringcentral",
};

/* A word begins with the brand, or with "my" and then the brand (mydlink,
 * myedimax): "tplinkcloud", not "cybertplink". */
static bool word_starts(const char *words, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = words; (p = strstr(p, w)) != NULL; p++) {
		const char *start = p;
		bool excluded = false;

		if (p - words >= 2 && p[-1] == 'y' && p[-2] == 'm' &&
		    (p - words == 2 || p[-3] == ' '))
			start = p - 2;
		if (start != words && start[-1] != ' ')
			continue;
		for (size_t i = 0; i < YM_ARRAY_SIZE(not_brands); i++)
			if (strncmp(start, not_brands[i],
				    strlen(not_brands[i])) == 0)
				excluded = true;
		if (!excluded)
			return true;
		p += n - 1;
	}
	return false;
}

/* A brand of plausible.rules named inside the text, the longest one:
 * a name of five letters or more at the start of a word or after "my"
 * ("mydlink", "tplinkcloud"), a shorter one only as a word of its own
 * ("eq-3", "ring") and never in a name a household may have given. */
static const char *brand_in(const struct ym_identify *id, enum ym_signal sig,
			    const char *value)
{
	char flat[160], words[160];
	const char *best = NULL;
	size_t best_len = 0;

	/* A short brand in a name a household gave ("Eve's phone") is a
	 * person more often than a maker. */
	bool naming = is_device_name(sig);

	brand_text(sig, value, flat, words, sizeof(flat));
	if (!flat[0])
		return NULL;
	/* A browser's or a phone app's User-Agent names the app's maker,
	 * not the device's. */
	if (sig == YM_SIG_HTTP_USER_AGENT) {
		static const char *const phone[] = {
			"mozilla", "cfnetwork", "dalvik", "okhttp", "android",
			"iphone", "ipad", "darwin", "windows",
		};

		for (size_t i = 0; i < YM_ARRAY_SIZE(phone); i++)
			if (strstr(flat, phone[i]))
				return NULL;
	}
	for (size_t i = 0; i < id->n_plaus; i++) {
		const char *t = id->plaus[i].token;
		size_t n = strlen(t);

		if (n < 3 || n <= best_len || (n < 5 && naming))
			continue;
		if ((n >= 5 ? word_starts(words, t) : has_word(words, t)) &&
		    tier_of(id, id->plaus[i].vendor) == TIER_BRAND) {
			best = id->plaus[i].vendor;
			best_len = n;
		}
	}
	return best;
}

/* A host name that is a model number: 2-5 letters, an optional '-', 2-5
 * digits and up to 4 letters or digits ("HS110", "DCS-930L", "SP-1101W",
 * "WS-30"). MAC-derived names ("dch0A3F", "ESP_3A1F2C") are not. */
static bool looks_like_model(const char *v)
{
	size_t i = 0, letters = 0, digits = 0, tail = 0;

	while (isalpha((unsigned char)v[i]) && (unsigned char)v[i] < 0x80) {
		letters++;
		i++;
	}
	if (letters < 2 || letters > 5)
		return false;
	if (v[i] == '-')
		i++;
	while (isdigit((unsigned char)v[i])) {
		digits++;
		i++;
	}
	if (digits < 2 || digits > 5)
		return false;
	while (isalnum((unsigned char)v[i]) && (unsigned char)v[i] < 0x80) {
		tail++;
		i++;
	}
	return v[i] == '\0' && tail <= 4;
}

/* True when some rule already named a maker (model) for this text. */
static bool field_named(const struct ym_device *d, enum ym_signal sig,
			const char *value, bool model)
{
	for (uint8_t i = 0; i < d->n_evidence; i++)
		if ((model ? d->evidence[i].model[0] :
			     d->evidence[i].vendor[0]) &&
		    strcmp(d->evidence[i].signal, ym_signal_name(sig)) == 0 &&
		    strcmp(d->evidence[i].value, value) == 0)
			return true;
	return false;
}

/* Matches one signal against the rules; true when the evidence changed. */
static bool match_signal(struct ym_identify *id, struct ym_device *d,
			 enum ym_signal sig, const char *value)
{
	struct ym_evidence e;
	bool changed = false, matched = false;
	size_t vlen = strlen(value);

	if (id) {
		struct ym_rule_hit hits[YM_MAX_RULE_HITS];
		size_t n = match_group(id, d, sig, value, vlen, hits, 0,
				       YM_MAX_RULE_HITS);

		if (carries_model(sig))
			n = match_group(id, d, SIG_MODEL_NAME, value, vlen, hits,
					n, YM_MAX_RULE_HITS);
		if (is_device_name(sig))
			n = match_group(id, d, SIG_DEVICE_NAME, value, vlen,
					hits, n, YM_MAX_RULE_HITS);
		matched = n > 0;
		n = ym_rule_hits_specific(hits, n);
		for (size_t i = 0; i < n; i++)
			changed |= add_hit(d, sig, value, &hits[i]);
		if (brand_weight(sig) > 0 &&
		    !field_named(d, sig, value, false)) {
			const char *brand = brand_in(id, sig, value);

			if (brand) {
				fill(&e, sig, value);
				snprintf(e.vendor, sizeof(e.vendor), "%s",
					 brand);
				e.weight = brand_weight(sig);
				conclusion_text(&e);
				changed |= add_evidence(d, &e);
				matched = true;
			}
		}
	}
	/* A UPnP description's (or an HNAP answer's, or WPS's) model name
	 * is the model, whether or not a rule knows its family, and so is a
	 * host name that is a model number; a rule's model (weight 0.5 and
	 * more) wins over it. */
	if ((sig == YM_SIG_UPNP_MODEL || sig == YM_SIG_WPS_MODEL ||
	     (sig == YM_SIG_DHCP_HOSTNAME && looks_like_model(value))) &&
	    !field_named(d, sig, value, true)) {
		fill(&e, sig, value);
		ym_strlcpy_clean(e.model, value, strlen(value),
				 sizeof(e.model));
		e.weight = 0.3f;
		conclusion_text(&e);
		changed |= add_evidence(d, &e);
		matched = true;
	}
	if (!matched && sig == YM_SIG_OUI) {
		/* The registry's name is the vendor until a rule knows the
		 * brand behind it. */
		fill(&e, sig, value);
		ym_strlcpy_clean(e.vendor, value, strlen(value),
				 sizeof(e.vendor));
		e.weight = 0.3f;
		conclusion_text(&e);
		changed |= add_evidence(d, &e);
	} else if (!matched && is_naming(sig)) {
		fill(&e, sig, value);
		conclusion_text(&e);
		changed |= add_evidence(d, &e);
	}
	return changed;
}

void ym_identify_signal(struct ym_identify *id, struct ym_device *d,
			enum ym_signal sig, const char *value)
{
	if (!value || !value[0] || (unsigned)sig >= YM_SIG_COUNT ||
	    seen_before(d, sig, value))
		return;
	if (match_signal(id, d, sig, value))
		ym_identify_decide(id, d);
}

void ym_identify_redo(struct ym_identify *id, struct ym_device *d)
{
	struct ym_evidence old[YM_MAX_EVIDENCE];
	uint8_t n = d->n_evidence;

	memcpy(old, d->evidence, n * sizeof(old[0]));
	d->n_evidence = 0;
	for (uint8_t i = 0; i < n; i++) {
		int sig = -1;
		bool again = false;

		for (int s = 0; s < YM_SIG_COUNT; s++)
			if (strcmp(ym_signal_name((enum ym_signal)s),
				   old[i].signal) == 0)
				sig = s;
		/* One value may have left several pieces of evidence. */
		for (uint8_t j = 0; j < i; j++)
			again |= strcmp(old[j].signal, old[i].signal) == 0 &&
				 strcmp(old[j].value, old[i].value) == 0;
		if (again)
			continue;
		/* Evidence that came from no rule (the gateway) stays. */
		if (sig < 0 || sig == YM_SIG_GATEWAY || !old[i].value[0])
			add_evidence(d, &old[i]);
		else
			(void)match_signal(id, d, (enum ym_signal)sig,
					   old[i].value);
	}
	d->dirty = true;
	ym_identify_decide(id, d);
}

void ym_identify_assert(struct ym_identify *id, struct ym_device *d,
			enum ym_signal sig, const char *value,
			const char *type, float weight)
{
	struct ym_evidence e;

	fill(&e, sig, value);
	snprintf(e.type, sizeof(e.type), "%s", type ? type : "");
	e.weight = weight;
	conclusion_text(&e);
	/* A retracted assertion (weight 0) removes earlier ones. */
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		if (strcmp(d->evidence[i].signal, e.signal) == 0) {
			d->evidence[i] = d->evidence[--d->n_evidence];
			d->dirty = true;
			i--;
		}
	}
	if (weight > 0)
		add_evidence(d, &e);
	ym_identify_decide(id, d);
}

/* The kind of signal an evidence entry came from, for weighing: a name
 * looked up and then connected to is one fact, and so is one host name
 * said over DHCP, mDNS, NetBIOS and LLMNR. */
static int signal_of(const struct ym_evidence *e)
{
	for (int s = 0; s < YM_SIG_COUNT; s++) {
		if (strcmp(signal_names[s], e->signal) != 0)
			continue;
		switch (s) {
		case YM_SIG_TLS_SNI:
			return YM_SIG_DNS_QUERY;
		case YM_SIG_MDNS_NAME:
		case YM_SIG_NETBIOS_NAME:
		case YM_SIG_LLMNR_NAME:
		case YM_SIG_DHCP_FQDN:
			return YM_SIG_DHCP_HOSTNAME;
		default:
			return s;
		}
	}
	return YM_SIG_GATEWAY;
}

struct tally {
	const char *key;
	float miss[YM_SIG_COUNT]; /* per signal: 1 - strongest weight */
	float best_weight;
};

/* Combines evidence for one candidate: per kind of signal only the
 * strongest piece counts, so ten DNS lookups weigh as one. */
static int tally_add(struct tally *t, int n, int max, const char *key,
		     int sig, float w)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcasecmp(t[i].key, key) == 0)
			break;
	if (i == n) {
		if (n == max)
			return n;
		t[n].key = key;
		for (int s = 0; s < YM_SIG_COUNT; s++)
			t[n].miss[s] = 1.0f;
		t[n].best_weight = 0;
		n++;
	}
	if (sig >= 0 && sig < YM_SIG_COUNT && 1.0f - w < t[i].miss[sig])
		t[i].miss[sig] = 1.0f - w;
	if (w > t[i].best_weight)
		t[i].best_weight = w;
	return n;
}

static float tally_score(const struct tally *t, int *kinds)
{
	float miss = 1.0f;

	*kinds = 0;
	for (int s = 0; s < YM_SIG_COUNT; s++) {
		if (t->miss[s] < 1.0f)
			(*kinds)++;
		miss *= t->miss[s];
	}
	return 1.0f - miss;
}

static int best_of(const struct tally *t, int n, const bool *skip,
		   float *best, float *second, int *kinds)
{
	int bi = -1, k;

	*best = *second = 0;
	*kinds = 0;
	for (int i = 0; i < n; i++) {
		float s;

		if (skip && skip[i])
			continue;
		s = tally_score(&t[i], &k);

		if (s > *best) {
			*second = *best;
			*best = s;
			bi = i;
			*kinds = k;
		} else if (s > *second) {
			*second = s;
		}
	}
	return bi;
}

/* Other kinds of signal that name the same maker as the evidence for a
 * type (a Tapo hostname and a lookup of TP-Link's cloud) corroborate it.
 * The registry's name counts too when it names that brand itself (an
 * Edimax camera model in the host name of an Edimax address): two
 * independent facts. A module maker's name never does. */
static int corroborating_kinds(const struct ym_identify *id,
			       const struct ym_device *d, const char *type)
{
	bool kind_for_type[YM_SIG_COUNT] = { false }, counted[YM_SIG_COUNT] = {
		false
	};
	int extra = 0;

	for (uint8_t i = 0; i < d->n_evidence; i++)
		if (strcmp(d->evidence[i].type, type) == 0)
			kind_for_type[signal_of(&d->evidence[i])] = true;
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *t = &d->evidence[i];

		if (strcmp(t->type, type) != 0 || !t->vendor[0])
			continue;
		for (uint8_t j = 0; j < d->n_evidence; j++) {
			const struct ym_evidence *v = &d->evidence[j];
			int s = signal_of(v);

			if (kind_for_type[s] || counted[s] || v->type[0] ||
			    strcasecmp(v->vendor, t->vendor) != 0 ||
			    (s == YM_SIG_OUI &&
			     tier_of(id, v->vendor) != TIER_BRAND))
				continue;
			counted[s] = true;
			extra++;
		}
	}
	return extra;
}

static bool plausible(const struct ym_identify *id, const char *vendor,
		      const char *type)
{
	char needle[32];

	if (!id || !vendor[0])
		return true;
	snprintf(needle, sizeof(needle), ",%s,", type);
	for (size_t i = 0; i < id->n_plaus; i++)
		if (strcasecmp(id->plaus[i].vendor, vendor) == 0)
			return strstr(id->plaus[i].types, needle) != NULL;
	return true;
}

/* True only when plausible.rules lists the type for that brand: a
 * brand without a line says nothing either way. */
static bool listed(const struct ym_identify *id, const char *vendor,
		   const char *type)
{
	char needle[32];

	if (!id || !vendor[0])
		return false;
	snprintf(needle, sizeof(needle), ",%s,", type);
	for (size_t i = 0; i < id->n_plaus; i++)
		if (strcasecmp(id->plaus[i].vendor, vendor) == 0)
			return strstr(id->plaus[i].types, needle) != NULL;
	return false;
}

static int tier_of(const struct ym_identify *id, const char *vendor)
{
	for (size_t i = 0; id && i < id->n_modules; i++)
		if (ym_glob_match(id->modules[i].vendor, vendor, NULL, 0))
			return id->modules[i].tier;
	return TIER_BRAND;
}

/* The maker: the strongest brand, else the strongest platform (a Tuya
 * cloud), else the module maker the registry names. */
static int pick_vendor(const struct ym_identify *id, const struct tally *t,
		       int n)
{
	int best = -1, best_tier = 0, k;
	float best_score = 0;

	for (int i = 0; i < n; i++) {
		float s = tally_score(&t[i], &k);
		int tier = tier_of(id, t[i].key);

		if (s < YM_VENDOR_MIN_SCORE)
			continue;
		if (tier > best_tier || (tier == best_tier && s > best_score)) {
			best = i;
			best_tier = tier;
			best_score = s;
		}
	}
	return best;
}

static bool infrastructure_type(const char *type)
{
	return strcmp(type, "router") == 0 || strcmp(type, "access_point") == 0;
}

/* Routing evidence: it is the gateway, answers DHCP as a server, sends
 * router advertisements or forwards internet traffic, or it announces
 * itself the way network gear does (LLDP, CDP). A DHCP client, an HNAP
 * or IGD service alone is not enough. */
static bool forwards(const struct ym_device *d);

static bool routes(const struct ym_device *d)
{
	if (d->gateway || d->dhcp_server || forwards(d))
		return true;
	for (uint8_t i = 0; i < d->n_evidence; i++)
		if (strcmp(d->evidence[i].signal, "gateway") == 0)
			return true;
	return false;
}

/* Routing evidence beyond DHCP: a plug, camera or sensor in set-up mode
 * serves its own Wi-Fi network and answers the phone's DHCP naming itself
 * the router, but forwards nothing and announces no IPv6 prefix. */
static bool forwards(const struct ym_device *d)
{
	if (d->sent_ra || d->remote_src_pkts >= 10)
		return true;
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		int s = signal_of(&d->evidence[i]);

		if (s == YM_SIG_LLDP_NAME || s == YM_SIG_LLDP_DESCRIPTION)
			return true;
	}
	return false;
}

static bool type_brand_disagrees(const struct ym_identify *id,
				 const struct ym_device *d, const char *type,
				 const char *vendor)
{
	const struct ym_evidence *top = NULL;

	if (!vendor[0] || tier_of(id, vendor) != TIER_BRAND)
		return false;
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *e = &d->evidence[i];

		if (strcmp(e->type, type) == 0 &&
		    (!top || e->weight > top->weight))
			top = e;
	}
	return top && top->vendor[0] &&
	       tier_of(id, top->vendor) == TIER_BRAND &&
	       strcasecmp(top->vendor, vendor) != 0;
}

/* A type read from a name that says no maker ("dlink-mov" says motion
 * sensor), on a device whose brand other kinds of signal name (its mDNS
 * service, its cloud, its registry entry) and which plausible.rules says
 * makes such things: the brand corroborates the reading. Only when no
 * piece of evidence for the type names another maker. Returns the kinds
 * of signal that name the brand and carry no type evidence. */
static int brand_corroborates(const struct ym_identify *id,
			      const struct ym_device *d, const char *type,
			      const char *vendor)
{
	bool kind_for_type[YM_SIG_COUNT] = { false }, counted[YM_SIG_COUNT] = {
		false
	};
	int extra = 0;

	if (!vendor[0] || tier_of(id, vendor) != TIER_BRAND ||
	    !listed(id, vendor, type))
		return 0;
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *e = &d->evidence[i];

		if (strcmp(e->type, type) != 0)
			continue;
		if (e->vendor[0] && strcasecmp(e->vendor, vendor) != 0)
			return 0;
		kind_for_type[signal_of(e)] = true;
	}
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *v = &d->evidence[i];
		int s = signal_of(v);

		if (kind_for_type[s] || counted[s] ||
		    (v->type[0] && strcmp(v->type, type) != 0) ||
		    strcasecmp(v->vendor, vendor) != 0 || v->weight < 0.3f)
			continue;
		counted[s] = true;
		extra++;
	}
	return extra;
}

/* Two brands are named about as strongly (a Samsung registry entry and a
 * D-Link host name): neither may vouch for a maker-less reading. */
static bool brands_disagree(const struct ym_identify *id,
			    const struct tally *ve, int nv, int bv)
{
	float best, other = 0;
	int k;

	if (bv < 0)
		return false;
	best = tally_score(&ve[bv], &k);
	for (int i = 0; i < nv; i++) {
		float sc;

		if (i == bv || tier_of(id, ve[i].key) != TIER_BRAND)
			continue;
		sc = tally_score(&ve[i], &k);
		if (sc > other)
			other = sc;
	}
	return other >= 0.8f * best;
}

/* A type named only because the brand corroborates a maker-less name is
 * never sure. */
#define YM_BRAND_CORROBORATED_CONF 0.6f

/* A router that only its DHCP answers say is one is never sure. */
#define YM_DHCP_ONLY_ROUTER_CONF 0.5f

/* The one type a brand makes, when plausible.rules lists exactly one. */
static bool only_type(const struct ym_identify *id, const char *vendor,
		      char *out, size_t len)
{
	for (size_t i = 0; id && i < id->n_plaus; i++) {
		const char *t = id->plaus[i].types + 1, *end;

		if (strcasecmp(id->plaus[i].vendor, vendor) != 0)
			continue;
		end = strchr(t, ',');
		if (!end || end[1] != '\0' || (size_t)(end - t) >= len)
			return false;
		snprintf(out, len, "%.*s", (int)(end - t), t);
		return true;
	}
	return false;
}

/* Keeps the "its maker makes only this" entry in step with the decision:
 * it carries no type or vendor field, so it never weighs in itself. */
static bool maker_evidence(struct ym_device *d, const char *vendor,
			   const char *type)
{
	struct ym_evidence e;

	for (uint8_t i = 0; i < d->n_evidence; i++) {
		struct ym_evidence *x = &d->evidence[i];

		if (strcmp(x->signal, "maker") != 0)
			continue;
		if (vendor && strcmp(x->value, vendor) == 0)
			return false;
		*x = d->evidence[--d->n_evidence];
		d->dirty = true;
		if (!vendor)
			return true;
		break;
	}
	if (!vendor)
		return false;
	memset(&e, 0, sizeof(e));
	snprintf(e.signal, sizeof(e.signal), "maker");
	ym_strlcpy_clean(e.value, vendor, strlen(vendor), sizeof(e.value));
	snprintf(e.conclusion, sizeof(e.conclusion), "type %s", type);
	return add_evidence(d, &e);
}

/* The traffic must read as another kind at least this surely before an
 * evidence line says it disagrees with the household. */
#define YM_DISAGREE_CONF 0.6f

/* Keeps the one evidence line of a signal in step: replaced when value or
 * conclusion changed, removed when value is NULL. These lines carry no
 * type or vendor field, so they never weigh in the tally themselves. */
static bool keep_line(struct ym_device *d, const char *signal,
		      const char *value, const char *conclusion)
{
	struct ym_evidence e;
	bool changed = false;

	for (uint8_t i = 0; i < d->n_evidence; i++) {
		struct ym_evidence *x = &d->evidence[i];

		if (strcmp(x->signal, signal) != 0)
			continue;
		if (value && strcmp(x->value, value) == 0 &&
		    strcmp(x->conclusion, conclusion) == 0)
			return changed;
		*x = d->evidence[--d->n_evidence];
		d->dirty = true;
		changed = true;
		i--;
	}
	if (!value)
		return changed;
	memset(&e, 0, sizeof(e));
	snprintf(e.signal, sizeof(e.signal), "%s", signal);
	ym_strlcpy_clean(e.value, value, strlen(value), sizeof(e.value));
	ym_strlcpy_clean(e.conclusion, conclusion, strlen(conclusion),
			 sizeof(e.conclusion));
	/* The strongest weight: a full list never evicts the household. */
	e.weight = 1.0f;
	return add_evidence(d, &e) || changed;
}

/* The household's word decides: its kind, and its maker when it named
 * one; the traffic's reading stays visible as a line of its own when it
 * strongly says something else, and costs some confidence. Never a
 * silent override either way. */
static bool household_decides(struct ym_device *d, const char **type,
			      const char **vendor, const char **model,
			      float *conf)
{
	char text[96];
	bool changed, disagrees;

	disagrees = strcmp(*type, "unknown") != 0 &&
		    strcmp(*type, d->user_type) != 0 &&
		    *conf >= YM_DISAGREE_CONF;
	snprintf(text, sizeof(text), "traffic suggests %s", *type);
	changed = keep_line(d, "traffic", disagrees ? *type : NULL, text);
	if (d->user_vendor[0])
		snprintf(text, sizeof(text), "type %s; vendor %s", d->user_type,
			 d->user_vendor);
	else
		snprintf(text, sizeof(text), "type %s", d->user_type);
	changed |= keep_line(d, "household", d->user_type, text);
	if (d->user_vendor[0]) {
		/* A model read from another maker's names is not this one. */
		if (strcasecmp(*vendor, d->user_vendor) != 0)
			*model = "";
		*vendor = d->user_vendor;
	}
	*type = d->user_type;
	*conf = disagrees ? 0.8f : 1.0f;
	return changed;
}

int ym_identify_household(const struct ym_identify *id, struct ym_device *d,
			  const char *type, const char *vendor)
{
	if (type && (!ym_identify_known_type(type) || strcmp(type, "unknown") == 0))
		return -EINVAL;
	if (!type) {
		d->user_type[0] = '\0';
		d->user_vendor[0] = '\0';
		keep_line(d, "household", NULL, "");
		keep_line(d, "traffic", NULL, "");
	} else {
		snprintf(d->user_type, sizeof(d->user_type), "%s", type);
		vendor = vendor ? vendor : "";
		ym_strlcpy_clean(d->user_vendor, vendor, strlen(vendor),
				 sizeof(d->user_vendor));
	}
	d->dirty = true;
	ym_identify_decide(id, d);
	return 0;
}

static bool set_text(char *dst, size_t len, const char *src)
{
	if (strcmp(dst, src) == 0)
		return false;
	snprintf(dst, len, "%s", src);
	return true;
}

/* Sums the evidence by type and by vendor; the strongest model and
 * operating system win. */
static void tally_evidence(const struct ym_device *d, struct tally *ty,
			   int *nt, struct tally *ve, int *nv,
			   const char **model, const char **os)
{
	float model_w = 0, os_w = 0;

	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *e = &d->evidence[i];
		int sig = signal_of(e);
		if (e->type[0])
			*nt = tally_add(ty, *nt, YM_MAX_EVIDENCE, e->type, sig,
					e->weight);
		if (e->vendor[0])
			*nv = tally_add(ve, *nv, YM_MAX_EVIDENCE, e->vendor,
					sig, e->weight);
		if (e->model[0] && e->weight > model_w) {
			*model = e->model;
			model_w = e->weight;
		}
		if (e->os[0] && e->weight > os_w) {
			*os = e->os;
			os_w = e->weight;
		}
	}
}

/* Writes the decision into the record (the confidence in hundredths);
 * the record is dirty when anything changed. */
static void set_decision(struct ym_device *d, bool changed, const char *type,
			 const char *vendor, const char *model,
			 const char *os, float conf)
{
	if (conf < 0)
		conf = 0;
	conf = roundf(conf * 100.0f) / 100.0f;
	changed |= set_text(d->type, sizeof(d->type), type);
	changed |= set_text(d->vendor, sizeof(d->vendor), vendor);
	changed |= set_text(d->model, sizeof(d->model), model);
	changed |= set_text(d->os, sizeof(d->os), os);
	if (d->confidence != conf) {
		d->confidence = conf;
		changed = true;
	}
	if (changed)
		d->dirty = true;
}

void ym_identify_decide(const struct ym_identify *id, struct ym_device *d)
{
	struct tally ty[YM_MAX_EVIDENCE], ve[YM_MAX_EVIDENCE];
	int nt = 0, nv = 0, bt, bv, kinds;
	float best, second, conf, skipped = 0;
	bool skip[YM_MAX_EVIDENCE] = { false }, has_routes, by_brand = false;
	const char *type = "unknown", *vendor = "", *model = "", *os = "";
	char only[24] = "";
	bool changed = false;

	tally_evidence(d, ty, &nt, ve, &nv, &model, &os);
	/* A faint hint (an app's cloud a phone also uses) names no maker. */
	bv = pick_vendor(id, ve, nv);
	if (bv >= 0)
		vendor = ve[bv].key;
	/* A router or access point needs routing evidence; without it that
	 * reading only speaks against the others. */
	has_routes = routes(d);
	for (int i = 0; i < nt; i++) {
		if (!has_routes && infrastructure_type(ty[i].key)) {
			int k;
			float s = tally_score(&ty[i], &k);

			skip[i] = true;
			if (s > skipped)
				skipped = s;
		}
	}
	bt = best_of(ty, nt, skip, &best, &second, &kinds);
	if (has_routes && bt >= 0 && infrastructure_type(ty[bt].key)) {
		/* It routes, but names itself strongly as something else (a
		 * camera or a plug in set-up mode serves its own Wi-Fi and
		 * DHCP): the device's own name wins, and the disagreement
		 * costs confidence. */
		bool other_strong = false;

		for (int i = 0; i < nt && !other_strong; i++) {
			int k;
			float sc;

			if (infrastructure_type(ty[i].key))
				continue;
			if (ty[i].best_weight >= YM_STRONG_WEIGHT) {
				other_strong = true;
				continue;
			}
			/* Or a reading two kinds of signal agree on, or
			 * that its brand vouches for. */
			sc = tally_score(&ty[i], &k);
			if (sc < YM_TYPE_MIN_SCORE)
				continue;
			k += corroborating_kinds(id, d, ty[i].key);
			if (k >= 2 || (!brands_disagree(id, ve, nv, bv) &&
				       brand_corroborates(id, d, ty[i].key,
							  vendor) > 0))
				other_strong = true;
		}
		if (other_strong) {
			for (int i = 0; i < nt; i++) {
				if (infrastructure_type(ty[i].key)) {
					int k;
					float sc = tally_score(&ty[i], &k);

					skip[i] = true;
					if (2.0f * sc > skipped)
						skipped = 2.0f * sc;
				}
			}
			bt = best_of(ty, nt, skip, &best, &second, &kinds);
		}
	}
	if (0.5f * skipped > second)
		second = 0.5f * skipped;
	if (bt >= 0)
		kinds += corroborating_kinds(id, d, ty[bt].key);
	if (bt >= 0 && kinds < 2 && ty[bt].best_weight < YM_STRONG_WEIGHT &&
	    !brands_disagree(id, ve, nv, bv) &&
	    brand_corroborates(id, d, ty[bt].key, vendor) > 0) {
		kinds = 2;
		by_brand = true;
	}
	conf = best - 0.5f * second;
	if (bt >= 0 && best >= YM_TYPE_MIN_SCORE &&
	    (kinds >= 2 || ty[bt].best_weight >= YM_STRONG_WEIGHT)) {
		type = ty[bt].key;
		if (by_brand && conf > YM_BRAND_CORROBORATED_CONF)
			conf = YM_BRAND_CORROBORATED_CONF;
		/* A maker that does not make such things makes Yamori less
		 * sure, not more. */
		if (!plausible(id, vendor, type))
			conf *= 0.6f;
		/* The evidence for the type names another brand than the
		 * one decided: the two readings disagree. */
		if (type_brand_disagrees(id, d, type, vendor))
			conf *= 0.8f;
	} else {
		/* Weak evidence does not name a type, and says so with a low
		 * confidence. */
		conf = (best > skipped ? best : skipped) * 0.5f;
		if (conf > 0.4f)
			conf = 0.4f;
	}
	/* Named router by its own DHCP answers only: set-up mode looks the
	 * same, so it is a guess. */
	if (infrastructure_type(type) && !forwards(d) &&
	    conf > YM_DHCP_ONLY_ROUTER_CONF)
		conf = YM_DHCP_ONLY_ROUTER_CONF;
	/* A brand named strongly that makes one kind of networked thing only
	 * (plausible.rules) names that kind, never confidently. */
	if (strcmp(type, "unknown") == 0 && bv >= 0 &&
	    tier_of(id, vendor) == TIER_BRAND &&
	    only_type(id, vendor, only, sizeof(only))) {
		int k;
		float vs = tally_score(&ve[bv], &k);

		if (vs >= 0.6f) {
			type = only;
			conf = vs * 0.7f > 0.6f ? 0.6f : vs * 0.7f;
		}
	}
	changed |= maker_evidence(d, type == only ? vendor : NULL, only);
	if (d->user_type[0])
		changed |= household_decides(d, &type, &vendor, &model, &conf);
	set_decision(d, changed, type, vendor, model, os, conf);
}
