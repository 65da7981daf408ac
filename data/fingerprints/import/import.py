#!/usr/bin/env python3
"""Turns public discovery knowledge into Yamori rule files.

    python3 data/fingerprints/import/import.py [--refs DIR] [--out DIR]

DIR defaults: ../shared/refs next to the checkout, and data/fingerprints.
Writes (every line with its source=):
  ha-discovery.rules  Home Assistant's DHCP, zeroconf, HomeKit and SSDP
                      matchers (Apache-2.0), device type from the
                      integration's platforms where it is unambiguous.
  cloud-lists.rules   vendor cloud and telemetry domains from nextdns
                      native-tracking (MIT), Perflyst PiHoleBlocklist (MIT)
                      and nDPI's host table (LGPL-3.0). IoTrim (AGPL-3.0)
                      is not imported.
  p0f.rules           p0f 3's TCP SYN signatures (LGPL), with the
                      2023 additions of peace-maker/p0f3-database: the
                      systems (not the tools: NMap, p0f's own) whose SYNs
                      they describe. tcp-syn.rules, by hand, says what
                      each system tells of a device.
Malformed input stops it with FILE:LINE: reason and exit status 2.
"""
import argparse
import csv
import fnmatch
import itertools
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))

TYPES = {"router", "access_point", "network", "camera", "doorbell", "alarm", "sensor", "lock",
         "hub", "light", "smart_plug", "thermostat", "appliance", "robot_vacuum", "health", "tv",
         "streaming", "speaker", "smart_speaker", "game_console", "printer", "nas", "computer",
         "phone", "tablet", "wearable", "voip", "unknown"}

HA_SRC = "home-assistant/core@2023.11:homeassistant/generated/%s(Apache-2.0)"

# Integrations that are a protocol or software, not a maker: they give no
# vendor. The rest take their brand from the integration's name.
NOT_A_MAKER = {"upnp", "dlna_dmr", "dlna_dms", "ipp", "onvif", "homekit", "homekit_controller",
               "zha", "zwave_js", "thread", "esphome", "spotify", "plex", "kodi", "nut",
               "forked_daapd", "system_bridge", "fully_kiosk", "octoprint", "volumio",
               "squeezebox", "openhome", "hyperion", "wled", "prusalink", "cast"}
# The brand a household knows, where the integration's name is a product
# or service name.
BRAND = {"apple_tv": "Apple", "androidtv_remote": "Google", "braviatv": "Sony", "songpal": "Sony",
         "hue": "Philips Hue", "tplink": "TP-Link", "dlink": "D-Link", "wemo": "Belkin",
         "nest": "Google Nest", "cast": "Google", "samsungtv": "Samsung", "syncthru": "Samsung",
         "smartthings": "Samsung SmartThings", "webostv": "LG", "roomba": "iRobot",
         "xiaomi_aqara": "Xiaomi", "xiaomi_miio": "Xiaomi", "yeelight": "Yeelight",
         "fritz": "AVM", "fritzbox": "AVM", "harmony": "Logitech", "squeezebox": "Logitech",
         "lyric": "Honeywell", "heos": "Denon", "denonavr": "Denon", "soundtouch": "Bose",
         "yamaha_musiccast": "Yamaha", "tradfri": "IKEA", "netgear": "Netgear",
         "unifi": "Ubiquiti", "unifiprotect": "Ubiquiti", "huawei_lte": "Huawei",
         "keenetic_ndms2": "Keenetic", "synology_dsm": "Synology", "brother": "Brother",
         "reolink": "Reolink", "ring": "Ring", "blink": "Blink", "flux_led": "Magic Home",
         "myq": "Chamberlain", "gogogate2": "Gogogate", "devolo_home_control": "devolo",
         "devolo_home_network": "devolo", "lutron_caseta": "Lutron", "daikin": "Daikin",
         "arcam_fmj": "Arcam", "tesla_wall_connector": "Tesla", "powerwall": "Tesla",
         "roku": "Roku", "vizio": "Vizio", "sonos": "Sonos", "broadlink": "Broadlink",
         "august": "August", "tuya": "Tuya", "shelly": "Shelly", "nanoleaf": "Nanoleaf",
         "lifx": "LIFX", "wiz": "WiZ", "twinkly": "Twinkly", "ecobee": "ecobee",
         "axis": "Axis", "doorbird": "DoorBird", "elgato": "Elgato", "bosch_shc": "Bosch",
         "hunterdouglas_powerview": "Hunter Douglas", "directv": "DirecTV",
         "frontier_silicon": "Frontier Silicon", "litterrobot": "Whisker", "nuki": "Nuki",
         "tado": "tado", "netatmo": "Netatmo", "freebox": "Free", "qnap_qsw": "QNAP",
         "kaleidescape": "Kaleidescape", "control4": "Control4", "insteon": "Insteon",
         "overkiz": "Somfy", "somfy_mylink": "Somfy", "vicare": "Viessmann",
         "enphase_envoy": "Enphase", "solaredge": "SolarEdge", "rachio": "Rachio",
         "rainmachine": "RainMachine", "sense": "Sense", "smappee": "Smappee",
         "homewizard": "HomeWizard", "lametric": "LaMetric", "loqed": "LOQED",
         "awair": "Awair", "guardian": "Elexa", "konnected": "Konnected",
         "simplisafe": "SimpliSafe", "verisure": "Verisure", "sleepiq": "Sleep Number",
         "goalzero": "Goal Zero", "isy994": "Universal Devices", "elkm1": "Elk Products",
         "modern_forms": "Modern Forms", "oncue": "Kohler", "nam": "Nettigo",
         "baf": "Big Ass Fans", "bond": "Bond", "steamist": "Steamist", "tolo": "TOLO",
         "intellifire": "IntelliFire", "screenlogic": "Pentair", "hive": "Hive",
         "plugwise": "Plugwise", "toon": "Eneco", "izone": "iZone", "escea": "Escea",
         "nexia": "Trane", "nuheat": "NuHeat", "radiotherm": "Radio Thermostat",
         "sensibo": "Sensibo", "airzone": "Airzone", "blebox": "BleBox",
         "wilight": "WiLight", "zwave_me": "Z-Wave.Me", "ruuvi_gateway": "Ruuvi",
         "rainforest_eagle": "Rainforest", "emonitor": "SiteSage", "flume": "Flume",
         "fronius": "Fronius", "pure_energie": "Pure Energie", "obihai": "Obihai",
         "motion_blinds": "Motion Blinds", "lookin": "LOOKin", "abode": "Abode",
         "deconz": "dresden elektronik", "kodi": "", "upnp": ""}


GENERIC = {"cloudfront.net", "amazonaws.com", "akamaiedge.net", "akamai.net", "akadns.net",
           "azureedge.net", "googleapis.com", "gstatic.com", "google.com", "doubleclick.net",
           "s3.amazonaws.com", "edgekey.net", "edgesuite.net", "fastly.net"}


# Where the platform-derived type of integration_device_types.tsv names
# what Home Assistant shows (a NAS's camera feeds, a 3-D printer's webcam),
# not the box: the kind of device the integration's own name and manifest
# describe, or "" for none.
TYPE_FIX = {"synology_dsm": "nas", "octoprint": "", "prusalink": "", "qnap_qsw": "network",
            "obihai": "voip", "control4": "hub", "system_bridge": "",
            "devolo_home_network": "network", "homewizard": "", "litterrobot": "appliance",
            "somfy_mylink": "hub", "androidtv_remote": ""}


class Bad(Exception):
    pass


def die(path, line, why):
    raise Bad("%s:%d: %s" % (path, line, why))


def read_tsv(path, columns):
    """Rows as dicts with their line numbers; a row with a wrong number of
    fields or a header without the needed columns is refused."""
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        lines = f.read().split("\n")
    if not lines or not lines[0]:
        die(path, 1, "empty file")
    head = lines[0].split("\t")
    for c in columns:
        if c not in head:
            die(path, 1, "missing column '%s'" % c)
    for no, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(head):
            die(path, no, "expected %d tab-separated fields, got %d" % (len(head), len(fields)))
        rows.append((no, dict(zip(head, fields))))
    return rows


def expand_classes(glob):
    """fnmatch's [abc] classes are not in Yamori's globs: one pattern per
    choice."""
    parts = re.split(r"(\[[^\]]*\])", glob)
    choices = []
    for p in parts:
        if p.startswith("[") and p.endswith("]"):
            body = p[1:-1]
            if not body:
                return None
            if body.startswith("!") or "-" in body:
                choices.append(["?"])  # a range: any one character
            else:
                choices.append(list(body))
        else:
            choices.append([p])
    out = ["".join(c) for c in itertools.product(*choices)]
    return out if len(out) <= 16 else None


def q(s):
    if '"' in s or "\n" in s or "\t" in s:
        raise ValueError(s)
    return '"%s"' % s


def rule(signal, pattern, src, vendor="", typ="", model="", weight=0.6, mac=""):
    words = ["%-16s %-40s" % (signal, q(pattern))]
    if typ:
        words.append("type=%s" % typ)
    if vendor:
        words.append("vendor=%s" % q(vendor) if " " in vendor else "vendor=%s" % vendor)
    if model:
        words.append("model=%s" % q(model))
    if mac:
        words.append("mac=%s" % mac)
    words.append("weight=%.2f" % weight)
    words.append("source=%s" % src)
    return " ".join(words)


def load_types(refs):
    path = os.path.join(refs, "home-assistant-discovery", "integration_device_types.tsv")
    out = {}
    for no, r in read_tsv(path, ["domain", "name", "status", "primary_guess", "candidates"]):
        if r["status"] not in ("single", "ambiguous", "none"):
            die(path, no, "unknown status '%s'" % r["status"])
        for t in filter(None, r["candidates"].split(",")):
            if t not in TYPES:
                die(path, no, "unknown device type '%s'" % t)
        out[r["domain"]] = r
    return out


def maker_and_type(types, domain, path, no):
    """(vendor, type) for an integration: the type only when Home
    Assistant's platforms give one candidate."""
    r = types.get(domain)
    if r is None:
        die(path, no, "integration '%s' is not in integration_device_types.tsv" % domain)
    vendor = "" if domain in NOT_A_MAKER else BRAND.get(domain, r["name"])
    typ = r["primary_guess"] if r["status"] == "single" and r["primary_guess"] != "unknown" else ""
    typ = TYPE_FIX.get(domain, typ)
    return vendor, typ


def module_blocks(oui_csv):
    """MAC prefix (upper-case hex) -> organisation, for the blocks the IEEE
    registry gives to makers of Wi-Fi modules, as models.rules lists them
    (`module` lines)."""
    globs = []
    path = os.path.join(ROOT, "data", "fingerprints", "models.rules")
    with open(path) as f:
        for line in f:
            m = re.match(r'module\s+"([^"]+)"', line)
            if m:
                globs.append(m.group(1).lower())
    blocks = {}
    with open(oui_csv, newline="", encoding="utf-8", errors="replace") as f:
        for no, row in enumerate(csv.reader(f), 1):
            if no == 1:
                continue
            if len(row) < 3 or not re.fullmatch(r"[0-9A-Fa-f]{6}", row[1]):
                die(oui_csv, no, "expected Registry,Assignment,Organization Name")
            org = row[2].strip().lower()
            if any(fnmatch.fnmatchcase(org, g) for g in globs):
                blocks[row[1].upper()] = org
    return blocks


def names_its_brand(glob, domain, vendor, types):
    """A host name glob whose letters name the integration (its domain, the
    brand or the integration's name): "rachio-*", "roomba-*". "hf*" or
    "lwip*" on a module maker's block is the module's or the IP stack's
    default name, which any product on that module may carry: Home
    Assistant only starts a probe on it, it does not name a maker."""
    lit = re.sub(r"[^a-z0-9]", "", glob.lower())
    words = re.sub(r"[^a-z0-9]", "", (domain + vendor + types.get(domain, {}).get("name", "")).lower())
    return len(lit) >= 3 and lit in words


def import_ha(refs, oui_csv):
    base = os.path.join(refs, "home-assistant-discovery")
    types = load_types(refs)
    modules = module_blocks(oui_csv)
    out = ["# Generated by data/fingerprints/import/import.py from Home Assistant's discovery",
           "# matchers (home-assistant/core 2023.11, Apache-2.0); do not edit, re-run it.",
           "# A matcher gives the maker (weight 0.6); the type only where the integration",
           "# has one kind of device, and then it needs a second signal that agrees.", ""]
    # DHCP: host name glob and MAC prefix.
    path = os.path.join(base, "ha_dhcp_rules.tsv")
    out.append("# --- DHCP (ha_dhcp_rules.tsv) ---")
    src = HA_SRC % "dhcp.py"
    for no, r in read_tsv(path, ["domain", "hostname_glob", "macaddress_glob"]):
        host, mac = r["hostname_glob"], r["macaddress_glob"]
        if not host and not mac:
            continue  # registered_devices only: no matcher
        if mac and not re.fullmatch(r"[0-9A-Fa-f]{6,12}\*?", mac):
            die(path, no, "bad MAC prefix '%s'" % mac)
        vendor, typ = maker_and_type(types, r["domain"], path, no)
        if not vendor and not typ:
            continue
        if not host:
            # A module maker's whole block names the module, not the
            # product built on it (Airzone's matcher on a Murata block).
            org = modules.get(mac[:6].upper())
            if org and re.sub(r"[^a-z0-9]", "", vendor.lower()) not in re.sub(r"[^a-z0-9]", "", org):
                continue
            out.append(rule("oui", "*", src, vendor, typ, weight=0.6, mac=mac))
            continue
        pats = expand_classes(host)
        if pats is None:
            die(path, no, "unsupported host name glob '%s'" % host)
        for p in pats:
            # A bare "hs*" without an address prefix is too wide.
            if not mac and len(p.replace("*", "")) < 4:
                continue
            # On a module maker's block, only a name that says the brand.
            if mac[:6].upper() in modules and not names_its_brand(p, r["domain"], vendor, types):
                continue
            out.append(rule("dhcp_hostname", p, src, vendor, typ, weight=0.6, mac=mac))
    # Zeroconf.
    path = os.path.join(base, "ha_zeroconf_rules.tsv")
    rows = read_tsv(path, ["service_type", "domain", "name_glob", "properties_json"])
    per_service = {}
    for no, r in rows:
        if not re.fullmatch(r"_[A-Za-z0-9_-]+\._(tcp|udp)\.local\.", r["service_type"]):
            die(path, no, "bad service type '%s'" % r["service_type"])
        per_service.setdefault(r["service_type"], set()).add(r["domain"])
    out.append("")
    out.append("# --- zeroconf (ha_zeroconf_rules.tsv) ---")
    src = HA_SRC % "zeroconf.py"
    for no, r in rows:
        svc = r["service_type"][:-len(".local.")]
        vendor, typ = maker_and_type(types, r["domain"], path, no)
        if not vendor and not typ:
            continue
        props = {}
        if r["properties_json"]:
            try:
                props = json.loads(r["properties_json"])
            except ValueError as e:
                die(path, no, "bad JSON: %s" % e)
            if not isinstance(props, dict):
                die(path, no, "properties must be an object")
        mac = ""
        if "macaddress" in props:
            m = props.pop("macaddress")
            if not re.fullmatch(r"[0-9A-Fa-f]{6,12}\*?", m):
                die(path, no, "bad MAC prefix '%s'" % m)
            mac = m
        if r["name_glob"]:
            for p in expand_classes(r["name_glob"]) or die(path, no, "bad name glob"):
                out.append(rule("mdns_name", p, src, vendor, typ, weight=0.6, mac=mac))
        elif props:
            # The most specific property (the longest literal text).
            k, v = max(props.items(), key=lambda kv: len(kv[1].replace("*", "")))
            if v.replace("*", "") == "":
                out.append(rule("mdns_service", svc, src, vendor, typ, weight=0.6, mac=mac))
            else:
                out.append(rule("mdns_txt", "%s=%s" % (k, v), src, vendor, typ, weight=0.6,
                                mac=mac))
        elif mac or len(per_service[r["service_type"]]) == 1:
            out.append(rule("mdns_service", svc, src, vendor, typ, weight=0.6, mac=mac))
    # HomeKit models (the md= TXT key of _hap._tcp).
    path = os.path.join(base, "ha_homekit_models.tsv")
    out.append("")
    out.append("# --- HomeKit models (ha_homekit_models.tsv) ---")
    for no, r in read_tsv(path, ["homekit_model_prefix", "domain"]):
        if not r["homekit_model_prefix"]:
            die(path, no, "empty model prefix")
        vendor, typ = maker_and_type(types, r["domain"], path, no)
        if not vendor and not typ:
            continue
        out.append(rule("mdns_txt", "md=%s*" % r["homekit_model_prefix"], src, vendor, typ,
                        model=r["homekit_model_prefix"], weight=0.6))
    # SSDP / UPnP.
    path = os.path.join(base, "ha_ssdp_rules.tsv")
    out.append("")
    out.append("# --- SSDP and UPnP descriptions (ha_ssdp_rules.tsv) ---")
    src = HA_SRC % "ssdp.py"
    seen = set()
    for no, r in read_tsv(path, ["domain", "matcher_json"]):
        try:
            m = json.loads(r["matcher_json"])
        except ValueError as e:
            die(path, no, "bad JSON: %s" % e)
        if not isinstance(m, dict) or not m:
            die(path, no, "matcher must be a non-empty object")
        vendor, typ = maker_and_type(types, r["domain"], path, no)
        lines = []
        if "modelName" in m:
            lines.append(("upnp_model", m["modelName"], typ))
        if "manufacturer" in m and "manufacturerURL" not in m:
            # A maker's name alone says nothing of the kind of device
            # unless the matcher is only that. With a maker's URL beside
            # it, the pair names the integration's maker, the name alone
            # need not (deCONZ's sticks say "Royal Philips Electronics").
            lines.append(("upnp_manufacturer", m["manufacturer"], typ if len(m) == 1 else ""))
        for key in ("deviceType", "st", "nt"):
            v = m.get(key, "")
            if ":device:" in v and "manufacturer" not in m:
                lines.append(("upnp_type" if key == "deviceType" else "ssdp_type", v, typ))
        for sig, pat, t in lines:
            if not vendor and not t:
                continue
            line = rule(sig, pat, src, vendor, t, weight=0.6)
            if line not in seen:
                seen.add(line)
                out.append(line)
    return out


def import_domains(refs):
    base = os.path.join(refs, "iot-vendor-domains")
    path = os.path.join(base, "vendor_domains_combined.tsv")
    out = ["# Generated by data/fingerprints/import/import.py from vendor domain lists:",
           "# nextdns/native-tracking-domains (MIT), Perflyst/PiHoleBlocklist (MIT),",
           "# ntop/nDPI host table (LGPL-3.0). IoTrim (AGPL-3.0) is left out. Do not edit.",
           "# These name the maker only (weight 0.45): apps on phones call the same clouds.", ""]
    licence = {"nextdns_native_tracking": "nextdns/native-tracking-domains(MIT)",
               "perflyst_pihole": "Perflyst/PiHoleBlocklist(MIT)",
               "ndpi_host_match": "ntop/nDPI:src/lib/ndpi_content_match.c.inc(LGPL-3.0)"}
    vendors = {"alexa": "Amazon", "apple": "Apple", "huawei": "Huawei", "roku": "Roku",
               "samsung": "Samsung", "sonos": "Sonos", "xiaomi": "Xiaomi",
               "AmazonAlexa": "Amazon", "Sonos": "Sonos", "Xiaomi": "Xiaomi",
               "Nintendo": "Nintendo", "Playstation": "Sony", "Xbox": "Microsoft",
               "Huawei": "Huawei", "Samsung": "Samsung", "LG": "LG", "Sony Bravia": "Sony",
               "Panasonic Viera & panny tv": "Panasonic", "Philips": "Philips",
               "Hisense Smart TV": "Hisense", "Toshiba": "Toshiba", "Vizio": "Vizio",
               "Roku": "Roku", "Xioami Mi TV": "Xiaomi", "Amazon Fire TV": "Amazon",
               "TeslaServices": "Tesla"}
    types = {"Nintendo": "game_console", "Playstation": "game_console", "Xbox": "game_console"}
    seen = set()
    for no, r in read_tsv(path, ["source", "vendor_or_protocol", "domain_or_pattern"]):
        if r["source"] not in licence and r["source"] != "iotrim":
            die(path, no, "unknown source '%s'" % r["source"])
        if r["source"] == "iotrim":
            continue
        v = vendors.get(r["vendor_or_protocol"])
        if not v:
            continue
        d = r["domain_or_pattern"].strip().lower().lstrip("*").lstrip(".")
        if not re.fullmatch(r"[a-z0-9._-]+", d) or "." not in d.rstrip("."):
            continue  # regexes, bare words, nDPI's "amazon." TLD wildcards
        # A shared CDN or cloud says nothing of the maker.
        if d in seen or d.count(".") < 1 or d in GENERIC:
            continue
        seen.add(d)
        t = types.get(r["vendor_or_protocol"], "")
        for sig in ("dns_query", "tls_sni"):
            for pat in (d, "*." + d):
                out.append(rule(sig, pat, licence[r["source"]], v, t,
                                weight=0.7 if t else 0.45))
    return out


P0F_FILE = "p0f-peace-maker-updated.fp"
P0F_SOURCE = "p0f3-database(LGPL,peace-maker/p0f3-database@7687e77):p0f.fp:%d"
# Signatures of tools and crawlers, not of a device's own system.
P0F_NOT_SYSTEMS = ("p0f", "BaiduSpider")


def import_p0f(refs):
    """The [tcp:request] signatures of p0f's database, one line each."""
    path = os.path.join(refs, "p0f-signatures", P0F_FILE)
    out = ["# Generated by data/fingerprints/import/import.py from p0f 3's",
           "# fingerprint database (Michal Zalewski, LGPL; the 2023 additions",
           "# of github.com/peace-maker/p0f3-database, LGPL): TCP SYN",
           "# signatures and the system each describes. Do not edit; re-run",
           "# the importer. What each system tells of a device: tcp-syn.rules.",
           "#",
           "#   p0f  SIGNATURE  LABEL (s|g:CLASS:NAME:FLAVOR)  source=FILE:LINE"]
    section, label = None, None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for no, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                die(path, no, "unclosed section")
            section, label = line[1:-1], None
            continue
        if "=" not in line:
            die(path, no, "expected 'key = value'")
        key, value = (x.strip() for x in line.split("=", 1))
        if section != "tcp:request":
            continue
        if key == "label":
            parts = value.split(":")
            if len(parts) < 4 or parts[0] not in ("s", "g") or not parts[1] or not parts[2]:
                die(path, no, "expected 'label = s|g:CLASS:NAME:FLAVOR'")
            label = value
        elif key == "sys":
            continue
        elif key == "sig":
            if label is None:
                die(path, no, "a sig before any label")
            kind, cls, name, flavor = label.split(":", 3)
            # A tool's or a crawler's stack is no household device's.
            if cls == "!" or name in P0F_NOT_SYSTEMS or "crawler" in flavor:
                continue
            if len(value.split(":")) != 8:
                die(path, no, "expected ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass")
            out.append("p0f  %-72s %s source=%s" % (q(value), q(label), P0F_SOURCE % no))
        else:
            die(path, no, "unknown key '%s'" % key)
    return out


def write(path, lines):
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--refs", default=os.path.join(os.path.dirname(ROOT), "shared", "refs"))
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "fingerprints"))
    ap.add_argument("--oui", default="/usr/share/ieee-data/oui.csv",
                    help="the IEEE MA-L registry as CSV (Debian's ieee-data)")
    a = ap.parse_args()
    try:
        ha = import_ha(a.refs, a.oui)
        dom = import_domains(a.refs)
        p0f = import_p0f(a.refs)
    except Bad as e:
        print(e, file=sys.stderr)
        return 2
    except OSError as e:
        print("%s: %s" % (e.filename, e.strerror), file=sys.stderr)
        return 2
    write(os.path.join(a.out, "ha-discovery.rules"), ha)
    write(os.path.join(a.out, "cloud-lists.rules"), dom)
    write(os.path.join(a.out, "p0f.rules"), p0f)
    print("ha-discovery.rules: %d rules; cloud-lists.rules: %d rules; p0f.rules: %d "
          "signatures" % (
              sum(1 for l in ha if l and not l.startswith("#")),
              sum(1 for l in dom if l and not l.startswith("#")),
              sum(1 for l in p0f if l and not l.startswith("#"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
