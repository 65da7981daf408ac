#include "ym-self-test.h"

#include <stdio.h>

/* Milliseconds for a screen to lay out before it is measured. */
#define SETTLE_MS 400
/* A screen is measured once two looks SETTLE_MS apart agree on where
 * every target is (a loaded machine may take longer than one wait to lay
 * out a new dialog), but no more than this many looks. */
#define SETTLE_LOOKS 25
/* How long to wait for the daemon's first answers. */
#define LOAD_TIMEOUT_MS 8000

typedef struct {
	GApplication *app;
	YmWindow *window;
	YmHousehold *household;
	int *exit_code;
	guint step;
	guint load_timeout;
	guint checked;
	guint problems;
	char *where;
	guint64 last_layout; /* the previous look's layout_of() */
	guint looks;
} SelfTest;

static gboolean is_target(GtkWidget *w)
{
	if (GTK_IS_LIST_BOX_ROW(w))
		return gtk_list_box_row_get_activatable(GTK_LIST_BOX_ROW(w));
	return GTK_IS_BUTTON(w) || GTK_IS_ENTRY(w) || GTK_IS_SWITCH(w) ||
	       GTK_IS_CHECK_BUTTON(w) || GTK_IS_DROP_DOWN(w);
}

/* Text a screen reader can read: a label inside, or an explicit one
 * (every icon-only button here also has a tooltip with the same words). */
static gboolean has_words(GtkWidget *w)
{
	GtkWidget *child;

	if (GTK_IS_LABEL(w) && gtk_label_get_text(GTK_LABEL(w))[0])
		return TRUE;
	if (GTK_IS_BUTTON(w) && gtk_button_get_label(GTK_BUTTON(w)))
		return TRUE;
	if (gtk_widget_get_tooltip_text(w))
		return TRUE;
	if (GTK_IS_ENTRY(w))
		return TRUE; /* labelled in its .ui; at-spi tests check it */
	for (child = gtk_widget_get_first_child(w); child;
	     child = gtk_widget_get_next_sibling(child))
		if (has_words(child))
			return TRUE;
	return FALSE;
}

static const char *words_of(GtkWidget *w)
{
	GtkWidget *child;

	if (GTK_IS_LABEL(w))
		return gtk_label_get_text(GTK_LABEL(w));
	for (child = gtk_widget_get_first_child(w); child;
	     child = gtk_widget_get_next_sibling(child)) {
		const char *s = words_of(child);

		if (s && s[0])
			return s;
	}
	return NULL;
}

static void walk(SelfTest *t, GtkWidget *root, GtkWidget *w)
{
	GtkWidget *child;

	/* The title bar's window buttons are GTK's, labelled by GTK (and
	 * absent on the kiosk). */
	if (!gtk_widget_get_mapped(w) || GTK_IS_WINDOW_CONTROLS(w))
		return;
	if (is_target(w) && gtk_widget_is_sensitive(w)) {
		graphene_rect_t r;

		if (gtk_widget_compute_bounds(w, root, &r)) {
			const char *words = words_of(w);

			t->checked++;
			if (r.size.width < YM_MIN_TARGET - 0.5 ||
			    r.size.height < YM_MIN_TARGET - 0.5) {
				t->problems++;
				printf("TOO SMALL %s: %s \"%s\" %.0fx%.0f\n",
				       t->where, G_OBJECT_TYPE_NAME(w),
				       words ? words : "", r.size.width,
				       r.size.height);
			}
			if (!has_words(w)) {
				t->problems++;
				printf("NO LABEL %s: %s\n", t->where,
				       G_OBJECT_TYPE_NAME(w));
			}
		}
	}
	for (child = gtk_widget_get_first_child(w); child;
	     child = gtk_widget_get_next_sibling(child))
		walk(t, root, child);
}

/* A fingerprint of where every mapped widget is, over every window. */
static guint64 layout_of(GtkWidget *root, GtkWidget *w)
{
	graphene_rect_t r;
	guint64 h = 1469598103934665603ull;
	GtkWidget *child;

	if (!gtk_widget_get_mapped(w))
		return h;
	if (gtk_widget_compute_bounds(w, root, &r))
		h = (h ^ (guint64)(r.origin.x * 7 + r.origin.y * 131 +
				   r.size.width * 8191 + r.size.height * 65537)) *
		    1099511628211ull;
	for (child = gtk_widget_get_first_child(w); child;
	     child = gtk_widget_get_next_sibling(child))
		h = (h ^ layout_of(root, child)) * 1099511628211ull;
	return h;
}

static guint64 layout_of_all(void)
{
	g_autoptr(GList) toplevels = gtk_window_list_toplevels();
	guint64 h = 0;

	for (GList *l = toplevels; l; l = l->next)
		h = (h ^ layout_of(l->data, l->data)) * 1099511628211ull;
	return h;
}

static void check_all_windows(SelfTest *t)
{
	g_autoptr(GList) toplevels = gtk_window_list_toplevels();

	for (GList *l = toplevels; l; l = l->next)
		if (gtk_widget_get_mapped(l->data))
			walk(t, l->data, l->data);
}

static void close_dialogs(SelfTest *t)
{
	g_autoptr(GList) toplevels = gtk_window_list_toplevels();

	for (GList *l = toplevels; l; l = l->next)
		if (l->data != (gpointer)t->window &&
		    GTK_IS_WINDOW(l->data) && gtk_widget_get_mapped(l->data))
			gtk_window_destroy(l->data);
}

static GtkWidget *find_type(GtkWidget *w, GType type)
{
	GtkWidget *child, *found;

	if (G_TYPE_CHECK_INSTANCE_TYPE(w, type))
		return w;
	for (child = gtk_widget_get_first_child(w); child;
	     child = gtk_widget_get_next_sibling(child))
		if ((found = find_type(child, type)))
			return found;
	return NULL;
}

/* Each step shows something; the next step first measures it. */
static gboolean step_cb(gpointer data)
{
	SelfTest *t = data;
	GPtrArray *devices = ym_household_get_devices(t->household);
	guint s = t->step;
	guint n_pages = g_strv_length((char **)ym_window_pages);
	guint64 layout = layout_of_all();

	/* Not measured until the layout holds still between two looks. */
	if (s > 0 && layout != t->last_layout && ++t->looks < SETTLE_LOOKS) {
		t->last_layout = layout;
		return G_SOURCE_CONTINUE;
	}
	t->looks = 0;
	t->last_layout = 0;
	s = t->step++;
	if (s > 0)
		check_all_windows(t);
	close_dialogs(t);
	g_free(t->where);
	if (s < n_pages) {
		t->where = g_strdup(ym_window_pages[s]);
		ym_window_show(t->window, ym_window_pages[s]);
		return G_SOURCE_CONTINUE;
	}
	s -= n_pages;
	if (s == 0 && devices->len) {
		JsonObject *dev = devices->pdata[0];
		g_autofree char *name = g_strdup_printf(
			"devices/%s", json_object_get_string_member(dev, "mac"));

		t->where = g_strdup("device detail");
		ym_window_show(t->window, name);
		return G_SOURCE_CONTINUE;
	}
	if (s == 1 && devices->len) {
		GtkWidget *detail = find_type(GTK_WIDGET(t->window),
					      g_type_from_name("YmDeviceDetail"));

		t->where = g_strdup("rename dialog");
		if (detail)
			gtk_widget_activate_action(detail, "device.rename",
						   NULL);
		return G_SOURCE_CONTINUE;
	}
	if (s == 2 && devices->len) {
		GtkWidget *detail = find_type(GTK_WIDGET(t->window),
					      g_type_from_name("YmDeviceDetail"));

		t->where = g_strdup("isolate question");
		if (detail)
			gtk_widget_activate_action(detail, "device.isolate",
						   NULL);
		return G_SOURCE_CONTINUE;
	}
	if (s >= 3 && s < 3 + 5) {
		GtkWidget *rules = find_type(GTK_WIDGET(t->window),
					     g_type_from_name("YmRulesPage"));

		t->where = g_strdup_printf("rule %u", s - 2);
		if (s == 3)
			gtk_widget_activate_action(GTK_WIDGET(t->window),
						   "win.start-check", NULL);
		else if (rules)
			gtk_widget_activate_action(rules, "rules.next", NULL);
		return G_SOURCE_CONTINUE;
	}
	if (s == 8) {
		GtkWidget *settings = find_type(
			GTK_WIDGET(t->window), g_type_from_name("YmSettingsPage"));

		t->where = g_strdup("PIN pad");
		ym_window_show(t->window, "settings");
		if (settings)
			gtk_widget_activate_action(settings, "settings.set-pin",
						   NULL);
		return G_SOURCE_CONTINUE;
	}
	if (s == 9 && devices->len) {
		JsonObject *dev = devices->pdata[0];
		g_autofree char *name = g_strdup_printf(
			"devices/%s", json_object_get_string_member(dev, "mac"));
		GtkWidget *detail;

		t->where = g_strdup("what is this dialog");
		ym_window_show(t->window, name);
		detail = find_type(GTK_WIDGET(t->window),
				   g_type_from_name("YmDeviceDetail"));
		if (detail)
			gtk_widget_activate_action(detail, "device.set-kind",
						   NULL);
		return G_SOURCE_CONTINUE;
	}
	t->where = NULL;
	printf("self-test: %u touch targets checked, %u problems\n",
	       t->checked, t->problems);
	if (!ym_household_get_loaded(t->household))
		printf("self-test: the daemon did not answer; only the empty "
		       "screens were checked\n");
	fflush(stdout);
	*t->exit_code = t->problems ? 1 : 0;
	g_application_quit(t->app);
	g_free(t);
	return G_SOURCE_REMOVE;
}

static void begin(SelfTest *t)
{
	GtkWidget *stack = find_type(GTK_WIDGET(t->window), GTK_TYPE_STACK);

	/* No cross-fade: measure each screen, not two at once. */
	if (stack)
		gtk_stack_set_transition_type(GTK_STACK(stack),
					      GTK_STACK_TRANSITION_TYPE_NONE);
	g_timeout_add(SETTLE_MS, step_cb, t);
}

static void loaded_cb(YmHousehold *household, gpointer data)
{
	SelfTest *t = data;

	if (!ym_household_get_loaded(household))
		return;
	g_signal_handlers_disconnect_by_func(household, loaded_cb, data);
	g_clear_handle_id(&t->load_timeout, g_source_remove);
	begin(t);
}

static gboolean load_timeout_cb(gpointer data)
{
	SelfTest *t = data;

	t->load_timeout = 0;
	g_signal_handlers_disconnect_by_func(t->household, loaded_cb, t);
	begin(t);
	return G_SOURCE_REMOVE;
}

void ym_self_test_start(GApplication *app, YmWindow *window,
			YmHousehold *household, int *exit_code)
{
	SelfTest *t = g_new0(SelfTest, 1);

	t->app = app;
	t->window = window;
	t->household = household;
	t->exit_code = exit_code;
	if (ym_household_get_loaded(household)) {
		begin(t);
		return;
	}
	g_signal_connect(household, "changed", G_CALLBACK(loaded_cb), t);
	t->load_timeout = g_timeout_add(LOAD_TIMEOUT_MS, load_timeout_cb, t);
}
