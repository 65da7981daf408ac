/* The device record: what Yamori knows about one device on the local
 * segment (addresses, vendor, names, traffic, flags and the evidence behind
 * them). The inventory owns the records in memory; identification, the
 * judges, the store and the JSON forms read and write them through this
 * header alone. How the inventory keeps its table (hash chains, LRU) is not
 * part of the record. */
#ifndef YM_DEVICE_H
#define YM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"
#include "ym-limits.h"

/* Device flags (DESIGN.md vocabulary), as bits. */
enum ym_device_flag {
	YM_FLAG_DEFAULT_PASSWORD = 1u << 0,
	YM_FLAG_UNSUPPORTED = 1u << 1,
	YM_FLAG_NO_SUPPORT_CONTACT = 1u << 2,
	YM_FLAG_OUTDATED_FIRMWARE = 1u << 3,
	YM_FLAG_IDLE = 1u << 4,
	YM_FLAG_GONE = 1u << 5,
	YM_FLAG_SUSPICIOUS = 1u << 6,
	YM_FLAG_ISOLATED = 1u << 7,
	YM_FLAG_RETIRED = 1u << 8,
	YM_FLAG_RANDOMIZED_MAC = 1u << 9,
	YM_FLAG_COUNT = 10
};

/* True when type is a word of DESIGN.md's device-type vocabulary. */
bool ym_device_type_known(const char *type);

/* Vocabulary name of flag bit i, or NULL. */
const char *ym_flag_name(unsigned bit);

/* How a device's last password check ended (its "audit" word): a factory
 * password works, a way in asks for none, the defaults were refused,
 * logins answered but none could be told, no login service answered. */
enum ym_audit_end {
	YM_AUDIT_END_DEFAULT_PASSWORD,
	YM_AUDIT_END_OPEN,
	YM_AUDIT_END_DEFAULTS_REFUSED,
	YM_AUDIT_END_NOT_CHECKED,
	YM_AUDIT_END_NO_LOGIN,
	YM_AUDIT_END_COUNT
};

/* The word of an end ("default_password" ...), or NULL. */
const char *ym_audit_end_word(enum ym_audit_end end);

/* True when word is one of those words. */
bool ym_audit_end_known(const char *word);

#define YM_MAX_EVIDENCE 24
#define YM_MAYBE_KINDS 8

/* One piece of evidence: a signal seen on the device and what it says. The
 * structured part (type, vendor, model, os with a weight) is what the
 * identification weighs; conclusion is the same in words. */
struct ym_evidence {
	char signal[24];
	char value[YM_MAX_NAME];
	char conclusion[96];
	char type[24];
	char vendor[32];
	char model[48];
	char os[24];
	float weight;
};

/* Signal values already matched against the rules, so a device asking for
 * the same name again costs one hash lookup. */
#define YM_SEEN_SIGNALS 32

/* Identification's own memory on each device: hashes of the signals it has
 * already weighed. Only identify.c reads or writes it; it is never stored
 * and a restored device starts with it empty. */
struct ym_identify_seen {
	uint32_t hash[YM_SEEN_SIGNALS];
	uint8_t next;
};

struct ym_device_ip {
	struct ym_addr addr;
	uint64_t last_us;
};

struct ym_device {
	uint8_t mac[6];
	char vendor[YM_MAX_NAME];
	char hostname[YM_MAX_NAME];
	char user_name[YM_MAX_NAME]; /* the household's name, from the store */
	/* What the household said the device is ("" : nothing said); the
	 * identification keeps it and never overrides it silently. */
	char user_type[24];
	char user_vendor[32];
	char model[YM_MAX_NAME];
	char os[32];
	char type[24];
	double confidence;
	uint32_t flags;
	bool gateway;
	uint64_t first_us, last_us;
	uint64_t last_use_us;     /* last traffic a person caused (rule 3) */
	uint64_t retired_us;      /* when the household gave it away */
	uint64_t bytes_up, bytes_down, pkts_up, pkts_down;
	uint8_t n_ips;
	struct ym_device_ip ips[YM_MAX_IPS_PER_DEVICE];
	uint8_t n_evidence;
	struct ym_evidence evidence[YM_MAX_EVIDENCE];
	/* The kinds the household is offered first when it tells what the
	 * device is ("What is this?"): those its traffic leans to, strongest
	 * first, then those its maker makes. Identification derives them at
	 * each decision; the store keeps them for the offline CLI. */
	uint8_t n_maybe;
	char maybe[YM_MAYBE_KINDS][16];

	/* Gateway recognition. */
	uint64_t remote_src_pkts; /* frames sent with an internet source */
	bool sent_ra;             /* IPv6 router advertisement with lifetime */
	bool dhcp_server;
	float gateway_weight;     /* weight of the gateway evidence given */
	bool announced;           /* the new_device alert was raised */
	bool never_isolate;       /* the household said so */
	/* The last password check, as the API words it (docs/API.md
	 * "audit" in the device; kept in the store): "" before any,
	 * else default_password, open, defaults_refused, not_checked or
	 * no_login; audit_errors counts the ways in it could not tell. */
	char audit[20];
	uint8_t audit_errors;
	uint64_t audit_us;
	uint8_t client_id_len;    /* DHCP option 61 as last sent */
	uint8_t client_id[32];

	bool dirty;               /* changed since the last store write */

	struct ym_identify_seen id_seen; /* identify.c's, nobody else's */
};

/* Adds or refreshes evidence on a device (deduplicated by signal+value). */
void ym_device_add_evidence(struct ym_device *dev, const char *signal,
			    const char *value, const char *conclusion);

/* The kinds offered first as text, comma-separated ("camera,hub"), and
 * back: only words of the device-type vocabulary, each once, so a
 * damaged text offers fewer. */
void ym_device_maybe_format(const struct ym_device *d, char *out, size_t len);
void ym_device_maybe_parse(struct ym_device *d, const char *text);

/* True when a is one of the device's own addresses. */
bool ym_device_has_ip(const struct ym_device *d, const struct ym_addr *a);

#endif
