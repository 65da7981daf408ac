/* yamorictl's insides shared by its two files and nobody else: ctl.c (the
 * options, the daemon's socket, the commands that act) and ctl-print.c
 * (devices, alerts and status as tables for people). The program is not
 * part of the core library, so these names stay as they were when they
 * were one file's. */
#ifndef YM_CTL_H
#define YM_CTL_H

#include <stdbool.h>

#include <jansson.h>

#include "api.h"
#include "api-client.h"
#include "config.h"
#include "store.h"
#include "support.h"

#define JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(3))

/* --all: retired devices are listed too. */
extern bool show_all;
/* The daemon's API when it runs, else NULL and the database is read. */
extern struct ym_api_client *g_api;

/* ---- ctl.c ---- */

/* One request and its answer; NULL with err set when the daemon refused or
 * did not answer (then err->code is YM_API_INTERNAL). */
json_t *api_call(const char *cmd, json_t *args, struct ym_api_error *err);

/* ---- ctl-print.c ---- */

/* The support entries (rules 1 and 4), or NULL when there are none. */
struct ym_support *load_support(const struct ym_config *cfg);
/* The integer at a dotted path ("counters.packets") of an object. */
json_int_t jint(json_t *o, const char *path);
/* The reports: from the daemon when g_api is set, else from s. */
int cmd_devices(struct ym_store *s, const struct ym_config *cfg,
		bool as_json);
int cmd_alerts(struct ym_store *s, bool as_json);
int cmd_status(struct ym_store *s, bool as_json);

/* An RFC 3339 time as the local time people read ("2026-12-07 14:05"). */
void ctl_local_time(const char *rfc3339, char *out, size_t len);

/* A ym_store_get_devices callback: the name people know, by MAC, into the
 * JSON object arg. */
int ctl_collect_name(const struct ym_device *d, void *arg);

/* yamorictl log [verify] [--json]; the exit code. */
int cmd_log(const struct ym_config *cfg, char **args, int nargs, bool as_json);

#endif
