#include "ym-rename-dialog.h"

#include "ym-dialogs.h"
#include "ym-text.h"

struct _YmRenameDialog {
	AdwMessageDialog parent_instance;

	GtkEntry *entry;
	GtkFlowBox *suggestions;
};

G_DEFINE_TYPE(YmRenameDialog, ym_rename_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void entry_changed_cb(YmRenameDialog *self)
{
	g_autofree char *name = ym_rename_dialog_get_name(self);

	adw_message_dialog_set_response_enabled(ADW_MESSAGE_DIALOG(self),
						"rename", name[0] != '\0');
}

static void suggestion_cb(GtkWidget *widget, const char *action,
			  GVariant *param)
{
	YmRenameDialog *self = YM_RENAME_DIALOG(widget);

	(void)action;
	gtk_editable_set_text(GTK_EDITABLE(self->entry),
			      g_variant_get_string(param, NULL));
}

GtkWidget *ym_rename_dialog_new(GtkWidget *parent, JsonObject *device)
{
	static const char *const rooms[] = {
		/* TRANSLATORS: rooms, for ready names like "Living room
		 * camera". */
		N_("Living room"), N_("Bedroom"), N_("Kitchen"), N_("Entrance"),
	};
	GtkRoot *root = gtk_widget_get_root(parent);
	YmRenameDialog *self = g_object_new(YM_TYPE_RENAME_DIALOG,
					    "transient-for",
					    GTK_IS_WINDOW(root) ? GTK_WINDOW(root)
								: NULL,
					    NULL);
	const char *type = json_object_get_string_member_with_default(
		device, "type", "unknown");
	const char *user_name = json_object_get_string_member_with_default(
		device, "name", "");

	adw_message_dialog_format_body(
		ADW_MESSAGE_DIALOG(self), "%s\n\n%s",
		_("Give it the name your family uses. You can also choose one."),
		ym_dialogs_trust_line());
	ym_dialog_follow_kiosk(GTK_WINDOW(self));
	gtk_editable_set_text(GTK_EDITABLE(self->entry), user_name);
	for (gsize i = 0; i < G_N_ELEMENTS(rooms); i++) {
		/* TRANSLATORS: a ready name: a room, then the kind of
		 * device, e.g. "Living room camera". */
		g_autofree char *name = g_strdup_printf(
			C_("ready name", "%1$s %2$s"), _(rooms[i]),
			ym_text_type_label(type));
		GtkWidget *button = gtk_button_new_with_label(name);

		gtk_actionable_set_action_name(GTK_ACTIONABLE(button),
					       "rename.suggest");
		gtk_actionable_set_action_target(GTK_ACTIONABLE(button), "s",
						 name);
		gtk_flow_box_append(self->suggestions, button);
	}
	entry_changed_cb(self);
	return GTK_WIDGET(self);
}

char *ym_rename_dialog_get_name(YmRenameDialog *self)
{
	return g_strstrip(
		g_strdup(gtk_editable_get_text(GTK_EDITABLE(self->entry))));
}

static void ym_rename_dialog_dispose(GObject *object)
{
	gtk_widget_dispose_template(GTK_WIDGET(object), YM_TYPE_RENAME_DIALOG);
	G_OBJECT_CLASS(ym_rename_dialog_parent_class)->dispose(object);
}

static void ym_rename_dialog_class_init(YmRenameDialogClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = ym_rename_dialog_dispose;
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-rename-dialog.ui");
	gtk_widget_class_bind_template_child(widget_class, YmRenameDialog,
					     entry);
	gtk_widget_class_bind_template_child(widget_class, YmRenameDialog,
					     suggestions);
	gtk_widget_class_install_action(widget_class, "rename.suggest", "s",
					suggestion_cb);
}

static void ym_rename_dialog_init(YmRenameDialog *self)
{
	gtk_widget_init_template(GTK_WIDGET(self));
	g_signal_connect_swapped(self->entry, "changed",
				 G_CALLBACK(entry_changed_cb), self);
}
