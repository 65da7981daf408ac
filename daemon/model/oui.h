/* Vendor lookup from the IEEE registry files installed by Debian's ieee-data
 * (oui.csv for MA-L, mam.csv for MA-M, oui36.csv for MA-S, iab.csv), read at
 * start and searched longest prefix first. */
#ifndef YM_OUI_H
#define YM_OUI_H

#include <stdint.h>

#include "util.h"

struct ym_oui;

/* Loads the registry from dir; a missing dir gives an empty registry and
 * *loaded = 0. 0 or -errno (only -ENOMEM is possible). */
int ym_oui_init(struct ym_oui **out, const char *dir, uint32_t *loaded)
	YM_MUST_CHECK;

void ym_oui_fini(struct ym_oui *o);

/* The organisation registered for the MAC, or NULL. Locally administered
 * addresses have no registered vendor. */
const char *ym_oui_lookup(const struct ym_oui *o, const uint8_t mac[6]);

#endif
