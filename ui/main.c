/* yamori-panel: the household's touchscreen. Start-up only: gettext, the
 * options, the connection, the settings and the window. */
#include <adwaita.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ym-client.h"
#include "ym-first-run.h"
#include "ym-household.h"
#include "ym-prefs.h"
#include "ym-self-test.h"
#include "ym-text.h"
#include "ym-window.h"

typedef struct {
	gboolean kiosk;
	gboolean self_test;
	gboolean bench;
	int exit_code;
	gint64 started_us;
	YmClient *client;
	YmHousehold *household;
	YmPrefs *prefs;
	YmWindow *window;
} Panel;

/* As daemon/i18n.c: translations next to the executable in a build tree
 * (../locale), else the installed ones; YAMORI_LOCALEDIR overrides. */
static void i18n_init(void)
{
	const char *env = g_getenv("YAMORI_LOCALEDIR");
	const char *lang = g_getenv("LANG");
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = NULL;

	if (!setlocale(LC_ALL, "")) {
		/* The locale is not generated here: keep UTF-8 and still
		 * honour the language through LANGUAGE. */
		setlocale(LC_ALL, "C.UTF-8");
		if (lang && lang[0] && lang[0] != 'C' && !g_getenv("LANGUAGE")) {
			g_autofree char *code =
				g_strndup(lang, strcspn(lang, "_.@"));

			g_setenv("LANGUAGE", code, FALSE);
		}
	}
	if (env && env[0]) {
		bindtextdomain(GETTEXT_PACKAGE, env);
	} else {
		if (exe) {
			g_autofree char *bin = g_path_get_dirname(exe);

			dir = g_build_filename(bin, "..", "locale", NULL);
		}
		bindtextdomain(GETTEXT_PACKAGE,
			       dir && g_file_test(dir, G_FILE_TEST_IS_DIR)
				       ? dir
				       : YM_LOCALEDIR);
	}
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
}

static long rss_kb(void)
{
	g_autofree char *status = NULL;
	const char *line;

	if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
		return -1;
	line = strstr(status, "VmRSS:");
	return line ? strtol(line + 6, NULL, 10) : -1;
}

static void bench_report(Panel *p, const char *what)
{
	const char *t0 = g_getenv("YAMORI_BENCH_T0_NS");
	double since_exec = -1;

	/* The caller's clock before exec, when it gives one, counts the
	 * dynamic loading too. */
	if (t0 && t0[0])
		since_exec = (g_get_real_time() * 1000.0 -
			      g_ascii_strtod(t0, NULL)) / 1e6;
	printf("%s_ms=%.1f %s_since_main_ms=%.1f %s_rss_kb=%ld\n", what,
	       since_exec, what, (g_get_monotonic_time() - p->started_us) / 1000.0,
	       what, rss_kb());
	fflush(stdout);
}

static void bench_loaded_cb(YmHousehold *household, Panel *p)
{
	if (!ym_household_get_loaded(household))
		return;
	bench_report(p, "loaded");
	g_signal_handlers_disconnect_by_func(household, bench_loaded_cb, p);
	g_application_quit(g_application_get_default());
}

static gboolean bench_timeout_cb(gpointer data)
{
	(void)data;
	g_application_quit(g_application_get_default());
	return G_SOURCE_REMOVE;
}

static void first_frame_cb(GdkFrameClock *clock, Panel *p)
{
	g_signal_handlers_disconnect_by_func(clock, first_frame_cb, p);
	bench_report(p, "first_frame");
	if (ym_household_get_loaded(p->household))
		bench_loaded_cb(p->household, p);
	else
		g_timeout_add_seconds(5, bench_timeout_cb, NULL);
}

static void bench_mapped_cb(GtkWidget *window, Panel *p)
{
	g_signal_connect(gtk_widget_get_frame_clock(window), "after-paint",
			 G_CALLBACK(first_frame_cb), p);
}

static void activate_cb(GtkApplication *app, Panel *p)
{
	if (p->window) {
		gtk_window_present(GTK_WINDOW(p->window));
		return;
	}
	p->window = ym_window_new(app, p->household, p->prefs, p->kiosk);
	if (p->bench) {
		g_signal_connect(p->window, "map", G_CALLBACK(bench_mapped_cb),
				 p);
		g_signal_connect(p->household, "changed",
				 G_CALLBACK(bench_loaded_cb), p);
	}
	gtk_window_present(GTK_WINDOW(p->window));
	/* An appliance's first screen offers the household its own PIN; the
	 * self-test and the benchmark are not a household's start. */
	if (p->kiosk && !p->self_test && !p->bench)
		ym_first_run_offer_pin(GTK_WINDOW(p->window), p->prefs);
	if (p->self_test)
		ym_self_test_start(G_APPLICATION(app), p->window, p->household,
				   &p->exit_code);
}

int main(int argc, char **argv)
{
	Panel p = { .started_us = g_get_monotonic_time() };
	gboolean forget_pin = FALSE; /* handled before the options, below */
	const GOptionEntry options[] = {
		{ "kiosk", 0, 0, G_OPTION_ARG_NONE, &p.kiosk,
		  "Full screen, no title bar (the appliance's screen)", NULL },
		{ "self-test", 0, 0, G_OPTION_ARG_NONE, &p.self_test,
		  "Visit every screen, check the touch targets, exit", NULL },
		{ "forget-pin", 0, 0, G_OPTION_ARG_NONE, &forget_pin,
		  "Remove the household's PIN from the settings, exit (run "
		  "as the panel's user)", NULL },
		{ "bench", 0, 0, G_OPTION_ARG_NONE, &p.bench,
		  "Print the time to the first frame and the memory, exit",
		  NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(AdwApplication) app = NULL;
	int rc;

	i18n_init();
	/* The PIN recovery works without a screen: it only edits the file. */
	for (int i = 1; i < argc; i++) {
		if (g_strcmp0(argv[i], "--forget-pin") == 0) {
			g_autoptr(GError) error = NULL;

			if (ym_prefs_forget_pin(&error) < 0) {
				g_printerr("yamori-panel: %s\n", error->message);
				return 1;
			}
			g_print("yamori-panel: the PIN is removed; restart the "
				"panel (systemctl restart "
				"yamori-panel-kiosk)\n");
			return 0;
		}
	}
	app = adw_application_new("jp.yamori.Panel", G_APPLICATION_NON_UNIQUE);
	g_application_set_resource_base_path(G_APPLICATION(app),
					     "/jp/yamori/panel");
	g_application_add_main_option_entries(G_APPLICATION(app), options);
	g_application_set_option_context_summary(
		G_APPLICATION(app),
		"The household's touchscreen for yamorid. The daemon's socket "
		"is $YAMORI_SOCKET, else /run/yamori/yamori.sock.");
	p.client = ym_client_new(ym_client_default_path());
	p.household = ym_household_new(p.client);
	p.prefs = ym_prefs_new();
	ym_client_start(p.client);
	g_signal_connect(app, "activate", G_CALLBACK(activate_cb), &p);
	rc = g_application_run(G_APPLICATION(app), argc, argv);
	if (p.window)
		gtk_window_destroy(GTK_WINDOW(p.window));
	g_clear_object(&p.household);
	g_clear_object(&p.client);
	g_clear_object(&p.prefs);
	return rc ? rc : p.exit_code;
}
