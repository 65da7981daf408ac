#include "device.h"

#include <stdio.h>
#include <string.h>

static const char *const flag_names[YM_FLAG_COUNT] = {
	"default_password", "unsupported", "no_support_contact",
	"outdated_firmware", "idle", "gone", "suspicious", "isolated",
	"retired", "randomized_mac",
};

/* DESIGN.md's device types. */
static const char *const types[] = {
	"router", "access_point", "network", "camera", "doorbell", "alarm",
	"sensor", "lock", "hub", "light", "smart_plug", "thermostat",
	"appliance", "robot_vacuum", "health", "tv", "streaming", "speaker",
	"smart_speaker", "game_console", "printer", "nas", "computer", "phone",
	"tablet", "wearable", "voip", "unknown",
};

bool ym_device_type_known(const char *type)
{
	for (size_t i = 0; type && i < YM_ARRAY_SIZE(types); i++)
		if (strcmp(types[i], type) == 0)
			return true;
	return false;
}

const char *ym_flag_name(unsigned bit)
{
	return bit < YM_FLAG_COUNT ? flag_names[bit] : NULL;
}

static const char *const audit_end_words[YM_AUDIT_END_COUNT] = {
	"default_password", "open", "defaults_refused", "not_checked",
	"no_login",
};

const char *ym_audit_end_word(enum ym_audit_end end)
{
	return (unsigned)end < YM_AUDIT_END_COUNT ? audit_end_words[end] : NULL;
}

bool ym_audit_end_known(const char *word)
{
	for (int i = 0; i < YM_AUDIT_END_COUNT; i++)
		if (strcmp(word, audit_end_words[i]) == 0)
			return true;
	return false;
}

bool ym_device_has_ip(const struct ym_device *d, const struct ym_addr *a)
{
	for (uint8_t i = 0; i < d->n_ips; i++)
		if (ym_addr_equal(&d->ips[i].addr, a))
			return true;
	return false;
}

void ym_device_add_evidence(struct ym_device *dev, const char *signal,
			    const char *value, const char *conclusion)
{
	struct ym_evidence *e = NULL;

	for (uint8_t i = 0; i < dev->n_evidence; i++) {
		if (strcmp(dev->evidence[i].signal, signal) == 0 &&
		    strcmp(dev->evidence[i].value, value) == 0) {
			if (strcmp(dev->evidence[i].conclusion, conclusion) == 0)
				return;
			e = &dev->evidence[i];
			break;
		}
	}
	if (!e) {
		/* A full list keeps its oldest entries: the first signals
		 * (vendor, hostname) are the ones identification rests on. */
		if (dev->n_evidence >= YM_MAX_EVIDENCE)
			return;
		e = &dev->evidence[dev->n_evidence++];
	}
	memset(e, 0, sizeof(*e));
	snprintf(e->signal, sizeof(e->signal), "%s", signal);
	ym_strlcpy_clean(e->value, value, strlen(value), sizeof(e->value));
	snprintf(e->conclusion, sizeof(e->conclusion), "%s", conclusion);
	dev->dirty = true;
}

void ym_device_maybe_format(const struct ym_device *d, char *out, size_t len)
{
	size_t used = 0;

	if (len)
		out[0] = '\0';
	for (uint8_t i = 0; i < d->n_maybe && i < YM_MAYBE_KINDS; i++) {
		int n = snprintf(out + used, len - used, "%s%s", i ? "," : "",
				 d->maybe[i]);

		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

void ym_device_maybe_parse(struct ym_device *d, const char *text)
{
	d->n_maybe = 0;
	while (text && *text && d->n_maybe < YM_MAYBE_KINDS) {
		const char *end = strchr(text, ',');
		size_t n = end ? (size_t)(end - text) : strlen(text);
		char kind[sizeof(d->maybe[0])];
		bool again = false;

		if (n < sizeof(kind)) {
			memcpy(kind, text, n);
			kind[n] = '\0';
			for (uint8_t i = 0; i < d->n_maybe; i++)
				again |= strcmp(d->maybe[i], kind) == 0;
			if (!again && ym_device_type_known(kind) &&
			    strcmp(kind, "unknown") != 0)
				memcpy(d->maybe[d->n_maybe++], kind, n + 1);
		}
		text = end ? end + 1 : NULL;
	}
}
