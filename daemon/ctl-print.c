#define _GNU_SOURCE
/* yamorictl's reports for people: devices, alerts and status as tables
 * that fit a terminal, in the household's language; --json gives the
 * same data for scripts. */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "device.h"
#include "i18n.h"
#include "report.h"

/* Display width of a UTF-8 string in terminal columns. */
static int text_width(const char *s)
{
	mbstate_t ps;
	int width = 0;
	size_t n;
	wchar_t wc;

	memset(&ps, 0, sizeof(ps));
	while (*s) {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			width++;
			s++;
			memset(&ps, 0, sizeof(ps));
			continue;
		}
		width += wcwidth(wc) > 0 ? wcwidth(wc) : 0;
		s += n;
	}
	return width;
}

/* Prints s padded with spaces to width columns (wide characters count two). */
static void cell(const char *s, int width)
{
	int w = text_width(s);

	fputs(s, stdout);
	for (; w < width; w++)
		putchar(' ');
	putchar(' ');
}

/* Like cell, but cuts the text to the width first. */
static void cut_cell(const char *s, int width)
{
	char buf[256];
	size_t n = 0;

	/* Keep whole characters while they fit. */
	while (s[n] && n < sizeof(buf) - 8) {
		size_t len = 1;

		while ((s[n + len] & 0xc0) == 0x80)
			len++;
		memcpy(buf, s, n + len);
		buf[n + len] = '\0';
		if (text_width(buf) > width)
			break;
		n += len;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	cell(buf, width);
}

static const char *type_label(const char *type)
{
	static const struct {
		const char *type, *label;
	} labels[] = {
		{ "router", N_("router") },
		{ "access_point", N_("Wi-Fi access point") },
		{ "camera", N_("camera") },
		{ "doorbell", N_("doorbell") },
		{ "alarm", N_("alarm") },
		{ "sensor", N_("sensor") },
		{ "lock", N_("door lock") },
		{ "hub", N_("smart home hub") },
		{ "light", N_("light") },
		{ "smart_plug", N_("smart plug") },
		{ "thermostat", N_("air conditioner control") },
		{ "appliance", N_("home appliance") },
		{ "robot_vacuum", N_("robot vacuum") },
		{ "health", N_("health device") },
		{ "tv", N_("TV") },
		{ "streaming", N_("streaming device") },
		{ "speaker", N_("speaker") },
		{ "smart_speaker", N_("smart speaker") },
		{ "game_console", N_("game console") },
		{ "printer", N_("printer") },
		{ "nas", N_("network storage") },
		{ "computer", N_("computer") },
		{ "phone", N_("smartphone") },
		{ "tablet", N_("tablet") },
		{ "wearable", N_("wearable") },
		{ "voip", N_("phone line adapter") },
		{ "network", N_("network device") },
		{ "unknown", N_("unknown") },
	};

	for (size_t i = 0; i < YM_ARRAY_SIZE(labels); i++)
		if (strcmp(labels[i].type, type) == 0)
			return _(labels[i].label);
	return type;
}

/* The support entries (rules 1 and 4), or NULL when there are none. */
struct ym_support *load_support(const struct ym_config *cfg)
{
	struct ym_support *kb = NULL;
	char path[1100], err[512];

	snprintf(path, sizeof(path), "%s/support", cfg->data_dir);
	if (ym_support_init(&kb, path, err, sizeof(err)) < 0)
		kb = NULL;
	return kb;
}

struct collect_ctx {
	json_t *list;
	const struct ym_support *kb;
};

static int collect_device(const struct ym_device *d, void *arg)
{
	struct collect_ctx *c = arg;
	json_t *o;

	/* Devices given away leave the normal lists (rule 4). */
	if ((d->flags & YM_FLAG_RETIRED) && !show_all)
		return 0;
	/* The same objects the daemon gives, support entries included. */
	o = ym_report_device_support(d, c->kb);
	if (!o)
		return -ENOMEM;
	return json_array_append_new(c->list, o) == 0 ? 0 : -ENOMEM;
}

/* Sort key: the gateway first, then by first IPv4 address, then MAC. */
static int device_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int gx = json_is_true(json_object_get(x, "gateway")),
	    gy = json_is_true(json_object_get(y, "gateway"));
	const char *ix = json_string_value(json_array_get(json_object_get(x, "ips"), 0));
	const char *iy = json_string_value(json_array_get(json_object_get(y, "ips"), 0));
	struct ym_addr ax = { 0 }, ay = { 0 };
	int c;

	if (gx != gy)
		return gy - gx;
	if (ix && ym_addr_parse(ix, &ax) < 0)
		memset(&ax, 0, sizeof(ax));
	if (iy && ym_addr_parse(iy, &ay) < 0)
		memset(&ay, 0, sizeof(ay));
	if (ax.family != ay.family)
		return ax.family == 4 ? -1 : ay.family == 4 ? 1 :
		       (int)ax.family - (int)ay.family;
	c = memcmp(ax.a, ay.a, 16);
	if (c)
		return c;
	return strcmp(json_string_value(json_object_get(x, "mac")),
		      json_string_value(json_object_get(y, "mac")));
}

static json_t *sorted_devices(struct ym_store *s,
			      const struct ym_config *cfg)
{
	json_t *arr, *out;
	json_t **items;
	struct ym_api_error err;
	size_t n;

	if (g_api) {
		json_t *args = json_pack("{s:b}", "all", show_all);

		arr = api_call("devices", args, &err);
		json_decref(args);
		if (!arr)
			return NULL;
	} else {
		struct collect_ctx c = { json_array(), load_support(cfg) };
		int rc = ym_store_get_devices(s, collect_device, &c);

		ym_support_fini((struct ym_support *)c.kb);
		arr = c.list;
		if (rc < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	n = json_array_size(arr);
	items = calloc(n ? n : 1, sizeof(*items));
	out = json_array();
	if (!items || !out) {
		free(items);
		json_decref(arr);
		json_decref(out);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		items[i] = json_array_get(arr, i);
	qsort(items, n, sizeof(*items), device_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append(out, items[i]);
	free(items);
	json_decref(arr);
	return out;
}

void ctl_local_time(const char *rfc3339, char *out, size_t len)
{
	struct tm tm = { 0 };
	time_t t;

	out[0] = '\0';
	if (!rfc3339 || !strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return;
	t = timegm(&tm);
	strftime(out, len, "%Y-%m-%d %H:%M", localtime_r(&t, &tm));
}

int cmd_devices(struct ym_store *s, const struct ym_config *cfg,
		bool as_json)
{
	json_t *devs = sorted_devices(s, cfg), *d;
	size_t i;

	if (!devs) {
		fprintf(stderr, "yamorictl: %s\n", _("cannot read the devices"));
		return 1;
	}
	if (as_json) {
		json_dumpf(devs, stdout, JSON_FLAGS);
		putchar('\n');
		json_decref(devs);
		return 0;
	}
	if (json_array_size(devs) == 0) {
		printf("%s\n", _("No devices found yet."));
		json_decref(devs);
		return 0;
	}
	/* Columns as wide as their widest entry, within a cap; longer
	 * names are cut at a character boundary. */
	int wip = text_width(_("IP address")), wname = text_width(_("Name"));
	int wvend = text_width(_("Maker")), wkind = text_width(_("Kind"));

	json_array_foreach(devs, i, d) {
		const char *ip = json_string_value(
			json_array_get(json_object_get(d, "ips"), 0));
		int w;

		if (ip && (w = text_width(ip)) > wip)
			wip = w;
		if ((w = text_width(json_string_value(
			     json_object_get(d, "name")))) > wname)
			wname = w;
		if ((w = text_width(json_string_value(
			     json_object_get(d, "vendor")))) > wvend)
			wvend = w;
		if ((w = text_width(type_label(json_string_value(
			     json_object_get(d, "type"))))) > wkind)
			wkind = w;
	}
	wname = wname > 24 ? 24 : wname;
	wvend = wvend > 24 ? 24 : wvend;
	cell(_("MAC address"), 17);
	cell(_("IP address"), wip);
	cell(_("Name"), wname);
	cell(_("Maker"), wvend);
	cell(_("Kind"), wkind);
	printf("%s\n", _("Last seen"));
	json_array_foreach(devs, i, d) {
		const char *ip = json_string_value(
			json_array_get(json_object_get(d, "ips"), 0));
		const char *name = json_string_value(json_object_get(d, "name"));
		const char *vendor =
			json_string_value(json_object_get(d, "vendor"));
		char when[32];

		ctl_local_time(json_string_value(json_object_get(d, "last_seen")),
			   when, sizeof(when));
		cell(json_string_value(json_object_get(d, "mac")), 17);
		cell(ip ? ip : "-", wip);
		cut_cell(name[0] ? name : "-", wname);
		cut_cell(vendor[0] ? vendor : "-", wvend);
		cell(type_label(json_string_value(json_object_get(d, "type"))),
		     wkind);
		printf("%s\n", when);
	}
	printf(dngettext(YM_TEXT_DOMAIN, "%zu device\n", "%zu devices\n",
			json_array_size(devs)),
	       json_array_size(devs));
	json_decref(devs);
	return 0;
}

struct alert_ctx {
	json_t *alerts;
	json_t *names; /* mac -> the device's display name */
};

static int collect_alert(const struct ym_alert_row *a, void *arg)
{
	struct alert_ctx *c = arg;
	const char *name = json_string_value(json_object_get(c->names,
							     a->mac ? a->mac :
								      ""));
	json_t *o = ym_report_alert(a, name);

	if (!o)
		return -ENOMEM;
	return json_array_append_new(c->alerts, o) == 0 ? 0 : -ENOMEM;
}

int ctl_collect_name(const struct ym_device *d, void *arg)
{
	char mac[YM_MAC_STRLEN];

	const char *name = ym_device_display_name(d);

	/* A device without a name is called by its maker, else its MAC. */
	ym_mac_format(d->mac, mac);
	if (!name[0])
		name = d->vendor[0] ? d->vendor : mac;
	return json_object_set_new(arg, mac, json_string(name));
}

static const char *severity_label(const char *sev)
{
	if (sev && strcmp(sev, "critical") == 0)
		return _("Danger");
	if (sev && strcmp(sev, "warning") == 0)
		return _("Caution");
	return _("Notice");
}

int cmd_alerts(struct ym_store *s, bool as_json)
{
	struct alert_ctx c = { json_array(), json_object() };
	json_t *a;
	size_t i;
	int rc = 0;

	if (g_api) {
		/* The daemon answers a page at a time (500 at most): ask
		 * until a page comes back short. */
		for (size_t got = 1; got > 0;) {
			struct ym_api_error err;
			json_t *args = json_pack(
				"{s:I}", "offset",
				(json_int_t)json_array_size(c.alerts));
			json_t *page = api_call("alerts", args, &err);

			json_decref(args);
			if (!page) {
				fprintf(stderr, "yamorictl: %s\n", err.msg);
				rc = 1;
				goto out;
			}
			got = json_array_size(page);
			json_array_extend(c.alerts, page);
			json_decref(page);
			if (got < 500)
				break;
		}
	} else if (ym_store_get_devices(s, ctl_collect_name, c.names) < 0 ||
		   ym_store_get_alerts(s, collect_alert, &c) < 0) {
		fprintf(stderr, "yamorictl: %s\n", _("cannot read the alerts"));
		rc = 1;
		goto out;
	}
	if (as_json) {
		json_dumpf(c.alerts, stdout, JSON_FLAGS);
		putchar('\n');
		goto out;
	}
	if (json_array_size(c.alerts) == 0) {
		printf("%s\n", _("No alerts. Nothing needs doing now."));
		goto out;
	}
	json_array_foreach(c.alerts, i, a) {
		char when[32];

		ctl_local_time(json_string_value(json_object_get(a, "last_seen")),
			   when, sizeof(when));
		printf("[%s] %s  (%s, %lld)\n  %s\n\n",
		       severity_label(json_string_value(
			       json_object_get(a, "severity"))),
		       when, json_string_value(json_object_get(a, "kind")),
		       (long long)json_integer_value(json_object_get(a, "count")),
		       json_string_value(json_object_get(a, "message")));
	}
	printf("%s\n", ym_report_trust_line());
out:
	json_decref(c.alerts);
	json_decref(c.names);
	return rc;
}

json_int_t jint(json_t *o, const char *path)
{
	char key[64];
	const char *dot = strchr(path, '.');

	if (!dot)
		return json_integer_value(json_object_get(o, path));
	snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
	return jint(json_object_get(o, key), dot + 1);
}

/* The data version and date; a plain warning when it is past its expiry:
 * the household should know protection is getting stale. */
static void print_data(json_t *data)
{
	const char *created = json_string_value(json_object_get(data, "created"));
	char t[32];

	if (!data)
		return;
	cell(_("Data:"), 14);
	if (!created || !created[0]) {
		printf("%s\n", _("as installed (no update yet)"));
		return;
	}
	ctl_local_time(created, t, sizeof(t));
	/* TRANSLATORS: the version of the data (rules, lists) and its date. */
	printf(_("version %lld (%s)\n"), (long long)jint(data, "version"), t);
	if (json_is_true(json_object_get(data, "expired")))
		printf("%s\n", _("Warning: the data used to find problems is "
				 "out of date. New dangers may be missed. "
				 "Please update it."));
}

/* The parts this build left out (status "features"), on one line. */
static void print_features(json_t *features)
{
	static const struct {
		const char *name, *label;
	} labels[] = {
		{ "nft_isolation", N_("cutting devices off (nftables)") },
		{ "ssh_checks", N_("password checks over SSH") },
		{ "tls_checks", N_("password checks of HTTPS pages") },
		{ "update_download", N_("downloading data updates") },
		{ "fleet_reports", N_("reports to the provider") },
	};
	const char *name;
	json_t *built;
	bool first = true;

	json_object_foreach(features, name, built) {
		const char *label = name;

		if (json_is_true(built))
			continue;
		for (size_t i = 0; i < YM_ARRAY_SIZE(labels); i++)
			if (strcmp(labels[i].name, name) == 0)
				label = _(labels[i].label);
		if (first)
			cell(_("Not built in:"), 14);
		printf("%s%s", first ? "" : ", ", label);
		first = false;
	}
	if (!first)
		putchar('\n');
}

int cmd_status(struct ym_store *s, bool as_json)
{
	char *text = s ? ym_store_get_meta(s, "status") : NULL;
	struct ym_api_error err;
	json_t *st = text ? json_loads(text, 0, NULL) :
		     g_api ? api_call("status", NULL, &err) :
			     NULL;
	const char *state;
	char t1[32], t2[32];

	free(text);
	if (!st) {
		fprintf(stderr, "yamorictl: %s\n",
			_("no status recorded yet (run yamorid first)"));
		return 1;
	}
	state = json_string_value(json_object_get(st, "state"));
	/* A "running" status whose daemon is gone means it was killed. */
	if (state && strcmp(state, "running") == 0) {
		char path[64];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%lld",
			 (long long)jint(st, "pid"));
		f = fopen(path, "r");
		if (!f)
			json_object_set_new(st, "state", json_string("ended"));
		else
			fclose(f);
		state = json_string_value(json_object_get(st, "state"));
	}
	if (as_json) {
		json_dumpf(st, stdout, JSON_FLAGS);
		putchar('\n');
		json_decref(st);
		return 0;
	}
	ctl_local_time(json_string_value(json_object_get(st, "capture_start")), t1,
		   sizeof(t1));
	ctl_local_time(json_string_value(json_object_get(st, "capture_clock")), t2,
		   sizeof(t2));
	printf("Yamori %s\n",
	       json_string_value(json_object_get(st, "version")));
	cell(_("State:"), 14);
	printf("%s (%s)\n",
	       strcmp(state, "running") == 0 ? _("watching") :
	       strcmp(state, "ended") == 0   ? _("stopped unexpectedly") :
						 _("stopped"),
	       json_string_value(json_object_get(st, "sources")));
	cell(_("Period:"), 14);
	printf("%s - %s\n", t1, t2);
	cell(_("Devices:"), 14);
	printf("%lld\n",
	       (long long)jint(st, "devices.in_memory"));
	cell(_("Packets:"), 14);
	printf("%lld\n", (long long)jint(st, "packets"));
	cell(_("Malformed:"), 14);
	printf("%lld\n",
	       (long long)jint(st, "malformed"));
	cell(_("Connections:"), 14);
	printf("%lld\n",
	       (long long)jint(st, "flows.created"));
	print_features(json_object_get(st, "features"));
	print_data(json_object_get(st, "data"));
	if (jint(st, "files.truncated"))
		cell(_("Problem:"), 14), printf("%s\n",
		       json_string_value(json_object_get(
			       json_object_get(st, "files"), "last_problem")));
	json_decref(st);
	return 0;
}
