/* The optional PIN that guards actions weakening protection (bringing a
 * device back, turning checks off). A number pad: a kiosk has no keyboard. */
#pragma once

#include <adwaita.h>

#include "ym-dialogs.h"
#include "ym-prefs.h"

G_BEGIN_DECLS

#define YM_TYPE_PIN_DIALOG (ym_pin_dialog_get_type())
G_DECLARE_FINAL_TYPE(YmPinDialog, ym_pin_dialog, YM, PIN_DIALOG,
		     AdwMessageDialog)

/* Calls FUNC with TRUE at once when there is no PIN, else after the
 * household typed it right; FALSE otherwise. FUNC owns DATA. */
void ym_pin_dialog_require(GtkWidget *parent, YmPrefs *prefs,
			   YmConfirmFunc func, gpointer data);

/* Asks for a new PIN, twice, and keeps it when both are the same. */
void ym_pin_dialog_choose(GtkWidget *parent, YmPrefs *prefs);
/* The same; then calls FUNC with TRUE when the PIN was kept, FALSE when
 * the household left or the two did not match. */
void ym_pin_dialog_choose_then(GtkWidget *parent, YmPrefs *prefs,
			       YmConfirmFunc func, gpointer data);

G_END_DECLS
