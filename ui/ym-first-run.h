/* The kiosk's first screen: before anything else, the household is
 * offered a PIN of its own for the panel. The box has no password of its
 * own; the PIN the household chooses is the only one. */
#pragma once

#include <gtk/gtk.h>

#include "ym-prefs.h"

G_BEGIN_DECLS

/* Over WINDOW, unless a PIN is set or the household already answered:
 * "Choose a PIN" opens the pad (twice); "Start without a PIN" is kept as
 * the answer (Settings can set one later). Leaving the pad comes back
 * here, so the question is answered once. */
void ym_first_run_offer_pin(GtkWindow *window, YmPrefs *prefs);

G_END_DECLS
