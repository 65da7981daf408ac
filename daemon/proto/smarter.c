#include "smarter.h"

#include <stddef.h>

const char *ym_smarter_model(const uint8_t *p, uint32_t len)
{
	uint32_t start = 0;

	/* Walk the messages: each ends with 0x7e. */
	for (uint32_t i = 0; i < len; i++) {
		if (p[i] != 0x7e)
			continue;
		if (i - start == 3 && p[start] == 0x65) {
			if (p[start + 1] == 1)
				return "iKettle 2.0";
			if (p[start + 1] == 2)
				return "SmarterCoffee";
		}
		start = i + 1;
	}
	return NULL;
}
