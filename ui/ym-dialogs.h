/* Alert screens: every one says the trust line (PLAIN_JA J11) and has at
 * most two buttons, both verbs (J12). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Called with TRUE when the household chose to go on. */
typedef void (*YmConfirmFunc)(gboolean confirmed, gpointer user_data);

/* The trust line: the appliance never asks for money or passwords. */
const char *ym_dialogs_trust_line(void);
/* The trust line where the household's own PIN is typed or chosen: the
 * plain one would not be true there. */
const char *ym_dialogs_trust_line_pin(void);

/* Modal and centred over the kiosk, the window behind dimmed while it
 * shows: to call once DIALOG is transient for its window (ym_dialog_new
 * does). */
void ym_dialog_follow_kiosk(GtkWindow *dialog);

/* A modal alert over PARENT's window with the trust line under BODY. */
AdwMessageDialog *ym_dialog_new(GtkWidget *parent, const char *heading,
				const char *body);

/* Asks before doing something; CONFIRM_LABEL is the verb that does it. */
void ym_dialog_confirm(GtkWidget *parent, const char *heading,
		       const char *body, const char *confirm_label,
		       gboolean destructive, YmConfirmFunc func,
		       gpointer user_data, GDestroyNotify destroy);

/* Tells something; one button that closes. DETAIL (may be NULL) is shown
 * small, under the plain text. */
void ym_dialog_tell(GtkWidget *parent, const char *heading, const char *body,
		    const char *detail);

/* Tells kindly why a request to the daemon did not work. */
void ym_dialog_error(GtkWidget *parent, const char *heading,
		     const GError *error);

G_END_DECLS
