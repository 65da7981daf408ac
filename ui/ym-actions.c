#include "ym-actions.h"

#include "ym-dialogs.h"
#include "ym-kind-dialog.h"
#include "ym-pin-dialog.h"
#include "ym-rename-dialog.h"
#include "ym-text.h"
#include "ym-widgets.h"

/* One action in flight: the window to answer in (dialogs need it, and the
 * widget that started it may be rebuilt meanwhile) and the device. */
typedef struct {
	GtkWidget *window;
	YmHousehold *household;
	YmPrefs *prefs;
	char *mac;
	char *name;
	gboolean on;
	/* The password check over several devices. */
	char **macs;
	guint waiting;
	guint found;     /* a factory password works */
	guint open;      /* a way in asks for no password */
	guint could_not; /* asked, and not (wholly) told */
	guint fine;      /* every way in refused the defaults, or none asked */
	guint web_form; /* devices with a login page Yamori does not try */
	GString *lines;  /* one line per device, naming it */
	GCallback done;
	gpointer done_data;
} Job;

static Job *job_new(GtkWidget *parent, YmHousehold *household,
		    YmPrefs *prefs, JsonObject *device)
{
	Job *job = g_new0(Job, 1);
	GtkRoot *root = gtk_widget_get_root(parent);

	job->window = g_object_ref(root ? GTK_WIDGET(root) : parent);
	job->household = g_object_ref(household);
	job->prefs = prefs ? g_object_ref(prefs) : NULL;
	if (device) {
		job->mac = g_strdup(json_object_get_string_member_with_default(
			device, "mac", ""));
		job->name = ym_text_device_name(device);
	}
	return job;
}

static void job_free(gpointer data)
{
	Job *job = data;

	g_object_unref(job->window);
	g_object_unref(job->household);
	g_clear_object(&job->prefs);
	g_free(job->mac);
	g_free(job->name);
	g_strfreev(job->macs);
	if (job->lines)
		g_string_free(job->lines, TRUE);
	g_free(job);
}

static JsonObject *mac_args(const char *mac)
{
	JsonObject *args = json_object_new();

	json_object_set_string_member(args, "mac", mac);
	return args;
}

/* The answer to a request whose result is the device. */
static JsonObject *device_of(JsonNode *node)
{
	return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node)
						    : NULL;
}

/* -- password check ----------------------------------------------------- */

static void audit_finish(Job *job)
{
	GtkWidget *w = job->window;
	const char *heading;
	g_autoptr(GString) body = g_string_new(NULL);

	/* The worst first: an error on one device never hides a factory
	 * password found on another, and every device is named. */
	if (job->found)
		heading = _("A password is still the one it came with.");
	else if (job->open)
		heading = _("A device can be used without a password.");
	else if (!job->fine)
		heading = _("The password could not be checked.");
	else
		heading = _("The check is done.");
	if (job->found || job->open)
		g_string_append_printf(body, "%s\n",
				       _("Please set a new password on it. The "
					 "maker can tell you how."));
	else if (!job->could_not)
		g_string_append_printf(body, "%s\n",
				       _("No device opened with the password it "
					 "came with."));
	if (job->web_form)
		g_string_append_printf(body, "%s\n",
				       _("A web page on a device also asks for a "
					 "password. Yamori does not try that "
					 "one. Please make sure it is not the "
					 "one it came with."));
	g_string_append(body, job->lines->str);
	ym_dialog_tell(w, heading, g_strchomp(body->str), NULL);
	if (job->done)
		((void (*)(gpointer))job->done)(job->done_data);
	ym_household_refresh(job->household);
	job_free(job);
}

/* How a check's report ends, per service (see docs/API.md "audit"). */
static gboolean report_has(JsonObject *report, const char *result,
			   const char *detail)
{
	JsonArray *list =
		report && json_object_has_member(report, "services")
			? json_object_get_array_member(report, "services")
			: NULL;

	for (guint i = 0; list && i < json_array_get_length(list); i++) {
		JsonObject *s = json_array_get_object_element(list, i);

		if (s &&
		    g_strcmp0(json_object_get_string_member_with_default(
				      s, "result", ""),
			      result) == 0 &&
		    (!detail ||
		     g_strcmp0(json_object_get_string_member_with_default(
				       s, "detail", ""),
			       detail) == 0))
			return TRUE;
	}
	return FALSE;
}

/* Whether every way in the report was closed or refused the defaults. */
static gboolean report_all_told(JsonObject *report)
{
	JsonArray *list =
		report && json_object_has_member(report, "services")
			? json_object_get_array_member(report, "services")
			: NULL;

	for (guint i = 0; list && i < json_array_get_length(list); i++) {
		const char *r = json_object_get_string_member_with_default(
			json_array_get_object_element(list, i), "result", "");

		if (!g_str_equal(r, "not_offered") &&
		    !g_str_equal(r, "defaults_refused"))
			return FALSE;
	}
	return TRUE;
}

/* Why one device could not be checked, by the daemon's code. */
static const char *audit_error_text(const GError *error)
{
	if (g_error_matches(error, YM_CLIENT_ERROR, YM_CLIENT_ERROR_REFUSED))
		return _("Yamori cannot reach it on your network now.");
	if (g_error_matches(error, YM_CLIENT_ERROR, YM_CLIENT_ERROR_BUSY))
		return _("It was checked enough today. Please try again "
			 "tomorrow.");
	return ym_text_error(error);
}

/* One device's check in flight. */
typedef struct {
	Job *job;
	char *mac;
} AuditCall;

static void audit_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	AuditCall *call = data;
	Job *job = call->job;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);
	JsonObject *report = device_of(node);
	JsonObject *dev = ym_household_find_device(job->household, call->mac);
	g_autofree char *name = dev ? ym_text_device_name(dev)
				    : g_strdup(call->mac);
	const char *what;

	if (!node) {
		job->could_not++;
		what = audit_error_text(error);
	} else if (report_has(report, "default_accepted", NULL)) {
		job->found++;
		what = ym_text_flag_problem("default_password");
	} else if (report_has(report, "open", NULL)) {
		job->open++;
		what = _("Anyone can use it without a password.");
	} else if (report_has(report, "defaults_refused", NULL) &&
		   report_all_told(report)) {
		job->fine++;
		what = _("The password it came with does not work. Good.");
	} else if (report_all_told(report)) {
		job->fine++;
		what = _("It has no way in that asks for a password.");
	} else {
		job->could_not++;
		what = _("Yamori could not check it.");
	}
	if (report && report_has(report, "login_required", "web form"))
		job->web_form++;
	/* TRANSLATORS: one device's result: its name, then a sentence. */
	g_string_append_printf(job->lines, _("\"%s\": %s\n"), name, what);
	/* Whom to ask, for a device that needs a new password. */
	if (dev && node && (report_has(report, "default_accepted", NULL) ||
			    report_has(report, "open", NULL))) {
		g_autofree char *contact = ym_text_contact(dev);
		const char *model = json_object_get_string_member_with_default(
			dev, "model", "");

		if (model[0]) {
			/* TRANSLATORS: a device's model number follows. */
			g_string_append_printf(job->lines, _("Model: %s"),
					       model);
			g_string_append_c(job->lines, '\n');
		}
		if (contact)
			g_string_append_printf(job->lines, "%s\n", contact);
	}
	g_free(call->mac);
	g_free(call);
	if (--job->waiting == 0)
		audit_finish(job);
}

static void audit_run(Job *job)
{
	YmClient *client = ym_household_get_client(job->household);

	job->waiting = g_strv_length(job->macs);
	job->lines = g_string_new(NULL);
	if (job->waiting == 0) {
		audit_finish(job);
		return;
	}
	ym_widget_toast(job->window, _("Checking the password..."));
	for (guint i = 0; job->macs[i]; i++) {
		JsonObject *args = json_object_new();
		AuditCall *call = g_new0(AuditCall, 1);

		call->job = job;
		call->mac = g_strdup(job->macs[i]);
		json_object_set_string_member(args, "target", job->macs[i]);
		ym_client_call_async(client, "audit", args, NULL, audit_cb,
				     call);
	}
}

static void audit_consent_cb(gboolean confirmed, gpointer data)
{
	Job *job = data;

	if (confirmed)
		audit_run(job);
	else
		job_free(job);
}

void ym_action_audit(GtkWidget *parent, YmHousehold *household,
		     YmPrefs *prefs, const char *const *macs, GCallback done,
		     gpointer done_data)
{
	Job *job = job_new(parent, household, prefs, NULL);

	job->macs = g_strdupv((char **)macs);
	job->done = done;
	job->done_data = done_data;
	switch (ym_prefs_get_audit(prefs)) {
	case YM_POLICY_OFF:
		ym_dialog_tell(parent, _("The password check is turned off."),
			       _("You can turn it on in the settings."), NULL);
		job_free(job);
		return;
	case YM_POLICY_ASK:
		ym_dialog_confirm(
			parent, _("Check the passwords?"),
			_("Yamori tries the password each device came with. "
			  "It changes nothing on the devices. It keeps no "
			  "password it finds."),
			/* TRANSLATORS: a button that starts the password
			 * check. */
			_("Check"), FALSE, audit_consent_cb, job, NULL);
		return;
	case YM_POLICY_ON:
	default:
		audit_run(job);
		return;
	}
}

/* -- rename --------------------------------------------------------------- */

static void rename_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Job *job = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);

	if (!node)
		ym_dialog_error(job->window, _("The name could not be changed."),
				error);
	else
		ym_widget_toast(job->window, _("The name is changed."));
	ym_household_refresh(job->household);
	job_free(job);
}

static void rename_response_cb(AdwMessageDialog *dialog, const char *response,
			       gpointer data)
{
	Job *job = data;
	g_autofree char *name = NULL;
	JsonObject *args;

	if (g_strcmp0(response, "rename") != 0) {
		job_free(job);
		return;
	}
	name = ym_rename_dialog_get_name(YM_RENAME_DIALOG(dialog));
	args = mac_args(job->mac);
	json_object_set_string_member(args, "name", name);
	ym_client_call_async(ym_household_get_client(job->household), "rename",
			     args, NULL, rename_cb, job);
}

void ym_action_rename(GtkWidget *parent, YmHousehold *household,
		      JsonObject *device)
{
	Job *job = job_new(parent, household, NULL, device);
	GtkWidget *dialog = ym_rename_dialog_new(job->window, device);

	g_signal_connect(dialog, "response", G_CALLBACK(rename_response_cb),
			 job);
	gtk_window_present(GTK_WINDOW(dialog));
}

/* -- what is this --------------------------------------------------------- */

static void set_kind_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Job *job = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);

	if (!node)
		ym_dialog_error(job->window,
				_("Yamori could not keep your answer."), error);
	else
		ym_widget_toast(job->window, _("Thank you. Yamori keeps it."));
	ym_household_refresh(job->household);
	job_free(job);
}

static void set_kind_response_cb(AdwMessageDialog *dialog,
				 const char *response, gpointer data)
{
	Job *job = data;
	YmKindDialog *kd = YM_KIND_DIALOG(dialog);
	g_autofree char *maker = NULL;
	JsonObject *args;

	if (g_strcmp0(response, "tell") != 0 || !ym_kind_dialog_get_kind(kd)) {
		job_free(job);
		return;
	}
	maker = ym_kind_dialog_get_maker(kd);
	args = mac_args(job->mac);
	json_object_set_string_member(args, "type",
				      ym_kind_dialog_get_kind(kd));
	if (maker[0])
		json_object_set_string_member(args, "vendor", maker);
	ym_client_call_async(ym_household_get_client(job->household),
			     "set_kind", args, NULL, set_kind_cb, job);
}

void ym_action_set_kind(GtkWidget *parent, YmHousehold *household,
			JsonObject *device)
{
	Job *job = job_new(parent, household, NULL, device);
	GtkWidget *dialog = ym_kind_dialog_new(job->window, device);

	g_signal_connect(dialog, "response", G_CALLBACK(set_kind_response_cb),
			 job);
	gtk_window_present(GTK_WINDOW(dialog));
}

/* -- isolate and bring back ------------------------------------------------ */

static void isolate_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Job *job = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);
	JsonObject *dev = device_of(node);
	g_autofree char *heading = NULL;

	if (g_error_matches(error, YM_CLIENT_ERROR,
			    YM_CLIENT_ERROR_TURNED_OFF)) {
		/* isolate = none: the settings cannot change it; the
		 * household can still cut the device off by hand. */
		ym_dialog_tell(job->window,
			       _("The traffic could not be stopped."),
			       _("This box cannot stop a device's traffic. "
				 "Please switch the device off for now."),
			       NULL);
	} else if (!node) {
		ym_dialog_error(job->window,
				_("The traffic could not be stopped."), error);
	} else if (dev && ym_text_has_flag(dev, "isolated")) {
		heading = g_strdup_printf(
			_("Yamori stopped the traffic of \"%s\"."), job->name);
		ym_dialog_tell(job->window, heading,
			       _("Your other devices work as usual. When it "
				 "is fixed, press \"Bring back\"."),
			       NULL);
	} else {
		/* The daemon says "isolated" only once it verified it. */
		ym_dialog_tell(job->window, _("Yamori is stopping it now."),
			       _("It is not sure yet. Please look again in a "
				 "little while."),
			       NULL);
	}
	ym_household_refresh(job->household);
	job_free(job);
}

static void isolate_confirm_cb(gboolean confirmed, gpointer data)
{
	Job *job = data;

	if (!confirmed) {
		job_free(job);
		return;
	}
	ym_client_call_async(ym_household_get_client(job->household),
			     "isolate", mac_args(job->mac), NULL, isolate_cb,
			     job);
}

void ym_action_isolate(GtkWidget *parent, YmHousehold *household,
		       JsonObject *device)
{
	Job *job = job_new(parent, household, NULL, device);
	g_autofree char *body = NULL;
	YmLevel level = YM_LEVEL_SAFE;

	job->on = TRUE;
	body = g_strdup_printf(_("\"%s\" will not be able to use the network. "
				 "Your other devices work as usual."),
			       job->name);
	/* Red only when the device is in danger: on a healthy one, stopping
	 * is the household's choice, not an alarm. */
	ym_text_device_state(household, device, &level);
	ym_dialog_confirm(parent, _("Stop its traffic?"), body,
			  /* TRANSLATORS: a button that stops a device's
			   * traffic; never read as "cancel". */
			  _("Stop its traffic"), level == YM_LEVEL_DANGER,
			  isolate_confirm_cb, job, NULL);
}

static void release_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Job *job = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);

	if (!node)
		ym_dialog_error(job->window,
				_("The traffic could not be brought back."),
				error);
	else
		ym_widget_toast(job->window, _("The traffic is back."));
	ym_household_refresh(job->household);
	job_free(job);
}

static void release_confirm_cb(gboolean confirmed, gpointer data)
{
	Job *job = data;

	if (!confirmed) {
		job_free(job);
		return;
	}
	ym_client_call_async(ym_household_get_client(job->household),
			     "release", mac_args(job->mac), NULL, release_cb,
			     job);
}

static void release_pin_cb(gboolean ok, gpointer data)
{
	Job *job = data;
	g_autofree char *body = NULL;

	if (!ok) {
		job_free(job);
		return;
	}
	body = g_strdup_printf(_("\"%s\" can use the network again. Please "
				 "do this after it is fixed."),
			       job->name);
	ym_dialog_confirm(job->window, _("Bring back its traffic?"), body,
			  _("Bring back"), FALSE, release_confirm_cb, job, NULL);
}

void ym_action_release(GtkWidget *parent, YmHousehold *household,
		       YmPrefs *prefs, JsonObject *device)
{
	Job *job = job_new(parent, household, prefs, device);

	ym_pin_dialog_require(parent, prefs, release_pin_cb, job);
}

/* -- never isolate ----------------------------------------------------------- */

static void never_isolate_cb(GObject *source, GAsyncResult *result,
			     gpointer data)
{
	Job *job = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);

	if (!node) {
		ym_dialog_error(job->window, _("The setting could not be changed."),
				error);
	} else {
		ym_widget_toast(job->window,
				job->on ? _("Yamori will not stop it by itself.")
					: _("Yamori may stop it when it is "
					    "dangerous."));
	}
	ym_household_refresh(job->household);
	job_free(job);
}

static void never_isolate_send(Job *job)
{
	JsonObject *args = mac_args(job->mac);

	json_object_set_boolean_member(args, "on", job->on);
	ym_client_call_async(ym_household_get_client(job->household),
			     "never_isolate", args, NULL, never_isolate_cb, job);
}

static void never_isolate_confirm_cb(gboolean confirmed, gpointer data)
{
	Job *job = data;

	if (confirmed)
		never_isolate_send(job);
	else
		job_free(job);
}

static void never_isolate_pin_cb(gboolean ok, gpointer data)
{
	Job *job = data;

	if (!ok) {
		job_free(job);
		return;
	}
	ym_dialog_confirm(job->window, _("Never stop it by itself?"),
			  _("Even when something dangerous happens, Yamori "
			    "will not stop this device."),
			  /* TRANSLATORS: a button: never isolate this
			   * device. */
			  _("Never stop"), TRUE, never_isolate_confirm_cb, job,
			  NULL);
}

void ym_action_never_isolate(GtkWidget *parent, YmHousehold *household,
			     YmPrefs *prefs, JsonObject *device, gboolean on)
{
	Job *job = job_new(parent, household, prefs, device);

	job->on = on;
	if (on)
		ym_pin_dialog_require(parent, prefs, never_isolate_pin_cb, job);
	else
		never_isolate_send(job);
}

/* -- give away ----------------------------------------------------------------- */

/* The reset steps, when the daemon sends them with the device:
 * "reset_steps" ("a|b|c", as yamorid sends it, or a list) or "reset"
 * ("a|b|c"), at the top or under "support". Empty steps are dropped. */
static char **split_steps(const char *text)
{
	g_auto(GStrv) parts = g_strsplit(text, "|", -1);
	GStrvBuilder *b = g_strv_builder_new();
	char **out;

	for (guint i = 0; parts[i]; i++) {
		g_strstrip(parts[i]);
		if (parts[i][0])
			g_strv_builder_add(b, parts[i]);
	}
	out = g_strv_builder_end(b);
	g_strv_builder_unref(b);
	return out;
}

static char **reset_steps(JsonObject *dev)
{
	JsonObject *support = dev && json_object_has_member(dev, "support") &&
					      JSON_NODE_HOLDS_OBJECT(json_object_get_member(
						      dev, "support"))
				      ? json_object_get_object_member(dev, "support")
				      : NULL;
	JsonObject *where[] = { dev, support };

	for (gsize w = 0; w < G_N_ELEMENTS(where); w++) {
		JsonObject *o = where[w];
		JsonNode *n;

		if (!o)
			continue;
		n = json_object_get_member(o, "reset_steps");
		if (n && JSON_NODE_HOLDS_ARRAY(n)) {
			JsonArray *a = json_node_get_array(n);
			GStrvBuilder *b = g_strv_builder_new();
			char **out;

			for (guint i = 0; i < json_array_get_length(a); i++)
				g_strv_builder_add(
					b, json_array_get_string_element(a, i));
			out = g_strv_builder_end(b);
			g_strv_builder_unref(b);
			return out;
		}
		for (int k = 0; k < 2; k++) {
			n = json_object_get_member(o, k ? "reset" : "reset_steps");
			if (n && JSON_NODE_HOLDS_VALUE(n) &&
			    json_node_get_value_type(n) == G_TYPE_STRING &&
			    json_node_get_string(n)[0])
				return split_steps(json_node_get_string(n));
		}
	}
	return NULL;
}

/* Steps true of any device, when the daemon knows none for it. */
static char **generic_steps(void)
{
	const char *steps[] = {
		_("Find the maker's manual or web page."),
		_("Look for the words \"factory reset\" there."),
		_("Do the steps written there."),
		_("If you cannot find them, ask the maker."),
		NULL,
	};

	return g_strdupv((char **)steps);
}

char **ym_action_reset_steps(JsonObject *device)
{
	char **steps = reset_steps(device);

	if (steps && steps[0])
		return steps;
	g_strfreev(steps);
	return generic_steps();
}

static void retire_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Job *job = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, &error);
	g_autofree char *heading = NULL;

	if (!node) {
		ym_dialog_error(job->window,
				_("The device could not be marked."), error);
		job_free(job);
		return;
	}
	heading = g_strdup_printf(_("\"%s\" is marked as given away."),
				  job->name);
	ym_dialog_tell(job->window, heading,
		       _("You can undo it in rule 4 of the check."), NULL);
	gtk_widget_activate_action(job->window, "win.page", "s", "devices");
	ym_household_refresh(job->household);
	job_free(job);
}

static void retire_confirm_cb(gboolean confirmed, gpointer data)
{
	Job *job = data;

	if (!confirmed) {
		job_free(job);
		return;
	}
	ym_client_call_async(ym_household_get_client(job->household), "retire",
			     mac_args(job->mac), NULL, retire_cb, job);
}

void ym_action_retire(GtkWidget *parent, YmHousehold *household,
		      JsonObject *device)
{
	Job *job = job_new(parent, household, NULL, device);
	g_auto(GStrv) steps = ym_action_reset_steps(device);
	g_autoptr(GString) body = g_string_new(NULL);
	g_autofree char *heading = NULL;

	/* The steps first: the device is marked only once it is erased. */
	heading = g_strdup_printf(_("How to erase \"%s\""), job->name);
	g_string_append_printf(body, "%s\n",
			       _("How to reset it to factory settings"));
	for (guint i = 0; steps[i]; i++)
		g_string_append_printf(body, "%u. %s\n", i + 1, steps[i]);
	ym_dialog_confirm(parent, heading, g_strchomp(body->str),
			  /* TRANSLATORS: a button: the household erased the
			   * device's data (rule 4). */
			  _("I erased the data"), FALSE, retire_confirm_cb,
			  job, NULL);
}
