/* The front end of isolation: the refusals that hold for every backend (a
 * bad MAC, the gateway, this box itself), then the backend. */
#include "isolate-backend.h"

#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const char *const mode_names[] = {
	[YM_ISOLATE_NONE] = "none",
	[YM_ISOLATE_NFT] = "nft",
	[YM_ISOLATE_ARP] = "arp",
};

int ym_isolate_mode_parse(const char *s, enum ym_isolate_mode *mode)
{
	for (size_t i = 0; i < YM_ARRAY_SIZE(mode_names); i++) {
		if (strcmp(s, mode_names[i]) == 0) {
			*mode = (enum ym_isolate_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ym_isolate_mode_name(enum ym_isolate_mode mode)
{
	if ((size_t)mode >= YM_ARRAY_SIZE(mode_names))
		return "?";
	return mode_names[mode];
}

int ym_isolate_init(struct ym_isolator **out, enum ym_isolate_mode mode, uv_loop_t *loop,
		    const struct ym_isolate_env *env, char *err, size_t errlen)
{
	static const struct ym_isolate_env unknown;

	*out = NULL;
	ym_isolate_format(err, errlen, "%s", "");
	if (!env)
		env = &unknown;
	switch (mode) {
	case YM_ISOLATE_NONE:
		return ym_isolate_none_new(out, env, err, errlen);
	case YM_ISOLATE_NFT:
		return ym_isolate_nft_new(out, env, err, errlen);
	case YM_ISOLATE_ARP:
		return ym_isolate_arp_new(out, loop, env, err, errlen);
	}
	ym_isolate_format(err, errlen, "unknown isolation mode %d", (int)mode);
	return -EINVAL;
}

static bool mac_known(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return memcmp(mac, zero, 6) != 0;
}

/* True when addr (family 4 or 6) is the address of a local interface. */
static bool addr_matches(const struct sockaddr *sa, const struct ym_addr *addr)
{
	if (sa->sa_family == AF_INET && addr->family == 4)
		return memcmp(&((const struct sockaddr_in *)sa)->sin_addr, addr->a, 4) == 0;
	if (sa->sa_family == AF_INET6 && addr->family == 6)
		return memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, addr->a, 16) == 0;
	return false;
}

/* Names the local interface that owns mac or ip, or returns false. Every
 * interface of this box counts as "this box", not only the LAN one. */
static bool owned_here(const uint8_t mac[6], const struct ym_addr *ip, char *ifname,
		       size_t len)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) != 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa)
			continue;
		if (sa->sa_family == AF_PACKET) {
			const struct sockaddr_ll *ll = (const struct sockaddr_ll *)sa;

			found = ll->sll_halen == 6 && memcmp(ll->sll_addr, mac, 6) == 0;
		} else if (ip && ip->family) {
			found = addr_matches(sa, ip);
		}
		if (found)
			snprintf(ifname, len, "%s", i->ifa_name);
	}
	freeifaddrs(ifa);
	return found;
}

/* The refusals common to every backend. ip may be NULL. */
static int refuse(const struct ym_isolator *iso, const uint8_t mac[6], const struct ym_addr *ip,
		  char *why, size_t whylen)
{
	const struct ym_isolate_env *env = &iso->env;
	char m[YM_MAC_STRLEN], a[YM_ADDR_STRLEN], ifname[IF_NAMESIZE + 1];

	ym_mac_format(mac, m);
	if (!ym_mac_is_unicast(mac)) {
		ym_isolate_format(why, whylen, "%s is not the address of a device", m);
		return -EINVAL;
	}
	if (ip && ip->family != 0 && ip->family != 4 && ip->family != 6) {
		ym_isolate_format(why, whylen, "the address given for %s is not valid", m);
		return -EINVAL;
	}
	if (mac_known(env->gateway_mac) && memcmp(mac, env->gateway_mac, 6) == 0) {
		ym_isolate_format(why, whylen, "%s is the router; Yamori never cuts off the router", m);
		return -EPERM;
	}
	if (mac_known(env->self_mac) && memcmp(mac, env->self_mac, 6) == 0) {
		ym_isolate_format(why, whylen, "%s is this Yamori box itself", m);
		return -EPERM;
	}
	if (ip && ip->family && env->gateway_ip.family && ym_addr_equal(ip, &env->gateway_ip)) {
		ym_addr_format(ip, a, sizeof(a));
		ym_isolate_format(why, whylen, "%s is the router's address; Yamori never cuts off the router", a);
		return -EPERM;
	}
	if (ip && ip->family && env->self_ip.family && ym_addr_equal(ip, &env->self_ip)) {
		ym_addr_format(ip, a, sizeof(a));
		ym_isolate_format(why, whylen, "%s is this Yamori box's own address", a);
		return -EPERM;
	}
	if (owned_here(mac, ip, ifname, sizeof(ifname))) {
		ym_isolate_format(why, whylen, "%s belongs to this box (interface %s)", m, ifname);
		return -EPERM;
	}
	return 0;
}

int ym_isolate_apply(struct ym_isolator *iso, const struct ym_isolate_target *t, char *why,
		     size_t whylen)
{
	int ret;

	ym_isolate_format(why, whylen, "%s", "");
	ret = refuse(iso, t->mac, &t->ipv4, why, whylen);
	if (ret < 0)
		return ret;
	return iso->ops->apply(iso, t, why, whylen);
}

int ym_isolate_release(struct ym_isolator *iso, const uint8_t mac[6], char *why, size_t whylen)
{
	char m[YM_MAC_STRLEN];

	ym_isolate_format(why, whylen, "%s", "");
	if (!ym_mac_is_unicast(mac)) {
		ym_mac_format(mac, m);
		ym_isolate_format(why, whylen, "%s is not the address of a device", m);
		return -EINVAL;
	}
	return iso->ops->release(iso, mac, why, whylen);
}

int ym_isolate_verify(struct ym_isolator *iso, const uint8_t mac[6])
{
	iso->reason[0] = '\0';
	if (!ym_mac_is_unicast(mac))
		return ym_isolate_say(iso, -EINVAL, "not the address of a device");
	return iso->ops->verify(iso, mac);
}

const char *ym_isolate_reason(const struct ym_isolator *iso)
{
	return iso->reason;
}

int ym_isolate_list(struct ym_isolator *iso, uint8_t (*macs)[6], size_t max)
{
	return iso->ops->list(iso, macs, max);
}

void ym_isolate_note_ipv6_router(struct ym_isolator *iso)
{
	iso->ipv6_router = true;
	if (iso->ops->note_ipv6_router)
		iso->ops->note_ipv6_router(iso);
}

void ym_isolate_close(struct ym_isolator *iso, bool restore)
{
	if (iso)
		iso->ops->close(iso, restore);
}
