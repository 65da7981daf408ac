#define _GNU_SOURCE /* memmem, explicit_bzero */
/* The audit's transport: a connection of its own per conversation, with a
 * connect timeout, a step timeout (silence), a whole-conversation timeout
 * and a byte limit; HTTPS through TLS in memory (audit-tls.c); SSH is
 * audit-ssh.c's. A connection hands its verdict to the job (audit.c)
 * exactly once and then closes itself, so the job never waits for a
 * socket. */
#include "audit-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <poll.h>
#include <netinet/in.h>

/* A telnet device that has been silent this long is waiting for input:
 * what is on its screen is a prompt. */
#define YM_TELNET_QUIET_MS 300
/* Bytes a TLS connection may read beyond the limit: a certificate chain
 * and one record of 16 KB with its overhead. */
#define YM_AUDIT_TLS_EXTRA (24 * 1024)

struct wreq {
	uv_write_t req;
	size_t len;
	char data[];
};

/* ---- connections ---- */

static void conn_closed(uv_handle_t *h)
{
	struct conn *c = h->data;

	if (--c->pending_closes > 0)
		return;
	ym_tls_free(c->ssl);
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
	char buf[4096];
	size_t n;

	while ((n = ym_tls_pull(c->ssl, buf, sizeof(buf))) > 0)
		conn_send_raw(c, buf, n);
	explicit_bzero(buf, sizeof(buf));
}

/* Sends what the engine asked for, inside TLS for HTTPS. */
static void conn_flush(struct conn *c)
{
	if (c->ssl) {
		if (c->tls_ready && c->out.len)
			ym_tls_write(c->ssl, c->out.buf, c->out.len);
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
		ym_audit_job_verdict(job, v, detail, c);
	}
	if (c->ssl && c->tls_ready && c->connected) {
		/* TLS's goodbye (close_notify) is the polite close. */
		ym_tls_shutdown(c->ssl);
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

/* A timer that fires while the device's answer waits unread (the loop was
 * held up: a commit's fsync on a busy disk, a busy machine) gives the loop
 * this long to read it, at most YM_AUDIT_LATE_MAX times per connection,
 * instead of taking a late loop for a silent device. */
#define YM_AUDIT_LATE_GRACE_MS 100
#define YM_AUDIT_LATE_MAX 20

/* True when the socket has news the loop has not delivered yet: the
 * connection's outcome (while connecting) or bytes to read. Then the timer
 * that fired is rearmed for a short grace: a loop held up for seconds runs
 * its timers before it polls, and would otherwise judge a device that did
 * answer as silent. Bounded per connection; the conversation's own limit
 * still ends it. */
static bool loop_was_late(struct conn *c, uv_timer_t *t, uv_timer_cb cb)
{
	struct pollfd pfd;
	uv_os_fd_t fd;

	if (c->connect_failed || c->late >= YM_AUDIT_LATE_MAX ||
	    uv_fileno((uv_handle_t *)&c->tcp, &fd) < 0)
		return false;
	pfd.fd = fd;
	pfd.events = c->connected ? POLLIN : POLLOUT;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) != 1 ||
	    !(pfd.revents & (pfd.events | POLLHUP | POLLERR)))
		return false;
	c->late++;
	uv_timer_start(t, cb, YM_AUDIT_LATE_GRACE_MS, 0);
	return true;
}

static void on_step_timeout(uv_timer_t *t)
{
	struct conn *c = ym_container_of(t, struct conn, step);

	if (loop_was_late(c, t, on_step_timeout))
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

	/* Quiet means nothing came: not that it came and waits unread. */
	if (loop_was_late(c, t, on_quiet))
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
	if (ym_tls_push(c->ssl, data, n) < 0) {
		*detail = "out of memory";
		return YM_AV_ERROR;
	}
	if (!c->tls_ready) {
		r = ym_tls_handshake(c->ssl);
		if (r == YM_TLS_WANT)
			return YM_AV_MORE;
		if (r != 1) {
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
		r = ym_tls_read(c->ssl, clear, sizeof(clear));
		if (r > 0) {
			v = engine_feed(c, clear, (size_t)r);
			continue;
		}
		if (r == YM_TLS_CLOSED) {
			v = engine_eof(c);
			*detail = "closed early";
		} else if (r == YM_TLS_FAILED) {
			v = YM_AV_ERROR;
			*detail = "tls failed";
		}
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
		/* The ClientHello; the engine starts after the handshake. */
		c->ssl = ym_tls_new(job->a->tls);
		if (!c->ssl) {
			conn_verdict(c, YM_AV_ERROR, "out of memory");
			return;
		}
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
int ym_audit_conn_start(struct job *job, const char *user, const char *pass)
{
	const struct service *svc = &services[job->svc];
	struct ym_audit *a = job->a;
	struct sockaddr_storage ss;
	struct conn *c;

	/* HTTPS in a build without TLS: nothing is sent. */
	if (svc->tls && !a->tls)
		return -ENOTSUP;
	c = calloc(1, sizeof(*c));
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
void ym_audit_conn_abort(struct conn *c)
{
	c->job = NULL;
	conn_verdict(c, YM_AV_ERROR, "");
}
