#include "ym-kind-dialog.h"

#include "ym-dialogs.h"
#include "ym-text.h"

struct _YmKindDialog {
	AdwMessageDialog parent_instance;

	GtkFlowBox *kinds;
	GtkEntry *maker;
	GPtrArray *buttons; /* one per kind, in the order of kinds[] */
	const char *kind;   /* the kind chosen, or NULL */
};

G_DEFINE_TYPE(YmKindDialog, ym_kind_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* The short list a household chooses from; the last one, "something
 * else", stands for any other home appliance. */
static const char *const kinds[] = {
	"camera", "smart_plug", "sensor",   "light",	  "speaker",
	"tv",	  "printer",	"phone",    "computer",	  "router",
	"game_console",	"appliance",
};

static const char *kind_label(const char *kind)
{
	if (g_str_equal(kind, "appliance"))
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
	self->kind = NULL;
	for (guint i = 0; i < self->buttons->len; i++) {
		GtkWidget *b = self->buttons->pdata[i];

		if (g_str_equal(kinds[i], kind)) {
			self->kind = kinds[i];
			gtk_widget_add_css_class(b, "suggested-action");
		} else {
			gtk_widget_remove_css_class(b, "suggested-action");
		}
	}
	adw_message_dialog_set_response_enabled(ADW_MESSAGE_DIALOG(self),
						"tell", self->kind != NULL);
}

static GtkWidget *kind_button(const char *kind)
{
	GtkWidget *b = gtk_button_new();
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
	GtkWidget *icon = g_object_new(GTK_TYPE_IMAGE, "icon-name",
				       ym_text_type_icon(kind), "pixel-size",
				       20, "accessible-role",
				       GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
	GtkWidget *label = gtk_label_new(kind_label(kind));

	gtk_label_set_wrap(GTK_LABEL(label), TRUE);
	gtk_label_set_justify(GTK_LABEL(label), GTK_JUSTIFY_CENTER);
	gtk_box_append(GTK_BOX(box), icon);
	gtk_box_append(GTK_BOX(box), label);
	gtk_button_set_child(GTK_BUTTON(b), box);
	gtk_accessible_update_property(GTK_ACCESSIBLE(b),
				       GTK_ACCESSIBLE_PROPERTY_LABEL,
				       kind_label(kind), -1);
	gtk_actionable_set_action_name(GTK_ACTIONABLE(b), "kind.choose");
	gtk_actionable_set_action_target(GTK_ACTIONABLE(b), "s", kind);
	return b;
}

GtkWidget *ym_kind_dialog_new(GtkWidget *parent, JsonObject *device)
{
	GtkRoot *root = gtk_widget_get_root(parent);
	YmKindDialog *self = g_object_new(YM_TYPE_KIND_DIALOG, "transient-for",
					  GTK_IS_WINDOW(root) ? GTK_WINDOW(root)
							      : NULL,
					  NULL);
	g_autofree char *name = ym_text_device_name(device);

	adw_message_dialog_format_body(
		ADW_MESSAGE_DIALOG(self), "%s: %s\n%s", name,
		_("Please choose what kind of device it is."),
		ym_dialogs_trust_line());
	ym_dialog_follow_kiosk(GTK_WINDOW(self));
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
		GtkWidget *b = kind_button(kinds[i]);

		g_ptr_array_add(self->buttons, b);
		gtk_flow_box_append(self->kinds, b);
	}
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
					     maker);
	gtk_widget_class_install_action(widget_class, "kind.choose", "s",
					choose_cb);
}

static void ym_kind_dialog_init(YmKindDialog *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	self->buttons = g_ptr_array_new();
}
