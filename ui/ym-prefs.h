/* The panel's own settings, in $XDG_CONFIG_HOME/yamori-panel/panel.conf:
 * text size, high contrast and the optional PIN. Password-check consent and
 * the auto-isolation policy are the daemon's (its "settings" command); the
 * settings page copies them here on every connection so other pages can
 * read them, and this file keeps the last copy for before the first one. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
	YM_POLICY_OFF,
	YM_POLICY_ASK,
	YM_POLICY_ON,
} YmPolicy;

typedef enum {
	YM_TEXT_NORMAL,
	YM_TEXT_LARGE,
	YM_TEXT_LARGEST,
} YmTextSize;

#define YM_TYPE_PREFS (ym_prefs_get_type())
G_DECLARE_FINAL_TYPE(YmPrefs, ym_prefs, YM, PREFS, GObject)

/* Reads the file (a few hundred bytes, once, before the main loop). */
YmPrefs *ym_prefs_new(void);

YmPolicy ym_prefs_get_audit(YmPrefs *self);
void ym_prefs_set_audit(YmPrefs *self, YmPolicy policy);
YmPolicy ym_prefs_get_isolate(YmPrefs *self);
void ym_prefs_set_isolate(YmPrefs *self, YmPolicy policy);
YmTextSize ym_prefs_get_text_size(YmPrefs *self);
void ym_prefs_set_text_size(YmPrefs *self, YmTextSize size);
gboolean ym_prefs_get_high_contrast(YmPrefs *self);
void ym_prefs_set_high_contrast(YmPrefs *self, gboolean on);

/* When the household last finished the four rules (Unix seconds; 0:
 * never): Home reminds after 30 days. */
gint64 ym_prefs_get_last_check(YmPrefs *self);
void ym_prefs_set_last_check(YmPrefs *self, gint64 when);

/* There is no PIN until the household sets one. */
gboolean ym_prefs_has_pin(YmPrefs *self);
gboolean ym_prefs_check_pin(YmPrefs *self, const char *pin);
/* Sets the PIN, or removes it with NULL. */
void ym_prefs_set_pin(YmPrefs *self, const char *pin);

/* Whether the kiosk's first screen has offered the household a PIN (it
 * chose one, or chose to start without): it is offered once per box, and
 * again after --forget-pin. */
gboolean ym_prefs_get_pin_offered(YmPrefs *self);
void ym_prefs_set_pin_offered(YmPrefs *self);

/* The PIN recovery (yamori-panel --forget-pin, run as the panel's user on
 * the box): removes the PIN from the settings file, keeps the rest. 0, or
 * -1 with ERROR set. A running panel reads it at its next start, which
 * offers a new PIN on its first screen. */
int ym_prefs_forget_pin(GError **error);

G_END_DECLS
