#include "ym-settings-page.h"

#include "ym-actions.h"
#include "ym-dialogs.h"
#include "ym-pin-dialog.h"
#include "ym-text.h"
#include "ym-widgets.h"

struct _YmSettingsPage {
	GtkWidget parent_instance;

	YmHousehold *household;
	YmPrefs *prefs;
	gboolean syncing; /* buttons follow the settings, not the other way */

	GtkToggleButton *audit_off, *audit_ask, *audit_on;
	GtkToggleButton *isolate_off, *isolate_ask, *isolate_on;
	GtkToggleButton *text_normal, *text_large, *text_largest;
	GtkToggleButton *contrast_off, *contrast_on;
	GtkLabel *pin_label;
	GtkWidget *pin_set_button, *pin_change_button, *pin_remove_button;
	GtkLabel *about_label;
	GtkLabel *trust_label;
	GtkToggleButton *fleet_off, *fleet_on;
	GtkLabel *fleet_label;
};

G_DEFINE_TYPE(YmSettingsPage, ym_settings_page, GTK_TYPE_WIDGET)

static void sync_buttons(YmSettingsPage *self)
{
	GtkToggleButton *audit[] = { self->audit_off, self->audit_ask,
				     self->audit_on };
	GtkToggleButton *isolate[] = { self->isolate_off, self->isolate_ask,
				       self->isolate_on };
	GtkToggleButton *text[] = { self->text_normal, self->text_large,
				    self->text_largest };
	gboolean pin = ym_prefs_has_pin(self->prefs);

	self->syncing = TRUE;
	gtk_toggle_button_set_active(audit[ym_prefs_get_audit(self->prefs)],
				     TRUE);
	gtk_toggle_button_set_active(isolate[ym_prefs_get_isolate(self->prefs)],
				     TRUE);
	gtk_toggle_button_set_active(text[ym_prefs_get_text_size(self->prefs)],
				     TRUE);
	gtk_toggle_button_set_active(ym_prefs_get_high_contrast(self->prefs)
					     ? self->contrast_on
					     : self->contrast_off,
				     TRUE);
	self->syncing = FALSE;
	gtk_label_set_label(
		self->pin_label,
		pin ? _("A PIN is set. Yamori asks for it before it weakens "
			"protection.")
		    : _("There is no PIN. With one, Yamori asks for it before "
			"it weakens protection."));
	gtk_widget_set_visible(self->pin_set_button, !pin);
	gtk_widget_set_visible(self->pin_change_button, pin);
	gtk_widget_set_visible(self->pin_remove_button, pin);
}

static void about(YmSettingsPage *self)
{
	JsonObject *st = self->household
				 ? ym_household_get_status(self->household)
				 : NULL;
	g_autoptr(GString) s = g_string_new(NULL);

	/* TRANSLATORS: Yamori's version, e.g. "Version: 0.1.0". */
	g_string_append_printf(s, "%s %s", _("Version:"), YM_VERSION);
	if (YM_SUPPORT_UNTIL[0])
		/* TRANSLATORS: until when Yamori itself gets updates; a date
		 * follows. */
		g_string_append_printf(s, "\n%s %s", _("Updates until:"),
				       YM_SUPPORT_UNTIL);
	else
		g_string_append_printf(s, "\n%s",
				       _("Ask the seller how long Yamori gets "
					 "updates."));
	if (st) {
		gint64 models = json_object_get_int_member_with_default(
			st, "support_entries", 0);
		gint64 rules = json_object_get_int_member_with_default(
			st, "fingerprint_rules", 0);

		/* TRANSLATORS: how many makers and models Yamori knows
		 * support periods for. */
		g_string_append_printf(s, "\n%s %u", _("Devices known:"),
				       (guint)models);
		/* TRANSLATORS: how many signs Yamori uses to tell what a
		 * device is. */
		g_string_append_printf(s, "\n%s %u", _("Signs known:"),
				       (guint)rules);
	}
	if (st && json_object_has_member(st, "data")) {
		JsonObject *data = json_object_get_object_member(st, "data");
		gint64 version = json_object_get_int_member_with_default(
			data, "version", 0);
		const char *created = json_object_get_string_member_with_default(
			data, "created", "");

		/* TRANSLATORS: the data (rules and lists) Yamori judges with. */
		g_string_append_printf(s, "\n%s ", _("Data:"));
		if (version > 0)
			/* TRANSLATORS: the data's version and its date. */
			g_string_append_printf(s, _("version %u (%.10s)"),
					       (guint)version, created);
		else
			g_string_append(s, _("as installed (no update yet)"));
		/* The household should know when protection goes stale. */
		if (json_object_get_boolean_member_with_default(data, "expired",
								FALSE))
			g_string_append_printf(
				s, "\n%s",
				_("Warning: the data used to find problems is "
				  "out of date. New dangers may be missed. "
				  "Please update it."));
	}
	gtk_label_set_label(self->about_label, s->str);
}

/* The daemon's words for the two policies, in YmPolicy's order. */
static const char *const audit_words[] = { "off", "ask", "on" };
static const char *const isolate_words[] = { "never", "ask", "critical" };

static int policy_of(const char *const *words, const char *word)
{
	for (int i = 0; word && i < 3; i++)
		if (g_str_equal(words[i], word))
			return i;
	return -1;
}

/* The daemon's answer to "settings": it holds the policies; the panel's
 * prefs only mirror them for the other pages. */
static void take_settings(YmSettingsPage *self, JsonNode *node)
{
	JsonObject *o;
	int audit, isolate;

	if (!self->prefs || !node || !JSON_NODE_HOLDS_OBJECT(node))
		return;
	o = json_node_get_object(node);
	audit = policy_of(audit_words,
			  json_object_get_string_member_with_default(
				  o, "audit", NULL));
	isolate = policy_of(isolate_words,
			    json_object_get_string_member_with_default(
				    o, "auto_isolate", NULL));
	if (audit >= 0)
		ym_prefs_set_audit(self->prefs, audit);
	if (isolate >= 0)
		ym_prefs_set_isolate(self->prefs, isolate);
}

static void read_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	YmSettingsPage *self = data;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, NULL);

	/* An older daemon without "settings": the panel's copy stays. */
	take_settings(self, node);
	g_object_unref(self);
}

/* The daemon's "fleet" object: the switch, and the last report sent. */
static void take_fleet(YmSettingsPage *self, JsonNode *node)
{
	JsonObject *o;
	const char *last;
	gboolean configured;
	g_autofree char *text = NULL;

	if (!node || !JSON_NODE_HOLDS_OBJECT(node))
		return;
	o = json_node_get_object(node);
	configured = json_object_get_boolean_member_with_default(
		o, "configured", FALSE);
	last = json_object_get_string_member_with_default(o, "last_sent", "");
	self->syncing = TRUE;
	gtk_toggle_button_set_active(
		json_object_get_boolean_member_with_default(o, "on", FALSE) ?
		self->fleet_on : self->fleet_off, TRUE);
	self->syncing = FALSE;
	gtk_widget_set_sensitive(GTK_WIDGET(self->fleet_on), configured);
	if (!configured)
		text = g_strdup(_("Your provider has not set this up."));
	else if (!last || !last[0])
		text = g_strdup(_("Nothing has been sent yet."));
	else
		text = g_strdup_printf(_("Last report sent: %s"), last);
	gtk_label_set_text(self->fleet_label, text);
}

static void fleet_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	YmSettingsPage *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);

	if (node)
		take_fleet(self, node);
	g_object_unref(self);
}

static void fleet_set_cb(GObject *source, GAsyncResult *result,
			 gpointer data)
{
	YmSettingsPage *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);

	if (!node)
		ym_dialog_error(GTK_WIDGET(self),
				_("The setting could not be changed."), error);
	/* The buttons show what the daemon holds, whatever happened. */
	ym_client_call_async(YM_CLIENT(source), "fleet", NULL, NULL, fleet_cb,
			     self);
}

static void fleet_toggled_cb(YmSettingsPage *self, GtkToggleButton *button)
{
	JsonObject *args;

	if (self->syncing || !gtk_toggle_button_get_active(button) ||
	    !self->household)
		return;
	args = json_object_new();
	json_object_set_boolean_member(args, "on", button == self->fleet_on);
	ym_client_call_async(ym_household_get_client(self->household),
			     "fleet_set", args, NULL, fleet_set_cb,
			     g_object_ref(self));
}

static void connected_cb(YmSettingsPage *self, GParamSpec *pspec,
			 YmClient *client)
{
	(void)pspec;
	if (ym_client_get_connected(client)) {
		ym_client_call_async(client, "settings", NULL, NULL, read_cb,
				     g_object_ref(self));
		ym_client_call_async(client, "fleet", NULL, NULL, fleet_cb,
				     g_object_ref(self));
	}
}

typedef struct {
	YmSettingsPage *self;
	gboolean toast;
} Change;

static void write_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Change *c = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);

	if (!node) {
		ym_dialog_error(GTK_WIDGET(c->self),
				_("The setting could not be changed."), error);
	} else {
		take_settings(c->self, node);
		if (c->toast)
			ym_widget_toast(GTK_WIDGET(c->self),
					_("The setting is changed."));
	}
	/* The buttons show what the daemon holds, whatever happened. */
	sync_buttons(c->self);
	g_object_unref(c->self);
	g_free(c);
}

/* Asks the daemon to keep the choice; the buttons follow its answer. */
static void send_change(YmSettingsPage *self, gboolean audit, YmPolicy policy,
			gboolean toast)
{
	Change *c = g_new0(Change, 1);
	JsonObject *args = json_object_new();

	c->self = g_object_ref(self);
	c->toast = toast;
	json_object_set_string_member(args, audit ? "audit" : "auto_isolate",
				      audit ? audit_words[policy]
					    : isolate_words[policy]);
	ym_client_call_async(ym_household_get_client(self->household),
			     "settings", args, NULL, write_cb, c);
}

typedef struct {
	YmSettingsPage *self;
	gboolean audit; /* else the isolation policy */
} Weaken;

static void weaken_pin_cb(gboolean ok, gpointer data)
{
	Weaken *w = data;

	if (ok)
		send_change(w->self, w->audit, YM_POLICY_OFF, TRUE);
	sync_buttons(w->self);
	g_object_unref(w->self);
	g_free(w);
}

static void toggled_cb(YmSettingsPage *self, GtkToggleButton *button)
{
	if (self->syncing || !gtk_toggle_button_get_active(button))
		return;
	if (button == self->audit_off || button == self->isolate_off) {
		/* Turning a protection off needs the PIN, if there is one. */
		Weaken *w = g_new0(Weaken, 1);

		w->self = g_object_ref(self);
		w->audit = button == self->audit_off;
		sync_buttons(self);
		ym_pin_dialog_require(GTK_WIDGET(self), self->prefs,
				      weaken_pin_cb, w);
		return;
	}
	if (button == self->audit_ask)
		send_change(self, TRUE, YM_POLICY_ASK, FALSE);
	else if (button == self->audit_on)
		send_change(self, TRUE, YM_POLICY_ON, FALSE);
	else if (button == self->isolate_ask)
		send_change(self, FALSE, YM_POLICY_ASK, FALSE);
	else if (button == self->isolate_on)
		send_change(self, FALSE, YM_POLICY_ON, FALSE);
	else if (button == self->text_normal)
		ym_prefs_set_text_size(self->prefs, YM_TEXT_NORMAL);
	else if (button == self->text_large)
		ym_prefs_set_text_size(self->prefs, YM_TEXT_LARGE);
	else if (button == self->text_largest)
		ym_prefs_set_text_size(self->prefs, YM_TEXT_LARGEST);
	else if (button == self->contrast_on)
		ym_prefs_set_high_contrast(self->prefs, TRUE);
	else if (button == self->contrast_off)
		ym_prefs_set_high_contrast(self->prefs, FALSE);
}

static void change_pin_cb(gboolean ok, gpointer data)
{
	YmSettingsPage *self = data;

	if (ok)
		ym_pin_dialog_choose(GTK_WIDGET(self), self->prefs);
	g_object_unref(self);
}

static void remove_pin_cb(gboolean ok, gpointer data)
{
	YmSettingsPage *self = data;

	if (ok) {
		ym_prefs_set_pin(self->prefs, NULL);
		ym_widget_toast(GTK_WIDGET(self), _("The PIN is removed."));
	}
	g_object_unref(self);
}

static void pin_action_cb(GtkWidget *widget, const char *action,
			  GVariant *param)
{
	YmSettingsPage *self = YM_SETTINGS_PAGE(widget);

	(void)param;
	if (g_str_equal(action, "settings.set-pin"))
		ym_pin_dialog_choose(widget, self->prefs);
	else if (g_str_equal(action, "settings.change-pin"))
		ym_pin_dialog_require(widget, self->prefs, change_pin_cb,
				      g_object_ref(self));
	else
		ym_pin_dialog_require(widget, self->prefs, remove_pin_cb,
				      g_object_ref(self));
}

void ym_settings_page_set_context(YmSettingsPage *self,
				  YmHousehold *household, YmPrefs *prefs)
{
	g_set_object(&self->household, household);
	g_set_object(&self->prefs, prefs);
	g_signal_connect_object(prefs, "notify", G_CALLBACK(sync_buttons), self,
				G_CONNECT_SWAPPED);
	g_signal_connect_object(household, "changed", G_CALLBACK(about), self,
				G_CONNECT_SWAPPED);
	g_signal_connect_object(ym_household_get_client(household),
				"notify::connected", G_CALLBACK(connected_cb),
				self, G_CONNECT_SWAPPED);
	connected_cb(self, NULL, ym_household_get_client(household));
	sync_buttons(self);
	about(self);
}

static void ym_settings_page_dispose(GObject *object)
{
	YmSettingsPage *self = YM_SETTINGS_PAGE(object);

	gtk_widget_dispose_template(GTK_WIDGET(self), YM_TYPE_SETTINGS_PAGE);
	/* The template's unnamed top child is ours to unparent too. */
	ym_widget_unparent_children(GTK_WIDGET(self));
	g_clear_object(&self->household);
	g_clear_object(&self->prefs);
	G_OBJECT_CLASS(ym_settings_page_parent_class)->dispose(object);
}

static void ym_settings_page_class_init(YmSettingsPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = ym_settings_page_dispose;
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-settings-page.ui");
	gtk_widget_class_set_layout_manager_type(widget_class,
						 GTK_TYPE_BIN_LAYOUT);
#define BIND(name) \
	gtk_widget_class_bind_template_child(widget_class, YmSettingsPage, name)
	BIND(trust_label);
	BIND(audit_off);
	BIND(audit_ask);
	BIND(audit_on);
	BIND(isolate_off);
	BIND(isolate_ask);
	BIND(isolate_on);
	BIND(text_normal);
	BIND(text_large);
	BIND(text_largest);
	BIND(contrast_off);
	BIND(contrast_on);
	BIND(pin_label);
	BIND(pin_set_button);
	BIND(pin_change_button);
	BIND(pin_remove_button);
	BIND(about_label);
	BIND(fleet_off);
	BIND(fleet_on);
	BIND(fleet_label);
#undef BIND
	gtk_widget_class_install_action(widget_class, "settings.set-pin", NULL,
					pin_action_cb);
	gtk_widget_class_install_action(widget_class, "settings.change-pin",
					NULL, pin_action_cb);
	gtk_widget_class_install_action(widget_class, "settings.remove-pin",
					NULL, pin_action_cb);
}

static void ym_settings_page_init(YmSettingsPage *self)
{
	GtkToggleButton *all[11];
	int n = 0;

	gtk_widget_init_template(GTK_WIDGET(self));
	/* The page chooses a PIN: the trust line that is true here. */
	gtk_label_set_label(self->trust_label, ym_dialogs_trust_line_pin());
	all[n++] = self->audit_off;
	all[n++] = self->audit_ask;
	all[n++] = self->audit_on;
	all[n++] = self->isolate_off;
	all[n++] = self->isolate_ask;
	all[n++] = self->isolate_on;
	all[n++] = self->text_normal;
	all[n++] = self->text_large;
	all[n++] = self->text_largest;
	all[n++] = self->contrast_off;
	all[n++] = self->contrast_on;
	for (int i = 0; i < n; i++)
		g_signal_connect_swapped(all[i], "toggled",
					 G_CALLBACK(toggled_cb), self);
	g_signal_connect_swapped(self->fleet_off, "toggled",
				 G_CALLBACK(fleet_toggled_cb), self);
	g_signal_connect_swapped(self->fleet_on, "toggled",
				 G_CALLBACK(fleet_toggled_cb), self);
	gtk_toggle_button_set_active(self->fleet_off, TRUE);
	gtk_widget_set_sensitive(GTK_WIDGET(self->fleet_on), FALSE);
}
