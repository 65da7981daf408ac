/* The connection to yamorid: one UNIX socket, JSON lines each way
 * (docs/API.md). Everything is asynchronous; the client reconnects by
 * itself a few seconds after the daemon goes away. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define YM_TYPE_CLIENT (ym_client_get_type())
G_DECLARE_FINAL_TYPE(YmClient, ym_client, YM, CLIENT, GObject)

#define YM_CLIENT_ERROR (ym_client_error_quark())
GQuark ym_client_error_quark(void);

typedef enum {
	YM_CLIENT_ERROR_DAEMON,        /* the daemon answered with an error */
	YM_CLIENT_ERROR_NOT_AVAILABLE, /* the daemon does not know the command yet */
	YM_CLIENT_ERROR_NOT_CONNECTED, /* no daemon to ask */
	YM_CLIENT_ERROR_TURNED_OFF,    /* the daemon's config turned it off */
	/* The other machine codes of docs/API.md, one each. */
	YM_CLIENT_ERROR_BAD_REQUEST,   /* the request was wrong */
	YM_CLIENT_ERROR_NOT_FOUND,     /* no such device or alert */
	YM_CLIENT_ERROR_REFUSED,       /* a safety rule says no */
	YM_CLIENT_ERROR_BUSY,          /* not now; later */
	YM_CLIENT_ERROR_FAILED,        /* tried, and it did not work */
	YM_CLIENT_ERROR_INTERNAL,      /* the daemon's own trouble */
} YmClientError;

/* The socket path: $YAMORI_SOCKET, else /run/yamori/yamori.sock. */
const char *ym_client_default_path(void);

/* A client for the socket at PATH; it connects on ym_client_start(). */
YmClient *ym_client_new(const char *path);

/* Connects now and again after every loss, every few seconds. */
void ym_client_start(YmClient *self);

/* Drops a waiting reconnection and tries at once. */
void ym_client_reconnect_now(YmClient *self);

gboolean ym_client_get_connected(YmClient *self);

/* Sends CMD with ARGS (an object or NULL; ownership taken if floating). */
void ym_client_call_async(YmClient *self, const char *cmd, JsonObject *args,
			  GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data);

/* The "result" of the answer (may hold null), or NULL with ERROR set. */
JsonNode *ym_client_call_finish(YmClient *self, GAsyncResult *result,
				GError **error);

G_END_DECLS
