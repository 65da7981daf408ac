/* Every table in Yamori has a limit, so a flood of random MAC addresses or
 * flows cannot exhaust the memory of a router with 256 MB. Each limit says
 * why it has the value it has. Limits marked "default" can be changed in the
 * config file; the others are compile-time bounds. */
#ifndef YM_LIMITS_H
#define YM_LIMITS_H

/* Default number of concurrent flows: a busy home has a few thousand; 65536
 * flows cost about 10 MB plus nDPI state for the flows still being classified. */
#define YM_DEFAULT_MAX_FLOWS 65536

/* Default number of devices held in memory: a large home has under 100
 * devices; the rest of the room absorbs phones with rotating addresses. */
#define YM_DEFAULT_MAX_DEVICES 1024

/* Rows kept in the devices table: older devices beyond this are pruned so a
 * MAC flood cannot grow the database on an SD card without bound. */
#define YM_DEFAULT_MAX_STORED_DEVICES 4096

/* Alerts kept in the database: years of a household's alerts are a few
 * hundred; the cap only matters under attack. */
#define YM_MAX_STORED_ALERTS 10000

/* Default number of entries kept in Yamori's own record (the event log).
 * A household's alerts, actions and their signed heads take a few a day,
 * so 10,000 are years; under attack (alerts that come and go, a script
 * renaming in a loop) the oldest are trimmed, about 3 MB at most. */
#define YM_DEFAULT_MAX_LOG_ENTRIES 10000

/* Addresses kept per device: dual-stack devices rotate IPv6 privacy
 * addresses daily; keep the most recent ones. */
#define YM_MAX_IPS_PER_DEVICE 8

/* A flow with no packet for this long (capture clock) is expired. TCP flows
 * that ended with FIN or RST expire sooner. */
#define YM_DEFAULT_FLOW_IDLE_SEC 180
#define YM_FLOW_CLOSED_IDLE_SEC 10

/* Packets per flow given to nDPI before giving up: classification normally
 * ends within the first handful; ndpiReader uses a similar bound. */
#define YM_NDPI_MAX_PACKETS 32

/* Seconds between batched commits to SQLite (capture clock), to spare SD
 * cards the write amplification of one transaction per packet. */
#define YM_DEFAULT_COMMIT_SEC 30

/* Longest hostname or vendor string kept per device. */
#define YM_MAX_NAME 64

/* Longest line accepted in the config file. */
#define YM_MAX_CONFIG_LINE 512

/* Packets read from a capture file per loop iteration, so the loop still
 * services signals and timers while a large file is replayed. */
#define YM_FILE_BATCH 4096

/* Snapshot length for live capture: enough for every header Yamori decodes
 * plus the first bytes of payload nDPI needs (TLS ClientHello, HTTP). */
#define YM_DEFAULT_SNAPLEN 1600

/* Interfaces that one daemon captures on. */
#define YM_MAX_INTERFACES 8

/* Capture files accepted on one command line. */
#define YM_MAX_FILES 1024

/* Longest data file line, newline included: rules and knowledge-base entries
 * fit in a few hundred bytes; a longer line is an error, never split. */
#define YM_DATAFILE_LINE_MAX 1024

/* Files read from one directory; more are skipped with a warning. A bundle
 * holds tens of files; the bound only keeps a mistaken directory (say /etc)
 * from costing memory and start-up time. */
#define YM_DATAFILE_MAX_FILES 4096

/* A data bundle is read into memory whole before anything is checked: the
 * threat lists are the largest part (about 16 MB for a million entries), so
 * 64 MB leaves room and still fits a router's memory for a moment. */
#define YM_BUNDLE_MAX_BYTES (64u << 20)
/* Files in one bundle: the loader's own bound. */
#define YM_BUNDLE_MAX_FILES YM_DATAFILE_MAX_FILES
/* The manifest lists every file on one line: 1 MB holds 4096 of them. */
#define YM_BUNDLE_MANIFEST_MAX (1u << 20)
/* A minisign signature file is four short lines. */
#define YM_BUNDLE_SIG_MAX 4096
/* A path inside a bundle, e.g. "fingerprints/models.rules". */
#define YM_BUNDLE_PATH_MAX 128
/* Public keys trusted at once (compiled in and in keys_dir). */
#define YM_BUNDLE_MAX_KEYS 16
/* An update fetched over HTTPS gives up after this long. */
#define YM_FETCH_TIMEOUT_SEC 120

#endif
