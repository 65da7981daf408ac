#include "ym-devices-page.h"

#include "ym-device-detail.h"
#include "ym-device-row.h"
#include "ym-text.h"
#include "ym-widgets.h"

struct _YmDevicesPage {
	GtkWidget parent_instance;

	YmHousehold *household;
	AdwLeaflet *leaflet;
	GtkListBox *list;
	GtkWidget *empty_label;
	YmDeviceDetail *detail;
};

G_DEFINE_TYPE(YmDevicesPage, ym_devices_page, GTK_TYPE_WIDGET)

static void changed_cb(YmDevicesPage *self, YmHousehold *household)
{
	GPtrArray *devices = ym_household_get_devices(household);
	GtkWidget *child;

	while ((child = gtk_widget_get_first_child(GTK_WIDGET(self->list))))
		gtk_list_box_remove(self->list, child);
	for (guint i = 0; i < devices->len; i++)
		gtk_list_box_append(self->list,
				    ym_device_row_new(household,
						      devices->pdata[i]));
	gtk_widget_set_visible(GTK_WIDGET(self->list), devices->len > 0);
	gtk_widget_set_visible(self->empty_label, devices->len == 0);
	/* A device that left (given away, or the daemon stopped) takes its
	 * screen with it. */
	if (!ym_device_detail_refresh(self->detail))
		ym_devices_page_show_device(self, NULL);
}

static void row_activated_cb(YmDevicesPage *self, GtkListBoxRow *row)
{
	ym_devices_page_show_device(self,
				    ym_device_row_get_mac(YM_DEVICE_ROW(row)));
}

void ym_devices_page_show_device(YmDevicesPage *self, const char *mac)
{
	if (mac && ym_household_find_device(self->household, mac)) {
		ym_device_detail_set_mac(self->detail, mac);
		adw_leaflet_set_visible_child_name(self->leaflet, "detail");
	} else {
		adw_leaflet_set_visible_child_name(self->leaflet, "list");
	}
	ym_widget_hide_others(GTK_WIDGET(self->leaflet),
			      adw_leaflet_get_visible_child(self->leaflet));
}

static void back_cb(GtkWidget *widget, const char *action, GVariant *param)
{
	(void)action;
	(void)param;
	ym_devices_page_show_device(YM_DEVICES_PAGE(widget), NULL);
}

void ym_devices_page_set_context(YmDevicesPage *self, YmHousehold *household,
				 YmPrefs *prefs)
{
	g_set_object(&self->household, household);
	ym_device_detail_set_context(self->detail, household, prefs);
	g_signal_connect_object(household, "changed", G_CALLBACK(changed_cb),
				self, G_CONNECT_SWAPPED);
	changed_cb(self, household);
}

static void ym_devices_page_dispose(GObject *object)
{
	YmDevicesPage *self = YM_DEVICES_PAGE(object);

	gtk_widget_dispose_template(GTK_WIDGET(self), YM_TYPE_DEVICES_PAGE);
	/* The template's unnamed top child is ours to unparent too. */
	ym_widget_unparent_children(GTK_WIDGET(self));
	g_clear_object(&self->household);
	G_OBJECT_CLASS(ym_devices_page_parent_class)->dispose(object);
}

static void ym_devices_page_class_init(YmDevicesPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = ym_devices_page_dispose;
	g_type_ensure(YM_TYPE_DEVICE_DETAIL);
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-devices-page.ui");
	gtk_widget_class_set_layout_manager_type(widget_class,
						 GTK_TYPE_BIN_LAYOUT);
	gtk_widget_class_bind_template_child(widget_class, YmDevicesPage,
					     leaflet);
	gtk_widget_class_bind_template_child(widget_class, YmDevicesPage, list);
	gtk_widget_class_bind_template_child(widget_class, YmDevicesPage,
					     empty_label);
	gtk_widget_class_bind_template_child(widget_class, YmDevicesPage,
					     detail);
	gtk_widget_class_install_action(widget_class, "devices.back", NULL,
					back_cb);
}

static void ym_devices_page_init(YmDevicesPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect_swapped(self->list, "row-activated",
				 G_CALLBACK(row_activated_cb), self);
}
