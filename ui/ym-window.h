/* The panel's one window: the not-running banner, a rail of five big
 * buttons (home, devices, the check, alerts, settings) and the screens. */
#pragma once

#include <adwaita.h>

#include "ym-household.h"
#include "ym-prefs.h"

G_BEGIN_DECLS

#define YM_TYPE_WINDOW (ym_window_get_type())
G_DECLARE_FINAL_TYPE(YmWindow, ym_window, YM, WINDOW, AdwApplicationWindow)

/* KIOSK: full screen, no title bar (the appliance's own screen). */
YmWindow *ym_window_new(GtkApplication *app, YmHousehold *household,
			YmPrefs *prefs, gboolean kiosk);

void ym_window_add_toast(YmWindow *self, const char *text);

/* The names of the screens, in rail order. */
extern const char *const ym_window_pages[];

/* Shows a screen by name; "devices/MAC" opens a device. */
void ym_window_show(YmWindow *self, const char *name);

G_END_DECLS
