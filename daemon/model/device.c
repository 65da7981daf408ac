#include "device.h"

#include <stdio.h>
#include <string.h>

static const char *const flag_names[YM_FLAG_COUNT] = {
	"default_password", "unsupported", "no_support_contact",
	"outdated_firmware", "idle", "gone", "suspicious", "isolated",
	"retired", "randomized_mac",
};

const char *ym_flag_name(unsigned bit)
{
	return bit < YM_FLAG_COUNT ? flag_names[bit] : NULL;
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
