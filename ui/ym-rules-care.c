/* Rules 3 and 4 of the check (ym-rules-page.c has the page): switch off
 * what is not used, and erase a device before giving it away. */
#include "ym-rules-private.h"

#include "ym-actions.h"
#include "ym-dialogs.h"
#include "ym-text.h"
#include "ym-widgets.h"

/* -- rule 3: switch off what is not used --------------------------------- */

/* How long a device switched off must stay silent before Yamori says it
 * checked: background chatter comes every few minutes. Tests shorten it
 * with YAMORI_PANEL_QUIET_SECONDS. */
#define YM_QUIET_SECONDS 600

typedef struct {
	gint64 at;       /* g_get_monotonic_time() when the household said so */
	char *last_seen; /* the device's last_seen then */
} OffCheck;

void ym_rules_off_check_free(gpointer data)
{
	OffCheck *c = data;

	g_free(c->last_seen);
	g_free(c);
}

static guint quiet_seconds(void)
{
	const char *env = g_getenv("YAMORI_PANEL_QUIET_SECONDS");
	guint64 v;

	if (env && g_ascii_string_to_unsigned(env, 10, 1, 86400, &v, NULL))
		return (guint)v;
	return YM_QUIET_SECONDS;
}

/* Kinds whose use leaves only background traffic: a lock or a sensor
 * works all day and looks idle. Yamori asks about them instead. */
static gboolean use_not_visible(const char *type)
{
	static const char *const kinds[] = { "lock",	   "alarm", "doorbell",
					     "sensor",	   "health", "thermostat",
					     "hub",	   NULL };

	return g_strv_contains(kinds, type);
}

/* Devices that keep a home or a person safe: never told to switch off. */
static gboolean safety_device(const char *type)
{
	static const char *const kinds[] = { "lock",   "alarm", "doorbell",
					     "sensor", "health", NULL };

	return g_strv_contains(kinds, type);
}

static const char *type_of(JsonObject *dev)
{
	return json_object_get_string_member_with_default(dev, "type",
							  "unknown");
}

typedef enum { QUIET_CHECKING, QUIET_CONFIRMED, QUIET_STILL_TALKING } Quiet;

/* Whether a device the household switched off went quiet: it did when
 * its last_seen has not moved for the quiet time since; it did not when
 * the daemon saw it again. */
static Quiet quiet_state(JsonObject *dev, const OffCheck *c)
{
	const char *seen =
		json_object_get_string_member_with_default(dev, "last_seen", "");

	if (g_strcmp0(seen, c->last_seen) != 0)
		return QUIET_STILL_TALKING;
	if (g_get_monotonic_time() - c->at >=
	    (gint64)quiet_seconds() * G_USEC_PER_SEC)
		return QUIET_CONFIRMED;
	return QUIET_CHECKING;
}

/* The idle alerts about MAC are dealt with (read). */
static void acknowledge_idle(YmRulesPage *self, const char *mac)
{
	GPtrArray *alerts = ym_household_get_alerts(self->household);

	for (guint i = 0; i < alerts->len; i++) {
		JsonObject *a = alerts->pdata[i];
		JsonObject *args;

		if (g_strcmp0(json_object_get_string_member_with_default(
				      a, "mac", ""), mac) != 0 ||
		    g_strcmp0(json_object_get_string_member_with_default(
				      a, "kind", ""), "idle") != 0 ||
		    g_strcmp0(json_object_get_string_member_with_default(
				      a, "state", "open"), "open") != 0)
			continue;
		args = json_object_new();
		json_object_set_int_member(
			args, "id",
			json_object_get_int_member_with_default(a, "id", 0));
		ym_client_call_async(ym_household_get_client(self->household),
				     "acknowledge", args, NULL, NULL, NULL);
	}
}

static GtkWidget *two_buttons(GtkWidget *a, GtkWidget *b)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);

	gtk_widget_set_valign(box, GTK_ALIGN_CENTER);
	gtk_box_append(GTK_BOX(box), a);
	if (b)
		gtk_box_append(GTK_BOX(box), b);
	return box;
}

/* One idle device: what Yamori saw, and the one next step. */
static void idle_card(YmRulesPage *self, JsonObject *dev)
{
	const char *mac = ym_rules_mac_of(dev);
	const char *type = type_of(dev);
	OffCheck *off = g_hash_table_lookup(self->powered_off, mac);
	const char *lines[4] = { NULL };
	GtkWidget *side = NULL;
	int k = 0;

	if (off) {
		switch (quiet_state(dev, off)) {
		case QUIET_CONFIRMED:
			lines[k++] = _("Yamori made sure its traffic has "
				       "stopped.");
			lines[k++] = _("Thank you.");
			acknowledge_idle(self, mac);
			break;
		case QUIET_STILL_TALKING:
			lines[k++] = _("It still sends data.");
			lines[k++] = _("Please check that its power is "
				       "off.");
			/* TRANSLATORS: rule 3: "I switched it off." */
			side = ym_rules_button(_("Switched off"), "rules.powered-off",
				      mac, FALSE);
			break;
		case QUIET_CHECKING:
		default:
			lines[k++] = _("Yamori is checking that its traffic "
				       "stops.");
			break;
		}
	} else if (use_not_visible(type) &&
		   g_hash_table_contains(self->in_use, mac)) {
		lines[k++] = _("You use it. Yamori leaves it as it is.");
	} else if (use_not_visible(type) &&
		   !g_hash_table_contains(self->not_used, mac)) {
		/* Its use does not show in the traffic: ask, never tell. */
		lines[k++] = _("Yamori cannot tell from its traffic if it is "
			       "used.");
		lines[k++] = _("Do you use this device?");
		side = two_buttons(
			/* TRANSLATORS: rule 3, the answer "I use it". */
			ym_rules_button(_("I use it"), "rules.in-use", mac, FALSE),
			/* TRANSLATORS: rule 3, the answer "I do not use
			 * it". */
			ym_rules_button(_("I do not use it"), "rules.not-used", mac,
			       FALSE));
	} else if (safety_device(type)) {
		/* Not in use, and it keeps the home safe: whoever put it in
		 * takes it out. */
		lines[k++] = _("It may keep your home safe.");
		lines[k++] = _("Please ask whoever put it in before you "
			       "remove it.");
	} else {
		lines[k++] = ym_text_flag_problem("idle");
		lines[k++] = _("When you have switched it off, press the "
			       "button.");
		side = ym_rules_button(_("Switched off"), "rules.powered-off", mac,
			      FALSE);
	}
	gtk_box_append(self->content_box, ym_rules_device_card(dev, lines, side));
}

void ym_rules_idle(YmRulesPage *self)
{
	GPtrArray *devices = ym_household_get_devices(self->household);
	guint n = 0;

	gtk_box_append(self->content_box,
		       ym_rules_text(_("A device left on can be used by others."), NULL));
	for (guint i = 0; i < devices->len; i++) {
		JsonObject *dev = devices->pdata[i];

		/* A device switched off here stays on the page until Yamori
		 * has said whether it went quiet. */
		if (!ym_text_has_flag(dev, "idle") &&
		    !g_hash_table_contains(self->powered_off, ym_rules_mac_of(dev)))
			continue;
		idle_card(self, dev);
		n++;
	}
	if (!n)
		gtk_box_append(self->content_box,
			       ym_rules_text(_("No device has been left unused for a "
				      "long time."),
				    "ym-good"));
}

static gboolean quiet_cb(gpointer data)
{
	YmRulesPage *self = data;

	self->quiet_source = 0;
	/* The daemon's last_seen, fresh; the page is rebuilt with it. */
	ym_household_refresh(self->household);
	return G_SOURCE_REMOVE;
}

static void switched_off(YmRulesPage *self, const char *mac)
{
	JsonObject *dev = ym_household_find_device(self->household, mac);
	OffCheck *c = g_new0(OffCheck, 1);

	c->at = g_get_monotonic_time();
	c->last_seen = g_strdup(dev ? json_object_get_string_member_with_default(
					      dev, "last_seen", "")
				    : "");
	g_hash_table_replace(self->powered_off, g_strdup(mac), c);
	g_clear_handle_id(&self->quiet_source, g_source_remove);
	self->quiet_source =
		g_timeout_add_seconds(quiet_seconds() + 1, quiet_cb, self);
	ym_rules_rebuild(self);
}

/* -- rule 4: erase before giving away --------------------------------------- */

static void retired_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	YmRulesPage *self = data;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, NULL);

	if (node && JSON_NODE_HOLDS_ARRAY(node)) {
		JsonArray *all = json_node_get_array(node);

		g_ptr_array_set_size(self->retired, 0);
		for (guint i = 0; i < json_array_get_length(all); i++) {
			JsonObject *d = json_array_get_object_element(all, i);

			if (d && ym_text_has_flag(d, "retired"))
				g_ptr_array_add(self->retired,
						json_object_ref(d));
		}
		if (self->step == 3)
			ym_rules_rebuild(self);
	}
	g_object_unref(self);
}

/* The devices given away: "devices" leaves them out unless asked. */
void ym_rules_fetch_retired(YmRulesPage *self)
{
	JsonObject *args;

	if (!self->household ||
	    !ym_client_get_connected(ym_household_get_client(self->household)))
		return;
	args = json_object_new();
	json_object_set_boolean_member(args, "all", TRUE);
	ym_client_call_async(ym_household_get_client(self->household),
			     "devices", args, self->cancellable, retired_cb,
			     g_object_ref(self));
}

/* How to erase DEV: its steps, numbered, then where to ask. */
static void reset_steps_card(YmRulesPage *self, JsonObject *dev,
			     GtkWidget *side)
{
	g_auto(GStrv) steps = ym_action_reset_steps(dev);
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	char *contact;

	/* TRANSLATORS: a heading; the reading of 初期化 in brackets. */
	g_ptr_array_add(lines, g_strdup(_("How to reset it to factory "
					  "settings")));
	for (guint i = 0; steps && steps[i]; i++)
		g_ptr_array_add(lines,
				g_strdup_printf("%u. %s", i + 1, steps[i]));
	contact = ym_rules_contact_of(dev);
	if (contact)
		g_ptr_array_add(lines, contact);
	g_ptr_array_add(lines, NULL);
	gtk_box_append(self->content_box,
		       ym_rules_device_card(dev, (const char *const *)lines->pdata,
				   side));
}

void ym_rules_give_away(YmRulesPage *self)
{
	GPtrArray *devices = ym_household_get_devices(self->household);
	JsonObject *giving =
		self->giving ? ym_household_find_device(self->household,
							self->giving)
			     : NULL;

	gtk_box_append(self->content_box,
		       ym_rules_text(_("Before you give a device away, erase the data "
			      "in it."),
			    NULL));
	if (giving) {
		/* The steps first; marked given away only once erased. */
		gtk_box_append(self->content_box,
			       ym_rules_text(_("Please do these steps first."), NULL));
		reset_steps_card(
			self, giving,
			two_buttons(
				/* TRANSLATORS: rule 4: the household erased
				 * the device's data. */
				ym_rules_button(_("I erased the data"), "rules.erased",
				       self->giving, TRUE),
				ym_rules_button(_("Do nothing"), "rules.give-away-cancel",
				       NULL, FALSE)));
		return;
	}
	gtk_box_append(self->content_box,
		       ym_rules_text(_("Which device are you giving away? Yamori "
			      "shows how to erase it."),
			    NULL));
	for (guint i = 0; i < devices->len; i++) {
		JsonObject *dev = devices->pdata[i];
		const char *lines[3] = { NULL, NULL, NULL };
		int k = 0;

		/* The router too: one from the provider goes back to it with
		 * the home's Wi-Fi password inside. */
		if (ym_rules_is_gateway(dev))
			lines[k++] = _("Erase it before you return it to the "
				       "provider, too.");
		if (ym_text_has_flag(dev, "gone"))
			lines[k++] = ym_text_flag_problem("gone");
		gtk_box_append(self->content_box,
			       ym_rules_device_card(dev, lines,
					   ym_rules_button(_("Give away"),
						  "rules.give-away",
						  ym_rules_mac_of(dev), FALSE)));
	}
	if (!self->retired->len)
		return;
	gtk_box_append(self->content_box,
		       ym_rules_text(_("Devices you gave away"), "heading"));
	for (guint i = 0; i < self->retired->len; i++)
		reset_steps_card(
			self, self->retired->pdata[i],
			/* TRANSLATORS: undoes "given away". */
			ym_rules_button(_("Undo"), "rules.unretire",
			       ym_rules_mac_of(self->retired->pdata[i]), FALSE));
}

static void retire_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	YmRulesPage *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);

	if (!node) {
		ym_dialog_error(GTK_WIDGET(self),
				_("The device could not be marked."), error);
	} else {
		ym_widget_toast(GTK_WIDGET(self),
				_("It is on the list of devices you gave "
				  "away."));
		g_clear_pointer(&self->giving, g_free);
	}
	ym_household_refresh(self->household);
	ym_rules_fetch_retired(self);
	ym_rules_rebuild(self);
	g_object_unref(self);
}

static void unretire_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	YmRulesPage *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);

	if (!node)
		ym_dialog_error(GTK_WIDGET(self),
				_("The device could not be brought back."),
				error);
	else
		ym_widget_toast(GTK_WIDGET(self),
				_("It is back on the list of devices."));
	ym_household_refresh(self->household);
	ym_rules_fetch_retired(self);
	g_object_unref(self);
}

static void device_call(YmRulesPage *self, const char *cmd, const char *mac,
			GAsyncReadyCallback cb)
{
	JsonObject *args = json_object_new();

	json_object_set_string_member(args, "mac", mac);
	ym_client_call_async(ym_household_get_client(self->household), cmd,
			     args, NULL, cb, g_object_ref(self));
}

/* Rules 3 and 4's own buttons; FALSE when ACTION is not one of them. */
gboolean ym_rules_care_action(YmRulesPage *self, const char *action,
				 GVariant *param)
{
	const char *mac = param && g_variant_is_of_type(param,
							 G_VARIANT_TYPE_STRING)
				  ? g_variant_get_string(param, NULL)
				  : NULL;

	if (g_str_equal(action, "rules.powered-off")) {
		switched_off(self, mac);
	} else if (g_str_equal(action, "rules.in-use")) {
		g_hash_table_add(self->in_use, g_strdup(mac));
		acknowledge_idle(self, mac);
		ym_rules_rebuild(self);
	} else if (g_str_equal(action, "rules.not-used")) {
		g_hash_table_add(self->not_used, g_strdup(mac));
		ym_rules_rebuild(self);
	} else if (g_str_equal(action, "rules.give-away")) {
		g_free(self->giving);
		self->giving = g_strdup(mac);
		ym_rules_rebuild(self);
		gtk_adjustment_set_value(
			gtk_scrolled_window_get_vadjustment(self->scroller), 0);
	} else if (g_str_equal(action, "rules.give-away-cancel")) {
		g_clear_pointer(&self->giving, g_free);
		ym_rules_rebuild(self);
	} else if (g_str_equal(action, "rules.erased")) {
		device_call(self, "retire", mac, retire_cb);
	} else if (g_str_equal(action, "rules.unretire")) {
		device_call(self, "unretire", mac, unretire_cb);
	} else {
		return FALSE;
	}
	return TRUE;
}
