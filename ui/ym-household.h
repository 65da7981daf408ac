/* What the panel knows about the household: the daemon's devices, alerts
 * and status, refreshed on connection, on every pushed event and now and
 * then. Pages read it and listen to "changed". */
#pragma once

#include "ym-client.h"

G_BEGIN_DECLS

typedef enum {
	YM_LEVEL_SAFE,
	YM_LEVEL_CAUTION,
	YM_LEVEL_DANGER,
} YmLevel;

#define YM_TYPE_HOUSEHOLD (ym_household_get_type())
G_DECLARE_FINAL_TYPE(YmHousehold, ym_household, YM, HOUSEHOLD, GObject)

YmHousehold *ym_household_new(YmClient *client);
YmClient *ym_household_get_client(YmHousehold *self);

/* Asks the daemon again; answers coalesce into one "changed". */
void ym_household_refresh(YmHousehold *self);

/* TRUE once devices and alerts arrived from a running daemon. */
gboolean ym_household_get_loaded(YmHousehold *self);

/* Devices (not retired), gateway last, as JsonObjects; never NULL. */
GPtrArray *ym_household_get_devices(YmHousehold *self);
JsonObject *ym_household_find_device(YmHousehold *self, const char *mac);

/* Open (not acknowledged) alerts, newest first, as JsonObjects. */
GPtrArray *ym_household_get_alerts(YmHousehold *self);

/* The daemon's status object, or NULL. */
JsonObject *ym_household_get_status(YmHousehold *self);

/* The household's state from the open alerts: critical is danger, warning
 * is caution, anything else is safe. */
YmLevel ym_household_get_level(YmHousehold *self);

/* The worst severity among the open alerts about MAC. */
YmLevel ym_household_device_alert_level(YmHousehold *self, const char *mac);

/* Whether the household told the daemon never to isolate DEVICE: the
 * device's "never_isolate" as the daemon reports it. */
gboolean ym_household_get_never_isolate(YmHousehold *self, JsonObject *device);

G_END_DECLS
