/* libFuzzer harness for the DHCPv4 and DHCPv6 parsers: the same bytes are
 * read as both, and every length the parsers report is checked against its
 * buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ym_dhcp d4;
	struct ym_dhcp6 d6;

	/* Datagrams are at most 64 KiB; the parsers take a uint32_t length. */
	if (size > 65535)
		return 0;
	if (ym_dhcp_parse(data, (uint32_t)size, &d4) == 0) {
		CHECK_STR(d4.hostname);
		CHECK_STR(d4.vendor_class);
		CHECK_STR(d4.fqdn);
		if (d4.n_params > sizeof(d4.params) ||
		    d4.client_id_len > sizeof(d4.client_id))
			abort();
	}
	if (ym_dhcp6_parse(data, (uint32_t)size, &d6) == 0) {
		CHECK_STR(d6.vendor_class);
		CHECK_STR(d6.fqdn);
		if (d6.duid_len > sizeof(d6.duid) ||
		    d6.n_oro > YM_ARRAY_SIZE(d6.oro) || d6.msg_type == 12 ||
		    d6.msg_type == 13)
			abort();
	}
	return 0;
}
