#include "ym-alert-row.h"

#include "ym-text.h"

struct _YmAlertRow {
	GtkListBoxRow parent_instance;

	GtkImage *icon;
	GtkLabel *severity_label;
	GtkLabel *time_label;
	GtkLabel *message_label;
	GtkWidget *device_button;
	GtkWidget *ack_button;
};

G_DEFINE_TYPE(YmAlertRow, ym_alert_row, GTK_TYPE_LIST_BOX_ROW)

/* "2026-11-01T09:06:00Z" in the household's local time, short. */
static char *when(const char *rfc3339)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601(rfc3339, NULL);
	g_autoptr(GDateTime) local = NULL;

	if (!utc)
		return g_strdup("");
	local = g_date_time_to_local(utc);
	/* Month/day and time in numbers read the same in Japan and
	 * elsewhere: "11/1 09:06". */
	return g_date_time_format(local, "%-m/%-d %H:%M");
}

GtkWidget *ym_alert_row_new(JsonObject *alert, gboolean has_device)
{
	YmAlertRow *self = g_object_new(YM_TYPE_ALERT_ROW, NULL);
	const char *severity = json_object_get_string_member_with_default(
		alert, "severity", "info");
	const char *mac =
		json_object_get_string_member_with_default(alert, "mac", "");
	g_autofree char *time = when(json_object_get_string_member_with_default(
		alert, "last_seen", ""));
	const char *label, *icon, *klass;

	if (g_str_equal(severity, "critical")) {
		label = _("Danger");
		icon = "dialog-error-symbolic";
		klass = "ym-danger";
	} else if (g_str_equal(severity, "warning")) {
		label = _("Caution");
		icon = "dialog-warning-symbolic";
		klass = "ym-caution";
	} else {
		label = _("Notice");
		icon = "dialog-information-symbolic";
		klass = "ym-notice";
	}
	gtk_image_set_from_icon_name(self->icon, icon);
	gtk_widget_add_css_class(GTK_WIDGET(self->icon), klass);
	gtk_label_set_label(self->severity_label, label);
	gtk_widget_add_css_class(GTK_WIDGET(self->severity_label), klass);
	gtk_label_set_label(self->time_label, time);
	gtk_label_set_label(self->message_label,
			    json_object_get_string_member_with_default(
				    alert, "message", ""));
	gtk_actionable_set_action_target(GTK_ACTIONABLE(self->device_button),
					 "s", mac);
	gtk_widget_set_visible(self->device_button, has_device && mac[0]);
	gtk_actionable_set_action_target(
		GTK_ACTIONABLE(self->ack_button), "x",
		(gint64)json_object_get_int_member_with_default(alert, "id", 0));
	if (g_str_equal(severity, "critical")) {
		/* A danger is fixed on the device's page, or put off with a
		 * reason: never just "read". */
		gtk_button_set_label(GTK_BUTTON(self->device_button),
				     /* TRANSLATORS: a button on a danger
				      * alert: go and fix it (opens the
				      * device). */
				     _("Fix it"));
		gtk_button_set_label(GTK_BUTTON(self->ack_button),
				     /* TRANSLATORS: a button on a danger
				      * alert: deal with it later; asks why. */
				     _("Put off"));
		gtk_actionable_set_action_name(GTK_ACTIONABLE(self->ack_button),
					       "alerts.put-off");
		gtk_widget_remove_css_class(self->ack_button,
					    "suggested-action");
		gtk_widget_add_css_class(self->device_button,
					 "suggested-action");
	}
	return GTK_WIDGET(self);
}

static void ym_alert_row_class_init(YmAlertRowClass *klass)
{
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-alert-row.ui");
	gtk_widget_class_bind_template_child(widget_class, YmAlertRow, icon);
	gtk_widget_class_bind_template_child(widget_class, YmAlertRow,
					     severity_label);
	gtk_widget_class_bind_template_child(widget_class, YmAlertRow,
					     time_label);
	gtk_widget_class_bind_template_child(widget_class, YmAlertRow,
					     message_label);
	gtk_widget_class_bind_template_child(widget_class, YmAlertRow,
					     device_button);
	gtk_widget_class_bind_template_child(widget_class, YmAlertRow,
					     ack_button);
}

static void ym_alert_row_init(YmAlertRow *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
}
