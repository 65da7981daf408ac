/* What fleet.c, fleet-report.c and fleet-advisory.c share; nothing outside
 * the fleet's files includes this. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <uv.h>

struct mosquitto;

/* T (Unix seconds) as RFC 3339 in UTC: 2026-12-07T11:00:00Z. */
static inline void ym_fleet_iso_time(int64_t t, char *out, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

#define QUEUE_DIR "fleet-queue"
#define STATE_FILE "fleet.json"
#define ADVISORY_FILE "fleet-advisory.tar"
#define MAX_INFLIGHT 32
#define BACKOFF_MIN 2     /* seconds */
#define BACKOFF_MAX 300
#define NOTICE_MAX 4096

enum ev_kind { EV_CONNECTED, EV_DISCONNECTED, EV_ACKED, EV_MESSAGE,
	       EV_FAILED };

struct fleet_event {
	struct fleet_event *next;
	enum ev_kind kind;
	int code;              /* rc, or mid */
	size_t len;
	char topic[256];
	uint8_t payload[];
};

struct ym_fleet {
	struct ym_engine *e;
	struct mosquitto *mosq;
	uv_async_t async;
	uv_timer_t timer;
	bool handles, running, connected, on;
	pthread_mutex_t lock;
	struct fleet_event *head, *tail;
	unsigned attempts;          /* the MQTT thread only */
	pthread_t thread;
	pthread_cond_t wake;        /* with lock: stop sleeping */
	bool quit;                  /* with lock: the thread ends */

	char host[256];
	int port;
	char topic_report[200], topic_advisory[160];
	char qdir[1100], state[1100];

	/* Kept in fleet.json. */
	char box[33];
	uint64_t seq;
	uint64_t notice_version;
	char advisory_sha[65];
	json_t *notice;             /* the notice in force, or NULL */
	json_t *last_report;        /* the last one the broker acknowledged */
	char last_sent[32];

	struct { int mid; char name[32]; } inflight[MAX_INFLIGHT];
	int n_inflight;
	uint64_t sent, dropped, connects, refused, errors;
	char last_problem[200];
};

/* Helpers of fleet.c that fleet-advisory.c uses. */
/* RFC 3339 UTC ("2026-12-07T11:00:00Z") as Unix seconds, or -1. */
int64_t ym_fleet_parse_time(const char *s);
/* Keeps why the fleet last failed (fmt with one %s) and says it. */
void ym_fleet_problem(struct ym_fleet *f, const char *fmt, const char *what);
/* Writes data to path atomically and durably; 0 or -errno. */
int ym_fleet_write_file(const char *path, const char *data, size_t len);
/* Writes fleet.json (box id, sequence, the notice in force, ...). */
void ym_fleet_save_state(struct ym_fleet *f);

/* One message from the advisory topic (fleet-advisory.c). */
void ym_fleet_take_advisory(struct ym_fleet *f, const uint8_t *payload,
			    size_t len);
