/* The store's insides shared by its files and nobody else: store.c (the
 * database, its migrations and the devices), store-alerts.c (the alert
 * rows) and store-respond.c (isolations and password-check attempts). */
#ifndef YM_STORE_PRIVATE_H
#define YM_STORE_PRIVATE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "store.h"
#include "device.h"

/* The statements prepared at open (store.c's statement_sql). */
enum {
	ST_PUT_DEVICE,
	ST_DEL_IPS,
	ST_PUT_IP,
	ST_DEL_EVIDENCE,
	ST_PUT_EVIDENCE,
	ST_PUT_META,
	ST_DEL_DEVICE,
	ST_HAS_ALERT,
	ST_PUT_ALERT,
	ST_COUNT
};

/* Statements that run at every commit are prepared once per call site
 * (keyed by the address of their SQL text) and kept for the life of the
 * handle: parsing them again each time was most of a commit's work. */
#define YM_STORE_CACHED 24

struct ym_store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	const char *cached_sql[YM_STORE_CACHED];
	sqlite3_stmt *cached[YM_STORE_CACHED];
	bool in_batch;
	bool readonly;
	char damaged[4200]; /* where a damaged database was set aside, or "" */
	char path[4096];    /* the database file */
};

/* The statement for sql (a string literal: its address is the key),
 * prepared at its first use; SQLite's result code. Give it back with
 * ym_store_done. */
int ym_store_prepare(struct ym_store *s, const char *sql, sqlite3_stmt **st);
/* Resets a statement from ym_store_prepare for its next use (or finalizes
 * it when the cache was full). */
void ym_store_done(struct ym_store *s, sqlite3_stmt *st);

static inline int sql_err(struct ym_store *s)
{
	fprintf(stderr, "yamori: database error: %s\n", sqlite3_errmsg(s->db));
	return -EIO;
}

static inline void bind_text(sqlite3_stmt *st, const char *name,
			     const char *v)
{
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name), v, -1,
			  SQLITE_TRANSIENT);
}

static inline void bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name), v);
}

/* Steps a write statement and resets it for its next use. */
static inline int step_done(struct ym_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : sql_err(s);
}

/* Runs one statement on a device row: ?1 the MAC, ?2 the text if any;
 * -ENOENT when there is no such device. */
static inline int update_device(struct ym_store *s, const char *sql,
				const uint8_t mac[6], const char *text)
{
	char m[YM_MAC_STRLEN];
	sqlite3_stmt *st;
	int rc;

	ym_mac_format(mac, m);
	if (ym_store_prepare(s, sql, &st) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	ym_store_done(s, st);
	if (rc != SQLITE_DONE)
		return sql_err(s);
	return sqlite3_changes(s->db) ? 0 : -ENOENT;
}

/* A text column copied into dst, cleaned and cut to whole characters. */
static inline void col_text(sqlite3_stmt *st, int col, char *dst, size_t len)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", v ? (const char *)v : "");
}

/* Yamori's own record (event log), for the store's files: one entry of
 * string fields kv[0..n) as name/value pairs; an alert's raise or reopen;
 * a household's change of one alert's state. 0 or negative errno. */
int ym_store_log_fields(struct ym_store *s, const char *event, const char *mac,
			const char *const *kv, size_t n);
int ym_store_log_alert(struct ym_store *s, const char *event, const char *kind,
		       const char *severity, const char *mac,
		       const char *target);
int ym_store_log_alert_id(struct ym_store *s, int64_t id, const char *state,
			  const char *reason);

#endif
