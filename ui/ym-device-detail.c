#include "ym-device-detail.h"

#include "ym-actions.h"
#include "ym-dialogs.h"
#include "ym-text.h"
#include "ym-widgets.h"

struct _YmDeviceDetail {
	GtkWidget parent_instance;

	YmHousehold *household;
	YmPrefs *prefs;
	char *mac;

	GtkImage *icon;
	GtkLabel *name_label;
	GtkLabel *state_label;
	GtkBox *problems_box;
	GtkLabel *facts_label;
	GtkBox *reasons_box;
	GtkBox *evidence_box;
	GtkLabel *kind_label;
	GtkLabel *audit_label;
	GtkWidget *isolate_row;
	GtkLabel *isolate_label;
	GtkWidget *isolate_button;
	GtkWidget *release_button;
	GtkWidget *never_row;
	GtkLabel *never_label;
	GtkWidget *never_button;
	GtkWidget *allow_button;
};

G_DEFINE_TYPE(YmDeviceDetail, ym_device_detail, GTK_TYPE_WIDGET)

static GtkWidget *wrapped_label(const char *text, const char *css_class)
{
	GtkWidget *label = gtk_label_new(text);

	gtk_label_set_wrap(GTK_LABEL(label), TRUE);
	gtk_label_set_xalign(GTK_LABEL(label), 0);
	if (css_class)
		gtk_widget_add_css_class(label, css_class);
	return label;
}

static void clear_box(GtkBox *box)
{
	GtkWidget *child;

	while ((child = gtk_widget_get_first_child(GTK_WIDGET(box))))
		gtk_box_remove(box, child);
}

/* Open warnings and critical alerts about the device that no flag above
 * tells (an unsafe way in, a UPnP opening, a password sent in the clear,
 * what it did), in the daemon's words: the page says why it is marked. */
static guint show_alert_problems(YmDeviceDetail *self, JsonObject *dev)
{
	static const char *const told_by_flags[] = {
		"new_device",  "default_password", "unsupported",
		"no_support_contact", "outdated_firmware", "idle",
		"isolated",    NULL,
	};
	GPtrArray *alerts = ym_household_get_alerts(self->household);
	const char *mac = json_object_get_string_member_with_default(dev, "mac",
								    "");
	guint shown = 0;

	for (guint i = 0; alerts && i < alerts->len; i++) {
		JsonObject *a = alerts->pdata[i];
		const char *kind = json_object_get_string_member_with_default(
			a, "kind", "");
		const char *message =
			json_object_get_string_member_with_default(a, "message",
								   "");

		if (g_strcmp0(json_object_get_string_member_with_default(
				      a, "mac", ""),
			      mac) != 0 ||
		    g_strcmp0(json_object_get_string_member_with_default(
				      a, "severity", "info"),
			      "info") == 0 ||
		    g_strv_contains(told_by_flags, kind) || !message[0])
			continue;
		gtk_box_append(self->problems_box,
			       wrapped_label(message, "ym-problem"));
		shown++;
	}
	return shown;
}

static void show_problems(YmDeviceDetail *self, JsonObject *dev)
{
	JsonArray *flags = json_object_has_member(dev, "flags")
				   ? json_object_get_array_member(dev, "flags")
				   : NULL;
	guint shown = 0;

	clear_box(self->problems_box);
	for (guint i = 0; flags && i < json_array_get_length(flags); i++) {
		const char *flag = json_array_get_string_element(flags, i);
		const char *problem = ym_text_flag_problem(flag);
		const char *advice = ym_text_flag_advice(flag);
		g_autofree char *text = NULL;

		if (!problem)
			continue;
		text = g_strdup_printf("%s\n%s", problem, advice);
		gtk_box_append(self->problems_box,
			       wrapped_label(text, "ym-problem"));
		shown++;
	}
	shown += show_alert_problems(self, dev);
	if (!shown)
		gtk_box_append(self->problems_box,
			       wrapped_label(_("No problems were found."), NULL));
}

/* The device's addresses: for whoever helps the household, so under
 * "Details" only, never on the page a household reads first. */
static void show_addresses(YmDeviceDetail *self, JsonObject *dev)
{
	JsonArray *ips = json_object_has_member(dev, "ips")
				 ? json_object_get_array_member(dev, "ips")
				 : NULL;
	g_autoptr(GString) text = g_string_new(NULL);

	if (ips && json_array_get_length(ips))
		g_string_append_printf(text, "%s: %s\n", _("IP address"),
				       json_array_get_string_element(ips, 0));
	g_string_append_printf(text, "%s: %s", _("MAC address"),
			       json_object_get_string_member_with_default(
				       dev, "mac", ""));
	gtk_box_append(self->evidence_box, wrapped_label(text->str, NULL));
}

/* The signs grouped by what they say, each with what was seen. */
static void show_evidence(YmDeviceDetail *self, JsonObject *dev)
{
	JsonArray *ev = json_object_has_member(dev, "evidence")
				? json_object_get_array_member(dev, "evidence")
				: NULL;
	g_autoptr(GPtrArray) texts = g_ptr_array_new();
	g_autoptr(GHashTable) values = g_hash_table_new_full(
		g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);

	clear_box(self->evidence_box);
	show_addresses(self, dev);
	for (guint i = 0; ev && i < json_array_get_length(ev); i++) {
		JsonObject *e = json_array_get_object_element(ev, i);
		const char *signal = json_object_get_string_member_with_default(
			e, "signal", "");
		const char *value = json_object_get_string_member_with_default(
			e, "value", "");
		const char *text = ym_text_evidence(signal);
		GPtrArray *list = g_hash_table_lookup(values, text);

		if (!list) {
			list = g_ptr_array_new();
			g_hash_table_insert(values, (gpointer)text, list);
			g_ptr_array_add(texts, (gpointer)text);
		}
		/* A few examples are enough; the same value once. */
		if (value[0] && list->len < 3 &&
		    !g_ptr_array_find_with_equal_func(list, value, g_str_equal,
						      NULL))
			g_ptr_array_add(list, (gpointer)value);
	}
	for (guint i = 0; i < texts->len; i++) {
		GPtrArray *list = g_hash_table_lookup(values, texts->pdata[i]);
		GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);

		gtk_box_append(GTK_BOX(box), wrapped_label(texts->pdata[i], NULL));
		if (list->len) {
			g_autofree char *joined = NULL;

			g_ptr_array_add(list, NULL);
			joined = g_strjoinv(" / ", (char **)list->pdata);
			gtk_box_append(GTK_BOX(box),
				       wrapped_label(joined, "dim-label"));
		}
		gtk_box_append(self->evidence_box, box);
	}
	if (!texts->len)
		gtk_box_append(self->evidence_box,
			       wrapped_label(_("Yamori has seen too little of it "
					       "so far."),
					     NULL));
}

/* Why Yamori thinks so, in plain words: one line per piece of evidence
 * that names a kind or a maker, the household's own word first, the same
 * sentence once. The raw signals stay under "Details". */
#define YM_MAX_REASONS 5

static void show_reasons(YmDeviceDetail *self, JsonObject *dev)
{
	JsonArray *ev = json_object_has_member(dev, "evidence")
				? json_object_get_array_member(dev, "evidence")
				: NULL;
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

	clear_box(self->reasons_box);
	/* Two passes: the household's word and any disagreement first. */
	for (int pass = 0; pass < 2; pass++) {
		for (guint i = 0; ev && i < json_array_get_length(ev); i++) {
			JsonObject *e = json_array_get_object_element(ev, i);
			const char *signal =
				json_object_get_string_member_with_default(
					e, "signal", "");
			gboolean told = g_str_equal(signal, "household") ||
					g_str_equal(signal, "traffic");
			char *line;

			if (told != (pass == 0) ||
			    lines->len >= YM_MAX_REASONS)
				continue;
			line = ym_text_evidence_reason(e);
			if (!line || g_ptr_array_find_with_equal_func(
					     lines, line, g_str_equal, NULL)) {
				g_free(line);
				continue;
			}
			g_ptr_array_add(lines, line);
		}
	}
	for (guint i = 0; i < lines->len; i++)
		gtk_box_append(self->reasons_box,
			       wrapped_label(lines->pdata[i], NULL));
	if (!lines->len)
		gtk_box_append(self->reasons_box,
			       wrapped_label(_("Yamori does not know yet what "
					       "this is."),
					     NULL));
}

static void show_facts(YmDeviceDetail *self, JsonObject *dev)
{
	g_autoptr(GString) facts = g_string_new(NULL);
	const char *type = json_object_get_string_member_with_default(
		dev, "type", "unknown");
	const char *vendor =
		json_object_get_string_member_with_default(dev, "vendor", "");
	const char *model =
		json_object_get_string_member_with_default(dev, "model", "");
	JsonObject *support =
		json_object_has_member(dev, "support") &&
				JSON_NODE_HOLDS_OBJECT(
					json_object_get_member(dev, "support"))
			? json_object_get_object_member(dev, "support")
			: NULL;

	g_string_append_printf(facts, "%s: %s", _("Kind"),
			       ym_text_type_label(type));
	if (vendor[0])
		g_string_append_printf(facts, "\n%s: %s", _("Maker"),
				       ym_text_maker(vendor));
	if (model[0])
		/* TRANSLATORS: the model of a device, e.g. "Model: BRAVIA". */
		g_string_append_printf(facts, "\n%s: %s", _("Model"), model);
	if (support) {
		const char *phone = json_object_get_string_member_with_default(
			support, "contact_phone", "");
		const char *web = json_object_get_string_member_with_default(
			support, "contact_web", "");

		if (phone[0] || web[0])
			g_string_append_printf(facts, "\n%s %s%s%s",
					       _("Maker's contact:"), phone,
					       phone[0] && web[0] ? " " : "",
					       web);
	}
	gtk_label_set_label(self->facts_label, facts->str);
}

gboolean ym_device_detail_refresh(YmDeviceDetail *self)
{
	JsonObject *dev = self->household
				  ? ym_household_find_device(self->household,
							     self->mac)
				  : NULL;
	g_autofree char *name = NULL;
	const char *type, *state;
	gboolean isolated, never, gateway;
	YmLevel level;

	if (!dev)
		return FALSE;
	name = ym_text_device_name(dev);
	type = json_object_get_string_member_with_default(dev, "type",
							  "unknown");
	gtk_image_set_from_icon_name(self->icon, ym_text_type_icon(type));
	gtk_label_set_label(self->name_label, name);
	state = ym_text_device_state(self->household, dev, &level);
	gtk_label_set_label(self->state_label, state);
	for (int l = YM_LEVEL_SAFE; l <= YM_LEVEL_DANGER; l++)
		gtk_widget_remove_css_class(GTK_WIDGET(self->state_label),
					    ym_text_level_class(l));
	gtk_widget_add_css_class(GTK_WIDGET(self->state_label),
				 ym_text_level_class(level));
	show_problems(self, dev);
	show_facts(self, dev);
	show_reasons(self, dev);
	show_evidence(self, dev);
	gtk_label_set_label(
		self->kind_label,
		ym_text_told_by_household(dev)
			? _("You told Yamori what it is. You can change it.")
			: _("Tell Yamori what kind of device this is."));

	/* Yamori never stops the router: the whole home would go offline. */
	gateway = json_object_get_boolean_member_with_default(dev, "gateway",
							      FALSE);
	isolated = ym_text_has_flag(dev, "isolated");
	never = ym_household_get_never_isolate(self->household, dev);
	gtk_widget_set_visible(self->isolate_row, !gateway);
	gtk_widget_set_visible(self->never_row, !gateway);
	gtk_label_set_label(self->isolate_label,
			    isolated ? _("Its traffic is stopped. Bring it "
					 "back after it is fixed.")
				     : _("Stop its traffic for now. Your other "
					 "devices work as usual."));
	gtk_widget_set_visible(self->isolate_button, !isolated);
	/* Red only in danger: a healthy device's page is not an alarm. */
	if (level == YM_LEVEL_DANGER)
		gtk_widget_add_css_class(self->isolate_button,
					 "destructive-action");
	else
		gtk_widget_remove_css_class(self->isolate_button,
					    "destructive-action");
	gtk_widget_set_visible(self->release_button, isolated);
	gtk_label_set_label(self->never_label,
			    never ? _("Yamori will not stop it by itself.")
				  : _("Yamori may stop it when it is "
				      "dangerous."));
	gtk_widget_set_visible(self->never_button, !never);
	gtk_widget_set_visible(self->allow_button, never);
	return TRUE;
}

void ym_device_detail_set_mac(YmDeviceDetail *self, const char *mac)
{
	g_free(self->mac);
	self->mac = g_strdup(mac);
	ym_device_detail_refresh(self);
}

void ym_device_detail_set_context(YmDeviceDetail *self,
				  YmHousehold *household, YmPrefs *prefs)
{
	g_set_object(&self->household, household);
	g_set_object(&self->prefs, prefs);
}

static JsonObject *current(YmDeviceDetail *self)
{
	return ym_household_find_device(self->household, self->mac);
}

static void action_cb(GtkWidget *widget, const char *action, GVariant *param)
{
	YmDeviceDetail *self = YM_DEVICE_DETAIL(widget);
	JsonObject *dev = current(self);

	(void)param;
	if (!dev)
		return;
	if (g_str_equal(action, "device.rename")) {
		ym_action_rename(widget, self->household, dev);
	} else if (g_str_equal(action, "device.audit")) {
		const char *macs[] = { self->mac, NULL };

		ym_action_audit(widget, self->household, self->prefs, macs,
				NULL, NULL);
	} else if (g_str_equal(action, "device.isolate")) {
		ym_action_isolate(widget, self->household, dev);
	} else if (g_str_equal(action, "device.release")) {
		ym_action_release(widget, self->household, self->prefs, dev);
	} else if (g_str_equal(action, "device.never-isolate")) {
		ym_action_never_isolate(widget, self->household, self->prefs,
					dev, TRUE);
	} else if (g_str_equal(action, "device.allow-isolate")) {
		ym_action_never_isolate(widget, self->household, self->prefs,
					dev, FALSE);
	} else if (g_str_equal(action, "device.set-kind")) {
		ym_action_set_kind(widget, self->household, dev);
	} else if (g_str_equal(action, "device.retire")) {
		ym_action_retire(widget, self->household, dev);
	}
}

static void ym_device_detail_dispose(GObject *object)
{
	YmDeviceDetail *self = YM_DEVICE_DETAIL(object);

	gtk_widget_dispose_template(GTK_WIDGET(self), YM_TYPE_DEVICE_DETAIL);
	/* The template's unnamed top child is ours to unparent too. */
	ym_widget_unparent_children(GTK_WIDGET(self));
	g_clear_object(&self->household);
	g_clear_object(&self->prefs);
	G_OBJECT_CLASS(ym_device_detail_parent_class)->dispose(object);
}

static void ym_device_detail_finalize(GObject *object)
{
	g_free(YM_DEVICE_DETAIL(object)->mac);
	G_OBJECT_CLASS(ym_device_detail_parent_class)->finalize(object);
}

static void ym_device_detail_class_init(YmDeviceDetailClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
	static const char *const actions[] = {
		"device.rename",	"device.audit",
		"device.isolate",	"device.release",
		"device.never-isolate", "device.allow-isolate",
		"device.retire",	"device.set-kind",
	};

	object_class->dispose = ym_device_detail_dispose;
	object_class->finalize = ym_device_detail_finalize;
	gtk_widget_class_set_template_from_resource(
		widget_class, "/jp/yamori/panel/ym-device-detail.ui");
	gtk_widget_class_set_layout_manager_type(widget_class,
						 GTK_TYPE_BIN_LAYOUT);
#define BIND(name) \
	gtk_widget_class_bind_template_child(widget_class, YmDeviceDetail, name)
	BIND(icon);
	BIND(name_label);
	BIND(state_label);
	BIND(problems_box);
	BIND(facts_label);
	BIND(reasons_box);
	BIND(evidence_box);
	BIND(kind_label);
	BIND(audit_label);
	BIND(isolate_row);
	BIND(isolate_label);
	BIND(isolate_button);
	BIND(release_button);
	BIND(never_row);
	BIND(never_label);
	BIND(never_button);
	BIND(allow_button);
#undef BIND
	for (gsize i = 0; i < G_N_ELEMENTS(actions); i++)
		gtk_widget_class_install_action(widget_class, actions[i], NULL,
						action_cb);
}

static void ym_device_detail_init(YmDeviceDetail *self)
{
	g_autofree char *audit = NULL;

	gtk_widget_init_template(GTK_WIDGET(self));
	/* The password row says the trust line too (PLAIN_JA J11): a check
	 * of passwords is where a trick would ask for one. */
	audit = g_strdup_printf("%s\n%s",
				gtk_label_get_label(self->audit_label),
				ym_dialogs_trust_line());
	gtk_label_set_label(self->audit_label, audit);
}
