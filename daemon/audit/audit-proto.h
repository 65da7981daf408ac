/* The audit's insides, shared by audit*.c and the unit tests: the
 * credential lists, the daily budget, and one protocol engine per service.
 *
 * The engines do no I/O ("sans-I/O"): the transport in audit.c feeds them
 * what the device sent and writes what they put in their output buffer.
 * Their verdict never depends on how the device's bytes were cut into
 * reads, which the unit tests check at every offset. */
#ifndef YM_AUDIT_PROTO_H
#define YM_AUDIT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"

/* ---- credentials (audit-creds.c) ---- */

#define YM_AUDIT_USER_MAX 32    /* longest user name + 1 (report field) */
#define YM_AUDIT_PASS_MAX 64    /* longest password + 1 */
#define YM_AUDIT_VENDOR_MAX 48  /* longest brand + 1 */
/* Entries kept: the shipped lists hold about a hundred; a bigger list is a
 * mistake, not a reason to use more memory. */
#define YM_AUDIT_CREDS_MAX 4096
/* Candidates considered for one service of one device (before the daily
 * budget cuts them). */
#define YM_AUDIT_CANDIDATES_MAX 128

enum ym_audit_proto {
	YM_AP_TELNET,
	YM_AP_SSH,
	YM_AP_FTP,
	YM_AP_HTTP,
	YM_AP_RTSP,
	YM_AP_COUNT,
	YM_AP_ANY = YM_AP_COUNT, /* "*" in a credentials file */
};

struct ym_audit_cred {
	uint8_t proto; /* enum ym_audit_proto, or YM_AP_ANY */
	char vendor[YM_AUDIT_VENDOR_MAX]; /* "" for "*" */
	char user[YM_AUDIT_USER_MAX];
	char pass[YM_AUDIT_PASS_MAX];
};

struct ym_audit_creds {
	struct ym_audit_cred *v;
	size_t n, cap;
};

/* "telnet" -> YM_AP_TELNET ...; -1 when unknown. */
int ym_audit_proto_parse(const char *name);
const char *ym_audit_proto_name(enum ym_audit_proto p);

/* Parses one line into c (0), a blank or comment line (1), or -EINVAL
 * with the reason in why. */
int ym_audit_creds_parse_line(const char *line, struct ym_audit_cred *c,
			      char *why, size_t whylen) YM_MUST_CHECK;

/* Loads every *.creds file of dir in name order; -EINVAL with
 * "FILE:LINE: reason" in err, -ENOENT when there is none. */
int ym_audit_creds_load(struct ym_audit_creds *cr, const char *dir, char *err,
			size_t errlen) YM_MUST_CHECK;
void ym_audit_creds_free(struct ym_audit_creds *cr);

/* Indexes (into cr->v) of the entries to try for proto on a device of this
 * vendor: that vendor's entries first (case-insensitive), then the generic
 * ones, each in file order, each user/password pair once. */
size_t ym_audit_creds_select(const struct ym_audit_creds *cr,
			     enum ym_audit_proto proto, const char *vendor,
			     uint32_t *idx, size_t max);

/* ---- the daily budget (audit.c) ---- */

/* Devices remembered for the budget: more than a home holds; the oldest
 * record is forgotten when full. */
#define YM_AUDIT_BUDGET_DEVICES 256

struct ym_audit_budget_entry {
	uint8_t mac[6];
	bool used_slot;
	uint64_t day_start_us;
	uint64_t last_check_us; /* when the last check began; 0 none */
	uint32_t login_mask; /* services that asked for a login today */
	uint16_t used[YM_AUDIT_MAX_SERVICES];
	/* 1 + index of the entry whose default worked (in memory only, so a
	 * re-check after a password change tries it first); 0 for none. */
	uint32_t hint[YM_AUDIT_MAX_SERVICES];
};

struct ym_audit_budget {
	struct ym_audit_budget_entry e[YM_AUDIT_BUDGET_DEVICES];
	uint32_t next;
};

/* The device's record for the day starting at or before now (a new or
 * renewed one when the last is older than a day). */
struct ym_audit_budget_entry *ym_audit_budget_get(struct ym_audit_budget *b,
						  const uint8_t mac[6],
						  uint64_t now_us);
/* True when nothing could be tried today: every service that asked for a
 * login today has max attempts spent (and there is one). */
bool ym_audit_budget_spent(const struct ym_audit_budget_entry *e,
			   uint32_t max);

/* ---- protocol engines ---- */

enum ym_av {
	YM_AV_MORE,     /* undecided: wait for more input */
	YM_AV_LOGIN,    /* probe: asks for a login */
	YM_AV_OPEN,     /* probe: no login at all */
	YM_AV_ABSENT,   /* probe: not this protocol */
	YM_AV_ACCEPTED, /* attempt: logged in */
	YM_AV_REFUSED,  /* attempt: refused */
	YM_AV_STALE,    /* attempt: Digest nonce was stale, try again */
	YM_AV_ERROR,    /* undecidable: garbage, unexpected answer */
};

/* What the engine wants sent; the transport writes and empties it. */
#define YM_AUDIT_OUT_MAX 1024
struct ym_audit_out {
	char buf[YM_AUDIT_OUT_MAX];
	size_t len;
};

/* Appends; false (and nothing appended) when it would not fit. */
bool ym_audit_out_add(struct ym_audit_out *o, const void *data, size_t len);

/* Telnet (audit-telnet.c). */
enum ym_telnet_screen {
	YM_TS_NONE,     /* nothing telling yet */
	YM_TS_LOGIN,    /* ends with a user name prompt */
	YM_TS_PASSWORD, /* ends with a password prompt */
	YM_TS_SHELL,    /* ends with a shell prompt, or a shell's banner */
	YM_TS_FAILED,   /* says the login failed */
};

/* Classifies the text a device sent since our last input (telnet
 * commands and terminal escapes already removed). */
enum ym_telnet_screen ym_telnet_classify(const char *text, size_t len);

#define YM_TELNET_SCREEN_MAX 512
struct ym_telnet {
	const char *user, *pass; /* NULL user: probe */
	uint8_t state, iac, iac_cmd, esc;
	bool password_only;
	uint8_t answered[256]; /* bit 0: DO answered, bit 1: WILL answered */
	char screen[YM_TELNET_SCREEN_MAX];
	size_t screen_len;
};

void ym_telnet_start(struct ym_telnet *t, const char *user, const char *pass);
enum ym_av ym_telnet_feed(struct ym_telnet *t, const uint8_t *data,
			  size_t len, struct ym_audit_out *out);
/* The device has sent nothing for a while: act on the prompt shown. */
enum ym_av ym_telnet_quiet(struct ym_telnet *t, struct ym_audit_out *out);
/* The device closed the connection. */
enum ym_av ym_telnet_eof(struct ym_telnet *t);

/* FTP (audit-ftp.c). */
#define YM_FTP_LINE_MAX 512
struct ym_ftp {
	const char *user, *pass; /* NULL user: probe */
	uint8_t state;
	int multi; /* code of the multi-line reply being read, or 0 */
	char line[YM_FTP_LINE_MAX];
	size_t len;
};

void ym_ftp_start(struct ym_ftp *f, const char *user, const char *pass);
enum ym_av ym_ftp_feed(struct ym_ftp *f, const uint8_t *data, size_t len,
		       struct ym_audit_out *out);
enum ym_av ym_ftp_eof(struct ym_ftp *f);

/* HTTP and RTSP authentication (audit-http.c). */
enum ym_auth_scheme { YM_AUTH_NONE, YM_AUTH_BASIC, YM_AUTH_DIGEST };

struct ym_http_challenge {
	uint8_t scheme;       /* enum ym_auth_scheme */
	bool md5_sess, qop_auth, stale, unsupported;
	char realm[128], nonce[128], opaque[128];
};

/* Parses one WWW-Authenticate value into ch; -EINVAL when it is not a
 * Basic or Digest challenge (ch->unsupported tells a Digest we cannot
 * answer, e.g. SHA-256 or qop=auth-int only). */
int ym_http_parse_challenge(const char *value, size_t len,
			    struct ym_http_challenge *ch) YM_MUST_CHECK;

/* The 32 hex digits of an RFC 2617 Digest response. */
void ym_http_digest_response(const struct ym_http_challenge *ch,
			     const char *method, const char *uri,
			     const char *user, const char *pass,
			     const char *cnonce, uint32_t nc, char out[33]);

/* The value of an Authorization header answering ch; -ENOSPC when it
 * does not fit. */
int ym_http_authorization(const struct ym_http_challenge *ch,
			  const char *method, const char *uri, const char *user,
			  const char *pass, const char *cnonce, uint32_t nc,
			  char *out, size_t outlen) YM_MUST_CHECK;

/* Largest response head read (status line and headers). */
#define YM_HTTP_HEAD_MAX 8192
/* Largest page read when a probe gets one (200) to look for a login form;
 * a bigger page without one could not be checked. */
#define YM_HTTP_PAGE_MAX 12288
/* In a page, a password field: "type=password" once blanks and quotes
 * are gone, in any case (HTML or a script making the field). */
#define YM_HTTP_FORM_MARK "type=password"
struct ym_http {
	bool rtsp;
	const char *user, *pass; /* NULL user: probe */
	uint8_t step;
	char host[64];  /* "10.0.0.2" or "[fe80::1]" */
	uint16_t port;
	char cnonce[17];
	uint64_t skip;  /* body bytes still to drop */
	struct ym_http_challenge ch; /* in: for attempts; out: from probes */
	char head[YM_HTTP_HEAD_MAX];
	size_t len;
	int status;
	/* A probe's 200 page, read for a login form. */
	bool in_page, form; /* form: out, the page has a password field */
	uint64_t page_left;  /* by Content-Length; UINT64_MAX: till close */
	uint32_t page_read;
	char mark[sizeof(YM_HTTP_FORM_MARK) - 1]; /* the newest characters */
	uint8_t mark_len;
};

/* host is the device's address as text; ch (attempts only) the challenge
 * the probe found; cnonce 16 hex digits of randomness. */
void ym_http_start(struct ym_http *h, bool rtsp, const char *host,
		   uint16_t port, const char *user, const char *pass,
		   const struct ym_http_challenge *ch, const char *cnonce,
		   struct ym_audit_out *out);
/* A probe that finds a page with a login form answers YM_AV_LOGIN with
 * h->form set and no challenge; a page without one YM_AV_OPEN. */
enum ym_av ym_http_feed(struct ym_http *h, const uint8_t *data, size_t len,
			struct ym_audit_out *out);
enum ym_av ym_http_eof(struct ym_http *h);

/* Finds the end of a response head ("\r\n\r\n" or "\n\n"); the head's
 * length, or 0 when it is not complete. */
size_t ym_http_head_end(const char *buf, size_t len);

/* SSH (audit-ssh.c): one connection in a worker thread. */
enum ym_ssh_method { YM_SSH_PASSWORD = 1, YM_SSH_KBDINT = 2 };

struct ym_ssh_job {
	/* In. */
	struct ym_addr addr;
	uint32_t scope_id;
	uint16_t port;
	const char *user, *pass; /* NULL user: probe */
	uint32_t connect_ms, step_ms;
	/* Shared with the loop thread, under mu: the socket, so a watchdog
	 * on the loop can shut it down when the conversation runs too long. */
	uv_mutex_t mu;
	int fd;
	bool cancelled;
	/* Out. */
	enum ym_av verdict;
	uint32_t methods;
	char detail[48];
};

/* Runs in a worker: connects and, for a probe, asks which methods the
 * server takes; for an attempt, tries the password once. Never more than
 * step_ms without progress; the watchdog bounds the whole. */
void ym_ssh_run(struct ym_ssh_job *j);
/* From the loop thread: ends the conversation now. */
void ym_ssh_abort(struct ym_ssh_job *j);

#endif
