/* Renaming a device: a text field, and ready names (room and kind) to
 * choose with one touch, since a kiosk may have no keyboard. */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define YM_TYPE_RENAME_DIALOG (ym_rename_dialog_get_type())
G_DECLARE_FINAL_TYPE(YmRenameDialog, ym_rename_dialog, YM, RENAME_DIALOG,
		     AdwMessageDialog)

/* Responses: "cancel" and "rename". */
GtkWidget *ym_rename_dialog_new(GtkWidget *parent, JsonObject *device);

/* The name typed or chosen, trimmed. */
char *ym_rename_dialog_get_name(YmRenameDialog *self);

G_END_DECLS
