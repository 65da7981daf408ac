/* What a household can do to a device, each with its question first and
 * its answer in plain words after: shared by the device screen and the
 * four rules. Every request goes to the daemon asynchronously. */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "ym-household.h"
#include "ym-prefs.h"

G_BEGIN_DECLS

/* Runs the password check on MACS (NULL-terminated) after the consent the
 * settings ask for; DONE (may be NULL) runs when every answer arrived. */
void ym_action_audit(GtkWidget *parent, YmHousehold *household,
		     YmPrefs *prefs, const char *const *macs,
		     GCallback done, gpointer done_data);

void ym_action_rename(GtkWidget *parent, YmHousehold *household,
		      JsonObject *device);
/* "What is this?": the household picks the kind (and maker); the daemon
 * keeps it as the household's word. */
void ym_action_set_kind(GtkWidget *parent, YmHousehold *household,
			JsonObject *device);
void ym_action_isolate(GtkWidget *parent, YmHousehold *household,
		       JsonObject *device);
/* Bringing back weakens protection: the PIN first, if there is one. */
void ym_action_release(GtkWidget *parent, YmHousehold *household,
		       YmPrefs *prefs, JsonObject *device);
void ym_action_never_isolate(GtkWidget *parent, YmHousehold *household,
			     YmPrefs *prefs, JsonObject *device, gboolean on);
/* Shows how to erase the device first; marks it given away only once the
 * household says the data is erased (rule 4 keeps the list, with undo). */
void ym_action_retire(GtkWidget *parent, YmHousehold *household,
		      JsonObject *device);
/* How to reset DEVICE to factory settings, one step a string: the model's
 * or its kind's steps from the daemon, else steps true of any device. */
char **ym_action_reset_steps(JsonObject *device);

G_END_DECLS
