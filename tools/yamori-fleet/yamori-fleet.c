/* yamori-fleet: the ISP's reference aggregator of fleet reports
 * (docs/FLEET.md).
 *
 *   yamori-fleet run --nats HOST:PORT[,HOST:PORT...] --db CONNINFO
 *                    [--root yamori] [--durable agg] [--batch 256]
 *   yamori-fleet report --db CONNINFO [--csv | --boxes | --html FILE]
 *   yamori-fleet stats --db CONNINFO
 *
 * The boxes publish with MQTT to the broker cluster (nats-server's MQTT
 * listener); their topic ROOT/report/<box> is the NATS subject
 * ROOT.report.<box>. "run" pulls from one durable consumer of the
 * server's replicated stream of MQTT QoS 1 messages (setup_stream): every
 * instance pulling from the same consumer gets a share of the reports (the
 * queue), and a report is acknowledged to the stream only after PostgreSQL
 * committed it,
 * so an instance or a broker node that dies loses none. A report id is
 * stored once (its primary key), so a report delivered twice is counted
 * once. Each report is checked against the schema the box writes (the
 * same keys, in the same order, nothing else); a bad one is counted and
 * dropped.
 *
 * It speaks the NATS client protocol itself (text lines over TCP; Debian
 * has no NATS C client), and libpq. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#if defined(__GNUC__) && !defined(__clang__) /* clang has no such warning */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define REPORT_KEYS "schema report_id box sent yamori data classes alerts"
#define CLASS_KEYS "type maker model devices default_password unsupported " \
		   "outdated_firmware idle suspicious isolated"
#define ALERT_KEYS "day kind count"
#define MAX_CLASSES 512
#define MAX_ALERTS 512

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "yamori-fleet: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* --- validation ----------------------------------------------------------- */

/* True when o has exactly the keys of the list, in that order. */
static bool keys_are(json_t *o, const char *list)
{
	const char *key;
	json_t *v;
	const char *p = list;

	if (!json_is_object(o))
		return false;
	json_object_foreach(o, key, v) {
		size_t n = strlen(key);

		(void)v;
		if (strncmp(p, key, n) != 0 || (p[n] != ' ' && p[n] != '\0'))
			return false;
		p += n + (p[n] == ' ');
	}
	return *p == '\0';
}

static bool label_ok(json_t *v, size_t max, bool empty_ok)
{
	const char *s = json_string_value(v);

	if (!s || strlen(s) >= max || (!empty_ok && !s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(" .,_+()/-", *s))
			return false;
	return true;
}

static bool count_ok(json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0 &&
	       json_integer_value(v) <= 100000;
}

static bool hex32(const char *s)
{
	return s && strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

/* Checks a report against the schema; why says what is wrong. */
static bool valid(json_t *r, const char *topic_box, char *why, size_t len)
{
	const char *box = json_string_value(json_object_get(r, "box"));
	const char *id = json_string_value(json_object_get(r, "report_id"));
	const char *sent = json_string_value(json_object_get(r, "sent"));
	json_t *classes = json_object_get(r, "classes");
	json_t *alerts = json_object_get(r, "alerts"), *v;
	struct tm tm;
	size_t i;

	if (!keys_are(r, REPORT_KEYS))
		return snprintf(why, len, "keys are not the report's"), false;
	if (json_integer_value(json_object_get(r, "schema")) != 1)
		return snprintf(why, len, "unknown schema"), false;
	if (!hex32(box) || (topic_box && strcmp(box, topic_box)))
		return snprintf(why, len, "bad box id"), false;
	if (!id || strncmp(id, box, 32) || id[32] != '-' || !id[33] ||
	    strspn(id + 33, "0123456789") != strlen(id + 33) ||
	    strlen(id) > 54)
		return snprintf(why, len, "bad report id"), false;
	memset(&tm, 0, sizeof(tm));
	if (!sent || !strptime(sent, "%Y-%m-%dT%H:%M:%SZ", &tm) ||
	    strlen(sent) != 20)
		return snprintf(why, len, "bad time"), false;
	if (!label_ok(json_object_get(r, "yamori"), 32, false) ||
	    !json_is_integer(json_object_get(r, "data")) ||
	    json_integer_value(json_object_get(r, "data")) < 0)
		return snprintf(why, len, "bad versions"), false;
	if (!json_is_array(classes) || json_array_size(classes) > MAX_CLASSES ||
	    !json_is_array(alerts) || json_array_size(alerts) > MAX_ALERTS)
		return snprintf(why, len, "bad lists"), false;
	json_array_foreach(classes, i, v) {
		const char *k;
		json_t *c;

		if (!keys_are(v, CLASS_KEYS) ||
		    !label_ok(json_object_get(v, "type"), 24, false) ||
		    !label_ok(json_object_get(v, "maker"), 48, true) ||
		    !label_ok(json_object_get(v, "model"), 48, true))
			return snprintf(why, len, "bad class"), false;
		json_object_foreach(v, k, c)
			if (strcmp(k, "type") && strcmp(k, "maker") &&
			    strcmp(k, "model") && !count_ok(c))
				return snprintf(why, len, "bad count"), false;
	}
	json_array_foreach(alerts, i, v) {
		const char *day = json_string_value(json_object_get(v, "day"));
		const char *kind = json_string_value(json_object_get(v, "kind"));

		memset(&tm, 0, sizeof(tm));
		if (!keys_are(v, ALERT_KEYS) || !day || strlen(day) != 10 ||
		    !strptime(day, "%Y-%m-%d", &tm) || !kind || !kind[0] ||
		    strlen(kind) > 60 ||
		    strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
		    strlen(kind) || !count_ok(json_object_get(v, "count")))
			return snprintf(why, len, "bad alert"), false;
	}
	return true;
}

/* --- PostgreSQL --------------------------------------------------------- */

/* Several instances may start at once: the tables are made under a lock
 * held to the end of the transaction (CREATE TABLE IF NOT EXISTS races
 * with itself otherwise). */
static const char schema_sql[] =
	"SELECT pg_advisory_xact_lock(180018);"
	"CREATE TABLE IF NOT EXISTS reports ("
	" report_id text PRIMARY KEY, box text NOT NULL,"
	" sent timestamptz NOT NULL, received timestamptz NOT NULL"
	" DEFAULT now(), latency_ms double precision,"
	" stored_by text NOT NULL DEFAULT '');"
	"CREATE TABLE IF NOT EXISTS boxes ("
	" box text PRIMARY KEY, report_id text NOT NULL,"
	" sent timestamptz NOT NULL, yamori text NOT NULL,"
	" data bigint NOT NULL);"
	"CREATE TABLE IF NOT EXISTS box_classes ("
	" box text NOT NULL, type text NOT NULL, maker text NOT NULL,"
	" model text NOT NULL, devices int NOT NULL,"
	" default_password int NOT NULL, unsupported int NOT NULL,"
	" outdated_firmware int NOT NULL, idle int NOT NULL,"
	" suspicious int NOT NULL, isolated int NOT NULL,"
	" PRIMARY KEY (box, type, maker, model));"
	"CREATE TABLE IF NOT EXISTS box_alerts ("
	" box text NOT NULL, day date NOT NULL, kind text NOT NULL,"
	" count int NOT NULL, PRIMARY KEY (box, day, kind));"
	"CREATE TABLE IF NOT EXISTS rejected ("
	" at timestamptz NOT NULL DEFAULT now(), reason text NOT NULL);";

static PGconn *db_open(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK)
		die("cannot reach PostgreSQL: %s", PQerrorMessage(c));
	r = PQexec(c, "SET client_min_messages = warning");
	PQclear(r);
	return c;
}

static bool db_ok(PGresult *r)
{
	ExecStatusType s = PQresultStatus(r);

	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* S as a whole decimal int, else BAD (never atoi's silent 0). */
static int to_int(const char *s, int bad)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < INT_MIN || v > INT_MAX)
		return bad;
	return (int)v;
}

static bool exec_params(PGconn *c, const char *sql, int n,
			const char *const *v, int *rows)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);
	bool ok = db_ok(r);

	if (!ok)
		fprintf(stderr, "yamori-fleet: %s", PQerrorMessage(c));
	if (ok && rows)
		*rows = to_int(PQcmdTuples(r), 0);
	PQclear(r);
	return ok;
}

static void reject(PGconn *c, const char *why)
{
	const char *v[] = { why };

	fprintf(stderr, "yamori-fleet: report refused: %s\n", why);
	exec_params(c, "INSERT INTO rejected (reason) VALUES ($1)", 1, v,
		    NULL);
}

/* Stores one valid report inside the batch's transaction (under a
 * savepoint). false on a database error. */
static char instance[64]; /* this aggregator, as reports.stored_by says */

static bool store(PGconn *c, json_t *r)
{
	const char *box = json_string_value(json_object_get(r, "box"));
	const char *id = json_string_value(json_object_get(r, "report_id"));
	const char *sent = json_string_value(json_object_get(r, "sent"));
	char data[32], num[10][16];
	int rows = 0, newer = 0;
	json_t *v;
	size_t i;
	PGresult *res;

	snprintf(data, sizeof(data), "%lld",
		 (long long)json_integer_value(json_object_get(r, "data")));
	res = PQexec(c, "SAVEPOINT one");
	PQclear(res);
	{
		const char *p[] = { id, box, sent, instance };

		if (!exec_params(c, "INSERT INTO reports (report_id, box,"
				 " sent, received, latency_ms, stored_by) VALUES"
				 " ($1, $2, $3, clock_timestamp(), extract(epoch"
				 " from clock_timestamp() - $3::timestamptz) *"
				 " 1000, $4)"
				 " ON CONFLICT DO NOTHING", 4, p, &rows))
			goto fail;
	}
	if (rows == 0) /* seen before: counted once */
		goto commit;
	{
		/* Only a report newer than the one kept speaks for the box:
		 * a report that waited in a queue does not undo a later one.
		 * Newer is a later "sent", and within one second (the field's
		 * resolution) a later number: the report_id's "-SEQ", which
		 * the box counts up. Two aggregators may store a box's reports
		 * out of order. */
		const char *p[] = { box, id, sent,
			json_string_value(json_object_get(r, "yamori")), data };

		if (!exec_params(c, "INSERT INTO boxes VALUES ($1, $2, $3,"
				 " $4, $5) ON CONFLICT (box) DO UPDATE SET"
				 " report_id = $2, sent = $3, yamori = $4,"
				 " data = $5 WHERE (boxes.sent,"
				 " split_part(boxes.report_id, '-', 2)::numeric)"
				 " < ($3::timestamptz, split_part($2::text, '-',"
				 " 2)::numeric)", 5, p, &newer))
			goto fail;
	}
	if (!newer)
		goto commit;
	{
		const char *p[] = { box };

		if (!exec_params(c, "DELETE FROM box_classes WHERE box = $1",
				 1, p, NULL))
			goto fail;
	}
	json_array_foreach(json_object_get(r, "classes"), i, v) {
		static const char *const counts[] = { "devices",
			"default_password", "unsupported", "outdated_firmware",
			"idle", "suspicious", "isolated" };
		const char *p[11] = { box,
			json_string_value(json_object_get(v, "type")),
			json_string_value(json_object_get(v, "maker")),
			json_string_value(json_object_get(v, "model")) };

		for (int k = 0; k < 7; k++) {
			snprintf(num[k], sizeof(num[k]), "%lld", (long long)
				 json_integer_value(json_object_get(v,
							counts[k])));
			p[4 + k] = num[k];
		}
		if (!exec_params(c, "INSERT INTO box_classes VALUES ($1, $2,"
				 " $3, $4, $5, $6, $7, $8, $9, $10, $11)"
				 " ON CONFLICT (box, type, maker, model) DO"
				 " UPDATE SET devices = box_classes.devices +"
				 " $5, default_password ="
				 " box_classes.default_password + $6,"
				 " unsupported = box_classes.unsupported + $7,"
				 " outdated_firmware ="
				 " box_classes.outdated_firmware + $8, idle ="
				 " box_classes.idle + $9, suspicious ="
				 " box_classes.suspicious + $10, isolated ="
				 " box_classes.isolated + $11", 11, p, NULL))
			goto fail;
	}
	json_array_foreach(json_object_get(r, "alerts"), i, v) {
		const char *p[] = { box,
			json_string_value(json_object_get(v, "day")),
			json_string_value(json_object_get(v, "kind")), num[0] };

		snprintf(num[0], sizeof(num[0]), "%lld", (long long)
			 json_integer_value(json_object_get(v, "count")));
		/* A box's latest count for a day replaces the earlier one. */
		if (!exec_params(c, "INSERT INTO box_alerts VALUES ($1, $2,"
				 " $3, $4) ON CONFLICT (box, day, kind) DO"
				 " UPDATE SET count = $4", 4, p, NULL))
			goto fail;
	}
commit:
	res = PQexec(c, "RELEASE SAVEPOINT one");
	PQclear(res);
	return true;
fail:
	res = PQexec(c, "ROLLBACK TO SAVEPOINT one");
	PQclear(res);
	return false;
}

/* --- the NATS client protocol ------------------------------------------- */

struct nats {
	int fd;
	char *buf;
	size_t len, cap;
	char inbox[64];
	char servers[16][128];
	int n_servers, next;
};

static int tcp_connect(const char *hostport)
{
	char host[128], *colon;
	struct addrinfo hints = { 0 }, *res, *ai;
	int fd = -1;

	snprintf(host, sizeof(host), "%s", hostport);
	colon = strrchr(host, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static bool send_all(struct nats *n, const char *data, size_t len)
{
	while (len) {
		ssize_t w = send(n->fd, data, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		data += w;
		len -= (size_t)w;
	}
	return true;
}

static bool pub(struct nats *n, const char *subject, const char *reply,
		const char *payload)
{
	char head[512];
	int h = snprintf(head, sizeof(head), "PUB %s %s %zu\r\n", subject,
			 reply ? reply : "", strlen(payload));

	return send_all(n, head, (size_t)h) &&
	       send_all(n, payload, strlen(payload)) &&
	       send_all(n, "\r\n", 2);
}

/* Reads more bytes, waiting at most ms. 0 on a timeout, -1 when closed. */
static int fill(struct nats *n, int ms)
{
	struct pollfd p = { n->fd, POLLIN, 0 };
	ssize_t r;
	int rc = poll(&p, 1, ms);

	if (rc <= 0)
		return rc < 0 && errno != EINTR ? -1 : 0;
	if (n->cap - n->len < 65536) {
		size_t cap = n->cap ? n->cap * 2 : 1 << 20;
		char *b = realloc(n->buf, cap);

		if (!b)
			die("out of memory");
		n->buf = b;
		n->cap = cap;
	}
	r = recv(n->fd, n->buf + n->len, n->cap - n->len, 0);
	if (r <= 0)
		return -1;
	n->len += (size_t)r;
	return 1;
}

/* One message from the server, parsed. */
struct msg {
	char op[8];
	char subject[256], reply[256];
	const char *hdr, *payload;
	size_t hdr_len, len;
};

static void consume(struct nats *n, size_t bytes)
{
	memmove(n->buf, n->buf + bytes, n->len - bytes);
	n->len -= bytes;
}

/* Parses one complete message at the front of the buffer into m: 1, or 0
 * when more bytes are needed. The caller consumes *used bytes after. */
static int parse(struct nats *n, struct msg *m, size_t *used)
{
	char *eol = n->len ? memmem(n->buf, n->len, "\r\n", 2) : NULL;
	char line[600];
	char a[5][256];
	int k;
	size_t ll, need;

	if (!eol)
		return 0;
	ll = (size_t)(eol - n->buf);
	snprintf(line, sizeof(line), "%.*s", (int)ll, n->buf);
	memset(m, 0, sizeof(*m));
	k = sscanf(line, "%7s %255s %255s %255s %255s %255s", m->op, a[0],
		   a[1], a[2], a[3], a[4]);
	if (!strcmp(m->op, "MSG") || !strcmp(m->op, "HMSG")) {
		bool h = m->op[0] == 'H';
		int args = k - 1; /* subject sid [reply] [hdr] total */
		size_t hdr = 0, total;

		snprintf(m->subject, sizeof(m->subject), "%s", a[0]);
		if (args == (h ? 5 : 4))
			snprintf(m->reply, sizeof(m->reply), "%s", a[2]);
		total = strtoul(a[args - 1], NULL, 10);
		if (h)
			hdr = strtoul(a[args - 2], NULL, 10);
		need = ll + 2 + total + 2;
		if (n->len < need)
			return 0;
		m->hdr = n->buf + ll + 2;
		m->hdr_len = hdr;
		m->payload = m->hdr + hdr;
		m->len = total - hdr;
		*used = need;
		return 1;
	}
	*used = ll + 2;
	return 1;
}

static bool nats_connect(struct nats *n)
{
	static const char hello[] =
		"CONNECT {\"verbose\":false,\"pedantic\":false,"
		"\"headers\":true,\"no_responders\":true,"
		"\"name\":\"yamori-fleet\",\"lang\":\"c\","
		"\"version\":\"0.1\",\"protocol\":1}\r\nPING\r\n";
	char sub[128];

	for (int tries = 0; tries < n->n_servers * 3 && !stop; tries++) {
		const char *s = n->servers[n->next];

		n->next = (n->next + 1) % n->n_servers;
		n->fd = tcp_connect(s);
		if (n->fd < 0) {
			sleep(1);
			continue;
		}
		n->len = 0;
		snprintf(sub, sizeof(sub), "SUB %s.* 1\r\n", n->inbox);
		if (send_all(n, hello, sizeof(hello) - 1) &&
		    send_all(n, sub, strlen(sub))) {
			fprintf(stderr, "yamori-fleet: connected to %s\n", s);
			return true;
		}
		close(n->fd);
		n->fd = -1;
	}
	return false;
}

/* A request of the JetStream API; the reply's payload (malloc'd) or NULL. */
static char *request(struct nats *n, const char *subject, const char *body,
		     int ms)
{
	char reply[128];
	static unsigned seq;
	struct timespec t0, t;

	snprintf(reply, sizeof(reply), "%s.r%u", n->inbox, ++seq);
	if (!pub(n, subject, reply, body))
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct msg m;
		size_t used;

		while (parse(n, &m, &used)) {
			if (!strcmp(m.op, "PING"))
				send_all(n, "PONG\r\n", 6);
			if ((!strcmp(m.op, "MSG") || !strcmp(m.op, "HMSG")) &&
			    !strcmp(m.subject, reply)) {
				char *out = strndup(m.payload, m.len);

				consume(n, used);
				return out;
			}
			consume(n, used);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 > ms ||
		    fill(n, 200) < 0)
			return NULL;
	}
}

/* The durable consumer all instances pull from. It reads nats-server's own
 * stream of MQTT QoS 1 messages ($MQTT_msgs, subjects $MQTT.msgs.<topic>),
 * replicated over the cluster: the server stores a QoS 1 message there
 * before it acknowledges it to the box (PUBACK), and the stream keeps
 * messages while a consumer is interested. A stream of our own on the
 * plain subjects would be filled after the PUBACK, and loses what was
 * acknowledged when its leader dies (tests/integration/test_fleet.py saw
 * 156 of 300 go that way). */
static bool setup_stream(struct nats *n, const char *root,
			 const char *durable, int replicas)
{
	char subj[256], body[1024], *r;
	bool ok;

	snprintf(subj, sizeof(subj),
		 "$JS.API.CONSUMER.DURABLE.CREATE.$MQTT_msgs.%s", durable);
	snprintf(body, sizeof(body),
		 "{\"stream_name\":\"$MQTT_msgs\",\"config\":{\"durable_name\":"
		 "\"%s\",\"ack_policy\":\"explicit\",\"deliver_policy\":"
		 "\"all\",\"ack_wait\":30000000000,\"max_ack_pending\":"
		 "20000,\"num_replicas\":%d,\"filter_subject\":"
		 "\"$MQTT.msgs.%s.report.>\"}}", durable, replicas, root);
	r = request(n, subj, body, 10000);
	if (!r)
		return false;
	ok = !strstr(r, "\"error\"") || strstr(r, "already");
	if (!ok)
		fprintf(stderr, "yamori-fleet: consumer: %s\n", r);
	free(r);
	return ok;
}

static int cmd_run(const char *servers, const char *conninfo,
		   const char *root, const char *durable, int batch,
		   int replicas)
{
	struct nats n = { .fd = -1 };
	PGconn *db = db_open(conninfo);
	PGresult *res = PQexec(db, schema_sql);
	char next_subj[256], pull[128], *list = strdup(servers), *tok, *save;
	uint64_t stored = 0, dups = 0, refused = 0;
	unsigned char rnd[8];
	char (*acks)[256] = calloc((size_t)batch, 256);
	int n_acks = 0;

	if (!db_ok(res) || !acks)
		die("cannot make the tables: %s", PQerrorMessage(db));
	PQclear(res);
	for (tok = strtok_r(list, ",", &save); tok && n.n_servers < 16;
	     tok = strtok_r(NULL, ",", &save))
		snprintf(n.servers[n.n_servers++], sizeof(n.servers[0]), "%s",
			 tok);
	free(list);
	if (!n.n_servers)
		die("give --nats HOST:PORT");
	{
		char host[40] = "";

		gethostname(host, sizeof(host) - 1);
		snprintf(instance, sizeof(instance), "%s:%d", host,
			 (int)getpid());
	}
	{
		FILE *u = fopen("/dev/urandom", "re");

		if (!u || fread(rnd, 1, sizeof(rnd), u) != sizeof(rnd))
			die("no randomness");
		fclose(u);
	}
	snprintf(n.inbox, sizeof(n.inbox), "_INBOX.%02x%02x%02x%02x%02x%02x"
		 "%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5],
		 rnd[6], rnd[7]);
	snprintf(next_subj, sizeof(next_subj),
		 "$JS.API.CONSUMER.MSG.NEXT.$MQTT_msgs.%s", durable);
	snprintf(pull, sizeof(pull),
		 "{\"batch\":%d,\"expires\":2000000000}", batch);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop) {
		char reply[128];
		int waiting = 0;
		struct timespec t0, t;

		if (n.fd < 0) {
			if (!nats_connect(&n))
				continue;
			if (!setup_stream(&n, root, durable, replicas)) {
				close(n.fd);
				n.fd = -1;
				sleep(1);
				continue;
			}
		}
		snprintf(reply, sizeof(reply), "%s.pull", n.inbox);
		if (!pub(&n, next_subj, reply, pull)) {
			close(n.fd);
			n.fd = -1;
			continue;
		}
		waiting = batch;
		n_acks = 0;
		res = PQexec(db, "BEGIN");
		PQclear(res);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (waiting > 0 && !stop && n.fd >= 0) {
			struct msg m;
			size_t used;
			bool more = false;

			while (n.fd >= 0 && parse(&n, &m, &used)) {
				more = true;
				if (!strcmp(m.op, "PING"))
					send_all(&n, "PONG\r\n", 6);
				if (strcmp(m.op, "MSG") && strcmp(m.op, "HMSG")) {
					consume(&n, used);
					continue;
				}
				if (!m.reply[0]) {
					/* A status (404, 408): the pull ends. */
					waiting = 0;
					consume(&n, used);
					continue;
				}
				waiting--;
				{
					const char *dot = strrchr(m.subject, '.');
					json_t *r = json_loadb(m.payload, m.len,
							       JSON_REJECT_DUPLICATES,
							       NULL);
					char why[64];
					bool ack = true;

					if (!r || !valid(r, dot ? dot + 1 : NULL,
							 why, sizeof(why))) {
						reject(db, r ? why : "not JSON");
						refused++;
					} else if (store(db, r)) {
						stored++;
					} else {
						ack = false; /* comes again */
						dups++;
					}
					json_decref(r);
					if (ack && n_acks < batch)
						snprintf(acks[n_acks++],
							 sizeof(acks[0]), "%s",
							 m.reply);
				}
				consume(&n, used);
			}
			(void)more;
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec > 5)
				break;
			if (waiting > 0 && fill(&n, 500) < 0) {
				close(n.fd);
				n.fd = -1;
				fprintf(stderr, "yamori-fleet: broker gone; "
					"reconnecting\n");
			}
		}
		/* The batch is kept, then acknowledged: a crash in between
		 * brings the reports again, and their ids are known. */
		res = PQexec(db, "COMMIT");
		if (db_ok(res)) {
			for (int i = 0; i < n_acks && n.fd >= 0; i++)
				pub(&n, acks[i], NULL, "+ACK");
		} else {
			fprintf(stderr, "yamori-fleet: %s", PQerrorMessage(db));
		}
		PQclear(res);
	}
	fprintf(stderr, "yamori-fleet: stored %llu reports, refused %llu, "
		"database retries %llu\n", (unsigned long long)stored,
		(unsigned long long)refused, (unsigned long long)dups);
	if (n.fd >= 0)
		close(n.fd);
	free(n.buf);
	free(acks);
	PQfinish(db);
	return 0;
}

/* --- reports for the ISP's staff ----------------------------------------- */

static const char per_model_sql[] =
	"SELECT type, maker, model, count(DISTINCT box) AS boxes,"
	" sum(devices) AS devices,"
	" sum(default_password) AS default_password,"
	" sum(unsupported) AS unsupported,"
	" sum(outdated_firmware) AS outdated_firmware,"
	" sum(suspicious) AS infected, sum(isolated) AS isolated"
	" FROM box_classes GROUP BY type, maker, model"
	" ORDER BY sum(default_password) + sum(unsupported) +"
	" sum(suspicious) DESC,"
	" boxes DESC, type, maker, model";

/* What to tell each customer: one line per box with something to do. */
static const char per_box_sql[] =
	"SELECT box, sum(default_password), sum(unsupported),"
	" sum(outdated_firmware), sum(suspicious),"
	" string_agg(DISTINCT CASE WHEN default_password + unsupported +"
	" outdated_firmware + suspicious > 0 THEN trim(maker || ' ' || model ||"
	" ' (' || type || ')') END, '; ')"
	" FROM box_classes GROUP BY box"
	" HAVING sum(default_password + unsupported + outdated_firmware +"
	" suspicious) > 0 ORDER BY sum(suspicious) DESC,"
	" sum(default_password) DESC, box";

static void csv_field(FILE *out, const char *s)
{
	if (strpbrk(s, ",\"\n")) {
		fputc('"', out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	} else {
		fputs(s, out);
	}
}

static void csv(PGresult *r, FILE *out)
{
	for (int j = 0; j < PQnfields(r); j++) {
		if (j)
			fputc(',', out);
		csv_field(out, PQfname(r, j));
	}
	fputc('\n', out);
	for (int i = 0; i < PQntuples(r); i++) {
		for (int j = 0; j < PQnfields(r); j++) {
			if (j)
				fputc(',', out);
			csv_field(out, PQgetvalue(r, i, j));
		}
		fputc('\n', out);
	}
}

static void html_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '"')
			fputs("&quot;", out);
		else
			fputc(*s, out);
	}
}

/* A horizontal bar chart in SVG: labels and values of rows 0..n-1. */
static void svg_bars(FILE *out, const char *title, PGresult *r, int label,
		     int value, int n)
{
	double max = 1;
	int h = 22 * n + 30;

	for (int i = 0; i < n; i++)
		if (atof(PQgetvalue(r, i, value)) > max)
			max = atof(PQgetvalue(r, i, value));
	fprintf(out, "<h2>");
	html_text(out, title);
	fprintf(out, "</h2>\n<svg width=\"760\" height=\"%d\" role=\"img\">\n",
		h);
	for (int i = 0; i < n; i++) {
		double v = atof(PQgetvalue(r, i, value));
		int w = (int)(v / max * 400);

		fprintf(out, "<text x=\"0\" y=\"%d\" font-size=\"13\">",
			22 * i + 16);
		html_text(out, PQgetvalue(r, i, label));
		fprintf(out, "</text><rect x=\"300\" y=\"%d\" width=\"%d\" "
			"height=\"16\" fill=\"#c0392b\"/><text x=\"%d\" "
			"y=\"%d\" font-size=\"13\">%s</text>\n", 22 * i + 4,
			w, 306 + w, 22 * i + 16, PQgetvalue(r, i, value));
	}
	fprintf(out, "</svg>\n");
}

static void html_table(FILE *out, PGresult *r)
{
	fprintf(out, "<table>\n<tr>");
	for (int j = 0; j < PQnfields(r); j++) {
		fprintf(out, "<th>");
		html_text(out, PQfname(r, j));
		fprintf(out, "</th>");
	}
	fprintf(out, "</tr>\n");
	for (int i = 0; i < PQntuples(r); i++) {
		fprintf(out, "<tr>");
		for (int j = 0; j < PQnfields(r); j++) {
			fprintf(out, "<td>");
			html_text(out, PQgetvalue(r, i, j));
			fprintf(out, "</td>");
		}
		fprintf(out, "</tr>\n");
	}
	fprintf(out, "</table>\n");
}

static PGresult *query(PGconn *db, const char *sql)
{
	PGresult *r = PQexec(db, sql);

	if (!db_ok(r))
		die("%s", PQerrorMessage(db));
	return r;
}

static int cmd_report(const char *conninfo, const char *mode,
		      const char *html)
{
	PGconn *db = db_open(conninfo);
	PGresult *r;
	FILE *out;

	if (!strcmp(mode, "csv")) {
		r = query(db, per_model_sql);
		csv(r, stdout);
		PQclear(r);
	} else if (!strcmp(mode, "boxes")) {
		r = PQexec(db, per_box_sql);
		if (!db_ok(r))
			die("%s", PQerrorMessage(db));
		printf("box,default_password,unsupported,outdated_firmware,"
		       "infected,devices\n");
		for (int i = 0; i < PQntuples(r); i++) {
			for (int j = 0; j < 6; j++) {
				if (j)
					putchar(',');
				csv_field(stdout, PQgetvalue(r, i, j));
			}
			putchar('\n');
		}
		PQclear(r);
	} else {
		PGresult *totals, *days;
		char when[32];
		time_t now = time(NULL);

		out = fopen(html, "w");
		if (!out)
			die("cannot write %s: %s", html, strerror(errno));
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC",
			 gmtime(&now));
		totals = query(db, "SELECT (SELECT count(*) FROM boxes),"
			       " (SELECT count(DISTINCT box) FROM box_classes"
			       " WHERE default_password > 0),"
			       " (SELECT count(DISTINCT box) FROM box_classes"
			       " WHERE unsupported > 0),"
			       " (SELECT count(DISTINCT box) FROM box_classes"
			       " WHERE suspicious > 0),"
			       " (SELECT count(*) FROM reports),"
			       " (SELECT count(*) FROM rejected)");
		fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
			"<meta charset=\"utf-8\"><title>Yamori fleet report"
			"</title><style>body{font-family:sans-serif;margin:2em}"
			"table{border-collapse:collapse}td,th{border:1px solid "
			"#ccc;padding:2px 6px}</style></head><body>\n"
			"<h1>Yamori fleet report</h1>\n<p>Made %s.</p>\n"
			"<ul><li>Boxes reporting: %s</li>"
			"<li>Homes with a device on a factory password: %s</li>"
			"<li>Homes with an unsupported device: %s</li>"
			"<li>Homes with a device that behaves as infected: %s"
			"</li><li>Reports stored: %s (refused: %s)</li></ul>\n",
			when, PQgetvalue(totals, 0, 0),
			PQgetvalue(totals, 0, 1), PQgetvalue(totals, 0, 2),
			PQgetvalue(totals, 0, 3), PQgetvalue(totals, 0, 4),
			PQgetvalue(totals, 0, 5));
		PQclear(totals);
		r = query(db, "SELECT trim(maker || ' ' || model) || ' (' ||"
			  " type || ')', count(DISTINCT box) FROM box_classes"
			  " WHERE default_password + unsupported + suspicious"
			  " > 0 GROUP BY type, maker, model ORDER BY 2 DESC,"
			  " 1 LIMIT 15");
		svg_bars(out, "Homes affected, by model", r, 0, 1,
			 PQntuples(r));
		PQclear(r);
		days = query(db, "SELECT day::text || ' ' || kind, sum(count)"
			     " FROM box_alerts WHERE day > current_date - 15"
			     " GROUP BY day, kind ORDER BY day, kind LIMIT 40");
		svg_bars(out, "Alerts per day and kind (last 14 days)", days,
			 0, 1, PQntuples(days));
		PQclear(days);
		fprintf(out, "<h2>Per model</h2>\n");
		r = query(db, per_model_sql);
		html_table(out, r);
		PQclear(r);
		fprintf(out, "<h2>Customers to tell</h2>\n");
		r = query(db, per_box_sql);
		html_table(out, r);
		PQclear(r);
		fprintf(out, "</body></html>\n");
		if (fclose(out) != 0)
			die("cannot write %s", html);
	}
	PQfinish(db);
	return 0;
}

static int cmd_stats(const char *conninfo)
{
	PGconn *db = db_open(conninfo);
	PGresult *r = query(db, "SELECT (SELECT count(*) FROM reports),"
			    " (SELECT count(DISTINCT report_id) FROM reports),"
			    " (SELECT count(*) FROM boxes),"
			    " (SELECT count(*) FROM rejected),"
			    " (SELECT coalesce(percentile_cont(0.5) WITHIN GROUP"
			    " (ORDER BY latency_ms), 0) FROM reports),"
			    " (SELECT coalesce(percentile_cont(0.99) WITHIN GROUP"
			    " (ORDER BY latency_ms), 0) FROM reports),"
			    " (SELECT coalesce(extract(epoch from max(received)"
			    " - min(received)), 0) FROM reports)");

	printf("{\"reports\":%s,\"distinct_reports\":%s,\"boxes\":%s,"
	       "\"rejected\":%s,\"latency_p50_ms\":%s,\"latency_p99_ms\":%s,"
	       "\"span_s\":%s}\n", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
	       PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 4),
	       PQgetvalue(r, 0, 5), PQgetvalue(r, 0, 6));
	PQclear(r);
	PQfinish(db);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: yamori-fleet run --nats HOST:PORT[,...] --db CONNINFO "
		"[--root yamori] [--durable agg] [--batch 256] [--replicas 3]\n"
		"       yamori-fleet report --db CONNINFO [--csv | --boxes | "
		"--html FILE]\n"
		"       yamori-fleet stats --db CONNINFO\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nats", required_argument, NULL, 'n' },
		{ "db", required_argument, NULL, 'd' },
		{ "root", required_argument, NULL, 'r' },
		{ "durable", required_argument, NULL, 'u' },
		{ "batch", required_argument, NULL, 'b' },
		{ "replicas", required_argument, NULL, 'R' },
		{ "csv", no_argument, NULL, 'c' },
		{ "boxes", no_argument, NULL, 'x' },
		{ "html", required_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *servers = NULL, *conninfo = NULL, *root = "yamori";
	const char *durable = "agg", *mode = "csv", *html = NULL, *cmd;
	int batch = 256, replicas = 3, c;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': servers = optarg; break;
		case 'd': conninfo = optarg; break;
		case 'r': root = optarg; break;
		case 'u': durable = optarg; break;
		case 'b': batch = to_int(optarg, -1); break;
		case 'R': replicas = to_int(optarg, -1); break;
		case 'c': mode = "csv"; break;
		case 'x': mode = "boxes"; break;
		case 'h': mode = "html"; html = optarg; break;
		default: usage();
		}
	}
	if (!conninfo || batch < 1 || batch > 10000 || replicas < 1 ||
	    replicas > 5 || strspn(durable, "abcdefghijklmnopqrstuvwxyz0123456789_-")
	    != strlen(durable) || strpbrk(root, " *>"))
		usage();
	if (!strcmp(cmd, "run"))
		return cmd_run(servers ? servers : "", conninfo, root, durable,
			       batch, replicas);
	if (!strcmp(cmd, "report"))
		return cmd_report(conninfo, mode, html);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(conninfo);
	usage();
	return 2;
}
