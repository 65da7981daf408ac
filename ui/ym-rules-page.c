#include "ym-rules-private.h"

#include <string.h>

#include "ym-actions.h"
#include "ym-dialogs.h"
#include "ym-text.h"
#include "ym-widgets.h"

#define N_RULES 4

G_DEFINE_TYPE(YmRulesPage, ym_rules_page, GTK_TYPE_WIDGET)

GtkWidget *ym_rules_text(const char *s, const char *css_class)
{
	GtkWidget *label = gtk_label_new(s);

	gtk_label_set_wrap(GTK_LABEL(label), TRUE);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	if (css_class)
		gtk_widget_add_css_class(label, css_class);
	return label;
}

GtkWidget *ym_rules_button(const char *label, const char *action,
			 const char *target, gboolean suggested)
{
	GtkWidget *b = gtk_button_new_with_label(label);

	gtk_actionable_set_action_name(GTK_ACTIONABLE(b), action);
	if (target)
		gtk_actionable_set_action_target(GTK_ACTIONABLE(b), "s",
						 target);
	if (suggested)
		gtk_widget_add_css_class(b, "suggested-action");
	gtk_widget_set_valign(b, GTK_ALIGN_CENTER);
	return b;
}

/* One device in a rule: its icon and name, then the lines about it, and
 * an optional button at the side. */
GtkWidget *ym_rules_device_card(JsonObject *dev, const char *const *lines,
			      GtkWidget *side)
{
	GtkWidget *card = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	GtkWidget *col = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	/* The icon only repeats the name: screen readers skip it. */
	GtkWidget *icon = g_object_new(
		GTK_TYPE_IMAGE, "icon-name",
		ym_text_type_icon(json_object_get_string_member_with_default(
			dev, "type", "unknown")),
		"pixel-size", 32, "accessible-role",
		GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
	g_autofree char *name = ym_text_device_name(dev);

	gtk_widget_add_css_class(card, "card");
	gtk_widget_add_css_class(card, "ym-card");
	gtk_widget_set_valign(icon, GTK_ALIGN_START);
	gtk_box_append(GTK_BOX(card), icon);
	gtk_widget_set_hexpand(col, TRUE);
	gtk_box_append(GTK_BOX(col), ym_rules_text(name, "heading"));
	for (guint i = 0; lines && lines[i]; i++)
		gtk_box_append(GTK_BOX(col), ym_rules_text(lines[i], NULL));
	gtk_box_append(GTK_BOX(card), col);
	if (side)
		gtk_box_append(GTK_BOX(card), side);
	return card;
}

/* The maker's contact, when the daemon sends it with the device. */
char *ym_rules_contact_of(JsonObject *dev)
{
	return ym_text_contact(dev);
}

static gboolean has_open_alert(YmHousehold *household, const char *mac,
			       const char *kind)
{
	GPtrArray *alerts = ym_household_get_alerts(household);

	for (guint i = 0; i < alerts->len; i++) {
		JsonObject *a = alerts->pdata[i];

		if (g_strcmp0(json_object_get_string_member_with_default(
				      a, "mac", ""),
			      mac) == 0 &&
		    g_strcmp0(json_object_get_string_member_with_default(
				      a, "kind", ""),
			      kind) == 0)
			return TRUE;
	}
	return FALSE;
}

const char *ym_rules_mac_of(JsonObject *dev)
{
	return json_object_get_string_member_with_default(dev, "mac", "");
}

gboolean ym_rules_is_gateway(JsonObject *dev)
{
	return json_object_get_boolean_member_with_default(dev, "gateway",
							   FALSE);
}

/* What rule 1 could check of a device: "checked", "unknown_kind" (Yamori
 * does not know what it is) or "no_entry" (nothing known of its maker's
 * support). An older daemon without the word: judged by the type. */
static const char *support_check(JsonObject *dev)
{
	JsonObject *s = json_object_has_member(dev, "support") &&
					JSON_NODE_HOLDS_OBJECT(
						json_object_get_member(dev, "support"))
				? json_object_get_object_member(dev, "support")
				: NULL;
	const char *type =
		json_object_get_string_member_with_default(dev, "type", "unknown");

	if (g_str_equal(type, "unknown"))
		return "unknown_kind";
	return s ? json_object_get_string_member_with_default(s, "check",
							      "checked")
		 : "checked";
}

/* The model and the maker's contact of DEV, as lines for a card: what the
 * household needs to ask for help (finding 6 of issue 19: never "ask the
 * shop" or "see the manual" without saying whom and which). */
static void add_model_and_contact(GPtrArray *lines, JsonObject *dev)
{
	const char *model =
		json_object_get_string_member_with_default(dev, "model", "");
	char *contact = ym_rules_contact_of(dev);

	if (model[0])
		/* TRANSLATORS: a device's model number follows. */
		g_ptr_array_add(lines, g_strdup_printf(_("Model: %s"), model));
	if (contact)
		g_ptr_array_add(lines, contact);
	else
		g_ptr_array_add(lines,
				g_strdup(_("Yamori does not know the maker's "
					   "contact. It is often on the box "
					   "or on the device.")));
}

/* What rule 2 knows of one device's password, from the daemon's last
 * check ("audit" in the device, docs/API.md) and the flag it keeps. */
typedef enum {
	PW_NOT_YET,    /* never checked since the daemon started */
	PW_CHANGED,    /* factory passwords were tried; none worked */
	PW_NO_LOGIN,   /* no way in asks for a password */
	PW_COULD_NOT,  /* asked, but not (wholly) told */
	PW_OPEN,       /* a way in asks for no password at all */
	PW_FACTORY,    /* a factory password works */
} PwState;

static PwState password_state(JsonObject *dev)
{
	JsonObject *a = json_object_has_member(dev, "audit") &&
					JSON_NODE_HOLDS_OBJECT(
						json_object_get_member(dev, "audit"))
				? json_object_get_object_member(dev, "audit")
				: NULL;
	const char *result =
		a ? json_object_get_string_member_with_default(a, "result",
								"none")
		  : "none";
	gint64 errors =
		a ? json_object_get_int_member_with_default(a, "errors", 0) : 0;

	/* The flag outlives a restart of the daemon; the check does not. */
	if (ym_text_has_flag(dev, "default_password") ||
	    g_str_equal(result, "default_password"))
		return PW_FACTORY;
	if (g_str_equal(result, "open"))
		return PW_OPEN;
	if (g_str_equal(result, "defaults_refused"))
		return errors ? PW_COULD_NOT : PW_CHANGED;
	if (g_str_equal(result, "no_login"))
		return PW_NO_LOGIN;
	if (g_str_equal(result, "not_checked"))
		return PW_COULD_NOT;
	return PW_NOT_YET;
}

static const char *password_state_text(PwState state)
{
	switch (state) {
	case PW_FACTORY:
		return ym_text_flag_problem("default_password");
	case PW_OPEN:
		return _("Anyone can use it without a password.");
	case PW_CHANGED:
		return _("The password it came with does not work. Good.");
	case PW_NO_LOGIN:
		return _("It has no way in that asks for a password.");
	case PW_COULD_NOT:
		return _("Yamori could not check it.");
	case PW_NOT_YET:
	default:
		return _("It has not been checked yet.");
	}
}

/* The lines of DEV's card in rule 2, NULL-terminated: its state, and the
 * next step with the model and the maker's contact when something is
 * wrong. *RISKY: an unsafe way in (telnet, FTP) is open. */
static GPtrArray *password_lines(YmRulesPage *self, JsonObject *dev,
				 PwState state, gboolean *risky)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);

	*risky = has_open_alert(self->household, ym_rules_mac_of(dev),
				"risky_service");
	g_ptr_array_add(lines, g_strdup(password_state_text(state)));
	if (state == PW_FACTORY || state == PW_OPEN) {
		g_ptr_array_add(lines,
				g_strdup(_("Please set a new password on it.")));
		g_ptr_array_add(lines,
				g_strdup(_("The maker can tell you how.")));
	} else if (state == PW_COULD_NOT) {
		g_ptr_array_add(lines,
				g_strdup(_("Please check again later.")));
	}
	if (*risky) {
		/* Telnet and FTP: many devices cannot switch them off. */
		g_ptr_array_add(lines,
				g_strdup(_("It has a way in that others can "
					   "use.")));
		g_ptr_array_add(lines,
				g_strdup(_("You may not be able to close it "
					   "yourself.")));
		g_ptr_array_add(lines,
				g_strdup(_("You can do one of these:\n"
					   "• Ask the maker how to close it.\n"
					   "• Stop its traffic with Yamori.\n"
					   "• Replace it with a new device.")));
	}
	if (state == PW_FACTORY || state == PW_OPEN || *risky)
		add_model_and_contact(lines, dev);
	g_ptr_array_add(lines, NULL);
	return lines;
}

/* Rule 1's answer for one device: the maker's support ended, goes on, or
 * is not known (nothing known of the model, or Yamori does not know what
 * the device is). */
typedef enum {
	SUPPORT_ENDED,
	SUPPORT_CONTINUING,
	SUPPORT_UNKNOWN,
} SupportState;

static SupportState support_state(JsonObject *dev)
{
	JsonObject *s = json_object_has_member(dev, "support") &&
					JSON_NODE_HOLDS_OBJECT(
						json_object_get_member(dev, "support"))
				? json_object_get_object_member(dev, "support")
				: NULL;
	const char *eos = s ? json_object_get_string_member_with_default(
				      s, "end_of_support", "unknown")
			    : "unknown";
	g_autoptr(GDateTime) now = NULL;
	g_autofree char *today = NULL;

	if (ym_text_has_flag(dev, "unsupported") || g_str_equal(eos, "ended"))
		return SUPPORT_ENDED;
	if (g_str_equal(support_check(dev), "unknown_kind"))
		return SUPPORT_UNKNOWN;
	if (g_str_equal(eos, "supported"))
		return SUPPORT_CONTINUING;
	/* A date, YYYY-MM-DD: it compares as text. */
	if (strlen(eos) == 10 && g_ascii_isdigit(eos[0])) {
		now = g_date_time_new_now_utc();
		today = g_date_time_format(now, "%Y-%m-%d");
		return g_strcmp0(eos, today) <= 0 ? SUPPORT_ENDED
						  : SUPPORT_CONTINUING;
	}
	return SUPPORT_UNKNOWN;
}

static void rule_support(YmRulesPage *self)
{
	GPtrArray *devices = ym_household_get_devices(self->household);
	guint count[SUPPORT_UNKNOWN + 1] = { 0 };
	g_autofree char *counts = NULL;
	GtkWidget *summary = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);

	gtk_box_append(self->content_box,
		       ym_rules_text(_("A device the maker no longer looks after can "
			      "be dangerous."),
			    NULL));
	/* The three counts go first; filled in after the walk. */
	gtk_box_append(self->content_box, summary);
	for (guint i = 0; i < devices->len; i++) {
		JsonObject *dev = devices->pdata[i];
		g_autoptr(GPtrArray) lines =
			g_ptr_array_new_with_free_func(g_free);
		SupportState state = support_state(dev);
		GtkWidget *side = NULL;

		count[state]++;
		if (state == SUPPORT_ENDED) {
			g_ptr_array_add(lines, g_strdup(ym_text_flag_problem(
						       "unsupported")));
			g_ptr_array_add(
				lines,
				g_strdup(_("What you can do:\n"
					   "• Replace it with a new device.\n"
					   "• Stop its traffic until then.\n"
					   "• Erase its data before you throw "
					   "it away (rule 4).")));
			side = ym_rules_button(_("See the device"), "win.show-device",
				      ym_rules_mac_of(dev), TRUE);
		} else if (state == SUPPORT_UNKNOWN &&
			   g_str_equal(support_check(dev), "unknown_kind")) {
			g_ptr_array_add(lines,
					g_strdup(_("Yamori does not know what "
						   "this is.")));
			g_ptr_array_add(lines,
					g_strdup(_("Please tell Yamori what it "
						   "is.")));
			side = ym_rules_button(_("Tell what it is"), "rules.set-kind",
				      ym_rules_mac_of(dev), FALSE);
		} else if (state == SUPPORT_UNKNOWN) {
			g_ptr_array_add(lines,
					g_strdup(_("Yamori does not know until "
						   "when the maker looks after "
						   "it.")));
			g_ptr_array_add(lines,
					g_strdup(_("Please ask the maker.")));
		}
		/* An update is a next step of its own, also for a device
		 * still looked after. */
		if (ym_text_has_flag(dev, "outdated_firmware")) {
			g_ptr_array_add(lines, g_strdup(ym_text_flag_problem(
						       "outdated_firmware")));
			g_ptr_array_add(lines, g_strdup(ym_text_flag_advice(
						       "outdated_firmware")));
		}
		if (!lines->len)
			continue;
		add_model_and_contact(lines, dev);
		g_ptr_array_add(lines, NULL);
		gtk_box_append(self->content_box,
			       ym_rules_device_card(dev,
					   (const char *const *)lines->pdata,
					   side));
	}
	counts = g_strdup_printf(_("• The maker's support ended: %u\n"
				   "• The maker still looks after it: %u\n"
				   "• Not known: %u"),
				 count[SUPPORT_ENDED], count[SUPPORT_CONTINUING],
				 count[SUPPORT_UNKNOWN]);
	gtk_box_append(GTK_BOX(summary), ym_rules_text(counts, "heading"));
	/* "All is well" only when every device is known to be looked
	 * after. */
	if (devices->len && count[SUPPORT_CONTINUING] == devices->len)
		gtk_box_append(GTK_BOX(summary),
			       ym_rules_text(_("Every device here is still looked after. "
				      "Well done."),
				    "ym-good"));
	gtk_box_append(self->content_box,
		       ym_rules_text(_("When you buy a new one, choose a maker you "
			      "can ask."),
			    NULL));
}

static void rule_password(YmRulesPage *self)
{
	GPtrArray *devices = ym_household_get_devices(self->household);
	guint count[PW_FACTORY + 1] = { 0 };
	gboolean off = self->prefs &&
		       ym_prefs_get_audit(self->prefs) == YM_POLICY_OFF;
	GtkWidget *row;

	gtk_box_append(self->content_box,
		       ym_rules_text(_("Other people also know the password a device "
			      "came with."),
			    NULL));
	if (off)
		gtk_box_append(self->content_box,
			       ym_rules_text(_("The password check is turned off."),
				    NULL));
	/* Every device, the router too, each with what is known of it: a
	 * device never checked is never "fine". */
	for (guint i = 0; i < devices->len; i++) {
		JsonObject *dev = devices->pdata[i];
		PwState state = password_state(dev);
		gboolean risky;
		g_autoptr(GPtrArray) lines = password_lines(self, dev, state,
							    &risky);

		count[state]++;
		gtk_box_append(
			self->content_box,
			ym_rules_device_card(dev, (const char *const *)lines->pdata,
				    risky && !ym_rules_is_gateway(dev) &&
						    !ym_text_has_flag(dev,
								      "isolated")
					    ? ym_rules_button(_("Stop its traffic"),
						     "rules.isolate",
						     ym_rules_mac_of(dev), FALSE)
					    : NULL));
	}
	/* "Not found" only when every device was checked and none opened. */
	if (devices->len && !off &&
	    count[PW_CHANGED] + count[PW_NO_LOGIN] == devices->len)
		gtk_box_append(self->content_box,
			       ym_rules_text(_("No device still has the password it "
				      "came with."),
				    "ym-good"));
	row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
	gtk_widget_add_css_class(row, "card");
	gtk_widget_add_css_class(row, "ym-card");
	gtk_box_append(GTK_BOX(row),
		       ym_rules_text(off ? _("You can turn the check on in the "
				    "settings.")
				: _("When you have changed it, press \"Done\". "
				    "Yamori checks again."),
			    NULL));
	gtk_widget_set_hexpand(gtk_widget_get_first_child(row), TRUE);
	if (!off)
		gtk_box_append(GTK_BOX(row),
			       /* TRANSLATORS: rule 2's button after changing
				* the passwords; it runs the check again. */
			       ym_rules_button(_("Done"), "rules.password-done", NULL,
				      TRUE));
	gtk_box_append(self->content_box, row);
}

/* One thing still to fix, naming its device, for the end of the check. */
static void add_open_item(GPtrArray *items, JsonObject *dev, const char *what)
{
	g_autofree char *name = ym_text_device_name(dev);

	/* TRANSLATORS: one thing still to fix: a device's name, then what
	 * is wrong with it. */
	g_ptr_array_add(items, g_strdup_printf(_("• \"%s\": %s"), name, what));
}

/* What the four rules leave to fix: a device behaving strangely and not
 * stopped, the devices whose maker's support ended, a factory password or
 * no password, an unsafe way in, an update to do, an unused device not
 * yet switched off. */
static GPtrArray *open_items(YmRulesPage *self)
{
	GPtrArray *devices = ym_household_get_devices(self->household);
	GPtrArray *items = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < devices->len; i++) {
		JsonObject *dev = devices->pdata[i];
		PwState pw = password_state(dev);

		/* A danger outside the four rules is still open too. */
		if (ym_text_has_flag(dev, "suspicious") &&
		    !ym_text_has_flag(dev, "isolated"))
			add_open_item(items, dev,
				      ym_text_flag_problem("suspicious"));
		if (support_state(dev) == SUPPORT_ENDED)
			add_open_item(items, dev,
				      ym_text_flag_problem("unsupported"));
		if (ym_text_has_flag(dev, "outdated_firmware"))
			add_open_item(items, dev,
				      ym_text_flag_problem("outdated_firmware"));
		if (pw == PW_FACTORY || pw == PW_OPEN)
			add_open_item(items, dev, password_state_text(pw));
		if (has_open_alert(self->household, ym_rules_mac_of(dev),
				   "risky_service"))
			add_open_item(items, dev,
				      _("It has a way in that others can "
					"use."));
		if (ym_text_has_flag(dev, "idle") &&
		    !g_hash_table_contains(self->powered_off, ym_rules_mac_of(dev)))
			add_open_item(items, dev, ym_text_flag_problem("idle"));
	}
	return items;
}

static void the_end(YmRulesPage *self)
{
	g_autoptr(GPtrArray) items = open_items(self);
	g_autofree char *left = NULL;

	gtk_box_append(self->content_box,
		       ym_rules_text(_("You went through the four rules. Thank you."),
			    NULL));
	if (items->len) {
		/* TRANSLATORS: the end of the check: how many things are
		 * still to fix; the list follows. */
		left = g_strdup_printf(ngettext("There is still %u thing to "
						"fix.",
						"There are still %u things to "
						"fix.",
						items->len),
				       items->len);
		gtk_box_append(self->content_box, ym_rules_text(left, "heading"));
		g_ptr_array_add(items, NULL);
		left = g_strjoinv("\n", (char **)items->pdata);
		gtk_box_append(self->content_box, ym_rules_text(left, NULL));
	} else {
		gtk_box_append(self->content_box,
			       ym_rules_text(_("Nothing is left to fix now."),
				    "ym-good"));
	}
	gtk_box_append(self->content_box,
		       ym_rules_text(_("Yamori reminds you in 30 days to check "
			      "again."),
			    NULL));
}

void ym_rules_rebuild(YmRulesPage *self)
{
	static const char *const titles[] = {
		/* TRANSLATORS: the four rules' titles (Japan's IoT Security
		 * Guidelines, chapter 3), short. */
		N_("Use devices you can get help for"),
		N_("Mind the first settings"),
		N_("Switch off unused devices"),
		N_("Erase data before giving away"),
		N_("The check is done"),
	};
	GtkWidget *child;
	g_autofree char *step = NULL;

	while ((child = gtk_widget_get_first_child(
			GTK_WIDGET(self->content_box))))
		gtk_box_remove(self->content_box, child);
	if (self->step < N_RULES)
		step = g_strdup_printf(_("Rule %d of %d"), self->step + 1,
				       N_RULES);
	gtk_label_set_label(self->step_label, step ? step : "");
	gtk_widget_set_visible(GTK_WIDGET(self->step_label), step != NULL);
	gtk_label_set_label(self->title_label, _(titles[self->step]));
	if (!self->household || !ym_household_get_loaded(self->household)) {
		gtk_box_append(self->content_box,
			       ym_rules_text(_("Yamori is not running."), NULL));
	} else {
		switch (self->step) {
		case 0:
			rule_support(self);
			break;
		case 1:
			rule_password(self);
			/* PLAIN_JA J11: rule 2 is where a trick would ask for
			 * a password. */
			gtk_box_append(self->content_box,
				       ym_rules_text(ym_dialogs_trust_line(),
					    "ym-trust"));
			break;
		case 2:
			ym_rules_idle(self);
			break;
		case 3:
			ym_rules_give_away(self);
			break;
		default:
			the_end(self);
			break;
		}
	}
	gtk_widget_set_sensitive(self->back_button, self->step > 0);
	gtk_button_set_label(self->next_button,
			     self->step < N_RULES ? _("Next")
						  : /* TRANSLATORS: ends the
						     * check, back to Home. */
						    _("Finish"));
}

void ym_rules_page_restart(YmRulesPage *self)
{
	self->step = 0;
	g_clear_pointer(&self->giving, g_free);
	ym_rules_rebuild(self);
	gtk_adjustment_set_value(gtk_scrolled_window_get_vadjustment(
					 self->scroller),
				 0);
}

static void move(YmRulesPage *self, int delta)
{
	if (self->step + delta > N_RULES) {
		/* Finished: Home reminds in 30 days. */
		if (self->prefs)
			ym_prefs_set_last_check(self->prefs,
						g_get_real_time() /
							G_USEC_PER_SEC);
		gtk_widget_activate_action(GTK_WIDGET(self), "win.page", "s",
					   "home");
		ym_rules_page_restart(self);
		return;
	}
	self->step = CLAMP(self->step + delta, 0, N_RULES);
	ym_rules_rebuild(self);
	gtk_adjustment_set_value(gtk_scrolled_window_get_vadjustment(
					 self->scroller),
				 0);
}

static void password_checked_cb(gpointer data)
{
	YmRulesPage *self = data;

	ym_rules_rebuild(self);
	g_object_unref(self);
}

static void action_cb(GtkWidget *widget, const char *action, GVariant *param)
{
	YmRulesPage *self = YM_RULES_PAGE(widget);

	if (ym_rules_care_action(self, action, param)) {
		return;
	} else if (g_str_equal(action, "rules.next")) {
		move(self, 1);
	} else if (g_str_equal(action, "rules.previous")) {
		move(self, -1);
	} else if (g_str_equal(action, "rules.password-done")) {
		GPtrArray *devices = ym_household_get_devices(self->household);
		g_autoptr(GStrvBuilder) macs = g_strv_builder_new();
		g_auto(GStrv) list = NULL;

		/* Every device again, the router too: it is the device most
		 * often left with its factory password. */
		for (guint i = 0; i < devices->len; i++)
			g_strv_builder_add(macs, ym_rules_mac_of(devices->pdata[i]));
		list = g_strv_builder_end(macs);
		ym_action_audit(widget, self->household, self->prefs,
				(const char *const *)list,
				G_CALLBACK(password_checked_cb),
				g_object_ref(self));
	} else if (g_str_equal(action, "rules.isolate")) {
		JsonObject *dev = ym_household_find_device(
			self->household, g_variant_get_string(param, NULL));

		if (dev)
			ym_action_isolate(widget, self->household, dev);
	} else if (g_str_equal(action, "rules.set-kind")) {
		JsonObject *dev = ym_household_find_device(
			self->household, g_variant_get_string(param, NULL));

		if (dev)
			ym_action_set_kind(widget, self->household, dev);
	}
}

static void changed_cb(YmRulesPage *self)
{
	/* The given-away list follows the daemon too. */
	ym_rules_fetch_retired(self);
	ym_rules_rebuild(self);
}

void ym_rules_page_set_context(YmRulesPage *self, YmHousehold *household,
			       YmPrefs *prefs)
{
	g_set_object(&self->household, household);
	g_set_object(&self->prefs, prefs);
	g_signal_connect_object(household, "changed", G_CALLBACK(changed_cb),
				self, G_CONNECT_SWAPPED);
	/* Rule 2 says whether the checks are on: it follows the setting. */
	g_signal_connect_object(prefs, "notify::audit", G_CALLBACK(changed_cb),
				self, G_CONNECT_SWAPPED);
	ym_rules_rebuild(self);
}

static void ym_rules_page_dispose(GObject *object)
{
	YmRulesPage *self = YM_RULES_PAGE(object);

	gtk_widget_dispose_template(GTK_WIDGET(self), YM_TYPE_RULES_PAGE);
	/* The template's unnamed top child is ours to unparent too. */
	ym_widget_unparent_children(GTK_WIDGET(self));
	g_clear_object(&self->household);
	g_clear_object(&self->prefs);
	g_clear_pointer(&self->powered_off, g_hash_table_unref);
	g_clear_pointer(&self->in_use, g_hash_table_unref);
	g_clear_pointer(&self->not_used, g_hash_table_unref);
	g_clear_handle_id(&self->quiet_source, g_source_remove);
	if (self->cancellable)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->giving, g_free);
	g_clear_pointer(&self->retired, g_ptr_array_unref);
	G_OBJECT_CLASS(ym_rules_page_parent_class)->dispose(object);
}

static void ym_rules_page_class_init(YmRulesPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = ym_rules_page_dispose;
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-rules-page.ui");
	gtk_widget_class_set_layout_manager_type(widget_class,
						 GTK_TYPE_BIN_LAYOUT);
	gtk_widget_class_bind_template_child(widget_class, YmRulesPage,
					     step_label);
	gtk_widget_class_bind_template_child(widget_class, YmRulesPage,
					     title_label);
	gtk_widget_class_bind_template_child(widget_class, YmRulesPage,
					     scroller);
	gtk_widget_class_bind_template_child(widget_class, YmRulesPage,
					     content_box);
	gtk_widget_class_bind_template_child(widget_class, YmRulesPage,
					     back_button);
	gtk_widget_class_bind_template_child(widget_class, YmRulesPage,
					     next_button);
	gtk_widget_class_install_action(widget_class, "rules.next", NULL,
					action_cb);
	gtk_widget_class_install_action(widget_class, "rules.previous", NULL,
					action_cb);
	gtk_widget_class_install_action(widget_class, "rules.password-done",
					NULL, action_cb);
	gtk_widget_class_install_action(widget_class, "rules.powered-off", "s",
					action_cb);
	gtk_widget_class_install_action(widget_class, "rules.give-away", "s",
					action_cb);
	gtk_widget_class_install_action(widget_class, "rules.set-kind", "s",
					action_cb);
	gtk_widget_class_install_action(widget_class, "rules.isolate", "s",
					action_cb);
	gtk_widget_class_install_action(widget_class, "rules.in-use", "s",
					action_cb);
	gtk_widget_class_install_action(widget_class, "rules.not-used", "s",
					action_cb);
	gtk_widget_class_install_action(widget_class, "rules.erased", "s",
					action_cb);
	gtk_widget_class_install_action(widget_class, "rules.give-away-cancel",
					NULL, action_cb);
	gtk_widget_class_install_action(widget_class, "rules.unretire", "s",
					action_cb);
}

static void ym_rules_page_init(YmRulesPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->powered_off = g_hash_table_new_full(g_str_hash, g_str_equal,
						  g_free, ym_rules_off_check_free);
	self->in_use =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->not_used =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->retired = g_ptr_array_new_with_free_func(
		(GDestroyNotify)json_object_unref);
	self->cancellable = g_cancellable_new();
}
