#include "ym-first-run.h"

#include <adwaita.h>

#include "ym-dialogs.h"
#include "ym-pin-dialog.h"
#include "ym-text.h"

typedef struct {
	GtkWindow *window;
	YmPrefs *prefs;
} Offer;

static void offer_free(Offer *o)
{
	g_object_unref(o->window);
	g_object_unref(o->prefs);
	g_free(o);
}

static void offer(Offer *o);

static void chosen_cb(gboolean ok, gpointer data)
{
	Offer *o = data;

	if (!ok) {
		offer(o); /* left the pad: the question is still open */
		return;
	}
	ym_prefs_set_pin_offered(o->prefs);
	offer_free(o);
}

static void response_cb(AdwMessageDialog *dialog, const char *response,
			gpointer data)
{
	Offer *o = data;

	(void)dialog;
	if (g_str_equal(response, "choose")) {
		ym_pin_dialog_choose_then(GTK_WIDGET(o->window), o->prefs,
					  chosen_cb, o);
		return;
	}
	if (!g_str_equal(response, "without")) {
		offer(o);
		return;
	}
	ym_prefs_set_pin_offered(o->prefs);
	offer_free(o);
}

static void offer(Offer *o)
{
	GtkWidget *dialog;
	g_autofree char *body = g_strdup_printf(
		"%s\n%s\n%s\n\n%s",
		_("A PIN keeps children and visitors from turning protection "
		  "off."),
		_("Yamori asks for it before it weakens protection."),
		_("You can also choose one later in Settings."),
		ym_dialogs_trust_line_pin());

	dialog = adw_message_dialog_new(o->window,
					_("First, choose a PIN for this "
					  "screen"),
					body);
	gtk_window_set_modal(GTK_WINDOW(dialog), TRUE);
	gtk_widget_add_css_class(dialog, "ym-dialog");
	ym_dialog_follow_kiosk(GTK_WINDOW(dialog));
	/* TRANSLATORS: the first screen's two buttons; verbs. */
	adw_message_dialog_add_responses(ADW_MESSAGE_DIALOG(dialog), "without",
					 _("Start without a PIN"), "choose",
					 _("Choose a PIN"), NULL);
	adw_message_dialog_set_response_appearance(
		ADW_MESSAGE_DIALOG(dialog), "choose", ADW_RESPONSE_SUGGESTED);
	adw_message_dialog_set_default_response(ADW_MESSAGE_DIALOG(dialog),
						"choose");
	/* Escape or a tap outside is not an answer: it asks again. */
	adw_message_dialog_set_close_response(ADW_MESSAGE_DIALOG(dialog),
					      "again");
	g_signal_connect(dialog, "response", G_CALLBACK(response_cb), o);
	gtk_window_present(GTK_WINDOW(dialog));
}

static gboolean offer_idle_cb(gpointer data)
{
	offer(data);
	return G_SOURCE_REMOVE;
}

/* A dialog whose surface reaches the compositor before its window's
 * first frame is lost under a kiosk compositor: cage stacks views in the
 * order they show, so the window came up over the dialog, dimmed and
 * with no question (seen on a loaded machine, where the window's first
 * configure came late). The offer waits for the window's first painted
 * frame, which GTK sends only once the compositor configured it, then
 * for the loop to settle. */
static void first_paint_cb(GdkFrameClock *clock, gpointer data)
{
	g_signal_handlers_disconnect_by_func(clock, first_paint_cb, data);
	g_idle_add(offer_idle_cb, data);
}

static void wait_first_paint(GtkWidget *window, Offer *o)
{
	GdkFrameClock *clock = gtk_widget_get_frame_clock(window);

	if (!clock) {
		g_idle_add(offer_idle_cb, o);
		return;
	}
	g_signal_connect(clock, "after-paint", G_CALLBACK(first_paint_cb), o);
	gtk_widget_queue_draw(window);
}

static void window_mapped_cb(GtkWidget *window, gpointer data)
{
	g_signal_handlers_disconnect_by_func(window, window_mapped_cb, data);
	wait_first_paint(window, data);
}

void ym_first_run_offer_pin(GtkWindow *window, YmPrefs *prefs)
{
	Offer *o;

	if (ym_prefs_has_pin(prefs) || ym_prefs_get_pin_offered(prefs))
		return;
	o = g_new0(Offer, 1);
	o->window = g_object_ref(window);
	o->prefs = g_object_ref(prefs);
	if (gtk_widget_get_mapped(GTK_WIDGET(window)))
		wait_first_paint(GTK_WIDGET(window), o);
	else
		g_signal_connect(window, "map", G_CALLBACK(window_mapped_cb),
				 o);
}
