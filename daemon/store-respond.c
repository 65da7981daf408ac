/* The store's records of the response policy: isolations that must
 * survive a restart, and the log of password-check attempts that keeps
 * the daily budget across restarts. */
#include "store-private.h"

#include <errno.h>
#include <stdio.h>

int ym_store_put_isolation(struct ym_store *s, const uint8_t mac[6],
			   uint64_t since_us, const char *reason,
			   bool verified)
{
	char m[YM_MAC_STRLEN];
	sqlite3_stmt *st;
	int rc;

	ym_mac_format(mac, m);
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO isolation (mac, since, reason,"
			       " verified) VALUES (?1, ?2, ?3, ?4)"
			       " ON CONFLICT (mac) DO UPDATE SET"
			       " reason = excluded.reason,"
			       " verified = excluded.verified",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)since_us);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, verified);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(s);
	{
		const char *kv[] = { "reason", reason, "verified",
				     verified ? "yes" : "no" };

		return ym_store_log_fields(s, "isolated", m, kv, 4);
	}
}

int ym_store_delete_isolation(struct ym_store *s, const uint8_t mac[6])
{
	char m[YM_MAC_STRLEN];
	int rc = update_device(s, "DELETE FROM isolation WHERE mac = ?1", mac,
			       NULL);

	if (rc == -EIO)
		return rc;
	if (rc == -ENOENT)
		return 0;
	ym_mac_format(mac, m);
	return ym_store_log_fields(s, "released", m, NULL, 0);
}

int ym_store_get_isolations(struct ym_store *s, uint8_t (*macs)[6],
			    size_t max)
{
	sqlite3_stmt *st;
	size_t n = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT mac FROM isolation ORDER BY mac",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);

		if (m && ym_mac_parse(m, macs[n]) == 0)
			n++;
	}
	sqlite3_finalize(st);
	return (int)n;
}

int ym_store_log_attempt(struct ym_store *s, uint64_t at_us,
			 const uint8_t mac[6], const char *service,
			 uint16_t port, const char *user, bool accepted)
{
	char m[YM_MAC_STRLEN];
	sqlite3_stmt *st;
	int rc;

	ym_mac_format(mac, m);
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO audit_log (at, mac, service, port,"
			       " user, accepted) VALUES (?1, ?2, ?3, ?4, ?5,"
			       " ?6)",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_int64(st, 1, (int64_t)at_us);
	sqlite3_bind_text(st, 2, m, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, service, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, port);
	sqlite3_bind_text(st, 5, user, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, accepted);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_err(s);
	{
		char p[8];
		const char *kv[] = { "service", service, "port", p, "user",
				     user, "accepted", accepted ? "yes" : "no" };

		snprintf(p, sizeof(p), "%u", (unsigned)port);
		return ym_store_log_fields(s, "password_check", m, kv, 8);
	}
}

int ym_store_attempts_since(struct ym_store *s, uint64_t since_us,
			    ym_store_attempt_fn fn, void *arg)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT mac, service, port, at FROM audit_log"
			       " WHERE at >= ?1 ORDER BY at, rowid",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_int64(st, 1, (int64_t)since_us);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		const char *svc = (const char *)sqlite3_column_text(st, 1);
		int port = sqlite3_column_int(st, 2);
		sqlite3_int64 at = sqlite3_column_int64(st, 3);
		uint8_t mac[6];

		if (!m || !svc || port <= 0 || port > 65535 || at < 0 ||
		    ym_mac_parse(m, mac) < 0)
			continue;
		rc = fn(arg, mac, svc, (uint16_t)port, (uint64_t)at);
		if (rc < 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sql_err(s);
	sqlite3_finalize(st);
	return rc;
}
