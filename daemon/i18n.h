/* gettext for user-facing text: English source strings, po/ja.po. */
#ifndef YM_I18N_H
#define YM_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define YM_TEXT_DOMAIN "yamori"
#define _(s) dgettext(YM_TEXT_DOMAIN, s)
#define N_(s) (s)

/* Binds the text domain: next to the executable in a build tree
 * (../locale), else the installed locale directory. */
void ym_i18n_init(void);

/* True when Yamori speaks Japanese to the household (LANGUAGE, else the
 * messages locale, starts with "ja"). */
bool ym_i18n_japanese(void);

#endif
