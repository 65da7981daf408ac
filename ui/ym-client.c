#include "ym-client.h"

#include <gio/gunixsocketaddress.h>
#include <string.h>

/* Seconds between attempts while the daemon is away: soon enough that the
 * household sees the panel come back by itself, rare enough to cost
 * nothing. */
#define YM_RECONNECT_SECONDS 3

struct _YmClient {
	GObject parent_instance;

	char *path;
	GSocketClient *socket_client;
	GSocketConnection *connection;
	GDataInputStream *input;
	GOutputStream *output;
	GCancellable *cancellable; /* the current connection's I/O */
	GQueue write_queue;        /* GBytes, one JSON line each */
	GBytes *writing;           /* the line being written, or NULL */
	GHashTable *pending;       /* request id -> GTask */
	guint next_id;
	guint reconnect_source;
	gboolean connected;
	gboolean connecting;
	gboolean started;
};

G_DEFINE_TYPE(YmClient, ym_client, G_TYPE_OBJECT)
G_DEFINE_QUARK(ym-client-error-quark, ym_client_error)

enum { PROP_0, PROP_CONNECTED, N_PROPS };
enum { SIGNAL_EVENT, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void try_connect(YmClient *self);

const char *ym_client_default_path(void)
{
	const char *env = g_getenv("YAMORI_SOCKET");

	return env && env[0] ? env : "/run/yamori/yamori.sock";
}

static void set_connected(YmClient *self, gboolean connected)
{
	if (self->connected == connected)
		return;
	self->connected = connected;
	g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_CONNECTED]);
}

static gboolean reconnect_cb(gpointer user_data)
{
	YmClient *self = user_data;

	self->reconnect_source = 0;
	try_connect(self);
	return G_SOURCE_REMOVE;
}

static void schedule_reconnect(YmClient *self)
{
	if (self->reconnect_source)
		return;
	self->reconnect_source = g_timeout_add_seconds(YM_RECONNECT_SECONDS,
						       reconnect_cb, self);
}

static void fail_pending(YmClient *self)
{
	GHashTableIter iter;
	gpointer task;

	g_hash_table_iter_init(&iter, self->pending);
	while (g_hash_table_iter_next(&iter, NULL, &task)) {
		g_hash_table_iter_steal(&iter);
		g_task_return_new_error(task, YM_CLIENT_ERROR,
					YM_CLIENT_ERROR_NOT_CONNECTED,
					"the daemon went away");
		g_object_unref(task);
	}
}

/* Forgets the connection; the daemon stopped or broke the protocol. */
static void connection_lost(YmClient *self)
{
	if (self->cancellable) {
		g_cancellable_cancel(self->cancellable);
		g_clear_object(&self->cancellable);
	}
	g_clear_object(&self->input);
	self->output = NULL; /* owned by the connection */
	if (self->connection) {
		/* Closing a UNIX socket does not wait for anything. */
		g_io_stream_close(G_IO_STREAM(self->connection), NULL, NULL);
		g_clear_object(&self->connection);
	}
	g_queue_clear_full(&self->write_queue, (GDestroyNotify)g_bytes_unref);
	g_clear_pointer(&self->writing, g_bytes_unref);
	fail_pending(self);
	set_connected(self, FALSE);
	schedule_reconnect(self);
}

static void write_next(YmClient *self);

static void write_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	YmClient *self = user_data;
	g_autoptr(GError) error = NULL;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result,
					      NULL, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			connection_lost(self);
		g_object_unref(self);
		return;
	}
	g_clear_pointer(&self->writing, g_bytes_unref);
	write_next(self);
	g_object_unref(self);
}

/* One write at a time: a GOutputStream takes no second pending call. */
static void write_next(YmClient *self)
{
	gsize size;
	const void *data;

	if (self->writing || !self->output ||
	    g_queue_is_empty(&self->write_queue))
		return;
	self->writing = g_queue_pop_head(&self->write_queue);
	data = g_bytes_get_data(self->writing, &size);
	g_output_stream_write_all_async(self->output, data, size,
					G_PRIORITY_DEFAULT, self->cancellable,
					write_cb, g_object_ref(self));
}

static void handle_answer(YmClient *self, JsonObject *obj)
{
	JsonNode *id_node = json_object_get_member(obj, "id");
	GTask *task;
	guint id;

	if (!id_node || json_node_get_value_type(id_node) != G_TYPE_INT64)
		return; /* an error about a line we did not send */
	id = (guint)json_node_get_int(id_node);
	task = g_hash_table_lookup(self->pending, GUINT_TO_POINTER(id));
	if (!task)
		return;
	g_hash_table_steal(self->pending, GUINT_TO_POINTER(id));
	if (json_object_get_boolean_member_with_default(obj, "ok", FALSE)) {
		JsonNode *res = json_object_get_member(obj, "result");

		g_task_return_pointer(task,
				      res ? json_node_copy(res)
					  : json_node_new(JSON_NODE_NULL),
				      (GDestroyNotify)json_node_unref);
	} else {
		const char *msg = json_object_get_string_member_with_default(
			obj, "error", "request failed");
		const char *code = json_object_get_string_member_with_default(
			obj, "code", "");
		static const struct {
			const char *code;
			YmClientError kind;
		} codes[] = {
			{ "unknown_command", YM_CLIENT_ERROR_NOT_AVAILABLE },
			{ "off", YM_CLIENT_ERROR_TURNED_OFF },
			{ "bad_request", YM_CLIENT_ERROR_BAD_REQUEST },
			{ "not_found", YM_CLIENT_ERROR_NOT_FOUND },
			{ "refused", YM_CLIENT_ERROR_REFUSED },
			{ "busy", YM_CLIENT_ERROR_BUSY },
			{ "failed", YM_CLIENT_ERROR_FAILED },
			{ "internal", YM_CLIENT_ERROR_INTERNAL },
		};
		YmClientError kind = YM_CLIENT_ERROR_DAEMON;

		/* Decided on the machine code (docs/API.md), never the text:
		 * the text is English, for people who help the household. */
		for (gsize i = 0; i < G_N_ELEMENTS(codes); i++)
			if (g_strcmp0(code, codes[i].code) == 0)
				kind = codes[i].kind;
		g_task_return_new_error(task, YM_CLIENT_ERROR, kind, "%s", msg);
	}
	g_object_unref(task);
}

static void handle_line(YmClient *self, const char *line, gsize len)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonNode *root;
	JsonObject *obj;

	if (!json_parser_load_from_data(parser, line, (gssize)len, NULL))
		return;
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return;
	obj = json_node_get_object(root);
	if (json_object_has_member(obj, "event"))
		g_signal_emit(self, signals[SIGNAL_EVENT], 0, obj);
	else
		handle_answer(self, obj);
}

static void read_line_cb(GObject *source, GAsyncResult *result,
			 gpointer user_data)
{
	YmClient *self = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree char *line = NULL;
	gsize len = 0;

	line = g_data_input_stream_read_line_finish_utf8(
		G_DATA_INPUT_STREAM(source), result, &len, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_object_unref(self);
		return;
	}
	if (!line) {
		/* End of stream or a broken connection: the daemon stopped. */
		connection_lost(self);
		g_object_unref(self);
		return;
	}
	handle_line(self, line, len);
	if (self->input)
		g_data_input_stream_read_line_async(self->input,
						    G_PRIORITY_DEFAULT,
						    self->cancellable,
						    read_line_cb,
						    g_object_ref(self));
	g_object_unref(self);
}

static void connect_cb(GObject *source, GAsyncResult *result,
		       gpointer user_data)
{
	YmClient *self = user_data;
	g_autoptr(GError) error = NULL;
	GSocketConnection *conn;

	self->connecting = FALSE;
	conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), result,
					      &error);
	if (!conn) {
		g_debug("cannot connect to %s: %s", self->path, error->message);
		schedule_reconnect(self);
		g_object_unref(self);
		return;
	}
	self->connection = conn;
	self->cancellable = g_cancellable_new();
	self->input = g_data_input_stream_new(
		g_io_stream_get_input_stream(G_IO_STREAM(conn)));
	g_data_input_stream_set_newline_type(self->input,
					     G_DATA_STREAM_NEWLINE_TYPE_LF);
	self->output = g_io_stream_get_output_stream(G_IO_STREAM(conn));
	g_data_input_stream_read_line_async(self->input, G_PRIORITY_DEFAULT,
					    self->cancellable, read_line_cb,
					    g_object_ref(self));
	/* Pushed events first, so nothing falls between the first answers
	 * and the subscription. */
	set_connected(self, TRUE);
	ym_client_call_async(self, "subscribe", NULL, NULL, NULL, NULL);
	g_object_unref(self);
}

static void try_connect(YmClient *self)
{
	g_autoptr(GSocketAddress) address = NULL;

	if (self->connected || self->connecting)
		return;
	self->connecting = TRUE;
	address = g_unix_socket_address_new(self->path);
	g_socket_client_connect_async(self->socket_client,
				      G_SOCKET_CONNECTABLE(address), NULL,
				      connect_cb, g_object_ref(self));
}

void ym_client_start(YmClient *self)
{
	g_return_if_fail(YM_IS_CLIENT(self));
	self->started = TRUE;
	try_connect(self);
}

void ym_client_reconnect_now(YmClient *self)
{
	g_return_if_fail(YM_IS_CLIENT(self));
	g_clear_handle_id(&self->reconnect_source, g_source_remove);
	try_connect(self);
}

gboolean ym_client_get_connected(YmClient *self)
{
	g_return_val_if_fail(YM_IS_CLIENT(self), FALSE);
	return self->connected;
}

void ym_client_call_async(YmClient *self, const char *cmd, JsonObject *args,
			  GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(JsonBuilder) builder = NULL;
	g_autoptr(JsonGenerator) gen = NULL;
	g_autoptr(JsonNode) root = NULL;
	GTask *task;
	char *text;
	gsize len;
	guint id;

	g_return_if_fail(YM_IS_CLIENT(self));
	task = g_task_new(self, cancellable, callback, user_data);
	g_task_set_source_tag(task, ym_client_call_async);
	if (!self->connected) {
		if (args)
			json_object_unref(args);
		g_task_return_new_error(task, YM_CLIENT_ERROR,
					YM_CLIENT_ERROR_NOT_CONNECTED,
					"the daemon is not running");
		g_object_unref(task);
		return;
	}
	id = ++self->next_id;
	builder = json_builder_new();
	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "id");
	json_builder_add_int_value(builder, id);
	json_builder_set_member_name(builder, "cmd");
	json_builder_add_string_value(builder, cmd);
	if (args) {
		JsonNode *node = json_node_new(JSON_NODE_OBJECT);

		json_node_take_object(node, args);
		json_builder_set_member_name(builder, "args");
		json_builder_add_value(builder, node);
	}
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	gen = json_generator_new();
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, &len);
	text = g_realloc(text, len + 1);
	text[len] = '\n';
	g_queue_push_tail(&self->write_queue, g_bytes_new_take(text, len + 1));
	g_hash_table_insert(self->pending, GUINT_TO_POINTER(id), task);
	write_next(self);
}

JsonNode *ym_client_call_finish(YmClient *self, GAsyncResult *result,
				GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

YmClient *ym_client_new(const char *path)
{
	YmClient *self = g_object_new(YM_TYPE_CLIENT, NULL);

	self->path = g_strdup(path);
	return self;
}

static void ym_client_dispose(GObject *object)
{
	YmClient *self = YM_CLIENT(object);

	g_clear_handle_id(&self->reconnect_source, g_source_remove);
	if (self->cancellable)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->input);
	g_clear_object(&self->connection);
	self->output = NULL;
	g_queue_clear_full(&self->write_queue, (GDestroyNotify)g_bytes_unref);
	g_clear_pointer(&self->writing, g_bytes_unref);
	if (self->pending)
		fail_pending(self);
	g_clear_pointer(&self->pending, g_hash_table_unref);
	g_clear_object(&self->socket_client);
	G_OBJECT_CLASS(ym_client_parent_class)->dispose(object);
}

static void ym_client_finalize(GObject *object)
{
	YmClient *self = YM_CLIENT(object);

	g_free(self->path);
	G_OBJECT_CLASS(ym_client_parent_class)->finalize(object);
}

static void ym_client_get_property(GObject *object, guint prop_id,
				   GValue *value, GParamSpec *pspec)
{
	YmClient *self = YM_CLIENT(object);

	switch (prop_id) {
	case PROP_CONNECTED:
		g_value_set_boolean(value, self->connected);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
	}
}

static void ym_client_class_init(YmClientClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = ym_client_dispose;
	object_class->finalize = ym_client_finalize;
	object_class->get_property = ym_client_get_property;

	properties[PROP_CONNECTED] = g_param_spec_boolean(
		"connected", NULL, NULL, FALSE,
		G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
			G_PARAM_EXPLICIT_NOTIFY);
	g_object_class_install_properties(object_class, N_PROPS, properties);

	/* A line the daemon pushed: {"event": "alert", ...}. */
	signals[SIGNAL_EVENT] = g_signal_new(
		"event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
		NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
}

static void ym_client_init(YmClient *self)
{
	self->socket_client = g_socket_client_new();
	self->pending = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_queue_init(&self->write_queue);
}
