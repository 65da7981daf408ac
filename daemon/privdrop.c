/* Privilege drop for yamorid started as root. See privdrop.h.
 *
 * Capabilities are set with the raw capset(2) call rather than libcap: the
 * daemon needs one fixed set, and a dependency for three system calls is
 * not worth it. capset(2), PR_SET_KEEPCAPS and the bounding set are per
 * thread: the drop runs on the main thread before the loop runs, so the
 * threads libuv starts later for its work queue inherit the reduced set;
 * any thread that exists already loses every capability at setresuid(2),
 * which glibc applies to all threads and which clears the permitted set of
 * a thread without KEEPCAPS. */
#define _GNU_SOURCE /* setresuid, getresuid */
#include "privdrop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int ym_privdrop_init(struct ym_privdrop *pd, const char *user,
		     bool keep_net_admin, char *err, size_t errlen)
{
	const char *name = user ? user : YM_PRIVDROP_USER;
	struct passwd *pw;

	memset(pd, 0, sizeof(*pd));
	pd->keep_net_admin = keep_net_admin;
	err[0] = '\0';
	if (geteuid() != 0 || strcmp(name, "root") == 0)
		return 0;
	if (strlen(name) >= sizeof(pd->user)) {
		snprintf(err, errlen, "no user named %s", name);
		return -EINVAL;
	}
	errno = 0;
	pw = getpwnam(name);
	if (!pw) {
		if (user) {
			snprintf(err, errlen, "no user named %s", name);
			return -ENOENT;
		}
		/* The packages create the user (sysusers.d); a build tree
		 * run by hand may not have it. Staying root is then the
		 * operator's choice, said once. */
		snprintf(err, errlen, "warning: running as root: there is no "
			 "user %s to become (the package creates it; or give "
			 "--user USER, or --user root to keep root without "
			 "this warning)", name);
		return 0;
	}
	if (pw->pw_uid == 0)
		return 0;
	pd->active = true;
	pd->uid = pw->pw_uid;
	pd->gid = pw->pw_gid;
	snprintf(pd->user, sizeof(pd->user), "%s", name);
	return 0;
}

/* Gives dir and the files directly in it to the user. Only a directory of
 * root's or the user's own is taken: another user's directory named by
 * mistake is refused, not taken over. Symbolic links are never followed. */
static int hand_over(struct ym_privdrop *pd, const char *dir, char *err,
		     size_t errlen)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", dir,
			 strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot stat %s: %s", dir, strerror(errno));
		close(fd);
		return rc;
	}
	if (st.st_uid != 0 && st.st_uid != pd->uid) {
		snprintf(err, errlen, "%s belongs to uid %u, neither root nor "
			 "%s: not taking it over", dir, (unsigned)st.st_uid,
			 pd->user);
		close(fd);
		return -EPERM;
	}
	if ((st.st_uid != pd->uid || st.st_gid != pd->gid) &&
	    fchown(fd, pd->uid, pd->gid) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot give %s to %s: %s", dir, pd->user,
			 strerror(errno));
		close(fd);
		return rc;
	}
	d = fdopendir(fd); /* owns fd from here */
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISREG(st.st_mode) && !S_ISSOCK(st.st_mode))
			continue;
		if (st.st_uid == pd->uid && st.st_gid == pd->gid)
			continue;
		if (fchownat(fd, de->d_name, pd->uid, pd->gid,
			     AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot give %s/%s to %s: %s",
				 dir, de->d_name, pd->user, strerror(errno));
			break;
		}
	}
	closedir(d);
	return rc;
}

int ym_privdrop_prepare(struct ym_privdrop *pd, const char *state_dir,
			const char *socket_dir, char *err, size_t errlen)
{
	int rc;

	if (!pd->active)
		return 0;
	rc = hand_over(pd, state_dir, err, errlen);
	if (rc < 0)
		return rc;
	if (socket_dir && strcmp(socket_dir, state_dir) != 0) {
		if (mkdir(socket_dir, 0750) < 0 && errno != EEXIST) {
			rc = -errno;
			snprintf(err, errlen, "cannot create %s: %s",
				 socket_dir, strerror(errno));
			return rc;
		}
		rc = hand_over(pd, socket_dir, err, errlen);
		if (rc < 0)
			return rc;
	}
	/* From here files are created and checked as the user: the database
	 * and the socket belong to it, and a directory it could not use
	 * after the drop fails now, with the path in the message. */
	if (setgroups(1, &pd->gid) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot set groups: %s", strerror(errno));
		return rc;
	}
	setfsgid(pd->gid);
	setfsuid(pd->uid);
	if ((gid_t)setfsgid((gid_t)-1) != pd->gid ||
	    (uid_t)setfsuid((uid_t)-1) != pd->uid) {
		snprintf(err, errlen, "cannot take the file identity of %s",
			 pd->user);
		return -EPERM;
	}
	return 0;
}

static int set_caps(uint64_t keep)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

int ym_privdrop_finish(struct ym_privdrop *pd, char *err, size_t errlen)
{
	uint64_t keep = 1ULL << CAP_NET_RAW;
	uid_t ru, eu, su;
	int rc;

	if (!pd->active)
		return 0;
	if (pd->keep_net_admin)
		keep |= 1ULL << CAP_NET_ADMIN;
	/* The bounding set first, while CAP_SETPCAP is still there. Numbers
	 * past the kernel's last capability answer EINVAL. */
	for (int cap = 0; cap < 64; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
		    errno != EINVAL) {
			rc = -errno;
			snprintf(err, errlen, "cannot drop capability %d: %s",
				 cap, strerror(errno));
			return rc;
		}
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
	    setresgid(pd->gid, pd->gid, pd->gid) < 0 ||
	    setresuid(pd->uid, pd->uid, pd->uid) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot become %s: %s", pd->user,
			 strerror(errno));
		return rc;
	}
	rc = set_caps(keep);
	if (rc < 0) {
		snprintf(err, errlen, "cannot keep the network capabilities: %s",
			 strerror(-rc));
		return rc;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot set no_new_privs: %s",
			 strerror(errno));
		return rc;
	}
	/* Trust nothing: the way back must be closed. */
	if (getresuid(&ru, &eu, &su) < 0 || ru != pd->uid || eu != pd->uid ||
	    su != pd->uid || setuid(0) == 0) {
		snprintf(err, errlen, "the drop to %s did not hold", pd->user);
		return -EPERM;
	}
	return 0;
}
