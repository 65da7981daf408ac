#include "store.h"
#include "store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "device.h"
#include "identify.h"
#include "evlog.h"

/* Migrations, applied in order from PRAGMA user_version; index i brings the
 * schema from version i to i + 1. Never edit a released entry: add one. */
static const char *const migrations[] = {
	/* 0 -> 1: devices, addresses, evidence, alerts, metadata. */
	"CREATE TABLE devices ("
	"  mac TEXT PRIMARY KEY,"
	"  vendor TEXT NOT NULL DEFAULT '',"
	"  hostname TEXT NOT NULL DEFAULT '',"
	"  user_name TEXT NOT NULL DEFAULT '',"
	"  type TEXT NOT NULL DEFAULT 'unknown',"
	"  model TEXT NOT NULL DEFAULT '',"
	"  os TEXT NOT NULL DEFAULT '',"
	"  confidence REAL NOT NULL DEFAULT 0,"
	"  flags INTEGER NOT NULL DEFAULT 0,"
	"  gateway INTEGER NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  bytes_up INTEGER NOT NULL DEFAULT 0,"
	"  bytes_down INTEGER NOT NULL DEFAULT 0,"
	"  packets_up INTEGER NOT NULL DEFAULT 0,"
	"  packets_down INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX devices_last_seen ON devices(last_seen);"
	"CREATE TABLE device_ips ("
	"  mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,"
	"  ip TEXT NOT NULL,"
	"  family INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  PRIMARY KEY (mac, ip));"
	"CREATE TABLE evidence ("
	"  mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  signal TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  conclusion TEXT NOT NULL,"
	"  PRIMARY KEY (mac, signal, value));"
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  mac TEXT NOT NULL DEFAULT '',"
	"  target TEXT NOT NULL DEFAULT '',"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 1,"
	"  evidence TEXT NOT NULL DEFAULT '[]',"
	"  state TEXT NOT NULL DEFAULT 'open',"
	"  UNIQUE (kind, mac, target));"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
	/* 1 -> 2: what each piece of evidence concludes, for identification;
	 * one value may now support several conclusions, so rows are keyed
	 * by their position. */
	"CREATE TABLE evidence2 ("
	"  mac TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  signal TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  conclusion TEXT NOT NULL,"
	"  type TEXT NOT NULL DEFAULT '',"
	"  vendor TEXT NOT NULL DEFAULT '',"
	"  model TEXT NOT NULL DEFAULT '',"
	"  os TEXT NOT NULL DEFAULT '',"
	"  weight REAL NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (mac, seq));"
	"INSERT INTO evidence2 (mac, seq, signal, value, conclusion)"
	"  SELECT mac, seq, signal, value, conclusion FROM evidence;"
	"DROP TABLE evidence;"
	"ALTER TABLE evidence2 RENAME TO evidence;",
	/* 2 -> 3: when a person last used the device (rule 3), and when the
	 * household gave it away (rule 4). */
	"ALTER TABLE devices ADD COLUMN last_use INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE devices ADD COLUMN retired_at INTEGER NOT NULL DEFAULT 0;",
	/* 3 -> 4: devices the household never wants cut off, and the record
	 * of isolations (rule 9 of the guideline's points). */
	"ALTER TABLE devices ADD COLUMN never_isolate INTEGER NOT NULL"
	"  DEFAULT 0;"
	"CREATE TABLE isolation ("
	"  mac TEXT PRIMARY KEY,"
	"  since INTEGER NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  verified INTEGER NOT NULL DEFAULT 0);",
	/* 4 -> 5: every password-check attempt (never the password). */
	"CREATE TABLE audit_log ("
	"  at INTEGER NOT NULL,"
	"  mac TEXT NOT NULL,"
	"  service TEXT NOT NULL,"
	"  port INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  accepted INTEGER NOT NULL);"
	"CREATE INDEX audit_log_at ON audit_log(at);",
	/* 5 -> 6: what the household said a device is (its kind and maker),
	 * which identification keeps across restarts. */
	"ALTER TABLE devices ADD COLUMN user_type TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN user_vendor TEXT NOT NULL DEFAULT '';",
	/* 6 -> 7: Yamori's own record of what it did, hash-chained (see
	 * evlog.h): alerts raised and resolved, isolations, password checks,
	 * settings, retire. Never rewritten; only the oldest are trimmed
	 * (ym_store_trim_events), saying so in the log. */
	"CREATE TABLE event_log ("
	"  seq INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  mac TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '{}',"
	"  prev TEXT NOT NULL,"
	"  hash TEXT NOT NULL);",
	/* 7 -> 8: each device's last password check (its result word, the
	 * ways in it could not tell, when), so a restart does not turn a
	 * checked device back into "not checked yet". */
	"ALTER TABLE devices ADD COLUMN audit TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE devices ADD COLUMN audit_errors INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE devices ADD COLUMN audit_at INTEGER NOT NULL DEFAULT 0;",
	/* 8 -> 9: the kinds the household is offered first when it tells
	 * what the device is, comma-separated, so the offline CLI shows
	 * them too. */
	"ALTER TABLE devices ADD COLUMN maybe TEXT NOT NULL DEFAULT '';",
};

_Static_assert(YM_ARRAY_SIZE(migrations) == YM_STORE_SCHEMA_VERSION,
	       "one migration per schema version");

static const char *const statement_sql[ST_COUNT] = {
	[ST_PUT_DEVICE] =
		"INSERT INTO devices (mac, vendor, hostname, type, model, os,"
		" confidence, flags, gateway, first_seen, last_seen, bytes_up,"
		" bytes_down, packets_up, packets_down, last_use, retired_at,"
		" never_isolate, user_type, user_vendor, audit, audit_errors,"
		" audit_at, maybe)"
		" VALUES (:mac, :vendor, :hostname, :type, :model, :os,"
		" :confidence, :flags, :gateway, :first, :last, :bup, :bdown,"
		" :pup, :pdown, :use, :retired, :never, :utype, :uvendor,"
		" :audit, :aerrors, :aat, :maybe)"
		" ON CONFLICT (mac) DO UPDATE SET vendor = excluded.vendor,"
		" hostname = excluded.hostname, type = excluded.type,"
		" model = excluded.model, os = excluded.os,"
		" confidence = excluded.confidence, flags = excluded.flags,"
		" gateway = excluded.gateway,"
		" first_seen = min(first_seen, excluded.first_seen),"
		" last_seen = max(last_seen, excluded.last_seen),"
		" bytes_up = excluded.bytes_up, bytes_down = excluded.bytes_down,"
		" packets_up = excluded.packets_up,"
		" packets_down = excluded.packets_down,"
		" last_use = max(last_use, excluded.last_use),"
		" retired_at = excluded.retired_at,"
		" never_isolate = excluded.never_isolate,"
		" user_type = excluded.user_type,"
		" user_vendor = excluded.user_vendor,"
		" audit = excluded.audit, audit_errors = excluded.audit_errors,"
		" audit_at = excluded.audit_at, maybe = excluded.maybe",
	[ST_DEL_IPS] = "DELETE FROM device_ips WHERE mac = :mac",
	[ST_PUT_IP] = "INSERT OR REPLACE INTO device_ips (mac, ip, family,"
		      " last_seen) VALUES (:mac, :ip, :family, :last)",
	[ST_DEL_EVIDENCE] = "DELETE FROM evidence WHERE mac = :mac",
	[ST_PUT_EVIDENCE] = "INSERT OR REPLACE INTO evidence (mac, seq, signal,"
			    " value, conclusion, type, vendor, model, os,"
			    " weight) VALUES (:mac, :seq, :signal, :value,"
			    " :conclusion, :type, :vendor, :model, :os,"
			    " :weight)",
	[ST_PUT_META] = "INSERT OR REPLACE INTO meta (key, value)"
			" VALUES (:key, :value)",
	[ST_DEL_DEVICE] = "DELETE FROM devices WHERE mac = :mac",
	[ST_HAS_ALERT] = "SELECT state FROM alerts WHERE kind = :kind AND"
			 " mac = :mac AND target = :target",
	[ST_PUT_ALERT] =
		"INSERT INTO alerts (kind, severity, mac, target, first_seen,"
		" last_seen, count, evidence) VALUES (:kind, :severity, :mac,"
		" :target, :now, :now, :count, coalesce(:evidence, '[]'))"
		" ON CONFLICT (kind, mac, target) DO UPDATE SET"
		" count = count + excluded.count,"
		" last_seen = max(last_seen, excluded.last_seen),"
		" severity = excluded.severity,"
		" evidence = coalesce(:evidence, evidence),"
		" state = CASE state WHEN 'resolved' THEN 'open' ELSE state END",
};

int ym_store_prepare(struct ym_store *s, const char *sql, sqlite3_stmt **st)
{
	int i, rc;

	for (i = 0; i < YM_STORE_CACHED && s->cached_sql[i]; i++)
		if (s->cached_sql[i] == sql) {
			*st = s->cached[i];
			return SQLITE_OK;
		}
	if (i == YM_STORE_CACHED)
		return sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
				NULL);
	if (rc == SQLITE_OK) {
		s->cached_sql[i] = sql;
		s->cached[i] = *st;
	}
	return rc;
}

void ym_store_done(struct ym_store *s, sqlite3_stmt *st)
{
	for (int i = 0; i < YM_STORE_CACHED && s->cached_sql[i]; i++)
		if (s->cached[i] == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	sqlite3_finalize(st);
}

static int exec(struct ym_store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "yamori: database error: %s\n",
			msg ? msg : "unknown");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static int user_version(struct ym_store *s, int *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
		return sql_err(s);
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -EIO;
}

static int migrate(struct ym_store *s, char *err, size_t errlen)
{
	char sql[64];
	int v, rc;

	if (exec(s, "BEGIN IMMEDIATE") < 0)
		return -EIO;
	rc = user_version(s, &v);
	if (rc == 0 && v > (int)YM_ARRAY_SIZE(migrations)) {
		snprintf(err, errlen, "database schema %d is newer than this "
			 "Yamori (%d); update Yamori", v,
			 (int)YM_ARRAY_SIZE(migrations));
		rc = -EPROTO;
	}
	for (; rc == 0 && v < (int)YM_ARRAY_SIZE(migrations); v++) {
		rc = exec(s, migrations[v]);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (rc == 0)
			rc = exec(s, sql);
	}
	if (rc == 0)
		return exec(s, "COMMIT");
	if (err[0] == '\0')
		snprintf(err, errlen, "cannot update the database schema");
	exec(s, "ROLLBACK");
	return rc;
}

/* True when SQLite can read the file as a sound database: the header is
 * SQLite's and PRAGMA quick_check (every page, without the slower index
 * cross-checks) finds nothing wrong. */
static bool sound(sqlite3 *db)
{
	sqlite3_stmt *st;
	bool ok = false;

	if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);

		ok = v && strcmp((const char *)v, "ok") == 0;
	}
	sqlite3_finalize(st);
	return ok;
}

/* Moves a damaged database (with its WAL and shared-memory files) aside to
 * yamori.db.damaged-TIME, so the daemon can start afresh and nothing is
 * lost that someone might still recover. The new name goes to kept. */
static int set_aside(const char *path, char *kept, size_t keptlen)
{
	static const char *const tails[] = { "", "-wal", "-shm" };
	char stamp[32], from[4120], to[4200];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (size_t i = 0; i < YM_ARRAY_SIZE(tails); i++) {
		snprintf(from, sizeof(from), "%s%s", path, tails[i]);
		snprintf(to, sizeof(to), "%s.damaged-%s%s", path, stamp,
			 tails[i]);
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
		if (i == 0)
			snprintf(kept, keptlen, "%s", to);
	}
	return 0;
}

/* A read-only open (yamorictl): the database must be there, sound and
 * Yamori's. */
static int check_readonly(struct ym_store *s, const char *state_dir,
			  const char *path, char *err, size_t errlen)
{
	int rc = 0;

	if (access(path, F_OK) == 0 && !sound(s->db)) {
		int v;

		/* An empty file (a daemon killed while creating it) is "no
		 * data yet"; anything else that is not sound is damage. */
		if (user_version(s, &v) == 0 && v < 1) {
			snprintf(err, errlen,
				 "no Yamori data in %s (run yamorid first)",
				 state_dir);
			rc = -ENOENT;
		} else {
			snprintf(err, errlen,
				 "the database %s is damaged; yamorid sets it "
				 "aside and starts afresh at its next start, or "
				 "'yamorictl wipe' erases it", path);
			rc = -EIO;
		}
		return rc;
	}
	{
		int v;

		/* A daemon killed while creating the database leaves it empty:
		 * that is "no data yet", not a foreign file. */
		if (user_version(s, &v) < 0) {
			snprintf(err, errlen, "%s is not a Yamori database",
				 path);
			rc = -EINVAL;
		} else if (v < 1) {
			snprintf(err, errlen,
				 "no Yamori data in %s (run yamorid first)",
				 state_dir);
			rc = -ENOENT;
		}
		return rc;
	}
}

/* A torn or corrupted file (a failing SD card, a power cut in the wrong
 * place) must not keep the guardian down: it is kept aside for whoever
 * wants to look at it, and Yamori starts afresh. */
static int reopen_afresh(struct ym_store *s, const char *path, int flags,
			 char *err, size_t errlen)
{
	int rc;

	sqlite3_close(s->db);
	s->db = NULL;
	rc = set_aside(path, s->damaged, sizeof(s->damaged));
	if (rc < 0) {
		snprintf(err, errlen, "the database %s is damaged and "
			 "cannot be moved aside: %s", path,
			 strerror(-rc));
		return rc;
	}
	fprintf(stderr, "yamorid: the database %s was damaged; it is "
		"kept as %s and Yamori starts afresh\n", path,
		s->damaged);
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) :
				 "out of memory");
		return -EIO;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	return 0;
}

/* Prepares statement_sql once, for the life of the handle. */
static int prepare_statements(struct ym_store *s, char *err, size_t errlen)
{
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, statement_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK) {
			snprintf(err, errlen, "cannot prepare statement: %s",
				 sqlite3_errmsg(s->db));
			return -EIO;
		}
	}
	return 0;
}

static int open_common(struct ym_store **out, const char *state_dir,
		       bool readonly, char *err, size_t errlen)
{
	struct ym_store *s;
	char path[4096];
	int flags = readonly ? SQLITE_OPEN_READONLY :
			       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc = 0;

	err[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", state_dir, YM_STORE_FILE);
	if (readonly && access(path, F_OK) != 0) {
		snprintf(err, errlen, "no Yamori data in %s (run yamorid first)",
			 state_dir);
		return -ENOENT;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->readonly = readonly;
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		rc = -EIO;
		goto out;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	if (readonly) {
		rc = check_readonly(s, state_dir, path, err, errlen);
		goto out;
	}
	if (!sound(s->db)) {
		rc = reopen_afresh(s, path, flags, err, errlen);
		if (rc < 0)
			goto out;
	}
	/* WAL keeps readers (yamorictl) off the writer's back and survives a
	 * kill -9; NORMAL sync is safe in WAL mode and spares SD cards. */
	if (exec(s, "PRAGMA journal_mode = WAL") < 0 ||
	    exec(s, "PRAGMA synchronous = NORMAL") < 0 ||
	    exec(s, "PRAGMA foreign_keys = ON") < 0) {
		snprintf(err, errlen, "cannot set up %s: %s", path,
			 sqlite3_errmsg(s->db));
		rc = -EIO;
		goto out;
	}
	rc = migrate(s, err, errlen);
	if (rc < 0)
		goto out;
	chmod(path, 0640);
	rc = prepare_statements(s, err, errlen);
out:
	if (rc < 0) {
		ym_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int ym_store_open(struct ym_store **out, const char *state_dir, char *err,
		  size_t errlen)
{
	return open_common(out, state_dir, false, err, errlen);
}

int ym_store_open_readonly(struct ym_store **out, const char *state_dir,
			   char *err, size_t errlen)
{
	return open_common(out, state_dir, true, err, errlen);
}

const char *ym_store_damaged_copy(const struct ym_store *s)
{
	return s->damaged[0] ? s->damaged : NULL;
}

void ym_store_close(struct ym_store *s)
{
	if (!s)
		return;
	if (s->in_batch)
		exec(s, "ROLLBACK");
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	for (int i = 0; i < YM_STORE_CACHED; i++)
		sqlite3_finalize(s->cached[i]);
	sqlite3_close(s->db);
	free(s);
}

int ym_store_begin(struct ym_store *s)
{
	if (s->in_batch)
		return 0;
	if (exec(s, "BEGIN IMMEDIATE") < 0)
		return -EIO;
	s->in_batch = true;
	return 0;
}

int ym_store_commit(struct ym_store *s)
{
	if (!s->in_batch)
		return 0;
	s->in_batch = false;
	if (exec(s, "COMMIT") < 0) {
		exec(s, "ROLLBACK");
		return -EIO;
	}
	return 0;
}

int ym_store_commit_durable(struct ym_store *s)
{
	char wal[4200];
	int rc = ym_store_commit(s), fd;

	/* synchronous = NORMAL leaves a commit in the WAL file unsynced until
	 * the next checkpoint: safe from a crash, not from a power cut. What
	 * the household did gets the WAL synced now (what FULL would do at
	 * every commit), and the packet-rate batches spare the SD card. */
	if (rc < 0)
		return rc;
	snprintf(wal, sizeof(wal), "%s-wal", s->path);
	fd = open(wal, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fdatasync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int ym_store_put_device(struct ym_store *s, const struct ym_device *d)
{
	char mac[YM_MAC_STRLEN], ip[YM_ADDR_STRLEN];
	char maybe[YM_MAYBE_KINDS * 16];
	sqlite3_stmt *st = s->st[ST_PUT_DEVICE];
	int rc;

	ym_mac_format(d->mac, mac);
	bind_text(st, ":mac", mac);
	bind_text(st, ":vendor", d->vendor);
	bind_text(st, ":hostname", d->hostname);
	bind_text(st, ":type", d->type);
	bind_text(st, ":model", d->model);
	bind_text(st, ":os", d->os);
	sqlite3_bind_double(st, sqlite3_bind_parameter_index(st, ":confidence"),
			    d->confidence);
	bind_int(st, ":flags", d->flags);
	bind_int(st, ":gateway", d->gateway);
	bind_int(st, ":first", (int64_t)d->first_us);
	bind_int(st, ":last", (int64_t)d->last_us);
	bind_int(st, ":bup", (int64_t)d->bytes_up);
	bind_int(st, ":bdown", (int64_t)d->bytes_down);
	bind_int(st, ":pup", (int64_t)d->pkts_up);
	bind_int(st, ":pdown", (int64_t)d->pkts_down);
	bind_int(st, ":use", (int64_t)d->last_use_us);
	bind_int(st, ":retired", (int64_t)d->retired_us);
	bind_int(st, ":never", d->never_isolate);
	bind_text(st, ":utype", d->user_type);
	bind_text(st, ":uvendor", d->user_vendor);
	bind_text(st, ":audit", d->audit);
	bind_int(st, ":aerrors", d->audit_errors);
	bind_int(st, ":aat", (int64_t)d->audit_us);
	ym_device_maybe_format(d, maybe, sizeof(maybe));
	bind_text(st, ":maybe", maybe);
	rc = step_done(s, st);
	if (rc < 0)
		return rc;

	st = s->st[ST_DEL_IPS];
	bind_text(st, ":mac", mac);
	rc = step_done(s, st);
	for (uint8_t i = 0; rc == 0 && i < d->n_ips; i++) {
		st = s->st[ST_PUT_IP];
		ym_addr_format(&d->ips[i].addr, ip, sizeof(ip));
		bind_text(st, ":mac", mac);
		bind_text(st, ":ip", ip);
		bind_int(st, ":family", d->ips[i].addr.family);
		bind_int(st, ":last", (int64_t)d->ips[i].last_us);
		rc = step_done(s, st);
	}

	if (rc == 0) {
		st = s->st[ST_DEL_EVIDENCE];
		bind_text(st, ":mac", mac);
		rc = step_done(s, st);
	}
	for (uint8_t i = 0; rc == 0 && i < d->n_evidence; i++) {
		st = s->st[ST_PUT_EVIDENCE];
		bind_text(st, ":mac", mac);
		bind_int(st, ":seq", i);
		bind_text(st, ":signal", d->evidence[i].signal);
		bind_text(st, ":value", d->evidence[i].value);
		bind_text(st, ":conclusion", d->evidence[i].conclusion);
		bind_text(st, ":type", d->evidence[i].type);
		bind_text(st, ":vendor", d->evidence[i].vendor);
		bind_text(st, ":model", d->evidence[i].model);
		bind_text(st, ":os", d->evidence[i].os);
		sqlite3_bind_double(st,
				    sqlite3_bind_parameter_index(st, ":weight"),
				    d->evidence[i].weight);
		rc = step_done(s, st);
	}
	return rc;
}

int ym_store_delete_device(struct ym_store *s, const uint8_t mac[6])
{
	sqlite3_stmt *st = s->st[ST_DEL_DEVICE];
	char text[YM_MAC_STRLEN];

	ym_mac_format(mac, text);
	bind_text(st, ":mac", text);
	return step_done(s, st);
}


/* Runs a DELETE with one integer parameter; returns the rows deleted. */
static int delete_rows(struct ym_store *s, const char *sql, const char *name,
		       int64_t value)
{
	static const char orphans[] =
		"DELETE FROM alerts WHERE kind = 'new_device'"
		" AND mac != '' AND mac NOT IN (SELECT mac FROM devices)";
	sqlite3_stmt *st;
	int rc;

	if (ym_store_prepare(s, sql, &st) != SQLITE_OK)
		return sql_err(s);
	bind_int(st, name, value);
	rc = sqlite3_step(st);
	ym_store_done(s, st);
	if (rc != SQLITE_DONE)
		return sql_err(s);
	rc = sqlite3_changes(s->db);
	if (rc == 0)
		return 0;
	/* "A new device joined" means nothing once the device is gone. */
	if (ym_store_prepare(s, orphans, &st) != SQLITE_OK)
		return sql_err(s);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ym_store_done(s, st);
		return sql_err(s);
	}
	ym_store_done(s, st);
	return rc;
}

int ym_store_prune_devices(struct ym_store *s, uint32_t max)
{
	/* Never pruned: the gateway, a device the household named or told
	 * the kind of, one with a flag that tells of a problem, one with an
	 * alert beyond "new".
	 * Of the rest, the least confirmed go first (no host name, nothing
	 * but its maker's prefix as evidence, seen for less than an hour:
	 * what a flood of made-up MACs looks like), then the oldest. */
	static const char sql[] =
		"DELETE FROM devices WHERE mac IN (SELECT mac FROM devices d"
		" WHERE gateway = 0 AND user_name = '' AND user_type = ''"
		" AND (flags & :keep) = 0"
		" AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.mac = d.mac"
		"  AND a.kind != 'new_device')"
		" ORDER BY (hostname != '') + (last_seen - first_seen >= 3600000000)"
		"  + EXISTS (SELECT 1 FROM evidence e WHERE e.mac = d.mac"
		"   AND e.signal != 'oui') DESC, last_seen DESC"
		" LIMIT -1 OFFSET :max)";
	sqlite3_stmt *st;
	static const char count[] = "SELECT count(*) FROM devices";
	int64_t n = 0;
	int rc;

	/* This runs at every commit; its ranking reads every device's alerts
	 * and evidence. Under the cap (nearly always) nothing can go: a count
	 * says so without the ranking. */
	if (ym_store_prepare(s, count, &st) != SQLITE_OK)
		return sql_err(s);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	ym_store_done(s, st);
	if (rc != SQLITE_ROW)
		return sql_err(s);
	if (n <= (int64_t)max)
		return 0;
	if (ym_store_prepare(s, sql, &st) != SQLITE_OK)
		return sql_err(s);
	bind_int(st, ":keep", YM_FLAG_DEFAULT_PASSWORD | YM_FLAG_UNSUPPORTED |
				      YM_FLAG_OUTDATED_FIRMWARE |
				      YM_FLAG_SUSPICIOUS | YM_FLAG_ISOLATED |
				      YM_FLAG_RETIRED);
	bind_int(st, ":max", max);
	rc = sqlite3_step(st);
	ym_store_done(s, st);
	if (rc != SQLITE_DONE)
		return sql_err(s);
	return sqlite3_changes(s->db);
}

int ym_store_retain(struct ym_store *s, uint64_t alerts_before_us,
		    uint64_t devices_before_us)
{
	int a = 0, d = 0;

	if (alerts_before_us)
		a = delete_rows(s, "DELETE FROM alerts WHERE last_seen < :before",
				":before", (int64_t)alerts_before_us);
	if (a >= 0 && devices_before_us)
		d = delete_rows(s,
				"DELETE FROM devices WHERE last_seen < :before"
				" AND gateway = 0 AND user_name = ''"
				" AND user_type = ''",
				":before", (int64_t)devices_before_us);
	return a < 0 ? a : d < 0 ? d : a + d;
}

int ym_store_prune_alerts(struct ym_store *s, uint32_t max)
{
	/* Over the cap, resolved alerts go first; then the oldest of the
	 * device that has the most, so one host raising thousands of alerts
	 * (or a flood of spoofed ones) never pushes out another device's. */
	return delete_rows(s,
			   "DELETE FROM alerts WHERE id IN (SELECT id FROM"
			   " (SELECT id, state, last_seen, ROW_NUMBER() OVER"
			   "  (PARTITION BY mac ORDER BY last_seen DESC, id DESC)"
			   "  AS nth FROM alerts)"
			   " ORDER BY state = 'resolved' DESC, nth DESC,"
			   " last_seen ASC"
			   " LIMIT max(0, (SELECT count(*) FROM alerts) - :max))",
			   ":max", max);
}

static int load_children(struct ym_store *s, struct ym_device *d,
			 const char *mac)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT ip, last_seen FROM device_ips WHERE"
			       " mac = ? ORDER BY family, ip",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_text(st, 1, mac, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	       d->n_ips < YM_MAX_IPS_PER_DEVICE) {
		const char *ip = (const char *)sqlite3_column_text(st, 0);

		if (ip && ym_addr_parse(ip, &d->ips[d->n_ips].addr) == 0)
			d->ips[d->n_ips++].last_us =
				(uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT signal, value, conclusion, type, vendor,"
			       " model, os, weight FROM evidence"
			       " WHERE mac = ? ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_text(st, 1, mac, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	       d->n_evidence < YM_MAX_EVIDENCE) {
		struct ym_evidence *e = &d->evidence[d->n_evidence++];

		col_text(st, 0, e->signal, sizeof(e->signal));
		col_text(st, 1, e->value, sizeof(e->value));
		col_text(st, 2, e->conclusion, sizeof(e->conclusion));
		col_text(st, 3, e->type, sizeof(e->type));
		col_text(st, 4, e->vendor, sizeof(e->vendor));
		col_text(st, 5, e->model, sizeof(e->model));
		col_text(st, 6, e->os, sizeof(e->os));
		e->weight = (float)sqlite3_column_double(st, 7);
	}
	sqlite3_finalize(st);
	return 0;
}

#define DEVICE_COLUMNS                                                       \
	"SELECT mac, vendor, hostname, user_name, type, model, os,"          \
	" confidence, flags, gateway, first_seen, last_seen, bytes_up,"      \
	" bytes_down, packets_up, packets_down, last_use, retired_at,"       \
	" never_isolate, user_type, user_vendor, audit, audit_errors,"       \
	" audit_at, maybe FROM devices"

/* Fills d from a row of DEVICE_COLUMNS, with addresses and evidence. */
static int read_device_row(struct ym_store *s, sqlite3_stmt *st,
			   struct ym_device *d)
{
	const char *mac = (const char *)sqlite3_column_text(st, 0);
	int64_t n;

	memset(d, 0, sizeof(*d));
	if (!mac || ym_mac_parse(mac, d->mac) < 0)
		return -EINVAL;
	col_text(st, 1, d->vendor, sizeof(d->vendor));
	col_text(st, 2, d->hostname, sizeof(d->hostname));
	col_text(st, 3, d->user_name, sizeof(d->user_name));
	col_text(st, 4, d->type, sizeof(d->type));
	col_text(st, 5, d->model, sizeof(d->model));
	col_text(st, 6, d->os, sizeof(d->os));
	d->confidence = sqlite3_column_double(st, 7);
	d->flags = (uint32_t)sqlite3_column_int64(st, 8);
	d->gateway = sqlite3_column_int(st, 9) != 0;
	d->first_us = (uint64_t)sqlite3_column_int64(st, 10);
	d->last_us = (uint64_t)sqlite3_column_int64(st, 11);
	d->bytes_up = (uint64_t)sqlite3_column_int64(st, 12);
	d->bytes_down = (uint64_t)sqlite3_column_int64(st, 13);
	d->pkts_up = (uint64_t)sqlite3_column_int64(st, 14);
	d->pkts_down = (uint64_t)sqlite3_column_int64(st, 15);
	d->last_use_us = (uint64_t)sqlite3_column_int64(st, 16);
	d->retired_us = (uint64_t)sqlite3_column_int64(st, 17);
	d->never_isolate = sqlite3_column_int(st, 18) != 0;
	col_text(st, 19, d->user_type, sizeof(d->user_type));
	col_text(st, 20, d->user_vendor, sizeof(d->user_vendor));
	col_text(st, 21, d->audit, sizeof(d->audit));
	/* Only a word the daemon writes: a damaged row says nothing. */
	if (!ym_audit_end_known(d->audit))
		d->audit[0] = '\0';
	n = sqlite3_column_int64(st, 22);
	d->audit_errors = (uint8_t)(n < 0 ? 0 : n > 255 ? 255 : n);
	n = sqlite3_column_int64(st, 23);
	d->audit_us = d->audit[0] && n > 0 ? (uint64_t)n : 0;
	ym_device_maybe_parse(d, (const char *)sqlite3_column_text(st, 24));
	return load_children(s, d, mac);
}

int ym_store_get_device(struct ym_store *s, const uint8_t mac[6],
			struct ym_device *out)
{
	char text[YM_MAC_STRLEN];
	sqlite3_stmt *st;
	int rc;

	ym_mac_format(mac, text);
	if (sqlite3_prepare_v2(s->db, DEVICE_COLUMNS " WHERE mac = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return sql_err(s);
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW ? read_device_row(s, st, out) :
					      -ENOENT;
	sqlite3_finalize(st);
	return rc;
}

int ym_store_get_devices(struct ym_store *s,
			 int (*fn)(const struct ym_device *d, void *arg),
			 void *arg)
{
	sqlite3_stmt *st;
	struct ym_device *d;
	int rc = 0, step;

	d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (sqlite3_prepare_v2(s->db, DEVICE_COLUMNS " ORDER BY last_seen, mac",
			       -1, &st, NULL) != SQLITE_OK) {
		free(d);
		return sql_err(s);
	}
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (read_device_row(s, st, d) < 0)
			continue;
		rc = fn(d, arg);
	}
	sqlite3_finalize(st);
	free(d);
	return rc;
}

int ym_store_put_meta(struct ym_store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = s->st[ST_PUT_META];

	bind_text(st, ":key", key);
	bind_text(st, ":value", value);
	return step_done(s, st);
}

char *ym_store_get_meta(struct ym_store *s, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

int ym_store_rename(struct ym_store *s, const uint8_t mac[6], const char *name)
{
	char m[YM_MAC_STRLEN];
	const char *kv[] = { "name", name };
	int rc = update_device(s, "UPDATE devices SET user_name = ?2"
			       " WHERE mac = ?1", mac, name);

	if (rc < 0)
		return rc;
	ym_mac_format(mac, m);
	return ym_store_log_fields(s, "renamed", m, kv, 2);
}

int ym_store_retire(struct ym_store *s, const uint8_t mac[6])
{
	char sql[160], m[YM_MAC_STRLEN];
	int rc;

	snprintf(sql, sizeof(sql),
		 "UPDATE devices SET flags = flags | %u,"
		 " retired_at = last_seen WHERE mac = ?1",
		 (unsigned)YM_FLAG_RETIRED);
	rc = update_device(s, sql, mac, NULL);
	if (rc < 0)
		return rc;
	ym_mac_format(mac, m);
	return ym_store_log_fields(s, "retired", m, NULL, 0);
}

int ym_store_wipe(struct ym_store *s)
{
	/* secure_delete overwrites freed pages with zeros, so the records are
	 * gone from the file too, not only unlinked from the b-trees. */
	if (exec(s, "PRAGMA secure_delete = ON") < 0 ||
	    exec(s, "BEGIN IMMEDIATE") < 0)
		return -EIO;
	if (exec(s, "DELETE FROM evidence; DELETE FROM device_ips;"
		    " DELETE FROM alerts; DELETE FROM devices;"
		    " DELETE FROM isolation; DELETE FROM audit_log;"
		    " DELETE FROM meta; DELETE FROM event_log;") < 0) {
		exec(s, "ROLLBACK");
		return -EIO;
	}
	if (exec(s, "COMMIT") < 0 || exec(s, "VACUUM") < 0 ||
	    exec(s, "PRAGMA wal_checkpoint(TRUNCATE)") < 0)
		return -EIO;
	return 0;
}

int ym_store_check(struct ym_store *s)
{
	sqlite3_stmt *st;
	int ok = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st,
			       NULL) != SQLITE_OK)
		return sql_err(s);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0)
		ok = 1;
	sqlite3_finalize(st);
	return ok ? 0 : -EIO;
}
