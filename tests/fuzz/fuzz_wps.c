/* libFuzzer harness for the WPS (EAPoL WSC) parser: the decoded strings
 * must be terminated inside their buffers, whatever the bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wps.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ym_wps w;

	if (size > 65535)
		return 0;
	if (ym_wps_parse(data, (uint32_t)size, &w) == 0) {
		CHECK_STR(w.manufacturer);
		CHECK_STR(w.model_name);
		CHECK_STR(w.model_number);
		CHECK_STR(w.device_name);
	}
	return 0;
}
