/* The support knowledge base (data/support/): per maker the support
 * contact in Japan, per model the end of support, the latest firmware and
 * the steps to reset it to factory state, and plain reset steps per device
 * type. Every entry names its source; an unknown date stays unknown. */
#ifndef YM_SUPPORT_H
#define YM_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum ym_eos {
	YM_EOS_UNKNOWN = 0,
	YM_EOS_SUPPORTED,
	YM_EOS_DATE,
	YM_EOS_ENDED,           /* over, the maker gives no date */
};

struct ym_support_entry {
	char vendor[32];
	char pattern[64];       /* model glob, lower case; "" for vendor/generic */
	char type[24];
	enum ym_eos eos;
	uint64_t eos_us;        /* end of support, for YM_EOS_DATE */
	char latest_firmware[32];
	char contact_web[160];
	char contact_phone[64];
	char reset_ja[600];     /* steps separated by '|' */
	char reset_en[600];
	char source[256];
};

struct ym_support;

/* Loads every .kb file in dir. On a bad line returns -EINVAL with
 * "FILE:LINE: reason" in err; a missing dir is -ENOENT. */
int ym_support_init(struct ym_support **out, const char *dir, char *err,
		    size_t errlen) YM_MUST_CHECK;
void ym_support_fini(struct ym_support *s);

size_t ym_support_count(const struct ym_support *s);

/* The model entry for a vendor and model (case-insensitive), or NULL. */
const struct ym_support_entry *ym_support_model(const struct ym_support *s,
						const char *vendor,
						const char *model);

/* The vendor's contact entry, or NULL. */
const struct ym_support_entry *ym_support_vendor(const struct ym_support *s,
						 const char *vendor);

/* Generic reset steps for a device type, or NULL. */
const struct ym_support_entry *ym_support_generic(const struct ym_support *s,
						  const char *type);

/* Whether rule 1 could check a device: it needs to know what the device
 * is, and an entry for its maker or model. */
enum ym_support_check {
	YM_SUPPORT_CHECKED = 0,
	YM_SUPPORT_UNKNOWN_KIND,  /* the type is unknown */
	YM_SUPPORT_NO_ENTRY,      /* no entry for its maker or model */
};

/* The check rule 1 could make for a device of this type, vendor, model. */
enum ym_support_check ym_support_check(const struct ym_support *s,
				       const char *type, const char *vendor,
				       const char *model);

/* "checked", "unknown_kind" or "no_entry". */
const char *ym_support_check_name(enum ym_support_check c);

/* Compares dotted version strings by their numbers ("1.10" > "1.9");
 * returns <0, 0 or >0. Text without digits compares as equal. */
int ym_version_compare(const char *a, const char *b);

#endif
