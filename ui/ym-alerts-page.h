/* Alerts in plain Japanese (the daemon's message), newest first, with the
 * trust line always in view. */
#pragma once

#include <adwaita.h>

#include "ym-household.h"

G_BEGIN_DECLS

#define YM_TYPE_ALERTS_PAGE (ym_alerts_page_get_type())
G_DECLARE_FINAL_TYPE(YmAlertsPage, ym_alerts_page, YM, ALERTS_PAGE, GtkWidget)

void ym_alerts_page_set_household(YmAlertsPage *self, YmHousehold *household);

G_END_DECLS
