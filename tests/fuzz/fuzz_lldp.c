/* libFuzzer harness for the LLDP and CDP parsers: the same bytes are read
 * as an LLDPDU and as a CDP packet, and the decoded strings are checked for
 * their terminators. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lldp.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct ym_lldp *l)
{
	CHECK_STR(l->system_name);
	CHECK_STR(l->system_description);
	CHECK_STR(l->platform);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ym_lldp l;

	/* Frames are at most 64 KiB; the parsers take a uint32_t length. */
	if (size > 65535)
		return 0;
	if (ym_lldp_parse(data, (uint32_t)size, &l) == 0) {
		check(&l);
		if (l.platform[0] != '\0')
			abort();
	}
	if (ym_cdp_parse(data, (uint32_t)size, &l) == 0) {
		check(&l);
		if (l.capabilities != 0)
			abort();
	}
	return 0;
}
