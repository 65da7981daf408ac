/* audit_driver: runs one default-password check on a libuv loop and prints
 * the report as JSON, for the integration tests and for measurements.
 *
 *   audit_driver [options] IP MAC [VENDOR]
 *     --creds DIR          credential lists (default: the source tree's)
 *     --max-attempts N     per device and service per day (default 6)
 *     --spacing-ms N       between attempts (default 1000)
 *     --connect-ms N, --step-ms N, --conversation-ms N, --max-bytes N
 *     --repeat             ask for a second check of the same device after
 *                          the first (shows the daily budget at work)
 *
 * Exit: 0 done, 1 runtime failure, 2 bad usage or a refused target (with a
 * one-line reason on stderr), 3 the second check was refused (--repeat). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "audit.h"

struct driver {
	struct ym_audit_observer obs;
	json_t *attempts;
	json_t *reports;
	int done;
};

static void on_attempt(struct ym_audit_observer *o, const uint8_t mac[6],
		       const char *service, uint16_t port, const char *user,
		       bool accepted, uint64_t at_us)
{
	struct driver *d = (struct driver *)o;
	char when[YM_TIME_STRLEN];

	(void)mac;
	ym_time_format(at_us, when);
	json_array_append_new(d->attempts,
			      json_pack("{s:s, s:i, s:s, s:b, s:s}", "service",
					service, "port", port, "user", user,
					"accepted", accepted, "at", when));
}

static void on_done(struct ym_audit_observer *o, const struct ym_audit_report *r,
		    void *token)
{
	struct driver *d = (struct driver *)o;
	json_t *services = json_array();
	char mac[YM_MAC_STRLEN], ip[YM_ADDR_STRLEN];

	(void)token;
	ym_mac_format(r->mac, mac);
	ym_addr_format(&r->addr, ip, sizeof(ip));
	for (uint32_t i = 0; i < r->n; i++) {
		const struct ym_audit_service_result *s = &r->services[i];

		json_array_append_new(
			services,
			json_pack("{s:s, s:i, s:s, s:s, s:i, s:s}", "service",
				  s->service, "port", s->port, "result",
				  ym_audit_result_name(s->result), "user",
				  s->user, "attempts", s->attempts, "detail",
				  s->detail));
	}
	json_array_append_new(
		d->reports,
		json_pack("{s:s, s:s, s:f, s:o}", "mac", mac, "ip", ip,
			  "seconds",
			  (double)(r->finished_us - r->started_us) / 1e6,
			  "services", services));
	d->done++;
}

static int usage(void)
{
	fprintf(stderr, "usage: audit_driver [--creds DIR] [--max-attempts N] "
			"[--spacing-ms N] [--repeat] IP MAC [VENDOR]\n");
	return 2;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Open sockets: a check must give back every one (libuv's own pipes and
 * eventfd are not sockets). */
static int count_sockets(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	char path[300], target[64];
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len > 0 && strncmp(target, "socket:", 7) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static int run_check(uv_loop_t *loop, struct ym_audit *a, struct driver *d,
		     const uint8_t mac[6], const struct ym_addr *addr,
		     const char *vendor)
{
	int before = d->done;
	int rc = ym_audit_check(a, mac, addr, vendor, NULL);

	if (rc < 0)
		return rc;
	while (d->done == before && uv_run(loop, UV_RUN_ONCE))
		;
	return d->done > before ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "creds", required_argument, NULL, 'c' },
		{ "max-attempts", required_argument, NULL, 'a' },
		{ "spacing-ms", required_argument, NULL, 's' },
		{ "connect-ms", required_argument, NULL, 'C' },
		{ "step-ms", required_argument, NULL, 'S' },
		{ "conversation-ms", required_argument, NULL, 'T' },
		{ "max-bytes", required_argument, NULL, 'B' },
		{ "repeat", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *creds = YM_SOURCE_DATADIR "/credentials", *vendor = NULL;
	struct ym_audit_config cfg;
	struct driver d = { .obs = { on_attempt, on_done } };
	struct ym_audit *a = NULL;
	struct ym_addr addr;
	uint8_t mac[6];
	char err[512] = "";
	bool repeat = false;
	uv_loop_t loop;
	json_t *out;
	double cpu0;
	int c, rc, status = 0, fds0;

	ym_audit_config_default(&cfg);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end = NULL;
		unsigned long v = 0;

		if (c != 'c' && c != 'r') {
			v = strtoul(optarg, &end, 10);
			if (!end || *end || v > 10000000)
				return usage();
		}
		switch (c) {
		case 'c':
			creds = optarg;
			break;
		case 'a':
			cfg.max_attempts = (uint32_t)v;
			break;
		case 's':
			cfg.spacing_ms = (uint32_t)v;
			break;
		case 'C':
			cfg.connect_ms = (uint32_t)v;
			break;
		case 'S':
			cfg.step_ms = (uint32_t)v;
			break;
		case 'T':
			cfg.conversation_ms = (uint32_t)v;
			break;
		case 'B':
			cfg.max_bytes = (uint32_t)v;
			break;
		case 'r':
			repeat = true;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind < 2 || argc - optind > 3)
		return usage();
	if (ym_addr_parse(argv[optind], &addr) < 0) {
		fprintf(stderr, "audit_driver: '%s' is not an address\n",
			argv[optind]);
		return 2;
	}
	if (ym_mac_parse(argv[optind + 1], mac) < 0) {
		fprintf(stderr, "audit_driver: '%s' is not a MAC address\n",
			argv[optind + 1]);
		return 2;
	}
	if (argc - optind == 3)
		vendor = argv[optind + 2];
	fds0 = count_sockets();
	uv_loop_init(&loop);
	rc = ym_audit_init(&a, &loop, creds, &cfg, &d.obs, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "audit_driver: %s\n", err);
		uv_loop_close(&loop);
		return 2;
	}
	d.attempts = json_array();
	d.reports = json_array();
	cpu0 = cpu_seconds();
	rc = run_check(&loop, a, &d, mac, &addr, vendor);
	if (rc == -EPERM) {
		/* The library refused it before creating any socket. */
		fprintf(stderr,
			"audit_driver: refused: %s is not on the local network "
			"(only private IPv4, IPv6 ULA or link-local addresses "
			"are checked)\n",
			argv[optind]);
		status = 2;
	} else if (rc < 0) {
		fprintf(stderr, "audit_driver: check failed: %s\n",
			strerror(-rc));
		status = 1;
	}
	out = json_pack("{s:o, s:o, s:f, s:i}", "reports", d.reports,
			"attempts", d.attempts, "cpu_seconds",
			cpu_seconds() - cpu0, "credentials",
			(int)ym_audit_credentials_count(a));
	if (status == 0 && repeat) {
		rc = run_check(&loop, a, &d, mac, &addr, vendor);
		json_object_set_new(out, "again",
				    json_string(rc == 0 ? "done" :
						rc == -EAGAIN ? "EAGAIN" :
								"failed"));
		if (rc == -EAGAIN) {
			fprintf(stderr, "audit_driver: second check refused: "
					"the attempts for today are spent\n");
			status = 3;
		}
	}
	ym_audit_close(a);
	uv_run(&loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop) != 0) {
		fprintf(stderr, "audit_driver: handles left open\n");
		status = 1;
	}
	json_object_set_new(out, "sockets_left_open",
			    json_integer(count_sockets() - fds0));
	if (status != 2) {
		char *text = json_dumps(out, JSON_INDENT(1));

		if (text)
			puts(text);
		free(text);
	}
	json_decref(out);
	return status;
}
