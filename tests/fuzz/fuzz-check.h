/* Checks the parser harnesses share beyond the sanitizers. */
#pragma once

#include <stdlib.h>
#include <string.h>

/* Aborts when a decoded string is not terminated inside its buffer. */
#define CHECK_STR(s) \
	do { \
		if (strnlen((s), sizeof(s)) >= sizeof(s)) \
			abort(); \
	} while (0)
