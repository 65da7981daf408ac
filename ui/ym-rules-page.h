/* The four rules for households (IoT Security Guidelines, chapter 3), one
 * after another, each with this household's own devices. */
#pragma once

#include <adwaita.h>

#include "ym-household.h"
#include "ym-prefs.h"

G_BEGIN_DECLS

#define YM_TYPE_RULES_PAGE (ym_rules_page_get_type())
G_DECLARE_FINAL_TYPE(YmRulesPage, ym_rules_page, YM, RULES_PAGE, GtkWidget)

void ym_rules_page_set_context(YmRulesPage *self, YmHousehold *household,
			       YmPrefs *prefs);

/* Starts again at rule 1. */
void ym_rules_page_restart(YmRulesPage *self);

G_END_DECLS
