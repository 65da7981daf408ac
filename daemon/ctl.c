#define _GNU_SOURCE
/* yamorictl: reports what Yamori knows. Reads the state directory read-only
 * (SQLite WAL lets it do so while the daemon writes). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <locale.h>
#include <unistd.h>
#include <wchar.h>

#include <jansson.h>

#include "ctl.h"
#include "api.h"
#include "api-client.h"
#include "config.h"
#include "device.h"
#include "engine.h"
#include "evlog.h"
#include "i18n.h"
#include "report.h"
#include "store.h"
#include "support.h"

#ifndef YM_VERSION
#define YM_VERSION "0.0.0"
#endif

static void usage(FILE *out)
{
	fprintf(out, "%s",
		_("usage: yamorictl [--state-dir DIR] [-c CONFIG] COMMAND [--json]\n"
		  "commands: devices [--all], alerts, status, rename MAC NAME,\n"
		  "          retire MAC, audit IP|MAC, isolate MAC, release MAC,\n"
		  "          kind MAC TYPE [VENDOR], update FILE, update --fetch,\n"
		  "          settings [audit=off|ask|on] [auto_isolate=never|ask|critical],\n"
		  "          log [verify], wipe [--yes]\n"));
}

/* --all (ctl.h). */
bool show_all;
/* update --fetch: from the config's update_url now. */
static bool fetch;

/* The daemon's API when it runs, else NULL and the database is read. */
struct ym_api_client *g_api;

/* Answers may take this long; a password check or an isolation takes
 * longer (see cmd_audit, cmd_isolate). */
#define CTL_TIMEOUT_MS 60000
/* A check is spaced out over several services; isolation is verified. */
#define CTL_AUDIT_TIMEOUT_MS (15 * 60 * 1000)
#define CTL_ISOLATE_TIMEOUT_MS (2 * 60 * 1000)
/* A fetched update may take the daemon's whole download time. */
#define CTL_UPDATE_TIMEOUT_MS ((YM_FETCH_TIMEOUT_SEC + 60) * 1000)

/* One request and its answer; NULL with err set when the daemon refused or
 * did not answer (then err->code is YM_API_INTERNAL). */
json_t *api_call(const char *cmd, json_t *args, struct ym_api_error *err)
{
	json_t *out = NULL;
	int rc = ym_api_client_call(g_api, cmd, args, &out, err);

	if (rc < 0 && rc != -EBADMSG)
		snprintf(err->msg, sizeof(err->msg), "%s",
			 _("the daemon did not answer"));
	return rc < 0 ? NULL : out;
}

/* True when a daemon is writing this state directory now. */
static bool daemon_running(struct ym_store *s)
{
	char *text = ym_store_get_meta(s, "status"), path[64];
	json_t *st = text ? json_loads(text, 0, NULL) : NULL;
	const char *state = json_string_value(json_object_get(st, "state"));
	bool running = false;

	if (state && strcmp(state, "running") == 0) {
		snprintf(path, sizeof(path), "/proc/%lld",
			 (long long)jint(st, "pid"));
		running = access(path, F_OK) == 0;
	}
	json_decref(st);
	free(text);
	return running;
}

struct find_ctx {
	uint8_t mac[6];
	struct ym_device *found;
};

static int find_device(const struct ym_device *d, void *arg)
{
	struct find_ctx *c = arg;

	if (memcmp(d->mac, c->mac, 6) == 0 && !c->found) {
		c->found = malloc(sizeof(*c->found));
		if (c->found)
			*c->found = *d;
	}
	return 0;
}

/* Prints reset steps ("a|b|c") as a numbered list. */
static void print_steps(const char *steps)
{
	int n = 1;

	while (*steps) {
		size_t len = strcspn(steps, "|");

		printf("  %d. %.*s\n", n++, (int)len, steps);
		steps += len;
		if (*steps == '|')
			steps++;
	}
}

/* The MAC as the daemon writes it (lower case, colons). */
static const char *args_mac(const char *text)
{
	static char out[YM_MAC_STRLEN];
	uint8_t mac[6];

	if (ym_mac_parse(text, mac) < 0)
		return text;
	ym_mac_format(mac, out);
	return out;
}

/* Tells how to reset a device that was given away (from its JSON). */
static int print_retired(const struct ym_config *cfg, json_t *dev)
{
	const struct ym_support_entry *m = NULL;
	struct ym_support *kb = load_support(cfg);
	const char *name = json_string_value(json_object_get(dev, "name"));
	const char *vendor = json_string_value(json_object_get(dev, "vendor"));
	const char *steps;

	m = ym_support_model(kb, vendor,
			     json_string_value(json_object_get(dev, "model")));
	if (!m || !m->reset_ja[0])
		m = ym_support_generic(kb, json_string_value(
						   json_object_get(dev, "type")));
	printf(_("\"%s\" is marked as given away.\n"),
	       name && name[0] ? name : vendor && vendor[0] ? vendor : "-");
	printf("%s\n", _("Before you give it away, erase the data in it."));
	steps = m ? (ym_i18n_japanese() ? m->reset_ja : m->reset_en) : "";
	if (steps[0]) {
		printf("%s\n", _("To reset it to factory settings:"));
		print_steps(steps);
		printf("(%s)\n", m->source);
	} else {
		printf("%s\n", _("See the maker's manual for how to reset it "
				  "to factory settings."));
	}
	ym_support_fini(kb);
	return 0;
}

static int cmd_retire(struct ym_store *s, const struct ym_config *cfg,
		      const uint8_t mac[6])
{
	struct find_ctx c = { .found = NULL };
	int rc;

	memcpy(c.mac, mac, 6);
	if (ym_store_get_devices(s, find_device, &c) < 0 || !c.found) {
		fprintf(stderr, "yamorictl: %s\n",
			_("no device with that MAC address"));
		return 2;
	}
	rc = ym_store_retire(s, mac);
	if (rc < 0) {
		free(c.found);
		fprintf(stderr, "yamorictl: %s\n", _("cannot mark the device"));
		return 1;
	}
	{
		json_t *dev = ym_report_device(c.found);

		rc = print_retired(cfg, dev);
		json_decref(dev);
	}
	free(c.found);
	return rc;
}

static const char *audit_label(const char *result)
{
	static const struct {
		const char *result, *label;
	} labels[] = {
		{ "not_offered", N_("not offered") },
		{ "login_required", N_("asks for a password") },
		{ "default_accepted", N_("FACTORY PASSWORD STILL WORKS") },
		{ "defaults_refused", N_("factory passwords do not work") },
		{ "open", N_("no password at all") },
		{ "error", N_("could not be checked") },
		{ "not_supported", N_("this box cannot check it") },
	};

	for (size_t i = 0; i < YM_ARRAY_SIZE(labels); i++)
		if (strcmp(labels[i].result, result) == 0)
			return _(labels[i].label);
	return result;
}

/* Runs a password check now through the daemon and prints the result. */
static int cmd_audit(const char *target, bool as_json)
{
	json_t *args, *r, *svc;
	struct ym_api_error err;
	size_t i;
	bool found = false;

	if (!g_api) {
		fprintf(stderr, "yamorictl: %s\n",
			_("yamorid is not running; the check needs it"));
		return 1;
	}
	args = json_pack("{s:s}", "target", target);
	ym_api_client_set_timeout(g_api, CTL_AUDIT_TIMEOUT_MS);
	r = api_call("audit", args, &err);
	json_decref(args);
	if (!r) {
		fprintf(stderr, "yamorictl: %s\n", err.msg);
		/* Bad input: a target that is not an address, or one the
		 * safety rules refuse. */
		return err.code == YM_API_REFUSED ||
			       err.code == YM_API_BAD_REQUEST ? 2 : 1;
	}
	if (as_json) {
		json_dumpf(r, stdout, JSON_FLAGS);
		putchar('\n');
		json_decref(r);
		return 0;
	}
	json_array_foreach(json_object_get(r, "services"), i, svc) {
		const char *res = json_string_value(json_object_get(svc,
								    "result"));
		const char *user = json_string_value(json_object_get(svc,
								     "user"));

		if (strcmp(res, "not_offered") == 0)
			continue;
		found = true;
		printf("%-8s %5lld  %s", json_string_value(json_object_get(
						 svc, "service")),
		       (long long)json_integer_value(json_object_get(svc,
								     "port")),
		       audit_label(res));
		if (user && user[0])
			printf(" (%s)", user);
		if (strcmp(res, "login_required") == 0 &&
		    strcmp(json_string_value(json_object_get(svc, "detail")) ?:
				   "",
			   "web form") == 0)
			printf(" - %s", _("This login page was not checked."));
		putchar('\n');
	}
	if (!found)
		printf("%s\n", _("No login services found on this device."));
	json_decref(r);
	return 0;
}

/* Isolates or releases a device through the daemon, which verifies an
 * isolation before it answers. */
static int cmd_isolate(const char *cmd, int nargs, char **args, bool as_json)
{
	json_t *req, *dev;
	struct ym_api_error err;
	uint8_t mac[6];

	if (nargs != 1 || ym_mac_parse(args[0], mac) < 0) {
		fprintf(stderr, "yamorictl: %s\n",
			_("give a MAC address like aa:bb:cc:dd:ee:ff"));
		return 2;
	}
	if (!g_api) {
		fprintf(stderr, "yamorictl: %s\n",
			_("yamorid is not running; isolation needs it"));
		return 1;
	}
	req = json_pack("{s:s}", "mac", args_mac(args[0]));
	ym_api_client_set_timeout(g_api, CTL_ISOLATE_TIMEOUT_MS);
	dev = api_call(cmd, req, &err);
	json_decref(req);
	if (!dev) {
		fprintf(stderr, "yamorictl: %s\n", err.msg);
		/* Refused (isolating where isolation is off counts) or no such
		 * device: bad input. Releasing where it is off: a failure. */
		return err.code == YM_API_REFUSED ||
			       err.code == YM_API_NOT_FOUND ||
			       (err.code == YM_API_OFF &&
				strcmp(cmd, "isolate") == 0) ? 2 : 1;
	}
	if (as_json) {
		json_dumpf(dev, stdout, JSON_FLAGS);
		putchar('\n');
	} else {
		const char *name = json_string_value(json_object_get(dev, "name"));

		printf(strcmp(cmd, "isolate") == 0 ?
			       _("\"%s\" is cut off from the network now.\n") :
			       _("\"%s\" is back on the network.\n"),
		       name && name[0] ? name : args_mac(args[0]));
	}
	json_decref(dev);
	return 0;
}

/* kind MAC TYPE [VENDOR]: what the household says the device is; TYPE
 * "none" forgets it. The running daemon decides with it, so it is needed. */
static int cmd_kind(int nargs, char **args, bool as_json)
{
	json_t *req, *dev;
	struct ym_api_error err;
	uint8_t mac[6];
	bool forget;

	if (nargs < 2 || nargs > 3 || ym_mac_parse(args[0], mac) < 0) {
		fprintf(stderr, "yamorictl: %s\n",
			nargs >= 1 && ym_mac_parse(args[0], mac) < 0 ?
				_("give a MAC address like aa:bb:cc:dd:ee:ff") :
				_("wrong number of arguments"));
		return 2;
	}
	if (!g_api) {
		fprintf(stderr, "yamorictl: %s\n",
			_("yamorid is not running; telling the kind needs it"));
		return 1;
	}
	forget = strcmp(args[1], "none") == 0;
	req = json_pack("{s:s, s:o, s:s?}", "mac", args_mac(args[0]), "type",
			forget ? json_null() : json_string(args[1]), "vendor",
			nargs > 2 ? args[2] : NULL);
	dev = api_call("set_kind", req, &err);
	json_decref(req);
	if (!dev) {
		fprintf(stderr, "yamorictl: %s\n", err.msg);
		return err.code == YM_API_BAD_REQUEST ||
			       err.code == YM_API_NOT_FOUND ? 2 : 1;
	}
	if (as_json) {
		json_dumpf(dev, stdout, JSON_FLAGS);
		putchar('\n');
	} else {
		printf("%s %s\n", args_mac(args[0]),
		       json_string_value(json_object_get(dev, "type")));
	}
	json_decref(dev);
	return 0;
}

/* yamorictl settings [audit=off|ask|on] [auto_isolate=never|ask|critical]:
 * the household's choices, shown or changed through the daemon (they are
 * kept in its database and win over the config file's defaults). */
static int cmd_settings(int nargs, char **args, bool as_json)
{
	json_t *req = json_object(), *st;
	struct ym_api_error err;

	for (int i = 0; i < nargs; i++) {
		const char *eq = strchr(args[i], '=');

		if (!eq || (strncmp(args[i], "audit=", 6) != 0 &&
			    strncmp(args[i], "auto_isolate=", 13) != 0)) {
			fprintf(stderr, "yamorictl: %s\n",
				_("give audit=off|ask|on or "
				  "auto_isolate=never|ask|critical"));
			json_decref(req);
			return 2;
		}
		json_object_set_new(req, eq - args[i] == 5 ? "audit" :
							     "auto_isolate",
				    json_string(eq + 1));
	}
	if (!g_api) {
		fprintf(stderr, "yamorictl: %s\n",
			_("yamorid is not running; the settings live in it"));
		json_decref(req);
		return 1;
	}
	st = api_call("settings", req, &err);
	json_decref(req);
	if (!st) {
		fprintf(stderr, "yamorictl: %s\n", err.msg);
		return err.code == YM_API_BAD_REQUEST ? 2 : 1;
	}
	if (as_json) {
		json_dumpf(st, stdout, JSON_FLAGS);
		putchar('\n');
	} else {
		printf("audit = %s\nauto_isolate = %s\nisolate = %s\n",
		       json_string_value(json_object_get(st, "audit")),
		       json_string_value(json_object_get(st, "auto_isolate")),
		       json_string_value(json_object_get(st, "isolate")));
	}
	json_decref(st);
	return 0;
}

/* Removes the database files and any damaged copies set aside earlier
 * (yamori.db.damaged-*): after a wipe nothing of the household's stays. */
static int remove_state_files(const char *dir)
{
	static const char *const files[] = { YM_STORE_FILE,
					      YM_STORE_FILE "-wal",
					      YM_STORE_FILE "-shm" };
	const char *prefix = YM_STORE_FILE ".damaged-";
	char path[1400];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	for (size_t i = 0; i < YM_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (unlink(path) < 0 && errno != ENOENT) {
			fprintf(stderr, "yamorictl: %s: %s\n", path,
				strerror(errno));
			rc = -errno;
		}
	}
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? rc : -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) < 0 && errno != ENOENT) {
			fprintf(stderr, "yamorictl: %s: %s\n", path,
				strerror(errno));
			rc = -errno;
		}
	}
	closedir(d);
	return rc;
}

static int cmd_wipe(const struct ym_config *cfg, bool yes)
{
	struct ym_store *s;
	char answer[16] = "", err[512];
	bool damaged = false;
	int rc;

	if (!yes) {
		printf("%s ", _("Erase everything Yamori recorded? Type "
				"\"yes\" to erase:"));
		fflush(stdout);
		if (!fgets(answer, sizeof(answer), stdin) ||
		    strncmp(answer, "yes", 3) != 0) {
			printf("%s\n", _("Nothing was erased."));
			return 1;
		}
	}
	/* Rule 4 for Yamori itself must always work: a database that cannot
	 * be read (damaged, foreign, from a newer Yamori) is removed all the
	 * same; only a running daemon stops the wipe. */
	rc = ym_store_open_readonly(&s, cfg->state_dir, err, sizeof(err));
	if (rc == 0) {
		bool running = daemon_running(s);

		ym_store_close(s);
		if (running) {
			fprintf(stderr, "yamorictl: %s\n",
				_("yamorid is running; stop it first"));
			return 1;
		}
	} else if (rc != -ENOENT) {
		damaged = true;
	}
	/* A sound database is erased with secure_delete first, so the
	 * records are gone from the disk's blocks too, not only unlinked. */
	if (!damaged && rc == 0 &&
	    ym_store_open(&s, cfg->state_dir, err, sizeof(err)) == 0) {
		if (ym_store_wipe(s) < 0)
			damaged = true;
		ym_store_close(s);
	}
	if (remove_state_files(cfg->state_dir) < 0 ||
	    ym_evlog_erase(cfg->state_dir) < 0) {
		fprintf(stderr, "yamorictl: %s\n", _("cannot erase the data"));
		return 1;
	}
	printf("%s\n", _("Everything Yamori recorded is erased."));
	/* The record of what Yamori did, and the box's key that signed it,
	 * go too: a new owner starts a new record with a new key. */
	printf("%s\n", _("Its own record of events and its key are erased "
			 "too."));
	return 0;
}

/* Commands that change what is recorded: refused while the daemon runs,
 * because it owns the database then. */
static int cmd_write(const struct ym_config *cfg, const char *cmd,
		     char **args, int nargs)
{
	struct ym_store *s;
	char err[512];
	uint8_t mac[6];
	int rc;

	if (nargs < 1 || ym_mac_parse(args[0], mac) < 0 ||
	    (strcmp(cmd, "rename") == 0 && nargs != 2) ||
	    (strcmp(cmd, "retire") == 0 && nargs != 1)) {
		fprintf(stderr, "yamorictl: %s\n",
			nargs < 1 || ym_mac_parse(args[0], mac) < 0 ?
				_("give a MAC address like aa:bb:cc:dd:ee:ff") :
				_("wrong number of arguments"));
		return 2;
	}
	if (g_api) {
		json_t *req = json_pack("{s:s, s:s?}", "mac", args_mac(args[0]),
					"name", nargs > 1 ? args[1] : NULL);
		struct ym_api_error aerr;
		json_t *dev = api_call(cmd, req, &aerr);

		json_decref(req);
		if (!dev) {
			fprintf(stderr, "yamorictl: %s\n", aerr.msg);
			return aerr.code == YM_API_NOT_FOUND ? 2 : 1;
		}
		rc = strcmp(cmd, "retire") == 0 ? print_retired(cfg, dev) : 0;
		json_decref(dev);
		return rc;
	}
	if (ym_store_open_readonly(&s, cfg->state_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "yamorictl: %s\n", err);
		return 2;
	}
	if (daemon_running(s)) {
		ym_store_close(s);
		fprintf(stderr, "yamorictl: %s\n",
			_("yamorid is running; stop it first"));
		return 1;
	}
	ym_store_close(s);
	if (ym_store_open(&s, cfg->state_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "yamorictl: %s\n", err);
		return 1;
	}
	if (strcmp(cmd, "retire") == 0) {
		rc = cmd_retire(s, cfg, mac);
	} else {
		char name[YM_MAX_NAME];

		ym_strlcpy_clean(name, args[1], strlen(args[1]), sizeof(name));
		rc = ym_store_rename(s, mac, name);
		if (rc == -ENOENT)
			fprintf(stderr, "yamorictl: %s\n",
				_("no device with that MAC address"));
		rc = rc == -ENOENT ? 2 : rc < 0 ? 1 : 0;
	}
	ym_store_close(s);
	return rc;
}

/* update FILE (or --fetch): through the daemon when it runs, so the new
 * lists are used at once; else straight into the state directory. */
static int cmd_update(const struct ym_config *cfg, int nargs, char **args,
		      bool as_json)
{
	char path[PATH_MAX], err[1024];
	uint64_t version = 0;
	json_t *res = NULL;
	int rc;

	if (nargs != (fetch ? 0 : 1)) {
		fprintf(stderr, "yamorictl: %s\n",
			_("give the file of a data update"));
		return 2;
	}
	if (!fetch && !realpath(args[0], path)) {
		fprintf(stderr, "yamorictl: %s: %s\n", args[0],
			strerror(errno));
		return 2;
	}
	if (g_api) {
		json_t *req = fetch ? json_object() :
				      json_pack("{s:s}", "path", path);
		struct ym_api_error aerr;

		ym_api_client_set_timeout(g_api, CTL_UPDATE_TIMEOUT_MS);
		res = api_call("update", req, &aerr);
		json_decref(req);
		if (!res) {
			fprintf(stderr, "yamorictl: %s: %s\n",
				_("the data update was refused"), aerr.msg);
			return 1;
		}
		version = (uint64_t)jint(res, "version");
	} else if (fetch) {
		fprintf(stderr, "yamorictl: %s\n",
			_("yamorid is not running; --fetch needs it"));
		return 1;
	} else {
		rc = ym_engine_update_offline(cfg, path, &version, err,
					      sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "yamorictl: %s: %s\n",
				_("the data update was refused"), err);
			return 1;
		}
		res = json_pack("{s:I}", "version", (json_int_t)version);
	}
	if (as_json) {
		json_dumpf(res, stdout, JSON_FLAGS);
		putchar('\n');
	} else {
		printf(_("Data version %llu is now in use.\n"),
		       (unsigned long long)version);
	}
	json_decref(res);
	return 0;
}

/* 0 when cmd is a command and takes the arguments given, else 2 with the
 * reason on stderr. */
static int check_command(const char *cmd, int nargs, char **args)
{
	static const char *const known[] = { "devices", "alerts", "status",
					     "rename",	"retire", "wipe",
					     "audit",	"isolate", "release",
					     "kind", "update", "settings", "log" };
	bool found = false;

	for (size_t i = 0; i < YM_ARRAY_SIZE(known); i++)
		found |= strcmp(cmd, known[i]) == 0;
	if (!found) {
		fprintf(stderr, "yamorictl: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	if (nargs > 0 && (!strcmp(cmd, "devices") || !strcmp(cmd, "alerts") ||
			  !strcmp(cmd, "status") || !strcmp(cmd, "wipe"))) {
		fprintf(stderr, "yamorictl: unexpected argument '%s'\n",
			args[0]);
		return 2;
	}
	return 0;
}

/* Connects to the daemon of this state directory if one runs. */
static void connect_daemon(const struct ym_config *cfg)
{
	char path[1100];

	ym_api_default_path(cfg->state_dir, path, sizeof(path));
	if (cfg->api_socket[0])
		snprintf(path, sizeof(path), "%s", cfg->api_socket);
	if (ym_api_client_open(&g_api, path) < 0)
		g_api = NULL;
	else
		ym_api_client_set_timeout(g_api, CTL_TIMEOUT_MS);
}

/* devices, alerts, status: from the daemon, else from the database. */
static int cmd_report(const struct ym_config *cfg, const char *cmd,
		      bool as_json)
{
	struct ym_store *s = NULL;
	char err[2048];
	int rc;

	if (!g_api) {
		rc = ym_store_open_readonly(&s, cfg->state_dir, err,
					    sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "yamorictl: %s\n", err);
			return rc == -ENOENT ? 2 : 1;
		}
	}
	if (strcmp(cmd, "devices") == 0)
		rc = cmd_devices(s, cfg, as_json);
	else if (strcmp(cmd, "alerts") == 0)
		rc = cmd_alerts(s, as_json);
	else
		rc = cmd_status(s, as_json);
	if (s)
		ym_store_close(s);
	return rc;
}

/* Runs one command once the config is read. */
static int run(const struct ym_config *cfg, const char *cmd, char **args,
	       int nargs, bool as_json, bool yes)
{
	if (strcmp(cmd, "wipe") == 0)
		return cmd_wipe(cfg, yes);
	if (strcmp(cmd, "log") == 0)
		return cmd_log(cfg, args, nargs, as_json);
	if (strcmp(cmd, "rename") == 0 || strcmp(cmd, "retire") == 0)
		return cmd_write(cfg, cmd, args, nargs);
	if (strcmp(cmd, "isolate") == 0 || strcmp(cmd, "release") == 0)
		return cmd_isolate(cmd, nargs, args, as_json);
	if (strcmp(cmd, "kind") == 0)
		return cmd_kind(nargs, args, as_json);
	if (strcmp(cmd, "settings") == 0)
		return cmd_settings(nargs, args, as_json);
	if (strcmp(cmd, "update") == 0)
		return cmd_update(cfg, nargs, args, as_json);
	if (strcmp(cmd, "audit") == 0) {
		if (nargs != 1) {
			fprintf(stderr, "yamorictl: %s\n",
				_("give one address or MAC to check"));
			return 2;
		}
		return cmd_audit(args[0], as_json);
	}
	return cmd_report(cfg, cmd, as_json);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "fetch", no_argument, NULL, 'f' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state_dir = NULL, *config_path = YM_DEFAULT_CONFIG, *cmd;
	bool as_json = false, config_given = false, yes = false;
	struct ym_config cfg;
	char err[2048] = "";
	int opt, rc;

	ym_i18n_init();
	/* A peer that closes its end early must cost an EPIPE on that
	 * write, never the whole program. */
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			state_dir = optarg;
			break;
		case 'c':
			config_path = optarg;
			config_given = true;
			break;
		case 'j':
			as_json = true;
			break;
		case 'a':
			show_all = true;
			break;
		case 'f':
			fetch = true;
			break;
		case 'y':
			yes = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("yamorictl %s\n", YM_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	if (check_command(cmd, argc - optind, argv + optind) != 0)
		return 2;
	ym_config_defaults(&cfg);
	if (ym_config_load(&cfg, config_path, config_given, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "yamorictl: %s\n", err);
		return 2;
	}
	if (state_dir)
		snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", state_dir);
	connect_daemon(&cfg);
	rc = run(&cfg, cmd, argv + optind, argc - optind, as_json, yes);
	ym_api_client_close(g_api);
	return rc;
}
