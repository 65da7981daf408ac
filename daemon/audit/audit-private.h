/* The audit's insides shared by its scheduler (audit.c: jobs, services in
 * turn, the daily budget) and its transport (audit-conn.c: a connection of
 * its own per conversation, TLS, SSH in the thread pool), and nobody else. */
#ifndef YM_AUDIT_PRIVATE_H
#define YM_AUDIT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
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
	SSL *ssl;
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
	SSL_CTX *tls; /* each SSL holds a reference of its own */
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
/* The same as ym_audit_conn_start for SSH, in the thread pool. */
int ym_audit_ssh_start(struct job *job, const char *user, const char *pass);
/* The TLS settings for a device's web page on the LAN. */
SSL_CTX *ym_audit_tls_ctx_new(void);

/* ---- the scheduler (audit.c) ---- */

/* Takes a conversation's verdict (once per conversation). */
void ym_audit_job_verdict(struct job *job, enum ym_av v, const char *detail,
			  const struct conn *c);

#endif
