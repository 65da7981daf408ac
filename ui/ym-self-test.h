/* yamori-panel --self-test: visits every screen (and the dialogs), checks
 * that every touch target is at least 48x48 logical pixels and says what
 * it is, prints each problem and exits 1 if there was one. */
#pragma once

#include "ym-household.h"
#include "ym-window.h"

G_BEGIN_DECLS

/* The size every touch target needs, in logical pixels. */
#define YM_MIN_TARGET 48

/* Starts the walk once the household arrived (or after a while); quits
 * APP at the end with *EXIT_CODE set. */
void ym_self_test_start(GApplication *app, YmWindow *window,
			YmHousehold *household, int *exit_code);

G_END_DECLS
