#include "ym-settings-page.h"

#include "ym-actions.h"
#include "ym-dialogs.h"
#include "ym-pin-dialog.h"
#include "ym-text.h"
#include "ym-window.h"

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
	g_string_append_printf(s, "\n%s",
			       _("Its data is not updated by itself yet."));
	gtk_label_set_label(self->about_label, s->str);
}

typedef struct {
	YmSettingsPage *self;
	gboolean audit; /* else the isolation policy */
} Weaken;

static void weaken_pin_cb(gboolean ok, gpointer data)
{
	Weaken *w = data;

	if (ok) {
		if (w->audit)
			ym_prefs_set_audit(w->self->prefs, YM_POLICY_OFF);
		else
			ym_prefs_set_isolate(w->self->prefs, YM_POLICY_OFF);
		ym_action_toast(GTK_WIDGET(w->self), _("The setting is changed."));
	}
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
		ym_prefs_set_audit(self->prefs, YM_POLICY_ASK);
	else if (button == self->audit_on)
		ym_prefs_set_audit(self->prefs, YM_POLICY_ON);
	else if (button == self->isolate_ask)
		ym_prefs_set_isolate(self->prefs, YM_POLICY_ASK);
	else if (button == self->isolate_on)
		ym_prefs_set_isolate(self->prefs, YM_POLICY_ON);
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
		ym_action_toast(GTK_WIDGET(self), _("The PIN is removed."));
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
}
