/* One alert: how serious, the daemon's plain message, when, and at most
 * two buttons (see the device, mark as read). */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define YM_TYPE_ALERT_ROW (ym_alert_row_get_type())
G_DECLARE_FINAL_TYPE(YmAlertRow, ym_alert_row, YM, ALERT_ROW, GtkListBoxRow)

/* HAS_DEVICE: whether the device is in the list (and can be opened). */
GtkWidget *ym_alert_row_new(JsonObject *alert, gboolean has_device);

G_END_DECLS
