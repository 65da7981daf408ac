/* The store: the one owner of Yamori's SQLite database (yamori.db in the
 * state directory). WAL journal, migrations by PRAGMA user_version,
 * statements prepared once, writes batched into one transaction per commit
 * interval. A kill -9 at any moment leaves a database that opens and passes
 * an integrity check; at most the last interval is lost. */
#ifndef YM_STORE_H
#define YM_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <stdbool.h>

#include "util.h"

struct ym_device;
struct ym_evlog_entry;
struct ym_store;

#define YM_STORE_FILE "yamori.db"

/* The schema version this build writes. */
#define YM_STORE_SCHEMA_VERSION 9

/* Opens (creating and migrating) the database in state_dir for writing.
 * A damaged database (not SQLite's, torn, a corrupted page) is set aside
 * and a fresh one created. On failure returns -errno and a plain message
 * in err. */
int ym_store_open(struct ym_store **out, const char *state_dir, char *err,
		  size_t errlen) YM_MUST_CHECK;

/* Where ym_store_open set a damaged database aside before starting afresh
 * (yamori.db.damaged-TIME), or NULL when the database was sound. */
const char *ym_store_damaged_copy(const struct ym_store *s);

/* Opens an existing database read-only, for yamorictl. -ENOENT when there
 * is none, -EIO when it is damaged. */
int ym_store_open_readonly(struct ym_store **out, const char *state_dir,
			   char *err, size_t errlen) YM_MUST_CHECK;

/* Closes the database, rolling back an open batch. */
void ym_store_close(struct ym_store *s);

/* Starts and commits a batch of writes. */
int ym_store_begin(struct ym_store *s) YM_MUST_CHECK;
int ym_store_commit(struct ym_store *s) YM_MUST_CHECK;

/* Commits the batch and syncs the WAL file to the disk: for what the
 * household did, which must survive a power cut before the API answers
 * ok. */
int ym_store_commit_durable(struct ym_store *s) YM_MUST_CHECK;

/* Writes a device with its addresses and evidence (inside a batch). The
 * household's own name is never overwritten. */
int ym_store_put_device(struct ym_store *s, const struct ym_device *d)
	YM_MUST_CHECK;

/* Deletes a device with its addresses and evidence (inside a batch). */
int ym_store_delete_device(struct ym_store *s, const uint8_t mac[6])
	YM_MUST_CHECK;

/* Keeps max devices and deletes the others, the least confirmed (a made-up
 * MAC seen once) first, then the oldest; the gateway, devices the household
 * named, devices with a problem flag or an alert always stay, on top of
 * max. Returns rows deleted or -errno. */
int ym_store_prune_devices(struct ym_store *s, uint32_t max) YM_MUST_CHECK;

/* Reads every device, oldest last_seen first, into a caller's callback. The
 * device passed is only valid during the call. */
int ym_store_get_devices(struct ym_store *s,
			 int (*fn)(const struct ym_device *d, void *arg),
			 void *arg) YM_MUST_CHECK;

/* Reads one device by MAC into *out; -ENOENT when it is not stored. */
int ym_store_get_device(struct ym_store *s, const uint8_t mac[6],
			struct ym_device *out) YM_MUST_CHECK;

/* Key-value metadata (status counters as JSON, schema facts). */
int ym_store_put_meta(struct ym_store *s, const char *key, const char *value)
	YM_MUST_CHECK;
/* Returns a malloc'd copy of the value, or NULL when absent. */
char *ym_store_get_meta(struct ym_store *s, const char *key);

/* One stored alert, as read back. Strings valid during the callback. */
struct ym_alert_row {
	int64_t id;
	const char *kind, *severity, *mac, *target, *evidence, *state;
	uint64_t first_us, last_us;
	int64_t count;
};

/* Adds an alert, or for the same kind, device and target adds count to
 * it, moves last_seen on and reopens it if it was resolved (inside a
 * batch). evidence may be NULL to keep the stored one. Returns 1 when the
 * row is new, 0 when it was updated, -errno on failure. */
int ym_store_put_alert(struct ym_store *s, const char *kind,
		       const char *severity, const char *mac,
		       const char *target, const char *evidence,
		       uint64_t now_us, uint32_t count) YM_MUST_CHECK;

/* Retention on the capture clock: deletes alerts last seen before
 * alerts_before_us and devices last seen before devices_before_us (the
 * gateway and named devices stay); 0 keeps everything of that kind.
 * Returns rows deleted or -errno. */
int ym_store_retain(struct ym_store *s, uint64_t alerts_before_us,
		    uint64_t devices_before_us) YM_MUST_CHECK;

/* Keeps max alerts (inside a batch): resolved ones are deleted first, then
 * the oldest of whichever device has the most, so no device's alerts are
 * pushed out by another's flood. Returns rows deleted or -errno. */
int ym_store_prune_alerts(struct ym_store *s, uint32_t max) YM_MUST_CHECK;

/* Reads alerts, newest last_seen first. */
int ym_store_get_alerts(struct ym_store *s,
			int (*fn)(const struct ym_alert_row *a, void *arg),
			void *arg) YM_MUST_CHECK;

/* The household's own name for a device ("" clears it). -ENOENT when
 * the device is not known. */
int ym_store_rename(struct ym_store *s, const uint8_t mac[6], const char *name)
	YM_MUST_CHECK;

/* Marks a device given away (rule 4) as of the last time it was seen:
 * anything seen later is the device coming back. -ENOENT when unknown. */
int ym_store_retire(struct ym_store *s, const uint8_t mac[6]) YM_MUST_CHECK;

/* Sets an alert's state (open, acknowledged, resolved), with the
 * household's REASON (a word, or NULL) in the event log; -ENOENT when
 * there is no such alert. */
int ym_store_set_alert_state(struct ym_store *s, int64_t id,
			     const char *state,
			     const char *reason) YM_MUST_CHECK;

/* The MAC of alert ID; -ENOENT when there is none, or it names no one
 * device. */
int ym_store_alert_mac(struct ym_store *s, int64_t id,
		       uint8_t mac[6]) YM_MUST_CHECK;

/* Marks a device's open or acknowledged alerts of one kind (and target,
 * unless NULL) resolved: the cause went away, e.g. the password was
 * changed. Returns the number changed. */
int ym_store_resolve_alerts(struct ym_store *s, const uint8_t mac[6],
			    const char *kind, const char *target) YM_MUST_CHECK;

/* The number of a device's alerts of one kind that are not resolved, or
 * negative on error. */
int ym_store_count_unresolved(struct ym_store *s, const uint8_t mac[6],
			      const char *kind) YM_MUST_CHECK;

/* Logs one password-check attempt: when, which service, which user and
 * whether it was accepted. The password is never passed here. */
int ym_store_log_attempt(struct ym_store *s, uint64_t at_us,
			 const uint8_t mac[6], const char *service,
			 uint16_t port, const char *user, bool accepted)
	YM_MUST_CHECK;

/* Calls fn for every logged attempt at or after since_us, oldest first
 * (rows with a bad MAC are skipped); a negative fn return stops and is
 * returned. */
typedef int (*ym_store_attempt_fn)(void *arg, const uint8_t mac[6],
				   const char *service, uint16_t port,
				   uint64_t at_us);
int ym_store_attempts_since(struct ym_store *s, uint64_t since_us,
			    ym_store_attempt_fn fn, void *arg) YM_MUST_CHECK;

/* Records an isolation (since, reason, whether it was verified). */
int ym_store_put_isolation(struct ym_store *s, const uint8_t mac[6],
			   uint64_t since_us, const char *reason,
			   bool verified) YM_MUST_CHECK;

/* Forgets an isolation (the device was let back in). */
int ym_store_delete_isolation(struct ym_store *s, const uint8_t mac[6])
	YM_MUST_CHECK;

/* Reads the recorded isolations; returns their count or -errno. */
int ym_store_get_isolations(struct ym_store *s, uint8_t (*macs)[6],
			    size_t max) YM_MUST_CHECK;

/* Appends an event to Yamori's own record (the hash-chained event log,
 * evlog.h): kind names what happened ("alert_raised", "isolated",
 * "password_check", "setting", "update_applied", ...), mac the device or
 * NULL, detail a JSON object or NULL, now_us the wall clock or 0 for now.
 * Inside a batch when one is open. Alert, isolation, password-check,
 * rename and retire writes of this store log themselves. */
int ym_store_log_event(struct ym_store *s, const char *kind, const char *mac,
		       const char *detail, uint64_t now_us) YM_MUST_CHECK;

/* The last entry of the event log: its seq (0 when the log is empty), its
 * hash, and whether it is a signed head. */
int ym_store_last_event(struct ym_store *s, int64_t *seq, char hash[65],
			bool *is_head) YM_MUST_CHECK;

/* Keeps the event log within max entries: when it holds more, removes the
 * oldest down to about three quarters of max, starting the log at a signed
 * head, and appends a log_trimmed entry that says where it starts now
 * (evlog.h). Inside a batch, before the head is signed. Returns the number
 * of entries removed or -errno. */
int ym_store_trim_events(struct ym_store *s, uint32_t max) YM_MUST_CHECK;

/* Reads the event log, oldest first; a non-zero fn return stops and is
 * returned. */
int ym_store_get_events(struct ym_store *s,
			int (*fn)(const struct ym_evlog_entry *e, void *arg),
			void *arg) YM_MUST_CHECK;

/* Erases every record with secure_delete, for giving the appliance itself
 * away; the caller removes the files afterwards. */
int ym_store_wipe(struct ym_store *s) YM_MUST_CHECK;

/* Runs PRAGMA integrity_check; 0 when the database is sound. */
int ym_store_check(struct ym_store *s) YM_MUST_CHECK;

#endif
