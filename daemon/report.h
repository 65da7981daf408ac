/* The JSON forms of the interface contract (DESIGN.md): device and alert
 * objects, shared by yamorictl and, later, the daemon's API. */
#ifndef YM_REPORT_H
#define YM_REPORT_H

#include <jansson.h>

#include "store.h"

struct ym_device;
struct ym_support;

/* The household's name for the device, else its best hostname, else "". */
const char *ym_device_display_name(const struct ym_device *d);

/* A device object with the contract's fields; NULL when out of memory. */
json_t *ym_report_device(const struct ym_device *d);

/* A device as the API and "yamorictl devices --json" give it: the
 * contract's fields, and for the panel the maker's support contact and the
 * steps to reset it (rules 1 and 4) from kb (may be NULL: no entries). */
json_t *ym_report_device_support(const struct ym_device *d,
				 const struct ym_support *kb);

/* An alert object with the contract's fields, the message localized and
 * naming the device by name (the household's, else its own, else MAC). */
json_t *ym_report_alert(const struct ym_alert_row *a, const char *name);

/* The localized message template for an alert kind, with one %s for the
 * device's name. */
const char *ym_report_alert_message(const char *kind);

/* The line every alert screen shows: Yamori never asks for money or
 * passwords. */
const char *ym_report_trust_line(void);

#endif
