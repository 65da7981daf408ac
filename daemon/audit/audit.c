#define _GNU_SOURCE /* memmem, explicit_bzero */
/* The audit's scheduler: one job per device, its services in turn, a probe
 * then at most max_attempts logins per service, spaced out, each login on
 * a connection of its own (audit-conn.c, the transport), within a daily
 * budget per device. */
#include "audit.h"
#include "audit-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>


/* Two failed conversations in a row end a service's attempts: the device
 * is busy, rate-limits or went away, and more would only annoy it. */
#define YM_AUDIT_MAX_CONSECUTIVE_ERRORS 2
/* A timer that fires while the device's answer waits unread (the loop was
 * held up: a commit's fsync on a busy disk) gives the loop this long to
 * read it, at most YM_AUDIT_LATE_MAX times per connection, instead of
 * taking a late loop for a silent device. */
#define YM_AUDIT_LATE_GRACE_MS 100
#define YM_AUDIT_LATE_MAX 20

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
	case YM_AUDIT_NOT_SUPPORTED:
		return "not_supported";
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

static void audit_free(struct ym_audit *a)
{
	ym_audit_creds_free(&a->creds);
	ym_audit_creds_free(&a->next_creds);
	ym_tls_ctx_free(a->tls);
	free(a);
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
	if (!a->jobs && a->has_next_creds) {
		ym_audit_creds_free(&a->creds);
		a->creds = a->next_creds;
		memset(&a->next_creds, 0, sizeof(a->next_creds));
		a->has_next_creds = false;
	}
}

void ym_audit_set_creds(struct ym_audit *a, struct ym_audit_creds *cr)
{
	ym_audit_creds_free(&a->next_creds);
	a->next_creds = *cr;
	a->has_next_creds = true;
	memset(cr, 0, sizeof(*cr));
	if (!a->jobs) {
		ym_audit_creds_free(&a->creds);
		a->creds = a->next_creds;
		memset(&a->next_creds, 0, sizeof(a->next_creds));
		a->has_next_creds = false;
	}
}

/* Stops everything the job runs and frees it once its timers closed. */
static void job_release(struct job *job)
{
	if (job->conn) {
		struct conn *c = job->conn;

		job->conn = NULL;
		ym_audit_conn_abort(c);
	}
	ym_audit_ssh_abort(job);
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
		rc = ym_audit_ssh_start(job, cr->user, cr->pass);
	else
		rc = ym_audit_conn_start(job, cr->user, cr->pass);
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

void ym_audit_job_verdict(struct job *job, enum ym_av v, const char *detail,
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
		rc = ym_audit_ssh_start(job, NULL, NULL);
	else
		rc = ym_audit_conn_start(job, NULL, NULL);
	if (rc == -ENOTSUP) {
		/* This build has no SSH or no TLS: nothing was sent. */
		r->result = YM_AUDIT_NOT_SUPPORTED;
		snprintf(r->detail, sizeof(r->detail), "not built in");
		job_next_service(job);
	} else if (rc < 0) {
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
	rc = ym_audit_creds_load(&a->creds, credentials_dir, err, errlen);
	if (rc < 0) {
		free(a);
		return rc;
	}
	/* Without TLS built in, the HTTPS services are "not supported". */
	rc = ym_tls_ctx_new(&a->tls);
	if (rc < 0 && rc != -ENOTSUP) {
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
