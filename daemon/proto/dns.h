/* DNS message parsing for DNS, mDNS/DNS-SD and LLMNR: every record of every
 * section, with names decompressed (pointer loops and overlong names are
 * rejected) and the rdata Yamori uses decoded. No allocation. */
#ifndef YM_DNS_H
#define YM_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define YM_DNS_NAME_MAX 256

enum ym_dns_section {
	YM_DNS_QUESTION = 0,
	YM_DNS_ANSWER,
	YM_DNS_AUTHORITY,
	YM_DNS_ADDITIONAL,
};

#define YM_DNS_A 1
#define YM_DNS_PTR 12
#define YM_DNS_TXT 16
#define YM_DNS_AAAA 28
#define YM_DNS_SRV 33

struct ym_dns_rr {
	enum ym_dns_section section;
	uint16_t type;
	uint16_t klass;              /* without the mDNS cache-flush bit */
	char name[YM_DNS_NAME_MAX];  /* dotted, no trailing dot, cleaned */
	char target[YM_DNS_NAME_MAX];/* PTR/CNAME/SRV target, else "" */
	uint16_t port;               /* SRV */
	struct ym_addr addr;         /* A/AAAA, else family 0 */
	const uint8_t *rdata;        /* raw rdata (TXT), inside the message */
	uint16_t rdlen;
};

/* True when the header says this is a response (QR bit); false for short
 * input. */
bool ym_dns_is_response(const uint8_t *msg, uint32_t len);

/* Walks every record in order and calls fn for each; fn returning non-zero
 * stops the walk and is returned. Returns 0, or -EINVAL when the message is
 * malformed (records before the fault have been delivered). */
int ym_dns_walk(const uint8_t *msg, uint32_t len,
		int (*fn)(const struct ym_dns_rr *rr, void *arg), void *arg);

/* Reads the next character-string of TXT rdata into out (cleaned, NUL
 * terminated), advancing *p and *left. Returns 1 when a string was read, 0
 * at the end, -EINVAL when a length runs past the rdata. */
int ym_dns_txt_next(const uint8_t **p, uint16_t *left, char *out,
		    size_t outlen);

/* NetBIOS name service (UDP 137): the first name in the message, decoded
 * from first-level encoding and trimmed of padding, with its suffix byte.
 * *own is true when the message names its sender (a registration, refresh
 * or positive response), false for queries about others. 0 or -EINVAL. */
int ym_netbios_name(const uint8_t *msg, uint32_t len, char out[16],
		    uint8_t *suffix, bool *own) YM_MUST_CHECK;

#endif
