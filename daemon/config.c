#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ym_config_defaults(struct ym_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s",
		 YM_DEFAULT_STATE_DIR);
	snprintf(cfg->oui_dir, sizeof(cfg->oui_dir), "%s", YM_DEFAULT_OUI_DIR);
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", YM_DATADIR);
#ifdef YM_SOURCE_DATADIR
	/* A build tree that is not installed uses the data of its sources. */
	if (access(cfg->data_dir, F_OK) != 0)
		snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s",
			 YM_SOURCE_DATADIR);
#endif
	snprintf(cfg->keys_dir, sizeof(cfg->keys_dir), "%s",
		 YM_DEFAULT_KEYS_DIR);
	cfg->update_interval = 86400;
	cfg->max_flows = YM_DEFAULT_MAX_FLOWS;
	cfg->max_devices = YM_DEFAULT_MAX_DEVICES;
	cfg->max_stored_devices = YM_DEFAULT_MAX_STORED_DEVICES;
	cfg->max_log_entries = YM_DEFAULT_MAX_LOG_ENTRIES;
	cfg->flow_idle_timeout = YM_DEFAULT_FLOW_IDLE_SEC;
	cfg->commit_interval = YM_DEFAULT_COMMIT_SEC;
	cfg->snaplen = YM_DEFAULT_SNAPLEN;
	cfg->promiscuous = true;
	cfg->idle_days = 30;
	cfg->gone_days = 14;
	cfg->retention_alerts_days = 365;
	cfg->retention_devices_days = 365;
	cfg->audit = YM_AUDIT_POLICY_ASK;
	cfg->audit_attempts = 6;
	cfg->audit_spacing = 1;
	cfg->audit_parallel = 2;
	cfg->isolate = YM_ISOLATE_NONE;
	cfg->auto_isolate = YM_AUTO_ISOLATE_ASK;
	cfg->fleet = false;
	snprintf(cfg->fleet_topic, sizeof(cfg->fleet_topic), "yamori");
	cfg->fleet_interval = 900;
	cfg->fleet_queue = 200;
}

/* The words of each policy, in the order of its enum. */
static const char *const audit_words[] = { "off", "ask", "on", NULL };
static const char *const isolate_words[] = { "none", "nft", "arp", NULL };
static const char *const auto_isolate_words[] = { "never", "ask", "critical",
						  NULL };

static const char *word_name(const char *const *words, size_t n, unsigned v)
{
	return v < n - 1 ? words[v] : "?";
}

static int word_parse(const char *const *words, const char *word)
{
	for (int i = 0; word && words[i]; i++)
		if (strcmp(words[i], word) == 0)
			return i;
	return -EINVAL;
}

const char *ym_config_audit_name(enum ym_audit_policy p)
{
	return word_name(audit_words, YM_ARRAY_SIZE(audit_words), p);
}

const char *ym_config_isolate_name(enum ym_isolate_mode m)
{
	return word_name(isolate_words, YM_ARRAY_SIZE(isolate_words), m);
}

const char *ym_config_auto_isolate_name(enum ym_auto_isolate a)
{
	return word_name(auto_isolate_words, YM_ARRAY_SIZE(auto_isolate_words),
			 a);
}

int ym_config_audit_parse(const char *word, enum ym_audit_policy *out)
{
	int v = word_parse(audit_words, word);

	if (v >= 0)
		*out = (enum ym_audit_policy)v;
	return v < 0 ? v : 0;
}

int ym_config_isolate_parse(const char *word, enum ym_isolate_mode *out)
{
	int v = word_parse(isolate_words, word);

	if (v >= 0)
		*out = (enum ym_isolate_mode)v;
	return v < 0 ? v : 0;
}

int ym_config_auto_isolate_parse(const char *word, enum ym_auto_isolate *out)
{
	int v = word_parse(auto_isolate_words, word);

	if (v >= 0)
		*out = (enum ym_auto_isolate)v;
	return v < 0 ? v : 0;
}

enum kind { K_PATH, K_UINT, K_BOOL, K_IFACE, K_SOCKET, K_WORD, K_URL,
	    K_MQTT_URL, K_TOPIC };

struct key {
	const char *name;
	enum kind kind;
	size_t offset;
	uint32_t min, max; /* for K_UINT */
	const char *const *words; /* for K_WORD: the allowed values, in the
				   * order of the enum stored */
};

#define OFF(f) offsetof(struct ym_config, f)

_Static_assert(sizeof(enum ym_audit_policy) == sizeof(int) &&
	       sizeof(enum ym_isolate_mode) == sizeof(int) &&
	       sizeof(enum ym_auto_isolate) == sizeof(int),
	       "K_WORD stores an enum as an int");

static const struct key keys[] = {
	{ "state_dir", K_PATH, OFF(state_dir), 0, 0, NULL },
	{ "oui_dir", K_PATH, OFF(oui_dir), 0, 0, NULL },
	{ "data_dir", K_PATH, OFF(data_dir), 0, 0, NULL },
	{ "api_socket", K_SOCKET, OFF(api_socket), 0, 0, NULL },
	{ "keys_dir", K_PATH, OFF(keys_dir), 0, 0, NULL },
	{ "update_url", K_URL, OFF(update_url), 0, 0, NULL },
	{ "update_ca", K_PATH, OFF(update_ca), 0, 0, NULL },
	/* At most hourly (a feed is not a stream), at least monthly. */
	{ "update_interval", K_UINT, OFF(update_interval), 3600, 2592000,
	  NULL },
	{ "interface", K_IFACE, 0, 0, 0, NULL },
	{ "max_flows", K_UINT, OFF(max_flows), 1024, 4194304, NULL },
	{ "max_devices", K_UINT, OFF(max_devices), 16, 65536, NULL },
	{ "max_stored_devices", K_UINT, OFF(max_stored_devices), 16, 1000000, NULL },
	{ "max_log_entries", K_UINT, OFF(max_log_entries), 100, 10000000, NULL },
	{ "flow_idle_timeout", K_UINT, OFF(flow_idle_timeout), 10, 86400, NULL },
	{ "commit_interval", K_UINT, OFF(commit_interval), 1, 3600, NULL },
	{ "snaplen", K_UINT, OFF(snaplen), 256, 65535, NULL },
	{ "promiscuous", K_BOOL, OFF(promiscuous), 0, 0, NULL },
	{ "idle_days", K_UINT, OFF(idle_days), 1, 3650, NULL },
	{ "gone_days", K_UINT, OFF(gone_days), 1, 3650, NULL },
	{ "retention_alerts_days", K_UINT, OFF(retention_alerts_days), 1, 3650, NULL },
	{ "retention_devices_days", K_UINT, OFF(retention_devices_days), 1,
	  3650, NULL },
	{ "audit", K_WORD, OFF(audit), 0, 0, audit_words },
	/* Few, spaced out, a few devices at once: the limits stay small. */
	{ "audit_attempts", K_UINT, OFF(audit_attempts), 1, 20, NULL },
	{ "audit_spacing", K_UINT, OFF(audit_spacing), 1, 60, NULL },
	{ "audit_parallel", K_UINT, OFF(audit_parallel), 1, 4, NULL },
	{ "isolate", K_WORD, OFF(isolate), 0, 0, isolate_words },
	{ "auto_isolate", K_WORD, OFF(auto_isolate), 0, 0,
	  auto_isolate_words },
	{ "fleet", K_BOOL, OFF(fleet), 0, 0, NULL },
	{ "fleet_broker", K_MQTT_URL, OFF(fleet_broker), 0, 0, NULL },
	{ "fleet_ca", K_PATH, OFF(fleet_ca), 0, 0, NULL },
	{ "fleet_cert", K_PATH, OFF(fleet_cert), 0, 0, NULL },
	{ "fleet_key", K_PATH, OFF(fleet_key), 0, 0, NULL },
	{ "fleet_token", K_PATH, OFF(fleet_token), 0, 0, NULL },
	{ "fleet_topic", K_TOPIC, OFF(fleet_topic), 0, 0, NULL },
	/* Every five minutes at most, once a day at least. */
	{ "fleet_interval", K_UINT, OFF(fleet_interval), 300, 86400, NULL },
	{ "fleet_queue", K_UINT, OFF(fleet_queue), 1, 10000, NULL },
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

static int set_value(struct ym_config *cfg, const struct key *k,
		     const char *value, char *why, size_t whylen)
{
	char *p = (char *)cfg + k->offset, *end;
	unsigned long long v;

	switch (k->kind) {
	case K_PATH:
		if (value[0] != '/' || strlen(value) >= 1024) {
			snprintf(why, whylen, "must be an absolute path");
			return -EINVAL;
		}
		snprintf(p, 1024, "%s", value);
		return 0;
	case K_WORD: {
		int v = word_parse(k->words, value);
		size_t off = 0;

		if (v >= 0) {
			/* Every policy enum is stored as an int-sized enum. */
			*(int *)(void *)p = v;
			return 0;
		}
		off = (size_t)snprintf(why, whylen, "must be one of ");
		for (int i = 0; k->words[i] && off < whylen; i++)
			off += (size_t)snprintf(why + off, whylen - off, "%s%s",
						i ? "|" : "", k->words[i]);
		return -EINVAL;
	}
	case K_SOCKET:
		if (value[0] != '/' || strlen(value) >= 108) {
			snprintf(why, whylen, "must be an absolute path of at "
				 "most 107 characters");
			return -EINVAL;
		}
		snprintf(p, 108, "%s", value);
		return 0;
	case K_URL:
		/* Data updates come over verified TLS only. */
		if (strncmp(value, "https://", 8) != 0 || value[8] == '\0' ||
		    strlen(value) >= 1024 || strpbrk(value, " \t\"'\\<>")) {
			snprintf(why, whylen, "must be an https:// URL");
			return -EINVAL;
		}
		snprintf(p, 1024, "%s", value);
		return 0;
	case K_MQTT_URL: {
		/* Fleet reports go over TLS only: mqtts://host[:port]. */
		const char *h = value + 8;

		if (strncmp(value, "mqtts://", 8) != 0 || h[0] == '\0' ||
		    strlen(value) >= 1024 ||
		    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789.-:[]") != strlen(h)) {
			snprintf(why, whylen, "must be an mqtts://host:port URL");
			return -EINVAL;
		}
		snprintf(p, 1024, "%s", value);
		return 0;
	}
	case K_TOPIC:
		/* The root of the ISP's topics: no wildcards, no "$". */
		if (value[0] == '\0' || strlen(value) >= 128 ||
		    strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789._-/") != strlen(value) ||
		    value[0] == '/' || value[strlen(value) - 1] == '/') {
			snprintf(why, whylen, "must be a topic of letters, digits "
				 "and . _ - /");
			return -EINVAL;
		}
		snprintf(p, 128, "%s", value);
		return 0;
	case K_IFACE:
		if (value[0] == '\0' || strlen(value) >= 16 ||
		    strpbrk(value, " /\t")) {
			snprintf(why, whylen, "is not an interface name");
			return -EINVAL;
		}
		if (cfg->n_interfaces == YM_MAX_INTERFACES) {
			snprintf(why, whylen, "is given more than %d times",
				 YM_MAX_INTERFACES);
			return -EINVAL;
		}
		snprintf(cfg->interfaces[cfg->n_interfaces++], 64, "%s", value);
		return 0;
	case K_UINT:
		errno = 0;
		v = strtoull(value, &end, 10);
		if (errno || end == value || *end != '\0' || value[0] == '-' ||
		    v < k->min || v > k->max) {
			snprintf(why, whylen, "must be a number from %u to %u",
				 k->min, k->max);
			return -EINVAL;
		}
		*(uint32_t *)(void *)p = (uint32_t)v;
		return 0;
	case K_BOOL:
		if (!strcmp(value, "yes") || !strcmp(value, "true") ||
		    !strcmp(value, "on") || !strcmp(value, "1"))
			*(bool *)(void *)p = true;
		else if (!strcmp(value, "no") || !strcmp(value, "false") ||
			 !strcmp(value, "off") || !strcmp(value, "0"))
			*(bool *)(void *)p = false;
		else {
			snprintf(why, whylen, "must be yes or no");
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

int ym_config_load(struct ym_config *cfg, const char *path, bool must_exist,
		   char *err, size_t errlen)
{
	char line[YM_MAX_CONFIG_LINE + 2], why[96];
	unsigned lineno = 0;
	FILE *f;
	int rc = 0;

	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "cannot read config %s: %s", path,
			 strerror(errno));
		return rc;
	}
	while (fgets(line, sizeof(line), f)) {
		const struct key *k = NULL;
		char *eq, *name, *value;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line longer than %d "
				 "characters", path, lineno,
				 YM_MAX_CONFIG_LINE);
			rc = -EINVAL;
			goto out;
		}
		name = trim(line);
		if (name[0] == '\0' || name[0] == '#')
			continue;
		eq = strchr(name, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'setting = "
				 "value'", path, lineno);
			rc = -EINVAL;
			goto out;
		}
		*eq = '\0';
		name = trim(name);
		value = trim(eq + 1);
		for (size_t i = 0; i < YM_ARRAY_SIZE(keys); i++)
			if (strcmp(keys[i].name, name) == 0)
				k = &keys[i];
		if (!k) {
			snprintf(err, errlen, "%s:%u: unknown setting '%.64s'",
				 path, lineno, name);
			rc = -EINVAL;
			goto out;
		}
		if (set_value(cfg, k, value, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%u: %s %s", path, lineno,
				 name, why);
			rc = -EINVAL;
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read config %s", path);
		rc = -EIO;
	}
out:
	fclose(f);
	return rc;
}
