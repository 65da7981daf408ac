#include "ym-device-row.h"

#include "ym-text.h"

struct _YmDeviceRow {
	GtkListBoxRow parent_instance;

	char *mac;
	GtkImage *icon;
	GtkLabel *name_label;
	GtkLabel *kind_label;
	GtkLabel *state_label;
};

G_DEFINE_TYPE(YmDeviceRow, ym_device_row, GTK_TYPE_LIST_BOX_ROW)

GtkWidget *ym_device_row_new(YmHousehold *household, JsonObject *device)
{
	YmDeviceRow *self = g_object_new(YM_TYPE_DEVICE_ROW, NULL);
	const char *type = json_object_get_string_member_with_default(
		device, "type", "unknown");
	const char *vendor = json_object_get_string_member_with_default(
		device, "vendor", "");
	g_autofree char *name = ym_text_device_name(device);
	g_autofree char *kind = NULL;
	g_autofree char *a11y = NULL;
	const char *state;
	YmLevel level;

	self->mac = g_strdup(
		json_object_get_string_member_with_default(device, "mac", ""));
	state = ym_text_device_state(household, device, &level);
	gtk_image_set_from_icon_name(self->icon, ym_text_type_icon(type));
	gtk_label_set_label(self->name_label, name);
	kind = vendor[0] ? g_strdup_printf("%s · %s", ym_text_type_label(type),
					   ym_text_maker(vendor))
			 : g_strdup(ym_text_type_label(type));
	gtk_label_set_label(self->kind_label, kind);
	gtk_label_set_label(self->state_label, state);
	gtk_widget_add_css_class(GTK_WIDGET(self->state_label),
				 ym_text_level_class(level));
	a11y = g_strdup_printf("%s, %s, %s", name, kind, state);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self),
				       GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
	return GTK_WIDGET(self);
}

const char *ym_device_row_get_mac(YmDeviceRow *self)
{
	return self->mac;
}

static void ym_device_row_finalize(GObject *object)
{
	YmDeviceRow *self = YM_DEVICE_ROW(object);

	g_free(self->mac);
	G_OBJECT_CLASS(ym_device_row_parent_class)->finalize(object);
}

static void ym_device_row_class_init(YmDeviceRowClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->finalize = ym_device_row_finalize;
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-device-row.ui");
	gtk_widget_class_bind_template_child(widget_class, YmDeviceRow, icon);
	gtk_widget_class_bind_template_child(widget_class, YmDeviceRow,
					     name_label);
	gtk_widget_class_bind_template_child(widget_class, YmDeviceRow,
					     kind_label);
	gtk_widget_class_bind_template_child(widget_class, YmDeviceRow,
					     state_label);
}

static void ym_device_row_init(YmDeviceRow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}
