/* One device: what it is and why Yamori thinks so (evidence in plain
 * words), its problems, and what the household can do. */
#pragma once

#include <adwaita.h>

#include "ym-household.h"
#include "ym-prefs.h"

G_BEGIN_DECLS

#define YM_TYPE_DEVICE_DETAIL (ym_device_detail_get_type())
G_DECLARE_FINAL_TYPE(YmDeviceDetail, ym_device_detail, YM, DEVICE_DETAIL,
		     GtkWidget)

void ym_device_detail_set_context(YmDeviceDetail *self,
				  YmHousehold *household, YmPrefs *prefs);
void ym_device_detail_set_mac(YmDeviceDetail *self, const char *mac);

/* Shows the device's latest state; FALSE when the device is gone. */
gboolean ym_device_detail_refresh(YmDeviceDetail *self);

G_END_DECLS
