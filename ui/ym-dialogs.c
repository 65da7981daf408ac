#include "ym-dialogs.h"

#include <string.h>

#include "ym-client.h"
#include "ym-text.h"

typedef struct {
	YmConfirmFunc func;
	gpointer user_data;
	GDestroyNotify destroy;
} Confirm;

const char *ym_dialogs_trust_line(void)
{
	return _("This screen never asks you for money or passwords.");
}

const char *ym_dialogs_trust_line_pin(void)
{
	/* TRANSLATORS: the trust line where the household types or chooses
	 * its own PIN: still true there. */
	return _("This screen never asks you for money. The PIN you choose "
		 "never leaves this box.");
}

/* The window behind a dialog is dimmed while the dialog shows: the eye
 * goes to the question, and the screen behind plainly waits. A count on
 * the window, as a PIN pad can open over a question. */
static void dim_parent(GtkWidget *dialog, int delta)
{
	GtkWindow *parent = gtk_window_get_transient_for(GTK_WINDOW(dialog));
	int n;

	if (!parent)
		return;
	n = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(parent), "ym-dimmed")) +
	    delta;
	n = MAX(n, 0);
	g_object_set_data(G_OBJECT(parent), "ym-dimmed", GINT_TO_POINTER(n));
	if (n)
		gtk_widget_add_css_class(GTK_WIDGET(parent), "ym-dimmed");
	else
		gtk_widget_remove_css_class(GTK_WIDGET(parent), "ym-dimmed");
}

static void dialog_map_cb(GtkWidget *dialog)
{
	dim_parent(dialog, 1);
}

static void dialog_unmap_cb(GtkWidget *dialog)
{
	dim_parent(dialog, -1);
}

void ym_dialog_follow_kiosk(GtkWindow *dialog)
{
	GtkWindow *parent = gtk_window_get_transient_for(dialog);

	gtk_window_set_modal(dialog, TRUE);
	g_signal_connect(dialog, "map", G_CALLBACK(dialog_map_cb), NULL);
	g_signal_connect(dialog, "unmap", G_CALLBACK(dialog_unmap_cb), NULL);

	/* cage 0.1.4 (the kiosk's compositor) centres a dialog's whole
	 * surface, the client-side shadow and resize border included: it
	 * ignores where the window's geometry starts in the surface, so the
	 * dialog itself lands right of and below the centre. A dialog
	 * without client-side decoration is all geometry, and is centred;
	 * ym-kiosk-dialog draws its edge instead. */
	/* With the largest text a question and its buttons would not fit
	 * an 800x480 screen: its words stay one size smaller (style.css). */
	if (parent &&
	    gtk_widget_has_css_class(GTK_WIDGET(parent), "ym-text-largest"))
		gtk_widget_add_css_class(GTK_WIDGET(dialog),
					 "ym-dialog-compact");
	if (parent && gtk_widget_has_css_class(GTK_WIDGET(parent), "ym-kiosk")) {
		gtk_widget_add_css_class(GTK_WIDGET(dialog), "ym-kiosk-dialog");
		gtk_window_set_resizable(dialog, FALSE);
		gtk_window_set_decorated(dialog, FALSE);
	}
}

AdwMessageDialog *ym_dialog_new(GtkWidget *parent, const char *heading,
				const char *body)
{
	GtkRoot *root = parent ? gtk_widget_get_root(parent) : NULL;
	g_autofree char *text = NULL;
	GtkWidget *dialog;

	text = g_strdup_printf("%s\n\n%s", body ? body : "",
			       ym_dialogs_trust_line());
	dialog = adw_message_dialog_new(GTK_IS_WINDOW(root) ? GTK_WINDOW(root)
							    : NULL,
					heading, text);
	gtk_window_set_modal(GTK_WINDOW(dialog), TRUE);
	gtk_widget_add_css_class(dialog, "ym-dialog");
	ym_dialog_follow_kiosk(GTK_WINDOW(dialog));
	return ADW_MESSAGE_DIALOG(dialog);
}

static void confirm_response_cb(AdwMessageDialog *dialog,
				const char *response, gpointer user_data)
{
	Confirm *c = user_data;

	(void)dialog;
	c->func(g_strcmp0(response, "go") == 0, c->user_data);
}

static void confirm_free(gpointer data, GClosure *closure)
{
	Confirm *c = data;

	(void)closure;
	if (c->destroy)
		c->destroy(c->user_data);
	g_free(c);
}

void ym_dialog_confirm(GtkWidget *parent, const char *heading,
		       const char *body, const char *confirm_label,
		       gboolean destructive, YmConfirmFunc func,
		       gpointer user_data, GDestroyNotify destroy)
{
	AdwMessageDialog *dialog = ym_dialog_new(parent, heading, body);
	Confirm *c = g_new0(Confirm, 1);

	c->func = func;
	c->user_data = user_data;
	c->destroy = destroy;
	/* TRANSLATORS: the button that leaves a question without doing
	 * anything: said as what it does, so it is never read as the
	 * other button's "stop". */
	adw_message_dialog_add_responses(dialog, "cancel", _("Do nothing"), "go",
					 confirm_label, NULL);
	adw_message_dialog_set_response_appearance(
		dialog, "go",
		destructive ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_default_response(dialog, "cancel");
	adw_message_dialog_set_close_response(dialog, "cancel");
	g_signal_connect_data(dialog, "response", G_CALLBACK(confirm_response_cb),
			      c, confirm_free, 0);
	gtk_window_present(GTK_WINDOW(dialog));
}

void ym_dialog_tell(GtkWidget *parent, const char *heading, const char *body,
		    const char *detail)
{
	AdwMessageDialog *dialog = ym_dialog_new(parent, heading, body);

	if (detail && detail[0]) {
		GtkWidget *label = gtk_label_new(detail);

		gtk_label_set_wrap(GTK_LABEL(label), TRUE);
		gtk_label_set_selectable(GTK_LABEL(label), FALSE);
		gtk_widget_add_css_class(label, "dim-label");
		gtk_widget_add_css_class(label, "caption");
		adw_message_dialog_set_extra_child(dialog, label);
	}
	/* TRANSLATORS: the button that closes a message after reading it. */
	adw_message_dialog_add_response(dialog, "close", _("OK"));
	adw_message_dialog_set_default_response(dialog, "close");
	adw_message_dialog_set_close_response(dialog, "close");
	gtk_window_present(GTK_WINDOW(dialog));
}

void ym_dialog_error(GtkWidget *parent, const char *heading,
		     const GError *error)
{
	/* The household's words, chosen by the daemon's code; its English
	 * text goes to the log for whoever helps (never on the screen). */
	if (error)
		g_debug("%s: %s", heading, error->message);
	ym_dialog_tell(parent, heading, ym_text_error(error), NULL);
}
