#include "ym-prefs.h"

#include <gio/gio.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define GROUP "panel"

struct _YmPrefs {
	GObject parent_instance;

	char *path;
	YmPolicy audit;
	YmPolicy isolate;
	YmTextSize text_size;
	gboolean high_contrast;
	char *pin_salt;
	char *pin_hash;
	gint64 last_check; /* when the four rules were last finished (s) */
	gboolean pin_offered; /* the first screen offered a PIN */
	gboolean saving;
	gboolean save_again;
};

G_DEFINE_TYPE(YmPrefs, ym_prefs, G_TYPE_OBJECT)

enum {
	PROP_0,
	PROP_AUDIT,
	PROP_ISOLATE,
	PROP_TEXT_SIZE,
	PROP_HIGH_CONTRAST,
	PROP_HAS_PIN,
	PROP_LAST_CHECK,
	N_PROPS
};
static GParamSpec *properties[N_PROPS];

static const char *const policy_names[] = { "off", "ask", "on" };
static const char *const size_names[] = { "normal", "large", "largest" };

static int lookup(const char *const *names, int n, const char *value,
		  int fallback)
{
	for (int i = 0; value && i < n; i++)
		if (strcmp(names[i], value) == 0)
			return i;
	return fallback;
}

static void save(YmPrefs *self);

static void save_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	YmPrefs *self = user_data;
	g_autoptr(GError) error = NULL;

	if (!g_file_replace_contents_finish(G_FILE(source), result, NULL,
					    &error))
		g_message("cannot save %s: %s", self->path,
			       error->message);
	self->saving = FALSE;
	if (self->save_again) {
		self->save_again = FALSE;
		save(self);
	}
	g_object_unref(self);
}

/* Writes the whole file in the background, one write at a time; the file
 * is private because it holds the PIN's hash. */
static void save(YmPrefs *self)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GFile) file = g_file_new_for_path(self->path);
	g_autoptr(GFile) dir = g_file_get_parent(file);
	g_autoptr(GBytes) bytes = NULL;
	char *data;
	gsize len;

	if (self->saving) {
		self->save_again = TRUE;
		return;
	}
	g_key_file_set_string(kf, GROUP, "audit", policy_names[self->audit]);
	g_key_file_set_string(kf, GROUP, "isolate",
			      policy_names[self->isolate]);
	g_key_file_set_string(kf, GROUP, "text_size",
			      size_names[self->text_size]);
	g_key_file_set_boolean(kf, GROUP, "high_contrast",
			       self->high_contrast);
	if (self->last_check)
		g_key_file_set_int64(kf, GROUP, "last_check", self->last_check);
	if (self->pin_offered)
		g_key_file_set_boolean(kf, GROUP, "pin_offered", TRUE);
	if (self->pin_hash) {
		g_key_file_set_string(kf, GROUP, "pin_salt", self->pin_salt);
		g_key_file_set_string(kf, GROUP, "pin_hash", self->pin_hash);
	}
	data = g_key_file_to_data(kf, &len, NULL);
	bytes = g_bytes_new_take(data, len);
	/* The directory is made once; a local mkdir does not wait. */
	g_mkdir_with_parents(g_file_peek_path(dir), 0700);
	self->saving = TRUE;
	g_file_replace_contents_bytes_async(file, bytes, NULL, FALSE,
					    G_FILE_CREATE_PRIVATE |
						    G_FILE_CREATE_REPLACE_DESTINATION,
					    NULL, save_cb, g_object_ref(self));
}

static char *hash_pin(const char *salt, const char *pin)
{
	g_autofree char *text = g_strconcat(salt, ":", pin, NULL);

	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
}

YmPrefs *ym_prefs_new(void)
{
	YmPrefs *self = g_object_new(YM_TYPE_PREFS, NULL);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *audit = NULL, *isolate = NULL, *size = NULL;

	self->path = g_build_filename(g_get_user_config_dir(), "yamori-panel",
				      "panel.conf", NULL);
	if (!g_key_file_load_from_file(kf, self->path, G_KEY_FILE_NONE, NULL))
		return self;
	audit = g_key_file_get_string(kf, GROUP, "audit", NULL);
	isolate = g_key_file_get_string(kf, GROUP, "isolate", NULL);
	size = g_key_file_get_string(kf, GROUP, "text_size", NULL);
	self->audit = lookup(policy_names, 3, audit, YM_POLICY_ASK);
	self->isolate = lookup(policy_names, 3, isolate, YM_POLICY_ASK);
	/* Larger text unless the household chose otherwise: the normal size
	 * is about 3 mm tall on a 7-inch screen. */
	self->text_size = lookup(size_names, 3, size, YM_TEXT_LARGE);
	self->high_contrast =
		g_key_file_get_boolean(kf, GROUP, "high_contrast", NULL);
	self->last_check =
		MAX(0, g_key_file_get_int64(kf, GROUP, "last_check", NULL));
	self->pin_offered =
		g_key_file_get_boolean(kf, GROUP, "pin_offered", NULL);
	self->pin_salt = g_key_file_get_string(kf, GROUP, "pin_salt", NULL);
	self->pin_hash = g_key_file_get_string(kf, GROUP, "pin_hash", NULL);
	if (!self->pin_salt || !self->pin_hash) {
		g_clear_pointer(&self->pin_salt, g_free);
		g_clear_pointer(&self->pin_hash, g_free);
	}
	return self;
}

#define SETTER(field, prop)                                                  \
	do {                                                                 \
		if (self->field == value)                                    \
			return;                                              \
		self->field = value;                                         \
		save(self);                                                  \
		g_object_notify_by_pspec(G_OBJECT(self), properties[prop]);  \
	} while (0)

YmPolicy ym_prefs_get_audit(YmPrefs *self)
{
	return self->audit;
}

void ym_prefs_set_audit(YmPrefs *self, YmPolicy value)
{
	SETTER(audit, PROP_AUDIT);
}

YmPolicy ym_prefs_get_isolate(YmPrefs *self)
{
	return self->isolate;
}

void ym_prefs_set_isolate(YmPrefs *self, YmPolicy value)
{
	SETTER(isolate, PROP_ISOLATE);
}

YmTextSize ym_prefs_get_text_size(YmPrefs *self)
{
	return self->text_size;
}

void ym_prefs_set_text_size(YmPrefs *self, YmTextSize value)
{
	SETTER(text_size, PROP_TEXT_SIZE);
}

gboolean ym_prefs_get_high_contrast(YmPrefs *self)
{
	return self->high_contrast;
}

void ym_prefs_set_high_contrast(YmPrefs *self, gboolean value)
{
	value = !!value;
	SETTER(high_contrast, PROP_HIGH_CONTRAST);
}

gint64 ym_prefs_get_last_check(YmPrefs *self)
{
	return self->last_check;
}

void ym_prefs_set_last_check(YmPrefs *self, gint64 value)
{
	SETTER(last_check, PROP_LAST_CHECK);
}

gboolean ym_prefs_get_pin_offered(YmPrefs *self)
{
	return self->pin_offered;
}

void ym_prefs_set_pin_offered(YmPrefs *self)
{
	if (self->pin_offered)
		return;
	self->pin_offered = TRUE;
	save(self);
}

gboolean ym_prefs_has_pin(YmPrefs *self)
{
	return self->pin_hash != NULL;
}

gboolean ym_prefs_check_pin(YmPrefs *self, const char *pin)
{
	g_autofree char *hash = NULL;

	if (!self->pin_hash)
		return TRUE;
	hash = hash_pin(self->pin_salt, pin);
	return strcmp(hash, self->pin_hash) == 0;
}

void ym_prefs_set_pin(YmPrefs *self, const char *pin)
{
	g_clear_pointer(&self->pin_salt, g_free);
	g_clear_pointer(&self->pin_hash, g_free);
	if (pin && pin[0]) {
		guint8 raw[16];

		for (gsize i = 0; i < sizeof(raw); i++)
			raw[i] = (guint8)g_random_int_range(0, 256);
		self->pin_salt = g_compute_checksum_for_data(G_CHECKSUM_MD5,
							     raw, sizeof(raw));
		self->pin_hash = hash_pin(self->pin_salt, pin);
	}
	save(self);
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_HAS_PIN]);
}

static void ym_prefs_get_property(GObject *object, guint prop_id,
				  GValue *value, GParamSpec *pspec)
{
	YmPrefs *self = YM_PREFS(object);

	switch (prop_id) {
	case PROP_AUDIT:
		g_value_set_int(value, self->audit);
		break;
	case PROP_ISOLATE:
		g_value_set_int(value, self->isolate);
		break;
	case PROP_TEXT_SIZE:
		g_value_set_int(value, self->text_size);
		break;
	case PROP_HIGH_CONTRAST:
		g_value_set_boolean(value, self->high_contrast);
		break;
	case PROP_HAS_PIN:
		g_value_set_boolean(value, self->pin_hash != NULL);
		break;
	case PROP_LAST_CHECK:
		g_value_set_int64(value, self->last_check);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void ym_prefs_finalize(GObject *object)
{
	YmPrefs *self = YM_PREFS(object);

	g_free(self->path);
	g_free(self->pin_salt);
	g_free(self->pin_hash);
	G_OBJECT_CLASS(ym_prefs_parent_class)->finalize(object);
}

static void ym_prefs_class_init(YmPrefsClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
				  G_PARAM_EXPLICIT_NOTIFY;

	object_class->get_property = ym_prefs_get_property;
	object_class->finalize = ym_prefs_finalize;
	properties[PROP_AUDIT] = g_param_spec_int("audit", NULL, NULL, 0, 2,
						  YM_POLICY_ASK, flags);
	properties[PROP_ISOLATE] = g_param_spec_int("isolate", NULL, NULL, 0,
						    2, YM_POLICY_ASK, flags);
	properties[PROP_TEXT_SIZE] = g_param_spec_int("text-size", NULL, NULL,
						      0, 2, 0, flags);
	properties[PROP_HIGH_CONTRAST] = g_param_spec_boolean(
		"high-contrast", NULL, NULL, FALSE, flags);
	properties[PROP_HAS_PIN] =
		g_param_spec_boolean("has-pin", NULL, NULL, FALSE, flags);
	properties[PROP_LAST_CHECK] = g_param_spec_int64(
		"last-check", NULL, NULL, 0, G_MAXINT64, 0, flags);
	g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void ym_prefs_init(YmPrefs *self)
{
	self->audit = YM_POLICY_ASK;
	self->isolate = YM_POLICY_ASK;
	self->text_size = YM_TEXT_LARGE;
}

int ym_prefs_forget_pin(GError **error)
{
	g_autofree char *path = g_build_filename(
		g_get_user_config_dir(), "yamori-panel", "panel.conf", NULL);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_KEEP_COMMENTS,
				       &local)) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return 0; /* no settings yet: no PIN either */
		g_propagate_error(error, g_steal_pointer(&local));
		return -1;
	}
	g_key_file_remove_key(kf, GROUP, "pin_salt", NULL);
	g_key_file_remove_key(kf, GROUP, "pin_hash", NULL);
	/* The next start offers a new PIN on its first screen. */
	g_key_file_remove_key(kf, GROUP, "pin_offered", NULL);
	/* The file stays private: it may hold a PIN again later. */
	if (!g_key_file_save_to_file(kf, path, error))
		return -1;
	if (g_chmod(path, 0600) < 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "cannot keep %s private", path);
		return -1;
	}
	return 0;
}
