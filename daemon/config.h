/* The config file: "key = value" lines, '#' comments. Every key has a
 * default; an unknown key or a bad value is an error that names the file and
 * line. The documented default file is data/yamori.conf. */
#ifndef YM_CONFIG_H
#define YM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"
#include "ym-limits.h"

#define YM_DEFAULT_CONFIG "/etc/yamori/yamori.conf"
#define YM_DEFAULT_STATE_DIR "/var/lib/yamori"
#define YM_DEFAULT_KEYS_DIR "/etc/yamori/keys"
#define YM_DEFAULT_OUI_DIR "/usr/share/ieee-data"
#ifndef YM_DATADIR
#define YM_DATADIR "/usr/share/yamori"
#endif

/* Password checks (config "audit"): never, when the household asks, or
 * also by themselves once a day. */
enum ym_audit_policy { YM_AUDIT_POLICY_OFF, YM_AUDIT_POLICY_ASK,
		       YM_AUDIT_POLICY_ON };

/* How devices are cut off (config "isolate"); isolate.h has the backends. */
enum ym_isolate_mode { YM_ISOLATE_NONE, YM_ISOLATE_NFT, YM_ISOLATE_ARP };

/* Isolation without asking (config "auto_isolate"): never, only when the
 * household asks, or at once for a device raising a critical alert. */
enum ym_auto_isolate { YM_AUTO_ISOLATE_NEVER, YM_AUTO_ISOLATE_ASK,
		       YM_AUTO_ISOLATE_CRITICAL };

struct ym_config {
	char state_dir[1024];
	char oui_dir[1024];
	char data_dir[1024];         /* fingerprints/ and later data */
	char keys_dir[1024];         /* minisign *.pub keys for data updates */
	char update_url[1024];       /* "" or the https:// URL of a bundle */
	char update_ca[1024];        /* "" for the system's CAs */
	uint32_t update_interval;    /* seconds between two fetches */
	char api_socket[108];        /* "" for the default path */
	char interfaces[YM_MAX_INTERFACES][64];
	uint32_t n_interfaces;
	uint32_t max_flows;
	uint32_t max_devices;
	uint32_t max_stored_devices;
	uint32_t max_log_entries;    /* Yamori's own record, oldest trimmed */
	uint32_t flow_idle_timeout;  /* seconds */
	uint32_t commit_interval;    /* seconds */
	uint32_t snaplen;
	bool promiscuous;
	uint32_t idle_days;          /* rule 3: only background this long */
	uint32_t gone_days;          /* not seen at all this long */
	uint32_t retention_alerts_days;
	uint32_t retention_devices_days;
	enum ym_audit_policy audit;
	uint32_t audit_attempts;     /* per device and service per day */
	uint32_t audit_spacing;      /* seconds between two attempts */
	uint32_t audit_parallel;     /* devices checked at once */
	enum ym_isolate_mode isolate;
	enum ym_auto_isolate auto_isolate;
	/* Fleet reports to the ISP (engine-fleet.h); off unless turned on. */
	bool fleet;
	char fleet_broker[1024];     /* "" or mqtts://host:port */
	char fleet_ca[1024];         /* "" for the system's CAs */
	char fleet_cert[1024];       /* the box's client certificate, or "" */
	char fleet_key[1024];        /* its private key, or "" */
	char fleet_token[1024];      /* a file holding "user:token", or "" */
	char fleet_topic[128];       /* the ISP's topic root */
	uint32_t fleet_interval;     /* seconds between two reports */
	uint32_t fleet_queue;        /* reports kept while the broker is away */
};

/* The config words of the policies ("off", "nft", "critical"). */
const char *ym_config_audit_name(enum ym_audit_policy p);
const char *ym_config_isolate_name(enum ym_isolate_mode m);
const char *ym_config_auto_isolate_name(enum ym_auto_isolate a);

/* The policy a word names; -EINVAL for a word not allowed. */
int ym_config_audit_parse(const char *word, enum ym_audit_policy *out)
	YM_MUST_CHECK;
int ym_config_isolate_parse(const char *word, enum ym_isolate_mode *out)
	YM_MUST_CHECK;
int ym_config_auto_isolate_parse(const char *word, enum ym_auto_isolate *out)
	YM_MUST_CHECK;

/* Fills cfg with the built-in defaults. */
void ym_config_defaults(struct ym_config *cfg);

/* Reads path over the defaults already in cfg. A missing file is an error
 * only when must_exist. On error returns -errno and one plain line in err. */
int ym_config_load(struct ym_config *cfg, const char *path, bool must_exist,
		   char *err, size_t errlen) YM_MUST_CHECK;

#endif
