/* Devices: the household's devices as a list; touching one opens what it
 * is, why Yamori thinks so, its problems and what can be done. */
#pragma once

#include <adwaita.h>

#include "ym-household.h"
#include "ym-prefs.h"

G_BEGIN_DECLS

#define YM_TYPE_DEVICES_PAGE (ym_devices_page_get_type())
G_DECLARE_FINAL_TYPE(YmDevicesPage, ym_devices_page, YM, DEVICES_PAGE,
		     GtkWidget)

void ym_devices_page_set_context(YmDevicesPage *self, YmHousehold *household,
				 YmPrefs *prefs);

/* Opens the device with MAC; back to the list with NULL. */
void ym_devices_page_show_device(YmDevicesPage *self, const char *mac);

G_END_DECLS
