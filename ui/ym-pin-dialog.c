#include "ym-pin-dialog.h"

#include <string.h>

#include "ym-text.h"

/* Four to eight digits: short enough to remember, long enough that a
 * visitor does not guess it. */
#define YM_PIN_MIN 4
#define YM_PIN_MAX 8

/* Checking the PIN; choosing one, then typing it again to be sure. */
typedef enum { MODE_CHECK, MODE_CHOOSE, MODE_CONFIRM } Mode;

struct _YmPinDialog {
	AdwMessageDialog parent_instance;

	GtkLabel *dots_label;
	GtkGrid *keypad;
	GString *digits;
	Mode mode;
	char *first; /* MODE_CONFIRM: the PIN typed the first time */
	YmPrefs *prefs;
	YmConfirmFunc func;
	gpointer data;
};

G_DEFINE_TYPE(YmPinDialog, ym_pin_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void update(YmPinDialog *self)
{
	g_autoptr(GString) dots = g_string_new(NULL);
	g_autofree char *a11y = NULL;

	for (gsize i = 0; i < self->digits->len; i++)
		g_string_append(dots, "● ");
	gtk_label_set_label(self->dots_label, dots->len ? dots->str : " ");
	a11y = g_strdup_printf(ngettext("%u digit typed", "%u digits typed",
					(guint)self->digits->len),
			       (guint)self->digits->len);
	gtk_accessible_update_property(GTK_ACCESSIBLE(self->dots_label),
				       GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
	adw_message_dialog_set_response_enabled(
		ADW_MESSAGE_DIALOG(self), "ok",
		self->digits->len >= YM_PIN_MIN);
}

static void digit_cb(GtkWidget *widget, const char *action, GVariant *param)
{
	YmPinDialog *self = YM_PIN_DIALOG(widget);

	(void)action;
	if (self->digits->len < YM_PIN_MAX)
		g_string_append(self->digits, g_variant_get_string(param, NULL));
	update(self);
}

static void erase_cb(GtkWidget *widget, const char *action, GVariant *param)
{
	YmPinDialog *self = YM_PIN_DIALOG(widget);

	(void)action;
	(void)param;
	if (self->digits->len)
		g_string_truncate(self->digits, self->digits->len - 1);
	update(self);
}

static GtkWidget *pin_dialog_new(GtkWidget *parent, YmPrefs *prefs, Mode mode);

static void finish(YmPinDialog *self, gboolean ok)
{
	if (self->func)
		self->func(ok, self->data);
	self->func = NULL;
}

static void response_cb(YmPinDialog *self, const char *response)
{
	gboolean ok = g_strcmp0(response, "ok") == 0;
	GtkWidget *parent = GTK_WIDGET(
		gtk_window_get_transient_for(GTK_WINDOW(self)));

	switch (self->mode) {
	case MODE_CHOOSE:
		if (ok) {
			/* A PIN typed once may hold a slip of the finger
			 * that locks the household out: again, to be sure. */
			YmPinDialog *again = YM_PIN_DIALOG(pin_dialog_new(
				parent, self->prefs, MODE_CONFIRM));

			again->first = g_strdup(self->digits->str);
			again->func = self->func;
			again->data = self->data;
			self->func = NULL;
			gtk_window_present(GTK_WINDOW(again));
			return;
		}
		break;
	case MODE_CONFIRM:
		if (ok && g_strcmp0(self->first, self->digits->str) != 0) {
			/* Straight back to the pad, not to a message the
			 * household must close first. */
			YmPinDialog *retry = YM_PIN_DIALOG(pin_dialog_new(
				parent, self->prefs, MODE_CHOOSE));
			g_autofree char *body = g_strdup_printf(
				"%s\n%s",
				_("Nothing was changed. Please choose the PIN "
				  "again."),
				ym_dialogs_trust_line_pin());

			adw_message_dialog_set_heading(
				ADW_MESSAGE_DIALOG(retry),
				_("The two PINs were not the same."));
			adw_message_dialog_set_body(ADW_MESSAGE_DIALOG(retry),
						    body);
			retry->func = self->func;
			retry->data = self->data;
			self->func = NULL;
			gtk_window_present(GTK_WINDOW(retry));
			return;
		} else if (ok) {
			ym_prefs_set_pin(self->prefs, self->digits->str);
			ym_dialog_tell(parent, _("The PIN is set."),
				       _("Please remember it. Yamori asks for "
					 "it before it weakens protection."),
				       NULL);
		}
		break;
	case MODE_CHECK:
		if (ok && !ym_prefs_check_pin(self->prefs, self->digits->str)) {
			ym_dialog_tell(parent, _("The PIN is not right."),
				       _("Nothing was changed. Please try again."),
				       NULL);
			ok = FALSE;
		}
		break;
	}
	finish(self, ok);
}

static GtkWidget *pin_dialog_new(GtkWidget *parent, YmPrefs *prefs, Mode mode)
{
	GtkRoot *root = gtk_widget_get_root(parent);
	YmPinDialog *self = g_object_new(YM_TYPE_PIN_DIALOG, "transient-for",
					 GTK_IS_WINDOW(root) ? GTK_WINDOW(root)
							     : NULL,
					 NULL);
	g_autofree char *body = NULL;

	ym_dialog_follow_kiosk(GTK_WINDOW(self));
	self->mode = mode;
	self->prefs = g_object_ref(prefs);
	if (mode == MODE_CHOOSE) {
		adw_message_dialog_set_heading(ADW_MESSAGE_DIALOG(self),
					       _("Choose a PIN"));
		body = g_strdup_printf(_("Use %d to %d digits."), YM_PIN_MIN,
				       YM_PIN_MAX);
	} else if (mode == MODE_CONFIRM) {
		adw_message_dialog_set_heading(ADW_MESSAGE_DIALOG(self),
					       _("Type the PIN again"));
		body = g_strdup(_("To be sure, please type the same PIN once "
				  "more."));
	} else {
		adw_message_dialog_set_heading(ADW_MESSAGE_DIALOG(self),
					       _("Type the PIN"));
		/* The way back when the PIN is forgotten: docs/PIN.md. */
		body = g_strdup_printf(
			"%s\n%s", _("Please type the household's PIN."),
			_("Forgot the PIN? Ask the shop or provider you got "
			  "Yamori from."));
	}
	/* No blank line before the trust line: with the larger text the
	 * pad must still fit an 800x480 screen, its buttons included. */
	adw_message_dialog_format_body(ADW_MESSAGE_DIALOG(self), "%s\n%s",
				       body, ym_dialogs_trust_line_pin());
	g_signal_connect(self, "response", G_CALLBACK(response_cb), NULL);
	return GTK_WIDGET(self);
}

void ym_pin_dialog_require(GtkWidget *parent, YmPrefs *prefs,
			   YmConfirmFunc func, gpointer data)
{
	YmPinDialog *self;

	if (!ym_prefs_has_pin(prefs)) {
		func(TRUE, data);
		return;
	}
	self = YM_PIN_DIALOG(pin_dialog_new(parent, prefs, MODE_CHECK));
	self->func = func;
	self->data = data;
	gtk_window_present(GTK_WINDOW(self));
}

void ym_pin_dialog_choose_then(GtkWidget *parent, YmPrefs *prefs,
			       YmConfirmFunc func, gpointer data)
{
	YmPinDialog *self =
		YM_PIN_DIALOG(pin_dialog_new(parent, prefs, MODE_CHOOSE));

	self->func = func;
	self->data = data;
	gtk_window_present(GTK_WINDOW(self));
}

void ym_pin_dialog_choose(GtkWidget *parent, YmPrefs *prefs)
{
	ym_pin_dialog_choose_then(parent, prefs, NULL, NULL);
}

static void ym_pin_dialog_dispose(GObject *object)
{
	YmPinDialog *self = YM_PIN_DIALOG(object);

	g_clear_object(&self->prefs);
	gtk_widget_dispose_template(GTK_WIDGET(self), YM_TYPE_PIN_DIALOG);
	G_OBJECT_CLASS(ym_pin_dialog_parent_class)->dispose(object);
}

static void ym_pin_dialog_finalize(GObject *object)
{
	YmPinDialog *self = YM_PIN_DIALOG(object);

	/* Forget the digits before the memory goes back. */
	memset(self->digits->str, 0, self->digits->len);
	if (self->first) {
		memset(self->first, 0, strlen(self->first));
		g_free(self->first);
	}
	g_string_free(self->digits, TRUE);
	G_OBJECT_CLASS(ym_pin_dialog_parent_class)->finalize(object);
}

static void ym_pin_dialog_class_init(YmPinDialogClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

	object_class->dispose = ym_pin_dialog_dispose;
	object_class->finalize = ym_pin_dialog_finalize;
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-pin-dialog.ui");
	gtk_widget_class_bind_template_child(widget_class, YmPinDialog,
					     dots_label);
	gtk_widget_class_bind_template_child(widget_class, YmPinDialog, keypad);
	gtk_widget_class_install_action(widget_class, "pin.digit", "s",
					digit_cb);
	gtk_widget_class_install_action(widget_class, "pin.erase", NULL,
					erase_cb);
}

static void ym_pin_dialog_init(YmPinDialog *self)
{
	static const char keys[] = "1234567890";

	gtk_widget_init_template(GTK_WIDGET(self));
	self->digits = g_string_new(NULL);
	/* Two rows of five keys: the dialog fits a 480-pixel-high screen. */
	for (int i = 0; keys[i]; i++) {
		char digit[2] = { keys[i], '\0' };
		GtkWidget *key = gtk_button_new_with_label(digit);

		gtk_actionable_set_action_name(GTK_ACTIONABLE(key), "pin.digit");
		gtk_actionable_set_action_target(GTK_ACTIONABLE(key), "s",
						 digit);
		gtk_widget_add_css_class(key, "ym-key");
		gtk_grid_attach(self->keypad, key, i % 5, i / 5, 1, 1);
	}
	update(self);
}
