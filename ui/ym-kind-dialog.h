/* "What is this?": the household picks the kind of a device from a short
 * list with icons, and its maker if it knows it. Yamori keeps the answer
 * as the household's word. */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define YM_TYPE_KIND_DIALOG (ym_kind_dialog_get_type())
G_DECLARE_FINAL_TYPE(YmKindDialog, ym_kind_dialog, YM, KIND_DIALOG,
		     AdwMessageDialog)

/* Responses: "cancel" and "tell" (enabled once a kind is chosen). */
GtkWidget *ym_kind_dialog_new(GtkWidget *parent, JsonObject *device);

/* The kind chosen (DESIGN.md's vocabulary), or NULL. */
const char *ym_kind_dialog_get_kind(YmKindDialog *self);

/* The maker typed, trimmed ("" when none). */
char *ym_kind_dialog_get_maker(YmKindDialog *self);

G_END_DECLS
