/* Privilege drop for a yamorid started as root (by hand, or by an init
 * system without User=): it becomes the "yamori" user and keeps only the
 * capabilities the live work needs. In two steps, so the capture can still
 * be opened as root:
 *   ym_privdrop_prepare  files are created and checked as the user from
 *                        then on (fsuid/fsgid and groups), and the state
 *                        directory is handed to the user;
 *   ym_privdrop_finish   after the capture is open: uid, gid and groups
 *                        become the user's, capabilities only CAP_NET_RAW
 *                        (and CAP_NET_ADMIN for nft isolation), no new
 *                        privileges.
 * A daemon not started as root (systemd's User=yamori) does neither. */
#ifndef YM_PRIVDROP_H
#define YM_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util.h"

#define YM_PRIVDROP_USER "yamori"

struct ym_privdrop {
	bool active;          /* started as root with a user to become */
	uid_t uid;
	gid_t gid;
	bool keep_net_admin;  /* nft isolation changes the firewall */
	char user[64];
};

/* Decides whether to drop: user NULL means the default "yamori"; "root"
 * means stay root. A missing default user is not an error (the daemon
 * stays root and a warning goes to err); a missing named user is. */
int ym_privdrop_init(struct ym_privdrop *pd, const char *user,
		     bool keep_net_admin, char *err, size_t errlen) YM_MUST_CHECK;

/* Hands state_dir (and the files directly in it, and socket_dir if given)
 * to the user, then makes file access the user's. */
int ym_privdrop_prepare(struct ym_privdrop *pd, const char *state_dir,
			const char *socket_dir, char *err,
			size_t errlen) YM_MUST_CHECK;

/* Becomes the user for good, keeping only the capabilities named above. */
int ym_privdrop_finish(struct ym_privdrop *pd, char *err,
		       size_t errlen) YM_MUST_CHECK;

#endif
