/* isolate = none: Yamori reports, and says plainly that it cuts nothing off. */
#include "isolate-backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int none_apply(struct ym_isolator *iso, const struct ym_isolate_target *t, char *why,
		      size_t whylen)
{
	(void)iso;
	(void)t;
	if (why && whylen)
		snprintf(why, whylen, "isolation is turned off (isolate = none); Yamori only reports");
	return -ENOTSUP;
}

static int none_release(struct ym_isolator *iso, const uint8_t mac[6], char *why, size_t whylen)
{
	(void)iso;
	(void)mac;
	(void)why;
	(void)whylen;
	return 0; /* nothing was ever isolated */
}

static int none_verify(struct ym_isolator *iso, const uint8_t mac[6])
{
	(void)mac;
	return ym_isolate_say(iso, 0, "isolation is turned off (isolate = none)");
}

static int none_list(struct ym_isolator *iso, uint8_t (*macs)[6], size_t max)
{
	(void)iso;
	(void)macs;
	(void)max;
	return 0;
}

static void none_close(struct ym_isolator *iso, bool restore)
{
	(void)restore;
	free(iso);
}

static const struct ym_isolate_ops none_ops = {
	.apply = none_apply,
	.release = none_release,
	.verify = none_verify,
	.list = none_list,
	.close = none_close,
};

int ym_isolate_none_new(struct ym_isolator **out, const struct ym_isolate_env *env, char *err,
			size_t errlen)
{
	struct ym_isolator *iso = calloc(1, sizeof(*iso));

	if (!iso) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	iso->ops = &none_ops;
	iso->mode = YM_ISOLATE_NONE;
	iso->env = *env;
	*out = iso;
	return 0;
}
