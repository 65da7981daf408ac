#include "ym-alerts-page.h"

#include "ym-actions.h"
#include "ym-alert-row.h"
#include "ym-dialogs.h"
#include "ym-text.h"
#include "ym-widgets.h"

struct _YmAlertsPage {
	GtkWidget parent_instance;

	YmHousehold *household;
	GtkLabel *trust_label;
	GtkListBox *list;
	GtkWidget *empty_label;
};

G_DEFINE_TYPE(YmAlertsPage, ym_alerts_page, GTK_TYPE_WIDGET)

static void changed_cb(YmAlertsPage *self, YmHousehold *household)
{
	GPtrArray *alerts = ym_household_get_alerts(household);
	GtkWidget *child;

	while ((child = gtk_widget_get_first_child(GTK_WIDGET(self->list))))
		gtk_list_box_remove(self->list, child);
	for (guint i = 0; i < alerts->len; i++) {
		JsonObject *a = alerts->pdata[i];
		const char *mac =
			json_object_get_string_member_with_default(a, "mac", "");

		gtk_list_box_append(
			self->list,
			ym_alert_row_new(a, ym_household_find_device(household,
								     mac) != NULL));
	}
	gtk_widget_set_visible(GTK_WIDGET(self->list), alerts->len > 0);
	gtk_widget_set_visible(self->empty_label,
			       alerts->len == 0 &&
				       ym_household_get_loaded(household));
}

static void acknowledged_cb(GObject *source, GAsyncResult *result,
			    gpointer data)
{
	YmAlertsPage *self = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);

	if (!node)
		ym_dialog_error(GTK_WIDGET(self),
				_("The alert could not be marked as read."),
				error);
	ym_household_refresh(self->household);
	g_object_unref(self);
}

static void acknowledge_cb(GtkWidget *widget, const char *action,
			   GVariant *param)
{
	YmAlertsPage *self = YM_ALERTS_PAGE(widget);
	JsonObject *args = json_object_new();

	(void)action;
	json_object_set_int_member(args, "id", g_variant_get_int64(param));
	ym_client_call_async(ym_household_get_client(self->household),
			     "acknowledge", args, NULL, acknowledged_cb,
			     g_object_ref(self));
}

void ym_alerts_page_set_household(YmAlertsPage *self, YmHousehold *household)
{
	g_set_object(&self->household, household);
	g_signal_connect_object(household, "changed", G_CALLBACK(changed_cb),
				self, G_CONNECT_SWAPPED);
	changed_cb(self, household);
}

static void ym_alerts_page_dispose(GObject *object)
{
	YmAlertsPage *self = YM_ALERTS_PAGE(object);

	gtk_widget_dispose_template(GTK_WIDGET(self), YM_TYPE_ALERTS_PAGE);
	/* The template's unnamed top child is ours to unparent too. */
	ym_widget_unparent_children(GTK_WIDGET(self));
	g_clear_object(&self->household);
	G_OBJECT_CLASS(ym_alerts_page_parent_class)->dispose(object);
}

static void ym_alerts_page_class_init(YmAlertsPageClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = ym_alerts_page_dispose;
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-alerts-page.ui");
	gtk_widget_class_set_layout_manager_type(widget_class,
						 GTK_TYPE_BIN_LAYOUT);
	gtk_widget_class_bind_template_child(widget_class, YmAlertsPage,
					     trust_label);
	gtk_widget_class_bind_template_child(widget_class, YmAlertsPage, list);
	gtk_widget_class_bind_template_child(widget_class, YmAlertsPage,
					     empty_label);
	gtk_widget_class_install_action(widget_class, "alerts.acknowledge", "x",
					acknowledge_cb);
}

static void ym_alerts_page_init(YmAlertsPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	/* One string for the trust line everywhere (dialogs too). */
	gtk_label_set_label(self->trust_label, ym_dialogs_trust_line());
}
