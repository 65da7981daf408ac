/* Identification: what a device is, with evidence. Signals seen on a device
 * (DHCP options, mDNS services, SSDP and UPnP fields, User-Agents, TLS names,
 * DNS names, NetBIOS and LLDP names, the registry vendor) are matched
 * against the rules in data/fingerprints/; each match becomes evidence with
 * a weight, and the device's type, vendor, model, os and confidence are
 * decided again from all its evidence. One weak signal never decides a
 * type; a vendor that does not make such things lowers the confidence. */
#ifndef YM_IDENTIFY_H
#define YM_IDENTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct ym_device;

enum ym_signal {
	YM_SIG_OUI,
	YM_SIG_DHCP_HOSTNAME,
	YM_SIG_DHCP_VENDOR,
	YM_SIG_DHCP_PARAMS,
	YM_SIG_DHCP_FQDN,
	YM_SIG_DHCP6_VENDOR,
	YM_SIG_MDNS_SERVICE,
	YM_SIG_MDNS_NAME,
	YM_SIG_MDNS_TXT,
	YM_SIG_SSDP_SERVER,
	YM_SIG_SSDP_TYPE,
	YM_SIG_UPNP_MANUFACTURER,
	YM_SIG_UPNP_MODEL,
	YM_SIG_UPNP_TYPE,
	YM_SIG_UPNP_NAME,
	YM_SIG_HTTP_USER_AGENT,
	YM_SIG_TLS_SNI,
	YM_SIG_DNS_QUERY,
	YM_SIG_JA3,
	YM_SIG_NETBIOS_NAME,
	YM_SIG_LLMNR_NAME,
	YM_SIG_LLDP_NAME,
	YM_SIG_LLDP_DESCRIPTION,
	YM_SIG_SERVICE, /* a TCP port the device answers on: "tcp/554" */
	YM_SIG_HTTP_SERVER, /* Server: header of the device's HTTP answers */
	YM_SIG_WPS_MANUFACTURER, /* WPS M1/M2 attributes of the sender */
	YM_SIG_WPS_MODEL,
	YM_SIG_WPS_NAME,
	YM_SIG_WPS_CATEGORY, /* primary device type "4-3" */
	YM_SIG_WSD_TYPE, /* WS-Discovery Hello/ProbeMatch <Types> */
	YM_SIG_HTTP_MODEL, /* a model= in the device's own request's query */
	YM_SIG_HTTP_PATH, /* the path of the device's own request */
	YM_SIG_HTTP_NAME, /* the realm of its own web server's login */
	YM_SIG_BANNER, /* its own telnet prompt or FTP greeting */
	YM_SIG_HTTP_TITLE, /* the title of its own web page */
	YM_SIG_TCP_SYN, /* the system its SYNs match in p0f's signatures */
	YM_SIG_GATEWAY,
	YM_SIG_COUNT
};

/* The signal's name in rule files and evidence ("mdns_service"). */
const char *ym_signal_name(enum ym_signal sig);

struct ym_identify;

/* Loads every *.rules file in dir. On a bad rule returns -EINVAL with
 * "FILE:LINE: reason" in err; a missing dir is -ENOENT. */
int ym_identify_init(struct ym_identify **out, const char *dir, char *err,
		     size_t errlen) YM_MUST_CHECK;
void ym_identify_fini(struct ym_identify *id);

/* Number of rules loaded. */
size_t ym_identify_rule_count(const struct ym_identify *id);

/* Records a signal seen on a device: evidence for each rule it matches
 * (naming signals are kept even without a match) and a new decision when
 * the evidence changed. Repeats of a recent signal cost a hash lookup. */
void ym_identify_signal(struct ym_identify *id, struct ym_device *d,
			enum ym_signal sig, const char *value);

struct ym_syn;

/* A SYN the device itself sent: the system of the first p0f signature
 * it matches (a generic one only when no specific one does) is signal
 * tcp_syn ("Windows 7 or 8"). Each shape of SYN is looked up once. */
void ym_identify_tcp_syn(struct ym_identify *id, struct ym_device *d,
			 const struct ym_syn *syn);

/* Adds evidence that did not come from a rule (the gateway recognition),
 * then decides again. */
void ym_identify_assert(struct ym_identify *id, struct ym_device *d,
			enum ym_signal sig, const char *value,
			const char *type, float weight);

/* Records what the household said the device is: type from DESIGN.md's
 * vocabulary (not "unknown"), vendor optional (NULL or ""). A NULL type
 * forgets what was said. The household's word then decides type (and
 * vendor, when given) over any traffic; it shows as evidence with signal
 * "household", and a strong reading of the traffic as another kind adds a
 * "traffic" line. -EINVAL for a type outside the vocabulary. */
int ym_identify_household(const struct ym_identify *id, struct ym_device *d,
			  const char *type, const char *vendor) YM_MUST_CHECK;

/* True when type is a word of DESIGN.md's device type vocabulary. */
bool ym_identify_known_type(const char *type);

/* New rules (a data update): matches the signals kept in the device's
 * evidence again and decides again. Signals that matched no rule and name
 * nothing were not kept, so they count again only when seen again. */
void ym_identify_redo(struct ym_identify *id, struct ym_device *d);

/* Decides type, vendor, model, os and confidence from the evidence. */
void ym_identify_decide(const struct ym_identify *id, struct ym_device *d);

#endif
