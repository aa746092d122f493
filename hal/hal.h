/* hal/hal.h - the virtual hardware: the whole interface of hal/.
 *
 * One writer, many readers, on a System V shared-memory segment:
 *
 *   device      creates the segment, writes the control words (state,
 *               configuration), supervises the ADC task and serves the shell
 *   run_device  the ADC task: writes samples into the ring on a fixed clock
 *   client      attaches SHM_RDONLY and only ever loads
 *
 * Everything shared is a lock-free 32-bit atomic, so the layout is the same
 * and lock-free on 32-bit ARM (no 64-bit atomics: armv7 needs ldrexd/strexd
 * for those, which fault on a read-only mapping). Records of several words
 * (a sample, a configuration) are guarded by a begin/end tag pair, a
 * per-record sequence lock (Boehm 2012): readers never write, so a stopped
 * or killed reader cannot stall or corrupt the writer.
 *
 * Sequence numbers and ticks are 32-bit and wrap; compare them by unsigned
 * difference.
 */
#ifndef SHMDEV_HAL_H
#define SHMDEV_HAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "wave/wave.h"

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "shared words must be lock-free");

enum {
	SHM_MAGIC = 0x53484d44,      /* "SHMD" */
	SHM_LAYOUT = 2,              /* bump on any change below */
	SHM_RING_SLOTS = 4096,       /* power of two: 4 s at 1 kHz, 7 min at 10 Hz */
	SHM_CFG_SLOTS = 4,           /* configurations a reader can still look up */
	SHM_NAME_MAX = 31,           /* instance name length */
	SHM_PROJ_ID = 'S',           /* ftok project id */
	SHM_LATE_BUCKETS = 32,       /* late_hist: bucket b holds wakes < 2^b us late */
};

enum dev_state {
	STATE_OFF = 0,          /* shut down: readers exit */
	STATE_RUNNING = 1,
	STATE_STOPPED = 2,
};

enum cfg_flags { CFG_RESET_TIME = 1 };

/* A sample: seq (begin, end), the tick it was taken at (device time =
 * tick * interval) and code | cfg_gen << 16. Valid iff begin == end == the
 * seq the reader expects. */
struct shm_slot {
	_Atomic uint32_t begin;
	_Atomic uint32_t tick;
	_Atomic uint32_t value;
	_Atomic uint32_t end;
};

/* A configuration, guarded like a sample by its generation. */
struct shm_cfg {
	_Atomic uint32_t begin;
	_Atomic uint32_t wave;
	_Atomic uint32_t period_lo, period_hi;     /* ns */
	_Atomic uint32_t interval_lo, interval_hi; /* ns */
	_Atomic uint32_t flags;                    /* enum cfg_flags */
	_Atomic uint32_t end;
};

struct shm_seg {
	/* Identity: written before magic is published, constant after. */
	_Atomic uint32_t magic;          /* stored last, with release */
	uint32_t layout;
	uint32_t seg_size;
	uint32_t ring_slots;
	uint32_t slot_size;
	uint32_t cfg_slots;
	char name[SHM_NAME_MAX + 1];
	uint32_t device_pid;

	/* Written by the device. */
	_Atomic uint32_t state;          /* enum dev_state */
	_Atomic uint32_t ctl;            /* bumped on each command: the task's futex */
	_Atomic uint32_t cfg_gen;        /* current configuration */
	_Atomic uint32_t task_pid;
	_Atomic uint32_t task_restarts;

	/* Written by the ADC task. */
	_Atomic uint32_t head;           /* seq of the next sample */
	_Atomic uint32_t next_tick;      /* tick of the next sample */
	_Atomic uint32_t deadline_lo, deadline_hi;  /* CLOCK_MONOTONIC ns of it */
	_Atomic uint32_t late_wakes;     /* wakes later than a quarter interval */
	_Atomic uint32_t overruns;       /* instants skipped: ADC FIFO overflowed */
	_Atomic uint32_t max_late_us;
	_Atomic uint32_t late_hist[SHM_LATE_BUCKETS];  /* wake-up lateness, log2 us */

	/* Bumped by both on anything a reader may want: the readers' futex. */
	_Atomic uint32_t event;

	struct shm_cfg cfg[SHM_CFG_SLOTS];
	struct shm_slot ring[SHM_RING_SLOTS];
};

/* A configuration as plain values. */
struct hal_cfg {
	enum wave_kind wave;
	uint64_t period_ns;
	uint64_t interval_ns;
	uint32_t flags;
	uint32_t gen;
};

/* A sample as plain values. */
struct hal_sample {
	uint32_t seq;
	uint32_t tick;
	unsigned code;
	uint32_t cfg_gen;
};

/* ---- Instance naming and runtime files (hal/rundir.c) ----
 * Runtime files live in $SHMDEV_DIR if set, else $XDG_RUNTIME_DIR/shmdev,
 * /run/shmdev for root, or /tmp/shmdev-UID. The device (create = 1) makes
 * it 0700 and insists it is its own real directory; readers (create = 0)
 * create nothing. NAME.lock is both the ftok key file and the device's
 * flock, and holds its pid. */
int hal_name_ok(const char *name, char *err, size_t errlen);
int hal_key_path(const char *name, int create, char *buf, size_t len, char *err, size_t errlen);

/* ---- The segment (hal/segment.c) ---- */
struct hal_dev {                 /* the device's handle */
	struct shm_seg *seg;
	int shmid;
	key_t key;
	int lock_fd;
	char lock_path[256];
};

/* Take the instance lock, reclaim a stale segment of ours, refuse a live or
 * foreign one, create and initialise a new segment (mode 0600, or 0640
 * with gid >= 0). 0, or -1 with a message in err. */
int hal_create(struct hal_dev *d, const char *name, const struct hal_cfg *cfg,
	       int gid, char *err, size_t errlen);
/* Lay out a fresh, zeroed segment and publish its magic last. */
void hal_format(struct shm_seg *s, const char *name, const struct hal_cfg *cfg);
/* State OFF for readers, detach, IPC_RMID, drop the lock file. */
void hal_destroy(struct hal_dev *d);

/* Attach read-only as a client. 0; -1 with err; -2 when no device of that
 * name runs (err says so). */
int hal_attach(const char *name, struct shm_seg **seg, int *shmid,
	       char *err, size_t errlen);
void hal_detach(struct shm_seg *seg);
/* Check a mapped header (size bytes of it are readable) before trusting
 * anything else in it. 0, or -1 with the reason in err. */
int hal_validate(const struct shm_seg *seg, size_t size, char *err, size_t errlen);
/* shm_nattch and whether IPC_RMID has been done; -1 if the id is gone. */
int hal_seg_info(int shmid, unsigned *nattch, int *removed);

/* ---- Records (hal/ring.c) ---- */
/* Device: publish a new configuration (next generation) and state. */
void hal_set_config(struct shm_seg *seg, const struct hal_cfg *cfg);
void hal_set_state(struct shm_seg *seg, enum dev_state st);
/* Anyone: read configuration generation gen. 0, or -1 if it was
 * overwritten by newer ones. */
int hal_get_config(const struct shm_seg *seg, uint32_t gen, struct hal_cfg *out);
/* The configuration a sample was taken with (its cfg_gen). 0, or -1 if
 * too many configurations came since. */
int hal_config_of(const struct shm_seg *seg, uint32_t gen16, struct hal_cfg *out);
/* Task: write sample seq (= head) and publish it. It wakes nobody: a
 * writer calls hal_notify() once its burst is out (the ADC task: once per
 * wake-up), so readers are woken by one system call, not one per sample.
 * Readers load `event`, then `head`, then sleep on `event`: no wake-up is
 * lost, since head is stored before event is bumped. */
void hal_publish(struct shm_seg *seg, uint32_t tick, unsigned code, uint32_t cfg_gen);
/* Reader: sample seq. 0, or -1 if that slot holds another sample (it was
 * overwritten, or never written because the task skipped it). */
int hal_read(const struct shm_seg *seg, uint32_t seq, struct hal_sample *out);
/* Wake everyone waiting on seg->event. */
void hal_notify(struct shm_seg *seg);

/* Lateness (us) below which a share `permille` of all wakes fell: the
 * upper edge of that late_hist bucket. 0 when nothing was sampled. */
uint32_t hal_late_percentile(const struct shm_seg *seg, unsigned permille);

/* ---- Futex and time (hal/futex.c) ---- */
/* Sleep while *word == val, at most timeout_ns (relative; < 0 forever).
 * Works on a read-only mapping. Returns 0 on wake or mismatch, -1 on
 * timeout or signal. */
int hal_wait(const _Atomic uint32_t *word, uint32_t val, int64_t timeout_ns);
/* Sleep while *word == val, until the CLOCK_MONOTONIC time deadline_ns. */
int hal_wait_until(const _Atomic uint32_t *word, uint32_t val, uint64_t deadline_ns);
void hal_wake(_Atomic uint32_t *word);
uint64_t hal_now(void);     /* CLOCK_MONOTONIC in ns */

/* ---- The ADC task (hal/run_device.c) ---- */
/* The sampling loop, in a process of its own: returns when the device
 * turns the state OFF. */
int adc_task(struct shm_seg *seg);
/* Fork the ADC task for d, named run_device in ps. Returns its pid or -1. */
pid_t adc_spawn(struct hal_dev *d);

/* ---- The console pseudoterminal (hal/pty.c) ---- */
enum {
	PTY_OUT_MAX = 16384,     /* queued output; beyond it output is dropped */
	PTY_CHECK_MS = 250,      /* while detached, look for an attach this often */
};

struct hal_pty {
	int fd;                  /* the master, non-blocking */
	int attached;            /* a terminal has the slave open */
	char path[64];           /* /dev/pts/N */
	char link[256];          /* -l PATH, or "" */
	size_t out_len;
	size_t dropped;          /* output bytes nobody could read */
	char out[PTY_OUT_MAX];
};

/* Open a raw, non-blocking pty and optionally link PATH -> its slave.
 * 0, or -1 with a message. */
int hal_pty_open(struct hal_pty *p, const char *link, char *err, size_t errlen);
/* Remove the link if it is still ours, close (hangs up the slave). */
void hal_pty_close(struct hal_pty *p);
/* Queue output; dropped while detached or when the queue is full. */
void hal_pty_write(struct hal_pty *p, const char *buf, size_t len);
void hal_pty_flush(struct hal_pty *p);
/* Typed bytes: > 0 read, 0 none now, -1 the last terminal hung up. */
ssize_t hal_pty_read(struct hal_pty *p, char *buf, size_t len);
/* While detached: 1 when a terminal has attached since. */
int hal_pty_check(struct hal_pty *p);
/* After a hang-up: forget queued output, restore raw mode. */
void hal_pty_detached(struct hal_pty *p);

/* ---- Applets ---- */
int device_main(int argc, char **argv);
int run_device_main(int argc, char **argv);

#endif
