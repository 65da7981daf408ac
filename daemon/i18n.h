/* gettext for user-facing text: English source strings, po/ja.po. */
#ifndef YM_I18N_H
#define YM_I18N_H

#include <libintl.h>

#define YM_TEXT_DOMAIN "yamori"
#define _(s) dgettext(YM_TEXT_DOMAIN, s)
#define N_(s) (s)

/* Binds the text domain: next to the executable in a build tree
 * (../locale), else the installed locale directory. */
void ym_i18n_init(void);

#endif
