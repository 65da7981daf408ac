/* The sniffer's own helpers, shared by its files (sniff.c: discovery
 * protocols and requests; sniff-served.c: what a device's own servers
 * answer). Not for other modules. */
#ifndef YM_SNIFF_PRIVATE_H
#define YM_SNIFF_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sniff.h"

/* p begins with the literal lit. */
bool ym_sniff_starts_with(const uint8_t *p, uint32_t len, const char *lit);

/* The text between the first <...Tag> (any namespace prefix) and the next
 * '<', cleaned; false if absent. */
bool ym_sniff_xml_text_after(const uint8_t *p, uint32_t len, const char *tag,
			     char *out, size_t outlen);

/* The value of an HTTP header within the headers of p, cleaned; false
 * when absent or empty. */
bool ym_sniff_http_header(const uint8_t *p, uint32_t len, const char *name,
			  char *out, size_t outlen);

/* What a device's own server answers (a TCP segment from it). */
void ym_sniff_served(struct ym_sniff *s, struct ym_device *dev,
		     const struct ym_packet *pkt);

/* A device's own FTP greeting (port 21) or telnet prompt (port 23). */
void ym_sniff_banner(struct ym_sniff *s, struct ym_device *dev,
		     const struct ym_packet *pkt);

#endif
