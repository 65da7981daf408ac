/* yamorictl log [verify]: Yamori's own record (the event log) in plain
 * words, and the check of its chain. Read-only, beside a running daemon
 * too (WAL readers never block the writer). */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "evlog.h"
#include "i18n.h"

/* --- the event log (Yamori's own record) -------------------------------- */

/* One entry in plain words: what Yamori did. */
static void event_message(const char *kind, json_t *detail, char *out,
			  size_t len)
{
	const char *alert = json_string_value(json_object_get(detail, "alert"));
	const char *svc = json_string_value(json_object_get(detail, "service"));
	const char *ok = json_string_value(json_object_get(detail, "accepted"));

	alert = alert ? alert : "";
	if (strcmp(kind, "alert_raised") == 0)
		snprintf(out, len, _("An alert was raised (%s)."), alert);
	else if (strcmp(kind, "alert_resolved") == 0)
		snprintf(out, len, _("An alert was resolved (%s)."), alert);
	else if (strcmp(kind, "alert_acknowledged") == 0)
		snprintf(out, len, _("An alert was marked as read (%s)."),
			 alert);
	else if (strcmp(kind, "alert_put_off") == 0)
		snprintf(out, len, _("An alert was put off (%s)."), alert);
	else if (strcmp(kind, "alert_reopened") == 0)
		snprintf(out, len, _("An alert was opened again (%s)."), alert);
	else if (strcmp(kind, "isolated") == 0)
		snprintf(out, len, "%s", _("The device was cut off for now."));
	else if (strcmp(kind, "released") == 0)
		snprintf(out, len, "%s", _("The device was let back in."));
	else if (strcmp(kind, "password_check") == 0)
		snprintf(out, len,
			 ok && strcmp(ok, "yes") == 0 ?
				 _("A factory password worked (%s).") :
				 _("A factory password did not work (%s)."),
			 svc ? svc : "");
	else if (strcmp(kind, "setting") == 0)
		snprintf(out, len, "%s", _("A setting was changed."));
	else if (strcmp(kind, "renamed") == 0)
		snprintf(out, len, "%s", _("The device was given a name."));
	else if (strcmp(kind, "retired") == 0)
		snprintf(out, len, "%s",
			 _("The device was marked as given away."));
	else if (strcmp(kind, "unretired") == 0)
		snprintf(out, len, "%s",
			 _("The device was taken back from \"given away\"."));
	else if (strcmp(kind, "update_applied") == 0)
		snprintf(out, len, "%s", _("The data was updated."));
	else if (strcmp(kind, "update_refused") == 0)
		snprintf(out, len, "%s", _("A data update was refused."));
	else if (strcmp(kind, "fleet_notice") == 0)
		snprintf(out, len, "%s",
			 _("A notice came from your provider."));
	else if (strcmp(kind, "fleet_advisory") == 0)
		snprintf(out, len, "%s",
			 _("New data came from your provider."));
	else if (strcmp(kind, "fleet_advisory_refused") == 0)
		snprintf(out, len, "%s",
			 _("A message from your provider was refused."));
	else if (strcmp(kind, YM_EVLOG_TRIMMED) == 0)
		snprintf(out, len,
			 _("The oldest %lld entries were removed to keep the "
			   "record small."),
			 (long long)json_integer_value(
				 json_object_get(detail, "removed")));
	else if (strcmp(kind, YM_EVLOG_HEAD) == 0)
		snprintf(out, len, "%s",
			 _("Yamori signed the record up to here."));
	else
		snprintf(out, len, "%s", kind);
}

struct log_ctx {
	json_t *list, *names;
};

static int collect_event(const struct ym_evlog_entry *e, void *arg)
{
	struct log_ctx *c = arg;
	char when[YM_TIME_STRLEN], msg[256];
	json_t *detail = json_loads(e->detail, 0, NULL);

	if (!detail)
		detail = json_string(e->detail);
	ym_time_format((uint64_t)e->at_us, when);
	event_message(e->kind, detail, msg, sizeof(msg));
	return json_array_append_new(
		c->list, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "seq",
				   (json_int_t)e->seq, "at", when, "kind",
				   e->kind, "mac", e->mac, "detail", detail,
				   "message", msg));
}

static const char *break_message(enum ym_evlog_break b)
{
	switch (b) {
	case YM_EVLOG_EDITED:
		return _("Entry %lld was changed after it was written.");
	case YM_EVLOG_MISSING:
		return _("Entry %lld was deleted.");
	case YM_EVLOG_LINK:
		return _("The record breaks at entry %lld: entries were moved "
			 "or removed.");
	case YM_EVLOG_BAD_SIGNATURE:
		return _("The signature at entry %lld does not match: the "
			 "record was rewritten.");
	case YM_EVLOG_TRUNCATED:
		return _("Entries from %lld on were deleted from the end.");
	case YM_EVLOG_NO_KEY:
		return _("The record's key is missing (entry %lld); the "
			 "signatures cannot be checked.");
	default:
		return "";
	}
}

static const char *const break_names[] = {
	[YM_EVLOG_OK] = "ok",		 [YM_EVLOG_EDITED] = "edited",
	[YM_EVLOG_MISSING] = "deleted",	 [YM_EVLOG_LINK] = "reordered",
	[YM_EVLOG_BAD_SIGNATURE] = "bad_signature",
	[YM_EVLOG_TRUNCATED] = "truncated", [YM_EVLOG_NO_KEY] = "no_key",
};

static int check_event(const struct ym_evlog_entry *e, void *arg)
{
	/* The first break is what the household is told; stop there. */
	return ym_evlog_check_entry(arg, e) == YM_EVLOG_OK ? 0 : 1;
}

static int cmd_log_verify(struct ym_store *s, const struct ym_config *cfg,
			  bool as_json)
{
	struct ym_evlog_check c;
	enum ym_evlog_break b;
	char msg[256];

	ym_evlog_check_init(&c, cfg->state_dir);
	if (ym_store_get_events(s, check_event, &c) < 0) {
		fprintf(stderr, "yamorictl: %s\n", _("cannot read the record"));
		return 1;
	}
	b = ym_evlog_check_end(&c);
	if (b == YM_EVLOG_OK)
		snprintf(msg, sizeof(msg),
			 _("The record is intact: %llu entries, %llu signed "
			   "heads."),
			 (unsigned long long)c.entries,
			 (unsigned long long)c.heads);
	else
		snprintf(msg, sizeof(msg), break_message(b),
			 (long long)c.broken_seq);
	if (as_json) {
		json_t *o = json_pack("{s:b, s:s, s:I, s:I, s:I, s:s}", "ok",
				      b == YM_EVLOG_OK, "result", break_names[b],
				      "seq", (json_int_t)c.broken_seq,
				      "entries", (json_int_t)c.entries,
				      "heads", (json_int_t)c.heads, "message",
				      msg);

		json_dumpf(o, stdout, JSON_FLAGS);
		putchar('\n');
		json_decref(o);
	} else {
		printf("%s\n", msg);
	}
	return b == YM_EVLOG_OK ? 0 : 1;
}

int cmd_log(const struct ym_config *cfg, char **args, int nargs,
		   bool as_json)
{
	struct log_ctx c = { json_array(), json_object() };
	struct ym_store *s;
	char err[2048];
	json_t *ev;
	size_t i;
	int rc = 0;

	if (nargs > 1 || (nargs == 1 && strcmp(args[0], "verify") != 0)) {
		fprintf(stderr, "yamorictl: %s\n",
			_("use: yamorictl log [verify] [--json]"));
		rc = 2;
		goto out;
	}
	/* Read-only, beside a running daemon too (WAL readers never block). */
	rc = ym_store_open_readonly(&s, cfg->state_dir, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "yamorictl: %s\n", err);
		rc = rc == -ENOENT ? 2 : 1;
		goto out;
	}
	if (nargs == 1) {
		rc = cmd_log_verify(s, cfg, as_json);
		ym_store_close(s);
		goto out;
	}
	if (ym_store_get_devices(s, ctl_collect_name, c.names) < 0 ||
	    ym_store_get_events(s, collect_event, &c) < 0) {
		fprintf(stderr, "yamorictl: %s\n", _("cannot read the record"));
		ym_store_close(s);
		rc = 1;
		goto out;
	}
	ym_store_close(s);
	if (as_json) {
		json_dumpf(c.list, stdout, JSON_FLAGS);
		putchar('\n');
		goto out;
	}
	if (json_array_size(c.list) == 0)
		printf("%s\n", _("Nothing is recorded yet."));
	json_array_foreach(c.list, i, ev) {
		const char *mac = json_string_value(json_object_get(ev, "mac"));
		const char *name = json_string_value(
			json_object_get(c.names, mac ? mac : ""));
		char when[32];

		ctl_local_time(json_string_value(json_object_get(ev, "at")), when,
			   sizeof(when));
		printf("%5lld  %s  %s%s%s%s\n",
		       (long long)json_integer_value(json_object_get(ev, "seq")),
		       when, json_string_value(json_object_get(ev, "message")),
		       mac && mac[0] ? "  [" : "",
		       mac && mac[0] ? (name ? name : mac) : "",
		       mac && mac[0] ? "]" : "");
	}
out:
	json_decref(c.list);
	json_decref(c.names);
	return rc;
}

