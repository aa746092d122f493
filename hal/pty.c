/* hal/pty.c - the device's console: the master side of a pseudoterminal.
 *
 * A person attaches with `screen /dev/pts/N`; we read their keys from, and
 * write our output to, the master. Traps this file exists to avoid:
 *
 *  - A new pty is cooked (ECHO, ICANON, OPOST): our own output would come
 *    back as input. We make it raw, at creation and again after every
 *    detach, since a client may leave its own modes behind. So we write
 *    "\r\n" ourselves.
 *  - With no slave open, poll() reports POLLHUP on the master at once and
 *    for ever: waiting on it spins. While detached we do not wait on the
 *    master at all; we look at it on a slow timer instead (hal_pty_check).
 *    Opening and closing the slave once at start puts it in that state.
 *  - Writes block once a few KiB are unread. The master is non-blocking
 *    and our output queue is bounded: with nobody reading, output is
 *    dropped, never waited for.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "hal/hal.h"

static void make_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return;
	cfmakeraw(&t);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &t);
}

/* Point link at our pts: replace an old symlink, never anything else. */
static int make_link(struct hal_pty *p, const char *link, char *err, size_t errlen)
{
	struct stat st;
	char tmp[sizeof p->link + 16];

	if (snprintf(p->link, sizeof p->link, "%s", link) >= (int)sizeof p->link) {
		snprintf(err, errlen, "link path too long: '%s'", link);
		p->link[0] = 0;
		return -1;
	}
	if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "refusing to replace '%s': it exists and is not a symlink",
			 link);
		p->link[0] = 0;
		return -1;
	}
	/* Build it aside and rename over: the link is never missing or half made. */
	snprintf(tmp, sizeof tmp, "%s.%ld", link, (long)getpid());
	unlink(tmp);
	if (symlink(p->path, tmp) < 0 || rename(tmp, link) < 0) {
		snprintf(err, errlen, "cannot link '%s' to %s: %s", link, p->path, strerror(errno));
		unlink(tmp);
		p->link[0] = 0;
		return -1;
	}
	return 0;
}

int hal_pty_open(struct hal_pty *p, const char *link, char *err, size_t errlen)
{
	int slave;

	memset(p, 0, sizeof *p);
	p->fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->fd < 0 || grantpt(p->fd) < 0 || unlockpt(p->fd) < 0 ||
	    ptsname_r(p->fd, p->path, sizeof p->path) != 0) {
		snprintf(err, errlen, "cannot allocate a pseudoterminal: %s", strerror(errno));
		goto fail;
	}
	make_raw(p->fd);
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	/* Arm the hang-up state, so "attached" means someone opened it. */
	slave = open(p->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave >= 0)
		close(slave);
	if (link && make_link(p, link, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	return -1;
}

void hal_pty_close(struct hal_pty *p)
{
	char target[sizeof p->path];
	ssize_t n;

	if (p->link[0]) {
		n = readlink(p->link, target, sizeof target - 1);
		if (n >= 0 && (target[n] = 0, strcmp(target, p->path) == 0))
			unlink(p->link);
	}
	if (p->fd >= 0) {
		hal_pty_flush(p);
		close(p->fd);     /* hangs up the slave; /dev/pts/N goes away */
	}
	p->fd = -1;
}

void hal_pty_write(struct hal_pty *p, const char *buf, size_t len)
{
	size_t room = sizeof p->out - p->out_len;

	if (!p->attached) {
		p->dropped += len;
		return;
	}
	if (len > room) {
		p->dropped += len - room;
		len = room;
	}
	memcpy(p->out + p->out_len, buf, len);
	p->out_len += len;
	hal_pty_flush(p);
}

void hal_pty_flush(struct hal_pty *p)
{
	while (p->out_len) {
		ssize_t n = write(p->fd, p->out, p->out_len);
		if (n <= 0)
			return;         /* EAGAIN: the poll loop waits for POLLOUT */
		memmove(p->out, p->out + n, p->out_len - (size_t)n);
		p->out_len -= (size_t)n;
	}
}

ssize_t hal_pty_read(struct hal_pty *p, char *buf, size_t len)
{
	ssize_t n = read(p->fd, buf, len);

	if (n > 0)
		return n;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;              /* EIO: the last slave closed */
}

void hal_pty_detached(struct hal_pty *p)
{
	p->attached = 0;
	p->out_len = 0;
	make_raw(p->fd);
}

int hal_pty_check(struct hal_pty *p)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	if (poll(&pfd, 1, 0) < 0 || (pfd.revents & POLLHUP))
		return 0;
	p->attached = 1;
	return 1;
}
