#include "ym-household.h"

#include <string.h>

/* Seconds between refreshes without events: new devices and changed flags
 * raise no event of their own. */
#define YM_REFRESH_SECONDS 30

struct _YmHousehold {
	GObject parent_instance;

	YmClient *client;
	GPtrArray *devices;  /* JsonObject */
	GPtrArray *alerts;   /* JsonObject */
	JsonObject *status;
	GCancellable *cancellable;
	guint refresh_source;
	int in_flight;
	gboolean again;
	gboolean loaded;
	/* Answers of the refresh in flight, swapped in when all arrived. */
	GPtrArray *new_devices, *new_alerts;
	JsonObject *new_status;
};

G_DEFINE_TYPE(YmHousehold, ym_household, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static GPtrArray *objects_of(JsonNode *node)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(
		(GDestroyNotify)json_object_unref);
	JsonArray *array;

	if (!node || !JSON_NODE_HOLDS_ARRAY(node))
		return list;
	array = json_node_get_array(node);
	for (guint i = 0; i < json_array_get_length(array); i++) {
		JsonNode *el = json_array_get_element(array, i);

		if (JSON_NODE_HOLDS_OBJECT(el))
			g_ptr_array_add(list,
					json_object_ref(json_node_get_object(el)));
	}
	return list;
}

static gboolean has_flag(JsonObject *dev, const char *flag)
{
	JsonArray *flags = json_object_get_array_member(dev, "flags");

	for (guint i = 0; flags && i < json_array_get_length(flags); i++)
		if (g_strcmp0(json_array_get_string_element(flags, i), flag) ==
		    0)
			return TRUE;
	return FALSE;
}

static int device_rank(YmHousehold *self, JsonObject *dev)
{
	const char *mac = json_object_get_string_member_with_default(dev,
								    "mac", "");

	/* Devices with problems first, the router last. */
	if (json_object_get_boolean_member_with_default(dev, "gateway", FALSE))
		return 9;
	if (has_flag(dev, "isolated"))
		return 0;
	return 3 - (int)ym_household_device_alert_level(self, mac) -
	       (has_flag(dev, "default_password") ||
			has_flag(dev, "suspicious")
		? 2
		: 0) -
	       (has_flag(dev, "unsupported") || has_flag(dev, "idle") ||
			has_flag(dev, "outdated_firmware") ||
			has_flag(dev, "no_support_contact")
		? 1
		: 0);
}

static int compare_devices(gconstpointer a, gconstpointer b, gpointer data)
{
	YmHousehold *self = data;
	JsonObject *da = *(JsonObject **)a, *db = *(JsonObject **)b;
	int ra = device_rank(self, da), rb = device_rank(self, db);

	if (ra != rb)
		return ra - rb;
	return g_strcmp0(json_object_get_string_member_with_default(da, "mac",
								    ""),
			 json_object_get_string_member_with_default(db, "mac",
								    ""));
}

static void finish_one(YmHousehold *self)
{
	if (--self->in_flight > 0)
		return;
	if (self->new_devices && self->new_alerts) {
		g_clear_pointer(&self->alerts, g_ptr_array_unref);
		self->alerts = g_steal_pointer(&self->new_alerts);
		g_clear_pointer(&self->devices, g_ptr_array_unref);
		self->devices = g_steal_pointer(&self->new_devices);
		g_ptr_array_sort_with_data(self->devices, compare_devices,
					   self);
		if (self->new_status) {
			g_clear_pointer(&self->status, json_object_unref);
			self->status = g_steal_pointer(&self->new_status);
		}
		self->loaded = TRUE;
		g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
	}
	g_clear_pointer(&self->new_devices, g_ptr_array_unref);
	g_clear_pointer(&self->new_alerts, g_ptr_array_unref);
	g_clear_pointer(&self->new_status, json_object_unref);
	if (self->again) {
		self->again = FALSE;
		ym_household_refresh(self);
	}
}

static void devices_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	YmHousehold *self = data;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, NULL);

	if (node)
		self->new_devices = objects_of(node);
	finish_one(self);
	g_object_unref(self);
}

static void alerts_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	YmHousehold *self = data;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, NULL);

	if (node) {
		GPtrArray *all = objects_of(node);

		self->new_alerts = g_ptr_array_new_with_free_func(
			(GDestroyNotify)json_object_unref);
		for (guint i = 0; i < all->len; i++) {
			JsonObject *a = all->pdata[i];

			if (g_strcmp0(json_object_get_string_member_with_default(
					      a, "state", "open"),
				      "open") == 0)
				g_ptr_array_add(self->new_alerts,
						json_object_ref(a));
		}
		g_ptr_array_unref(all);
	}
	finish_one(self);
	g_object_unref(self);
}

static void status_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	YmHousehold *self = data;
	g_autoptr(JsonNode) node =
		ym_client_call_finish(YM_CLIENT(source), result, NULL);

	if (node && JSON_NODE_HOLDS_OBJECT(node))
		self->new_status = json_object_ref(json_node_get_object(node));
	finish_one(self);
	g_object_unref(self);
}

void ym_household_refresh(YmHousehold *self)
{
	g_return_if_fail(YM_IS_HOUSEHOLD(self));
	if (!ym_client_get_connected(self->client))
		return;
	if (self->in_flight) {
		self->again = TRUE;
		return;
	}
	self->in_flight = 3;
	ym_client_call_async(self->client, "devices", NULL, self->cancellable,
			     devices_cb, g_object_ref(self));
	ym_client_call_async(self->client, "alerts", NULL, self->cancellable,
			     alerts_cb, g_object_ref(self));
	ym_client_call_async(self->client, "status", NULL, self->cancellable,
			     status_cb, g_object_ref(self));
}

static gboolean refresh_cb(gpointer data)
{
	ym_household_refresh(data);
	return G_SOURCE_CONTINUE;
}

static void connected_cb(YmHousehold *self, GParamSpec *pspec,
			 YmClient *client)
{
	(void)pspec;
	g_clear_handle_id(&self->refresh_source, g_source_remove);
	if (ym_client_get_connected(client)) {
		ym_household_refresh(self);
		self->refresh_source = g_timeout_add_seconds(
			YM_REFRESH_SECONDS, refresh_cb, self);
		return;
	}
	/* Old answers would mislead: what the panel shows next comes from a
	 * running daemon. */
	self->loaded = FALSE;
	g_ptr_array_set_size(self->devices, 0);
	g_ptr_array_set_size(self->alerts, 0);
	g_clear_pointer(&self->status, json_object_unref);
	g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void event_cb(YmHousehold *self, JsonObject *event, YmClient *client)
{
	(void)event;
	(void)client;
	ym_household_refresh(self);
}

YmHousehold *ym_household_new(YmClient *client)
{
	YmHousehold *self = g_object_new(YM_TYPE_HOUSEHOLD, NULL);

	self->client = g_object_ref(client);
	g_signal_connect_object(client, "notify::connected",
				G_CALLBACK(connected_cb), self,
				G_CONNECT_SWAPPED);
	g_signal_connect_object(client, "event", G_CALLBACK(event_cb), self,
				G_CONNECT_SWAPPED);
	return self;
}

YmClient *ym_household_get_client(YmHousehold *self)
{
	return self->client;
}

gboolean ym_household_get_loaded(YmHousehold *self)
{
	return self->loaded;
}

GPtrArray *ym_household_get_devices(YmHousehold *self)
{
	return self->devices;
}

JsonObject *ym_household_find_device(YmHousehold *self, const char *mac)
{
	for (guint i = 0; mac && i < self->devices->len; i++) {
		JsonObject *d = self->devices->pdata[i];

		if (g_strcmp0(json_object_get_string_member_with_default(
				      d, "mac", ""),
			      mac) == 0)
			return d;
	}
	return NULL;
}

GPtrArray *ym_household_get_alerts(YmHousehold *self)
{
	return self->alerts;
}

JsonObject *ym_household_get_status(YmHousehold *self)
{
	return self->status;
}

static YmLevel severity_level(const char *severity)
{
	if (g_strcmp0(severity, "critical") == 0)
		return YM_LEVEL_DANGER;
	if (g_strcmp0(severity, "warning") == 0)
		return YM_LEVEL_CAUTION;
	return YM_LEVEL_SAFE;
}

YmLevel ym_household_get_level(YmHousehold *self)
{
	YmLevel level = YM_LEVEL_SAFE;

	for (guint i = 0; i < self->alerts->len; i++)
		level = MAX(level, severity_level(
					   json_object_get_string_member_with_default(
						   self->alerts->pdata[i],
						   "severity", "info")));
	return level;
}

YmLevel ym_household_device_alert_level(YmHousehold *self, const char *mac)
{
	YmLevel level = YM_LEVEL_SAFE;

	for (guint i = 0; i < self->alerts->len; i++) {
		JsonObject *a = self->alerts->pdata[i];

		if (g_strcmp0(json_object_get_string_member_with_default(
				      a, "mac", ""),
			      mac) == 0)
			level = MAX(level,
				    severity_level(
					    json_object_get_string_member_with_default(
						    a, "severity", "info")));
	}
	return level;
}

gboolean ym_household_get_never_isolate(YmHousehold *self, JsonObject *device)
{
	(void)self;
	return json_object_get_boolean_member_with_default(
		device, "never_isolate", FALSE);
}

static void ym_household_dispose(GObject *object)
{
	YmHousehold *self = YM_HOUSEHOLD(object);

	g_clear_handle_id(&self->refresh_source, g_source_remove);
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->client);
	G_OBJECT_CLASS(ym_household_parent_class)->dispose(object);
}

static void ym_household_finalize(GObject *object)
{
	YmHousehold *self = YM_HOUSEHOLD(object);

	g_ptr_array_unref(self->devices);
	g_ptr_array_unref(self->alerts);
	g_clear_pointer(&self->status, json_object_unref);
	G_OBJECT_CLASS(ym_household_parent_class)->finalize(object);
}

static void ym_household_class_init(YmHouseholdClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = ym_household_dispose;
	object_class->finalize = ym_household_finalize;
	signals[SIGNAL_CHANGED] = g_signal_new(
		"changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
		NULL, NULL, G_TYPE_NONE, 0);
}

static void ym_household_init(YmHousehold *self)
{
	self->devices = g_ptr_array_new_with_free_func(
		(GDestroyNotify)json_object_unref);
	self->alerts = g_ptr_array_new_with_free_func(
		(GDestroyNotify)json_object_unref);
	self->cancellable = g_cancellable_new();
}
