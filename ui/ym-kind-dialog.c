#include "ym-kind-dialog.h"

#include "ym-dialogs.h"
#include "ym-text.h"

struct _YmKindDialog {
	AdwMessageDialog parent_instance;

	GtkFlowBox *likely; /* the kinds the daemon offers first */
	GtkFlowBox *kinds;  /* the short list's other kinds */
	GtkWidget *likely_label, *others_label;
	GtkEntry *maker;
	GPtrArray *buttons; /* every kind's button, its kind as "kind" data */
	char *kind;         /* the kind chosen, or NULL */
};

G_DEFINE_TYPE(YmKindDialog, ym_kind_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* The short list a household chooses from; the last one, "something
 * else", stands for any other home appliance. */
static const char *const kinds[] = {
	"camera", "smart_plug", "sensor",   "light",	  "speaker",
	"tv",	  "printer",	"phone",    "computer",	  "router",
	"game_console",	"appliance",
};

/* The label of a kind's button; in the short list, "appliance" stands
 * for anything else, but offered first it is a home appliance. */
static const char *kind_label(const char *kind, gboolean offered)
{
	if (!offered && g_str_equal(kind, "appliance"))
		/* TRANSLATORS: the last choice of "What is this?": a
		 * device of another kind. A short label. */
		return _("Something else");
	return ym_text_type_label(kind);
}

static void choose_cb(GtkWidget *widget, const char *action, GVariant *param)
{
	YmKindDialog *self = YM_KIND_DIALOG(widget);
	const char *kind = g_variant_get_string(param, NULL);

	(void)action;
	g_clear_pointer(&self->kind, g_free);
	for (guint i = 0; i < self->buttons->len; i++) {
		GtkWidget *b = self->buttons->pdata[i];

		if (g_str_equal(g_object_get_data(G_OBJECT(b), "kind"), kind)) {
			self->kind = g_strdup(kind);
			gtk_widget_add_css_class(b, "suggested-action");
		} else {
			gtk_widget_remove_css_class(b, "suggested-action");
		}
	}
	adw_message_dialog_set_response_enabled(ADW_MESSAGE_DIALOG(self),
						"tell", self->kind != NULL);
}

static GtkWidget *kind_button(const char *kind, gboolean offered)
{
	GtkWidget *b = gtk_button_new();
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	GtkWidget *icon = g_object_new(GTK_TYPE_IMAGE, "icon-name",
				       ym_text_type_icon(kind), "pixel-size",
				       20, "accessible-role",
				       GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
	GtkWidget *label = gtk_label_new(kind_label(kind, offered));

	gtk_label_set_wrap(GTK_LABEL(label), TRUE);
	gtk_label_set_justify(GTK_LABEL(label), GTK_JUSTIFY_CENTER);
	gtk_box_append(GTK_BOX(box), icon);
	gtk_box_append(GTK_BOX(box), label);
	gtk_button_set_child(GTK_BUTTON(b), box);
	gtk_accessible_update_property(GTK_ACCESSIBLE(b),
				       GTK_ACCESSIBLE_PROPERTY_LABEL,
				       kind_label(kind, offered), -1);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(b), "kind.choose");
	gtk_actionable_set_action_target(GTK_ACTIONABLE(b), "s", kind);
	g_object_set_data_full(G_OBJECT(b), "kind", g_strdup(kind), g_free);
	return b;
}

static void add_kind(YmKindDialog *self, GtkFlowBox *box, const char *kind)
{
	GtkWidget *b = kind_button(kind, box == self->likely);

	g_ptr_array_add(self->buttons, b);
	gtk_flow_box_append(box, b);
}

/* The kinds the daemon offers first (the device's "maybe": its traffic's
 * leanings, then what its maker makes), each a vocabulary word once. */
static GPtrArray *offered_kinds(JsonObject *device)
{
	GPtrArray *out = g_ptr_array_new();
	JsonArray *maybe = json_object_has_member(device, "maybe") ?
				   json_object_get_array_member(device, "maybe") :
				   NULL;

	for (guint i = 0; maybe && i < json_array_get_length(maybe); i++) {
		JsonNode *n = json_array_get_element(maybe, i);
		const char *kind = JSON_NODE_HOLDS_VALUE(n) ?
					   json_node_get_string(n) :
					   NULL;

		if (kind && ym_text_type_known(kind) &&
		    !g_str_equal(kind, "unknown") &&
		    !g_ptr_array_find_with_equal_func(out, kind, g_str_equal,
						      NULL))
			g_ptr_array_add(out, (gpointer)kind);
	}
	return out;
}

GtkWidget *ym_kind_dialog_new(GtkWidget *parent, JsonObject *device)
{
	GtkRoot *root = gtk_widget_get_root(parent);
	YmKindDialog *self = g_object_new(YM_TYPE_KIND_DIALOG, "transient-for",
					  GTK_IS_WINDOW(root) ? GTK_WINDOW(root)
							      : NULL,
					  NULL);
	g_autofree char *name = ym_text_device_name(device);
	g_autoptr(GPtrArray) offered = NULL;

	adw_message_dialog_format_body(
		ADW_MESSAGE_DIALOG(self), "%s: %s\n%s", name,
		_("Please choose what kind of device it is."),
		ym_dialogs_trust_line());
	ym_dialog_follow_kiosk(GTK_WINDOW(self));
	offered = offered_kinds(device);
	for (guint i = 0; i < offered->len; i++)
		add_kind(self, self->likely, offered->pdata[i]);
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (!g_ptr_array_find_with_equal_func(offered, kinds[i],
						      g_str_equal, NULL))
			add_kind(self, self->kinds, kinds[i]);
	gtk_widget_set_visible(self->likely_label, offered->len > 0);
	gtk_widget_set_visible(GTK_WIDGET(self->likely), offered->len > 0);
	gtk_widget_set_visible(self->others_label, offered->len > 0);
	adw_message_dialog_set_response_enabled(ADW_MESSAGE_DIALOG(self),
						"tell", FALSE);
	return GTK_WIDGET(self);
}

const char *ym_kind_dialog_get_kind(YmKindDialog *self)
{
	return self->kind;
}

char *ym_kind_dialog_get_maker(YmKindDialog *self)
{
	return g_strstrip(
		g_strdup(gtk_editable_get_text(GTK_EDITABLE(self->maker))));
}

static void ym_kind_dialog_dispose(GObject *object)
{
	YmKindDialog *self = YM_KIND_DIALOG(object);

	g_clear_pointer(&self->buttons, g_ptr_array_unref);
	g_clear_pointer(&self->kind, g_free);
	gtk_widget_dispose_template(GTK_WIDGET(object), YM_TYPE_KIND_DIALOG);
	G_OBJECT_CLASS(ym_kind_dialog_parent_class)->dispose(object);
}

static void ym_kind_dialog_class_init(YmKindDialogClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = ym_kind_dialog_dispose;
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-kind-dialog.ui");
	gtk_widget_class_bind_template_child(widget_class, YmKindDialog,
					     kinds);
	gtk_widget_class_bind_template_child(widget_class, YmKindDialog,
					     likely);
	gtk_widget_class_bind_template_child(widget_class, YmKindDialog,
					     likely_label);
	gtk_widget_class_bind_template_child(widget_class, YmKindDialog,
					     others_label);
	gtk_widget_class_bind_template_child(widget_class, YmKindDialog,
					     maker);
	gtk_widget_class_install_action(widget_class, "kind.choose", "s",
					choose_cb);
}

static void ym_kind_dialog_init(YmKindDialog *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->buttons = g_ptr_array_new();
}
