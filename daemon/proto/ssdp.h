/* SSDP (UDP 1900) and UPnP device descriptions. The SSDP parser reads the
 * start line and the headers Yamori uses; the description parser extracts
 * the first device's fields from the XML without building a tree, bounded
 * by the input length. */
#ifndef YM_SSDP_H
#define YM_SSDP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum ym_ssdp_kind {
	YM_SSDP_NOTIFY = 1,
	YM_SSDP_MSEARCH,
	YM_SSDP_RESPONSE,  /* "HTTP/1.1 200 OK" answer to an M-SEARCH */
};

struct ym_ssdp {
	enum ym_ssdp_kind kind;
	char server[128];     /* SERVER */
	char nt[128];         /* NT (NOTIFY) or ST (M-SEARCH, response) */
	char nts[32];         /* NTS: ssdp:alive, ssdp:byebye */
	char usn[160];        /* USN */
	char location[256];   /* LOCATION */
	char user_agent[128]; /* USER-AGENT (M-SEARCH) */
};

/* Parses one SSDP datagram; header names are case-insensitive, values are
 * trimmed and cleaned. 0, or -EINVAL when it is not SSDP. */
int ym_ssdp_parse(const uint8_t *p, uint32_t len, struct ym_ssdp *out)
	YM_MUST_CHECK;

struct ym_upnp_desc {
	char device_type[128];
	char friendly_name[64];
	char manufacturer[64];
	char model_name[64];
	char model_number[64];
	char model_description[128];
	char firmware[32];    /* softwareVersion or firmwareVersion, if any */
};

/* Extracts the first <device>'s fields from a UPnP description (entities
 * &amp; &lt; &gt; &quot; &apos; decoded, CDATA read, whitespace trimmed).
 * 0 when at least one field was found, -EINVAL otherwise. */
int ym_upnp_parse(const char *xml, size_t len, struct ym_upnp_desc *out)
	YM_MUST_CHECK;

/* Parses an HTTP/1.x response head in buf: status code, Content-Length
 * (-1 when absent) and the offset of the body. Returns 0, -EAGAIN when the
 * head is not complete yet, -EINVAL when it is not HTTP. */
int ym_http_response_head(const char *buf, size_t len, int *status,
			  long *content_length, size_t *body_off)
	YM_MUST_CHECK;

/* Parses "http://HOST[:PORT]/PATH" where HOST is an IPv4 literal or a
 * bracketed IPv6 literal (names are refused: Yamori never resolves a name
 * a device gave it). 0 or -EINVAL. */
int ym_url_parse(const char *url, struct ym_addr *addr, uint16_t *port,
		 char *path, size_t pathlen) YM_MUST_CHECK;

#endif
