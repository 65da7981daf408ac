/* The audit's insides shared by its scheduler (audit.c: jobs, services in
 * turn, the daily budget) and its transport (audit-conn.c: a connection of
 * its own per conversation, TLS, SSH in the thread pool), and nobody else.
 * TLS (audit-tls.c, OpenSSL) and SSH (audit-ssh.c, libssh) compile out
 * (cmake -DYAMORI_TLS=OFF, -DYAMORI_SSH=OFF): their stubs below answer
 * -ENOTSUP, which the scheduler reports as "not_supported". */
#ifndef YM_AUDIT_PRIVATE_H
#define YM_AUDIT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <errno.h>
#include <uv.h>

#include "audit.h"
#include "audit-proto.h"
#include "util.h"

static const struct service {
	const char *name;
	uint16_t port;
	uint8_t proto;
	bool tls; /* HTTP inside TLS */
} services[] = {
	{ "telnet", 23, YM_AP_TELNET, false },
	{ "telnet", 2323, YM_AP_TELNET, false },
	{ "ssh", 22, YM_AP_SSH, false },
	{ "ftp", 21, YM_AP_FTP, false },
	{ "http", 80, YM_AP_HTTP, false },
	{ "http", 81, YM_AP_HTTP, false },
	{ "http", 8000, YM_AP_HTTP, false },
	{ "http", 8080, YM_AP_HTTP, false },
	{ "http", 8081, YM_AP_HTTP, false },
	{ "https", 443, YM_AP_HTTP, true },
	{ "https", 8443, YM_AP_HTTP, true },
	{ "rtsp", 554, YM_AP_RTSP, false },
	{ "rtsp", 8554, YM_AP_RTSP, false },
};
_Static_assert(YM_ARRAY_SIZE(services) <= YM_AUDIT_MAX_SERVICES,
	       "the report holds every service");

struct job;
struct ym_tls;
struct ym_tls_ctx;

struct conn {
	uv_tcp_t tcp;
	uv_connect_t creq;
	uv_shutdown_t shut;
	uv_timer_t step, total, quiet;
	struct job *job; /* NULL once the verdict was handed over */
	uint8_t proto;
	bool probe, connected, done, connect_failed, closing;
	/* HTTPS: TLS through memory BIOs, so the socket stays libuv's. The
	 * engine starts once the handshake is over. */
	struct ym_tls *ssl;
	bool tls_ready;
	uint8_t head[3], head_len; /* the device's first bytes: TLS or not? */
	int pending_closes;
	int late; /* timers set again because the loop was late */
	size_t nread;
	union {
		struct ym_telnet telnet;
		struct ym_ftp ftp;
		struct ym_http http;
	} e;
	struct ym_audit_out out;
	char rbuf[4096];
};

struct ssh_run {
	uv_work_t req;
	struct job *job; /* NULL once the job has gone */
	struct ym_ssh_job j;
	char user[YM_AUDIT_USER_MAX], pass[YM_AUDIT_PASS_MAX];
};

enum { PH_PROBE, PH_ATTEMPT };

struct job {
	struct ym_audit *a;
	struct job *next;
	uv_timer_t spacing, watchdog;
	int pending_closes;
	bool finished;
	void *token;
	char vendor[YM_AUDIT_VENDOR_MAX];
	char host[64];
	struct ym_audit_report report;
	/* The service under way. */
	size_t svc;
	int phase;
	uint32_t cand[YM_AUDIT_CANDIDATES_MAX];
	size_t n_cand, next_cand;
	uint32_t refused, consecutive_errors;
	bool stale_retried;
	struct ym_http_challenge ch;
	struct conn *conn;
	struct ssh_run *ssh;
};

struct ym_audit {
	uv_loop_t *loop;
	struct ym_audit_config cfg;
	struct ym_audit_observer *obs;
	struct ym_audit_creds creds;
	/* New lists from a data update wait here while a check runs: a job
	 * holds indexes into creds. */
	struct ym_audit_creds next_creds;
	bool has_next_creds;
	struct ym_audit_budget budget;
	struct ym_tls_ctx *tls; /* NULL when built without TLS */
	struct job *jobs;
	uint32_t active, open_jobs;
	bool closing;
};

/* ---- the transport (audit-conn.c) ---- */

/* Starts one conversation of the job's current service on a connection of
 * its own: a probe when user is NULL, else one login. */
int ym_audit_conn_start(struct job *job, const char *user, const char *pass);
/* Ends a connection without a verdict (the audit is closing). */
void ym_audit_conn_abort(struct conn *c);

/* ---- SSH (audit-ssh.c) ---- */

#if YM_HAVE_SSH
/* The same as ym_audit_conn_start for SSH, in the thread pool. */
int ym_audit_ssh_start(struct job *job, const char *user, const char *pass);
/* Drops the job's SSH conversation, if any (the worker ends by itself). */
void ym_audit_ssh_abort(struct job *job);
#else
static inline int ym_audit_ssh_start(struct job *job, const char *user,
				     const char *pass)
{
	(void)job;
	(void)user;
	(void)pass;
	return -ENOTSUP;
}

static inline void ym_audit_ssh_abort(struct job *job)
{
	(void)job;
}
#endif

/* ---- TLS for HTTPS (audit-tls.c): a client in memory, the socket stays
 * libuv's ---- */

struct ym_tls_ctx;
struct ym_tls;

/* ym_tls_read's and ym_tls_handshake's answers besides a byte count. */
enum { YM_TLS_WANT = 0, YM_TLS_CLOSED = -1, YM_TLS_FAILED = -2 };

#if YM_HAVE_TLS
/* The settings for a device's web page on the LAN: 0, or -ENOMEM. */
int ym_tls_ctx_new(struct ym_tls_ctx **out);
void ym_tls_ctx_free(struct ym_tls_ctx *ctx);
/* One client, its ClientHello queued; NULL when out of memory. */
struct ym_tls *ym_tls_new(struct ym_tls_ctx *ctx);
void ym_tls_free(struct ym_tls *t);
/* Takes the device's bytes: 0, or -ENOMEM. */
int ym_tls_push(struct ym_tls *t, const void *data, size_t len);
/* 1 once the handshake is over, YM_TLS_WANT, or YM_TLS_FAILED. */
int ym_tls_handshake(struct ym_tls *t);
/* Clear text: a byte count, YM_TLS_WANT, YM_TLS_CLOSED (close_notify) or
 * YM_TLS_FAILED. */
int ym_tls_read(struct ym_tls *t, void *buf, size_t len);
/* Queues clear text (after the handshake). */
void ym_tls_write(struct ym_tls *t, const void *data, size_t len);
/* Queues the close_notify. */
void ym_tls_shutdown(struct ym_tls *t);
/* Takes up to len bytes that TLS wants sent; 0 when there are none. */
size_t ym_tls_pull(struct ym_tls *t, void *buf, size_t len);
#else
static inline int ym_tls_ctx_new(struct ym_tls_ctx **out)
{
	*out = NULL;
	return -ENOTSUP;
}

static inline void ym_tls_ctx_free(struct ym_tls_ctx *ctx)
{
	(void)ctx;
}

static inline struct ym_tls *ym_tls_new(struct ym_tls_ctx *ctx)
{
	(void)ctx;
	return NULL;
}

static inline void ym_tls_free(struct ym_tls *t)
{
	(void)t;
}

static inline int ym_tls_push(struct ym_tls *t, const void *data, size_t len)
{
	(void)t;
	(void)data;
	(void)len;
	return -ENOTSUP;
}

static inline int ym_tls_handshake(struct ym_tls *t)
{
	(void)t;
	return YM_TLS_FAILED;
}

static inline int ym_tls_read(struct ym_tls *t, void *buf, size_t len)
{
	(void)t;
	(void)buf;
	(void)len;
	return YM_TLS_FAILED;
}

static inline void ym_tls_write(struct ym_tls *t, const void *data, size_t len)
{
	(void)t;
	(void)data;
	(void)len;
}

static inline void ym_tls_shutdown(struct ym_tls *t)
{
	(void)t;
}

static inline size_t ym_tls_pull(struct ym_tls *t, void *buf, size_t len)
{
	(void)t;
	(void)buf;
	(void)len;
	return 0;
}
#endif

/* ---- the scheduler (audit.c) ---- */

/* Takes a conversation's verdict (once per conversation). */
void ym_audit_job_verdict(struct job *job, enum ym_av v, const char *detail,
			  const struct conn *c);

#endif
