/* The response policy: what the engine does about what it found. Password
 * checks (when they are due, what their results close or raise) and
 * isolation (apply, verify before telling anyone, reconcile at start, cut
 * off at once on a critical alert when the household chose so). Detection
 * never isolates by itself; this file decides. */
#include "engine-private.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "isolate.h"
#include "report.h"
#include "store.h"

/* Verifying an isolation: a moment after applying it, the kernel (nft) or
 * the network (arp) must show it holds before anyone is told "isolated". */
#define YM_ISOLATE_VERIFY_MS 2000
#define YM_ISOLATE_VERIFY_TRIES 3

struct isolation_check {
	uv_timer_t timer;
	struct ym_engine *e;
	uint8_t mac[6];
	struct ym_api_deferred *later; /* NULL for automatic isolation */
	char reason[64];
	int tries;
};

const struct ym_addr *ym_respond_audit_addr(const struct ym_device *d)
{
	for (uint8_t i = 0; i < d->n_ips; i++)
		if (d->ips[i].addr.family == 4 &&
		    ym_audit_addr_allowed(&d->ips[i].addr) &&
		    ym_audit_addr_on_link(&d->ips[i].addr))
			return &d->ips[i].addr;
	return NULL;
}

void ym_respond_audit_due(struct ym_engine *e, struct ym_device *d)
{
	const struct ym_addr *addr;

	/* audit = on: every device is checked by itself once a day (the
	 * module keeps each to a few attempts a day and a few devices at a
	 * time; one that cannot start now is tried at the next commit). */
	if (!e->audit || e->cfg.audit != YM_AUDIT_POLICY_ON ||
	    (d->flags & YM_FLAG_RETIRED) ||
	    !ym_audit_due(e->audit, d->mac, YM_AUDIT_DAY_US))
		return;
	addr = ym_respond_audit_addr(d);
	if (!addr)
		return;
	/* A check that ends at once calls done() from inside this call: the
	 * walk that called us goes on to the next device by itself. */
	e->audit_starting = true;
	(void)!ym_audit_check(e->audit, d->mac, addr, d->vendor, NULL);
	e->audit_starting = false;
}

static void refill_one(struct ym_device *d, void *arg)
{
	struct ym_engine *e = arg;

	if (ym_audit_active(e->audit) < e->cfg.audit_parallel)
		ym_respond_audit_due(e, d);
}

/* A check slot freed: the next due devices start now, not at the next
 * commit (a household of 30 would otherwise wait out a commit interval
 * per slot). */
static void audit_refill(struct ym_engine *e)
{
	if (!e->audit || e->cfg.audit != YM_AUDIT_POLICY_ON ||
	    e->audit_starting ||
	    ym_audit_active(e->audit) >= e->cfg.audit_parallel)
		return;
	ym_inventory_foreach(e->inv, refill_one, e);
}

static void on_audit_attempt(struct ym_audit_observer *o, const uint8_t mac[6],
			     const char *service, uint16_t port,
			     const char *user, bool accepted, uint64_t at_us)
{
	struct ym_engine *e = ym_container_of(o, struct ym_engine, audit_obs);

	/* Every attempt is logged: when, what, which user; never a password. */
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_log_attempt(e->store, at_us, mac, service, port, user,
				 accepted) < 0)
		e->store_errors++;
}

/* The day's attempts made before a restart count against the budget. */
static int restore_attempt(void *arg, const uint8_t mac[6],
			   const char *service, uint16_t port, uint64_t at_us)
{
	ym_audit_restore(arg, mac, service, port, at_us);
	return 0;
}

static json_t *audit_report_json(const struct ym_audit_report *r)
{
	json_t *list = json_array();
	char mac[YM_MAC_STRLEN], addr[YM_ADDR_STRLEN];

	for (uint32_t i = 0; i < r->n; i++) {
		const struct ym_audit_service_result *x = &r->services[i];

		json_array_append_new(
			list,
			json_pack("{s:s, s:i, s:s, s:s, s:i, s:s}", "service",
				  x->service, "port", x->port, "result",
				  ym_audit_result_name(x->result), "user",
				  x->result == YM_AUDIT_DEFAULT_ACCEPTED ?
					  x->user : "",
				  "attempts", (int)x->attempts, "detail",
				  x->detail));
	}
	ym_mac_format(r->mac, mac);
	ym_addr_format(&r->addr, addr, sizeof(addr));
	return json_pack("{s:s, s:s, s:o}", "mac", mac, "address", addr,
			 "services", list);
}

/* Resolves a device's alerts whose cause a check found gone. */
static void resolve(struct ym_engine *e, const struct ym_device *d,
		    enum ym_alert_kind kind, const char *target)
{
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_resolve_alerts(e->store, d->mac, ym_alert_kind_name(kind),
				    target) < 0)
		e->store_errors++;
}

/* What the device's answers say about its ways in. */
struct audit_summary {
	bool answered;      /* it answered on some service */
	bool telnet, ftp;   /* these services answered */
	bool accepted;      /* a factory password works somewhere */
};

static void summarise(const struct ym_audit_report *r,
		      struct audit_summary *s)
{
	for (uint32_t i = 0; i < r->n; i++) {
		const struct ym_audit_service_result *x = &r->services[i];

		if (x->result == YM_AUDIT_NOT_OFFERED ||
		    x->result == YM_AUDIT_NOT_SUPPORTED)
			continue;
		s->answered = true;
		s->telnet |= strcmp(x->service, "telnet") == 0;
		s->ftp |= strcmp(x->service, "ftp") == 0;
	}
}

/* Raises or closes default_password per way in, and sets the flag. */
static void judge_passwords(struct ym_engine *e, struct ym_device *d,
			    const struct ym_audit_report *r,
			    struct audit_summary *s)
{
	const char *dp = ym_alert_kind_name(YM_ALERT_DEFAULT_PASSWORD);
	char target[32];
	int left;

	for (uint32_t i = 0; i < r->n; i++) {
		const struct ym_audit_service_result *x = &r->services[i];

		snprintf(target, sizeof(target), "%s/%u", x->service, x->port);
		if (x->result == YM_AUDIT_DEFAULT_ACCEPTED) {
			s->accepted = true;
			ym_alerts_raise(e->alerts, YM_ALERT_DEFAULT_PASSWORD,
					YM_CRITICAL, d, target, NULL,
					e->clock_us);
		} else if (s->answered &&
			   (x->result == YM_AUDIT_NOT_OFFERED ||
			    x->result == YM_AUDIT_DEFAULTS_REFUSED)) {
			/* The device answered, and this way in is closed or
			 * its factory password no longer works: that warning
			 * is over, not just read. A service that could not be
			 * told (an error, today's attempts spent) keeps it. */
			resolve(e, d, YM_ALERT_DEFAULT_PASSWORD, target);
		}
	}
	/* The flag says whether a factory password is still known to work
	 * somewhere on the device. */
	if (s->accepted) {
		d->flags |= YM_FLAG_DEFAULT_PASSWORD;
	} else if (s->answered) {
		left = ym_store_begin(e->store) < 0 ? -1 :
		       ym_store_count_unresolved(e->store, d->mac, dp);
		if (left < 0)
			e->store_errors++;
		else if (left == 0)
			d->flags &= ~YM_FLAG_DEFAULT_PASSWORD;
	}
}

/* A check's end in one word: a factory password works
 * ("default_password"), a way in asks for none ("open"), the defaults were
 * refused ("defaults_refused"), logins answered but none could be tried or
 * told ("not_checked": today's attempts spent, a web form, errors), or no
 * login service answered ("no_login"); *errors counts services that could
 * not be told, those this build cannot check (not_supported) among them:
 * a device whose only way in is one of those is "not_checked", never
 * "no_login". */
static const char *audit_word(const struct ym_audit_report *r,
			      const struct audit_summary *s, int *errors)
{
	bool open = false, accepted = false, refused = false;
	bool unsupported = false;

	*errors = 0;
	for (uint32_t i = 0; i < r->n; i++) {
		enum ym_audit_result x = r->services[i].result;

		*errors += x == YM_AUDIT_ERROR || x == YM_AUDIT_NOT_SUPPORTED;
		unsupported |= x == YM_AUDIT_NOT_SUPPORTED;
		open |= x == YM_AUDIT_OPEN;
		accepted |= x == YM_AUDIT_DEFAULT_ACCEPTED;
		refused |= x == YM_AUDIT_DEFAULTS_REFUSED;
	}
	if (accepted)
		return ym_audit_end_word(YM_AUDIT_END_DEFAULT_PASSWORD);
	if (open)
		return ym_audit_end_word(YM_AUDIT_END_OPEN);
	if (refused)
		return ym_audit_end_word(YM_AUDIT_END_DEFAULTS_REFUSED);
	return ym_audit_end_word(s->answered || unsupported ?
					 YM_AUDIT_END_NOT_CHECKED :
					 YM_AUDIT_END_NO_LOGIN);
}

/* Tells subscribers a device's check is over (audit_word's word). */
static void publish_audit_done(struct ym_engine *e,
			       const struct ym_audit_report *r,
			       const struct audit_summary *s)
{
	char mac[YM_MAC_STRLEN], addr[YM_ADDR_STRLEN];
	int errors;
	const char *result = audit_word(r, s, &errors);

	ym_mac_format(r->mac, mac);
	ym_addr_format(&r->addr, addr, sizeof(addr));
	ym_api_publish(e->api, json_pack("{s:s, s:s, s:s, s:s, s:i}", "event",
					 "audit_done", "mac", mac, "address",
					 addr, "result", result, "errors",
					 errors));
}

void ym_respond_audit_note(struct ym_device *d, const char *word,
			   int errors)
{
	snprintf(d->audit, sizeof(d->audit), "%s", word);
	d->audit_errors = (uint8_t)(errors > 255 ? 255 : errors);
	d->audit_us = ym_wall_us();
}

static void on_audit_done(struct ym_audit_observer *o,
			  const struct ym_audit_report *r, void *token)
{
	struct ym_engine *e = ym_container_of(o, struct ym_engine, audit_obs);
	struct ym_device *d = ym_inventory_find(e->inv, r->mac);
	struct audit_summary s = { false, false, false, false };

	summarise(r, &s);
	if (d) {
		int errors;
		const char *word = audit_word(r, &s, &errors);

		ym_respond_audit_note(d, word, errors);
		judge_passwords(e, d, r, &s);
		d->dirty = true;
		if (s.telnet)
			ym_alerts_raise(e->alerts, YM_ALERT_RISKY_SERVICE,
					YM_WARNING, d, "telnet", NULL,
					e->clock_us);
		/* Telnet or FTP turned off (and the device answered on
		 * something else): that way in is closed. */
		if (s.answered && !s.telnet)
			resolve(e, d, YM_ALERT_RISKY_SERVICE, "telnet");
		if (s.answered && !s.ftp)
			resolve(e, d, YM_ALERT_RISKY_SERVICE, "ftp");
	}
	if (token)
		ym_api_complete(token, audit_report_json(r), YM_API_OK, NULL);
	publish_audit_done(e, r, &s);
	audit_refill(e);
}

void ym_respond_audit_start(struct ym_engine *e)
{
	struct ym_audit_config acfg;
	char path[1200], err[512] = "";

	if (e->cfg.audit == YM_AUDIT_POLICY_OFF)
		return;
	snprintf(path, sizeof(path), "%s/credentials", e->data.dir);
	e->audit_obs.attempt = on_audit_attempt;
	e->audit_obs.done = on_audit_done;
	ym_audit_config_default(&acfg);
	acfg.max_attempts = e->cfg.audit_attempts;
	acfg.spacing_ms = e->cfg.audit_spacing * 1000;
	acfg.max_active = e->cfg.audit_parallel;
	/* An IPv6 link-local device is reached on the (first) interface it
	 * was seen on. */
	if (e->cfg.n_interfaces > 0)
		acfg.v6_scope_id = if_nametoindex(e->cfg.interfaces[0]);
	if (ym_audit_init(&e->audit, e->loop, path, &acfg, &e->audit_obs, err,
			  sizeof(err)) < 0) {
		/* Without credentials there is nothing to check. */
		fprintf(stderr, "yamorid: %s; password checks are off\n", err);
		e->audit = NULL;
	} else if (ym_store_attempts_since(
			   e->store, ym_engine_days_before(ym_wall_us(), 1),
			   restore_attempt, e->audit) < 0) {
		/* Without the log a restart would grant a new day's attempts:
		 * no checks rather than too many. */
		fprintf(stderr, "yamorid: cannot read the password check log; "
			"password checks are off\n");
		ym_audit_close(e->audit);
		e->audit = NULL;
	}
}

static void isolation_check_closed(uv_handle_t *h)
{
	free(ym_container_of((uv_timer_t *)h, struct isolation_check, timer));
}

/* The isolation holds: record it, tell the household. */
static void isolation_held(struct ym_engine *e, struct isolation_check *c,
			   struct ym_device *d)
{
	d->flags |= YM_FLAG_ISOLATED;
	d->dirty = true;
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_put_isolation(e->store, c->mac, e->clock_us, c->reason,
				   true) < 0)
		e->store_errors++;
	ym_alerts_raise(e->alerts, YM_ALERT_ISOLATED, YM_WARNING, d, "", NULL,
			e->clock_us);
	if (c->later)
		ym_api_complete(c->later, ym_report_device(d), YM_API_OK, NULL);
}

static void on_isolation_verify(uv_timer_t *t)
{
	struct isolation_check *c = ym_container_of(t, struct isolation_check,
						    timer);
	struct ym_engine *e = c->e;
	struct ym_device *d = ym_inventory_find(e->inv, c->mac);
	int v = e->isolator ? ym_isolate_verify(e->isolator, c->mac) : -EIO;
	char why[160];

	if (v == 0 && ++c->tries < YM_ISOLATE_VERIFY_TRIES) {
		uv_timer_start(&c->timer, on_isolation_verify,
			       YM_ISOLATE_VERIFY_MS, 0);
		return;
	}
	if (v == 1 && d) {
		isolation_held(e, c, d);
	} else {
		/* It did not take: say so, and take back what was applied. */
		snprintf(why, sizeof(why), "the isolation did not take: %s",
			 e->isolator ? ym_isolate_reason(e->isolator) :
				       "stopped");
		if (e->isolator)
			(void)!ym_isolate_release(e->isolator, c->mac, NULL, 0);
		if (c->later)
			ym_api_complete(c->later, NULL, YM_API_FAILED, why);
	}
	uv_close((uv_handle_t *)&c->timer, isolation_check_closed);
}

/* This box's MAC on an interface, from sysfs; false if unknown. */
static bool interface_mac(const char *ifname, uint8_t mac[6])
{
	char path[128], text[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(text, sizeof(text), f))
		text[0] = '\0';
	fclose(f);
	text[strcspn(text, "\n")] = '\0';
	return ym_mac_parse(text, mac) == 0;
}

/* Starts the isolation backend the config names, once the network it
 * needs is known (arp mode needs the gateway). */
static int isolator_start(struct ym_engine *e, char *err, size_t errlen)
{
	struct ym_isolate_env env = { .ifname = "" };
	struct ym_device *gw;

	if (e->isolator)
		return 0;
	/* Interface names are checked to fit when the config is read. */
	if (e->cfg.n_interfaces)
		snprintf(env.ifname, sizeof(env.ifname), "%.15s",
			 e->cfg.interfaces[0]);
	interface_mac(env.ifname, env.self_mac);
	gw = ym_inventory_gateway(e->inv);
	if (gw) {
		memcpy(env.gateway_mac, gw->mac, 6);
		for (uint8_t i = 0; i < gw->n_ips; i++)
			if (gw->ips[i].addr.family == 4)
				env.gateway_ip = gw->ips[i].addr;
	}
	if (e->cfg.isolate == YM_ISOLATE_ARP && !gw) {
		snprintf(err, errlen, "refused: the router is not known yet");
		return -EAGAIN;
	}
	return ym_isolate_init(&e->isolator, e->cfg.isolate, e->loop, &env,
			       err, errlen);
}

/* At start: the kernel and the records agree again. nft isolation holds
 * when the daemon dies; what the records say but the kernel lost is
 * applied again, what the kernel holds is recorded. */
static void reconcile_isolation(struct ym_engine *e)
{
	uint8_t kernel[64][6], stored[64][6];
	int nk = ym_isolate_list(e->isolator, kernel, 64);
	int ns = ym_store_get_isolations(e->store, stored, 64);
	char why[160];

	for (int i = 0; i < ns; i++) {
		struct ym_isolate_target t = { .ipv4 = { 0 } };
		bool held = false;

		for (int k = 0; k < nk; k++)
			held |= memcmp(kernel[k], stored[i], 6) == 0;
		if (held)
			continue;
		memcpy(t.mac, stored[i], 6);
		(void)!ym_isolate_apply(e->isolator, &t, why, sizeof(why));
	}
	for (int k = 0; k < nk; k++) {
		struct ym_device *d = ym_inventory_find(e->inv, kernel[k]);

		if (d) {
			d->flags |= YM_FLAG_ISOLATED;
			d->dirty = true;
		}
		if (ym_store_begin(e->store) < 0 ||
		    ym_store_put_isolation(e->store, kernel[k], e->clock_us,
					   "held across a restart", true) < 0)
			e->store_errors++;
	}
}

int ym_respond_isolation_start(struct ym_engine *e, char *err, size_t errlen)
{
	int rc;

	/* Router mode: isolation in the kernel outlives the daemon; what it
	 * holds and what the records say are brought together now. */
	if (e->cfg.isolate != YM_ISOLATE_NFT)
		return 0;
	rc = isolator_start(e, err, errlen);
	if (rc < 0)
		return rc;
	reconcile_isolation(e);
	return 0;
}

/* Whether the household's rules allow cutting d off; err set if not. */
static int isolation_allowed(struct ym_engine *e, const struct ym_device *d,
			     struct ym_api_error *err)
{
	int rc;

	if (e->cfg.isolate == YM_ISOLATE_NONE) {
		ym_api_fail(err, YM_API_OFF, "refused: isolation is off here "
			    "(isolate = none)");
		return -ENOTSUP;
	}
	rc = isolator_start(e, err->msg, sizeof(err->msg));
	if (rc < 0) {
		err->code = rc == -EAGAIN ? YM_API_REFUSED : YM_API_FAILED;
		return rc;
	}
	if (d->gateway) {
		ym_api_fail(err, YM_API_REFUSED,
			    "refused: the router itself is never isolated");
		return -EPERM;
	}
	if (d->never_isolate) {
		ym_api_fail(err, YM_API_REFUSED, "refused: the household marked "
			    "this device \"never isolate\"");
		return -EPERM;
	}
	return 0;
}

int ym_respond_isolate(struct ym_engine *e, struct ym_device *d,
		       const char *reason, struct ym_api_deferred *later,
		       struct ym_api_error *err)
{
	struct ym_isolate_target t = { .ipv4 = { 0 } };
	struct isolation_check *c;
	char why[sizeof(err->msg)] = "";
	int rc = isolation_allowed(e, d, err);

	if (rc < 0)
		return rc;
	memcpy(t.mac, d->mac, 6);
	for (uint8_t i = 0; i < d->n_ips; i++)
		if (d->ips[i].addr.family == 4)
			t.ipv4 = d->ips[i].addr;
	rc = ym_isolate_apply(e->isolator, &t, why, sizeof(why));
	if (rc < 0) {
		/* The backend's refusals (the router, this box, a proxy ARP
		 * network) are the household's answer. */
		ym_api_fail(err, YM_API_REFUSED, "refused: %s", why);
		return rc;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		ym_api_fail(err, YM_API_INTERNAL, "out of memory");
		return -ENOMEM;
	}
	c->e = e;
	memcpy(c->mac, d->mac, 6);
	c->later = later;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	uv_timer_init(e->loop, &c->timer);
	uv_timer_start(&c->timer, on_isolation_verify, YM_ISOLATE_VERIFY_MS, 0);
	return 0;
}

int ym_respond_release(struct ym_engine *e, struct ym_device *d,
		       struct ym_api_error *err)
{
	if (!e->isolator) {
		ym_api_fail(err, YM_API_OFF, "isolation is off here");
		return -ENOTSUP;
	}
	if (ym_isolate_release(e->isolator, d->mac, err->msg,
			       sizeof(err->msg)) < 0) {
		err->code = YM_API_FAILED;
		if (!err->msg[0])
			snprintf(err->msg, sizeof(err->msg),
				 "isolation is off here");
		return -EIO;
	}
	d->flags &= ~YM_FLAG_ISOLATED;
	d->dirty = true;
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_delete_isolation(e->store, d->mac) < 0)
		e->store_errors++;
	return 0;
}

static void on_alert_raised(struct ym_alerts_observer *obs,
			    enum ym_alert_kind kind, enum ym_severity sev,
			    const struct ym_device *dev, const char *target)
{
	struct ym_engine *e = ym_container_of(obs, struct ym_engine,
					      alerts_obs);
	char mac[YM_MAC_STRLEN];

	ym_mac_format(dev->mac, mac);
	/* auto_isolate = critical: a device raising a critical alert is cut
	 * off at once (verified like any isolation). */
	if (sev == YM_CRITICAL && ym_alert_kind_is_behaviour(kind) &&
	    e->cfg.auto_isolate == YM_AUTO_ISOLATE_CRITICAL &&
	    !(dev->flags & YM_FLAG_ISOLATED)) {
		struct ym_api_error why;
		struct ym_device *d = ym_inventory_find(e->inv, dev->mac);

		if (d)
			(void)!ym_respond_isolate(e, d,
						  ym_alert_kind_name(kind),
						  NULL, &why);
	}
	ym_api_publish(e->api, json_pack("{s:s, s:s, s:s, s:s, s:s}", "event",
					 "alert", "kind",
					 ym_alert_kind_name(kind), "severity",
					 ym_severity_name(sev), "mac", mac,
					 "target", target));
}

void ym_respond_watch_alerts(struct ym_engine *e)
{
	e->alerts_obs.raised = on_alert_raised;
	ym_alerts_set_observer(e->alerts, &e->alerts_obs);
}
