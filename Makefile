# shmdev: a virtual ADC on System V shared memory, with a console on a pty.
#
#   make                  build ./shmdev and the applet links
#   make check            build and run every test (alias: make test)
#   make check SANITIZE=1 the same under AddressSanitizer + UBSan
#   make bench            the side-by-side benchmarks (bench/)
#   make fuzz             the libFuzzer targets, FUZZ_SECONDS each (tests/fuzz/)
#   make static           ./shmdev-static, a stripped static musl build
#   make install          binary, applet links and man page under $(DESTDIR)$(PREFIX)
#
# Packager knobs (Buildroot/OpenWrt style), all overridable on the command line:
#   CROSS_COMPILE CC CFLAGS CPPFLAGS LDFLAGS LDLIBS PKG_CONFIG PREFIX DESTDIR V=1
#   READLINE=auto|yes|no  line editing: GNU readline, or our own (shell/lineedit.c)
#   EMU=...               prefix for running built programs in tests (qemu-arm ...)
#   WERROR=1              warnings are errors (CI)
#   B=DIR                 where objects go (default obj)

VERSION       := 0.3.0
CROSS_COMPILE ?=
ifeq ($(origin CC),default)
CC            := $(CROSS_COMPILE)gcc
endif
AR            := $(CROSS_COMPILE)ar
PKG_CONFIG    ?= pkg-config
PREFIX        ?= /usr/local
BINDIR        ?= $(PREFIX)/bin
MANDIR        ?= $(PREFIX)/share/man
CFLAGS        ?= -O2 -g
READLINE      ?= auto
SANITIZE      ?=
EMU           ?=
PYTHON        ?= python3
B             ?= obj

APPLETS := device run_device client

# Flags the build needs; kept apart so a packager's CFLAGS= cannot drop them.
REQ_CPPFLAGS := -D_GNU_SOURCE -DSHMDEV_VERSION='"$(VERSION)"' -I.
REQ_CFLAGS   := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
REQ_LDFLAGS  :=
ifeq ($(WERROR),1)
REQ_CFLAGS   += -Werror
endif
ifeq ($(SANITIZE),1)
REQ_CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
REQ_LDFLAGS  += -fsanitize=address,undefined
endif

# READLINE=auto asks this compiler to build and link a call into readline,
# so a cross build whose target has no readline (Debian's cross gcc still
# sees the host's headers) falls back to our editor, deterministically.
ifeq ($(READLINE),auto)
READLINE := $(shell echo 'int main(void) { rl_callback_read_char(); return 0; }' | \
	$(CC) $(CPPFLAGS) $(CFLAGS) -include stdio.h -include readline/readline.h -x c - \
	$(LDFLAGS) -o /dev/null -lreadline >/dev/null 2>&1 && echo yes || echo no)
endif
ifeq ($(READLINE),yes)
RL_LIBS    := $(shell $(PKG_CONFIG) --libs readline 2>/dev/null || echo -lreadline)
EDITOR_SRC := shell/editor_readline.c
else ifeq ($(READLINE),no)
RL_LIBS    :=
EDITOR_SRC := shell/editor_builtin.c
else
$(error READLINE must be auto, yes or no, not '$(READLINE)')
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Every .c in a folder is part of the program, but for the editor not chosen.
EDITORS  := shell/editor_readline.c shell/editor_builtin.c
LIB_SRCS := $(filter-out $(EDITORS),$(wildcard hal/*.c shell/*.c wave/*.c monitor/*.c))
LIB_OBJS := $(patsubst %.c,$(B)/%.o,$(LIB_SRCS) $(EDITOR_SRC))
ALL_CPPFLAGS = $(REQ_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = $(REQ_CFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(REQ_LDFLAGS) $(LDFLAGS)
ALL_LDLIBS   = $(RL_LIBS) $(LDLIBS)

UNIT_BINS  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
BENCH_BINS := $(patsubst bench/%.c,$(B)/bench/%,$(wildcard bench/bench_*.c))

all: shmdev $(APPLETS)

# Rebuild everything when the flags change (READLINE=no after a readline build ...).
$(B)/.flags: FORCE
	@mkdir -p $(B)
	@echo '$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(ALL_LDLIBS) $(EDITOR_SRC)' > $@.new
	@cmp -s $@.new $@ || mv $@.new $@
	@rm -f $@.new

$(B)/%.o: %.c $(B)/.flags
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $<')
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libshmdev.a: $(LIB_OBJS)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

shmdev shmdev-static: $(B)/main.o $(B)/libshmdev.a
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(APPLETS): shmdev
	$(Q)ln -sf shmdev $@

# Tests and benchmarks may use libm for reference values; the program may not.
define link_with_lib
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $<')
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
		$(B)/libshmdev.a $(ALL_LDLIBS) -lm
endef
$(UNIT_BINS): $(B)/tests/%: tests/unit/%.c $(B)/libshmdev.a tests/check.h $(B)/.flags
	$(link_with_lib)
$(BENCH_BINS): $(B)/bench/%: bench/%.c $(B)/libshmdev.a $(B)/.flags
	$(link_with_lib)

TEST_DEPS := screen python3

check test: all $(UNIT_BINS)
	@mkdir -p tests/tmp && sh tests/deps.sh $(TEST_DEPS)
	@EMU='$(EMU)' PYTHON='$(PYTHON)' READLINE='$(READLINE)' sh tests/run.sh $(UNIT_BINS)

bench: all $(BENCH_BINS)
	@EMU='$(EMU)' B='$(B)' sh bench/run.sh

# ---- Fuzzing: libFuzzer targets, built with clang against our own editor ----
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SRCS    := $(LIB_SRCS) shell/editor_builtin.c

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRCS) $(wildcard */*.h)
	@mkdir -p $(@D)
	@$(if $(Q),echo '  FUZZCC  $<')
	$(Q)$(FUZZ_CC) $(REQ_CPPFLAGS) -std=c11 -Wall -Wextra -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(FUZZ_SRCS)

fuzz: $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)
	@for f in $(FUZZ_NAMES); do \
		mkdir -p tests/tmp/fuzz/$$f; \
		echo "fuzz $$f: $(FUZZ_SECONDS) s"; \
		$(B)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=tests/tmp/fuzz/$$f- tests/tmp/fuzz/$$f tests/fuzz/corpus/$$f \
			>tests/tmp/fuzz/$$f.log 2>&1 || { tail -40 tests/tmp/fuzz/$$f.log; exit 1; }; \
		grep -E '^#[0-9]+ *DONE' tests/tmp/fuzz/$$f.log || tail -1 tests/tmp/fuzz/$$f.log; \
	done

# ---- Board builds ----
# A static, stripped musl binary beside the normal one: size first (no
# unwind tables, unused sections collected, one text segment).
STATIC_CFLAGS  := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fno-pie
STATIC_LDFLAGS := -static -no-pie -s -Wl,--gc-sections -Wl,-z,noseparate-code \
	-Wl,--build-id=none -Wl,-z,norelro
static:
	$(MAKE) B=obj/static CC=musl-gcc READLINE=no CFLAGS='$(STATIC_CFLAGS)' \
		LDFLAGS='$(STATIC_LDFLAGS)' shmdev-static

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 shmdev $(DESTDIR)$(BINDIR)/shmdev
	for a in $(APPLETS); do ln -sf shmdev $(DESTDIR)$(BINDIR)/$$a; done
	install -m 0644 shmdev.1 $(DESTDIR)$(MANDIR)/man1/shmdev.1

uninstall:
	for a in $(APPLETS); do \
		if [ -L $(DESTDIR)$(BINDIR)/$$a ]; then rm -f $(DESTDIR)$(BINDIR)/$$a; fi; done
	rm -f $(DESTDIR)$(BINDIR)/shmdev $(DESTDIR)$(MANDIR)/man1/shmdev.1

clean:
	rm -rf obj tests/tmp shmdev shmdev-static $(APPLETS)

FORCE:
.PHONY: all check test bench fuzz static install uninstall clean FORCE

-include $(LIB_OBJS:.o=.d) $(B)/main.d
