# shmdev: a virtual ADC on System V shared memory, with a console on a pty.
#
#   make                  build ./shmdev and the applet links
#   make check            build and run every test (alias: make test)
#   make check SANITIZE=1 the same under AddressSanitizer + UBSan
#   make install          binary, applet links and man page under $(DESTDIR)$(PREFIX)
#
# Packager knobs (Buildroot/OpenWrt style), all overridable on the command line:
#   CROSS_COMPILE CC CFLAGS CPPFLAGS LDFLAGS LDLIBS PKG_CONFIG PREFIX DESTDIR V=1
#   READLINE=auto|yes|no  line editing: GNU readline, or our own editor (shell/lineedit.c)
#   EMU=...               prefix for running test binaries (qemu-arm, valgrind ...)
#   WERROR=1              warnings are errors (CI)

VERSION       := 0.3.0
CROSS_COMPILE ?=
ifeq ($(origin CC),default)
CC            := $(CROSS_COMPILE)gcc
endif
PKG_CONFIG    ?= pkg-config
PREFIX        ?= /usr/local
BINDIR        ?= $(PREFIX)/bin
MANDIR        ?= $(PREFIX)/share/man
CFLAGS        ?= -O2 -g
READLINE      ?= auto
SANITIZE      ?=
EMU           ?=
PYTHON        ?= python3

APPLETS := device run_device client

# Flags the build needs; kept apart so a packager's CFLAGS= cannot drop them.
REQ_CPPFLAGS := -D_GNU_SOURCE -DSHMDEV_VERSION='"$(VERSION)"' -I.
REQ_CFLAGS   := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
REQ_CFLAGS   += -Werror
endif
ifeq ($(SANITIZE),1)
REQ_CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
REQ_LDFLAGS  += -fsanitize=address,undefined
endif

# READLINE=auto probes for the header with this compiler (so cross builds
# without a target readline fall back to our editor deterministically).
ifeq ($(READLINE),auto)
READLINE := $(shell printf '\#include <stdio.h>\n\#include <readline/readline.h>\n' | \
	$(CC) $(CPPFLAGS) -E -x c - >/dev/null 2>&1 && echo yes || echo no)
endif
ifeq ($(READLINE),yes)
RL_LIBS  := $(shell $(PKG_CONFIG) --libs readline 2>/dev/null || echo -lreadline)
EDITOR_SRC := shell/editor_readline.c
else ifeq ($(READLINE),no)
RL_LIBS  :=
EDITOR_SRC := shell/editor_builtin.c
else
$(error READLINE must be auto, yes or no, not '$(READLINE)')
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Every .c in a folder is part of the program, except the editor variant not chosen.
LIB_SRCS := $(filter-out shell/editor_readline.c shell/editor_builtin.c, \
	$(wildcard hal/*.c shell/*.c wave/*.c monitor/*.c)) $(EDITOR_SRC)
LIB_OBJS := $(LIB_SRCS:%.c=obj/%.o)
ALL_CPPFLAGS = $(REQ_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = $(REQ_CFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(REQ_LDFLAGS) $(LDFLAGS)
ALL_LDLIBS   = $(RL_LIBS) $(LDLIBS)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=obj/tests/%)

all: shmdev $(APPLETS)

# Rebuild everything when the flags change (READLINE=no after a readline build, ...).
obj/.flags: FORCE
	@mkdir -p obj
	@echo '$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(ALL_LDLIBS) $(EDITOR_SRC)' > obj/.flags.new
	@cmp -s obj/.flags.new obj/.flags || mv obj/.flags.new obj/.flags
	@rm -f obj/.flags.new

obj/%.o: %.c obj/.flags
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $<')
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

obj/libshmdev.a: $(LIB_OBJS)
	$(Q)rm -f $@
	$(Q)$(CROSS_COMPILE)ar rcs $@ $^

shmdev: obj/main.o obj/libshmdev.a
	@$(if $(Q),echo '  LD      $@')
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(APPLETS): shmdev
	$(Q)ln -sf shmdev $@

obj/tests/%: tests/unit/%.c obj/libshmdev.a tests/check.h obj/.flags
	@mkdir -p $(@D)
	@$(if $(Q),echo '  CC      $<')
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< obj/libshmdev.a $(ALL_LDLIBS) -lm

check test: all $(UNIT_BINS)
	@EMU='$(EMU)' PYTHON='$(PYTHON)' READLINE='$(READLINE)' sh tests/run.sh $(UNIT_BINS)

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
	rm -rf obj tests/tmp shmdev $(APPLETS)

FORCE:
.PHONY: all check test install uninstall clean FORCE

-include $(LIB_OBJS:.o=.d) obj/main.d
