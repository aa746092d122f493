/* hal/segment.c - creating, finding, checking and removing the segment.
 *
 * ftok keys collide easily (8 bits of project id, 16 of inode, 8 of
 * device), so nothing in a segment is trusted before its header says it is
 * a shmdev segment of this layout, size and instance name. A segment of
 * ours is only ever removed when we hold the instance lock, which proves
 * its device is dead; anything else at our key is left alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hal/hal.h"

enum { LOCK_TRIES = 5 };

int hal_validate(const struct shm_seg *seg, size_t size, char *err, size_t errlen)
{
	if (size < offsetof(struct shm_seg, state)) {
		snprintf(err, errlen, "segment too small (%zu bytes) for a shmdev header", size);
		return -1;
	}
	if (atomic_load_explicit(&seg->magic, memory_order_acquire) != SHM_MAGIC) {
		snprintf(err, errlen, "not a shmdev segment (magic %#x)",
			 (unsigned)atomic_load_explicit(&seg->magic, memory_order_relaxed));
		return -1;
	}
	if (seg->layout != SHM_LAYOUT) {
		snprintf(err, errlen, "shmdev segment of layout %u, this program reads %u",
			 (unsigned)seg->layout, (unsigned)SHM_LAYOUT);
		return -1;
	}
	if (seg->seg_size != sizeof(struct shm_seg) || size < sizeof(struct shm_seg) ||
	    seg->ring_slots != SHM_RING_SLOTS || seg->slot_size != sizeof(struct shm_slot) ||
	    seg->cfg_slots != SHM_CFG_SLOTS) {
		snprintf(err, errlen, "shmdev segment with unexpected sizes "
			 "(%u bytes, %zu mapped, %u slots)", (unsigned)seg->seg_size, size,
			 (unsigned)seg->ring_slots);
		return -1;
	}
	if (memchr(seg->name, 0, sizeof seg->name) == NULL) {
		snprintf(err, errlen, "shmdev segment with a corrupt name");
		return -1;
	}
	return 0;
}

/* A valid segment of instance name, or -1 with the reason. */
static int check_ours(const struct shm_seg *seg, size_t size, const char *name,
		      char *why, size_t n)
{
	if (hal_validate(seg, size, why, n) < 0)
		return -1;
	if (strcmp(seg->name, name) != 0) {
		snprintf(why, n, "it belongs to instance '%s'", seg->name);
		return -1;
	}
	return 0;
}

/* Open and lock the instance's key file: proof that no device of this
 * name runs. The file is re-checked after locking because a departing
 * device unlinks it while still holding its lock. */
static int take_lock(struct hal_dev *d, const char *name, char *err, size_t errlen)
{
	for (int i = 0; i < LOCK_TRIES; i++) {
		struct stat a, b;
		int fd = open(d->lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd < 0) {
			snprintf(err, errlen, "cannot open %s: %s", d->lock_path, strerror(errno));
			return -1;
		}
		if (fstat(fd, &a) < 0 || !S_ISREG(a.st_mode) || a.st_uid != geteuid()) {
			snprintf(err, errlen, "refusing %s: not a regular file of ours", d->lock_path);
			close(fd);
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			char pid[16] = "";
			ssize_t n = pread(fd, pid, sizeof pid - 1, 0);

			pid[n > 0 ? n : 0] = 0;
			pid[strcspn(pid, "\n")] = 0;
			snprintf(err, errlen, "a device named '%s' is already running%s%s%s",
				 name, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
			close(fd);
			return -1;
		}
		if (stat(d->lock_path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			d->lock_fd = fd;
			return 0;
		}
		close(fd);
	}
	snprintf(err, errlen, "cannot lock %s: it keeps changing", d->lock_path);
	return -1;
}

static void write_pid(int fd)
{
	char buf[16];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) == n)
		return;
	/* The pid is only for messages; the lock itself is what matters. */
}

static size_t seg_size_of(int shmid)
{
	struct shmid_ds ds;

	return shmctl(shmid, IPC_STAT, &ds) == 0 ? ds.shm_segsz : 0;
}

/* What sits at our key: nothing (0), a stale segment of ours that we have
 * now removed (0), or something we must not touch (-1). We hold the lock. */
static int clear_key(struct hal_dev *d, const char *name, char *err, size_t errlen)
{
	int id = shmget(d->key, 0, 0);
	struct shm_seg *old;
	char why[160];

	if (id < 0)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "shmget: %s", strerror(errno)), -1);
	old = shmat(id, NULL, SHM_RDONLY);
	if (old == (void *)-1) {
		snprintf(err, errlen, "key %#x (from %s) is taken by segment %d that we cannot "
			 "read (%s): refusing to touch it", (unsigned)d->key, d->lock_path, id,
			 strerror(errno));
		return -1;
	}
	if (check_ours(old, seg_size_of(id), name, why, sizeof why) < 0) {
		snprintf(err, errlen, "key %#x (from %s) is taken by segment %d: %s; "
			 "refusing to touch it (ipcrm -m %d removes it)", (unsigned)d->key,
			 d->lock_path, id, why, id);
		shmdt(old);
		return -1;
	}
	shmdt(old);
	/* Ours, and the lock proves its device and task are gone. */
	shmctl(id, IPC_RMID, NULL);
	return 0;
}

void hal_format(struct shm_seg *s, const char *name, const struct hal_cfg *cfg)
{
	s->layout = SHM_LAYOUT;
	s->seg_size = sizeof *s;
	s->ring_slots = SHM_RING_SLOTS;
	s->slot_size = sizeof(struct shm_slot);
	s->cfg_slots = SHM_CFG_SLOTS;
	snprintf(s->name, sizeof s->name, "%s", name);
	s->device_pid = (uint32_t)getpid();
	/* Tag each slot as a sample from one lap ago, so that no slot matches
	 * a sequence number before it is written. */
	for (uint32_t i = 0; i < SHM_RING_SLOTS; i++) {
		atomic_store_explicit(&s->ring[i].begin, i - SHM_RING_SLOTS, memory_order_relaxed);
		atomic_store_explicit(&s->ring[i].end, i - SHM_RING_SLOTS, memory_order_relaxed);
	}
	for (uint32_t i = 0; i < SHM_CFG_SLOTS; i++) {
		atomic_store_explicit(&s->cfg[i].begin, i - SHM_CFG_SLOTS, memory_order_relaxed);
		atomic_store_explicit(&s->cfg[i].end, i - SHM_CFG_SLOTS, memory_order_relaxed);
	}
	atomic_store_explicit(&s->cfg_gen, (uint32_t)-1, memory_order_relaxed);
	hal_set_config(s, cfg);
	atomic_store_explicit(&s->state, STATE_RUNNING, memory_order_relaxed);
	atomic_store_explicit(&s->magic, SHM_MAGIC, memory_order_release);
}

int hal_create(struct hal_dev *d, const char *name, const struct hal_cfg *cfg,
	       int gid, char *err, size_t errlen)
{
	int mode = gid >= 0 ? 0640 : 0600;

	memset(d, 0, sizeof *d);
	d->lock_fd = -1;
	d->shmid = -1;
	if (hal_key_path(name, 1, d->lock_path, sizeof d->lock_path, err, errlen) < 0)
		return -1;
	if (take_lock(d, name, err, errlen) < 0)
		return -1;
	d->key = ftok(d->lock_path, SHM_PROJ_ID);
	if (d->key == (key_t)-1) {
		snprintf(err, errlen, "ftok %s: %s", d->lock_path, strerror(errno));
		goto fail;
	}
	if (clear_key(d, name, err, errlen) < 0)
		goto fail;
	d->shmid = shmget(d->key, sizeof(struct shm_seg), IPC_CREAT | IPC_EXCL | mode);
	if (d->shmid < 0) {
		snprintf(err, errlen, "cannot create a %zu-byte segment: %s",
			 sizeof(struct shm_seg), strerror(errno));
		goto fail;
	}
	if (gid >= 0) {
		struct shmid_ds ds;
		if (shmctl(d->shmid, IPC_STAT, &ds) < 0 || (ds.shm_perm.gid = (gid_t)gid,
		    shmctl(d->shmid, IPC_SET, &ds) < 0)) {
			snprintf(err, errlen, "cannot give the segment to group %d: %s",
				 gid, strerror(errno));
			goto fail_rm;
		}
	}
	d->seg = shmat(d->shmid, NULL, 0);
	if (d->seg == (void *)-1) {
		d->seg = NULL;
		snprintf(err, errlen, "shmat: %s", strerror(errno));
		goto fail_rm;
	}
	hal_format(d->seg, name, cfg);
	write_pid(d->lock_fd);
	return 0;
fail_rm:
	shmctl(d->shmid, IPC_RMID, NULL);
fail:
	unlink(d->lock_path);
	close(d->lock_fd);
	d->lock_fd = -1;
	return -1;
}

void hal_destroy(struct hal_dev *d)
{
	if (d->seg) {
		/* Readers must see OFF before the segment goes; the device's
		 * teardown has usually said it already. */
		if (atomic_load_explicit(&d->seg->state, memory_order_relaxed) != STATE_OFF)
			hal_set_state(d->seg, STATE_OFF);
		shmdt(d->seg);
		d->seg = NULL;
	}
	if (d->shmid >= 0)
		shmctl(d->shmid, IPC_RMID, NULL);
	d->shmid = -1;
	if (d->lock_fd >= 0) {
		/* Unlink while still holding the lock: see take_lock(). */
		unlink(d->lock_path);
		close(d->lock_fd);
		d->lock_fd = -1;
	}
}

static int find(const char *name, int *shmid, char *err, size_t errlen)
{
	char path[256];
	key_t key;

	if (hal_key_path(name, 0, path, sizeof path, err, errlen) < 0)
		return -1;
	if (access(path, F_OK) < 0) {
		snprintf(err, errlen, "no device named '%s' is running (no %s); "
			 "start one with: device -n %s SIN 2", name, path, name);
		return -2;
	}
	key = ftok(path, SHM_PROJ_ID);
	*shmid = key == (key_t)-1 ? -1 : shmget(key, 0, 0);
	if (*shmid < 0 && (key == (key_t)-1 || errno == ENOENT)) {
		snprintf(err, errlen, "no device named '%s' is running (no segment for %s); "
			 "start one with: device -n %s SIN 2", name, path, name);
		return -2;
	}
	if (*shmid < 0) {
		snprintf(err, errlen, "device '%s': %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

int hal_attach(const char *name, struct shm_seg **seg, int *shmid, char *err, size_t errlen)
{
	char why[160];
	int rc = find(name, shmid, err, errlen);
	void *p;

	if (rc < 0)
		return rc;
	p = shmat(*shmid, NULL, SHM_RDONLY);
	if (p == (void *)-1) {
		snprintf(err, errlen, "device '%s': cannot attach segment %d: %s",
			 name, *shmid, strerror(errno));
		return -1;
	}
	if (check_ours(p, seg_size_of(*shmid), name, why, sizeof why) < 0) {
		snprintf(err, errlen, "device '%s': segment %d at its key is not ours: %s; "
			 "refusing it", name, *shmid, why);
		shmdt(p);
		return -1;
	}
	*seg = p;
	return 0;
}

void hal_detach(struct shm_seg *seg)
{
	if (seg)
		shmdt(seg);
}

int hal_seg_info(int shmid, unsigned *nattch, int *removed)
{
	struct shmid_ds ds;

	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return -1;
	*nattch = (unsigned)ds.shm_nattch;
	*removed = (ds.shm_perm.mode & SHM_DEST) != 0;
	return 0;
}
