/* Small helpers every screen uses, so that screens need nothing from the
 * window: unparenting a template's children, hiding the screens out of sight
 * from assistive technologies, and toasts (through the window's "win.toast"
 * action, which the window installs). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Unparents every child of WIDGET (in dispose of a widget with a bin
 * layout and a template). */
void ym_widget_unparent_children(GtkWidget *widget);

/* Marks every child of CONTAINER but SHOWN as hidden to assistive
 * technologies (stacks and leaflets keep hidden pages allocated). */
void ym_widget_hide_others(GtkWidget *container, GtkWidget *shown);

/* Shows TEXT as a toast in the window WIDGET is in ("win.toast"); nothing
 * when WIDGET is in no window that has the action (a dialog). */
void ym_widget_toast(GtkWidget *widget, const char *text);

G_END_DECLS
