#include "ym-home-page.h"

#include "ym-text.h"
#include "ym-widgets.h"

struct _YmHomePage {
	GtkWidget parent_instance;

	YmHousehold *household;
	YmPrefs *prefs;
	GtkImage *state_icon;
	GtkLabel *state_label;
	GtkLabel *summary_label;
	GtkLabel *detail_label;
	GtkWidget *alerts_button;
	GtkWidget *check_button;
	GtkWidget *device_button;
};

G_DEFINE_TYPE(YmHomePage, ym_home_page, GTK_TYPE_WIDGET)

static const char *const level_classes[] = { "ym-safe", "ym-caution",
					     "ym-danger", "ym-unknown" };

static void set_level_class(YmHomePage *self, const char *klass)
{
	for (gsize i = 0; i < G_N_ELEMENTS(level_classes); i++) {
		gtk_widget_remove_css_class(GTK_WIDGET(self->state_label),
					    level_classes[i]);
		gtk_widget_remove_css_class(GTK_WIDGET(self->state_icon),
					    level_classes[i]);
	}
	gtk_widget_add_css_class(GTK_WIDGET(self->state_label), klass);
	gtk_widget_add_css_class(GTK_WIDGET(self->state_icon), klass);
}

/* Things the four rules would ask the household to fix. */
static guint count_problems(YmHousehold *household)
{
	static const char *const flags[] = { "default_password", "unsupported",
					     "no_support_contact",
					     "outdated_firmware", "idle",
					     "suspicious" };
	GPtrArray *devices = ym_household_get_devices(household);
	guint n = 0;

	for (guint i = 0; i < devices->len; i++)
		for (gsize f = 0; f < G_N_ELEMENTS(flags); f++)
			n += ym_text_has_flag(devices->pdata[i], flags[f]);
	return n;
}

/* The worst device state (ym_text_device_state: flags and the device's
 * open alerts), and the first device in it. A device stays suspicious or
 * keeps its factory password after its alert is read: Home says so. */
static YmLevel worst_device(YmHousehold *household, JsonObject **worst)
{
	GPtrArray *devices = ym_household_get_devices(household);
	YmLevel level = YM_LEVEL_SAFE;

	*worst = NULL;
	for (guint i = 0; i < devices->len; i++) {
		YmLevel l;

		ym_text_device_state(household, devices->pdata[i], &l);
		if (l > level) {
			level = l;
			*worst = devices->pdata[i];
		}
	}
	return level;
}

/* The check's promise: once a month. */
#define YM_CHECK_EVERY_SECONDS (30 * 24 * 3600)

static gboolean check_is_due(YmHomePage *self)
{
	gint64 last = self->prefs ? ym_prefs_get_last_check(self->prefs) : 0;

	return last > 0 &&
	       g_get_real_time() / G_USEC_PER_SEC - last > YM_CHECK_EVERY_SECONDS;
}

static void changed_cb(YmHomePage *self, YmHousehold *household)
{
	JsonObject *worst = NULL;
	YmLevel device_level;
	g_autofree char *about = NULL;
	GPtrArray *alerts = ym_household_get_alerts(household);
	g_autoptr(GString) detail = g_string_new(NULL);
	YmLevel level;
	guint problems;

	if (!ym_household_get_loaded(household)) {
		set_level_class(self, "ym-unknown");
		gtk_image_set_from_icon_name(self->state_icon,
					     "dialog-question-symbolic");
		gtk_label_set_label(self->state_label, _("Unknown"));
		gtk_label_set_label(self->summary_label,
				    _("Yamori is not running."));
		gtk_label_set_label(self->detail_label,
				    _("The panel will connect again by itself."));
		gtk_widget_set_visible(self->alerts_button, FALSE);
		gtk_widget_set_visible(self->check_button, FALSE);
		gtk_widget_set_visible(self->device_button, FALSE);
		return;
	}
	/* The worst of the open alerts and of the devices' states. */
	level = ym_household_get_level(household);
	device_level = worst_device(household, &worst);
	level = MAX(level, device_level);
	problems = count_problems(household);
	set_level_class(self, ym_text_level_class(level));
	gtk_label_set_label(self->state_label, ym_text_level_label(level));
	switch (level) {
	case YM_LEVEL_DANGER:
		gtk_image_set_from_icon_name(self->state_icon,
					     "dialog-error-symbolic");
		gtk_label_set_label(
			self->summary_label,
			_("Something dangerous is happening. Please look at the "
			  "alerts now."));
		break;
	case YM_LEVEL_CAUTION:
		gtk_image_set_from_icon_name(self->state_icon,
					     "dialog-warning-symbolic");
		gtk_label_set_label(
			self->summary_label,
			_("There is something to look at. Please read the "
			  "alerts."));
		break;
	case YM_LEVEL_SAFE:
	default:
		gtk_image_set_from_icon_name(self->state_icon,
					     "emblem-ok-symbolic");
		gtk_label_set_label(
			self->summary_label,
			problems     ? _("Nothing is urgent. The check shows "
					 "what to fix.")
			: alerts->len ? _("Nothing is urgent. Please read the "
					  "new notices.")
				      : _("No alerts. Nothing needs doing "
					  "now."));
		break;
	}
	if (alerts->len)
		g_string_append_printf(
			detail,
			ngettext("There is %u alert.", "There are %u alerts.",
				 alerts->len),
			alerts->len);
	if (problems) {
		if (detail->len)
			g_string_append_c(detail, '\n');
		g_string_append_printf(
			detail,
			ngettext("There is %u thing to fix on your devices.",
				 "There are %u things to fix on your devices.",
				 problems),
			problems);
	}
	if (worst && device_level == level &&
	    ym_household_get_level(household) < level)
		/* Every alert was read, and a device is still not well. */
		gtk_label_set_label(
			self->summary_label,
			level == YM_LEVEL_DANGER
				? _("A device is in danger. Please look at it "
				    "now.")
				: _("A device needs a look. Please see it."));
	if (worst && device_level == level) {
		g_autofree char *name = ym_text_device_name(worst);
		YmLevel l;
		const char *state = ym_text_device_state(household, worst, &l);

		/* TRANSLATORS: Home names the device in the worst state: its
		 * name, then its state ("Danger", "Stopped", ...). */
		about = g_strdup_printf(_("\"%s\": %s"), name, state);
		if (detail->len)
			g_string_prepend_c(detail, '\n');
		g_string_prepend(detail, about);
		gtk_actionable_set_action_target(
			GTK_ACTIONABLE(self->device_button), "s",
			json_object_get_string_member_with_default(worst, "mac",
								   ""));
	}
	if (check_is_due(self)) {
		if (detail->len)
			g_string_append_c(detail, '\n');
		g_string_append(detail,
				_("It is over 30 days since the last check. "
				  "Please check again."));
	}
	gtk_label_set_label(self->detail_label, detail->str);
	/* Two buttons at most: the device in danger before the alerts. */
	gtk_widget_set_visible(self->device_button, worst && device_level == level);
	gtk_widget_set_visible(self->alerts_button,
			       alerts->len > 0 && !(worst && device_level == level));
	gtk_widget_set_visible(self->check_button, TRUE);
}

void ym_home_page_set_household(YmHomePage *self, YmHousehold *household)
{
	g_set_object(&self->household, household);
	g_signal_connect_object(household, "changed", G_CALLBACK(changed_cb),
				self, G_CONNECT_SWAPPED);
	changed_cb(self, household);
}

static void last_check_cb(YmHomePage *self)
{
	if (self->household)
		changed_cb(self, self->household);
}

void ym_home_page_set_prefs(YmHomePage *self, YmPrefs *prefs)
{
	g_set_object(&self->prefs, prefs);
	g_signal_connect_object(prefs, "notify::last-check",
				G_CALLBACK(last_check_cb), self,
				G_CONNECT_SWAPPED);
	last_check_cb(self);
}

static void ym_home_page_dispose(GObject *object)
{
	YmHomePage *self = YM_HOME_PAGE(object);

	gtk_widget_dispose_template(GTK_WIDGET(self), YM_TYPE_HOME_PAGE);
	/* The template's unnamed top child is ours to unparent too. */
	ym_widget_unparent_children(GTK_WIDGET(self));
	g_clear_object(&self->household);
	g_clear_object(&self->prefs);
	G_OBJECT_CLASS(ym_home_page_parent_class)->dispose(object);
}

static void ym_home_page_class_init(YmHomePageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = ym_home_page_dispose;
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-home-page.ui");
	gtk_widget_class_set_layout_manager_type(widget_class,
						 GTK_TYPE_BIN_LAYOUT);
	gtk_widget_class_bind_template_child(widget_class, YmHomePage,
					     state_icon);
	gtk_widget_class_bind_template_child(widget_class, YmHomePage,
					     state_label);
	gtk_widget_class_bind_template_child(widget_class, YmHomePage,
					     summary_label);
	gtk_widget_class_bind_template_child(widget_class, YmHomePage,
					     detail_label);
	gtk_widget_class_bind_template_child(widget_class, YmHomePage,
					     alerts_button);
	gtk_widget_class_bind_template_child(widget_class, YmHomePage,
					     check_button);
	gtk_widget_class_bind_template_child(widget_class, YmHomePage,
					     device_button);
}

static void ym_home_page_init(YmHomePage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}
