/* Fleet reports and advisories (engine-fleet.h). One thread of ours drives
 * libmosquitto (connect, TLS, keepalive, retries of unacknowledged
 * messages) and reconnects with backoff and jitter after any failure
 * (mosquitto_loop_forever gives up for good on a TLS or DNS error);
 * everything it reports comes back to the loop through one uv_async, so
 * the engine's data is only touched on the loop. */
#define _GNU_SOURCE
/* Paths and messages here are cut, never overrun, when too long: the
 * config bounds them well below the buffers. */
#if defined(__GNUC__) && !defined(__clang__) /* clang has no such warning */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#include "engine-fleet.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <sodium.h>

#include "bundle.h"
#include "device.h"
#include "fleet-private.h"
#include "inventory.h"
#include "store.h"

/* --- small helpers ------------------------------------------------------ */

int64_t ym_fleet_parse_time(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (!s || !(end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) || *end)
		return -1;
	return (int64_t)timegm(&tm);
}

void ym_fleet_problem(struct ym_fleet *f, const char *fmt, const char *what)
{
	snprintf(f->last_problem, sizeof(f->last_problem), fmt, what);
	fprintf(stderr, "yamorid: fleet: %s\n", f->last_problem);
}

/* Writes data to path atomically and durably: a power cut leaves the old
 * file or the new one. */
int ym_fleet_write_file(const char *path, const char *data, size_t len)
{
	char tmp[1200], dir[1200], *slash;
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len && rc == 0;) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno != EINTR)
			rc = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	return 0;
}

/* --- the state file and the queue ----------------------------------------- */

static void new_box_id(struct ym_fleet *f)
{
	uint8_t b[16];

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(f->box, sizeof(f->box), b, sizeof(b));
}

void ym_fleet_save_state(struct ym_fleet *f)
{
	json_t *s = json_pack("{s:s, s:I, s:I, s:s, s:s}", "box", f->box,
			      "seq", (json_int_t)f->seq, "notice_version",
			      (json_int_t)f->notice_version, "advisory_sha",
			      f->advisory_sha, "last_sent", f->last_sent);
	char *text;

	if (f->notice)
		json_object_set(s, "notice", f->notice);
	if (f->last_report)
		json_object_set(s, "last_report", f->last_report);
	text = json_dumps(s, JSON_COMPACT);
	if (!text || ym_fleet_write_file(f->state, text, strlen(text)) < 0)
		f->errors++;
	free(text);
	json_decref(s);
}

static void load_state(struct ym_fleet *f)
{
	json_t *s = json_load_file(f->state, 0, NULL);
	const char *box = json_string_value(json_object_get(s, "box"));

	if (box && strlen(box) == 32 && strspn(box, "0123456789abcdef") == 32)
		snprintf(f->box, sizeof(f->box), "%s", box);
	else
		new_box_id(f);
	f->seq = (uint64_t)json_integer_value(json_object_get(s, "seq"));
	f->notice_version = (uint64_t)json_integer_value(
		json_object_get(s, "notice_version"));
	snprintf(f->advisory_sha, sizeof(f->advisory_sha), "%s",
		 json_string_value(json_object_get(s, "advisory_sha")) ?
		 json_string_value(json_object_get(s, "advisory_sha")) : "");
	snprintf(f->last_sent, sizeof(f->last_sent), "%s",
		 json_string_value(json_object_get(s, "last_sent")) ?
		 json_string_value(json_object_get(s, "last_sent")) : "");
	f->notice = json_incref(json_object_get(s, "notice"));
	f->last_report = json_incref(json_object_get(s, "last_report"));
	json_decref(s);
	if (!box)
		ym_fleet_save_state(f);
}

static int queue_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n == 25 && strcmp(d->d_name + 20, ".json") == 0 &&
	       strspn(d->d_name, "0123456789") == 20;
}

/* The queued reports, oldest first (names are zero-padded numbers). */
static int queue_list(struct ym_fleet *f, struct dirent ***names)
{
	return scandir(f->qdir, names, queue_filter, alphasort);
}

static void queue_free(struct dirent **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int queue_push(struct ym_fleet *f, const char *body)
{
	char path[1200];
	struct dirent **names;
	int n, rc;

	snprintf(path, sizeof(path), "%s/%020llu.json", f->qdir,
		 (unsigned long long)f->seq);
	rc = ym_fleet_write_file(path, body, strlen(body));
	if (rc < 0)
		return rc;
	/* Bounded: the oldest go first. */
	n = queue_list(f, &names);
	for (int i = 0; n > 0 && i < n - (int)f->e->cfg.fleet_queue; i++) {
		snprintf(path, sizeof(path), "%s/%s", f->qdir,
			 names[i]->d_name);
		if (unlink(path) == 0)
			f->dropped++;
	}
	if (n > 0)
		queue_free(names, n);
	return 0;
}

static int queued(struct ym_fleet *f)
{
	struct dirent **names;
	int n = queue_list(f, &names);

	if (n > 0)
		queue_free(names, n);
	return n < 0 ? 0 : n;
}

static bool in_flight(struct ym_fleet *f, const char *name)
{
	for (int i = 0; i < f->n_inflight; i++)
		if (!strcmp(f->inflight[i].name, name))
			return true;
	return false;
}

/* Publishes queued reports, oldest first, up to MAX_INFLIGHT at once. */
static void kick(struct ym_fleet *f)
{
	struct dirent **names;
	int n;

	if (!f->connected)
		return;
	n = queue_list(f, &names);
	for (int i = 0; i < n && f->n_inflight < MAX_INFLIGHT; i++) {
		char path[1200], *body = NULL;
		FILE *fp;
		long len;
		int mid = 0;

		if (in_flight(f, names[i]->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->qdir,
			 names[i]->d_name);
		fp = fopen(path, "re");
		if (!fp)
			continue;
		if (fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) > 0 &&
		    len < (1 << 20) && fseek(fp, 0, SEEK_SET) == 0 &&
		    (body = malloc((size_t)len)) &&
		    fread(body, 1, (size_t)len, fp) == (size_t)len &&
		    mosquitto_publish(f->mosq, &mid, f->topic_report, (int)len,
				      body, 1, false) == MOSQ_ERR_SUCCESS) {
			f->inflight[f->n_inflight].mid = mid;
			snprintf(f->inflight[f->n_inflight].name,
				 sizeof(f->inflight[0].name), "%s",
				 names[i]->d_name);
			f->n_inflight++;
		}
		free(body);
		fclose(fp);
	}
	if (n > 0)
		queue_free(names, n);
}

static void acked(struct ym_fleet *f, int mid)
{
	for (int i = 0; i < f->n_inflight; i++) {
		char path[1200];
		json_t *r;

		if (f->inflight[i].mid != mid)
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->qdir,
			 f->inflight[i].name);
		r = json_load_file(path, 0, NULL);
		if (r) {
			json_decref(f->last_report);
			f->last_report = r;
			ym_fleet_iso_time((int64_t)(ym_wall_us() / 1000000),
				 f->last_sent, sizeof(f->last_sent));
		}
		unlink(path);
		f->sent++;
		f->inflight[i] = f->inflight[--f->n_inflight];
		ym_fleet_save_state(f);
		break;
	}
	kick(f);
}

static int send_report(struct ym_fleet *f, json_t **out)
{
	json_t *r;
	char *body;
	int rc;

	f->seq++;
	r = ym_fleet_report(f->e, f->box, f->seq);
	body = r ? json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	rc = body ? queue_push(f, body) : -ENOMEM;
	free(body);
	ym_fleet_save_state(f);
	if (rc < 0) {
		f->errors++;
		json_decref(r);
		return rc;
	}
	kick(f);
	if (out)
		*out = r;
	else
		json_decref(r);
	return 0;
}

/* --- mosquitto's thread --------------------------------------------------- */

static void post(struct ym_fleet *f, enum ev_kind kind, int code,
		 const char *topic, const void *payload, size_t len)
{
	struct fleet_event *ev = calloc(1, sizeof(*ev) + len);

	if (!ev)
		return;
	ev->kind = kind;
	ev->code = code;
	ev->len = len;
	if (topic)
		snprintf(ev->topic, sizeof(ev->topic), "%s", topic);
	if (len)
		memcpy(ev->payload, payload, len);
	pthread_mutex_lock(&f->lock);
	if (f->tail)
		f->tail->next = ev;
	else
		f->head = ev;
	f->tail = ev;
	pthread_mutex_unlock(&f->lock);
	uv_async_send(&f->async);
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct ym_fleet *f = arg;

	(void)m;
	if (rc == 0)
		f->attempts = 0;
	post(f, EV_CONNECTED, rc, NULL, NULL, 0);
}

static void on_disconnect(struct mosquitto *m, void *arg, int rc)
{
	(void)m;
	post(arg, EV_DISCONNECTED, rc, NULL, NULL, 0);
}

/* Sleeps the backoff with jitter: 2, 4, 8 ... 300 seconds, each a random
 * 50-100 %, so a million boxes back after an outage do not all come at
 * once. false when told to quit. */
static bool backoff(struct ym_fleet *f)
{
	unsigned base = BACKOFF_MIN << (f->attempts < 8 ? f->attempts : 8);
	unsigned ms;
	struct timespec until;
	bool quit;

	if (base > BACKOFF_MAX)
		base = BACKOFF_MAX;
	ms = base * 500 + randombytes_uniform(base * 500 + 1);
	f->attempts++;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&f->lock);
	while (!f->quit &&
	       pthread_cond_timedwait(&f->wake, &f->lock, &until) == 0)
		;
	quit = f->quit;
	pthread_mutex_unlock(&f->lock);
	return !quit;
}

static bool quitting(struct ym_fleet *f)
{
	bool q;

	pthread_mutex_lock(&f->lock);
	q = f->quit;
	pthread_mutex_unlock(&f->lock);
	return q;
}

/* libmosquitto's connect blocks (TCP, then the TLS handshake): a broker
 * address that swallows packets holds it for minutes. The thread can be
 * cancelled only there (connect, read and write are cancellation points),
 * where it holds none of our locks, so a stop never waits for it. */
static int connect_cancellable(struct ym_fleet *f, bool first)
{
	int rc, old;

	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	rc = first ? mosquitto_connect(f->mosq, f->host, f->port, 60)
		   : mosquitto_reconnect(f->mosq);
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	return rc;
}

/* The MQTT thread: connect (every address of the broker's name in turn),
 * run the client until it fails, wait, again. */
static void *run_client(void *arg)
{
	struct ym_fleet *f = arg;
	bool first = true;
	int old;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	while (!quitting(f)) {
		int rc = connect_cancellable(f, first);

		first = rc != MOSQ_ERR_SUCCESS && first;
		if (rc != MOSQ_ERR_SUCCESS) {
			post(f, EV_FAILED, rc, NULL, NULL, 0);
			if (!backoff(f))
				break;
			continue;
		}
		while (!quitting(f) &&
		       (rc = mosquitto_loop(f->mosq, 1000, 1)) ==
		       MOSQ_ERR_SUCCESS)
			;
		if (quitting(f))
			break;
		/* Said even when no CONNACK came (a broker refusing the box's
		 * certificate after the handshake). */
		post(f, EV_FAILED, rc, NULL, NULL, 0);
		/* The connection is gone; make sure its socket is closed. */
		mosquitto_disconnect(f->mosq);
		if (!backoff(f))
			break;
	}
	return NULL;
}

static void on_publish(struct mosquitto *m, void *arg, int mid)
{
	(void)m;
	post(arg, EV_ACKED, mid, NULL, NULL, 0);
}

static void on_message(struct mosquitto *m, void *arg,
		       const struct mosquitto_message *msg)
{
	(void)m;
	if (msg->payloadlen > 0 &&
	    (size_t)msg->payloadlen <= YM_BUNDLE_MAX_BYTES * 2)
		post(arg, EV_MESSAGE, 0, msg->topic, msg->payload,
		     (size_t)msg->payloadlen);
}

/* --- the loop ------------------------------------------------------------- */

static void on_async(uv_async_t *a)
{
	struct ym_fleet *f = a->data;
	struct fleet_event *ev;

	pthread_mutex_lock(&f->lock);
	ev = f->head;
	f->head = f->tail = NULL;
	pthread_mutex_unlock(&f->lock);
	while (ev) {
		struct fleet_event *next = ev->next;

		if (!f->running) {
			free(ev);
			ev = next;
			continue;
		}
		switch (ev->kind) {
		case EV_CONNECTED:
			if (ev->code != 0) {
				ym_fleet_problem(f, "the broker refused the box: %s",
					mosquitto_connack_string(ev->code));
				break;
			}
			f->connected = true;
			f->connects++;
			f->last_problem[0] = '\0';
			/* Reports not acknowledged go again (the aggregator
			 * counts a report id once). */
			f->n_inflight = 0;
			if (mosquitto_subscribe(f->mosq, NULL,
						f->topic_advisory, 1) !=
			    MOSQ_ERR_SUCCESS)
				f->errors++;
			kick(f);
			break;
		case EV_DISCONNECTED:
			f->connected = false;
			if (ev->code)
				ym_fleet_problem(f, "the broker went away: %s",
					mosquitto_strerror(ev->code));
			break;
		case EV_FAILED:
			f->connected = false;
			ym_fleet_problem(f, "cannot reach the broker: %s",
				ev->code == MOSQ_ERR_ERRNO ? "connection failed"
				: mosquitto_strerror(ev->code));
			break;
		case EV_ACKED:
			acked(f, ev->code);
			break;
		case EV_MESSAGE:
			if (!strcmp(ev->topic, f->topic_advisory))
				ym_fleet_take_advisory(f, ev->payload, ev->len);
			break;
		}
		free(ev);
		ev = next;
	}
}

static void on_timer(uv_timer_t *t)
{
	struct ym_fleet *f = t->data;

	if (send_report(f, NULL) < 0)
		ym_fleet_problem(f, "cannot keep a report: %s", "disk error");
}

static void on_tls_log(struct mosquitto *m, void *arg, int level,
		       const char *msg)
{
	(void)m;
	(void)arg;
	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))
		fprintf(stderr, "yamorid: fleet: %s\n", msg);
}

static int parse_broker(struct ym_fleet *f, const char *url)
{
	const char *h = url + strlen("mqtts://"), *colon;

	f->port = 8883;
	if (h[0] == '[') {
		const char *end = strchr(h, ']');

		if (!end)
			return -EINVAL;
		snprintf(f->host, sizeof(f->host), "%.*s", (int)(end - h - 1),
			 h + 1);
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strchr(h, ':');
		snprintf(f->host, sizeof(f->host), "%.*s",
			 colon ? (int)(colon - h) : (int)strlen(h), h);
	}
	if (colon) {
		long p = strtol(colon + 1, NULL, 10);

		if (p <= 0 || p > 65535)
			return -EINVAL;
		f->port = (int)p;
	}
	return f->host[0] ? 0 : -EINVAL;
}

static int read_token(const char *path, char *user, size_t ulen, char *pass,
		      size_t plen)
{
	char buf[600], *colon;
	FILE *fp = fopen(path, "re");
	size_t n;

	if (!fp)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	colon = strchr(buf, ':');
	if (!colon || colon == buf || !colon[1])
		return -EINVAL;
	*colon = '\0';
	snprintf(user, ulen, "%s", buf);
	snprintf(pass, plen, "%s", colon + 1);
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

/* Whether the household turned reports on or off (the store), else the
 * config's word. */
static bool wanted(struct ym_engine *e)
{
	char *v = ym_store_get_meta(e->store, "fleet");
	bool on = v ? !strcmp(v, "on") : e->cfg.fleet;

	free(v);
	return on;
}

static struct ym_fleet *fleet_get(struct ym_engine *e)
{
	struct ym_fleet *f = e->fleet;

	if (f)
		return f;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->e = e;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->wake, NULL);
	snprintf(f->qdir, sizeof(f->qdir), "%s/%s", e->cfg.state_dir,
		 QUEUE_DIR);
	snprintf(f->state, sizeof(f->state), "%s/%s", e->cfg.state_dir,
		 STATE_FILE);
	snprintf(f->topic_advisory, sizeof(f->topic_advisory), "%s/advisory",
		 e->cfg.fleet_topic);
	load_state(f);
	e->fleet = f;
	return f;
}

static void set_report_topic(struct ym_fleet *f)
{
	snprintf(f->topic_report, sizeof(f->topic_report), "%s/report/%s",
		 f->e->cfg.fleet_topic, f->box);
}

/* Starts the client. <0 with last_problem set when it cannot. */
static int client_start(struct ym_fleet *f)
{
	struct ym_engine *e = f->e;
	char user[200], pass[400];
	int rc;

	if (f->running)
		return 0;
	if (!e->cfg.fleet_broker[0] || parse_broker(f, e->cfg.fleet_broker)) {
		ym_fleet_problem(f, "%s", "no broker is set (fleet_broker)");
		return -EINVAL;
	}
	if (!e->cfg.fleet_token[0] &&
	    (!e->cfg.fleet_cert[0] || !e->cfg.fleet_key[0])) {
		ym_fleet_problem(f, "%s", "the box has no certificate and key, nor a "
			"token, from the provider");
		return -EINVAL;
	}
	if (mkdir(f->qdir, 0700) < 0 && errno != EEXIST) {
		ym_fleet_problem(f, "cannot make %s", f->qdir);
		return -errno;
	}
	set_report_topic(f);
	mosquitto_lib_init();
	f->mosq = mosquitto_new(f->box, true, f);
	if (!f->mosq) {
		ym_fleet_problem(f, "%s", "cannot make an MQTT client");
		return -ENOMEM;
	}
	mosquitto_int_option(f->mosq, MOSQ_OPT_PROTOCOL_VERSION,
			     MQTT_PROTOCOL_V311);
	rc = mosquitto_tls_set(f->mosq, e->cfg.fleet_ca[0] ?
			       e->cfg.fleet_ca : NULL,
			       e->cfg.fleet_ca[0] ? NULL : "/etc/ssl/certs",
			       e->cfg.fleet_cert[0] ? e->cfg.fleet_cert : NULL,
			       e->cfg.fleet_key[0] ? e->cfg.fleet_key : NULL,
			       NULL);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_tls_opts_set(f->mosq, 1, "tlsv1.2", NULL);
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_tls_insecure_set(f->mosq, false);
	if (rc == MOSQ_ERR_SUCCESS && e->cfg.fleet_token[0]) {
		rc = read_token(e->cfg.fleet_token, user, sizeof(user), pass,
				sizeof(pass));
		if (rc < 0) {
			ym_fleet_problem(f, "cannot read the token file %s",
				e->cfg.fleet_token);
			goto fail;
		}
		rc = mosquitto_username_pw_set(f->mosq, user, pass);
		sodium_memzero(pass, sizeof(pass));
	}
	if (rc != MOSQ_ERR_SUCCESS) {
		ym_fleet_problem(f, "TLS or login settings refused: %s",
			mosquitto_strerror(rc));
		goto fail;
	}
	mosquitto_connect_callback_set(f->mosq, on_connect);
	mosquitto_disconnect_callback_set(f->mosq, on_disconnect);
	mosquitto_publish_callback_set(f->mosq, on_publish);
	mosquitto_message_callback_set(f->mosq, on_message);
	mosquitto_log_callback_set(f->mosq, on_tls_log);
	mosquitto_max_inflight_messages_set(f->mosq, MAX_INFLIGHT);
	/* Publishing from the loop while our thread runs the client. */
	mosquitto_threaded_set(f->mosq, true);
	if (!f->handles) {
		uv_async_init(e->loop, &f->async, on_async);
		f->async.data = f;
		uv_timer_init(e->loop, &f->timer);
		f->timer.data = f;
		f->handles = true;
	}
	f->running = true;
	f->quit = false;
	f->attempts = 0;
	/* A broker away at start is an outage like any other: the thread
	 * retries with the backoff. */
	rc = pthread_create(&f->thread, NULL, run_client, f);
	if (rc != 0) {
		f->running = false;
		ym_fleet_problem(f, "%s", "cannot start the MQTT thread");
		goto fail;
	}
	/* The first report five minutes after start (the inventory has
	 * filled by then), then every interval. */
	uv_timer_start(&f->timer, on_timer, 300000,
		       e->cfg.fleet_interval * 1000ull);
	fprintf(stderr, "yamorid: fleet reports on, to %s:%d as box %s\n",
		f->host, f->port, f->box);
	return 0;
fail:
	mosquitto_destroy(f->mosq);
	f->mosq = NULL;
	return -EINVAL;
}

static void client_stop(struct ym_fleet *f)
{
	if (!f->running)
		return;
	f->running = false;
	f->connected = false;
	f->n_inflight = 0;
	uv_timer_stop(&f->timer);
	pthread_mutex_lock(&f->lock);
	f->quit = true;
	pthread_cond_signal(&f->wake);
	pthread_mutex_unlock(&f->lock);
	mosquitto_disconnect(f->mosq);
	/* Ends a connect that hangs at once; elsewhere the thread sees quit
	 * within a second (its loop's timeout) or at once (its backoff). */
	pthread_cancel(f->thread);
	pthread_join(f->thread, NULL);
	mosquitto_destroy(f->mosq);
	f->mosq = NULL;
	/* Events still queued are dropped by on_async (not running). */
}

int ym_fleet_start(struct ym_engine *e)
{
	struct ym_fleet *f = fleet_get(e);

	if (!f)
		return -ENOMEM;
	f->on = wanted(e);
	if (f->on)
		(void)client_start(f);
	return 0;
}

void ym_fleet_stop(struct ym_engine *e)
{
	struct ym_fleet *f = e->fleet;

	if (!f)
		return;
	client_stop(f);
	if (f->handles) {
		uv_close((uv_handle_t *)&f->async, NULL);
		uv_close((uv_handle_t *)&f->timer, NULL);
		f->handles = false;
	}
}

void ym_fleet_fini(struct ym_engine *e)
{
	struct ym_fleet *f = e->fleet;
	struct fleet_event *ev;

	if (!f)
		return;
	while ((ev = f->head)) {
		f->head = ev->next;
		free(ev);
	}
	json_decref(f->notice);
	json_decref(f->last_report);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->wake);
	free(f);
	e->fleet = NULL;
	mosquitto_lib_cleanup();
}

/* --- the API -------------------------------------------------------------- */

json_t *ym_fleet_cmd_status(struct ym_engine *e, struct ym_engine_request *r)
{
	struct ym_fleet *f = fleet_get(e);
	json_t *o;

	if (!f)
		return ym_api_fail(r->err, YM_API_INTERNAL, "out of memory");
	o = json_pack("{s:b, s:b, s:b, s:s, s:s, s:I, s:I, s:I, s:I, s:I}",
		      "on", f->on, "configured", e->cfg.fleet_broker[0] != 0,
		      "connected", f->connected, "box", f->box, "broker",
		      f->host, "queued", (json_int_t)queued(f), "sent",
		      (json_int_t)f->sent, "dropped", (json_int_t)f->dropped,
		      "connects", (json_int_t)f->connects,
		      "advisories_refused", (json_int_t)f->refused);
	json_object_set_new(o, "interval",
			    json_integer(e->cfg.fleet_interval));
	json_object_set_new(o, "last_sent", json_string(f->last_sent));
	json_object_set_new(o, "last_report", f->last_report ?
			    json_incref(f->last_report) : json_null());
	json_object_set_new(o, "notice", f->notice ? json_incref(f->notice)
						   : json_null());
	json_object_set_new(o, "last_problem", json_string(f->last_problem));
	json_object_set_new(o, "report_keys",
			    json_string(YM_FLEET_REPORT_KEYS));
	json_object_set_new(o, "class_keys", json_string(YM_FLEET_CLASS_KEYS));
	return o;
}

json_t *ym_fleet_cmd_set(struct ym_engine *e, struct ym_engine_request *r)
{
	struct ym_fleet *f = fleet_get(e);
	json_t *on = json_object_get(r->args, "on");

	if (!f)
		return ym_api_fail(r->err, YM_API_INTERNAL, "out of memory");
	if (!json_is_boolean(on))
		return ym_api_fail(r->err, YM_API_BAD_REQUEST,
				   "give \"on\": true or false");
	if (json_is_true(on) && !e->cfg.fleet_broker[0])
		return ym_api_fail(r->err, YM_API_OFF,
				   "no broker is set: the provider has not "
				   "prepared fleet reports for this box");
	if (ym_store_begin(e->store) < 0 ||
	    ym_store_put_meta(e->store, "fleet",
			      json_is_true(on) ? "on" : "off") < 0 ||
	    ym_store_log_event(e->store, "setting", NULL,
			       json_is_true(on) ? "{\"fleet\":\"on\"}"
						: "{\"fleet\":\"off\"}", 0) < 0)
		e->store_errors++;
	f->on = json_is_true(on);
	if (f->on) {
		if (client_start(f) < 0)
			return ym_api_fail(r->err, YM_API_FAILED, "%s",
					   f->last_problem);
	} else {
		client_stop(f);
	}
	return ym_fleet_cmd_status(e, r);
}

json_t *ym_fleet_cmd_send(struct ym_engine *e, struct ym_engine_request *r)
{
	struct ym_fleet *f = fleet_get(e);
	json_t *report = NULL;

	if (!f)
		return ym_api_fail(r->err, YM_API_INTERNAL, "out of memory");
	if (!f->running)
		return ym_api_fail(r->err, YM_API_OFF,
				   "fleet reports are off");
	if (send_report(f, &report) < 0)
		return ym_api_fail(r->err, YM_API_FAILED,
				   "the report cannot be kept on the disk");
	return report;
}

json_t *ym_fleet_cmd_rotate(struct ym_engine *e, struct ym_engine_request *r)
{
	struct ym_fleet *f = fleet_get(e);
	bool was = f && f->running;

	if (!f)
		return ym_api_fail(r->err, YM_API_INTERNAL, "out of memory");
	/* A new id is a new client. */
	client_stop(f);
	{
		struct dirent **names;
		int n = queue_list(f, &names);
		char path[1200];

		/* Reports queued under the old id would link the two ids. */
		for (int i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/%s", f->qdir,
				 names[i]->d_name);
			if (unlink(path) == 0)
				f->dropped++;
		}
		if (n > 0)
			queue_free(names, n);
	}
	new_box_id(f);
	f->seq = 0;
	ym_fleet_save_state(f);
	if (was && client_start(f) < 0)
		return ym_api_fail(r->err, YM_API_FAILED, "%s",
				   f->last_problem);
	return ym_fleet_cmd_status(e, r);
}
