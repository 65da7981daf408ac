/* Identification's insides shared by its two files and nobody else:
 * identify-rules.c reads the rule files into these tables, identify.c and
 * identify-match.c match signals against them, identify-decide.c decides. */
#ifndef YM_IDENTIFY_PRIVATE_H
#define YM_IDENTIFY_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identify.h"
#include "p0f.h"

/* Two rule groups that are no signal of their own: "model_name" rules
 * read every text in which a device names its model (host names, mDNS
 * names and TXT, UPnP, SSDP SERVER, User-Agent, DHCP vendor class), and
 * "device_name" rules only the names a device gives itself. */
#define SIG_MODEL_NAME YM_SIG_COUNT
#define SIG_DEVICE_NAME (YM_SIG_COUNT + 1)
#define N_GROUPS (YM_SIG_COUNT + 2)

/* How a pattern matches, decided at load: most rules are an exact name,
 * "*.suffix" or "prefix*", which need no glob. */
enum { PAT_EXACT, PAT_SUFFIX, PAT_PREFIX, PAT_GLOB };

struct rule {
	uint8_t signal;
	uint8_t kind;
	uint16_t fixed_len; /* length of the literal part */
	bool model_from_match;
	/* A maker's word inside a longer text ("*Arlo*", "*iMac*"): it
	 * matches only as a word of its own, never inside another word
	 * ("Carlos", "grimace"); see ym_rule_match. */
	bool word;
	float weight;
	char *pattern;  /* lower case glob */
	/* A model_name pattern without its '-', '_', ' ' and '.', for names
	 * that write the model without them ("DCS930L", "Withings-WS30");
	 * NULL when that would say too little. */
	char *squeezed;
	char type[24];
	char vendor[32];
	char model[48];
	char os[24];
	uint8_t mac_len;     /* hex digits of mac= (an OUI prefix), 0: any */
	uint8_t mac_nib[12];
};

struct plausible {
	char vendor[32];
	char types[160]; /* ",camera,nas," */
	/* The brand as it shows in names: "D-Link" -> "dlink"; empty when
	 * the brand also makes phones, tablets or computers, whose domains
	 * and names every household device meets. */
	char token[32];
	bool personal; /* it makes phones, tablets or computers */
};

/* Makers of Wi-Fi modules and IoT platforms: the name in the registry or a
 * platform's cloud says who made the radio, not the device; the brand a
 * household knows comes from stronger evidence when there is any. */
enum { TIER_CHIP = 1, TIER_PLATFORM = 2, TIER_BRAND = 3 };

struct module {
	char vendor[32];
	uint8_t tier;
};

/* A p0f SYN signature and the system it names ("Linux 3.11 and newer");
 * a generic one counts only when no specific one matches. */
struct syn_rule {
	struct ym_syn_sig sig;
	bool generic;
	char label[64];
};

/* The rules of one signal (or rule group), in file order. */
struct rule_group {
	struct rule *rules;
	size_t n, cap;
};

struct ym_identify {
	struct rule_group groups[N_GROUPS];
	size_t n_rules;
	struct plausible *plaus;
	size_t n_plaus;
	struct module *modules;
	size_t n_modules;
	struct syn_rule *syns;
	size_t n_syns;
};

/* One rule that matched a text, with what its first '*' matched. */
struct ym_rule_hit {
	const struct rule *rule;
	char cap[48];
	/* Where the rule's last literal part ends in the text: of two kind
	 * words, the later one is the head ("Brewer-PC" is a PC). */
	size_t end;
};

#define YM_MAX_RULE_HITS 32

/* identify-match.c */
/* text without '-', '_', ' ' and '.': a model written "DCS930L" or
 * "Withings-WS30" (rule patterns are squeezed the same way at load). */
void ym_squeeze(const char *text, char *out, size_t len);
bool ym_glob_match(const char *pat, const char *text, char *cap,
		   size_t caplen);
bool ym_rule_match(const struct rule *r, const char *value, size_t vlen,
		   char *cap, size_t caplen);
bool ym_rule_mac_match(const struct rule *r, const uint8_t mac[6]);
size_t ym_rule_end(const struct rule *r, const char *value, size_t vlen);
size_t ym_rule_hits_specific(struct ym_rule_hit *h, size_t n);

/* The signal of that name in the rule files, or -1 (identify.c). */
int ym_identify_signal_by_name(const char *name);

/* A type needs this much combined weight, and either two kinds of signal
 * or one strong one, before Yamori names it. */
#define YM_TYPE_MIN_SCORE 0.5f
#define YM_STRONG_WEIGHT 0.7f

/* A vendor needs at least the weight of the registry's name. */
#define YM_VENDOR_MIN_SCORE 0.3f

struct ym_evidence;

/* Adds (or strengthens) one piece of evidence on d; false when nothing
 * changed (identify.c). */
bool ym_identify_add_evidence(struct ym_device *d,
			      const struct ym_evidence *in);

/* plausible.rules' line for the brand, or NULL (identify-decide.c). */
const struct plausible *ym_identify_plausible(const struct ym_identify *id,
					      const char *vendor);

/* The tier of a maker (TIER_CHIP, TIER_PLATFORM, TIER_BRAND; 0 when not
 * listed as a module or platform maker) (identify-decide.c). */
int ym_identify_tier(const struct ym_identify *id, const char *vendor);

#endif
