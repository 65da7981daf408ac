/* isolate = arp (appliance mode): Yamori is a box on a LAN it does not route.
 *
 * To cut a device off, it tells the device that the gateway's address is at
 * this box's MAC, and the gateway that the device's address is at this box's
 * MAC too. This box does not forward IPv4 (checked before every apply), so
 * what either side sends the other ends here. The lie is repeated every two
 * seconds, and any ARP from either side that this box sees (which is what
 * the other side sees too) is followed by the lie at once, so the caches
 * do not heal while the isolation holds.
 * Each telling is a unicast ARP reply plus a gratuitous one (sender address =
 * target address): Linux takes a gratuitous reply even within its one-second
 * lock time, other stacks take the ordinary one. Frames always carry this
 * box's own MAC as Ethernet source, so switches keep learning every MAC at
 * its true port.
 *
 * Releasing tells both sides the truth, five times over five seconds; so
 * does closing with restore. If the daemon dies without restoring, the
 * caches heal by themselves: the entries expire (Linux: 15-45 s reachable,
 * then a probe to this box that nobody answers, then a broadcast that the
 * true owner answers).
 *
 * Before a device is cut off the network is checked for about 2 s, and the
 * check keeps running while isolation holds. ARP isolation cannot work and
 * is refused (or undone) when:
 * - an IPv6 router advertises on the LAN (ym_isolate_note_ipv6_router): the
 *   device would go out over IPv6;
 * - another device answers for the gateway's address (another spoofer, a
 *   redundant router): the caches would flip between the two;
 * - proxy ARP: the router, or anyone, answers for the device's address or
 *   for an address that is not on the LAN (TEST-NET-1 is asked);
 * - this box forwards IPv4 or does proxy ARP itself. */
#include "isolate-backend.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The timer's period; every interval below is a whole number of ticks. */
#define TICK_MS 500
/* Probing lasts 1.5 to 2 s (the first tick comes early): a Linux router
 * doing proxy ARP answers broadcast requests after a random delay of up to
 * 0.8 s (proxy_delay). */
#define PROBE_TICKS 4
/* A refresh every 2 s: far inside the 15-45 s a Linux neighbour entry stays
 * reachable, and a lost reply is made good quickly. */
#define SPOOF_TICKS 4
/* The truth is told five times, once a second, on release and at close. */
#define RESTORE_TICKS 2
#define RESTORE_ROUNDS 5
/* Immediate answers per target and tick, so a storm of ARP from the
 * gateway is not multiplied by this box. */
#define ANSWERS_PER_TICK 4
/* Frames read per wake-up, so a storm of ARP cannot hold the loop. */
#define READ_BATCH 64

#define ARP_REQUEST 1
#define ARP_REPLY 2

enum tstate { T_FREE, T_PROBING, T_ACTIVE, T_RESTORING, T_REFUSED };

struct arp_target {
	enum tstate state;
	uint8_t mac[6];
	uint8_t ip[4];
	uint32_t ticks;     /* ticks since the last round (or since probing began) */
	uint32_t rounds;    /* rounds told in this state */
	uint32_t answers;   /* immediate answers in this tick */
	int send_err;       /* the last send's -errno, 0 when it went out */
	bool refuse_after;  /* restoring because it cannot work: ends REFUSED */
	char why[160];      /* for REFUSED */
};

struct arp_isolator {
	struct ym_isolator base;
	int ifindex;
	int fd; /* the raw socket, opened at the first apply; -1 before */
	uv_poll_t poll;
	uv_timer_t timer;
	bool closing;
	int pending_closes;
	uint8_t gw_ip[4], self_ip[4];
	char broken[160]; /* why ARP isolation cannot work on this LAN; sticky */
	struct arp_target t[YM_ISOLATE_ARP_MAX];
};

/* RFC 5737 TEST-NET-1: on no LAN, so whoever answers for it does proxy ARP. */
static const uint8_t test_net[4] = { 192, 0, 2, 1 };
static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero_mac[6];

static bool eq4(const uint8_t *x, const uint8_t *y)
{
	return memcmp(x, y, 4) == 0;
}

static bool eq6(const uint8_t *x, const uint8_t *y)
{
	return memcmp(x, y, 6) == 0;
}

static const uint8_t *sink(const struct arp_isolator *a)
{
	return a->base.env.self_mac;
}

static void fmt4(const uint8_t ip[4], char out[YM_ADDR_STRLEN])
{
	struct ym_addr addr;

	ym_addr_set4(&addr, ip);
	ym_addr_format(&addr, out, YM_ADDR_STRLEN);
}

static int send_arp(struct arp_isolator *a, uint16_t op, const uint8_t dst[6],
		    const uint8_t sha[6], const uint8_t spa[4], const uint8_t tha[6],
		    const uint8_t tpa[4])
{
	uint8_t f[60] = { 0 }; /* padded to Ethernet's minimum */
	struct sockaddr_ll to = { 0 };

	memcpy(f, dst, 6);
	memcpy(f + 6, a->base.env.self_mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[15] = 1;    /* Ethernet */
	f[16] = 0x08; /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	f[20] = (uint8_t)(op >> 8);
	f[21] = (uint8_t)op;
	memcpy(f + 22, sha, 6);
	memcpy(f + 28, spa, 4);
	memcpy(f + 32, tha, 6);
	memcpy(f + 38, tpa, 4);
	to.sll_family = AF_PACKET;
	to.sll_protocol = htons(ETH_P_ARP);
	to.sll_ifindex = a->ifindex;
	to.sll_halen = 6;
	memcpy(to.sll_addr, dst, 6);
	if (sendto(a->fd, f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

/* Tells the device that the gateway is at gw_at and the gateway that the
 * device is at dev_at: the lie (both this box) or the truth. */
static int tell(struct arp_isolator *a, const struct arp_target *t, const uint8_t gw_at[6],
		const uint8_t dev_at[6])
{
	const uint8_t *gw_mac = a->base.env.gateway_mac;
	int ret = 0, e;

	e = send_arp(a, ARP_REPLY, t->mac, gw_at, a->gw_ip, t->mac, t->ip);
	ret = ret ? ret : e;
	e = send_arp(a, ARP_REPLY, t->mac, gw_at, a->gw_ip, gw_at, a->gw_ip);
	ret = ret ? ret : e;
	e = send_arp(a, ARP_REPLY, gw_mac, dev_at, t->ip, gw_mac, a->gw_ip);
	ret = ret ? ret : e;
	e = send_arp(a, ARP_REPLY, gw_mac, dev_at, t->ip, dev_at, t->ip);
	return ret ? ret : e;
}

static void spoof(struct arp_isolator *a, struct arp_target *t)
{
	t->send_err = tell(a, t, sink(a), sink(a));
	t->ticks = 0;
	if (t->send_err == 0)
		t->rounds++;
}

static void restore(struct arp_isolator *a, struct arp_target *t)
{
	t->send_err = tell(a, t, a->base.env.gateway_mac, t->mac);
	t->ticks = 0;
	t->rounds++;
	if (t->rounds >= RESTORE_ROUNDS)
		t->state = t->refuse_after ? T_REFUSED : T_FREE;
}

static void start_restoring(struct arp_isolator *a, struct arp_target *t, bool refuse)
{
	t->state = T_RESTORING;
	t->refuse_after = refuse;
	t->rounds = 0;
	restore(a, t);
}

/* Stops isolating t because it cannot work; the caches are put right. */
static void refuse_target(struct arp_isolator *a, struct arp_target *t, const char *why)
{
	if (t->state == T_PROBING) {
		t->state = T_REFUSED;
	} else if (t->state == T_ACTIVE) {
		start_restoring(a, t, true);
	} else {
		return;
	}
	snprintf(t->why, sizeof(t->why), "%s", why);
}

/* ARP isolation cannot work on this LAN at all: every target stops. */
static void break_all(struct arp_isolator *a, const char *why)
{
	if (!a->broken[0])
		snprintf(a->broken, sizeof(a->broken), "%s", why);
	for (size_t i = 0; i < YM_ARRAY_SIZE(a->t); i++)
		refuse_target(a, &a->t[i], a->broken);
}

static void handle_arp(struct arp_isolator *a, const uint8_t *f, size_t len)
{
	const uint8_t *arp = f + 14, *sha, *spa, *tpa;
	const uint8_t *gw_mac = a->base.env.gateway_mac;
	char m[YM_MAC_STRLEN], ip[YM_ADDR_STRLEN], why[160];
	uint16_t op;

	if (len < 14 + 28 || f[12] != 0x08 || f[13] != 0x06)
		return;
	if (arp[0] != 0 || arp[1] != 1 || arp[2] != 0x08 || arp[3] != 0 || arp[4] != 6 ||
	    arp[5] != 4)
		return;
	op = ym_be16(f, len, 14 + 6);
	sha = arp + 8;
	spa = arp + 14;
	tpa = arp + 24;
	if ((op != ARP_REQUEST && op != ARP_REPLY) || eq6(sha, sink(a)) || eq6(sha, zero_mac))
		return;
	ym_mac_format(sha, m);
	if (eq4(spa, a->gw_ip) && !eq6(sha, gw_mac)) {
		fmt4(spa, ip);
		snprintf(why, sizeof(why),
			 "another device (%s) answers for the router's address %s, so ARP "
			 "isolation cannot hold",
			 m, ip);
		break_all(a, why);
		return;
	}
	if (op == ARP_REPLY && eq4(spa, test_net)) {
		snprintf(why, sizeof(why),
			 "%s answers ARP for addresses that are not on this network (proxy ARP), "
			 "so ARP isolation cannot hold",
			 m);
		break_all(a, why);
		return;
	}
	for (size_t i = 0; i < YM_ARRAY_SIZE(a->t); i++) {
		struct arp_target *t = &a->t[i];

		if (t->state != T_PROBING && t->state != T_ACTIVE)
			continue;
		if (eq4(spa, t->ip) && !eq6(sha, t->mac)) {
			fmt4(spa, ip);
			if (eq6(sha, gw_mac))
				snprintf(why, sizeof(why),
					 "the router answers ARP for %s (proxy ARP), so ARP isolation "
					 "cannot hold",
					 ip);
			else
				snprintf(why, sizeof(why), "another device (%s) also answers for %s",
					 m, ip);
			refuse_target(a, t, why);
			continue;
		}
		if (t->state != T_ACTIVE || t->answers >= ANSWERS_PER_TICK)
			continue;
		/* Linux updates a neighbour entry from any ARP frame it sees
		 * with that sender, a broadcast request for someone else too;
		 * and either side may be asking for the other. So any ARP from
		 * the gateway or the device that this box sees is followed at
		 * once by the lie, and again at the next tick. */
		if ((eq6(sha, gw_mac) && eq4(spa, a->gw_ip)) ||
		    (eq6(sha, t->mac) && eq4(spa, t->ip)) ||
		    (eq6(sha, t->mac) && eq4(tpa, a->gw_ip))) {
			spoof(a, t);
			t->answers++;
			t->ticks = SPOOF_TICKS - 1;
		}
	}
}

static void on_readable(uv_poll_t *p, int status, int events)
{
	struct arp_isolator *a = ym_container_of(p, struct arp_isolator, poll);

	(void)events;
	if (status < 0)
		return;
	for (int i = 0; i < READ_BATCH; i++) {
		uint8_t f[128];
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(a->fd, f, sizeof(f), 0, (struct sockaddr *)&from, &fromlen);

		if (n < 0)
			break; /* EAGAIN: drained */
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		handle_arp(a, f, (size_t)n);
	}
}

static void closed_cb(uv_handle_t *h)
{
	struct arp_isolator *a = h->data;

	if (--a->pending_closes == 0)
		free(a);
}

static void finish_close(struct arp_isolator *a)
{
	a->pending_closes = 1;
	if (a->fd >= 0) {
		a->pending_closes++;
		uv_close((uv_handle_t *)&a->poll, closed_cb);
		/* uv_close stopped polling, so the descriptor can go. */
		close(a->fd);
		a->fd = -1;
	}
	uv_close((uv_handle_t *)&a->timer, closed_cb);
}

static void on_tick(uv_timer_t *timer)
{
	struct arp_isolator *a = ym_container_of(timer, struct arp_isolator, timer);
	bool restoring = false;

	for (size_t i = 0; i < YM_ARRAY_SIZE(a->t); i++) {
		struct arp_target *t = &a->t[i];

		t->ticks++;
		t->answers = 0;
		switch (t->state) {
		case T_PROBING:
			if (t->ticks >= PROBE_TICKS) {
				t->state = T_ACTIVE;
				t->rounds = 0;
				spoof(a, t);
			}
			break;
		case T_ACTIVE:
			if (t->ticks >= SPOOF_TICKS)
				spoof(a, t);
			break;
		case T_RESTORING:
			if (t->ticks >= RESTORE_TICKS)
				restore(a, t);
			restoring = restoring || t->state == T_RESTORING;
			break;
		case T_FREE:
		case T_REFUSED:
			break;
		}
	}
	if (a->closing && !restoring)
		finish_close(a);
}

/* Reads an integer sysctl of the interface; -1 when it cannot be read. */
static int read_conf(const char *ifname, const char *key)
{
	char path[128], line[32];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", ifname, key);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		v = strtol(line, NULL, 10);
	fclose(f);
	return (int)v;
}

static int open_socket(struct arp_isolator *a, char *why, size_t whylen)
{
	struct sockaddr_ll sll = { 0 };
	int ret;

	a->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (a->fd < 0) {
		ret = -errno;
		ym_isolate_format(why, whylen, "cannot open a raw socket for ARP: %s%s", strerror(-ret),
		    ret == -EPERM ? " (it needs CAP_NET_RAW)" : "");
		return ret;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = a->ifindex;
	if (bind(a->fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		ret = -errno;
		ym_isolate_format(why, whylen, "cannot listen for ARP on %s: %s", a->base.env.ifname,
		    strerror(-ret));
		goto fail;
	}
	ret = uv_poll_init(a->base.loop, &a->poll, a->fd);
	if (ret != 0) {
		ym_isolate_format(why, whylen, "cannot watch the ARP socket: %s", uv_strerror(ret));
		goto fail;
	}
	/* From here on fd >= 0 means the poll handle exists and is closed
	 * with the socket; these two cannot fail on a valid handle. */
	a->poll.data = a;
	ret = uv_poll_start(&a->poll, UV_READABLE, on_readable);
	if (ret == 0)
		ret = uv_timer_start(&a->timer, on_tick, TICK_MS, TICK_MS);
	if (ret != 0)
		ym_isolate_format(why, whylen, "cannot watch the ARP socket: %s", uv_strerror(ret));
	return ret;
fail:
	close(a->fd);
	a->fd = -1;
	return ret;
}

static struct arp_target *find(struct arp_isolator *a, const uint8_t mac[6])
{
	for (size_t i = 0; i < YM_ARRAY_SIZE(a->t); i++)
		if (a->t[i].state != T_FREE && eq6(a->t[i].mac, mac))
			return &a->t[i];
	return NULL;
}

/* A slot for a new target: a free one, else one that only remembers a refusal. */
static struct arp_target *slot(struct arp_isolator *a)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < YM_ARRAY_SIZE(a->t); i++)
			if (a->t[i].state == (pass == 0 ? T_FREE : T_REFUSED))
				return &a->t[i];
	return NULL;
}

static int arp_apply(struct ym_isolator *iso, const struct ym_isolate_target *target, char *why,
		     size_t whylen)
{
	struct arp_isolator *a = ym_container_of(iso, struct arp_isolator, base);
	const char *ifname = iso->env.ifname;
	struct arp_target *t;
	int ret;

	if (target->ipv4.family != 4 || ym_addr_is_special(&target->ipv4)) {
		ym_isolate_format(why, whylen, "ARP isolation needs the device's IPv4 address");
		return -EINVAL;
	}
	if (iso->ipv6_router || a->broken[0]) {
		ym_isolate_format(why, whylen, "%s", a->broken);
		return -ENOTSUP;
	}
	if (read_conf(ifname, "forwarding") == 1) {
		ym_isolate_format(why, whylen,
		    "this box forwards IPv4 on %s, so traffic sent to it would still get through",
		    ifname);
		return -ENOTSUP;
	}
	if (read_conf(ifname, "proxy_arp") == 1) {
		ym_isolate_format(why, whylen, "this box does proxy ARP on %s, so ARP isolation cannot hold",
		    ifname);
		return -ENOTSUP;
	}
	if (a->fd < 0) {
		ret = open_socket(a, why, whylen);
		if (ret < 0)
			return ret;
	}
	t = find(a, target->mac);
	if (t && (t->state == T_PROBING || t->state == T_ACTIVE) && eq4(t->ip, target->ipv4.a))
		return 0; /* already */
	if (!t)
		t = slot(a);
	if (!t) {
		ym_isolate_format(why, whylen, "Yamori already isolates %d devices, the most ARP isolation can",
		    YM_ISOLATE_ARP_MAX);
		return -ENOSPC;
	}
	memset(t, 0, sizeof(*t));
	t->state = T_PROBING;
	memcpy(t->mac, target->mac, 6);
	memcpy(t->ip, target->ipv4.a, 4);
	/* Who answers for the device, for the gateway, and for an address that
	 * is on no LAN: the replies are judged in handle_arp. */
	ret = send_arp(a, ARP_REQUEST, broadcast, sink(a), a->self_ip, zero_mac, t->ip);
	if (ret == 0)
		ret = send_arp(a, ARP_REQUEST, broadcast, sink(a), a->self_ip, zero_mac, a->gw_ip);
	if (ret == 0)
		ret = send_arp(a, ARP_REQUEST, broadcast, sink(a), a->self_ip, zero_mac, test_net);
	if (ret < 0) {
		t->state = T_FREE;
		ym_isolate_format(why, whylen, "cannot send ARP on %s: %s", ifname, strerror(-ret));
		return ret;
	}
	return 0;
}

static int arp_release(struct ym_isolator *iso, const uint8_t mac[6], char *why, size_t whylen)
{
	struct arp_isolator *a = ym_container_of(iso, struct arp_isolator, base);
	struct arp_target *t = find(a, mac);

	(void)why;
	(void)whylen;
	if (!t)
		return 0;
	switch (t->state) {
	case T_ACTIVE:
		start_restoring(a, t, false);
		break;
	case T_RESTORING:
		t->refuse_after = false;
		break;
	case T_PROBING: /* nothing was told yet */
	case T_REFUSED:
	case T_FREE:
		t->state = T_FREE;
		break;
	}
	return 0;
}

static int arp_verify(struct ym_isolator *iso, const uint8_t mac[6])
{
	struct arp_isolator *a = ym_container_of(iso, struct arp_isolator, base);
	struct arp_target *t = find(a, mac);
	char m[YM_MAC_STRLEN];

	ym_mac_format(mac, m);
	if (!t)
		return ym_isolate_say(iso, 0, "%s is not isolated", m);
	switch (t->state) {
	case T_PROBING:
		return ym_isolate_say(iso, 0, "checking the network before cutting %s off", m);
	case T_ACTIVE:
		if (t->send_err)
			return ym_isolate_say(iso, 0, "sending ARP replies failed: %s",
					      strerror(-t->send_err));
		if (t->rounds == 0)
			return ym_isolate_say(iso, 0, "no ARP reply went out yet");
		return 1;
	case T_RESTORING:
		if (t->refuse_after)
			return ym_isolate_say(iso, -ENOTSUP, "%s", t->why);
		return ym_isolate_say(iso, 0, "%s is being released", m);
	case T_REFUSED:
		return ym_isolate_say(iso, -ENOTSUP, "%s", t->why);
	case T_FREE:
		break;
	}
	return ym_isolate_say(iso, 0, "%s is not isolated", m);
}

static int arp_list(struct ym_isolator *iso, uint8_t (*macs)[6], size_t max)
{
	struct arp_isolator *a = ym_container_of(iso, struct arp_isolator, base);
	size_t n = 0;

	for (size_t i = 0; i < YM_ARRAY_SIZE(a->t); i++) {
		if (a->t[i].state != T_PROBING && a->t[i].state != T_ACTIVE)
			continue;
		if (n < max)
			memcpy(macs[n], a->t[i].mac, 6);
		n++;
	}
	return (int)n;
}

static void arp_note_ipv6_router(struct ym_isolator *iso)
{
	struct arp_isolator *a = ym_container_of(iso, struct arp_isolator, base);

	break_all(a, "an IPv6 router is on this network: the device could still reach the "
		     "internet over IPv6, which ARP isolation cannot stop");
}

static void arp_close(struct ym_isolator *iso, bool restore_caches)
{
	struct arp_isolator *a = ym_container_of(iso, struct arp_isolator, base);
	bool restoring = false;

	if (a->closing)
		return;
	a->closing = true;
	for (size_t i = 0; i < YM_ARRAY_SIZE(a->t) && a->fd >= 0; i++) {
		struct arp_target *t = &a->t[i];

		if (t->state == T_ACTIVE && restore_caches)
			start_restoring(a, t, false);
		if (t->state == T_RESTORING && restore_caches)
			restoring = true;
	}
	/* The timer finishes the rounds and then closes everything. */
	if (!restoring)
		finish_close(a);
}

static const struct ym_isolate_ops arp_ops = {
	.apply = arp_apply,
	.release = arp_release,
	.verify = arp_verify,
	.list = arp_list,
	.note_ipv6_router = arp_note_ipv6_router,
	.close = arp_close,
};

int ym_isolate_arp_new(struct ym_isolator **out, uv_loop_t *loop,
		       const struct ym_isolate_env *env, char *err, size_t errlen)
{
	struct arp_isolator *a;
	unsigned int ifindex;
	int ret;

	if (!loop) {
		ym_isolate_format(err, errlen, "ARP isolation needs an event loop");
		return -EINVAL;
	}
	if (!env->ifname[0]) {
		ym_isolate_format(err, errlen, "ARP isolation needs the LAN interface");
		return -EINVAL;
	}
	ifindex = if_nametoindex(env->ifname);
	if (ifindex == 0) {
		ym_isolate_format(err, errlen, "no network interface named %.16s", env->ifname);
		return -ENODEV;
	}
	if (env->gateway_ip.family != 4 || !ym_mac_is_unicast(env->gateway_mac)) {
		ym_isolate_format(err, errlen, "ARP isolation needs the router's IPv4 address and MAC");
		return -EINVAL;
	}
	if (!ym_mac_is_unicast(env->self_mac)) {
		ym_isolate_format(err, errlen, "ARP isolation needs this box's MAC on %.16s", env->ifname);
		return -EINVAL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		ym_isolate_format(err, errlen, "out of memory");
		return -ENOMEM;
	}
	a->base.ops = &arp_ops;
	a->base.mode = YM_ISOLATE_ARP;
	a->base.loop = loop;
	a->base.env = *env;
	a->ifindex = (int)ifindex;
	a->fd = -1;
	memcpy(a->gw_ip, env->gateway_ip.a, 4);
	if (env->self_ip.family == 4)
		memcpy(a->self_ip, env->self_ip.a, 4);
	ret = uv_timer_init(loop, &a->timer);
	if (ret != 0) {
		ym_isolate_format(err, errlen, "cannot start a timer: %s", uv_strerror(ret));
		free(a);
		return ret;
	}
	a->timer.data = a;
	*out = &a->base;
	return 0;
}
