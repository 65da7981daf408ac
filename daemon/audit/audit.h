/* Default password audit (guideline rule 2): for one device on the LAN,
 * find which login services it offers (telnet, SSH, FTP, HTTP Basic and
 * Digest, RTSP) and try a short list of factory default credentials,
 * asynchronously on the libuv loop (libssh, which blocks, only in
 * uv_queue_work).
 *
 * Safety: only private LAN addresses; few attempts per device and service
 * per day, spaced out; a few devices at once; stop at the first success;
 * after a successful login nothing is sent but a polite close. A password
 * that worked is never stored or reported, only the user whose default
 * password works. Every conversation is bounded in bytes and time. */
#ifndef YM_AUDIT_H
#define YM_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "util.h"

/* Services checked: telnet 23 and 2323, ssh 22, ftp 21, http 80, 81, 8000,
 * 8080, 8081, https (HTTP inside TLS) 443 and 8443, rtsp 554 and 8554. */
#define YM_AUDIT_MAX_SERVICES 16
/* The budget's day. */
#define YM_AUDIT_DAY_US (24ULL * 3600 * 1000000)

enum ym_audit_result {
	YM_AUDIT_NOT_OFFERED,      /* port closed, or not this protocol */
	YM_AUDIT_LOGIN_REQUIRED,   /* asks for a login; nothing tried (no
				      usable method, no entry, or the day's
				      attempts are spent) */
	YM_AUDIT_DEFAULT_ACCEPTED, /* a factory default works for `user` */
	YM_AUDIT_DEFAULTS_REFUSED, /* every default tried was refused */
	YM_AUDIT_OPEN,             /* no login at all */
	YM_AUDIT_ERROR,            /* timeout, garbage, closed early */
	YM_AUDIT_NOT_SUPPORTED,    /* this build cannot check the service
				      (built without SSH or TLS); nothing
				      was sent */
};

struct ym_audit_service_result {
	char service[16]; /* "telnet", "ssh", "ftp", "http", "rtsp" */
	uint16_t port;
	enum ym_audit_result result;
	/* Only for DEFAULT_ACCEPTED: the user whose default password works
	 * (never the password). */
	char user[32];
	uint32_t attempts; /* login attempts made in this check */
	char detail[48];   /* short ASCII note: "basic", "digest",
			      "timeout", "too much data", ... */
};

struct ym_audit_report {
	uint8_t mac[6];
	struct ym_addr addr;
	uint64_t started_us, finished_us; /* wall clock */
	uint32_t n;
	struct ym_audit_service_result services[YM_AUDIT_MAX_SERVICES];
};

struct ym_audit_config {
	uint32_t max_attempts;   /* per device and service per day */
	uint32_t spacing_ms;     /* between two login attempts */
	uint32_t max_active;     /* devices checked at once */
	uint32_t connect_ms;     /* TCP connect timeout */
	uint32_t step_ms;        /* longest silence while waiting for an answer */
	uint32_t conversation_ms; /* longest connection, whatever happens */
	uint32_t max_bytes;      /* bytes read per connection */
	uint32_t v6_scope_id;    /* interface for IPv6 link-local targets */
	uint64_t (*clock_us)(void); /* the daily budget's clock (wall) */
};

struct ym_audit_observer {
	/* Every login attempt, for the log (accepted or not; never the
	 * password). */
	void (*attempt)(struct ym_audit_observer *o, const uint8_t mac[6],
			const char *service, uint16_t port, const char *user,
			bool accepted, uint64_t at_us);
	/* A check is over; r is valid during the call only. */
	void (*done)(struct ym_audit_observer *o,
		     const struct ym_audit_report *r, void *token);
};

struct ym_audit;

/* Fills cfg with the defaults: 6 attempts per device and service per day,
 * 1 s apart, 2 devices at once, 3 s connect, 5 s step, 30 s per
 * connection, 16 KB per connection, the wall clock. */
void ym_audit_config_default(struct ym_audit_config *cfg);

/* Loads the credential lists (*.creds in credentials_dir, in name order);
 * a bad line is -EINVAL with FILE:LINE in err, a missing or empty dir
 * -ENOENT. cfg NULL means the defaults; obs may be NULL. */
int ym_audit_init(struct ym_audit **out, uv_loop_t *loop,
		  const char *credentials_dir, const struct ym_audit_config *cfg,
		  struct ym_audit_observer *obs, char *err,
		  size_t errlen) YM_MUST_CHECK;

struct ym_audit_creds;

/* Takes new credential lists (a data update; *cr is emptied): used at once,
 * or when the checks running now are over. */
void ym_audit_set_creds(struct ym_audit *a, struct ym_audit_creds *cr);

/* Starts a check of one device; done() is called when it is over. vendor
 * (may be NULL or "") puts that brand's defaults first. Returns 0, -EPERM
 * for an address not on the LAN (private IPv4, IPv6 ULA or link-local, and
 * on one of this box's links; nothing is sent), -EAGAIN when the device's attempts for today are spent
 * or too many checks run, -EALREADY when this device is being checked,
 * -EINVAL for a bad argument. */
int ym_audit_check(struct ym_audit *a, const uint8_t mac[6],
		   const struct ym_addr *addr, const char *vendor,
		   void *token) YM_MUST_CHECK;

/* Automatic checks (audit = on): true when the device's last check began
 * at least interval_us ago, or it has none (since start or in the restored
 * log). */
bool ym_audit_due(struct ym_audit *a, const uint8_t mac[6],
		  uint64_t interval_us);

/* Counts an attempt made before a restart (from the attempt log) against
 * the device's budget for the day, so a restart never grants more; one
 * older than a day, or of a service not checked, is ignored. */
void ym_audit_restore(struct ym_audit *a, const uint8_t mac[6],
		      const char *service, uint16_t port, uint64_t at_us);

/* True when the address is on one of this box's links (a subnet of an up
 * interface, not loopback or point-to-point, not the box's own address;
 * IPv6 link-local always). */
bool ym_audit_addr_on_link(const struct ym_addr *addr);

/* True when the address may be audited (private LAN unicast). */
bool ym_audit_addr_allowed(const struct ym_addr *addr);

/* Number of credential entries loaded. */
size_t ym_audit_credentials_count(const struct ym_audit *a);

/* Checks running now. */
uint32_t ym_audit_active(const struct ym_audit *a);

/* "not_offered", "login_required", "default_accepted", "defaults_refused",
 * "open", "error", "not_supported". */
const char *ym_audit_result_name(enum ym_audit_result r);

/* Cancels running checks (no done() for them) and closes every handle; the
 * struct is freed once the loop has run the close callbacks. */
void ym_audit_close(struct ym_audit *a);

#endif
