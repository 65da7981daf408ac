/* Identification's decision: from a device's evidence to its type,
 * maker, model and operating system, with a confidence. Each kind of
 * signal counts once; a maker needs corroboration over a module's
 * registry name; router and access point need routing evidence; the
 * household's answer wins. identify.c gathers the evidence. */
#include "identify.h"
#include "identify-private.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "ym-limits.h"

/* The kind of signal an evidence entry came from, for weighing: a name
 * looked up and then connected to is one fact, and so is one host name
 * said over DHCP, mDNS, NetBIOS and LLMNR. */
static int signal_of(const struct ym_evidence *e)
{
	for (int s = 0; s < YM_SIG_COUNT; s++) {
		if (strcmp(ym_signal_name((enum ym_signal)s), e->signal) != 0)
			continue;
		switch (s) {
		case YM_SIG_TLS_SNI:
			return YM_SIG_DNS_QUERY;
		case YM_SIG_MDNS_NAME:
		case YM_SIG_NETBIOS_NAME:
		case YM_SIG_LLMNR_NAME:
		case YM_SIG_DHCP_FQDN:
			return YM_SIG_DHCP_HOSTNAME;
		default:
			return s;
		}
	}
	return YM_SIG_GATEWAY;
}

struct tally {
	const char *key;
	float miss[YM_SIG_COUNT]; /* per signal: 1 - strongest weight */
	float best_weight;
};

/* Combines evidence for one candidate: per kind of signal only the
 * strongest piece counts, so ten DNS lookups weigh as one. */
static int tally_add(struct tally *t, int n, int max, const char *key,
		     int sig, float w)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcasecmp(t[i].key, key) == 0)
			break;
	if (i == n) {
		if (n == max)
			return n;
		t[n].key = key;
		for (int s = 0; s < YM_SIG_COUNT; s++)
			t[n].miss[s] = 1.0f;
		t[n].best_weight = 0;
		n++;
	}
	if (sig >= 0 && sig < YM_SIG_COUNT && 1.0f - w < t[i].miss[sig])
		t[i].miss[sig] = 1.0f - w;
	if (w > t[i].best_weight)
		t[i].best_weight = w;
	return n;
}

static float tally_score(const struct tally *t, int *kinds)
{
	float miss = 1.0f;

	*kinds = 0;
	for (int s = 0; s < YM_SIG_COUNT; s++) {
		if (t->miss[s] < 1.0f)
			(*kinds)++;
		miss *= t->miss[s];
	}
	return 1.0f - miss;
}

static int best_of(const struct tally *t, int n, const bool *skip,
		   float *best, float *second, int *kinds)
{
	int bi = -1, k;

	*best = *second = 0;
	*kinds = 0;
	for (int i = 0; i < n; i++) {
		float s;

		if (skip && skip[i])
			continue;
		s = tally_score(&t[i], &k);

		if (s > *best) {
			*second = *best;
			*best = s;
			bi = i;
			*kinds = k;
		} else if (s > *second) {
			*second = s;
		}
	}
	return bi;
}

/* Other kinds of signal that name the same maker as the evidence for a
 * type (a Tapo hostname and a lookup of TP-Link's cloud) corroborate it.
 * The registry's name counts too when it names that brand itself (an
 * Edimax camera model in the host name of an Edimax address): two
 * independent facts. A module maker's name never does. */
static int corroborating_kinds(const struct ym_identify *id,
			       const struct ym_device *d, const char *type)
{
	bool kind_for_type[YM_SIG_COUNT] = { false }, counted[YM_SIG_COUNT] = {
		false
	};
	int extra = 0;

	for (uint8_t i = 0; i < d->n_evidence; i++)
		if (strcmp(d->evidence[i].type, type) == 0)
			kind_for_type[signal_of(&d->evidence[i])] = true;
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *t = &d->evidence[i];

		if (strcmp(t->type, type) != 0 || !t->vendor[0])
			continue;
		for (uint8_t j = 0; j < d->n_evidence; j++) {
			const struct ym_evidence *v = &d->evidence[j];
			int s = signal_of(v);

			if (kind_for_type[s] || counted[s] || v->type[0] ||
			    strcasecmp(v->vendor, t->vendor) != 0 ||
			    (s == YM_SIG_OUI &&
			     ym_identify_tier(id, v->vendor) != TIER_BRAND))
				continue;
			counted[s] = true;
			extra++;
		}
	}
	return extra;
}

const struct plausible *ym_identify_plausible(const struct ym_identify *id,
					      const char *vendor)
{
	for (size_t i = 0; id && vendor[0] && i < id->n_plaus; i++)
		if (strcasecmp(id->plaus[i].vendor, vendor) == 0)
			return &id->plaus[i];
	return NULL;
}

/* What plausible.rules says of the brand and the type: 1 it makes such
 * things, 0 it does not, -1 no line for the brand (nothing either way). */
static int brand_makes(const struct ym_identify *id, const char *vendor,
		       const char *type)
{
	const struct plausible *p = ym_identify_plausible(id, vendor);
	char needle[32];

	if (!p)
		return -1;
	snprintf(needle, sizeof(needle), ",%s,", type);
	return strstr(p->types, needle) != NULL;
}

static bool plausible(const struct ym_identify *id, const char *vendor,
		      const char *type)
{
	return brand_makes(id, vendor, type) != 0;
}

/* True only when plausible.rules lists the type for that brand. */
static bool listed(const struct ym_identify *id, const char *vendor,
		   const char *type)
{
	return brand_makes(id, vendor, type) == 1;
}

int ym_identify_tier(const struct ym_identify *id, const char *vendor)
{
	for (size_t i = 0; id && i < id->n_modules; i++)
		if (ym_glob_match(id->modules[i].vendor, vendor, NULL, 0))
			return id->modules[i].tier;
	return TIER_BRAND;
}

/* The maker: the strongest brand, else the strongest platform (a Tuya
 * cloud), else the module maker the registry names. */
static int pick_vendor(const struct ym_identify *id, const struct tally *t,
		       int n)
{
	int best = -1, best_tier = 0, k;
	float best_score = 0;

	for (int i = 0; i < n; i++) {
		float s = tally_score(&t[i], &k);
		int tier = ym_identify_tier(id, t[i].key);

		if (s < YM_VENDOR_MIN_SCORE)
			continue;
		if (tier > best_tier || (tier == best_tier && s > best_score)) {
			best = i;
			best_tier = tier;
			best_score = s;
		}
	}
	return best;
}

static bool infrastructure_type(const char *type)
{
	return strcmp(type, "router") == 0 || strcmp(type, "access_point") == 0;
}

/* Routing evidence: it is the gateway, answers DHCP as a server, sends
 * router advertisements or forwards internet traffic, or it announces
 * itself the way network gear does (LLDP, CDP). A DHCP client, an HNAP
 * or IGD service alone is not enough. */
static bool forwards(const struct ym_device *d);

static bool routes(const struct ym_device *d)
{
	if (d->gateway || d->dhcp_server || forwards(d))
		return true;
	for (uint8_t i = 0; i < d->n_evidence; i++)
		if (strcmp(d->evidence[i].signal, "gateway") == 0)
			return true;
	return false;
}

/* Routing evidence beyond DHCP: a plug, camera or sensor in set-up mode
 * serves its own Wi-Fi network and answers the phone's DHCP naming itself
 * the router, but forwards nothing and announces no IPv6 prefix. */
static bool forwards(const struct ym_device *d)
{
	if (d->sent_ra || d->remote_src_pkts >= 10)
		return true;
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		int s = signal_of(&d->evidence[i]);

		if (s == YM_SIG_LLDP_NAME || s == YM_SIG_LLDP_DESCRIPTION)
			return true;
	}
	return false;
}

static bool type_brand_disagrees(const struct ym_identify *id,
				 const struct ym_device *d, const char *type,
				 const char *vendor)
{
	const struct ym_evidence *top = NULL;

	if (!vendor[0] || ym_identify_tier(id, vendor) != TIER_BRAND)
		return false;
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *e = &d->evidence[i];

		if (strcmp(e->type, type) == 0 &&
		    (!top || e->weight > top->weight))
			top = e;
	}
	return top && top->vendor[0] &&
	       ym_identify_tier(id, top->vendor) == TIER_BRAND &&
	       strcasecmp(top->vendor, vendor) != 0;
}

/* A type read from a name that says no maker ("dlink-mov" says motion
 * sensor), on a device whose brand other kinds of signal name (its mDNS
 * service, its cloud, its registry entry) and which plausible.rules says
 * makes such things: the brand corroborates the reading. Only when no
 * piece of evidence for the type names another maker. Returns the kinds
 * of signal that name the brand and carry no type evidence. */
static int brand_corroborates(const struct ym_identify *id,
			      const struct ym_device *d, const char *type,
			      const char *vendor)
{
	bool kind_for_type[YM_SIG_COUNT] = { false }, counted[YM_SIG_COUNT] = {
		false
	};
	int extra = 0;

	if (!vendor[0] || ym_identify_tier(id, vendor) != TIER_BRAND ||
	    !listed(id, vendor, type))
		return 0;
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *e = &d->evidence[i];

		if (strcmp(e->type, type) != 0)
			continue;
		if (e->vendor[0] && strcasecmp(e->vendor, vendor) != 0)
			return 0;
		kind_for_type[signal_of(e)] = true;
	}
	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *v = &d->evidence[i];
		int s = signal_of(v);

		if (kind_for_type[s] || counted[s] ||
		    (v->type[0] && strcmp(v->type, type) != 0) ||
		    strcasecmp(v->vendor, vendor) != 0 || v->weight < 0.3f)
			continue;
		counted[s] = true;
		extra++;
	}
	return extra;
}

/* Two brands are named about as strongly (a Samsung registry entry and a
 * D-Link host name): neither may vouch for a maker-less reading. */
static bool brands_disagree(const struct ym_identify *id,
			    const struct tally *ve, int nv, int bv)
{
	float best, other = 0;
	int k;

	if (bv < 0)
		return false;
	best = tally_score(&ve[bv], &k);
	for (int i = 0; i < nv; i++) {
		float sc;

		if (i == bv || ym_identify_tier(id, ve[i].key) != TIER_BRAND)
			continue;
		sc = tally_score(&ve[i], &k);
		if (sc > other)
			other = sc;
	}
	return other >= 0.8f * best;
}

/* A type named only because the brand corroborates a maker-less name is
 * never sure. */
#define YM_BRAND_CORROBORATED_CONF 0.6f

/* A router that only its DHCP answers say is one is never sure. */
#define YM_DHCP_ONLY_ROUTER_CONF 0.5f

/* The one type a brand makes, when plausible.rules lists exactly one. */
static bool only_type(const struct ym_identify *id, const char *vendor,
		      char *out, size_t len)
{
	const struct plausible *p = ym_identify_plausible(id, vendor);
	const char *t = p ? p->types + 1 : NULL, *end;

	if (!t)
		return false;
	end = strchr(t, ',');
	if (!end || end[1] != '\0' || (size_t)(end - t) >= len)
		return false;
	snprintf(out, len, "%.*s", (int)(end - t), t);
	return true;
}

/* Keeps the "its maker makes only this" entry in step with the decision:
 * it carries no type or vendor field, so it never weighs in itself. */
static bool maker_evidence(struct ym_device *d, const char *vendor,
			   const char *type)
{
	struct ym_evidence e;

	for (uint8_t i = 0; i < d->n_evidence; i++) {
		struct ym_evidence *x = &d->evidence[i];

		if (strcmp(x->signal, "maker") != 0)
			continue;
		if (vendor && strcmp(x->value, vendor) == 0)
			return false;
		*x = d->evidence[--d->n_evidence];
		d->dirty = true;
		if (!vendor)
			return true;
		break;
	}
	if (!vendor)
		return false;
	memset(&e, 0, sizeof(e));
	snprintf(e.signal, sizeof(e.signal), "maker");
	ym_strlcpy_clean(e.value, vendor, strlen(vendor), sizeof(e.value));
	snprintf(e.conclusion, sizeof(e.conclusion), "type %s", type);
	return ym_identify_add_evidence(d, &e);
}

/* The traffic must read as another kind at least this surely before an
 * evidence line says it disagrees with the household. */
#define YM_DISAGREE_CONF 0.6f

/* Keeps the one evidence line of a signal in step: replaced when value or
 * conclusion changed, removed when value is NULL. These lines carry no
 * type or vendor field, so they never weigh in the tally themselves. */
static bool keep_line(struct ym_device *d, const char *signal,
		      const char *value, const char *conclusion)
{
	struct ym_evidence e;
	bool changed = false;

	for (uint8_t i = 0; i < d->n_evidence; i++) {
		struct ym_evidence *x = &d->evidence[i];

		if (strcmp(x->signal, signal) != 0)
			continue;
		if (value && strcmp(x->value, value) == 0 &&
		    strcmp(x->conclusion, conclusion) == 0)
			return changed;
		*x = d->evidence[--d->n_evidence];
		d->dirty = true;
		changed = true;
		i--;
	}
	if (!value)
		return changed;
	memset(&e, 0, sizeof(e));
	snprintf(e.signal, sizeof(e.signal), "%s", signal);
	ym_strlcpy_clean(e.value, value, strlen(value), sizeof(e.value));
	ym_strlcpy_clean(e.conclusion, conclusion, strlen(conclusion),
			 sizeof(e.conclusion));
	/* The strongest weight: a full list never evicts the household. */
	e.weight = 1.0f;
	return ym_identify_add_evidence(d, &e) || changed;
}

/* The household's word decides: its kind, and its maker when it named
 * one; the traffic's reading stays visible as a line of its own when it
 * strongly says something else, and costs some confidence. Never a
 * silent override either way. */
static bool household_decides(struct ym_device *d, const char **type,
			      const char **vendor, const char **model,
			      float *conf)
{
	char text[96];
	bool changed, disagrees;

	disagrees = strcmp(*type, "unknown") != 0 &&
		    strcmp(*type, d->user_type) != 0 &&
		    *conf >= YM_DISAGREE_CONF;
	snprintf(text, sizeof(text), "traffic suggests %s", *type);
	changed = keep_line(d, "traffic", disagrees ? *type : NULL, text);
	if (d->user_vendor[0])
		snprintf(text, sizeof(text), "type %s; vendor %s", d->user_type,
			 d->user_vendor);
	else
		snprintf(text, sizeof(text), "type %s", d->user_type);
	changed |= keep_line(d, "household", d->user_type, text);
	if (d->user_vendor[0]) {
		/* A model read from another maker's names is not this one. */
		if (strcasecmp(*vendor, d->user_vendor) != 0)
			*model = "";
		*vendor = d->user_vendor;
	}
	*type = d->user_type;
	*conf = disagrees ? 0.8f : 1.0f;
	return changed;
}

int ym_identify_household(const struct ym_identify *id, struct ym_device *d,
			  const char *type, const char *vendor)
{
	if (type && (!ym_identify_known_type(type) || strcmp(type, "unknown") == 0))
		return -EINVAL;
	if (!type) {
		d->user_type[0] = '\0';
		d->user_vendor[0] = '\0';
		keep_line(d, "household", NULL, "");
		keep_line(d, "traffic", NULL, "");
	} else {
		snprintf(d->user_type, sizeof(d->user_type), "%s", type);
		vendor = vendor ? vendor : "";
		ym_strlcpy_clean(d->user_vendor, vendor, strlen(vendor),
				 sizeof(d->user_vendor));
	}
	d->dirty = true;
	ym_identify_decide(id, d);
	return 0;
}

static bool set_text(char *dst, size_t len, const char *src)
{
	if (strcmp(dst, src) == 0)
		return false;
	snprintf(dst, len, "%s", src);
	return true;
}

/* Sums the evidence by type and by vendor; the strongest model and
 * operating system win. */
static void tally_evidence(const struct ym_device *d, struct tally *ty,
			   int *nt, struct tally *ve, int *nv,
			   const char **model, const char **os)
{
	float model_w = 0, os_w = 0;

	for (uint8_t i = 0; i < d->n_evidence; i++) {
		const struct ym_evidence *e = &d->evidence[i];
		int sig = signal_of(e);
		if (e->type[0])
			*nt = tally_add(ty, *nt, YM_MAX_EVIDENCE, e->type, sig,
					e->weight);
		if (e->vendor[0])
			*nv = tally_add(ve, *nv, YM_MAX_EVIDENCE, e->vendor,
					sig, e->weight);
		if (e->model[0] && e->weight > model_w) {
			*model = e->model;
			model_w = e->weight;
		}
		if (e->os[0] && e->weight > os_w) {
			*os = e->os;
			os_w = e->weight;
		}
	}
}

/* Adds a kind to the household's first choices, once. */
static void offer(struct ym_device *d, const char *type)
{
	if (!type[0] || strcmp(type, "unknown") == 0 ||
	    d->n_maybe == YM_MAYBE_KINDS || strlen(type) >= sizeof(d->maybe[0]))
		return;
	for (uint8_t i = 0; i < d->n_maybe; i++)
		if (strcmp(d->maybe[i], type) == 0)
			return;
	snprintf(d->maybe[d->n_maybe++], sizeof(d->maybe[0]), "%s", type);
}

/* The kinds its maker makes (plausible.rules), in the file's order, its
 * network gear last: a maker of routers and plugs whose device does not
 * route is more likely a plug. A router or access point only when it
 * routes. */
static void offer_maker_kinds(const struct ym_identify *id,
			      struct ym_device *d, const char *vendor,
			      bool has_routes)
{
	const struct plausible *p = ym_identify_plausible(id, vendor);

	if (!p || ym_identify_tier(id, vendor) != TIER_BRAND)
		return;
	for (int gear = 0; gear < 2; gear++) {
		/* types is ",a,b,": each kind between two commas. */
		const char *t = p->types + 1, *end;

		for (; (end = strchr(t, ',')) != NULL; t = end + 1) {
			char kind[24];
			bool is_gear;

			snprintf(kind, sizeof(kind), "%.*s", (int)(end - t), t);
			is_gear = infrastructure_type(kind) ||
				  strcmp(kind, "network") == 0;
			if (is_gear == (gear == 1) &&
			    (has_routes || !infrastructure_type(kind)))
				offer(d, kind);
		}
	}
}

/* What the household is offered first when it tells what the device is:
 * the traffic's reading, the kinds its traffic leans to (strongest
 * first), then the kinds its maker makes. A router or access point only
 * when it routes: a sensor in set-up mode is none. True when the list
 * changed. */
static bool offer_kinds(const struct ym_identify *id, struct ym_device *d,
			const struct tally *ty, int nt, const bool *skip,
			const char *type, const char *vendor, bool has_routes)
{
	char before[sizeof(d->maybe)];
	uint8_t n_before = d->n_maybe;
	bool used[YM_MAX_EVIDENCE] = { false };
	int k;

	memcpy(before, d->maybe, sizeof(before));
	memset(d->maybe, 0, sizeof(d->maybe));
	d->n_maybe = 0;
	offer(d, type);
	for (;;) {
		int bi = -1;
		float bs = 0;

		for (int i = 0; i < nt; i++) {
			float sc = tally_score(&ty[i], &k);

			if (!used[i] && !skip[i] && (bi < 0 || sc > bs)) {
				bi = i;
				bs = sc;
			}
		}
		if (bi < 0)
			break;
		used[bi] = true;
		offer(d, ty[bi].key);
	}
	offer_maker_kinds(id, d, vendor, has_routes);
	return n_before != d->n_maybe ||
	       memcmp(before, d->maybe, sizeof(before)) != 0;
}

/* Writes the decision into the record (the confidence in hundredths);
 * the record is dirty when anything changed. */
static void set_decision(struct ym_device *d, bool changed, const char *type,
			 const char *vendor, const char *model,
			 const char *os, float conf)
{
	if (conf < 0)
		conf = 0;
	conf = roundf(conf * 100.0f) / 100.0f;
	changed |= set_text(d->type, sizeof(d->type), type);
	changed |= set_text(d->vendor, sizeof(d->vendor), vendor);
	changed |= set_text(d->model, sizeof(d->model), model);
	changed |= set_text(d->os, sizeof(d->os), os);
	if (d->confidence != conf) {
		d->confidence = conf;
		changed = true;
	}
	if (changed)
		d->dirty = true;
}

void ym_identify_decide(const struct ym_identify *id, struct ym_device *d)
{
	struct tally ty[YM_MAX_EVIDENCE], ve[YM_MAX_EVIDENCE];
	int nt = 0, nv = 0, bt, bv, kinds;
	float best, second, conf, skipped = 0;
	bool skip[YM_MAX_EVIDENCE] = { false }, has_routes, by_brand = false;
	const char *type = "unknown", *vendor = "", *model = "", *os = "";
	char only[24] = "";
	bool changed = false;

	tally_evidence(d, ty, &nt, ve, &nv, &model, &os);
	/* A faint hint (an app's cloud a phone also uses) names no maker. */
	bv = pick_vendor(id, ve, nv);
	if (bv >= 0)
		vendor = ve[bv].key;
	/* A router or access point needs routing evidence; without it that
	 * reading only speaks against the others. */
	has_routes = routes(d);
	for (int i = 0; i < nt; i++) {
		if (!has_routes && infrastructure_type(ty[i].key)) {
			int k;
			float s = tally_score(&ty[i], &k);

			skip[i] = true;
			if (s > skipped)
				skipped = s;
		}
	}
	bt = best_of(ty, nt, skip, &best, &second, &kinds);
	if (has_routes && bt >= 0 && infrastructure_type(ty[bt].key)) {
		/* It routes, but names itself strongly as something else (a
		 * camera or a plug in set-up mode serves its own Wi-Fi and
		 * DHCP): the device's own name wins, and the disagreement
		 * costs confidence. */
		bool other_strong = false;

		for (int i = 0; i < nt && !other_strong; i++) {
			int k;
			float sc;

			if (infrastructure_type(ty[i].key))
				continue;
			if (ty[i].best_weight >= YM_STRONG_WEIGHT) {
				other_strong = true;
				continue;
			}
			/* Or a reading two kinds of signal agree on, or
			 * that its brand vouches for. */
			sc = tally_score(&ty[i], &k);
			if (sc < YM_TYPE_MIN_SCORE)
				continue;
			k += corroborating_kinds(id, d, ty[i].key);
			if (k >= 2 || (!brands_disagree(id, ve, nv, bv) &&
				       brand_corroborates(id, d, ty[i].key,
							  vendor) > 0))
				other_strong = true;
		}
		if (other_strong) {
			for (int i = 0; i < nt; i++) {
				if (infrastructure_type(ty[i].key)) {
					int k;
					float sc = tally_score(&ty[i], &k);

					skip[i] = true;
					if (2.0f * sc > skipped)
						skipped = 2.0f * sc;
				}
			}
			bt = best_of(ty, nt, skip, &best, &second, &kinds);
		}
	}
	if (0.5f * skipped > second)
		second = 0.5f * skipped;
	if (bt >= 0)
		kinds += corroborating_kinds(id, d, ty[bt].key);
	if (bt >= 0 && kinds < 2 && ty[bt].best_weight < YM_STRONG_WEIGHT &&
	    !brands_disagree(id, ve, nv, bv) &&
	    brand_corroborates(id, d, ty[bt].key, vendor) > 0) {
		kinds = 2;
		by_brand = true;
	}
	conf = best - 0.5f * second;
	if (bt >= 0 && best >= YM_TYPE_MIN_SCORE &&
	    (kinds >= 2 || ty[bt].best_weight >= YM_STRONG_WEIGHT)) {
		type = ty[bt].key;
		if (by_brand && conf > YM_BRAND_CORROBORATED_CONF)
			conf = YM_BRAND_CORROBORATED_CONF;
		/* A maker that does not make such things makes Yamori less
		 * sure, not more. */
		if (!plausible(id, vendor, type))
			conf *= 0.6f;
		/* The evidence for the type names another brand than the
		 * one decided: the two readings disagree. */
		if (type_brand_disagrees(id, d, type, vendor))
			conf *= 0.8f;
	} else {
		/* Weak evidence does not name a type, and says so with a low
		 * confidence. */
		conf = (best > skipped ? best : skipped) * 0.5f;
		if (conf > 0.4f)
			conf = 0.4f;
	}
	/* Named router by its own DHCP answers only: set-up mode looks the
	 * same, so it is a guess. */
	if (infrastructure_type(type) && !forwards(d) &&
	    conf > YM_DHCP_ONLY_ROUTER_CONF)
		conf = YM_DHCP_ONLY_ROUTER_CONF;
	/* A brand named strongly that makes one kind of networked thing only
	 * (plausible.rules) names that kind, never confidently. */
	if (strcmp(type, "unknown") == 0 && bv >= 0 &&
	    ym_identify_tier(id, vendor) == TIER_BRAND &&
	    only_type(id, vendor, only, sizeof(only))) {
		int k;
		float vs = tally_score(&ve[bv], &k);

		if (vs >= 0.6f) {
			type = only;
			conf = vs * 0.7f > 0.6f ? 0.6f : vs * 0.7f;
		}
	}
	changed |= maker_evidence(d, type == only ? vendor : NULL, only);
	changed |= offer_kinds(id, d, ty, nt, skip, type, vendor, has_routes);
	if (d->user_type[0])
		changed |= household_decides(d, &type, &vendor, &model, &conf);
	set_decision(d, changed, type, vendor, model, os, conf);
}
