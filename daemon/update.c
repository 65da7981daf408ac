/* Data updates in the running daemon: the data sets (fingerprint rules,
 * support knowledge, threat lists, password lists) loaded from the data in
 * use, a signed bundle checked and test-loaded off the loop (libuv's
 * threadpool), then swapped in on the loop without a restart; and the
 * scheduled fetch of a bundle over verified HTTPS (fetch.h, in the
 * threadpool too). Flows, devices and alerts are not touched: only the
 * lists the judges read are replaced. */
#include "engine-private.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit-proto.h"
#include "bundle.h"
#include "detect.h"
#include "fetch.h"
#include "identify.h"
#include "intel.h"
#include "store.h"
#include "support.h"

/* The first scheduled fetch comes this long after the start, so a box
 * that was off for a while catches up soon without slowing its start. */
#define YM_UPDATE_FIRST_MS 10000

/* Everything the judges read from the data directory. */
struct data_set {
	struct ym_identify *id;
	struct ym_intel *intel;
	struct ym_support *kb;
	struct ym_audit_creds creds;
};

struct update_job {
	uv_work_t work;
	struct ym_engine *e;
	struct ym_api_deferred *later;
	/* In: one of them. */
	char path[1100];
	char url[1024];
	/* Copied from the engine when queued: the worker reads nothing of
	 * the engine. */
	char state_dir[1024], keys_dir[1024], ca[1024];
	uint64_t installed;
	/* Out. */
	int rc;
	char err[512];
	struct ym_bundle_staged st;
	struct data_set set;
};

struct ym_update {
	uv_timer_t timer;
	bool timer_started;
	struct update_job *running;  /* one update at a time */
	atomic_bool cancel;          /* the daemon stops: a fetch gives up */
	bool fetch_ready;            /* ym_fetch_global_init was called */
	char last_problem[512];
	uint64_t last_try_us;
};

static void data_set_free(struct data_set *s)
{
	ym_identify_fini(s->id);
	ym_intel_fini(s->intel);
	ym_support_fini(s->kb);
	ym_audit_creds_free(&s->creds);
	memset(s, 0, sizeof(*s));
}

/* A part the daemon can run without: at the start, a missing one is said
 * once (with what goes missing) and does not stop it; a bad one does. In
 * a bundle (strict) every part must be there and read. */
static int part(int rc, bool strict, const char *without, char *err)
{
	if (rc == -ENOENT && !strict) {
		fprintf(stderr, "yamorid: %s; %s\n", err, without);
		err[0] = '\0';
		return 0;
	}
	return rc < 0 ? (rc == -ENOENT ? rc : -EINVAL) : 0;
}

/* Loads the data sets of dir with the loaders of the start (datafile.c,
 * which also checks an installed bundle's files against its manifest). */
static int data_set_load(const char *dir, bool strict, struct data_set *s,
			 char *err, size_t errlen)
{
	char path[1200];
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/fingerprints", dir);
	rc = part(ym_identify_init(&s->id, path, err, errlen), strict,
		  "devices will not be identified", err);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/intel", dir);
		rc = part(ym_intel_init(&s->intel, path, err, errlen), strict,
			  "known malware will not be recognised", err);
	}
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/support", dir);
		rc = part(ym_support_init(&s->kb, path, err, errlen), strict,
			  "support periods will not be checked", err);
	}
	/* The password lists are read by the checker itself at its start;
	 * an update reads them here so a bad list is refused with the rest. */
	if (rc == 0 && strict) {
		snprintf(path, sizeof(path), "%s/credentials", dir);
		rc = ym_audit_creds_load(&s->creds, path, err, errlen);
		rc = rc < 0 ? rc : 0;
	}
	if (rc < 0)
		data_set_free(s);
	return rc;
}

int ym_update_load_data(struct ym_engine *e, char *err, size_t errlen)
{
	struct data_set s;
	int rc;

	ym_bundle_installed(e->cfg.state_dir, e->cfg.data_dir, &e->data);
	rc = data_set_load(e->data.dir, false, &s, err, errlen);
	if (rc < 0 && strcmp(e->data.dir, e->cfg.data_dir) != 0) {
		/* A damaged update never stops the box: it falls back to
		 * the packaged data. The version stays as the floor, so the
		 * damage cannot be used to roll back. */
		fprintf(stderr, "yamorid: the installed data update cannot be "
			"used (%s); using %s\n", err, e->cfg.data_dir);
		snprintf(e->data.dir, sizeof(e->data.dir), "%s",
			 e->cfg.data_dir);
		err[0] = '\0';
		rc = data_set_load(e->data.dir, false, &s, err, errlen);
	}
	if (rc < 0)
		return rc;
	e->id = s.id;
	e->intel = s.intel;
	e->kb = s.kb;
	return 0;
}

/* The reason without the staging directory's name: "fingerprints/x.rules:3:
 * ..." says enough. */
static void strip_dir(char *err, const char *dir)
{
	size_t n = strlen(dir);
	char *p = dir[0] ? strstr(err, dir) : NULL;

	if (p && p[n] == '/')
		memmove(p, p + n + 1, strlen(p + n + 1) + 1);
}

/* --- the fetch (in a worker thread) ------------------------------------ */

/* --- one update -------------------------------------------------------- */

static void work(uv_work_t *w)
{
	struct update_job *j = ym_container_of(w, struct update_job, work);
	struct ym_update *u = j->e->update;
	struct ym_bundle_keys keys;
	int64_t now = (int64_t)(ym_wall_us() / 1000000);
	uint8_t *buf = NULL;
	size_t len = 0;

	ym_bundle_keys_load(&keys, j->keys_dir);
	if (j->url[0]) {
		j->rc = ym_fetch_https(j->url, j->ca, YM_BUNDLE_MAX_BYTES,
				       YM_FETCH_TIMEOUT_SEC, &u->cancel, &buf,
				       &len, j->err, sizeof(j->err));
		if (j->rc == 0)
			j->rc = ym_bundle_stage(buf, len, &keys, j->state_dir,
						j->installed, now, &j->st,
						j->err, sizeof(j->err));
		free(buf);
	} else {
		j->rc = ym_bundle_stage_file(j->path, &keys, j->state_dir,
					     j->installed, now, &j->st,
					     j->err, sizeof(j->err));
	}
	if (j->rc < 0)
		return;
	j->rc = data_set_load(j->st.dir, true, &j->set, j->err,
			      sizeof(j->err));
	if (j->rc < 0) {
		strip_dir(j->err, j->st.dir);
		ym_bundle_discard(&j->st);
	}
}

static void redo_identify(struct ym_device *d, void *arg)
{
	struct ym_engine *e = arg;

	ym_identify_redo(e->id, d);
}

/* Puts the new lists where the judges look; the old ones go. The devices
 * are identified again with the new rules. */
static void swap_in(struct ym_engine *e, struct data_set *s)
{
	struct data_set old = { e->id, e->intel, e->kb, { NULL, 0, 0 } };

	e->id = s->id;
	e->sniff.id = s->id;
	ym_inventory_set_identify(e->inv, s->id);
	e->rules = (uint32_t)ym_identify_rule_count(s->id);
	ym_inventory_foreach(e->inv, redo_identify, e);
	e->intel = s->intel;
	ym_detect_set_intel(e->detect, s->intel);
	e->kb = s->kb;
	e->lifecycle.kb = s->kb;
	if (e->audit)
		ym_audit_set_creds(e->audit, &s->creds);
	ym_audit_creds_free(&s->creds);
	memset(s, 0, sizeof(*s));
	data_set_free(&old);
}

static void refused(struct ym_engine *e, const char *from, const char *why)
{
	struct ym_update *u = e->update;

	ym_engine_log_now(e, "update_refused",
		   json_pack("{s:s, s:s}", "from", from, "reason", why));

	fprintf(stderr, "yamorid: data update from %s refused: %s\n", from,
		why);
	snprintf(u->last_problem, sizeof(u->last_problem), "%s", why);
	ym_api_publish(e->api, json_pack("{s:s, s:s, s:s}", "event",
					 "update_refused", "from", from,
					 "reason", why));
}

static void after_work(uv_work_t *w, int status)
{
	struct update_job *j = ym_container_of(w, struct update_job, work);
	struct ym_engine *e = j->e;
	struct ym_update *u = e->update;
	const char *from = j->url[0] ? j->url : j->path;
	uint64_t version = j->st.m.version;
	int64_t created = j->st.m.created, expires = j->st.m.expires;

	u->running = NULL;
	if (status == UV_ECANCELED || (j->rc == 0 && e->stopped)) {
		j->rc = -ECANCELED;
		snprintf(j->err, sizeof(j->err), "the daemon is stopping");
		ym_bundle_discard(&j->st);
		data_set_free(&j->set);
	} else if (j->rc == 0) {
		j->rc = ym_bundle_commit(&j->st, j->err, sizeof(j->err));
		if (j->rc < 0)
			data_set_free(&j->set);
	}
	if (j->rc < 0) {
		if (!e->stopped)
			refused(e, from, j->err);
		if (j->later)
			ym_api_complete(j->later, NULL, YM_API_REFUSED, j->err);
		free(j);
		return;
	}
	swap_in(e, &j->set);
	e->data.version = version;
	e->data.created = created;
	e->data.expires = expires;
	snprintf(e->data.dir, sizeof(e->data.dir), "%s", j->st.dir);
	u->last_problem[0] = '\0';
	fprintf(stderr, "yamorid: data version %llu in use (from %s)\n",
		(unsigned long long)version, from);
	ym_engine_log_now(e, "update_applied",
		   json_pack("{s:I, s:s}", "version", (json_int_t)version,
			     "from", from));
	ym_api_publish(e->api, json_pack("{s:s, s:I, s:s}", "event",
					 "data_updated", "version",
					 (json_int_t)version, "from", from));
	if (j->later)
		ym_api_complete(j->later, ym_update_status_json(e), YM_API_OK,
				NULL);
	free(j);
}

static struct ym_update *update_get(struct ym_engine *e)
{
	if (!e->update)
		e->update = calloc(1, sizeof(*e->update));
	return e->update;
}

static int queue(struct ym_engine *e, const char *path, const char *url,
		 struct ym_api_deferred *later, struct ym_api_error *err)
{
	struct ym_update *u = update_get(e);
	struct update_job *j;
	int rc;

	if (!u || e->stopped) {
		ym_api_fail(err, YM_API_INTERNAL, "out of memory");
		return -ENOMEM;
	}
	if (u->running) {
		ym_api_fail(err, YM_API_BUSY, "an update is being applied");
		return -EBUSY;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		ym_api_fail(err, YM_API_INTERNAL, "out of memory");
		return -ENOMEM;
	}
	j->e = e;
	j->later = later;
	snprintf(j->path, sizeof(j->path), "%s", path ? path : "");
	snprintf(j->url, sizeof(j->url), "%s", url ? url : "");
	snprintf(j->state_dir, sizeof(j->state_dir), "%s", e->cfg.state_dir);
	snprintf(j->keys_dir, sizeof(j->keys_dir), "%s", e->cfg.keys_dir);
	snprintf(j->ca, sizeof(j->ca), "%s", e->cfg.update_ca);
	j->installed = e->data.version;
	u->last_try_us = ym_wall_us();
	rc = uv_queue_work(e->loop, &j->work, work, after_work);
	if (rc < 0) {
		free(j);
		ym_api_fail(err, YM_API_INTERNAL, "cannot start the update: %s",
			    uv_strerror(rc));
		return rc;
	}
	u->running = j;
	return 0;
}

int ym_update_apply(struct ym_engine *e, const char *path,
		    struct ym_api_deferred *later, struct ym_api_error *err)
{
	if (!path && !e->cfg.update_url[0]) {
		ym_api_fail(err, YM_API_OFF, "no update_url in the config");
		return -ENOENT;
	}
	return queue(e, path, path ? NULL : e->cfg.update_url, later, err);
}

static void on_timer(uv_timer_t *t)
{
	struct ym_engine *e = t->data;
	struct ym_api_error err;

	if (queue(e, NULL, e->cfg.update_url, NULL, &err) < 0 &&
	    err.code != YM_API_BUSY)
		refused(e, e->cfg.update_url, err.msg);
}

int ym_update_start(struct ym_engine *e)
{
	struct ym_update *u;
	int rc;

	if (!e->cfg.update_url[0])
		return 0;
	u = update_get(e);
	if (!u)
		return -ENOMEM;
	if (!u->fetch_ready) {
		/* -ENOTSUP: built without downloads. */
		rc = ym_fetch_global_init();
		if (rc < 0)
			return rc;
	}
	u->fetch_ready = true;
	rc = uv_timer_init(e->loop, &u->timer);
	if (rc < 0)
		return rc;
	u->timer.data = e;
	u->timer_started = true;
	return uv_timer_start(&u->timer, on_timer, YM_UPDATE_FIRST_MS,
			      (uint64_t)e->cfg.update_interval * 1000);
}

void ym_update_stop(struct ym_engine *e)
{
	struct ym_update *u = e->update;

	if (!u)
		return;
	atomic_store(&u->cancel, true);
	if (u->running)
		(void)uv_cancel((uv_req_t *)&u->running->work);
	if (u->timer_started)
		uv_close((uv_handle_t *)&u->timer, NULL);
	u->timer_started = false;
}

void ym_update_fini(struct ym_engine *e)
{
	if (e->update && e->update->fetch_ready)
		ym_fetch_global_fini();
	free(e->update);
	e->update = NULL;
}

json_t *ym_update_status_json(struct ym_engine *e)
{
	char created[YM_TIME_STRLEN], expires[YM_TIME_STRLEN];
	int64_t now = (int64_t)(ym_wall_us() / 1000000);
	json_t *o;

	ym_time_format((uint64_t)e->data.created * 1000000, created);
	ym_time_format((uint64_t)e->data.expires * 1000000, expires);
	o = json_pack("{s:I, s:s, s:s, s:b}", "version",
		      (json_int_t)e->data.version, "created",
		      e->data.created ? created : "", "expires",
		      e->data.expires ? expires : "", "expired",
		      e->data.expires && e->data.expires <= now);
	if (o && e->update && e->update->last_problem[0])
		json_object_set_new(o, "last_problem",
				    json_string(e->update->last_problem));
	if (o && e->cfg.update_url[0])
		json_object_set_new(o, "url", json_string(e->cfg.update_url));
	return o;
}

/* --- without a daemon (yamorictl update FILE) --------------------------- */

int ym_engine_update_offline(const struct ym_config *cfg, const char *file,
			     uint64_t *version, char *err, size_t errlen)
{
	struct ym_bundle_info info;
	struct ym_bundle_keys keys;
	struct ym_bundle_staged st;
	struct data_set set;
	int rc;

	ym_bundle_installed(cfg->state_dir, cfg->data_dir, &info);
	ym_bundle_keys_load(&keys, cfg->keys_dir);
	rc = ym_bundle_stage_file(file, &keys, cfg->state_dir, info.version,
				  (int64_t)(ym_wall_us() / 1000000), &st, err,
				  errlen);
	if (rc < 0)
		return rc;
	rc = data_set_load(st.dir, true, &set, err, errlen);
	if (rc < 0) {
		strip_dir(err, st.dir);
		ym_bundle_discard(&st);
		return rc;
	}
	data_set_free(&set);
	*version = st.m.version;
	return ym_bundle_commit(&st, err, errlen);
}
