/* yamorid: watches the home network (or capture files) and keeps the
 * inventory. Starts the modules in order and stops them in reverse. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <uv.h>

#include "api.h"
#include "config.h"
#include "engine.h"
#include "ym-features.h"
#include "i18n.h"
#include "privdrop.h"
#include "ym-limits.h"

#ifndef YM_VERSION
#define YM_VERSION "0.0.0"
#endif

struct daemon {
	uv_loop_t loop;
	uv_signal_t sigint, sigterm;
	struct ym_engine *engine;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: yamorid -i IFACE [-i IFACE2] [--state-dir DIR] [-c CONFIG]\n"
		"       yamorid -r FILE [-r FILE...] --state-dir DIR [-c CONFIG] [--serve]\n"
		"       yamorid --check-config [-c CONFIG]\n"
		"options: --data-dir DIR (default " YM_DATADIR ")\n"
		"         --user USER (started as root, become USER after opening\n"
		"         the capture; default " YM_PRIVDROP_USER ", root to stay root)\n"
		"Watches the home network and keeps the device inventory.\n");
}

static void on_signal(uv_signal_t *sig, int signum)
{
	struct daemon *d = sig->data;

	(void)signum;
	ym_engine_stop(d->engine);
	uv_close((uv_handle_t *)&d->sigint, NULL);
	uv_close((uv_handle_t *)&d->sigterm, NULL);
}

static int make_dir(const char *path, char *err, size_t errlen)
{
	char tmp[1024];
	struct stat st;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "state directory path is too long");
		return -ENAMETOOLONG;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(tmp, 0755);
		*p = '/';
	}
	if (mkdir(tmp, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create state directory %s: %s",
			 path, strerror(errno));
		return -errno;
	}
	if (stat(tmp, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "state directory %s is not a directory",
			 path);
		return -ENOTDIR;
	}
	return 0;
}

/* What the command line asks for. */
struct options {
	const char *config_path, *state_dir, *data_dir, *user;
	char *files[YM_MAX_FILES];
	char *ifaces[YM_MAX_INTERFACES];
	uint32_t n_ifaces, n_files;
	bool config_given, serve, check_config;
};

/* Reads the command line into o; returns -1 to go on, else the exit
 * status (0 after --help or --version, 2 on a usage error). */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "read", required_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "serve", no_argument, NULL, 'S' },
		{ "data-dir", required_argument, NULL, 'D' },
		{ "user", required_argument, NULL, 'u' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	o->config_path = YM_DEFAULT_CONFIG;
	while ((opt = getopt_long(argc, argv, "i:r:c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (o->n_ifaces == YM_MAX_INTERFACES) {
				fprintf(stderr, "yamorid: at most %d interfaces\n",
					YM_MAX_INTERFACES);
				return 2;
			}
			o->ifaces[o->n_ifaces++] = optarg;
			break;
		case 'r':
			if (o->n_files == YM_MAX_FILES) {
				fprintf(stderr, "yamorid: at most %d capture files\n",
					YM_MAX_FILES);
				return 2;
			}
			o->files[o->n_files++] = optarg;
			break;
		case 's':
			o->state_dir = optarg;
			break;
		case 'c':
			o->config_path = optarg;
			o->config_given = true;
			break;
		case 'S':
			o->serve = true;
			break;
		case 'D':
			o->data_dir = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'C':
			o->check_config = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("yamorid %s\n", YM_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "yamorid: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (o->n_ifaces && o->n_files) {
		fprintf(stderr, "yamorid: use either -i (live) or -r (files), "
			"not both\n");
		return 2;
	}
	return -1;
}

/* The config file with the command line over it; 0, or 2 with the
 * reason said. */
static int load_config(const struct options *o, struct ym_config *cfg)
{
	char err[2048] = "";

	ym_config_defaults(cfg);
	if (ym_config_load(cfg, o->config_path, o->config_given, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "yamorid: %s\n", err);
		return 2;
	}
	if (o->state_dir)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s",
			 o->state_dir);
	if (o->data_dir)
		snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s",
			 o->data_dir);
	if (o->n_ifaces) {
		cfg->n_interfaces = 0;
		for (uint32_t i = 0; i < o->n_ifaces; i++) {
			if (strlen(o->ifaces[i]) >= 16) {
				fprintf(stderr, "yamorid: no network interface "
					"named %s\n", o->ifaces[i]);
				return 2;
			}
			snprintf(cfg->interfaces[cfg->n_interfaces++], 64, "%s",
				 o->ifaces[i]);
		}
	}
	/* A setting this build cannot honour stops the start, as a bad
	 * value does. */
	if (ym_features_check_config(cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "yamorid: %s: %s\n", o->config_path, err);
		return 2;
	}
	if (o->check_config)
		return 0;
	if (!o->n_files && cfg->n_interfaces == 0) {
		fprintf(stderr, "yamorid: give an interface (-i) or capture "
			"files (-r)\n");
		return 2;
	}
	return 0;
}

/* The state directory, and the state and the socket handed to the user
 * yamorid becomes; 0, or 2 with the reason said. */
static int prepare_state(const struct options *o,
			 const struct ym_config *cfg, struct ym_privdrop *drop,
			 char *drop_warning, size_t warnlen)
{
	char err[2048] = "";

	if (make_dir(cfg->state_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "yamorid: %s\n", err);
		return 2;
	}
	/* Started as root: the state and the socket become the yamori
	 * user's now, the rest of root goes once the capture is open. Only
	 * nft isolation needs CAP_NET_ADMIN. */
	if (ym_privdrop_init(drop, o->user, cfg->isolate == YM_ISOLATE_NFT,
			     drop_warning, warnlen) < 0) {
		fprintf(stderr, "yamorid: %s\n", drop_warning);
		return 2;
	}
	{
		char sock[sizeof(cfg->api_socket) + 1100], *slash;

		ym_api_default_path(cfg->state_dir, sock, sizeof(sock));
		if (cfg->api_socket[0])
			snprintf(sock, sizeof(sock), "%s", cfg->api_socket);
		slash = strrchr(sock, '/');
		if (slash && slash != sock)
			*slash = '\0';
		if (ym_privdrop_prepare(drop, cfg->state_dir,
					o->serve || !o->n_files ? sock : NULL,
					err, sizeof(err)) < 0) {
			fprintf(stderr, "yamorid: %s\n", err);
			return 2;
		}
	}
	return 0;
}

/* Starts the engine on the files or the interfaces, drops root, runs the
 * loop to the end and closes everything; returns the exit status. */
static int run(struct daemon *d, struct options *o,
	       const struct ym_config *cfg, struct ym_privdrop *drop,
	       const char *drop_warning)
{
	char err[2048] = "";
	int rc, status;

	uv_loop_init(&d->loop);
	rc = ym_engine_init(&d->engine, &d->loop, cfg, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "yamorid: %s\n", err);
		uv_loop_close(&d->loop);
		/* A bad data file is bad input; anything else a failure. */
		return rc == -EINVAL ? 2 : 1;
	}
	rc = 0;
	if (o->n_files && o->serve)
		rc = ym_engine_serve(d->engine, err, sizeof(err));
	if (rc == 0)
		rc = o->n_files ? ym_engine_start_files(d->engine, o->files,
							o->n_files, err,
							sizeof(err)) :
				  ym_engine_start_live(d->engine, err,
						       sizeof(err));
	if (rc == 0)
		rc = ym_privdrop_finish(drop, err, sizeof(err));
	/* Said once started, so a failure stays one line. */
	if (rc == 0 && drop_warning[0])
		fprintf(stderr, "yamorid: %s\n", drop_warning);
	if (rc < 0) {
		fprintf(stderr, "yamorid: %s\n", err);
		ym_engine_stop(d->engine);
		uv_run(&d->loop, UV_RUN_DEFAULT);
		ym_engine_fini(d->engine);
		uv_loop_close(&d->loop);
		return 2;
	}
	uv_signal_init(&d->loop, &d->sigint);
	uv_signal_init(&d->loop, &d->sigterm);
	d->sigint.data = d->sigterm.data = d;
	uv_signal_start(&d->sigint, on_signal, SIGINT);
	uv_signal_start(&d->sigterm, on_signal, SIGTERM);
	/* Signal handles do not keep a file run alive: it ends with the
	 * last file. */
	if (o->n_files && !o->serve) {
		uv_unref((uv_handle_t *)&d->sigint);
		uv_unref((uv_handle_t *)&d->sigterm);
	}

	uv_run(&d->loop, UV_RUN_DEFAULT);

	status = ym_engine_fini(d->engine);
	if (!uv_is_closing((uv_handle_t *)&d->sigint)) {
		uv_close((uv_handle_t *)&d->sigint, NULL);
		uv_close((uv_handle_t *)&d->sigterm, NULL);
	}
	uv_run(&d->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&d->loop) != 0) {
		fprintf(stderr, "yamorid: internal error: handles left open\n");
		status = 1;
	}
	return status;
}

int main(int argc, char **argv)
{
	/* Static: the engine keeps the file names while it runs, and 1024
	 * of them are too many for the stack. */
	static struct options o;
	static struct daemon d;
	struct ym_privdrop drop;
	char drop_warning[512] = "";
	struct ym_config cfg;
	int rc;

	/* Alert messages the API hands out are in the household's language. */
	ym_i18n_init();
	/* A peer that closes its end early must cost an EPIPE on that
	 * write, never the whole program. */
	signal(SIGPIPE, SIG_IGN);
	rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	rc = load_config(&o, &cfg);
	if (rc == 0 && o.check_config) {
		/* --check-config: the file (and the command line) as yamorid
		 * would start with them; nothing else is touched. */
		printf("yamorid: %s: the configuration is valid\n",
		       o.config_path);
		return 0;
	}
	if (rc == 0)
		rc = prepare_state(&o, &cfg, &drop, drop_warning,
				   sizeof(drop_warning));
	if (rc != 0)
		return rc;
	return run(&d, &o, &cfg, &drop, drop_warning);
}
