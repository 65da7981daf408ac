/* What the rules page's files share: ym-rules-page.c (the page, rules 1
 * and 2, the end) and ym-rules-care.c (rules 3 and 4). Nothing else
 * includes this. */
#pragma once

#include "ym-rules-page.h"

struct _YmRulesPage {
	GtkWidget parent_instance;

	YmHousehold *household;
	YmPrefs *prefs;
	int step; /* 0..3 the rules, 4 the end */
	/* Rule 3: macs the household switched off (an OffCheck each), said
	 * it uses, or said it does not use (a kind whose use Yamori cannot
	 * see in the traffic). */
	GHashTable *powered_off;
	GHashTable *in_use;
	GHashTable *not_used;
	guint quiet_source;
	/* Rule 4: the device whose reset steps show (NULL: the list), and the
	 * devices given away (JsonObject, from "devices" with "all"). */
	char *giving;
	GPtrArray *retired;
	GCancellable *cancellable;

	GtkLabel *step_label;
	GtkLabel *title_label;
	GtkScrolledWindow *scroller;
	GtkBox *content_box;
	GtkWidget *back_button;
	GtkButton *next_button;
};

/* Small builders of the page's content. */
GtkWidget *ym_rules_text(const char *s, const char *css_class);
GtkWidget *ym_rules_button(const char *label, const char *action,
			   const char *target, gboolean suggested);
/* One device in a rule: its icon and name, then the lines about it, and
 * an optional button at the side. */
GtkWidget *ym_rules_device_card(JsonObject *dev, const char *const *lines,
				GtkWidget *side);
/* The maker's contact, when the daemon sends it with the device. */
char *ym_rules_contact_of(JsonObject *dev);
const char *ym_rules_mac_of(JsonObject *dev);
gboolean ym_rules_is_gateway(JsonObject *dev);
/* Builds the page again for the step it is on. */
void ym_rules_rebuild(YmRulesPage *self);

/* ym-rules-care.c: rule 3 (switch off what is not used) and rule 4
 * (erase before giving away). */
void ym_rules_off_check_free(gpointer data);
void ym_rules_idle(YmRulesPage *self);
void ym_rules_give_away(YmRulesPage *self);
/* The devices given away: "devices" leaves them out unless asked. */
void ym_rules_fetch_retired(YmRulesPage *self);
/* Rules 3 and 4's own buttons; FALSE when ACTION is not one of them. */
gboolean ym_rules_care_action(YmRulesPage *self, const char *action,
			      GVariant *param);
