/* The event log's chain (base): what makes Yamori's own record of what it
 * did tamper-evident. Every entry holds the SHA-256 of the entry before it;
 * a per-box Ed25519 key (made at first start, evlog.key, mode 0600) signs
 * the chain's head at each commit, and the last signed head is also kept
 * beside the database (evlog.head), so an entry edited, deleted, moved or
 * cut off the end is found by ym_evlog_check_*. The entries themselves
 * live in the store (ym_store_log_event); this module only hashes, signs
 * and checks, and touches no database. */
#ifndef YM_EVLOG_H
#define YM_EVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define YM_EVLOG_HASH_STRLEN 65 /* 64 hex digits */
#define YM_EVLOG_SIG_STRLEN 129 /* an Ed25519 signature, 128 hex digits */
#define YM_EVLOG_KEY_FILE "evlog.key"
#define YM_EVLOG_PUB_FILE "evlog.pub"
#define YM_EVLOG_HEAD_FILE "evlog.head"

/* The prev of the first entry. */
extern const char ym_evlog_genesis[YM_EVLOG_HASH_STRLEN];

/* The kind of the entries that sign the head ({"seq":N,"hash":H,"sig":S}
 * for the entry before them). */
#define YM_EVLOG_HEAD "head"

/* The kind of the entry the store appends when it trims the oldest entries
 * to keep the log within its size ({"before":N,"removed":R}). The log then
 * starts at entry N, which is always a signed head; the check accepts a
 * start after 1 only when the last such entry names that start, so
 * entries deleted from the front by anyone else are still found. */
#define YM_EVLOG_TRIMMED "log_trimmed"

/* One entry as stored. Strings are never NULL. */
struct ym_evlog_entry {
	int64_t seq, at_us;
	const char *kind, *mac, *detail, *prev, *hash;
};

/* The SHA-256 (hex) of an entry: its prev, seq, time, kind, MAC and
 * detail, each length-prefixed. */
void ym_evlog_hash(const char *prev, int64_t seq, int64_t at_us,
		   const char *kind, const char *mac, const char *detail,
		   char out[YM_EVLOG_HASH_STRLEN]);

struct ym_evlog_key;

/* Loads the box's key from state_dir, making it (and evlog.pub) at first
 * start. */
int ym_evlog_key_open(struct ym_evlog_key **out, const char *state_dir,
		      char *err, size_t errlen) YM_MUST_CHECK;
void ym_evlog_key_close(struct ym_evlog_key *k);

/* Signs "the chain up to entry seq ends in hash" and writes the detail of
 * a head entry into detail (at least 256 bytes). */
int ym_evlog_sign_head(struct ym_evlog_key *k, int64_t seq, const char *hash,
		       char *detail, size_t len) YM_MUST_CHECK;

/* Keeps the last signed head beside the database (written atomically). */
int ym_evlog_write_head(const char *state_dir, const char *detail)
	YM_MUST_CHECK;

/* Removes the key, the public key and the head file (wipe). Returns the
 * number of files removed or -errno. */
int ym_evlog_erase(const char *state_dir);

enum ym_evlog_break {
	YM_EVLOG_OK = 0,
	YM_EVLOG_EDITED,    /* an entry's content does not match its hash */
	YM_EVLOG_MISSING,   /* a number is skipped: an entry was deleted */
	YM_EVLOG_LINK,      /* an entry does not follow the one before it */
	YM_EVLOG_BAD_SIGNATURE, /* a signed head does not verify */
	YM_EVLOG_TRUNCATED, /* entries after the last signed head are gone */
	YM_EVLOG_NO_KEY,    /* no public key to check the signatures with */
};

/* A check of the whole chain, entry by entry, oldest first. */
struct ym_evlog_check {
	char prev[YM_EVLOG_HASH_STRLEN];
	int64_t last_seq;
	uint64_t entries, heads;
	unsigned char pub[32];
	bool have_pub, have_head_file;
	int64_t head_seq;     /* the head kept beside the database */
	char head_hash[YM_EVLOG_HASH_STRLEN];
	bool head_file_ok;
	enum ym_evlog_break broken;
	int64_t broken_seq;   /* the first entry found wrong */
	int64_t first_seq;    /* where the log starts (1 unless trimmed) */
	int64_t trimmed_before; /* the last log_trimmed entry's start, or 0 */
};

void ym_evlog_check_init(struct ym_evlog_check *c, const char *state_dir);
/* Returns the break found at this entry (and remembers the first). */
enum ym_evlog_break ym_evlog_check_entry(struct ym_evlog_check *c,
					 const struct ym_evlog_entry *e);
/* After the last entry: truncation against the head file. */
enum ym_evlog_break ym_evlog_check_end(struct ym_evlog_check *c);

#endif
