/* One device in the list: its kind as an icon, the household's name for
 * it, its kind in words and its state. */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "ym-household.h"

G_BEGIN_DECLS

#define YM_TYPE_DEVICE_ROW (ym_device_row_get_type())
G_DECLARE_FINAL_TYPE(YmDeviceRow, ym_device_row, YM, DEVICE_ROW,
		     GtkListBoxRow)

GtkWidget *ym_device_row_new(YmHousehold *household, JsonObject *device);
const char *ym_device_row_get_mac(YmDeviceRow *self);

G_END_DECLS
