/* SSH logins with libssh, which blocks: this file runs in a uv_queue_work
 * worker only, one connection per call.
 *
 * The socket is ours: we connect it (with a timeout) and hand libssh a
 * duplicate. Ours stays open until the end, under the mutex, so the loop's
 * watchdog can shut the socket down (which wakes libssh from any read)
 * without ever touching a descriptor number that was closed and reused.
 * libssh 0.10 leaves a descriptor given with SSH_OPTIONS_FD open; we close
 * the duplicate after ssh_free() only if it is still the same socket, so a
 * libssh that closes it itself cannot make us close someone else's.
 *
 * Below it, the loop's side of a job's SSH conversation (the thread pool
 * and the watchdog). Built with YAMORI_SSH only; without it the stubs in
 * audit-private.h answer "not supported". */
#define _GNU_SOURCE /* explicit_bzero */
#include "audit-private.h"
#include "audit-proto.h"

#include <stdlib.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <libssh/libssh.h>

/* Rounds of keyboard-interactive questions answered before giving up. */
#define YM_SSH_KBDINT_ROUNDS 3

/* Connects with a timeout; the socket (blocking again) or -errno. */
static int connect_to(const struct ym_ssh_job *j)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct pollfd pfd;
	struct timeval tv = { .tv_sec = j->step_ms / 1000,
			      .tv_usec = (j->step_ms % 1000) * 1000 };
	int fd, err = 0, one = 1;
	socklen_t errlen = sizeof(err);

	memset(&ss, 0, sizeof(ss));
	if (j->addr.family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(j->port);
		memcpy(&sin->sin_addr, j->addr.a, 4);
		sslen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(j->port);
		memcpy(&sin6->sin6_addr, j->addr.a, 16);
		sin6->sin6_scope_id = j->scope_id;
		sslen = sizeof(*sin6);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0 &&
	    errno != EINPROGRESS) {
		err = errno;
		goto fail;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, (int)j->connect_ms) != 1) {
		err = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0)
		err = errno;
	if (err)
		goto fail;
	/* Blocking again, but no read or write waits longer than a step. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	close(fd);
	return -err;
}

/* Answers keyboard-interactive questions: the password to a hidden one,
 * the user name to a visible one. */
static int kbdint(ssh_session s, const char *user, const char *pass)
{
	int rc = ssh_userauth_kbdint(s, NULL, NULL);

	for (int round = 0; rc == SSH_AUTH_INFO && round < YM_SSH_KBDINT_ROUNDS;
	     round++) {
		int n = ssh_userauth_kbdint_getnprompts(s);

		for (int i = 0; i < n && i < 4; i++) {
			char echo = 0;

			ssh_userauth_kbdint_getprompt(s, (unsigned)i, &echo);
			if (ssh_userauth_kbdint_setanswer(s, (unsigned)i,
							  echo ? user : pass) <
			    0)
				return SSH_AUTH_ERROR;
		}
		rc = ssh_userauth_kbdint(s, NULL, NULL);
	}
	return rc == SSH_AUTH_INFO ? SSH_AUTH_DENIED : rc;
}

/* No configuration files, no known_hosts, no log: nothing but this one
 * conversation, on the socket yamorid connected. */
static void set_options(ssh_session s, const struct ym_ssh_job *j,
			int *libfd)
{
	char host[YM_ADDR_STRLEN];
	long timeout = (long)(j->step_ms + 999) / 1000;
	int verbosity = SSH_LOG_NOLOG;
	bool no = false;
	const char *probe_user = "root";

	ym_addr_format(&j->addr, host, sizeof(host));
	ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no);
	ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	ssh_options_set(s, SSH_OPTIONS_HOST, host);
	ssh_options_set(s, SSH_OPTIONS_USER, j->user ? j->user : probe_user);
	ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout);
	ssh_options_set(s, SSH_OPTIONS_FD, libfd);
}

/* Authentication none first, then the methods offered, then the one
 * password (or none when probing); j's verdict says how it ended. */
static void converse(struct ym_ssh_job *j, ssh_session s)
{
	int rc;

	if (ssh_connect(s) != SSH_OK)
		return;
	rc = ssh_userauth_none(s, NULL);
	if (rc == SSH_AUTH_SUCCESS) {
		j->verdict = YM_AV_OPEN;
		snprintf(j->detail, sizeof(j->detail), "no authentication");
		return;
	}
	if (rc == SSH_AUTH_ERROR)
		return;
	{
		int list = ssh_userauth_list(s, NULL);

		if (list & SSH_AUTH_METHOD_PASSWORD)
			j->methods |= YM_SSH_PASSWORD;
		if (list & SSH_AUTH_METHOD_INTERACTIVE)
			j->methods |= YM_SSH_KBDINT;
	}
	if (!j->user) {
		j->verdict = YM_AV_LOGIN;
		snprintf(j->detail, sizeof(j->detail), "%s",
			 j->methods & YM_SSH_PASSWORD ? "password" :
			 j->methods ? "keyboard-interactive" :
				      "publickey only");
		return;
	}
	if (j->methods & YM_SSH_PASSWORD)
		rc = ssh_userauth_password(s, NULL, j->pass);
	else if (j->methods & YM_SSH_KBDINT)
		rc = kbdint(s, j->user, j->pass);
	else
		rc = SSH_AUTH_DENIED;
	if (rc == SSH_AUTH_SUCCESS) {
		j->verdict = YM_AV_ACCEPTED;
		snprintf(j->detail, sizeof(j->detail), "%s",
			 j->methods & YM_SSH_PASSWORD ? "password" :
							"keyboard-interactive");
	} else if (rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL) {
		j->verdict = YM_AV_REFUSED;
		j->detail[0] = '\0';
	}
}

void ym_ssh_run(struct ym_ssh_job *j)
{
	ssh_session s = NULL;
	struct stat lib_st, now_st;
	int fd, libfd = -1;

	j->verdict = YM_AV_ERROR;
	j->methods = 0;
	snprintf(j->detail, sizeof(j->detail), "not ssh, or no answer");
	fd = connect_to(j);
	if (fd < 0) {
		j->verdict = YM_AV_ABSENT;
		snprintf(j->detail, sizeof(j->detail), "%s",
			 fd == -ECONNREFUSED ? "closed" : "no answer");
		return;
	}
	uv_mutex_lock(&j->mu);
	if (j->cancelled) {
		uv_mutex_unlock(&j->mu);
		close(fd);
		snprintf(j->detail, sizeof(j->detail), "timeout");
		return;
	}
	j->fd = fd;
	libfd = dup(fd);
	uv_mutex_unlock(&j->mu);
	if (libfd >= 0 && fstat(libfd, &lib_st) < 0) {
		close(libfd);
		libfd = -1;
	}
	if (libfd < 0)
		goto out;
	s = ssh_new();
	if (!s)
		goto out;
	set_options(s, j, &libfd);
	converse(j, s);
out:
	/* A polite close: SSH_MSG_DISCONNECT, no channel was ever opened. */
	if (s) {
		if (ssh_is_connected(s))
			ssh_disconnect(s);
		ssh_free(s);
	}
	if (libfd >= 0 && fstat(libfd, &now_st) == 0 &&
	    now_st.st_dev == lib_st.st_dev && now_st.st_ino == lib_st.st_ino)
		close(libfd);
	uv_mutex_lock(&j->mu);
	if (j->cancelled && j->verdict != YM_AV_ACCEPTED &&
	    j->verdict != YM_AV_REFUSED) {
		j->verdict = YM_AV_ERROR;
		snprintf(j->detail, sizeof(j->detail), "timeout");
	}
	close(j->fd);
	j->fd = -1;
	uv_mutex_unlock(&j->mu);
}

void ym_ssh_abort(struct ym_ssh_job *j)
{
	uv_mutex_lock(&j->mu);
	j->cancelled = true;
	if (j->fd >= 0)
		shutdown(j->fd, SHUT_RDWR);
	uv_mutex_unlock(&j->mu);
}

/* ---- the job's side, on the loop: the conversation in the thread pool ---- */

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
		ym_audit_job_verdict(job, r->j.verdict, r->j.detail, &fake);
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

int ym_audit_ssh_start(struct job *job, const char *user, const char *pass)
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

void ym_audit_ssh_abort(struct job *job)
{
	if (!job->ssh)
		return;
	/* The worker ends by itself within a step; its result is dropped. */
	job->ssh->job = NULL;
	ym_ssh_abort(&job->ssh->j);
	uv_cancel((uv_req_t *)&job->ssh->req);
	job->ssh = NULL;
}
