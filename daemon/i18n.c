#include "i18n.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef YM_LOCALEDIR
#define YM_LOCALEDIR "/usr/share/locale"
#endif

void ym_i18n_init(void)
{
	char exe[4096], dir[4200];
	const char *env = getenv("YAMORI_LOCALEDIR");
	const char *lang = getenv("LANG");
	struct stat st;
	ssize_t n;

	/* Only text and messages follow the user's locale: numbers in
	 * configs, rules and JSON stay in the C locale everywhere. */
	if (!setlocale(LC_CTYPE, "") || !setlocale(LC_MESSAGES, "")) {
		/* The user's locale is not generated on this system (common on
		 * minimal installs): keep UTF-8 output and still honour the
		 * language through LANGUAGE. */
		setlocale(LC_CTYPE, "C.UTF-8");
		setlocale(LC_MESSAGES, "C.UTF-8");
		if (lang && lang[0] && lang[0] != 'C' && !getenv("LANGUAGE")) {
			char code[16];

			snprintf(code, sizeof(code), "%.*s",
				 (int)strcspn(lang, "_.@"), lang);
			setenv("LANGUAGE", code, 0);
		}
	}
	/* Dates for people follow the locale too (yamorictl's tables). */
	setlocale(LC_TIME, "");
	if (env && env[0]) {
		bindtextdomain(YM_TEXT_DOMAIN, env);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n > 0) {
			char *slash;

			exe[n] = '\0';
			slash = strrchr(exe, '/');
			if (slash)
				*slash = '\0';
			snprintf(dir, sizeof(dir), "%s/../locale", exe);
			if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
				bindtextdomain(YM_TEXT_DOMAIN, dir);
				goto codeset;
			}
		}
		bindtextdomain(YM_TEXT_DOMAIN, YM_LOCALEDIR);
	}
codeset:
	bind_textdomain_codeset(YM_TEXT_DOMAIN, "UTF-8");
	textdomain(YM_TEXT_DOMAIN);
}

bool ym_i18n_japanese(void)
{
	const char *l = getenv("LANGUAGE");

	if (!l || !l[0])
		l = setlocale(LC_MESSAGES, NULL);
	return l && strncmp(l, "ja", 2) == 0;
}
