/* The store's alert rows: one row per kind, device and target, raised
 * again by counting, resolved by the household or by the judge. Pruning
 * and retention are with the devices' in store.c. */
#include "store-private.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>

int ym_store_put_alert(struct ym_store *s, const char *kind,
		       const char *severity, const char *mac,
		       const char *target, const char *evidence,
		       uint64_t now_us, uint32_t count)
{
	sqlite3_stmt *st = s->st[ST_HAS_ALERT];
	bool existed, reopened = false;
	int rc;

	bind_text(st, ":kind", kind);
	bind_text(st, ":mac", mac);
	bind_text(st, ":target", target);
	rc = sqlite3_step(st);
	existed = rc == SQLITE_ROW;
	if (existed && sqlite3_column_text(st, 0))
		reopened = strcmp((const char *)sqlite3_column_text(st, 0),
				  "resolved") == 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_err(s);
	st = s->st[ST_PUT_ALERT];
	bind_text(st, ":kind", kind);
	bind_text(st, ":severity", severity);
	bind_text(st, ":mac", mac);
	bind_text(st, ":target", target);
	bind_int(st, ":now", (int64_t)now_us);
	bind_int(st, ":count", count);
	if (evidence)
		bind_text(st, ":evidence", evidence);
	rc = step_done(s, st);
	if (rc == 0 && (!existed || reopened))
		rc = ym_store_log_alert(s, "alert_raised", kind, severity, mac, target);
	return rc < 0 ? rc : !existed;
}

int ym_store_get_alerts(struct ym_store *s,
			int (*fn)(const struct ym_alert_row *a, void *arg),
			void *arg)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, kind, severity, mac, target,"
			       " evidence, state, first_seen, last_seen, count"
			       " FROM alerts ORDER BY last_seen DESC, id DESC",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct ym_alert_row a = {
			.id = sqlite3_column_int64(st, 0),
			.kind = (const char *)sqlite3_column_text(st, 1),
			.severity = (const char *)sqlite3_column_text(st, 2),
			.mac = (const char *)sqlite3_column_text(st, 3),
			.target = (const char *)sqlite3_column_text(st, 4),
			.evidence = (const char *)sqlite3_column_text(st, 5),
			.state = (const char *)sqlite3_column_text(st, 6),
			.first_us = (uint64_t)sqlite3_column_int64(st, 7),
			.last_us = (uint64_t)sqlite3_column_int64(st, 8),
			.count = sqlite3_column_int64(st, 9),
		};

		rc = fn(&a, arg);
	}
	sqlite3_finalize(st);
	return rc;
}

int ym_store_set_alert_state(struct ym_store *s, int64_t id,
			      const char *state, const char *reason)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE alerts SET state = ?2"
			       " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(s);
	if (!sqlite3_changes(s->db))
		return -ENOENT;
	return ym_store_log_alert_id(s, id, state, reason);
}

int ym_store_alert_mac(struct ym_store *s, int64_t id, uint8_t mac[6])
{
	char text[YM_MAC_STRLEN] = "";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT mac FROM alerts WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		col_text(st, 0, text, sizeof(text));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_err(s);
	return rc == SQLITE_ROW && ym_mac_parse(text, mac) == 0 ? 0 : -ENOENT;
}

int ym_store_resolve_alerts(struct ym_store *s, const uint8_t mac[6],
			    const char *kind, const char *target)
{
	char m[YM_MAC_STRLEN];
	sqlite3_stmt *st;
	int rc;

	ym_mac_format(mac, m);
	if (sqlite3_prepare_v2(s->db, "UPDATE alerts SET state = 'resolved'"
			       " WHERE mac = ?1 AND kind = ?2"
			       " AND (?3 IS NULL OR target = ?3)"
			       " AND state != 'resolved'",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	if (target)
		sqlite3_bind_text(st, 3, target, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(s);
	rc = sqlite3_changes(s->db);
	if (rc > 0) {
		const char *kv[] = { "alert", kind, "target", target };
		int lr = ym_store_log_fields(s, "alert_resolved", m, kv,
				    target ? 4 : 2);

		if (lr < 0)
			return lr;
	}
	return rc;
}

int ym_store_count_unresolved(struct ym_store *s, const uint8_t mac[6],
			      const char *kind)
{
	char m[YM_MAC_STRLEN];
	sqlite3_stmt *st;
	int rc, n = 0;

	ym_mac_format(mac, m);
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM alerts WHERE"
			       " mac = ?1 AND kind = ?2 AND state != 'resolved'",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? n : sql_err(s);
}
