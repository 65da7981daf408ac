/* Identification's evidence: each signal a device gives (host names, mDNS,
 * UPnP, DHCP, User-Agents, clouds it calls, ports it serves) matched
 * against the rule files and kept on the device with its weight, its
 * brand and model; identify-decide.c turns the evidence into a decision. */
#include "identify.h"
#include "identify-private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "ym-limits.h"

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
	[YM_SIG_HTTP_MODEL] = "http_model",
	[YM_SIG_HTTP_PATH] = "http_path",
	[YM_SIG_HTTP_NAME] = "http_name",
	[YM_SIG_BANNER] = "banner",
	[YM_SIG_HTTP_TITLE] = "http_title",
	[YM_SIG_TCP_SYN] = "tcp_syn",
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
	case YM_SIG_HTTP_NAME:
	case YM_SIG_BANNER:
	case YM_SIG_HTTP_TITLE:
	case YM_SIG_HTTP_MODEL:
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
	       sig == YM_SIG_WPS_NAME || sig == YM_SIG_HTTP_NAME ||
	       sig == YM_SIG_BANNER;
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

/* Adds evidence, or strengthens the entry with the same signal, value and
 * conclusion: of two rules that read the same thing in one text
 * ("*ipcam*" 0.7 and "*cam" 0.6), the stronger counts, whichever matched
 * last. False when nothing changed. */
bool ym_identify_add_evidence(struct ym_device *d,
			      const struct ym_evidence *in)
{
	struct ym_evidence *e = NULL;

	for (uint8_t i = 0; i < d->n_evidence; i++) {
		struct ym_evidence *x = &d->evidence[i];

		if (strcmp(x->signal, in->signal) == 0 &&
		    strcmp(x->value, in->value) == 0 &&
		    strcmp(x->conclusion, in->conclusion) == 0) {
			if (x->weight >= in->weight)
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
static bool seen_hash(struct ym_device *d, uint32_t h)
{
	struct ym_identify_seen *seen = &d->id_seen;

	h |= 1;
	for (int i = 0; i < YM_SEEN_SIGNALS; i++)
		if (seen->hash[i] == h)
			return true;
	seen->hash[seen->next] = h;
	seen->next = (uint8_t)((seen->next + 1) % YM_SEEN_SIGNALS);
	return false;
}

static bool seen_before(struct ym_device *d, enum ym_signal sig,
			const char *value)
{
	return seen_hash(d, (uint32_t)ym_hash_bytes(value, strlen(value),
						    (uint64_t)sig + 1));
}

/* A model has a letter in it ("AppleTV5,3", "3810X", "HS110"): a TXT
 * value of digits and commas is a list of flags (AirPlay's md=0,1,2 is
 * the metadata it takes), not a model. */
static bool names_model(const char *cap, size_t n)
{
	for (size_t i = 0; i < n && cap[i]; i++)
		if (isalpha((unsigned char)cap[i]) ||
		    (unsigned char)cap[i] >= 0x80)
			return true;
	return false;
}

/* How much of what a rule's '*' matched is the model. A model has no
 * '_': what follows one is the firmware's or the device's own
 * ("DCS-930L_Ax_Default_FW_0123"). Nor has the rest of a model number the
 * rule begins ("DCS-$1") a space: "DCS-930L FTP server ready." is the
 * DCS-930L; a whole name the rule reads ("$1" of "ty=HP *") keeps its
 * spaces. */
static size_t model_cap_len(const struct rule *r, const char *cap)
{
	const char *at = strstr(r->model, "$1");

	return strcspn(cap, at && at > r->model ? "_ " : "_");
}

/* Collects the rules of one group that match value. A rule that only
 * reads the model out of the text does not match when what it reads is
 * no model. */
static size_t match_group(const struct ym_identify *id,
			  const struct ym_device *d, int group,
			  const char *value, size_t vlen, const char *squeezed,
			  struct ym_rule_hit *h, size_t n, size_t max)
{
	const struct rule_group *g = &id->groups[group];

	for (size_t i = 0; i < g->n && n < max; i++) {
		const struct rule *r = &g->rules[i];

		if (r->mac_len && !ym_rule_mac_match(r, d->mac))
			continue;
		if (!ym_rule_match(r, value, vlen, h[n].cap, sizeof(h[n].cap)) &&
		    !(squeezed && r->squeezed &&
		      ym_glob_match(r->squeezed, squeezed, h[n].cap,
				    sizeof(h[n].cap))))
			continue;
		if (r->model_from_match &&
		    !names_model(h[n].cap, model_cap_len(r, h[n].cap)) &&
		    !r->type[0] && !r->vendor[0] && !r->os[0])
			continue;
		h[n].rule = r;
		h[n++].end = ym_rule_end(r, value, vlen);
	}
	return n;
}

/* Cuts a MAC fragment a device appends to its name from a model read out
 * of that name: "DCS-930L-A1B2" -> "DCS-930L". Only when what is left
 * still has a digit ("DCS-2130" keeps its number). */
static void trim_mac_suffix(char *model)
{
	char *sep = strrchr(model, '-');
	char *us = strrchr(model, '_');
	size_t n;
	bool digit = false;

	if (!sep || (us && us > sep))
		sep = us;
	if (!sep)
		return;
	n = strlen(sep + 1);
	if (n < 4 || n > 12 || strspn(sep + 1, "0123456789abcdefABCDEF") != n)
		return;
	for (char *p = model; p < sep; p++)
		digit |= isdigit((unsigned char)*p) != 0;
	if (digit)
		*sep = '\0';
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
	if (r->model_from_match &&
	    names_model(h->cap, model_cap_len(r, h->cap))) {
		const char *at = strstr(r->model, "$1");
		int caplen = (int)model_cap_len(r, h->cap);
		char tmp[160];

		snprintf(tmp, sizeof(tmp), "%.*s%.*s%s", (int)(at - r->model),
			 r->model, caplen, h->cap, at + 2);
		/* Cut to the field on a character boundary. */
		ym_strlcpy_clean(e.model, tmp, strlen(tmp), sizeof(e.model));
		trim_mac_suffix(e.model);
	} else if (!r->model_from_match) {
		snprintf(e.model, sizeof(e.model), "%s", r->model);
	}
	snprintf(e.os, sizeof(e.os), "%s", r->os);
	e.weight = r->weight;
	conclusion_text(&e);
	return ym_identify_add_evidence(d, &e);
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
	case YM_SIG_HTTP_NAME:
	case YM_SIG_BANNER:
	case YM_SIG_HTTP_TITLE:
	case YM_SIG_HTTP_MODEL:
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

/* A name that says it is a person's computer, phone or tablet
 * ("Augustine-PC", "Shellys-Laptop", "Carlos iPhone"), in brand_text's
 * words. */
static bool says_personal(const char *words)
{
	static const char *const personal[] = {
		"pc", "laptop", "desktop", "notebook", "computer",
		"phone", "iphone", "ipad", "tablet", "macbook",
		"imac", "galaxy", "pixel", "android", "workstation",
	};

	for (size_t i = 0; i < YM_ARRAY_SIZE(personal); i++)
		if (has_word(words, personal[i]))
			return true;
	return false;
}

/* Words that begin with a brand's name but are no brand. */
static const char *const not_brands[] = {
	"canonical", "signature", "brotherhood", "ringcentral",
};

/* What a device's name may say right after its maker's name, in one word
 * ("edimaxcam", "shellyplug", "dlinkcamera"); an English ending after a
 * brand ("pioneering", "dreamer", "blinkers") is none of these. */
static bool kind_follows(const char *p)
{
	static const char *const kinds[] = {
		"cam", "plug", "socket", "sensor", "hub", "gateway", "gw",
		"bridge", "light", "bulb", "lamp", "switch", "siren", "alarm",
		"tv", "speaker", "doorbell", "lock", "thermo", "printer",
		"nas", "kettle", "coffee", "scale", "router", "ap", "mov",
		"motion", "water", "door", "home", "smart", "box", "station",
		"cube", "hd", "pro", "mini",
	};

	for (size_t i = 0; i < YM_ARRAY_SIZE(kinds); i++)
		if (strncmp(p, kinds[i], strlen(kinds[i])) == 0)
			return true;
	return false;
}

/* The rest of a word after a brand is an English ending: "blinkist",
 * "dreamers", "pioneering" are words, not the brand's domains. */
static bool english_ending(const char *p)
{
	static const char *const endings[] = {
		"s", "es", "ed", "er", "ers", "r", "rs", "d", "ing", "ings",
		"ist", "ists", "ism", "ly", "ness", "ment", "ments", "ine",
		"ines", "ous", "al", "ally", "ation", "ations", "ity", "ive",
		"y", "ie", "ies",
	};
	size_t n = strcspn(p, " ");

	for (size_t i = 0; i < YM_ARRAY_SIZE(endings); i++)
		if (strlen(endings[i]) == n && strncmp(p, endings[i], n) == 0)
			return true;
	return false;
}

/* A word begins with the brand, or with "my" and then the brand (mydlink,
 * myedimax): "tplinkcloud", not "cybertplink"; whole (in a device's
 * name): the word is the brand, perhaps with a number or a kind of thing
 * after it ("shelly1", "edimaxcam"). */
static bool word_starts(const char *words, const char *w, bool whole)
{
	size_t n = strlen(w);

	for (const char *p = words; (p = strstr(p, w)) != NULL; p++) {
		const char *start = p;
		bool excluded = false;

		/* In a name, the brand is the word, or a model number or
		 * a kind of thing follows it ("shelly1", "edimaxcam"):
		 * "pioneering", "dreamer", "Augustine" name no maker. */
		if (whole && p[n] && p[n] != ' ' &&
		    !isdigit((unsigned char)p[n]) && !kind_follows(p + n))
			continue;
		if (english_ending(p + n))
			continue;

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
 * ("mydlink", "tplinkcloud"), in a device's name only as the word itself
 * ("dlink-mov", "shelly1"), a shorter one only as a word of its own
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
	/* A person's own computer or phone, named after its owner
	 * ("Augustine-PC", "Shellys-Laptop"): the name is a person's, not a
	 * maker's. */
	if (naming && says_personal(words))
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
		if ((n >= 5 ? word_starts(words, t, naming) :
			      has_word(words, t)) &&
		    ym_identify_tier(id, id->plaus[i].vendor) == TIER_BRAND) {
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

/* A registry name as a household reads it: without the company form
 * ("Hi-flying electronics technology Co.,Ltd" -> "Hi-flying electronics
 * technology") and, when still too long for the field, cut after a whole
 * word, never inside one. */
static void registry_short_name(const char *name, char *out, size_t len)
{
	static const char *const forms[] = {
		" co.,ltd.", " co.,ltd", " co., ltd.", " co., ltd", " co.ltd",
		" co., limited", " co.,limited", " limited", " ltd.", " ltd",
		" inc.", " inc", " corporation", " corp.", " corp", " gmbh",
		" llc", " s.a.", " ag", " b.v.", " s.r.l.", " pte.", " pty",
	};
	char buf[256];
	size_t n;
	bool cut = true;

	ym_strlcpy_clean(buf, name, strlen(name), sizeof(buf));
	n = strlen(buf);
	while (cut) {
		cut = false;
		while (n && (buf[n - 1] == ' ' || buf[n - 1] == ','))
			buf[--n] = '\0';
		for (size_t i = 0; i < YM_ARRAY_SIZE(forms); i++) {
			size_t f = strlen(forms[i]);

			if (n > f + 2 && strcasecmp(buf + n - f, forms[i]) == 0) {
				n -= f;
				buf[n] = '\0';
				cut = true;
				break;
			}
		}
	}
	if (n >= len) {
		size_t at = len - 1;

		while (at > 0 && buf[at] != ' ')
			at--;
		if (at > 0)
			n = at;
		else
			n = len - 1;
	}
	ym_strlcpy_clean(out, buf, n, len);
	n = strlen(out);
	while (n && (out[n - 1] == ' ' || out[n - 1] == ','))
		out[--n] = '\0';
}

/* What a name says of the thing, without its owner: the part after the
 * last "'s " ("Smokey's Pixel" -> "Pixel", "Augustine’s Echo Dot" ->
 * "Echo Dot"), as phones and computers name themselves "Owner's Device".
 * The owner's name says nothing of the device. */
static const char *without_owner(enum ym_signal sig, const char *value)
{
	const char *head = value;

	if (!is_device_name(sig))
		return value;
	for (const char *p = value; *p; p++) {
		if (p[0] == '\'' && (p[1] == 's' || p[1] == 'S') &&
		    p[2] == ' ' && p[3])
			head = p + 3;
		else if ((unsigned char)p[0] == 0xe2 &&
			 (unsigned char)p[1] == 0x80 &&
			 (unsigned char)p[2] == 0x99 &&
			 (p[3] == 's' || p[3] == 'S') && p[4] == ' ' && p[5])
			head = p + 5;
	}
	return head;
}

/* Matches one signal against the rules; true when the evidence changed. */
/* In a name that says it is a person's computer or phone ("Shelly-PC",
 * "Augustines-Laptop"), the owner's name is no maker: a rule that names
 * a maker of other things ("shelly*": Shelly's plugs) gives way. Rules for
 * the computer or phone itself stay ("DESKTOP-*", "*iPhone*"), and so do
 * makers of computers and phones ("Lenovo*") and a rule for exactly this
 * name. Returns the hits kept. */
static size_t drop_makers_of_things(const struct ym_identify *id,
				    const char *head, struct ym_rule_hit *h,
				    size_t n)
{
	char flat[160], words[160];
	size_t kept = 0;

	if (n == 0)
		return 0;
	brand_text(YM_SIG_DHCP_HOSTNAME, head, flat, words, sizeof(flat));
	if (!says_personal(words))
		return n;
	for (size_t i = 0; i < n; i++) {
		const struct rule *r = h[i].rule;
		const struct plausible *p =
			ym_identify_plausible(id, r->vendor);
		bool personal_kind = !strcmp(r->type, "computer") ||
				     !strcmp(r->type, "phone") ||
				     !strcmp(r->type, "tablet") ||
				     !strcmp(r->type, "wearable");

		/* A rule for exactly this name knows the device. */
		if (!r->vendor[0] || personal_kind || r->kind == PAT_EXACT ||
		    (p && p->personal))
			h[kept++] = h[i];
	}
	return kept;
}

static bool match_signal(struct ym_identify *id, struct ym_device *d,
			 enum ym_signal sig, const char *value)
{
	struct ym_evidence e;
	bool changed = false, matched = false;

	if (id) {
		struct ym_rule_hit hits[YM_MAX_RULE_HITS];
		const char *head = without_owner(sig, value);
		size_t hlen = strlen(head);
		size_t n = match_group(id, d, sig, head, hlen, NULL, hits, 0,
				       YM_MAX_RULE_HITS);

		if (carries_model(sig)) {
			char sq[256];

			ym_squeeze(head, sq, sizeof(sq));
			n = match_group(id, d, SIG_MODEL_NAME, head, hlen,
					sq, hits, n, YM_MAX_RULE_HITS);
		}
		if (is_device_name(sig))
			n = match_group(id, d, SIG_DEVICE_NAME, head, hlen,
					NULL, hits, n, YM_MAX_RULE_HITS);
		matched = n > 0;
		n = ym_rule_hits_specific(hits, n);
		if (is_device_name(sig))
			n = drop_makers_of_things(id, head, hits, n);
		for (size_t i = 0; i < n; i++)
			changed |= add_hit(d, sig, value, &hits[i]);
		if (brand_weight(sig) > 0 &&
		    !field_named(d, sig, value, false)) {
			const char *brand = brand_in(id, sig, head);

			if (brand) {
				fill(&e, sig, value);
				snprintf(e.vendor, sizeof(e.vendor), "%s",
					 brand);
				e.weight = brand_weight(sig);
				conclusion_text(&e);
				changed |= ym_identify_add_evidence(d, &e);
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
		changed |= ym_identify_add_evidence(d, &e);
		matched = true;
	}
	if (!matched && sig == YM_SIG_OUI) {
		/* The registry's name is the vendor until a rule knows the
		 * brand behind it. */
		fill(&e, sig, value);
		registry_short_name(value, e.vendor, sizeof(e.vendor));
		e.weight = 0.3f;
		conclusion_text(&e);
		changed |= ym_identify_add_evidence(d, &e);
	} else if (!matched && is_naming(sig)) {
		fill(&e, sig, value);
		conclusion_text(&e);
		changed |= ym_identify_add_evidence(d, &e);
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

void ym_identify_tcp_syn(struct ym_identify *id, struct ym_device *d,
			 const struct ym_syn *syn)
{
	const struct syn_rule *generic = NULL;

	/* One look for each shape of SYN the device sends (ym_syn_read
	 * zeroes the whole tuple first, so it hashes as it compares). */
	if (!id || !id->n_syns ||
	    seen_hash(d, (uint32_t)ym_hash_bytes(syn, sizeof(*syn),
						 YM_SIG_TCP_SYN + 1)))
		return;
	/* p0f's order: an exact match, specific before generic; then its
	 * fuzzy one, the same way. */
	for (int fuzzy = 0; fuzzy < 2 && !generic; fuzzy++) {
		for (size_t i = 0; i < id->n_syns; i++) {
			const struct syn_rule *r = &id->syns[i];

			if (!ym_syn_sig_match(&r->sig, syn, fuzzy))
				continue;
			if (!r->generic) {
				ym_identify_signal(id, d, YM_SIG_TCP_SYN,
						   r->label);
				return;
			}
			if (!generic)
				generic = r;
		}
	}
	if (generic)
		ym_identify_signal(id, d, YM_SIG_TCP_SYN, generic->label);
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
			ym_identify_add_evidence(d, &old[i]);
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
		ym_identify_add_evidence(d, &e);
	ym_identify_decide(id, d);
}
