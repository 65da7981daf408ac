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

static int severity_rank(JsonObject *a)
{
	const char *s =
		json_object_get_string_member_with_default(a, "severity", "");

	return g_str_equal(s, "critical") ? 0 : g_str_equal(s, "warning") ? 1
									     : 2;
}

/* Danger first, then caution, then notices; newest first within each
 * (the daemon's order, kept: the sort is stable). */
static int compare_alerts(gconstpointer a, gconstpointer b)
{
	return severity_rank(*(JsonObject **)a) -
	       severity_rank(*(JsonObject **)b);
}

static void changed_cb(YmAlertsPage *self, YmHousehold *household)
{
	/* The household's array is shared: sort a copy (borrowed). */
	g_autoptr(GPtrArray) alerts =
		g_ptr_array_copy(ym_household_get_alerts(household), NULL, NULL);
	GtkWidget *child;

	/* The copy takes the original's free function: borrowed, not owned. */
	g_ptr_array_set_free_func(alerts, NULL);
	g_ptr_array_sort(alerts, compare_alerts);

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
				_("The alert could not be changed."),
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

/* Putting a danger off: the household says why, from two answers. */
typedef struct {
	YmAlertsPage *self;
	gint64 id;
	GtkCheckButton *later;
} PutOff;

static void put_off_free(gpointer data, GClosure *closure)
{
	PutOff *p = data;

	(void)closure;
	g_object_unref(p->self);
	g_free(p);
}

static void put_off_response_cb(AdwMessageDialog *dialog,
				const char *response, gpointer data)
{
	PutOff *p = data;
	JsonObject *args;

	(void)dialog;
	if (g_strcmp0(response, "put-off") != 0)
		return;
	args = json_object_new();
	json_object_set_int_member(args, "id", p->id);
	json_object_set_string_member(
		args, "reason",
		gtk_check_button_get_active(p->later) ? "later" : "expected");
	ym_client_call_async(ym_household_get_client(p->self->household),
			     "acknowledge", args, NULL, acknowledged_cb,
			     g_object_ref(p->self));
}

static GtkWidget *reason_button(const char *label, GtkCheckButton *group)
{
	GtkWidget *b = gtk_check_button_new_with_label(label);

	if (group)
		gtk_check_button_set_group(GTK_CHECK_BUTTON(b), group);
	/* Room for a finger, like every touch target. */
	gtk_widget_set_size_request(b, -1, 48);
	return b;
}

static void put_off_cb(GtkWidget *widget, const char *action, GVariant *param)
{
	YmAlertsPage *self = YM_ALERTS_PAGE(widget);
	AdwMessageDialog *dialog = ym_dialog_new(
		widget, _("Why put it off?"),
		_("If you fix it later, Home keeps showing the danger. If "
		  "you know why, Yamori takes the danger mark off."));
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
	PutOff *p = g_new0(PutOff, 1);
	GtkWidget *later, *expected;

	(void)action;
	later = reason_button(_("I will fix it later."), NULL);
	expected = reason_button(_("I know why. I did it myself."),
				 GTK_CHECK_BUTTON(later));
	gtk_check_button_set_active(GTK_CHECK_BUTTON(later), TRUE);
	gtk_box_append(GTK_BOX(box), later);
	gtk_box_append(GTK_BOX(box), expected);
	adw_message_dialog_set_extra_child(dialog, box);
	p->self = g_object_ref(self);
	p->id = g_variant_get_int64(param);
	p->later = GTK_CHECK_BUTTON(later);
	adw_message_dialog_add_responses(
		dialog, "cancel",
		/* TRANSLATORS: leaves a question without doing anything. */
		_("Do nothing"), "put-off",
		/* TRANSLATORS: a button on a danger alert: deal with it
		 * later; asks why. */
		_("Put off"), NULL);
	adw_message_dialog_set_default_response(dialog, "cancel");
	adw_message_dialog_set_close_response(dialog, "cancel");
	g_signal_connect_data(dialog, "response",
			      G_CALLBACK(put_off_response_cb), p, put_off_free,
			      0);
	gtk_window_present(GTK_WINDOW(dialog));
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
	gtk_widget_class_install_action(widget_class, "alerts.put-off", "x",
					put_off_cb);
}

static void ym_alerts_page_init(YmAlertsPage *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	/* One string for the trust line everywhere (dialogs too). */
	gtk_label_set_label(self->trust_label, ym_dialogs_trust_line());
}
