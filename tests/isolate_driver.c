/* Runs one isolation operation on a libuv loop, for the integration test:
 *
 *   isolate_driver nft|arp IFACE GW_IP GW_MAC SELF_MAC apply|release|verify|list [MAC [IP]]
 *
 * This box's IPv4 address is read from IFACE. Prints one line per event and
 * exits 0 when done (apply: once verified), 1 on a runtime failure or when
 * the isolation could not be verified, 2 on bad usage or a refused target
 * (the reason on stderr).
 *
 * In arp mode "apply" keeps running so the refreshes continue: it prints
 * "verified MAC" once the isolation holds; SIGUSR1 releases the device (the
 * process keeps running and prints "released MAC"); SIGTERM or SIGINT closes
 * with restore, and the process exits 0 once the correct replies went out
 * and the loop has drained. */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <uv.h>

#include "isolate.h"

/* The arp backend checks the network for about 2 s first; give it ample time. */
#define VERIFY_WAIT_MS 10000
#define VERIFY_POLL_MS 100

struct driver {
	uv_loop_t loop;
	struct ym_isolator *iso;
	uint8_t mac[6];
	uv_timer_t check;
	uv_signal_t sigterm, sigint, sigusr1;
	uint32_t waited_ms;
	bool verified;
	int exit_code;
};

static void usage(void)
{
	fprintf(stderr, "usage: isolate_driver nft|arp IFACE GW_IP GW_MAC SELF_MAC "
			"apply|release|verify|list [MAC [IP]]\n");
	exit(2);
}

static int exit_for(int err)
{
	return err == -EINVAL || err == -EPERM || err == -ENOTSUP ? 2 : 1;
}

/* The first IPv4 address of ifname, or family 0. */
static void iface_ipv4(const char *ifname, struct ym_addr *out)
{
	struct ifaddrs *ifa, *i;

	memset(out, 0, sizeof(*out));
	if (getifaddrs(&ifa) != 0)
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    strcmp(i->ifa_name, ifname) == 0) {
			ym_addr_set4(out, (const uint8_t *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr);
			break;
		}
	}
	freeifaddrs(ifa);
}

static void stop(struct driver *d, bool restore)
{
	if (!uv_is_closing((uv_handle_t *)&d->check)) {
		uv_close((uv_handle_t *)&d->check, NULL);
		uv_close((uv_handle_t *)&d->sigterm, NULL);
		uv_close((uv_handle_t *)&d->sigint, NULL);
		uv_close((uv_handle_t *)&d->sigusr1, NULL);
		ym_isolate_close(d->iso, restore);
	}
}

static void check_cb(uv_timer_t *t)
{
	struct driver *d = ym_container_of(t, struct driver, check);
	char m[YM_MAC_STRLEN];
	int v = ym_isolate_verify(d->iso, d->mac);

	ym_mac_format(d->mac, m);
	if (v == 1) {
		printf("verified %s\n", m);
		fflush(stdout);
		d->verified = true;
		uv_timer_stop(t);
	} else if (v < 0) {
		fprintf(stderr, "isolate_driver: %s\n", ym_isolate_reason(d->iso));
		d->exit_code = exit_for(v);
		stop(d, true);
	} else if ((d->waited_ms += VERIFY_POLL_MS) >= VERIFY_WAIT_MS) {
		fprintf(stderr, "isolate_driver: not verified: %s\n", ym_isolate_reason(d->iso));
		d->exit_code = 1;
		stop(d, true);
	}
}

static void signal_cb(uv_signal_t *s, int signum)
{
	struct driver *d = s->data;
	char why[200], m[YM_MAC_STRLEN];

	if (signum == SIGUSR1) {
		ym_mac_format(d->mac, m);
		if (ym_isolate_release(d->iso, d->mac, why, sizeof(why)) == 0)
			printf("released %s\n", m);
		else
			printf("release failed: %s\n", why);
		fflush(stdout);
		return;
	}
	printf("restoring\n");
	fflush(stdout);
	stop(d, true);
}

/* arp apply: runs until a signal ends it; 0 when it ends by SIGTERM. */
static int run_arp(struct driver *d)
{
	uv_timer_init(&d->loop, &d->check);
	uv_signal_init(&d->loop, &d->sigterm);
	uv_signal_init(&d->loop, &d->sigint);
	uv_signal_init(&d->loop, &d->sigusr1);
	d->sigterm.data = d->sigint.data = d->sigusr1.data = d;
	uv_signal_start(&d->sigterm, signal_cb, SIGTERM);
	uv_signal_start(&d->sigint, signal_cb, SIGINT);
	uv_signal_start(&d->sigusr1, signal_cb, SIGUSR1);
	uv_timer_start(&d->check, check_cb, VERIFY_POLL_MS, VERIFY_POLL_MS);
	uv_run(&d->loop, UV_RUN_DEFAULT);
	return d->exit_code;
}

int main(int argc, char **argv)
{
	static struct driver d;
	struct ym_isolate_env env = { 0 };
	struct ym_isolate_target t = { 0 };
	enum ym_isolate_mode mode;
	char err[200], why[200], m[YM_MAC_STRLEN];
	const char *op;
	int ret, code = 0;

	if (argc < 7 || argc > 9)
		usage();
	op = argv[6];
	if (ym_isolate_mode_parse(argv[1], &mode) != 0 || mode == YM_ISOLATE_NONE ||
	    strlen(argv[2]) >= sizeof(env.ifname) || ym_addr_parse(argv[3], &env.gateway_ip) != 0 ||
	    ym_mac_parse(argv[4], env.gateway_mac) != 0 || ym_mac_parse(argv[5], env.self_mac) != 0)
		usage();
	snprintf(env.ifname, sizeof(env.ifname), "%s", argv[2]);
	iface_ipv4(env.ifname, &env.self_ip);
	if (strcmp(op, "list") != 0) {
		if (argc < 8)
			usage();
		if (ym_mac_parse(argv[7], t.mac) != 0) {
			fprintf(stderr, "isolate_driver: %s is not a MAC address\n", argv[7]);
			return 2;
		}
		if (argc == 9 && ym_addr_parse(argv[8], &t.ipv4) != 0) {
			fprintf(stderr, "isolate_driver: %s is not an address\n", argv[8]);
			return 2;
		}
	}
	memcpy(d.mac, t.mac, 6);
	ym_mac_format(t.mac, m);
	if (uv_loop_init(&d.loop) != 0)
		return 1;
	ret = ym_isolate_init(&d.iso, mode, &d.loop, &env, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "isolate_driver: %s\n", err);
		return 1;
	}

	if (strcmp(op, "apply") == 0) {
		ret = ym_isolate_apply(d.iso, &t, why, sizeof(why));
		if (ret < 0) {
			fprintf(stderr, "isolate_driver: %s\n", why);
			code = exit_for(ret);
		} else if (mode == YM_ISOLATE_ARP) {
			code = run_arp(&d);
			d.iso = NULL; /* closed by run_arp */
		} else if ((ret = ym_isolate_verify(d.iso, t.mac)) == 1) {
			printf("verified %s\n", m);
		} else {
			fprintf(stderr, "isolate_driver: not verified: %s\n",
				ym_isolate_reason(d.iso));
			code = 1;
		}
	} else if (strcmp(op, "release") == 0) {
		ret = ym_isolate_release(d.iso, t.mac, why, sizeof(why));
		if (ret < 0) {
			fprintf(stderr, "isolate_driver: %s\n", why);
			code = exit_for(ret);
		} else if (ym_isolate_verify(d.iso, t.mac) != 0) {
			fprintf(stderr, "isolate_driver: %s is still isolated\n", m);
			code = 1;
		} else {
			printf("released %s\n", m);
		}
	} else if (strcmp(op, "verify") == 0) {
		ret = ym_isolate_verify(d.iso, t.mac);
		printf("%d %s\n", ret, ym_isolate_reason(d.iso));
		code = ret == 1 ? 0 : 1;
	} else if (strcmp(op, "list") == 0) {
		uint8_t macs[64][6];

		ret = ym_isolate_list(d.iso, macs, 64);
		if (ret < 0) {
			fprintf(stderr, "isolate_driver: cannot list: %s\n", strerror(-ret));
			code = 1;
		}
		for (int i = 0; i < ret && i < 64; i++) {
			ym_mac_format(macs[i], m);
			printf("%s\n", m);
		}
	} else {
		usage();
	}
	if (d.iso)
		ym_isolate_close(d.iso, true);
	uv_run(&d.loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&d.loop) != 0) {
		fprintf(stderr, "isolate_driver: handles left open at exit\n");
		return 1;
	}
	return code;
}
