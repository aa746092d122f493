/* hal/rundir.c - where an instance's runtime files live, created safely.
 *
 * The key file doubles as the device's lock, so its directory must not be
 * one where another user can plant a symlink or swap the file: we use a
 * private directory (0700, ours, not a symlink), created with mkdir's own
 * atomicity rather than checked-then-created. Readers (clients) create
 * nothing; they accept a directory of their own or root's that nobody
 * else can write, which is how a device shared with -g GROUP is found
 * (SHMDEV_DIR pointing at a directory root made 0750 for that group).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hal/hal.h"

int hal_name_ok(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0 || n > SHM_NAME_MAX || name[0] == '.' || name[0] == '-')
		goto bad;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '_' && c != '-' && c != '.')
			goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad name '%s': expected 1 to %d of A-Z a-z 0-9 _ - . "
		 "(not starting with . or -)", name, SHM_NAME_MAX);
	return -1;
}

/* The device's own directory: create it 0700 if missing, then insist it
 * is a real directory of ours that nobody else can write. */
static int own_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0) {
		snprintf(err, errlen, "cannot stat %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(err, errlen, "refusing runtime directory %s: not a directory "
			 "owned by uid %u and closed to others", dir, (unsigned)geteuid());
		return -1;
	}
	return 0;
}

/* A reader's view: an existing directory that only its owner (us or
 * root, for a device shared through -g) can write. Nothing is created. */
static int readable_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "cannot use %s: %s", dir,
						       strerror(errno)), -1);
	if (!S_ISDIR(st.st_mode) || (st.st_uid != geteuid() && st.st_uid != 0) ||
	    (st.st_mode & 022)) {
		snprintf(err, errlen, "refusing runtime directory %s: not a directory of "
			 "uid %u or root, closed to others", dir, (unsigned)geteuid());
		return -1;
	}
	return 0;
}

static int rundir(char *buf, size_t len, int create, char *err, size_t errlen)
{
	const char *dir = getenv("SHMDEV_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (dir && dir[0] == '/')
		n = snprintf(buf, len, "%s", dir);
	else if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/shmdev", xdg);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/run/shmdev");
	else
		n = snprintf(buf, len, "/tmp/shmdev-%u", (unsigned)geteuid());
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "runtime directory path too long");
		return -1;
	}
	return create ? own_dir(buf, err, errlen) : readable_dir(buf, err, errlen);
}

int hal_key_path(const char *name, int create, char *buf, size_t len, char *err, size_t errlen)
{
	char dir[200];
	int n;

	if (hal_name_ok(name, err, errlen) < 0 ||
	    rundir(dir, sizeof dir, create, err, errlen) < 0)
		return -1;
	n = snprintf(buf, len, "%s/%s.lock", dir, name);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "runtime path too long");
		return -1;
	}
	return 0;
}
