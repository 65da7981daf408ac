/* libFuzzer harness for the DNS, mDNS, LLMNR and NetBIOS parsers: every
 * record is walked and every TXT string read, so a sanitizer sees any
 * read past the input. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps the compiler from dropping the reads of the decoded strings. */
static volatile size_t sink;

static int on_rr(const struct ym_dns_rr *rr, void *arg)
{
	size_t *total = arg;

	/* Touch the decoded strings so that a missing terminator shows. */
	*total += strlen(rr->name) + strlen(rr->target);
	if (rr->type == YM_DNS_TXT) {
		const uint8_t *p = rr->rdata;
		uint16_t left = rr->rdlen;
		char out[256];

		while (ym_dns_txt_next(&p, &left, out, sizeof(out)) == 1)
			*total += strlen(out);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t total = 0;
	char name[16];
	uint8_t suffix;
	bool own;

	/* Datagrams are at most 64 KiB; the parsers take a uint32_t length. */
	if (size > 65535)
		return 0;
	(void)ym_dns_is_response(data, (uint32_t)size);
	(void)ym_dns_walk(data, (uint32_t)size, on_rr, &total);
	if (ym_netbios_name(data, (uint32_t)size, name, &suffix, &own) == 0)
		total += strlen(name);
	sink = total;
	return 0;
}
