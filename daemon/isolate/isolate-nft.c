/* isolate = nft (router mode), through libnftables.
 *
 * Yamori keeps two tables of its own and never touches any other:
 * - "inet yamori": a set "isolated" of MACs; at the forward hook a packet
 *   from an isolated MAC is dropped (it reaches neither the internet nor
 *   another subnet); at the input hook it may reach the router's DHCP, DNS
 *   and IPv6 neighbour discovery, nothing else on the router.
 * - "bridge yamori": the same set; at the bridge forward hook frames from or
 *   to an isolated MAC are dropped (so two LAN ports of one bridge cannot
 *   talk), and at the bridge output hook every frame the router sends to an
 *   isolated MAC is dropped except ARP and the replies of its own DHCP and
 *   DNS (source address one of the router's, kept in sets self4/self6).
 *   Routed traffic towards the device leaves through this hook too, which is
 *   where the "to the device" direction is stopped: at the inet forward hook
 *   the destination MAC is not known yet. A LAN without a bridge (rare:
 *   OpenWrt puts even one port in br-lan) stops only traffic from the device.
 *
 * Starting creates the tables when they are missing and otherwise changes
 * nothing. Every apply and release is one nftables transaction that first
 * restates the tables ("add" is idempotent, the chains are flushed and
 * refilled) and then edits the sets, so the kernel is never left
 * half-written and a table someone flushed is repaired by the next apply.
 * The sets survive: the daemon can be killed and the isolation holds; at
 * start ym_isolate_list tells the daemon what the kernel holds.
 *
 * The netlink calls are synchronous but local and short (a few ms), like the
 * other system calls the loop makes. */
#include "isolate-backend.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>
#include <nftables/libnftables.h>

struct nft_isolator {
	struct ym_isolator base;
	struct nft_ctx *nft;
};

/* The router's own addresses put in the exceptions, at most: a router has a
 * LAN and a WAN address per family and a few IPv6 ones besides. */
#define SELF_ADDRS_MAX 32

/* One transaction: the definitions, the router's addresses and a few set
 * edits fit with plenty of room. */
#define CMD_MAX 16384

struct chain_def {
	const char *family;
	const char *name;
	const char *hook;
	const char *const *rules;
	size_t n_rules;
};

static const char *const inet_forward[] = {
	"ether saddr @isolated drop",
};

static const char *const inet_input[] = {
	"ether saddr @isolated meta l4proto udp th dport { 53, 67, 547 } accept",
	"ether saddr @isolated tcp dport 53 accept",
	("ether saddr @isolated icmpv6 type { nd-router-solicit, "
	 "nd-neighbor-solicit, nd-neighbor-advert } accept"),
	"ether saddr @isolated drop",
};

static const char *const bridge_forward[] = {
	"ether saddr @isolated drop",
	"ether daddr @isolated drop",
};

static const char *const bridge_output[] = {
	"ether daddr @isolated ether type arp accept",
	"ether daddr @isolated ip saddr @self4 udp sport { 53, 67 } accept",
	"ether daddr @isolated ip saddr @self4 tcp sport 53 accept",
	"ether daddr @isolated ip6 saddr @self6 udp sport { 53, 547 } accept",
	"ether daddr @isolated ip6 saddr @self6 tcp sport 53 accept",
	("ether daddr @isolated ip6 saddr @self6 icmpv6 type { nd-router-advert, "
	 "nd-neighbor-solicit, nd-neighbor-advert } accept"),
	"ether daddr @isolated drop",
};

#define CHAIN(fam, nm, hk, r) { fam, nm, hk, r, YM_ARRAY_SIZE(r) }

static const struct chain_def chains[] = {
	CHAIN("inet", "forward", "forward", inet_forward),
	CHAIN("inet", "input", "input", inet_input),
	CHAIN("bridge", "forward", "forward", bridge_forward),
	CHAIN("bridge", "output", "output", bridge_output),
};

static const char *const families[] = { "inet", "bridge" };

struct cmd {
	char buf[CMD_MAX];
	size_t len;
	bool overflow;
};

static void put(struct cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct cmd *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->buf + c->len, sizeof(c->buf) - c->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(c->buf) - c->len) {
		c->overflow = true;
		return;
	}
	c->len += (size_t)n;
}

/* States Yamori's tables, sets and chains and refills the chains. */
static void put_tables(struct cmd *c)
{
	put(c, "add table inet yamori\n"
	       "add set inet yamori isolated { type ether_addr; }\n"
	       "add table bridge yamori\n"
	       "add set bridge yamori isolated { type ether_addr; }\n"
	       "add set bridge yamori self4 { type ipv4_addr; }\n"
	       "add set bridge yamori self6 { type ipv6_addr; }\n");
	for (size_t i = 0; i < YM_ARRAY_SIZE(chains); i++) {
		const struct chain_def *d = &chains[i];

		/* Before the usual filter chains, so the drop is seen early;
		 * an accept elsewhere cannot undo a drop here in any case. */
		put(c,
		    "add chain %s yamori %s { type filter hook %s priority filter - 10; "
		    "policy accept; }\n"
		    "flush chain %s yamori %s\n",
		    d->family, d->name, d->hook, d->family, d->name);
		for (size_t r = 0; r < d->n_rules; r++)
			put(c, "add rule %s yamori %s %s\n", d->family, d->name, d->rules[r]);
	}
}

/* Refills self4/self6 with the router's addresses: only replies from these
 * pass the bridge output hook towards an isolated device. */
static void put_self_addrs(struct cmd *c)
{
	struct ifaddrs *ifa, *i;
	char a4[SELF_ADDRS_MAX][YM_ADDR_STRLEN], a6[SELF_ADDRS_MAX][YM_ADDR_STRLEN];
	size_t n4 = 0, n6 = 0;

	put(c, "flush set bridge yamori self4\nflush set bridge yamori self6\n");
	if (getifaddrs(&ifa) != 0)
		return;
	for (i = ifa; i; i = i->ifa_next) {
		struct ym_addr addr;

		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET && n4 < SELF_ADDRS_MAX) {
			ym_addr_set4(&addr, (const uint8_t *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr);
			ym_addr_format(&addr, a4[n4++], YM_ADDR_STRLEN);
		} else if (i->ifa_addr->sa_family == AF_INET6 && n6 < SELF_ADDRS_MAX) {
			ym_addr_set6(&addr,
				     (const uint8_t *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr);
			ym_addr_format(&addr, a6[n6++], YM_ADDR_STRLEN);
		}
	}
	freeifaddrs(ifa);
	for (size_t k = 0; k < n4; k++)
		put(c, "%s%s%s", k == 0 ? "add element bridge yamori self4 { " : ", ", a4[k],
		    k + 1 == n4 ? " }\n" : "");
	for (size_t k = 0; k < n6; k++)
		put(c, "%s%s%s", k == 0 ? "add element bridge yamori self6 { " : ", ", a6[k],
		    k + 1 == n6 ? " }\n" : "");
}

/* Runs one transaction or listing; on failure the first line nftables gave. */
static int run(struct nft_isolator *n, const char *cmd, bool json, char *why, size_t whylen)
{
	const char *err, *nl;
	int ret;

	nft_ctx_output_set_flags(n->nft, json ? NFT_CTX_OUTPUT_JSON : 0);
	ret = nft_run_cmd_from_buffer(n->nft, cmd);
	nft_ctx_output_set_flags(n->nft, 0);
	err = nft_ctx_get_error_buffer(n->nft);
	if (ret == 0)
		return 0;
	if (!err || !*err)
		err = "nftables failed";
	if (strncmp(err, "Error: ", 7) == 0)
		err += 7;
	nl = strchr(err, '\n');
	ym_isolate_format(why, whylen, "nftables: %.*s", nl ? (int)(nl - err) : (int)strlen(err), err);
	if (strstr(err, "Operation not permitted"))
		return -EPERM;
	if (strstr(err, "No such file or directory"))
		return -ENOENT;
	return -EIO;
}

static int transact(struct nft_isolator *n, struct cmd *c, char *why, size_t whylen)
{
	if (c->overflow) {
		ym_isolate_format(why, whylen, "the nftables transaction is too long");
		return -ENOSPC;
	}
	return run(n, c->buf, false, why, whylen);
}

static int nft_apply(struct ym_isolator *iso, const struct ym_isolate_target *t, char *why,
		     size_t whylen)
{
	struct nft_isolator *n = ym_container_of(iso, struct nft_isolator, base);
	struct cmd *c = calloc(1, sizeof(*c));
	char m[YM_MAC_STRLEN];
	int ret;

	if (!c)
		return -ENOMEM;
	ym_mac_format(t->mac, m);
	put_tables(c);
	put_self_addrs(c);
	for (size_t f = 0; f < YM_ARRAY_SIZE(families); f++)
		put(c, "add element %s yamori isolated { %s }\n", families[f], m);
	ret = transact(n, c, why, whylen);
	free(c);
	return ret;
}

static int nft_release(struct ym_isolator *iso, const uint8_t mac[6], char *why, size_t whylen)
{
	struct nft_isolator *n = ym_container_of(iso, struct nft_isolator, base);
	struct cmd *c = calloc(1, sizeof(*c));
	char m[YM_MAC_STRLEN];
	int ret;

	if (!c)
		return -ENOMEM;
	ym_mac_format(mac, m);
	put_tables(c);
	/* "delete" of an absent element is an error; adding it first in the
	 * same transaction makes release idempotent. */
	for (size_t f = 0; f < YM_ARRAY_SIZE(families); f++)
		put(c,
		    "add element %s yamori isolated { %s }\n"
		    "delete element %s yamori isolated { %s }\n",
		    families[f], m, families[f], m);
	ret = transact(n, c, why, whylen);
	free(c);
	return ret;
}

/* Reads Yamori's table of one family as nftables JSON into *root; -ENOENT
 * when it is missing, another -errno when it cannot be read (why says). */
static int list_table(struct nft_isolator *n, const char *family, json_t **root, char *why,
		      size_t whylen)
{
	char cmd[64];
	json_error_t jerr;
	int ret;

	*root = NULL;
	snprintf(cmd, sizeof(cmd), "list table %s yamori", family);
	ret = run(n, cmd, true, why, whylen);
	if (ret < 0)
		return ret;
	*root = json_loads(nft_ctx_get_output_buffer(n->nft), 0, &jerr);
	if (!json_is_array(json_object_get(*root, "nftables"))) {
		ym_isolate_format(why, whylen, "nftables gave output Yamori cannot read");
		json_decref(*root);
		*root = NULL;
		return -EIO;
	}
	return 0;
}

/* Calls fn on every member of the table's set "isolated"; returns the count. */
static size_t each_member(json_t *root, void (*fn)(const uint8_t mac[6], void *), void *arg)
{
	json_t *item, *elems, *e;
	size_t i, k, count = 0;

	json_array_foreach(json_object_get(root, "nftables"), i, item) {
		json_t *set = json_object_get(item, "set");

		if (!set || !json_is_string(json_object_get(set, "name")) ||
		    strcmp(json_string_value(json_object_get(set, "name")), "isolated") != 0)
			continue;
		elems = json_object_get(set, "elem");
		json_array_foreach(elems, k, e) {
			uint8_t mac[6];

			/* Plain strings, or objects when elements carry
			 * counters or timeouts. */
			if (json_is_object(e))
				e = json_object_get(json_object_get(e, "elem"), "val");
			if (!json_is_string(e) || ym_mac_parse(json_string_value(e), mac) != 0)
				continue;
			fn(mac, arg);
			count++;
		}
	}
	return count;
}

struct find_arg {
	const uint8_t *mac;
	bool found;
};

static void find_cb(const uint8_t mac[6], void *arg)
{
	struct find_arg *f = arg;

	if (memcmp(mac, f->mac, 6) == 0)
		f->found = true;
}

/* Checks that each of Yamori's chains of this family is hooked where it
 * should be and holds exactly the rules Yamori wrote. */
static int check_chains(struct ym_isolator *iso, json_t *root, const char *family)
{
	for (size_t d = 0; d < YM_ARRAY_SIZE(chains); d++) {
		const struct chain_def *c = &chains[d];
		json_t *item;
		size_t i, rules = 0;
		bool hooked = false;

		if (strcmp(c->family, family) != 0)
			continue;
		json_array_foreach(json_object_get(root, "nftables"), i, item) {
			json_t *ch = json_object_get(item, "chain");
			json_t *ru = json_object_get(item, "rule");
			const char *name;

			if (ch) {
				name = json_string_value(json_object_get(ch, "name"));
				if (name && strcmp(name, c->name) == 0) {
					const char *hook = json_string_value(json_object_get(ch, "hook"));

					hooked = hook && strcmp(hook, c->hook) == 0;
				}
			} else if (ru) {
				name = json_string_value(json_object_get(ru, "chain"));
				if (name && strcmp(name, c->name) == 0)
					rules++;
			}
		}
		if (!hooked)
			return ym_isolate_say(iso, 0, "chain %s yamori %s is missing", family, c->name);
		if (rules != c->n_rules)
			return ym_isolate_say(iso, 0,
					      "chain %s yamori %s holds %zu rules, not Yamori's %zu",
					      family, c->name, rules, c->n_rules);
	}
	return 1;
}

static int nft_verify(struct ym_isolator *iso, const uint8_t mac[6])
{
	struct nft_isolator *n = ym_container_of(iso, struct nft_isolator, base);
	char m[YM_MAC_STRLEN];
	int ret = 1;

	ym_mac_format(mac, m);
	for (size_t f = 0; f < YM_ARRAY_SIZE(families) && ret == 1; f++) {
		struct find_arg fa = { mac, false };
		json_t *root;
		int err = list_table(n, families[f], &root, iso->reason, sizeof(iso->reason));

		if (err == -ENOENT)
			return ym_isolate_say(iso, 0, "table %s yamori is missing", families[f]);
		if (err < 0)
			return err;
		ret = check_chains(iso, root, families[f]);
		if (ret == 1) {
			each_member(root, find_cb, &fa);
			if (!fa.found)
				ret = ym_isolate_say(iso, 0, "%s is not in set %s yamori isolated", m,
						     families[f]);
		}
		json_decref(root);
	}
	if (ret == 1)
		iso->reason[0] = '\0';
	return ret;
}

/* True when both of Yamori's tables exist. Starting then changes nothing in
 * the kernel: a table someone tampered with is left for verify to report
 * and for the next apply to repair. */
static bool tables_present(struct nft_isolator *n)
{
	for (size_t f = 0; f < YM_ARRAY_SIZE(families); f++) {
		json_t *root;

		if (list_table(n, families[f], &root, NULL, 0) < 0)
			return false;
		json_decref(root);
	}
	return true;
}

struct list_arg {
	uint8_t (*macs)[6];
	size_t max, n;
};

/* Collects the union of both sets: a MAC in only one of them is half
 * isolated, and the daemon needs to see it to repair or release it. */
static void list_cb(const uint8_t mac[6], void *arg)
{
	struct list_arg *l = arg;
	size_t k, stored = l->n < l->max ? l->n : l->max;

	for (k = 0; k < stored; k++)
		if (memcmp(l->macs[k], mac, 6) == 0)
			return;
	if (l->n < l->max)
		memcpy(l->macs[l->n], mac, 6);
	l->n++;
}

static int nft_list(struct ym_isolator *iso, uint8_t (*macs)[6], size_t max)
{
	struct nft_isolator *n = ym_container_of(iso, struct nft_isolator, base);
	struct list_arg l = { macs, max, 0 };
	char why[128];

	for (size_t f = 0; f < YM_ARRAY_SIZE(families); f++) {
		json_t *root;
		int err = list_table(n, families[f], &root, why, sizeof(why));

		if (err == -ENOENT)
			continue; /* a missing table holds nobody */
		if (err < 0)
			return err;
		each_member(root, list_cb, &l);
		json_decref(root);
	}
	return l.n > (size_t)INT32_MAX ? INT32_MAX : (int)l.n;
}

static void nft_close(struct ym_isolator *iso, bool restore)
{
	struct nft_isolator *n = ym_container_of(iso, struct nft_isolator, base);

	/* The rules stay: isolation holds while the daemon is away. */
	(void)restore;
	nft_ctx_free(n->nft);
	free(n);
}

static const struct ym_isolate_ops nft_ops = {
	.apply = nft_apply,
	.release = nft_release,
	.verify = nft_verify,
	.list = nft_list,
	.close = nft_close,
};

int ym_isolate_nft_new(struct ym_isolator **out, const struct ym_isolate_env *env, char *err,
		       size_t errlen)
{
	struct nft_isolator *n = calloc(1, sizeof(*n));
	struct cmd *c = NULL;
	int ret = -ENOMEM;

	if (!n)
		goto out;
	n->base.ops = &nft_ops;
	n->base.mode = YM_ISOLATE_NFT;
	n->base.env = *env;
	n->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	c = calloc(1, sizeof(*c));
	if (!n->nft || !c)
		goto out;
	if (nft_ctx_buffer_output(n->nft) != 0 || nft_ctx_buffer_error(n->nft) != 0) {
		ym_isolate_format(err, errlen, "nftables: cannot buffer its output");
		ret = -EIO;
		goto out;
	}
	ret = 0;
	if (!tables_present(n)) {
		put_tables(c);
		put_self_addrs(c);
		ret = transact(n, c, err, errlen);
	}
	if (ret == -EPERM)
		ym_isolate_format(err, errlen, "nftables refused Yamori's tables: isolation needs CAP_NET_ADMIN");
out:
	if (ret == -ENOMEM)
		ym_isolate_format(err, errlen, "out of memory");
	free(c);
	if (ret < 0) {
		if (n && n->nft)
			nft_ctx_free(n->nft);
		free(n);
		return ret;
	}
	*out = &n->base;
	return 0;
}
