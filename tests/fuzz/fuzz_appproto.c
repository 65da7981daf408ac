/* libFuzzer harness for the appliance protocols read from traffic:
 * TP-Link's Smart Home answers (TCP with its length prefix, and UDP) and
 * Smarter's identify answer, Edimax's discovery answer. The first byte
 * chooses; the decoded strings
 * must be terminated inside their buffers, a model named must be one of
 * the parser's own. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edimax.h"
#include "smarter.h"
#include "tplink.h"
#include "fuzz-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ym_tplink t;
	struct ym_edimax x;
	const char *model;

	if (size < 1 || size > 65536)
		return 0;
	switch (data[0] % 4) {
	case 0:
	case 1:
		memset(&t, 0x5a, sizeof(t));
		if (ym_tplink_parse(data + 1, (uint32_t)(size - 1),
				    data[0] % 4 == 0, &t) == 0) {
			CHECK_STR(t.model);
			CHECK_STR(t.type);
		}
		break;
	case 3:
		memset(&x, 0x5a, sizeof(x));
		if (ym_edimax_parse(data + 1, (uint32_t)(size - 1), &x) == 0) {
			CHECK_STR(x.manufacturer);
			CHECK_STR(x.model);
			CHECK_STR(x.version);
			CHECK_STR(x.name);
			if (!x.manufacturer[0])
				abort();
		}
		break;
	default:
		model = ym_smarter_model(data + 1, (uint32_t)(size - 1));
		if (model && strcmp(model, "iKettle 2.0") != 0 &&
		    strcmp(model, "SmarterCoffee") != 0)
			abort();
		break;
	}
	return 0;
}
