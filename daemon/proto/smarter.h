/* Smarter's appliance protocol (iKettle 2.0, SmarterCoffee; TCP and UDP
 * 2081): messages are an id byte, arguments and the tail 0x7e. The answer
 * to "identify" (0x64) is 0x65 <device type> <SDK version> 0x7e, device
 * type 1 an iKettle 2.0, 2 a SmarterCoffee. Public write-ups:
 * github.com/Tristan79/iBrew (protocol.txt), github.com/ian-kent/ikettle2. */
#ifndef YM_SMARTER_H
#define YM_SMARTER_H

#include <stdint.h>

#include "util.h"

/* The model an identify answer among the messages in p names ("iKettle
 * 2.0", "SmarterCoffee"), or NULL when there is none. */
const char *ym_smarter_model(const uint8_t *p, uint32_t len);

#endif
