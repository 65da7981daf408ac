#define _GNU_SOURCE /* memmem, explicit_bzero */
/* The audit's scheduler and transport: one job per device, its services in
 * turn, a probe then at most max_attempts logins per service, spaced out,
 * each login on a connection of its own. Every connection has a connect
 * timeout, a step timeout (silence), a whole-conversation timeout and a
 * byte limit; a connection hands its verdict to the job exactly once and
 * then closes itself, so the job never waits for a socket. */
#include "audit.h"
#include "audit-proto.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <gcrypt.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

/* A telnet device that has been silent this long is waiting for input:
 * what is on its screen is a prompt. */
#define YM_TELNET_QUIET_MS 300
/* Bytes a TLS connection may read beyond the limit: a certificate chain
 * and one record of 16 KB with its overhead. */
#define YM_AUDIT_TLS_EXTRA (24 * 1024)
/* Two failed conversations in a row end a service's attempts: the device
 * is busy, rate-limits or went away, and more would only annoy it. */
#define YM_AUDIT_MAX_CONSECUTIVE_ERRORS 2
/* A timer that fires while the device's answer waits unread (the loop was
 * held up: a commit's fsync on a busy disk) gives the loop this long to
 * read it, at most YM_AUDIT_LATE_MAX times per connection, instead of
 * taking a late loop for a silent device. */
#define YM_AUDIT_LATE_GRACE_MS 100
#define YM_AUDIT_LATE_MAX 20

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
	uint8_t late; /* timers deferred for an unread answer */
	/* HTTPS: TLS through memory BIOs, so the socket stays libuv's. The
	 * engine starts once the handshake is over. */
	SSL *ssl;
	bool tls_ready;
	uint8_t head[3], head_len; /* the device's first bytes: TLS or not? */
	int pending_closes;
	size_t nread;
	union {
		struct ym_telnet telnet;
		struct ym_ftp ftp;
		struct ym_http http;
	} e;
	struct ym_audit_out out;
	char rbuf[4096];
};

struct wreq {
	uv_write_t req;
	size_t len;
	char data[];
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
	struct ym_audit_budget budget;
	SSL_CTX *tls; /* each SSL holds a reference of its own */
	struct job *jobs;
	uint32_t active, open_jobs;
	bool closing;
};

static void job_verdict(struct job *job, enum ym_av v, const char *detail,
			const struct conn *c);
static void job_next_service(struct job *job);

void ym_audit_config_default(struct ym_audit_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_attempts = 6;
	cfg->spacing_ms = 1000;
	cfg->max_active = 2;
	cfg->connect_ms = 3000;
	cfg->step_ms = 5000;
	cfg->conversation_ms = 30000;
	cfg->max_bytes = 16 * 1024;
	cfg->clock_us = ym_wall_us;
}

const char *ym_audit_result_name(enum ym_audit_result r)
{
	switch (r) {
	case YM_AUDIT_NOT_OFFERED:
		return "not_offered";
	case YM_AUDIT_LOGIN_REQUIRED:
		return "login_required";
	case YM_AUDIT_DEFAULT_ACCEPTED:
		return "default_accepted";
	case YM_AUDIT_DEFAULTS_REFUSED:
		return "defaults_refused";
	case YM_AUDIT_OPEN:
		return "open";
	default:
		return "error";
	}
}

bool ym_audit_addr_allowed(const struct ym_addr *addr)
{
	return (addr->family == 4 || addr->family == 6) &&
	       ym_addr_is_private(addr) && !ym_addr_is_special(addr);
}

bool ym_audit_addr_on_link(const struct ym_addr *addr)
{
	struct ifaddrs *list, *i;
	bool found = false;

	if (addr->family == 6 && addr->a[0] == 0xfe &&
	    (addr->a[1] & 0xc0) == 0x80)
		return true; /* link-local: on the link by definition */
	if (getifaddrs(&list) < 0)
		return false;
	for (i = list; i && !found; i = i->ifa_next) {
		const uint8_t *ip, *mask;
		size_t n;

		if (!i->ifa_addr || !i->ifa_netmask ||
		    !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK) ||
		    (i->ifa_flags & IFF_POINTOPOINT))
			continue;
		if (addr->family == 4 && i->ifa_addr->sa_family == AF_INET) {
			ip = (const uint8_t *)&((struct sockaddr_in *)
							i->ifa_addr)->sin_addr;
			mask = (const uint8_t *)&((struct sockaddr_in *)
							  i->ifa_netmask)->sin_addr;
			n = 4;
		} else if (addr->family == 6 &&
			   i->ifa_addr->sa_family == AF_INET6) {
			ip = ((struct sockaddr_in6 *)i->ifa_addr)
				     ->sin6_addr.s6_addr;
			mask = ((struct sockaddr_in6 *)i->ifa_netmask)
				       ->sin6_addr.s6_addr;
			n = 16;
		} else {
			continue;
		}
		found = true;
		for (size_t k = 0; k < n; k++)
			if ((ip[k] & mask[k]) != (addr->a[k] & mask[k]))
				found = false;
		/* Not this box's own address. */
		if (found && memcmp(ip, addr->a, n) == 0)
			found = false;
	}
	freeifaddrs(list);
	return found;
}

/* ---- the daily budget ---- */

struct ym_audit_budget_entry *ym_audit_budget_get(struct ym_audit_budget *b,
						  const uint8_t mac[6],
						  uint64_t now_us)
{
	struct ym_audit_budget_entry *e = NULL;

	for (size_t i = 0; i < YM_ARRAY_SIZE(b->e); i++) {
		if (b->e[i].used_slot && memcmp(b->e[i].mac, mac, 6) == 0) {
			e = &b->e[i];
			break;
		}
	}
	if (!e) {
		/* A new device takes the oldest record's place. */
		e = &b->e[b->next];
		b->next = (b->next + 1) % YM_AUDIT_BUDGET_DEVICES;
		memset(e, 0, sizeof(*e));
		memcpy(e->mac, mac, 6);
		e->used_slot = true;
		e->day_start_us = now_us;
	}
	/* A new day (or a clock set back) starts afresh; what worked is
	 * still tried first. */
	if (now_us < e->day_start_us ||
	    now_us - e->day_start_us >= YM_AUDIT_DAY_US) {
		e->day_start_us = now_us;
		e->login_mask = 0;
		memset(e->used, 0, sizeof(e->used));
	}
	return e;
}

bool ym_audit_budget_spent(const struct ym_audit_budget_entry *e,
			   uint32_t max)
{
	if (!e->login_mask)
		return false;
	for (int i = 0; i < YM_AUDIT_MAX_SERVICES; i++)
		if ((e->login_mask & (1u << i)) && e->used[i] < max)
			return false;
	return true;
}

/* ---- connections ---- */

static void conn_closed(uv_handle_t *h)
{
	struct conn *c = h->data;

	if (--c->pending_closes > 0)
		return;
	SSL_free(c->ssl); /* and its BIOs */
	explicit_bzero(c, sizeof(*c));
	free(c);
}

static void conn_close(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	c->pending_closes = 4;
	uv_close((uv_handle_t *)&c->tcp, conn_closed);
	uv_close((uv_handle_t *)&c->step, conn_closed);
	uv_close((uv_handle_t *)&c->total, conn_closed);
	uv_close((uv_handle_t *)&c->quiet, conn_closed);
}

static void on_written(uv_write_t *w, int status)
{
	struct wreq *r = ym_container_of(w, struct wreq, req);

	(void)status;
	/* Requests may hold a password or its Basic encoding. */
	explicit_bzero(r->data, r->len);
	free(r);
}

/* Writes bytes to the socket as they are. */
static void conn_send_raw(struct conn *c, const void *data, size_t len)
{
	struct wreq *r;
	uv_buf_t b;

	if (!len)
		return;
	r = malloc(sizeof(*r) + len);
	if (!r)
		return;
	r->len = len;
	memcpy(r->data, data, len);
	b = uv_buf_init(r->data, (unsigned)r->len);
	if (uv_write(&r->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0) {
		explicit_bzero(r->data, r->len);
		free(r);
	}
}

/* Sends what TLS has queued (handshake, records, close_notify). */
static void conn_tls_drain(struct conn *c)
{
	BIO *wbio = SSL_get_wbio(c->ssl);
	char buf[4096];
	int n;

	while ((n = BIO_read(wbio, buf, sizeof(buf))) > 0)
		conn_send_raw(c, buf, (size_t)n);
	explicit_bzero(buf, sizeof(buf));
}

/* Sends what the engine asked for, inside TLS for HTTPS. */
static void conn_flush(struct conn *c)
{
	if (c->ssl) {
		/* A memory BIO takes any amount: one call writes it all. */
		if (c->tls_ready && c->out.len)
			(void)SSL_write(c->ssl, c->out.buf, (int)c->out.len);
		conn_tls_drain(c);
	} else {
		conn_send_raw(c, c->out.buf, c->out.len);
	}
	explicit_bzero(c->out.buf, c->out.len);
	c->out.len = 0;
}

/* A last word that the device does not take within a second is dropped. */
static void on_linger_timeout(uv_timer_t *t)
{
	conn_close(ym_container_of(t, struct conn, total));
}

static void on_shutdown(uv_shutdown_t *s, int status)
{
	struct conn *c = ym_container_of(s, struct conn, shut);

	(void)status;
	conn_close(c);
}

/* Hands the verdict to the job (once) and closes; a last polite word
 * (FTP's QUIT) is written first. */
static void conn_verdict(struct conn *c, enum ym_av v, const char *detail)
{
	struct job *job = c->job;

	if (c->done)
		return;
	c->done = true;
	c->job = NULL;
	uv_timer_stop(&c->step);
	uv_timer_stop(&c->total);
	uv_timer_stop(&c->quiet);
	uv_read_stop((uv_stream_t *)&c->tcp);
	if (job) {
		job->conn = NULL;
		job_verdict(job, v, detail, c);
	}
	if (c->ssl && c->tls_ready && c->connected) {
		/* TLS's goodbye (close_notify) is the polite close. */
		(void)SSL_shutdown(c->ssl);
		conn_tls_drain(c);
		if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp,
				on_shutdown) == 0) {
			uv_timer_start(&c->total, on_linger_timeout, 1000, 0);
			return;
		}
	} else if (c->connected && c->out.len) {
		conn_flush(c);
		if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp,
				on_shutdown) == 0) {
			uv_timer_start(&c->total, on_linger_timeout, 1000, 0);
			return;
		}
	}
	explicit_bzero(c->out.buf, c->out.len);
	c->out.len = 0;
	conn_close(c);
}

static enum ym_av engine_eof(struct conn *c)
{
	switch (c->proto) {
	case YM_AP_TELNET:
		return ym_telnet_eof(&c->e.telnet);
	case YM_AP_FTP:
		return ym_ftp_eof(&c->e.ftp);
	default:
		return ym_http_eof(&c->e.http);
	}
}

/* A few words on a verdict, for the report. */
static const char *verdict_detail(const struct conn *c, enum ym_av v)
{
	switch (v) {
	case YM_AV_OPEN:
		return "no login";
	case YM_AV_ABSENT:
		return "another protocol";
	case YM_AV_ERROR:
		if ((c->proto == YM_AP_HTTP || c->proto == YM_AP_RTSP) &&
		    c->e.http.len == sizeof(c->e.http.head))
			return "header too large";
		if (c->proto == YM_AP_HTTP && c->e.http.in_page &&
		    c->e.http.page_read >= YM_HTTP_PAGE_MAX)
			return "page too large";
		return "unexpected answer";
	default:
		return "";
	}
}

/* True when the socket has news the loop has not delivered yet: the
 * connection's outcome (while connecting) or bytes to read. Then the timer
 * that fired is rearmed for a short grace: a loop held up for seconds runs
 * its timers before it polls, and would otherwise judge a device that did
 * answer as silent. Bounded per connection; the conversation's own limit
 * still ends it. */
static bool conn_late(struct conn *c, uv_timer_t *t, uv_timer_cb cb)
{
	struct pollfd pfd;
	uv_os_fd_t fd;

	if (c->connect_failed || c->late >= YM_AUDIT_LATE_MAX ||
	    uv_fileno((uv_handle_t *)&c->tcp, &fd) < 0)
		return false;
	pfd.fd = fd;
	pfd.events = c->connected ? POLLIN : POLLOUT;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & (pfd.events | POLLHUP |
							 POLLERR)))
		return false;
	c->late++;
	uv_timer_start(t, cb, YM_AUDIT_LATE_GRACE_MS, 0);
	return true;
}

static void on_step_timeout(uv_timer_t *t)
{
	struct conn *c = ym_container_of(t, struct conn, step);

	if (conn_late(c, t, on_step_timeout))
		return;
	if (c->connect_failed)
		conn_verdict(c, YM_AV_ABSENT, "cannot connect");
	else if (!c->connected)
		conn_verdict(c, YM_AV_ABSENT, "no answer");
	else
		conn_verdict(c, YM_AV_ERROR, "timeout");
}

static void on_total_timeout(uv_timer_t *t)
{
	struct conn *c = ym_container_of(t, struct conn, total);

	conn_verdict(c, YM_AV_ERROR, "too slow");
}

static void on_quiet(uv_timer_t *t)
{
	struct conn *c = ym_container_of(t, struct conn, quiet);
	enum ym_av v;

	/* Not quiet: more of the screen waits unread. */
	if (conn_late(c, t, on_quiet))
		return;
	v = ym_telnet_quiet(&c->e.telnet, &c->out);
	if (v != YM_AV_MORE) {
		conn_verdict(c, v, verdict_detail(c, v));
		return;
	}
	if (c->out.len) {
		/* Input sent: the device has a step's time to answer. */
		conn_flush(c);
		uv_timer_start(&c->step, on_step_timeout,
			       c->job->a->cfg.step_ms, 0);
	}
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct conn *c = ym_container_of((uv_tcp_t *)h, struct conn, tcp);

	(void)suggested;
	buf->base = c->rbuf;
	buf->len = sizeof(c->rbuf);
}

static void random_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t r[16] = { 0 };

	if (nbytes > sizeof(r))
		nbytes = sizeof(r);
	if (getrandom(r, nbytes, 0) != (ssize_t)nbytes) {
		uint64_t t = ym_wall_us();

		memcpy(r, &t, sizeof(t) < nbytes ? sizeof(t) : nbytes);
	}
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 15];
	}
	out[2 * nbytes] = '\0';
}

/* Gives the engine what the device said (in clear). */
static enum ym_av engine_feed(struct conn *c, const uint8_t *data, size_t n)
{
	switch (c->proto) {
	case YM_AP_TELNET:
		uv_timer_start(&c->quiet, on_quiet, YM_TELNET_QUIET_MS, 0);
		return ym_telnet_feed(&c->e.telnet, data, n, &c->out);
	case YM_AP_FTP:
		return ym_ftp_feed(&c->e.ftp, data, n, &c->out);
	default:
		return ym_http_feed(&c->e.http, data, n, &c->out);
	}
}

static void http_start(struct conn *c)
{
	struct job *job = c->job;
	char cnonce[17];

	random_hex(cnonce, 8);
	ym_http_start(&c->e.http, c->proto == YM_AP_RTSP, job->host,
		      services[job->svc].port, c->e.http.user, c->e.http.pass,
		      &job->ch, cnonce, &c->out);
}

/* HTTPS: the device's bytes go through TLS; the handshake first, then the
 * engine gets the clear text. A device that does not speak TLS is "another
 * protocol"; one that does but cannot agree with us is an error. */
static enum ym_av tls_input(struct conn *c, const uint8_t *data, size_t n,
			    const char **detail)
{
	uint8_t clear[4096];
	enum ym_av v = YM_AV_MORE;
	int r;

	for (size_t i = 0; i < n && c->head_len < sizeof(c->head); i++)
		c->head[c->head_len++] = data[i];
	if (BIO_write(SSL_get_rbio(c->ssl), data, (int)n) != (int)n) {
		*detail = "out of memory";
		return YM_AV_ERROR;
	}
	if (!c->tls_ready) {
		r = SSL_do_handshake(c->ssl);
		if (r != 1) {
			int e = SSL_get_error(c->ssl, r);

			ERR_clear_error();
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return YM_AV_MORE;
			/* A TLS record starts with its type (0x16
			 * handshake, 0x15 alert) and version 3.x. */
			if (c->head_len < 3 ||
			    (c->head[0] != 0x16 && c->head[0] != 0x15) ||
			    c->head[1] != 3 || c->head[2] > 4) {
				*detail = "another protocol";
				return c->probe ? YM_AV_ABSENT : YM_AV_ERROR;
			}
			*detail = "tls failed";
			return YM_AV_ERROR;
		}
		c->tls_ready = true;
		http_start(c);
	}
	while (v == YM_AV_MORE) {
		r = SSL_read(c->ssl, clear, sizeof(clear));
		if (r > 0) {
			v = engine_feed(c, clear, (size_t)r);
			continue;
		}
		switch (SSL_get_error(c->ssl, r)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			break;
		case SSL_ERROR_ZERO_RETURN: /* close_notify */
			v = engine_eof(c);
			*detail = "closed early";
			break;
		default:
			v = YM_AV_ERROR;
			*detail = "tls failed";
			break;
		}
		ERR_clear_error();
		break;
	}
	explicit_bzero(clear, sizeof(clear));
	return v;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct conn *c = ym_container_of((uv_tcp_t *)s, struct conn, tcp);
	uint32_t max = c->job ? c->job->a->cfg.max_bytes : 0;
	const char *detail = NULL;
	enum ym_av v;

	if (c->done || n == 0)
		return;
	if (n < 0) {
		if (c->nread == 0)
			conn_verdict(c, c->probe ? YM_AV_ABSENT : YM_AV_ERROR,
				     "closed at once");
		else if (c->ssl && !c->tls_ready)
			conn_verdict(c, c->probe ? YM_AV_ABSENT : YM_AV_ERROR,
				     "closed early");
		else
			conn_verdict(c, engine_eof(c), "closed early");
		return;
	}
	c->nread += (size_t)n;
	/* TLS adds the handshake (certificates) and whole records: a record
	 * of up to 16 KB is opened only when it is all there. */
	if (c->ssl)
		max += YM_AUDIT_TLS_EXTRA;
	if (c->nread > max) {
		conn_verdict(c, YM_AV_ERROR, "too much data");
		return;
	}
	if (c->ssl)
		v = tls_input(c, (const uint8_t *)buf->base, (size_t)n,
			      &detail);
	else
		v = engine_feed(c, (const uint8_t *)buf->base, (size_t)n);
	if (v != YM_AV_MORE) {
		conn_verdict(c, v, detail ? detail : verdict_detail(c, v));
		return;
	}
	conn_flush(c);
	uv_timer_start(&c->step, on_step_timeout, c->job->a->cfg.step_ms, 0);
}

/* One TLS client in memory: the socket stays libuv's. */
static SSL *tls_new(struct ym_audit *a)
{
	SSL *ssl = SSL_new(a->tls);
	BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());

	if (!ssl || !rbio || !wbio) {
		SSL_free(ssl);
		BIO_free(rbio);
		BIO_free(wbio);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_bio(ssl, rbio, wbio);
	SSL_set_connect_state(ssl);
	return ssl;
}

/* The TLS settings: a device's web page on the LAN, with a self-signed
 * certificate and often old TLS. Its identity is not checked: what is sent
 * is a published factory default, which is no secret, and the question is
 * only whether the device takes it. */
static SSL_CTX *tls_ctx_new(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	/* Old cameras: TLS 1.0, SHA-1, small keys, no secure renegotiation,
	 * no close_notify. */
	SSL_CTX_set_security_level(ctx, 0);
	(void)SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT |
					 SSL_OP_IGNORE_UNEXPECTED_EOF |
					 SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

static void audit_free(struct ym_audit *a)
{
	ym_audit_creds_free(&a->creds);
	SSL_CTX_free(a->tls);
	free(a);
}

static void on_connected(uv_connect_t *req, int status)
{
	struct conn *c = ym_container_of(req, struct conn, creq);
	struct job *job = c->job;

	if (c->done || !job)
		return;
	if (status < 0) {
		conn_verdict(c, YM_AV_ABSENT,
			     status == UV_ECONNREFUSED ? "closed" :
							 "unreachable");
		return;
	}
	c->connected = true;
	if (services[job->svc].tls) {
		c->ssl = tls_new(job->a);
		if (!c->ssl) {
			conn_verdict(c, YM_AV_ERROR, "out of memory");
			return;
		}
		/* The ClientHello; the engine starts after the handshake. */
		(void)SSL_do_handshake(c->ssl);
		ERR_clear_error();
	} else if (c->proto == YM_AP_HTTP || c->proto == YM_AP_RTSP) {
		http_start(c);
	} /* telnet, FTP: nothing to say until the device speaks */
	conn_flush(c);
	uv_timer_start(&c->step, on_step_timeout, job->a->cfg.step_ms, 0);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
		conn_verdict(c, YM_AV_ERROR, "cannot read");
}

static void make_sockaddr(const struct job *job, uint16_t port,
			  struct sockaddr_storage *ss)
{
	const struct ym_addr *addr = &job->report.addr;

	memset(ss, 0, sizeof(*ss));
	if (addr->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr->a, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr->a, 16);
		sin6->sin6_scope_id = job->a->cfg.v6_scope_id;
	}
}

/* Opens one connection for the current service: a probe (user NULL) or
 * one login attempt. */
static int conn_start(struct job *job, const char *user, const char *pass)
{
	const struct service *svc = &services[job->svc];
	struct ym_audit *a = job->a;
	struct sockaddr_storage ss;
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->job = job;
	c->proto = svc->proto;
	c->probe = user == NULL;
	switch (c->proto) {
	case YM_AP_TELNET:
		ym_telnet_start(&c->e.telnet, user, pass);
		break;
	case YM_AP_FTP:
		ym_ftp_start(&c->e.ftp, user, pass);
		break;
	default:
		/* Started once connected; keep the credentials till then. */
		c->e.http.user = user;
		c->e.http.pass = pass;
		break;
	}
	uv_tcp_init(a->loop, &c->tcp);
	uv_timer_init(a->loop, &c->step);
	uv_timer_init(a->loop, &c->total);
	uv_timer_init(a->loop, &c->quiet);
	c->tcp.data = c->step.data = c->total.data = c->quiet.data = c;
	job->conn = c;
	uv_timer_start(&c->total, on_total_timeout, a->cfg.conversation_ms, 0);
	make_sockaddr(job, svc->port, &ss);
	if (uv_tcp_connect(&c->creq, &c->tcp, (struct sockaddr *)&ss,
			   on_connected) < 0) {
		/* Reported from the loop, never from inside this call. */
		c->connect_failed = true;
		uv_timer_start(&c->step, on_step_timeout, 0, 0);
	} else {
		uv_timer_start(&c->step, on_step_timeout, a->cfg.connect_ms, 0);
	}
	return 0;
}

/* Ends a connection without a verdict (the audit is closing). */
static void conn_abort(struct conn *c)
{
	c->job = NULL;
	conn_verdict(c, YM_AV_ERROR, "");
}

/* ---- SSH through the thread pool ---- */

static void ssh_work(uv_work_t *req)
{
	struct ssh_run *r = ym_container_of(req, struct ssh_run, req);

	ym_ssh_run(&r->j);
}

static void ssh_after(uv_work_t *req, int status)
{
	struct ssh_run *r = ym_container_of(req, struct ssh_run, req);
	struct job *job = r->job;
	struct conn fake;

	if (status == UV_ECANCELED) {
		r->j.verdict = YM_AV_ERROR;
		snprintf(r->j.detail, sizeof(r->j.detail), "timeout");
	}
	if (job) {
		job->ssh = NULL;
		uv_timer_stop(&job->watchdog);
		/* The verdict's extra data travels like a connection's. */
		memset(&fake, 0, sizeof(fake));
		fake.proto = YM_AP_SSH;
		job_verdict(job, r->j.verdict, r->j.detail, &fake);
	}
	uv_mutex_destroy(&r->j.mu);
	explicit_bzero(r, sizeof(*r));
	free(r);
}

static void on_watchdog(uv_timer_t *t)
{
	struct job *job = ym_container_of(t, struct job, watchdog);

	if (!job->ssh)
		return;
	ym_ssh_abort(&job->ssh->j);
	uv_cancel((uv_req_t *)&job->ssh->req);
}

static int ssh_start(struct job *job, const char *user, const char *pass)
{
	struct ym_audit *a = job->a;
	struct ssh_run *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	if (uv_mutex_init(&r->j.mu) < 0) {
		free(r);
		return -ENOMEM;
	}
	r->job = job;
	r->j.addr = job->report.addr;
	r->j.scope_id = a->cfg.v6_scope_id;
	r->j.port = services[job->svc].port;
	r->j.connect_ms = a->cfg.connect_ms;
	r->j.step_ms = a->cfg.step_ms;
	r->j.fd = -1;
	/* Copies: the worker may outlive the lists (at close). */
	if (user) {
		snprintf(r->user, sizeof(r->user), "%s", user);
		snprintf(r->pass, sizeof(r->pass), "%s", pass);
		r->j.user = r->user;
		r->j.pass = r->pass;
	}
	job->ssh = r;
	uv_timer_start(&job->watchdog, on_watchdog, a->cfg.conversation_ms, 0);
	if (uv_queue_work(a->loop, &r->req, ssh_work, ssh_after) < 0) {
		job->ssh = NULL;
		uv_timer_stop(&job->watchdog);
		uv_mutex_destroy(&r->j.mu);
		free(r);
		return -EAGAIN;
	}
	return 0;
}

/* ---- jobs ---- */

static struct ym_audit_service_result *cur(struct job *job)
{
	return &job->report.services[job->svc];
}

static void job_closed(uv_handle_t *h)
{
	struct job *job = h->data;
	struct ym_audit *a = job->a;

	if (--job->pending_closes > 0)
		return;
	free(job);
	if (--a->open_jobs == 0 && a->closing)
		audit_free(a);
}

static void job_unlink(struct job *job)
{
	struct ym_audit *a = job->a;

	for (struct job **p = &a->jobs; *p; p = &(*p)->next) {
		if (*p == job) {
			*p = job->next;
			break;
		}
	}
	a->active--;
}

/* Stops everything the job runs and frees it once its timers closed. */
static void job_release(struct job *job)
{
	if (job->conn) {
		struct conn *c = job->conn;

		job->conn = NULL;
		conn_abort(c);
	}
	if (job->ssh) {
		/* The worker ends by itself within a step; its result is
		 * dropped. */
		job->ssh->job = NULL;
		ym_ssh_abort(&job->ssh->j);
		uv_cancel((uv_req_t *)&job->ssh->req);
		job->ssh = NULL;
	}
	job->pending_closes = 2;
	uv_close((uv_handle_t *)&job->spacing, job_closed);
	uv_close((uv_handle_t *)&job->watchdog, job_closed);
}

static void job_finish(struct job *job)
{
	struct ym_audit *a = job->a;

	job->finished = true;
	job->report.finished_us = a->cfg.clock_us();
	job_unlink(job);
	if (a->obs && a->obs->done && !a->closing)
		a->obs->done(a->obs, &job->report, job->token);
	job_release(job);
}

static struct ym_audit_budget_entry *budget_of(struct job *job)
{
	struct ym_audit *a = job->a;

	return ym_audit_budget_get(&a->budget, job->report.mac,
				   a->cfg.clock_us());
}

/* True when the current service has no attempt left today. */
static bool budget_spent_here(struct job *job)
{
	return budget_of(job)->used[job->svc] >= job->a->cfg.max_attempts;
}

static void on_spacing(uv_timer_t *t)
{
	struct job *job = ym_container_of(t, struct job, spacing);
	const struct ym_audit_cred *cr =
		&job->a->creds.v[job->cand[job->next_cand]];
	int rc;

	if (services[job->svc].proto == YM_AP_SSH)
		rc = ssh_start(job, cr->user, cr->pass);
	else
		rc = conn_start(job, cr->user, cr->pass);
	if (rc < 0) {
		snprintf(cur(job)->detail, sizeof(cur(job)->detail),
			 "out of memory");
		cur(job)->result = job->refused ? YM_AUDIT_DEFAULTS_REFUSED :
						  YM_AUDIT_ERROR;
		job_next_service(job);
	}
}

/* The next attempt after the spacing, or the service's end. */
static void job_continue(struct job *job)
{
	struct ym_audit_service_result *r = cur(job);
	bool spent = budget_spent_here(job);

	if (job->next_cand < job->n_cand && !spent &&
	    job->consecutive_errors < YM_AUDIT_MAX_CONSECUTIVE_ERRORS) {
		uv_timer_start(&job->spacing, on_spacing, job->a->cfg.spacing_ms,
			       0);
		return;
	}
	if (job->refused) {
		r->result = YM_AUDIT_DEFAULTS_REFUSED;
		if (job->next_cand < job->n_cand && spent)
			snprintf(r->detail, sizeof(r->detail),
				 "attempts for today spent");
	} else {
		r->result = YM_AUDIT_ERROR;
	}
	job_next_service(job);
}

/* After a probe that found a login: picks the defaults to try. */
static void job_login_found(struct job *job, const struct conn *c,
			    const char *detail)
{
	struct ym_audit *a = job->a;
	struct ym_audit_service_result *r = cur(job);
	struct ym_audit_budget_entry *e = budget_of(job);
	const struct service *svc = &services[job->svc];
	uint32_t hint;

	r->result = YM_AUDIT_LOGIN_REQUIRED;
	if (svc->proto == YM_AP_HTTP && c->e.http.form) {
		/* A login form: its fields, its answer and what success looks
		 * like differ from maker to maker, and a wrong guess would
		 * tell a family something untrue. Reported, not tried. */
		snprintf(r->detail, sizeof(r->detail), "web form");
		job_next_service(job);
		return;
	}
	if (svc->proto == YM_AP_HTTP || svc->proto == YM_AP_RTSP) {
		job->ch = c->e.http.ch;
		if (job->ch.unsupported || job->ch.scheme == YM_AUTH_NONE) {
			snprintf(r->detail, sizeof(r->detail),
				 "unsupported authentication");
			job_next_service(job);
			return;
		}
		snprintf(r->detail, sizeof(r->detail), "%s",
			 job->ch.scheme == YM_AUTH_DIGEST ? "digest" : "basic");
	} else if (detail && detail[0]) {
		snprintf(r->detail, sizeof(r->detail), "%s", detail);
	}
	if (svc->proto == YM_AP_SSH && strcmp(detail, "publickey only") == 0) {
		job_next_service(job);
		return;
	}
	job->n_cand = ym_audit_creds_select(&a->creds, svc->proto, job->vendor,
					    job->cand, YM_ARRAY_SIZE(job->cand));
	/* What worked last time goes first (a re-check after a change). */
	hint = e->hint[job->svc];
	if (hint) {
		for (size_t i = 0; i < job->n_cand; i++) {
			if (job->cand[i] == hint - 1) {
				memmove(job->cand + 1, job->cand,
					i * sizeof(job->cand[0]));
				job->cand[0] = hint - 1;
				break;
			}
		}
	}
	if (job->n_cand == 0) {
		snprintf(r->detail, sizeof(r->detail), "no defaults known");
		job_next_service(job);
		return;
	}
	/* Logins will be tried here: the day's budget counts this service. */
	e->login_mask |= 1u << job->svc;
	if (e->used[job->svc] >= a->cfg.max_attempts) {
		snprintf(r->detail, sizeof(r->detail),
			 "attempts for today spent");
		job_next_service(job);
		return;
	}
	job->phase = PH_ATTEMPT;
	uv_timer_start(&job->spacing, on_spacing, a->cfg.spacing_ms, 0);
}

static void job_probe_verdict(struct job *job, enum ym_av v,
			      const char *detail, const struct conn *c)
{
	struct ym_audit_service_result *r = cur(job);

	switch (v) {
	case YM_AV_LOGIN:
		job_login_found(job, c, detail);
		return;
	case YM_AV_OPEN:
		r->result = YM_AUDIT_OPEN;
		break;
	case YM_AV_ABSENT:
		r->result = YM_AUDIT_NOT_OFFERED;
		break;
	default:
		r->result = YM_AUDIT_ERROR;
		break;
	}
	if (detail && detail[0])
		snprintf(r->detail, sizeof(r->detail), "%s", detail);
	job_next_service(job);
}

static void job_attempt_verdict(struct job *job, enum ym_av v,
				const char *detail, const struct conn *c)
{
	struct ym_audit *a = job->a;
	struct ym_audit_service_result *r = cur(job);
	struct ym_audit_budget_entry *e = budget_of(job);
	uint32_t idx = job->cand[job->next_cand];
	const struct ym_audit_cred *cr = &a->creds.v[idx];
	bool password_only = c->proto == YM_AP_TELNET &&
			     c->e.telnet.password_only;

	r->attempts++;
	if (e->used[job->svc] < UINT16_MAX)
		e->used[job->svc]++;
	if (a->obs && a->obs->attempt)
		a->obs->attempt(a->obs, job->report.mac, r->service, r->port,
				cr->user, v == YM_AV_ACCEPTED,
				a->cfg.clock_us());
	/* A fresher Digest nonce serves the next attempt. */
	if ((c->proto == YM_AP_HTTP || c->proto == YM_AP_RTSP) &&
	    c->e.http.status == 401 && c->e.http.ch.scheme == YM_AUTH_DIGEST &&
	    !c->e.http.ch.unsupported)
		job->ch = c->e.http.ch;
	switch (v) {
	case YM_AV_ACCEPTED:
		r->result = YM_AUDIT_DEFAULT_ACCEPTED;
		/* The user name only: the password is never reported. */
		snprintf(r->user, sizeof(r->user), "%s",
			 password_only ? "" : cr->user);
		if (password_only)
			snprintf(r->detail, sizeof(r->detail),
				 "password only");
		else if (c->proto == YM_AP_SSH && detail && detail[0])
			snprintf(r->detail, sizeof(r->detail), "%s", detail);
		e->hint[job->svc] = idx + 1;
		job_next_service(job);
		return;
	case YM_AV_OPEN:
		r->result = YM_AUDIT_OPEN;
		snprintf(r->detail, sizeof(r->detail), "no login");
		job_next_service(job);
		return;
	case YM_AV_STALE:
		/* Right password, old nonce (RFC 2617 3.2.1): once more. */
		if (!job->stale_retried) {
			job->stale_retried = true;
			break;
		}
		job->refused++;
		job->next_cand++;
		break;
	case YM_AV_REFUSED:
		job->refused++;
		job->consecutive_errors = 0;
		job->stale_retried = false;
		job->next_cand++;
		break;
	default:
		job->consecutive_errors++;
		job->next_cand++;
		if (detail && detail[0])
			snprintf(r->detail, sizeof(r->detail), "%s", detail);
		break;
	}
	job_continue(job);
}

static void job_verdict(struct job *job, enum ym_av v, const char *detail,
			const struct conn *c)
{
	if (job->phase == PH_PROBE)
		job_probe_verdict(job, v, detail, c);
	else
		job_attempt_verdict(job, v, detail, c);
}

static void job_start_service(struct job *job)
{
	const struct service *svc = &services[job->svc];
	struct ym_audit_service_result *r = cur(job);
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->service, sizeof(r->service), "%s", svc->name);
	r->port = svc->port;
	r->result = YM_AUDIT_NOT_OFFERED;
	job->report.n = (uint32_t)job->svc + 1;
	job->phase = PH_PROBE;
	job->n_cand = job->next_cand = 0;
	job->refused = job->consecutive_errors = 0;
	job->stale_retried = false;
	memset(&job->ch, 0, sizeof(job->ch));
	if (svc->proto == YM_AP_SSH)
		rc = ssh_start(job, NULL, NULL);
	else
		rc = conn_start(job, NULL, NULL);
	if (rc < 0) {
		r->result = YM_AUDIT_ERROR;
		snprintf(r->detail, sizeof(r->detail), "out of resources");
		job_next_service(job);
	}
}

static void job_next_service(struct job *job)
{
	if (job->a->closing || job->finished)
		return;
	job->svc++;
	if (job->svc >= YM_ARRAY_SIZE(services)) {
		job_finish(job);
		return;
	}
	job_start_service(job);
}

/* ---- the handle ---- */

int ym_audit_init(struct ym_audit **out, uv_loop_t *loop,
		  const char *credentials_dir, const struct ym_audit_config *cfg,
		  struct ym_audit_observer *obs, char *err, size_t errlen)
{
	struct ym_audit *a = calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	if (cfg)
		a->cfg = *cfg;
	else
		ym_audit_config_default(&a->cfg);
	if (!a->cfg.clock_us)
		a->cfg.clock_us = ym_wall_us;
	if (a->cfg.max_active == 0)
		a->cfg.max_active = 1;
	if (a->cfg.max_bytes == 0)
		a->cfg.max_bytes = 16 * 1024;
	/* Digest's MD5 comes from libgcrypt, which wants this first. */
	gcry_check_version(NULL);
	rc = ym_audit_creds_load(&a->creds, credentials_dir, err, errlen);
	if (rc < 0) {
		free(a);
		return rc;
	}
	a->tls = tls_ctx_new();
	if (!a->tls) {
		snprintf(err, errlen, "cannot set up TLS");
		ym_audit_creds_free(&a->creds);
		free(a);
		return -ENOMEM;
	}
	a->loop = loop;
	a->obs = obs;
	*out = a;
	return 0;
}

int ym_audit_check(struct ym_audit *a, const uint8_t mac[6],
		   const struct ym_addr *addr, const char *vendor, void *token)
{
	struct ym_audit_budget_entry *e;
	char text[YM_ADDR_STRLEN];
	struct job *job;

	if (!a || !mac || !addr)
		return -EINVAL;
	if (!ym_audit_addr_allowed(addr))
		return -EPERM;
	if (addr->family == 6 && addr->a[0] == 0xfe && !a->cfg.v6_scope_id)
		return -EINVAL; /* link-local without an interface */
	if (a->closing)
		return -EAGAIN;
	for (job = a->jobs; job; job = job->next)
		if (memcmp(job->report.mac, mac, 6) == 0)
			return -EALREADY;
	if (a->active >= a->cfg.max_active)
		return -EAGAIN;
	e = ym_audit_budget_get(&a->budget, mac, a->cfg.clock_us());
	if (ym_audit_budget_spent(e, a->cfg.max_attempts))
		return -EAGAIN;
	/* A private address off this box's links would be routed away: to
	 * another network of the house, or the provider's. */
	if (!ym_audit_addr_on_link(addr))
		return -EPERM;
	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	job->a = a;
	job->token = token;
	if (vendor)
		snprintf(job->vendor, sizeof(job->vendor), "%s", vendor);
	memcpy(job->report.mac, mac, 6);
	job->report.addr = *addr;
	job->report.started_us = a->cfg.clock_us();
	e->last_check_us = job->report.started_us;
	ym_addr_format(addr, text, sizeof(text));
	if (addr->family == 6)
		snprintf(job->host, sizeof(job->host), "[%s]", text);
	else
		snprintf(job->host, sizeof(job->host), "%s", text);
	uv_timer_init(a->loop, &job->spacing);
	uv_timer_init(a->loop, &job->watchdog);
	job->spacing.data = job->watchdog.data = job;
	job->next = a->jobs;
	a->jobs = job;
	a->active++;
	a->open_jobs++;
	job->svc = 0;
	job_start_service(job);
	return 0;
}

bool ym_audit_due(struct ym_audit *a, const uint8_t mac[6],
		  uint64_t interval_us)
{
	uint64_t now = a->cfg.clock_us();

	for (size_t i = 0; i < YM_ARRAY_SIZE(a->budget.e); i++) {
		const struct ym_audit_budget_entry *e = &a->budget.e[i];

		if (e->used_slot && memcmp(e->mac, mac, 6) == 0)
			return e->last_check_us == 0 ||
			       now < e->last_check_us ||
			       now - e->last_check_us >= interval_us;
	}
	return true;
}

void ym_audit_restore(struct ym_audit *a, const uint8_t mac[6],
		      const char *service, uint16_t port, uint64_t at_us)
{
	uint64_t now = a->cfg.clock_us();
	struct ym_audit_budget_entry *e;
	size_t i;

	if (at_us > now || now - at_us >= YM_AUDIT_DAY_US)
		return;
	for (i = 0; i < YM_ARRAY_SIZE(services); i++)
		if (services[i].port == port &&
		    strcmp(services[i].name, service) == 0)
			break;
	if (i == YM_ARRAY_SIZE(services))
		return;
	/* The day began with the first attempt of the last 24 hours. */
	e = ym_audit_budget_get(&a->budget, mac, at_us);
	if (at_us < e->day_start_us)
		e->day_start_us = at_us;
	if (e->last_check_us < at_us)
		e->last_check_us = at_us;
	e->login_mask |= 1u << i;
	if (e->used[i] < UINT16_MAX)
		e->used[i]++;
}

size_t ym_audit_credentials_count(const struct ym_audit *a)
{
	return a->creds.n;
}

uint32_t ym_audit_active(const struct ym_audit *a)
{
	return a->active;
}

void ym_audit_close(struct ym_audit *a)
{
	if (!a)
		return;
	a->closing = true;
	while (a->jobs) {
		struct job *job = a->jobs;

		job_unlink(job);
		job->finished = true;
		job_release(job);
	}
	if (a->open_jobs == 0)
		audit_free(a);
}
