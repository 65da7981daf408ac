/* Settings: password-check consent, auto-isolation policy, text size, high
 * contrast, the optional PIN, and "about". */
#pragma once

#include <adwaita.h>

#include "ym-household.h"
#include "ym-prefs.h"

G_BEGIN_DECLS

#define YM_TYPE_SETTINGS_PAGE (ym_settings_page_get_type())
G_DECLARE_FINAL_TYPE(YmSettingsPage, ym_settings_page, YM, SETTINGS_PAGE,
		     GtkWidget)

void ym_settings_page_set_context(YmSettingsPage *self,
				  YmHousehold *household, YmPrefs *prefs);

G_END_DECLS
