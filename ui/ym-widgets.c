#include "ym-widgets.h"

void ym_widget_unparent_children(GtkWidget *widget)
{
	GtkWidget *child;

	while ((child = gtk_widget_get_first_child(widget)))
		gtk_widget_unparent(child);
}

void ym_widget_hide_others(GtkWidget *container, GtkWidget *shown)
{
	/* Screens out of sight stay allocated; without this a screen
	 * reader would read them too. */
	for (GtkWidget *c = gtk_widget_get_first_child(container); c;
	     c = gtk_widget_get_next_sibling(c))
		gtk_accessible_update_state(GTK_ACCESSIBLE(c),
					    GTK_ACCESSIBLE_STATE_HIDDEN,
					    c != shown, -1);
}

void ym_widget_toast(GtkWidget *widget, const char *text)
{
	GtkRoot *root = gtk_widget_get_root(widget);

	/* From the root, so a widget the window holds (or a job that kept
	 * the window) reaches the action however deep it sits. */
	if (root)
		gtk_widget_activate_action(GTK_WIDGET(root), "win.toast", "s",
					   text);
}
