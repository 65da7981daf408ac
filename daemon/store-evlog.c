/* Yamori's own record in the store: the event log's rows, each chained to
 * the one before by its hash (evlog.h), and the helpers the store's files
 * use to append what they did. Only the store touches SQLite. */
#include "store-private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "evlog.h"

static const char last_sql[] =
	"SELECT seq, hash, kind FROM event_log ORDER BY seq DESC LIMIT 1";
static const char insert_sql[] =
	"INSERT INTO event_log (seq, at, kind, mac, detail, prev, hash)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/* Appends one entry to the event log, chained to the last one. */
int ym_store_log_event(struct ym_store *s, const char *kind, const char *mac,
		       const char *detail, uint64_t now_us)
{
	char prev[YM_EVLOG_HASH_STRLEN], hash[YM_EVLOG_HASH_STRLEN];
	int64_t seq = 1, at = (int64_t)(now_us ? now_us : ym_wall_us());
	sqlite3_stmt *st;
	int rc;

	if (s->readonly)
		return -EROFS;
	mac = mac ? mac : "";
	detail = detail && detail[0] ? detail : "{}";
	memcpy(prev, ym_evlog_genesis, sizeof(prev));
	if (ym_store_prepare(s, last_sql, &st) != SQLITE_OK)
		return sql_err(s);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0) + 1;
		ym_strlcpy_clean(prev, (const char *)sqlite3_column_text(st, 1),
				 (size_t)sqlite3_column_bytes(st, 1),
				 sizeof(prev));
	}
	ym_store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_err(s);
	ym_evlog_hash(prev, seq, at, kind, mac, detail, hash);
	if (ym_store_prepare(s, insert_sql, &st) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, mac, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	ym_store_done(s, st);
	return rc == SQLITE_DONE ? 0 : sql_err(s);
}

/* A small JSON object of string fields, escaped by hand (names and targets
 * are already clean; quotes and backslashes are escaped anyway). */
static void json_field(char *buf, size_t len, const char *name,
		       const char *value)
{
	size_t n = strlen(buf);

	if (n + 1 >= len)
		return;
	n += (size_t)snprintf(buf + n, len - n, "%s\"%s\":\"",
			      n > 1 ? "," : "", name);
	for (const char *p = value ? value : ""; *p && n + 8 < len; p++) {
		if (*p == '"' || *p == '\\')
			buf[n++] = '\\';
		if ((unsigned char)*p < 0x20)
			continue;
		buf[n++] = *p;
	}
	if (n + 2 < len) {
		buf[n++] = '"';
		buf[n] = '\0';
	}
}

int ym_store_log_fields(struct ym_store *s, const char *event, const char *mac,
		      const char *const *kv, size_t n)
{
	char detail[1024] = "{";

	for (size_t i = 0; i + 1 < n; i += 2)
		json_field(detail, sizeof(detail) - 1, kv[i], kv[i + 1]);
	n = strlen(detail);
	snprintf(detail + n, sizeof(detail) - n, "}");
	return ym_store_log_event(s, event, mac, detail, 0);
}

int ym_store_log_alert(struct ym_store *s, const char *event, const char *kind,
		     const char *severity, const char *mac, const char *target)
{
	const char *kv[] = { "alert", kind, "target", target, "severity",
			     severity };

	return ym_store_log_fields(s, event, mac, kv, severity ? 6 : 4);
}

int ym_store_last_event(struct ym_store *s, int64_t *seq, char hash[65],
			bool *is_head)
{
	char kind[16] = "";
	sqlite3_stmt *st;
	int rc;

	*seq = 0;
	hash[0] = '\0';
	*is_head = false;
	if (ym_store_prepare(s, last_sql, &st) != SQLITE_OK)
		return sql_err(s);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		col_text(st, 1, hash, YM_EVLOG_HASH_STRLEN);
		col_text(st, 2, kind, sizeof(kind));
		*is_head = strcmp(kind, YM_EVLOG_HEAD) == 0;
	}
	ym_store_done(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sql_err(s);
}

int ym_store_trim_events(struct ym_store *s, uint32_t max)
{
	/* At every commit; only the first runs unless the log is full. */
	static const char span_sql[] =
		"SELECT min(seq), max(seq) FROM event_log";
	char detail[96];
	int64_t first = 0, last = 0, start = 0, keep = (int64_t)max * 3 / 4;
	sqlite3_stmt *st;
	int rc, removed;

	if (s->readonly)
		return -EROFS;
	if (ym_store_prepare(s, span_sql, &st) != SQLITE_OK)
		return sql_err(s);
	if (sqlite3_step(st) == SQLITE_ROW) {
		first = sqlite3_column_int64(st, 0);
		last = sqlite3_column_int64(st, 1);
	}
	ym_store_done(s, st);
	if (last == 0 || last - first + 1 <= (int64_t)max)
		return 0;
	/* The new start is a signed head, so the check can begin there. */
	if (sqlite3_prepare_v2(s->db, "SELECT seq FROM event_log WHERE seq >="
			       " ?1 AND kind = '" YM_EVLOG_HEAD "' ORDER BY seq"
			       " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_int64(st, 1, last - (keep > 1 ? keep : 1) + 1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		start = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_err(s);
	/* No head yet among the newest: the next commit signs one. */
	if (start <= first)
		return 0;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM event_log WHERE seq < ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_int64(st, 1, start);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(s);
	removed = sqlite3_changes(s->db);
	snprintf(detail, sizeof(detail), "{\"before\":%" PRId64
		 ",\"removed\":%d}", start, removed);
	rc = ym_store_log_event(s, YM_EVLOG_TRIMMED, NULL, detail, 0);
	return rc < 0 ? rc : removed;
}

int ym_store_get_events(struct ym_store *s,
			int (*fn)(const struct ym_evlog_entry *e, void *arg),
			void *arg)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(s->db, "SELECT seq, at, kind, mac, detail,"
			       " prev, hash FROM event_log ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t[5];

		for (int i = 0; i < 5; i++) {
			t[i] = (const char *)sqlite3_column_text(st, 2 + i);
			t[i] = t[i] ? t[i] : "";
		}
		struct ym_evlog_entry e = {
			.seq = sqlite3_column_int64(st, 0),
			.at_us = sqlite3_column_int64(st, 1),
			.kind = t[0], .mac = t[1], .detail = t[2],
			.prev = t[3], .hash = t[4],
		};
		rc = fn(&e, arg);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Logs a change of one alert's state by the household, naming the alert. */
int ym_store_log_alert_id(struct ym_store *s, int64_t id, const char *state,
			  const char *reason)
{
	char kind[64] = "", mac[YM_MAC_STRLEN] = "", target[256] = "";
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT kind, mac, target FROM alerts"
			       " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		col_text(st, 0, kind, sizeof(kind));
		col_text(st, 1, mac, sizeof(mac));
		col_text(st, 2, target, sizeof(target));
	}
	sqlite3_finalize(st);
	if (reason) {
		const char *kv[] = { "alert", kind, "target", target, "reason",
				     reason };

		return ym_store_log_fields(s, "alert_put_off", mac, kv, 6);
	}
	return ym_store_log_alert(s, strcmp(state, "resolved") == 0 ? "alert_resolved" :
			 strcmp(state, "open") == 0 ? "alert_reopened" :
						      "alert_acknowledged",
			 kind, NULL, mac, target);
}

