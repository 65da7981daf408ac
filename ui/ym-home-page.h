/* Home: the household's state in one word (安心 / 注意 / 危険), what needs
 * doing, and the big button that starts the four-rules check. */
#pragma once

#include <adwaita.h>

#include "ym-household.h"
#include "ym-prefs.h"

G_BEGIN_DECLS

#define YM_TYPE_HOME_PAGE (ym_home_page_get_type())
G_DECLARE_FINAL_TYPE(YmHomePage, ym_home_page, YM, HOME_PAGE, GtkWidget)

void ym_home_page_set_household(YmHomePage *self, YmHousehold *household);
/* The prefs say when the check was last finished: Home reminds after 30
 * days. */
void ym_home_page_set_prefs(YmHomePage *self, YmPrefs *prefs);

G_END_DECLS
