/* Plain words for what the daemon reports: device kinds and their icons,
 * problems (flags), how Yamori knows (evidence), and names. */
#pragma once

#include <json-glib/json-glib.h>

#include "ym-household.h"

G_BEGIN_DECLS

/* gettext in the "yamori" domain, as in the daemon. */
#include <glib/gi18n-lib.h>

/* The kind of device in words, from DESIGN.md's type vocabulary. */
const char *ym_text_type_label(const char *type);
/* True for a word of the device-type vocabulary. */
gboolean ym_text_type_known(const char *type);

/* A stock icon name for the kind of device. */
const char *ym_text_type_icon(const char *type);

/* The maker as a Japanese household reads it (パナソニック for "Panasonic")
 * in the panel's language, else VENDOR itself. For screens the household
 * reads; "Details" and the evidence keep the daemon's vendor. */
const char *ym_text_maker(const char *vendor);

/* The household's name for the device, else its maker and kind. */
char *ym_text_device_name(JsonObject *device);

gboolean ym_text_has_flag(JsonObject *device, const char *flag);

/* The problem a flag stands for, one sentence, or NULL if it is none. */
const char *ym_text_flag_problem(const char *flag);

/* What to do about a flag, one sentence, or NULL. */
const char *ym_text_flag_advice(const char *flag);

/* How Yamori came to know, in plain words, for an evidence signal. */
const char *ym_text_evidence(const char *signal);

/* Why Yamori thinks what it does, in one plain sentence, for one piece
 * of evidence ({signal, value, conclusion}) that names a kind or a maker;
 * NULL for evidence too weak to tell the household. Free with g_free. */
char *ym_text_evidence_reason(JsonObject *evidence);

/* The household told Yamori what the device is (evidence "household"). */
gboolean ym_text_told_by_household(JsonObject *device);

/* 安心 / 注意 / 危険. */
/* "Maker's contact: PHONE WEB" when the daemon sends the maker's contact
 * with DEVICE ("support"), else NULL. Free it. */
char *ym_text_contact(JsonObject *device);

/* The household's sentence for a failed request, chosen by the daemon's
 * machine code (YmClientError), never by its English text. */
const char *ym_text_error(const GError *error);

const char *ym_text_level_label(YmLevel level);

/* A CSS class for the level's colour. */
const char *ym_text_level_class(YmLevel level);

/* A short state for a device in the list. */
const char *ym_text_device_state(YmHousehold *household, JsonObject *device,
				 YmLevel *level);

G_END_DECLS
