#include "ym-window.h"

#include "ym-alerts-page.h"
#include "ym-devices-page.h"
#include "ym-home-page.h"
#include "ym-rules-page.h"
#include "ym-settings-page.h"
#include "ym-text.h"
#include "ym-widgets.h"

/* Text sizes in points for normal, large and largest: at 96 dpi a 7-inch
 * 800x480 screen shows normal text about 4 mm high. */
static const int text_points[] = { 13, 16, 19 };

const char *const ym_window_pages[] = { "home", "devices", "rules", "alerts",
					"settings", NULL };

struct _YmWindow {
	AdwApplicationWindow parent_instance;

	YmHousehold *household;
	YmPrefs *prefs;
	GtkCssProvider *high_contrast;

	AdwToastOverlay *toasts;
	GtkWidget *header_bar;
	GtkRevealer *offline_revealer;
	GtkStack *stack;
	YmHomePage *home_page;
	YmDevicesPage *devices_page;
	YmRulesPage *rules_page;
	YmAlertsPage *alerts_page;
	YmSettingsPage *settings_page;
};

G_DEFINE_TYPE(YmWindow, ym_window, ADW_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_PAGE, N_PROPS };
static GParamSpec *properties[N_PROPS];

void ym_window_add_toast(YmWindow *self, const char *text)
{
	AdwToast *toast = adw_toast_new(text);

	adw_toast_set_timeout(toast, 4);
	adw_toast_overlay_add_toast(self->toasts, toast);
}

/* "win.toast": how screens and actions show a toast without the window's
 * header (ym_widget_toast). */
static void toast_cb(GtkWidget *widget, const char *action_name,
		     GVariant *param)
{
	(void)action_name;
	ym_window_add_toast(YM_WINDOW(widget),
			    g_variant_get_string(param, NULL));
}

void ym_window_show(YmWindow *self, const char *name)
{
	g_auto(GStrv) parts = g_strsplit(name, "/", 2);

	if (!gtk_stack_get_child_by_name(self->stack, parts[0]))
		return;
	if (g_str_equal(parts[0], "devices"))
		ym_devices_page_show_device(self->devices_page, parts[1]);
	gtk_stack_set_visible_child_name(self->stack, parts[0]);
	ym_widget_hide_others(GTK_WIDGET(self->stack),
			      gtk_stack_get_visible_child(self->stack));
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PAGE]);
}

static void start_check_cb(GtkWidget *widget, const char *action,
			   GVariant *param)
{
	YmWindow *self = YM_WINDOW(widget);

	(void)action;
	(void)param;
	ym_rules_page_restart(self->rules_page);
	ym_window_show(self, "rules");
}

static void show_device_cb(GtkWidget *widget, const char *action,
			   GVariant *param)
{
	g_autofree char *name = g_strdup_printf(
		"devices/%s", g_variant_get_string(param, NULL));

	(void)action;
	ym_window_show(YM_WINDOW(widget), name);
}

static void reconnect_cb(GtkWidget *widget, const char *action,
			 GVariant *param)
{
	YmWindow *self = YM_WINDOW(widget);

	(void)action;
	(void)param;
	ym_client_reconnect_now(ym_household_get_client(self->household));
}

static void connected_cb(YmWindow *self)
{
	gtk_revealer_set_reveal_child(
		self->offline_revealer,
		!ym_client_get_connected(
			ym_household_get_client(self->household)));
}

/* Text size and contrast of the panel's own: a kiosk has no desktop
 * settings, and a desktop's stay as they are for other programs. */
static void apply_prefs(YmWindow *self)
{
	GdkDisplay *display = gtk_widget_get_display(GTK_WIDGET(self));
	g_autofree char *font = g_strdup_printf(
		"Sans %d", text_points[ym_prefs_get_text_size(self->prefs)]);

	g_object_set(gtk_settings_get_for_display(display), "gtk-font-name",
		     font, NULL);
	/* Dialogs over this window follow it (ym_dialog_follow_kiosk). */
	if (ym_prefs_get_text_size(self->prefs) == YM_TEXT_LARGEST)
		gtk_widget_add_css_class(GTK_WIDGET(self), "ym-text-largest");
	else
		gtk_widget_remove_css_class(GTK_WIDGET(self),
					    "ym-text-largest");
	if (ym_prefs_get_high_contrast(self->prefs) && !self->high_contrast) {
		self->high_contrast = gtk_css_provider_new();
		gtk_css_provider_load_from_resource(
			self->high_contrast,
			"/jp/yamori/panel/high-contrast.css");
		gtk_style_context_add_provider_for_display(
			display, GTK_STYLE_PROVIDER(self->high_contrast),
			GTK_STYLE_PROVIDER_PRIORITY_USER);
	} else if (!ym_prefs_get_high_contrast(self->prefs) &&
		   self->high_contrast) {
		gtk_style_context_remove_provider_for_display(
			display, GTK_STYLE_PROVIDER(self->high_contrast));
		g_clear_object(&self->high_contrast);
	}
}

YmWindow *ym_window_new(GtkApplication *app, YmHousehold *household,
			YmPrefs *prefs, gboolean kiosk)
{
	YmWindow *self = g_object_new(YM_TYPE_WINDOW, "application", app, NULL);

	self->household = g_object_ref(household);
	self->prefs = g_object_ref(prefs);
	ym_home_page_set_household(self->home_page, household);
	ym_home_page_set_prefs(self->home_page, prefs);
	ym_devices_page_set_context(self->devices_page, household, prefs);
	ym_rules_page_set_context(self->rules_page, household, prefs);
	ym_alerts_page_set_household(self->alerts_page, household);
	ym_settings_page_set_context(self->settings_page, household, prefs);
	g_signal_connect_object(ym_household_get_client(household),
				"notify::connected", G_CALLBACK(connected_cb),
				self, G_CONNECT_SWAPPED);
	g_signal_connect_object(prefs, "notify::text-size",
				G_CALLBACK(apply_prefs), self,
				G_CONNECT_SWAPPED);
	g_signal_connect_object(prefs, "notify::high-contrast",
				G_CALLBACK(apply_prefs), self,
				G_CONNECT_SWAPPED);
	apply_prefs(self);
	connected_cb(self);
	ym_widget_hide_others(GTK_WIDGET(self->stack),
			      gtk_stack_get_visible_child(self->stack));
	if (kiosk) {
		GListModel *monitors = gdk_display_get_monitors(
			gtk_widget_get_display(GTK_WIDGET(self)));
		g_autoptr(GdkMonitor) monitor = g_list_model_get_item(monitors, 0);

		/* Without a window manager, full screen is the monitor's
		 * size at the top left. */
		if (monitor) {
			GdkRectangle geo;

			gdk_monitor_get_geometry(monitor, &geo);
			gtk_window_set_default_size(GTK_WINDOW(self), geo.width,
						    geo.height);
		}
		gtk_widget_set_visible(self->header_bar, FALSE);
		gtk_widget_add_css_class(GTK_WIDGET(self), "ym-kiosk");
		gtk_window_set_decorated(GTK_WINDOW(self), FALSE);
		gtk_window_fullscreen(GTK_WINDOW(self));
	}
	return self;
}

static void ym_window_get_property(GObject *object, guint prop_id,
				   GValue *value, GParamSpec *pspec)
{
	YmWindow *self = YM_WINDOW(object);

	switch (prop_id) {
	case PROP_PAGE:
		/* Asked by the rail's buttons while the template is built. */
		g_value_set_string(value,
				   self->stack ? gtk_stack_get_visible_child_name(
							 self->stack)
					       : "home");
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void ym_window_set_property(GObject *object, guint prop_id,
				   const GValue *value, GParamSpec *pspec)
{
	YmWindow *self = YM_WINDOW(object);

	switch (prop_id) {
	case PROP_PAGE:
		ym_window_show(self, g_value_get_string(value));
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void ym_window_dispose(GObject *object)
{
	YmWindow *self = YM_WINDOW(object);

	if (self->high_contrast) {
		gtk_style_context_remove_provider_for_display(
			gtk_widget_get_display(GTK_WIDGET(self)),
			GTK_STYLE_PROVIDER(self->high_contrast));
		g_clear_object(&self->high_contrast);
	}
	gtk_widget_dispose_template(GTK_WIDGET(self), YM_TYPE_WINDOW);
	g_clear_object(&self->household);
	g_clear_object(&self->prefs);
	G_OBJECT_CLASS(ym_window_parent_class)->dispose(object);
}

static void ym_window_class_init(YmWindowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->get_property = ym_window_get_property;
	object_class->set_property = ym_window_set_property;
	object_class->dispose = ym_window_dispose;
	properties[PROP_PAGE] = g_param_spec_string(
		"page", NULL, NULL, "home",
		G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
			G_PARAM_EXPLICIT_NOTIFY);
	g_object_class_install_properties(object_class, N_PROPS, properties);

	g_type_ensure(YM_TYPE_HOME_PAGE);
	g_type_ensure(YM_TYPE_DEVICES_PAGE);
	g_type_ensure(YM_TYPE_RULES_PAGE);
	g_type_ensure(YM_TYPE_ALERTS_PAGE);
	g_type_ensure(YM_TYPE_SETTINGS_PAGE);
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-window.ui");
#define BIND(name) \
	gtk_widget_class_bind_template_child(widget_class, YmWindow, name)
	BIND(toasts);
	BIND(header_bar);
	BIND(offline_revealer);
	BIND(stack);
	BIND(home_page);
	BIND(devices_page);
	BIND(rules_page);
	BIND(alerts_page);
	BIND(settings_page);
#undef BIND
	/* The rail's toggle buttons follow "page" through this action. */
	gtk_widget_class_install_property_action(widget_class, "win.page",
						 "page");
	gtk_widget_class_install_action(widget_class, "win.start-check", NULL,
					start_check_cb);
	gtk_widget_class_install_action(widget_class, "win.show-device", "s",
					show_device_cb);
	gtk_widget_class_install_action(widget_class, "win.reconnect", NULL,
					reconnect_cb);
	gtk_widget_class_install_action(widget_class, "win.toast", "s",
					toast_cb);
}

static void ym_window_init(YmWindow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}
