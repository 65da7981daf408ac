/* fleet-load: many simulated Yamori boxes from one process, each its own
 * MQTT client (libmosquitto, driven from one epoll loop), sending fleet
 * reports of the box's schema (engine-fleet.h) with QoS 1 to a broker cluster.
 *
 *   fleet-load --servers HOST:PORT[,HOST:PORT...] --boxes N [--reports R]
 *              [--interval-ms MS] [--ca F --cert F --key F] [--seed S]
 *              [--root yamori] [--out FILE.jsonl] [--timeout S]
 *              [--connect-rate PER_S]
 *
 * Box i connects to server i mod n; when its connection drops it comes
 * back to the next server after a backoff with jitter, and sends again
 * what was not acknowledged. Every acknowledged report is written to --out
 * (one JSON object a line: the report, when it was published and when the
 * broker acknowledged it), so a test can check that the aggregator holds
 * every one of them, and compute the figures it should show. The summary
 * (reports acknowledged per second, acknowledgement latency percentiles,
 * reconnections) goes to stdout as JSON.
 *
 * The boxes are made up from a seeded catalogue of models: the same seed
 * gives the same fleet. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#if defined(__GNUC__) && !defined(__clang__) /* clang has no such warning */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define MAX_SERVERS 8
#define MAX_PENDING 16

struct model {
	const char *type, *maker, *model;
	double p_default, p_unsupported, p_outdated, p_suspicious;
};

/* A made-up catalogue: the figures the aggregator shows come from it. */
static const struct model catalogue[] = {
	{ "camera", "TP-Link", "C200", 0.20, 0.00, 0.30, 0.02 },
	{ "camera", "Hikvision", "DS-2CD2032", 0.35, 0.60, 0.50, 0.08 },
	{ "router", "Buffalo", "WHR-300HP2", 0.10, 0.90, 0.70, 0.05 },
	{ "printer", "Brother", "HL-L2350DW series", 0.05, 0.00, 0.20, 0.00 },
	{ "tv", "Sony", "BRAVIA", 0.00, 0.10, 0.20, 0.00 },
	{ "nas", "Synology", "DS218j", 0.15, 0.00, 0.40, 0.03 },
	{ "phone", "Apple", "", 0.00, 0.05, 0.10, 0.00 },
	{ "computer", "Intel", "", 0.00, 0.00, 0.00, 0.01 },
	{ "game_console", "Nintendo", "", 0.00, 0.00, 0.10, 0.00 },
	{ "speaker", "Google", "Nest Mini", 0.00, 0.00, 0.05, 0.00 },
	{ "camera", "Panasonic", "BB-SC384B", 0.40, 0.80, 0.60, 0.10 },
	{ "iot", "Espressif", "", 0.25, 0.00, 0.00, 0.04 },
};
#define N_MODELS (sizeof(catalogue) / sizeof(catalogue[0]))

static const char *const alert_kinds[] = { "new_device", "scan",
	"default_password", "malware_contact", "brute_force" };

struct pending {
	int mid;
	int seq;
	double published;
	char *body;          /* the report as published */
};

struct box {
	struct mosquitto *m;
	int idx, server;
	char id[33];
	bool connected, connecting;
	bool tcp_up;         /* the TCP connection is made (TLS may go on) */
	double connect_at;   /* when the current attempt started */
	int next_seq;        /* the next report to make, 1-based */
	int acked;           /* reports acknowledged */
	double next_at;      /* when to publish the next report */
	double retry_at;     /* when to connect again, or 0 */
	unsigned attempts;
	int n_pending;
	struct pending pending[MAX_PENDING];
	uint64_t rng;
};

static struct {
	char host[MAX_SERVERS][128];
	int port[MAX_SERVERS];
	int n_servers;
	int boxes, reports, interval_ms, timeout;
	double connect_rate;
	const char *ca, *cert, *key, *root;
	uint64_t seed;
	FILE *out;
	int ep;
	struct box *b;
	double *lat;
	size_t n_lat, cap_lat;
	uint64_t reconnects, connects, acked_total, published_total;
} g;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s) /* splitmix64 */
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double unit(uint64_t *s)
{
	return (double)(rnd(s) >> 11) / (double)(1ull << 53);
}

/* The report box b sends as its seq-th: made from the box's own seed and
 * seq, so it is the same whenever it is sent again. */
static char *make_report(struct box *b, int seq)
{
	uint64_t s = g.seed * 1000003ull + (uint64_t)b->idx * 7919ull +
		     (uint64_t)seq;
	uint64_t fixed = g.seed * 1000003ull + (uint64_t)b->idx * 7919ull;
	size_t cap = 8192, off = 0;
	char *out = malloc(cap), sent[32];
	time_t t = time(NULL);
	struct tm tm;
	int n_classes = 2 + (int)(rnd(&fixed) % 6);
	bool used[N_MODELS] = { false };
	int n_alerts;

	gmtime_r(&t, &tm);
	strftime(sent, sizeof(sent), "%Y-%m-%dT%H:%M:%SZ", &tm);
	off += (size_t)snprintf(out + off, cap - off,
		"{\"schema\":1,\"report_id\":\"%s-%d\",\"box\":\"%s\","
		"\"sent\":\"%s\",\"yamori\":\"0.1.0\",\"data\":%d,"
		"\"classes\":[", b->id, seq, b->id, sent, 3 + seq % 2);
	for (int i = 0, k = 0; i < n_classes; i++) {
		const struct model *m;
		size_t pick = (size_t)(rnd(&fixed) % N_MODELS);
		int devices = 1 + (int)(rnd(&fixed) % 3), flags[4] = { 0 };

		if (used[pick])
			continue;
		used[pick] = true;
		m = &catalogue[pick];
		for (int d = 0; d < devices; d++) {
			flags[0] += unit(&s) < m->p_default;
			flags[1] += unit(&s) < m->p_unsupported;
			flags[2] += unit(&s) < m->p_outdated;
			flags[3] += unit(&s) < m->p_suspicious;
		}
		off += (size_t)snprintf(out + off, cap - off,
			"%s{\"type\":\"%s\",\"maker\":\"%s\",\"model\":\"%s\","
			"\"devices\":%d,\"default_password\":%d,"
			"\"unsupported\":%d,\"outdated_firmware\":%d,"
			"\"idle\":0,\"suspicious\":%d,\"isolated\":0}",
			k++ ? "," : "", m->type, m->maker, m->model, devices,
			flags[0], flags[1], flags[2], flags[3]);
	}
	off += (size_t)snprintf(out + off, cap - off, "],\"alerts\":[");
	n_alerts = (int)(rnd(&s) % 3);
	for (int i = 0; i < n_alerts; i++) {
		char day[16];
		time_t d = t - 86400 * (time_t)i;

		gmtime_r(&d, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		off += (size_t)snprintf(out + off, cap - off,
			"%s{\"day\":\"%s\",\"kind\":\"%s\",\"count\":%d}",
			i ? "," : "", day,
			alert_kinds[rnd(&s) % (sizeof(alert_kinds) /
					       sizeof(alert_kinds[0]))],
			1 + (int)(rnd(&s) % 5));
	}
	snprintf(out + off, cap - off, "]}");
	return out;
}

static void watch(struct box *b)
{
	struct epoll_event ev = { EPOLLIN, { .ptr = b } };
	int fd = mosquitto_socket(b->m);

	if (fd < 0)
		return;
	/* Writable once the TCP connection is made; then TLS goes on with
	 * reads (mosquitto_loop_read drives the handshake). */
	if (mosquitto_want_write(b->m) || (b->connecting && !b->tcp_up))
		ev.events |= EPOLLOUT;
	if (epoll_ctl(g.ep, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
		epoll_ctl(g.ep, EPOLL_CTL_ADD, fd, &ev);
}

static void backoff(struct box *b)
{
	double base = 1.0 * (1u << (b->attempts < 6 ? b->attempts : 6));

	if (base > 30)
		base = 30;
	b->attempts++;
	b->retry_at = now_s() + base / 2 + unit(&b->rng) * base / 2;
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct box *b = arg;

	(void)m;
	b->connecting = false;
	if (rc) {
		backoff(b);
		return;
	}
	b->connected = true;
	b->attempts = 0;
	g.connects++;
	/* What was not acknowledged goes again (the aggregator counts a
	 * report id once). */
	for (int i = 0; i < b->n_pending; i++)
		free(b->pending[i].body);
	b->n_pending = 0;
	if (b->next_at == 0)
		b->next_at = now_s() + unit(&b->rng) * g.interval_ms / 1000.0;
	b->next_seq = b->acked + 1;
}

static void on_disconnect(struct mosquitto *m, void *arg, int rc)
{
	struct box *b = arg;

	(void)m;
	if (getenv("FLEET_LOAD_DEBUG"))
		fprintf(stderr, "fleet-load: box %d: disconnected: %s "
			"(connected %d, connecting %d)\n", b->idx,
			mosquitto_strerror(rc), b->connected, b->connecting);
	if (!b->connected && !b->connecting)
		return; /* already counted: the client says it again */
	g.reconnects++;
	b->connected = b->connecting = false;
	b->server = (b->server + 1) % g.n_servers;
	backoff(b);
}

static void on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct box *b = arg;
	double t = now_s();

	(void)m;
	for (int i = 0; i < b->n_pending; i++) {
		struct pending p = b->pending[i];

		if (p.mid != mid)
			continue;
		b->pending[i] = b->pending[--b->n_pending];
		if (p.seq <= b->acked) {
			free(p.body);
			return;
		}
		b->acked = p.seq > b->acked ? p.seq : b->acked;
		g.acked_total++;
		if (g.n_lat == g.cap_lat) {
			g.cap_lat = g.cap_lat ? g.cap_lat * 2 : 65536;
			g.lat = realloc(g.lat, g.cap_lat * sizeof(double));
		}
		g.lat[g.n_lat++] = (t - p.published) * 1000;
		if (g.out)
			fprintf(g.out, "{\"acked_at\":%.3f,\"ack_ms\":%.3f,"
				"\"published_at\":%.3f,\"report\":%s}\n",
				wall_s(), (t - p.published) * 1000,
				wall_s() - (t - p.published), p.body);
		free(p.body);
		return;
	}
}

static void on_log(struct mosquitto *m, void *arg, int level, const char *s)
{
	(void)m;
	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))
		fprintf(stderr, "fleet-load: box %d: %s\n",
			((struct box *)arg)->idx, s);
}

static void start_connect(struct box *b)
{
	int rc;

	b->retry_at = 0;
	b->connecting = true;
	b->tcp_up = false;
	b->connect_at = now_s();
	rc = mosquitto_connect_async(b->m, g.host[b->server],
				     g.port[b->server], 60);
	if (rc != MOSQ_ERR_SUCCESS) {
		if (getenv("FLEET_LOAD_DEBUG"))
			fprintf(stderr, "fleet-load: box %d: connect: %s\n",
				b->idx, mosquitto_strerror(rc));
		b->connecting = false;
		b->server = (b->server + 1) % g.n_servers;
		backoff(b);
		return;
	}
	watch(b);
}

static void publish_due(struct box *b, double t)
{
	/* One report at a time per box, like a box (they are minutes
	 * apart); a box that has sent all its reports is done. */
	if (!b->connected || b->n_pending || b->acked >= g.reports ||
	    t < b->next_at)
		return;
	{
		int seq = b->acked + 1, mid = 0;
		char *r = make_report(b, seq);
		char topic[200];

		snprintf(topic, sizeof(topic), "%s/report/%s", g.root, b->id);
		if (mosquitto_publish(b->m, &mid, topic, (int)strlen(r), r, 1,
				      false) == MOSQ_ERR_SUCCESS) {
			b->pending[b->n_pending++] =
				(struct pending){ mid, seq, t, r };
			g.published_total++;
			b->next_at = t + g.interval_ms / 1000.0;
		} else {
			free(r);
		}
		watch(b);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double p)
{
	size_t i;

	if (!g.n_lat)
		return 0;
	i = (size_t)(p * (double)(g.n_lat - 1) + 0.5);
	return g.lat[i];
}

static int num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s && !*end && v >= 0 && v <= 1000000000 ? (int)v : -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: fleet-load --servers HOST:PORT[,...] --boxes N"
		" [--reports R] [--interval-ms MS] [--ca F --cert F --key F]"
		" [--seed S] [--root yamori] [--out FILE] [--timeout S]"
		" [--connect-rate N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "servers", required_argument, NULL, 's' },
		{ "boxes", required_argument, NULL, 'b' },
		{ "reports", required_argument, NULL, 'r' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "ca", required_argument, NULL, 'a' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 'S' },
		{ "root", required_argument, NULL, 'R' },
		{ "out", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' },
		{ "connect-rate", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	char *servers = NULL;
	struct rlimit rl;
	double t0, t_done = 0, next_connect;
	int c, started = 0;

	g.boxes = 100;
	g.reports = 1;
	g.interval_ms = 1000;
	g.timeout = 600;
	g.connect_rate = 500;
	g.root = "yamori";
	g.seed = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': servers = optarg; break;
		case 'b': g.boxes = num(optarg); break;
		case 'r': g.reports = num(optarg); break;
		case 'i': g.interval_ms = num(optarg); break;
		case 'a': g.ca = optarg; break;
		case 'c': g.cert = optarg; break;
		case 'k': g.key = optarg; break;
		case 'S': g.seed = strtoull(optarg, NULL, 10); break;
		case 'R': g.root = optarg; break;
		case 'o':
			g.out = fopen(optarg, "w");
			if (!g.out) {
				perror(optarg);
				return 1;
			}
			break;
		case 't': g.timeout = num(optarg); break;
		case 'C': g.connect_rate = atof(optarg); break;
		default: usage();
		}
	}
	if (!servers || g.boxes < 1 || g.reports < 1 || g.interval_ms < 1 ||
	    g.timeout < 1 ||
	    g.connect_rate <= 0)
		usage();
	for (char *save, *tok = strtok_r(servers, ",", &save);
	     tok && g.n_servers < MAX_SERVERS;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(tok, ':');

		if (!colon)
			usage();
		*colon = '\0';
		snprintf(g.host[g.n_servers], sizeof(g.host[0]), "%s", tok);
		g.port[g.n_servers++] = num(colon + 1);
	}
	/* A client holds its socket (and, in some libmosquitto builds, a
	 * socket pair of its own): as many files as the system allows. */
	rl.rlim_cur = rl.rlim_max = (rlim_t)g.boxes * 4 + 256;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 &&
	    getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0 ||
		    rl.rlim_cur < (rlim_t)g.boxes + 64) {
			fprintf(stderr, "fleet-load: %d boxes need more open "
				"files than %llu\n", g.boxes,
				(unsigned long long)rl.rlim_cur);
			return 1;
		}
	}
	mosquitto_lib_init();
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	g.b = calloc((size_t)g.boxes, sizeof(*g.b));
	for (int i = 0; i < g.boxes; i++) {
		struct box *b = &g.b[i];
		uint64_t s = g.seed * 31337ull + (uint64_t)i;

		b->idx = i;
		b->server = i % g.n_servers;
		b->rng = s;
		snprintf(b->id, sizeof(b->id), "%016llx%016llx",
			 (unsigned long long)rnd(&s),
			 (unsigned long long)rnd(&s));
		b->m = mosquitto_new(b->id, true, b);
		if (!b->m) {
			fprintf(stderr, "fleet-load: cannot make client %d\n",
				i);
			return 1;
		}
		mosquitto_int_option(b->m, MOSQ_OPT_PROTOCOL_VERSION,
				     MQTT_PROTOCOL_V311);
		if (g.ca && (mosquitto_tls_set(b->m, g.ca, NULL, g.cert, g.key,
					       NULL) != MOSQ_ERR_SUCCESS ||
			     mosquitto_tls_opts_set(b->m, 1, "tlsv1.2", NULL) !=
			     MOSQ_ERR_SUCCESS)) {
			fprintf(stderr, "fleet-load: TLS settings refused\n");
			return 1;
		}
		mosquitto_connect_callback_set(b->m, on_connect);
		mosquitto_disconnect_callback_set(b->m, on_disconnect);
		mosquitto_publish_callback_set(b->m, on_publish);
		mosquitto_log_callback_set(b->m, on_log);
	}
	t0 = now_s();
	next_connect = t0;
	for (;;) {
		struct epoll_event evs[256];
		double t = now_s();
		int n, done = 0;

		/* Connect at the given rate, as boxes do over a day. */
		while (started < g.boxes && t >= next_connect) {
			start_connect(&g.b[started++]);
			next_connect += 1.0 / g.connect_rate;
		}
		n = epoll_wait(g.ep, evs, 256, 20);
		for (int i = 0; i < n; i++) {
			struct box *b = evs[i].data.ptr;

			if (b->connecting && !b->tcp_up &&
			    (evs[i].events & EPOLLOUT)) {
				b->tcp_up = true;
				mosquitto_loop_read(b->m, 1);
			}
			if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				mosquitto_loop_read(b->m, 1);
			if ((evs[i].events & EPOLLOUT) &&
			    mosquitto_want_write(b->m))
				mosquitto_loop_write(b->m, 1);
			watch(b);
		}
		t = now_s();
		for (int i = 0; i < started; i++) {
			struct box *b = &g.b[i];

			if (b->acked >= g.reports) {
				done++;
				continue;
			}
			if (!b->connected && !b->connecting && b->retry_at &&
			    t >= b->retry_at)
				start_connect(b);
			publish_due(b, t);
			if (!b->connected && !b->connecting)
				continue;
			if (mosquitto_want_write(b->m)) {
				mosquitto_loop_write(b->m, 1);
				watch(b);
			}
			mosquitto_loop_misc(b->m);
			/* A connection that never answered: try another. */
			if (b->connecting && t - b->connect_at > 10) {
				if (getenv("FLEET_LOAD_DEBUG"))
					fprintf(stderr, "fleet-load: box %d: "
						"no answer\n", b->idx);
				mosquitto_disconnect(b->m);
				b->connecting = false;
				g.reconnects++;
				b->server = (b->server + 1) % g.n_servers;
				backoff(b);
			}
			if (b->connecting && b->retry_at == 0 &&
			    mosquitto_socket(b->m) < 0) {
				if (getenv("FLEET_LOAD_DEBUG"))
					fprintf(stderr, "fleet-load: box %d: "
						"socket gone\n", b->idx);
				b->connecting = false;
				b->server = (b->server + 1) % g.n_servers;
				backoff(b);
			}
		}
		if (done == g.boxes) {
			t_done = now_s();
			break;
		}
		if (t - t0 > g.timeout) {
			fprintf(stderr, "fleet-load: timed out with %d of %d "
				"boxes done\n", done, g.boxes);
			for (int i = 0; getenv("FLEET_LOAD_DEBUG") &&
			     i < g.boxes; i++)
				if (g.b[i].acked < g.reports)
					fprintf(stderr, "box %d: connected %d "
						"connecting %d retry %.1f "
						"pending %d acked %d\n", i,
						g.b[i].connected,
						g.b[i].connecting,
						g.b[i].retry_at - t,
						g.b[i].n_pending,
						g.b[i].acked);
			t_done = now_s();
			break;
		}
	}
	qsort(g.lat, g.n_lat, sizeof(double), cmp);
	printf("{\"boxes\":%d,\"reports_acked\":%llu,\"published\":%llu,"
	       "\"seconds\":%.2f,\"acked_per_s\":%.1f,\"connects\":%llu,"
	       "\"reconnects\":%llu,\"ack_ms_p50\":%.2f,\"ack_ms_p90\":%.2f,"
	       "\"ack_ms_p99\":%.2f,\"ack_ms_max\":%.2f}\n", g.boxes,
	       (unsigned long long)g.acked_total,
	       (unsigned long long)g.published_total, t_done - t0,
	       (double)g.acked_total / (t_done - t0),
	       (unsigned long long)g.connects,
	       (unsigned long long)g.reconnects, pct(0.5), pct(0.9), pct(0.99),
	       g.n_lat ? g.lat[g.n_lat - 1] : 0.0);
	if (g.out)
		fclose(g.out);
	for (int i = 0; i < g.boxes; i++) {
		mosquitto_disconnect(g.b[i].m);
		mosquitto_destroy(g.b[i].m);
	}
	mosquitto_lib_cleanup();
	return g.acked_total == (uint64_t)g.boxes * (uint64_t)g.reports ? 0 : 1;
}
