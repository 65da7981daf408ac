#include "ym-text.h"

#include <gtk/gtk.h>
#include <string.h>

static const struct {
	const char *type, *label, *icon;
} types[] = {
	/* The labels are the daemon's own msgids (daemon/ctl.c), so the
	 * panel and yamorictl call a device the same. */
	{ "router", N_("router"), "network-wired-symbolic" },
	{ "access_point", N_("Wi-Fi access point"), "network-wireless-symbolic" },
	{ "camera", N_("camera"), "camera-web-symbolic" },
	{ "doorbell", N_("doorbell"), "camera-video-symbolic" },
	{ "alarm", N_("alarm"), "dialog-warning-symbolic" },
	{ "sensor", N_("sensor"), "find-location-symbolic" },
	{ "lock", N_("door lock"), "system-lock-screen-symbolic" },
	{ "hub", N_("smart home hub"), "network-workgroup-symbolic" },
	{ "light", N_("light"), "display-brightness-symbolic" },
	{ "smart_plug", N_("smart plug"), "ac-adapter-symbolic" },
	{ "thermostat", N_("air conditioner control"), "weather-few-clouds-symbolic" },
	{ "appliance", N_("home appliance"), "preferences-other-symbolic" },
	{ "robot_vacuum", N_("robot vacuum"), "applications-engineering-symbolic" },
	{ "health", N_("health device"), "emote-love-symbolic" },
	{ "tv", N_("TV"), "tv-symbolic" },
	{ "streaming", N_("streaming device"), "multimedia-player-symbolic" },
	{ "speaker", N_("speaker"), "audio-speakers-symbolic" },
	{ "smart_speaker", N_("smart speaker"), "audio-input-microphone-symbolic" },
	{ "game_console", N_("game console"), "input-gaming-symbolic" },
	{ "printer", N_("printer"), "printer-symbolic" },
	{ "nas", N_("network storage"), "drive-harddisk-symbolic" },
	{ "computer", N_("computer"), "computer-symbolic" },
	{ "phone", N_("smartphone"), "phone-symbolic" },
	{ "tablet", N_("tablet"), "computer-apple-ipad-symbolic" },
	{ "wearable", N_("wearable"), "preferences-system-time-symbolic" },
	{ "voip", N_("phone line adapter"), "phone-old-symbolic" },
	{ "network", N_("network device"), "network-wired-symbolic" },
	{ "unknown", N_("unknown"), "dialog-question-symbolic" },
};

/* Makers a Japanese household reads in its own letters (issue 19, finding
 * 9): the brands of data/fingerprints (vendor=). Makers written in Latin
 * letters in Japan (NEC, TP-Link, LG, ASUS, HP, Roku, Ring, Nature, ...)
 * have no entry and stay as the daemon sends them. */
static const char *const makers[] = {
	NC_("maker", "Panasonic"),
	NC_("maker", "Sony"),
	NC_("maker", "Sharp"),
	NC_("maker", "Toshiba"),
	NC_("maker", "Hitachi"),
	NC_("maker", "Nintendo"),
	NC_("maker", "Apple"),
	NC_("maker", "Google"),
	NC_("maker", "Google Nest"),
	NC_("maker", "Amazon"),
	NC_("maker", "Canon"),
	NC_("maker", "Epson"),
	NC_("maker", "Brother"),
	NC_("maker", "Buffalo"),
	NC_("maker", "Fujitsu"),
	NC_("maker", "Fujitsu General"),
	NC_("maker", "Mitsubishi Electric"),
	NC_("maker", "Daikin"),
	NC_("maker", "Xiaomi"),
	NC_("maker", "Samsung"),
	NC_("maker", "Samsung SmartThings"),
	NC_("maker", "Philips"),
	NC_("maker", "Philips Hue"),
	NC_("maker", "Sonos"),
	NC_("maker", "Dyson"),
	NC_("maker", "iRobot"),
	NC_("maker", "SwitchBot"),
	NC_("maker", "Yamaha"),
	NC_("maker", "Pioneer"),
	NC_("maker", "JVC Kenwood"),
	NC_("maker", "Onkyo"),
	NC_("maker", "Casio"),
	NC_("maker", "Omron"),
	NC_("maker", "Tanita"),
	NC_("maker", "Anker"),
	NC_("maker", "Kyocera"),
	NC_("maker", "Ricoh"),
	NC_("maker", "Elecom"),
	NC_("maker", "I-O DATA"),
	NC_("maker", "Logitec"),
	NC_("maker", "Logitech"),
	NC_("maker", "Planex"),
	NC_("maker", "corega"),
	NC_("maker", "Huawei"),
	NC_("maker", "Microsoft"),
	NC_("maker", "Hisense"),
	NC_("maker", "Denon"),
	NC_("maker", "Bose"),
	NC_("maker", "Lenovo"),
	NC_("maker", "Dell"),
	NC_("maker", "Intel"),
	NC_("maker", "FUJIFILM"),
	NC_("maker", "Konica Minolta"),
	NC_("maker", "Sumitomo Electric"),
	NC_("maker", "Aiphone"),
	NC_("maker", "Funai"),
	NC_("maker", "Orion"),
	NC_("maker", "Haier"),
	NC_("maker", "Motorola"),
	NC_("maker", "Garmin"),
	NC_("maker", "Netgear"),
	NC_("maker", "IKEA"),
	NC_("maker", "Ecovacs"),
	NC_("maker", "Roborock"),
	NC_("maker", "Bosch"),
	NC_("maker", "Tesla"),
	NC_("maker", "Western Digital"),
	NC_("maker", "Cisco"),
	NC_("maker", "Belkin"),
};

/* VENDOR lower-cased, without a registry name's company form ("Hitachi,
 * Ltd." -> "hitachi"): organisations without a rule keep that name. */
static char *maker_key(const char *vendor)
{
	static const char *const forms[] = {
		"co", "corp", "corporation", "inc", "ltd", "limited",
		"llc", "k.k", "kk", "gmbh", "plc", NULL,
	};
	char *key = g_ascii_strdown(vendor, -1);

	for (;;) {
		gsize n = strlen(key);
		char *last, *comma;

		while (n && strchr(" ,.", key[n - 1]))
			key[--n] = '\0';
		last = strrchr(key, ' ');
		comma = strrchr(key, ',');
		if (!last || (comma && comma > last))
			last = comma;
		if (!last || !g_strv_contains(forms, last + 1))
			return key;
		*last = '\0';
	}
}

const char *ym_text_maker(const char *vendor)
{
	g_autofree char *key = NULL;

	if (!vendor || !vendor[0])
		return "";
	key = maker_key(vendor);
	for (gsize i = 0; i < G_N_ELEMENTS(makers); i++) {
		const char *name;

		if (g_ascii_strcasecmp(makers[i], key) != 0)
			continue;
		name = g_dpgettext2(GETTEXT_PACKAGE, "maker", makers[i]);
		/* Untranslated (English): the daemon's words, untouched. */
		return name == makers[i] ? vendor : name;
	}
	return vendor;
}

const char *ym_text_type_label(const char *type)
{
	for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
		if (g_strcmp0(types[i].type, type) == 0)
			return _(types[i].label);
	return _("unknown");
}

gboolean ym_text_type_known(const char *type)
{
	for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
		if (g_strcmp0(types[i].type, type) == 0)
			return TRUE;
	return FALSE;
}

const char *ym_text_type_icon(const char *type)
{
	for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
		if (g_strcmp0(types[i].type, type) == 0)
			return types[i].icon;
	return "dialog-question-symbolic";
}

char *ym_text_device_name(JsonObject *device)
{
	const char *name = json_object_get_string_member_with_default(
		device, "name", "");
	const char *vendor = json_object_get_string_member_with_default(
		device, "vendor", "");
	const char *type = json_object_get_string_member_with_default(
		device, "type", "unknown");

	if (name[0])
		return g_strdup(name);
	if (vendor[0])
		/* TRANSLATORS: a device without a name: its maker, then its
		 * kind, e.g. "Nintendo game console". */
		return g_strdup_printf(C_("device name", "%1$s %2$s"),
				       ym_text_maker(vendor),
				       ym_text_type_label(type));
	return g_strdup(ym_text_type_label(type));
}

gboolean ym_text_has_flag(JsonObject *device, const char *flag)
{
	JsonArray *flags = json_object_has_member(device, "flags")
				   ? json_object_get_array_member(device, "flags")
				   : NULL;

	for (guint i = 0; flags && i < json_array_get_length(flags); i++)
		if (g_strcmp0(json_array_get_string_element(flags, i), flag) ==
		    0)
			return TRUE;
	return FALSE;
}

static const struct {
	const char *flag, *problem, *advice;
} problems[] = {
	{ "suspicious", N_("It is behaving strangely."),
	  N_("Please switch it off and ask the maker.") },
	{ "default_password", N_("Its password is still the one it came with."),
	  N_("Please change it to a new password.") },
	{ "unsupported", N_("The maker no longer repairs or updates it."),
	  N_("For safety, please replace it with a new device.") },
	{ "no_support_contact", N_("There is no known place to ask about it."),
	  N_("You may have nobody to ask when something goes wrong.") },
	{ "outdated_firmware", N_("There is an update for it."),
	  N_("Please update it as the maker explains.") },
	{ "idle", N_("It has not been used for a long time."),
	  N_("If you do not use it, please switch it off.") },
	{ "gone", N_("It has not been seen for a long time."),
	  N_("If you gave it away, press \"Give away\".") },
	{ "isolated", N_("Yamori has stopped its traffic for now."),
	  N_("When it is fixed, press \"Bring back\".") },
};

const char *ym_text_flag_problem(const char *flag)
{
	for (gsize i = 0; i < G_N_ELEMENTS(problems); i++)
		if (g_strcmp0(problems[i].flag, flag) == 0)
			return _(problems[i].problem);
	return NULL;
}

const char *ym_text_flag_advice(const char *flag)
{
	for (gsize i = 0; i < G_N_ELEMENTS(problems); i++)
		if (g_strcmp0(problems[i].flag, flag) == 0)
			return _(problems[i].advice);
	return NULL;
}

const char *ym_text_evidence(const char *signal)
{
	static const struct {
		const char *prefix, *text;
	} signals[] = {
		{ "oui", N_("Its network number tells the maker.") },
		{ "mac", N_("It changes its network number now and then.") },
		{ "gateway", N_("It is the way out of your home network.") },
		{ "dhcp_hostname", N_("It told its own name.") },
		{ "dhcp_fqdn", N_("It told its own name.") },
		{ "dhcp_", N_("It showed how it joins the network.") },
		{ "mdns_name", N_("It told its own name.") },
		{ "netbios_name", N_("It told its own name.") },
		{ "llmnr_name", N_("It told its own name.") },
		{ "lldp_", N_("It told its own name.") },
		{ "upnp_name", N_("It told its own name.") },
		{ "mdns_", N_("It told other devices what it can do.") },
		{ "ssdp_", N_("It told other devices what it can do.") },
		{ "upnp_", N_("It told other devices what it can do.") },
		{ "dns_query", N_("It showed whom it talks to.") },
		{ "tls_sni", N_("It showed whom it talks to.") },
		{ "http_user_agent", N_("It gave its name while talking.") },
		{ "http_server", N_("It gave its name while talking.") },
		{ "http_model", N_("It gave its name while talking.") },
		{ "http_name", N_("It gave its name while talking.") },
		{ "banner", N_("It gave its name while talking.") },
		{ "http_title", N_("It gave its name while talking.") },
		{ "wps_", N_("It told its name when it joined the Wi-Fi.") },
		{ "wsd_", N_("It told other devices what it can do.") },
		/* A port that one kind of device serves (services.rules). */
		{ "service", N_("It talks the way this kind of device does.") },
		{ "http_path", N_("It talks the way this kind of device does.") },
		{ "maker", N_("Its maker makes only this kind of device.") },
		/* p0f's signatures: how its SYNs look names its system. */
		{ "tcp_syn",
		  N_("It starts its connections the way this system does.") },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(signals); i++)
		if (g_str_has_prefix(signal, signals[i].prefix))
			return _(signals[i].text);
	return _("Its traffic showed it.");
}

/* The value of "key " in a conclusion "type camera; vendor TP-Link". */
static char *conclusion_field(const char *conclusion, const char *key)
{
	g_auto(GStrv) parts = g_strsplit(conclusion, "; ", -1);
	gsize klen = strlen(key);

	for (guint i = 0; parts[i]; i++)
		if (g_str_has_prefix(parts[i], key) && parts[i][klen] == ' ')
			return g_strdup(parts[i] + klen + 1);
	return NULL;
}

static gboolean is_name_signal(const char *signal)
{
	static const char *const names[] = {
		"dhcp_hostname", "dhcp_fqdn",	"mdns_name", "netbios_name",
		"llmnr_name",	 "upnp_name",	"lldp_name", NULL,
	};

	return g_strv_contains(names, signal);
}

char *ym_text_evidence_reason(JsonObject *e)
{
	const char *signal =
		json_object_get_string_member_with_default(e, "signal", "");
	const char *value =
		json_object_get_string_member_with_default(e, "value", "");
	const char *conclusion = json_object_get_string_member_with_default(
		e, "conclusion", "");
	g_autofree char *type = conclusion_field(conclusion, "type");
	g_autofree char *vendor = conclusion_field(conclusion, "vendor");
	g_autofree char *model = conclusion_field(conclusion, "model");
	const char *kind = type ? ym_text_type_label(type) : NULL;

	if (g_str_equal(signal, "household"))
		/* TRANSLATORS: why Yamori thinks so; %s is a kind of device. */
		return g_strdup_printf(_("You told Yamori it is a %s."),
				       ym_text_type_label(value));
	if (g_str_equal(signal, "traffic"))
		/* TRANSLATORS: the device's traffic reads as another kind
		 * than the household said; %s is that kind. */
		return g_strdup_printf(_("Its traffic looks more like a %s."),
				       ym_text_type_label(value));
	if (g_str_equal(signal, "gateway") || g_str_equal(signal, "maker"))
		return g_strdup(ym_text_evidence(signal));
	if (!kind && !vendor)
		return NULL;
	if (is_name_signal(signal) || g_str_equal(signal, "upnp_model")) {
		if (kind && model)
			/* TRANSLATORS: %s is a kind of device. */
			return g_strdup_printf(
				_("Its name is the model number of a %s."), kind);
		if (kind)
			return g_strdup_printf(_("Its name says it is a %s."),
					       kind);
		return g_strdup(_("Its name tells the maker."));
	}
	if (g_str_equal(signal, "dns_query") || g_str_equal(signal, "tls_sni")) {
		if (kind)
			return g_strdup_printf(
				_("Whom it talks to says it is a %s."), kind);
		return g_strdup(_("It talks with its maker's servers."));
	}
	if (g_str_has_prefix(signal, "mdns_") ||
	    g_str_has_prefix(signal, "ssdp_") ||
	    g_str_has_prefix(signal, "upnp_")) {
		if (kind)
			return g_strdup_printf(
				_("It tells other devices it is a %s."), kind);
		return g_strdup(_("It tells other devices who made it."));
	}
	if (g_str_equal(signal, "oui"))
		return g_strdup(ym_text_evidence(signal));
	if (g_str_equal(signal, "http_user_agent") && kind)
		return g_strdup_printf(_("It calls itself a %s when it talks."),
				       kind);
	if (g_str_has_prefix(signal, "dhcp") && kind)
		return g_strdup_printf(_("It joins the network like a %s."),
				       kind);
	if (kind)
		return g_strdup_printf(_("Its traffic says it is a %s."), kind);
	return g_strdup(_("Its traffic tells the maker."));
}

gboolean ym_text_told_by_household(JsonObject *device)
{
	JsonArray *ev = json_object_has_member(device, "evidence")
				? json_object_get_array_member(device, "evidence")
				: NULL;

	for (guint i = 0; ev && i < json_array_get_length(ev); i++)
		if (g_strcmp0(json_object_get_string_member_with_default(
				      json_array_get_object_element(ev, i),
				      "signal", ""),
			      "household") == 0)
			return TRUE;
	return FALSE;
}

char *ym_text_contact(JsonObject *dev)
{
	JsonObject *s;
	const char *phone, *web;

	if (!json_object_has_member(dev, "support") ||
	    !JSON_NODE_HOLDS_OBJECT(json_object_get_member(dev, "support")))
		return NULL;
	s = json_object_get_object_member(dev, "support");
	phone = json_object_get_string_member_with_default(s, "contact_phone",
							   "");
	web = json_object_get_string_member_with_default(s, "contact_web", "");
	if (!phone[0] && !web[0])
		return NULL;
	/* TRANSLATORS: the maker's contact: a phone number and/or a web
	 * address follow. */
	return g_strdup_printf("%s %s %s", _("Maker's contact:"), phone, web);
}

const char *ym_text_error(const GError *error)
{
	if (!error || error->domain != YM_CLIENT_ERROR)
		return _("It did not work. Please try again later.");
	switch ((YmClientError)error->code) {
	case YM_CLIENT_ERROR_NOT_AVAILABLE:
		return _("Yamori cannot do this yet. It will come with an "
			 "update.");
	case YM_CLIENT_ERROR_NOT_CONNECTED:
		return _("Yamori is not running. Please wait a little.");
	case YM_CLIENT_ERROR_TURNED_OFF:
		return _("It is turned off. You can turn it on in the "
			 "settings.");
	case YM_CLIENT_ERROR_BAD_REQUEST:
		return _("Yamori did not understand. Please try again.");
	case YM_CLIENT_ERROR_NOT_FOUND:
		return _("Yamori no longer knows it. The list is now up to "
			 "date.");
	case YM_CLIENT_ERROR_REFUSED:
		return _("Yamori does not do this, to keep your home safe.");
	case YM_CLIENT_ERROR_BUSY:
		return _("Yamori is busy with it now. Please try again "
			 "later.");
	case YM_CLIENT_ERROR_FAILED:
		return _("It did not work. Please try again later.");
	case YM_CLIENT_ERROR_INTERNAL:
	case YM_CLIENT_ERROR_DAEMON:
	default:
		return _("Yamori has trouble of its own. Please switch the box "
			 "off and on again.");
	}
}

const char *ym_text_level_label(YmLevel level)
{
	switch (level) {
	case YM_LEVEL_DANGER:
		return _("Danger");
	case YM_LEVEL_CAUTION:
		return _("Caution");
	case YM_LEVEL_SAFE:
	default:
		/* TRANSLATORS: the household's state when nothing is wrong. */
		return _("Safe");
	}
}

const char *ym_text_level_class(YmLevel level)
{
	switch (level) {
	case YM_LEVEL_DANGER:
		return "ym-danger";
	case YM_LEVEL_CAUTION:
		return "ym-caution";
	case YM_LEVEL_SAFE:
	default:
		return "ym-safe";
	}
}

const char *ym_text_device_state(YmHousehold *household, JsonObject *device,
				 YmLevel *level)
{
	const char *mac = json_object_get_string_member_with_default(device,
								    "mac", "");
	YmLevel alert = ym_household_device_alert_level(household, mac);

	if (ym_text_has_flag(device, "isolated")) {
		*level = YM_LEVEL_CAUTION;
		/* TRANSLATORS: a device whose traffic Yamori stopped. */
		return _("Stopped");
	}
	if (alert == YM_LEVEL_DANGER || ym_text_has_flag(device, "suspicious") ||
	    ym_text_has_flag(device, "default_password")) {
		*level = YM_LEVEL_DANGER;
		return _("Danger");
	}
	if (alert == YM_LEVEL_CAUTION ||
	    ym_text_has_flag(device, "unsupported") ||
	    ym_text_has_flag(device, "no_support_contact") ||
	    ym_text_has_flag(device, "outdated_firmware") ||
	    ym_text_has_flag(device, "idle")) {
		*level = YM_LEVEL_CAUTION;
		return _("Caution");
	}
	*level = YM_LEVEL_SAFE;
	if (ym_text_has_flag(device, "gone"))
		/* TRANSLATORS: a device not seen on the network lately. */
		return _("Not seen lately");
	/* TRANSLATORS: a device with no known problem. */
	return _("No problems");
}
