# SPDX-License-Identifier: GPL-2.0-or-later
# nook: one static binary.  Plain GNU make that obeys the toolchain it is
# handed (OpenWrt passes CC=/CROSS_COMPILE= on the command line, Yocto exports
# CC with --sysroot).  When no toolchain is handed to us, board/deps.sh builds
# musl, libseccomp and cJSON for TARGET from Debian's source packages into
# build/deps/<target> (cached).
#
#   make [TARGET=x86_64|armhf|aarch64|mips|mipsel]   build/<target>/nook
#   make TARGET=mips MIPS16=1   MIPS16e code, 23% smaller: build/mips-mips16
#   make check        unit tests (ASan/UBSan) + privileged tests (root)
#   make vm-check     the cgroup tests in a qemu VM with all controllers
#   make bench        nook vs crun vs runc; the engine, images, networks vs podman
#   make cross        every target
#   make cross-check  the unit tests built for every target (and mips
#                     MIPS16=1), run under qemu-user (x86_64 natively)
#   make install      DESTDIR, PREFIX

TARGET ?= x86_64
PREFIX ?= /usr
BUILD := build/$(TARGET)

TRIPLE_x86_64 := x86_64-linux-gnu
TRIPLE_armhf := arm-linux-gnueabihf
TRIPLE_aarch64 := aarch64-linux-gnu
TRIPLE_mips := mips-linux-gnu
TRIPLE_mipsel := mipsel-linux-gnu
TRIPLE := $(TRIPLE_$(TARGET))

# Toolchain: ours only when the caller gave none.  With a CC but no
# CROSS_COMPILE, ar and strip are the ones that CC uses itself; AR and STRIP
# from the caller (OpenWrt, Yocto) win over all.
DEPS :=
ifeq ($(origin CC),default)
ifdef CROSS_COMPILE
CC := $(CROSS_COMPILE)gcc
else
DEPS := build/deps/$(TARGET)
CC := $(DEPS)/bin/musl-gcc
ifeq ($(TRIPLE),)
$(error unknown TARGET '$(TARGET)': x86_64 armhf aarch64 mips mipsel, or hand over a toolchain with CROSS_COMPILE= or CC=)
endif
ifneq ($(TARGET),x86_64)
CROSS_COMPILE := $(TRIPLE)-
endif
endif
else ifndef CROSS_COMPILE
CC_AR := $(shell $(CC) -print-prog-name=ar)
CC_STRIP := $(shell $(CC) -print-prog-name=strip)
endif
STRIP ?= $(or $(CC_STRIP),$(CROSS_COMPILE)strip)
ifeq ($(origin AR),default)
AR := $(or $(CC_AR),$(CROSS_COMPILE)ar)
endif
# A handed toolchain builds in build/<its triple>, never among the objects
# of our own build/<target>.
ifeq ($(DEPS)$(origin BUILD),file)
BUILD := build/$(or $(shell $(CC) -dumpmachine 2>/dev/null),sdk)
endif
# The API service (`nook system service`: http_attach) is ~12 KB of the
# binary; NOOK_API=0 leaves it out (and builds in <build>-noapi).
NOOK_API ?= 1
ifeq ($(NOOK_API)$(origin BUILD),0file)
BUILD := $(BUILD)-noapi
endif

# Our own cross toolchains: static non-PIE code (Debian's gcc makes PIE by
# default; on MIPS that is PIC code, 12% bigger: board/deps.sh builds the
# libraries the same way), no unwind tables (nothing here unwinds: C with
# no exceptions, no backtrace(); on x86_64 they were 57 KB of the file);
# on aarch64 no RELRO segment
# (its 64 KB page alignment pads the file by 31 KB, and only musl's dynamic
# linker ever applies RELRO); on x86_64 the text and read-only data in one
# segment, as the other targets' linkers do by default (-z separate-code
# pads each to a page: 8 KB, and one more mapping for the runtime to move
# off the binary's file at every start).  A CFLAGS/LDFLAGS from the caller
# replaces it.
NO_UNWIND := -fno-asynchronous-unwind-tables -fno-unwind-tables
SIZE_CFLAGS_mips := -fno-pie -mno-shared -mplt $(NO_UNWIND)
SIZE_CFLAGS_mipsel := $(SIZE_CFLAGS_mips)
SIZE_CFLAGS_armhf := -fno-pie
SIZE_CFLAGS_aarch64 := -fno-pie $(NO_UNWIND)
SIZE_CFLAGS_x86_64 := -fno-pie $(NO_UNWIND)
SIZE_LDFLAGS_aarch64 := -Wl,-z,norelro
SIZE_LDFLAGS_x86_64 := -Wl,-z,noseparate-code
CFLAGS ?= -Os $(if $(DEPS),$(SIZE_CFLAGS_$(TARGET)))
LDFLAGS ?= $(if $(DEPS),$(SIZE_LDFLAGS_$(TARGET)))
ifdef PKG_CONFIG
LIBS ?= $(shell $(PKG_CONFIG) --libs libseccomp libcjson)
CFLAGS += $(shell $(PKG_CONFIG) --cflags libseccomp libcjson)
else
LIBS ?= -lseccomp -lcjson
endif
STATIC ?= -static

# 64-bit off_t and time_t with a 32-bit glibc (Yocto's default); musl has them.
NOOK_CFLAGS := -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 -I. \
	-Wall -Wextra -Wno-unused-parameter \
	-Wmissing-prototypes -Wmissing-declarations -Wshadow -Wformat=2 \
	-ffunction-sections -fdata-sections -MMD -MP
# WERROR=1 (or NOOK_WERROR=1 in the environment, as CI sets it): warnings
# are errors.
WERROR ?= $(NOOK_WERROR)
ifeq ($(WERROR),1)
NOOK_CFLAGS += -Werror
endif
NOOK_LDFLAGS := $(STATIC) -Wl,--gc-sections
# The monitor's working set in one place (monitor/hot.ld); empty it for a
# linker without INSERT scripts.
HOT_LDFLAGS ?= -Wl,-T,monitor/hot.ld

# Images (load, save, import, commit, images, rmi...: ~70 KB on mips);
# NOOK_IMAGES=0 leaves them out (containers then run from --rootfs DIR or
# FILE.sqfs only; builds in <build>-noimages).
NOOK_IMAGES ?= 1
ifeq ($(NOOK_IMAGES)$(origin BUILD),0file)
BUILD := $(BUILD)-noimages
endif
ifeq ($(NOOK_IMAGES),0)
NOOK_CFLAGS += -DNOOK_NO_IMAGES
endif
ifeq ($(NOOK_API),0)
NOOK_CFLAGS += -DNOOK_NO_API
endif
# Bridge networks (network create/ls/..., port, -p, the rtnetlink and
# nftables code: ~40 KB on mips); NOOK_NETWORK=0 leaves them out for the
# smallest routers: --network none (then the default), host, ns:PATH and
# container:NAME only; builds in <build>-nonet.
NOOK_NETWORK ?= 1
ifeq ($(NOOK_NETWORK)$(origin BUILD),0file)
BUILD := $(BUILD)-nonet
endif
ifeq ($(NOOK_NETWORK),0)
NOOK_CFLAGS += -DNOOK_NO_NETWORK
endif
# MIPS16=1: nook's own code in MIPS16e, the 16-bit encoding of the
# 24Kc/74Kc/1004Kc cores that most MIPS routers have (OpenWrt's
# CONFIG_USE_MIPS16 does the same for its packages): the mips binary 23%
# smaller, and it runs only on a CPU with MIPS16e (not on MIPS32r6, nor on
# most of Broadcom's BMIPS); builds in <build>-mips16.  The allocator and
# the inflate, crc32 and sha256 loops stay in standard MIPS (oci/util.h:
# NOOK_NOMIPS16).
MIPS16 ?=
ifeq ($(MIPS16)$(origin BUILD),1file)
BUILD := $(BUILD)-mips16
endif
ifeq ($(MIPS16),1)
NOOK_CFLAGS += -mips16 -minterlink-mips16
endif

# The engine's command line (cli.c has main, cli-*.c its commands) is the
# program; the rest is libnook.a, which the unit tests link too.
MAIN_SRC := engine/cli.c $(wildcard engine/cli-*.c)
LIB_SRCS := $(wildcard oci/*.c store/*.c monitor/*.c) \
	$(filter-out $(MAIN_SRC) $(if $(filter 0,$(NOOK_API)),engine/api.c),$(wildcard engine/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/obj/%.o)
DEPS_STAMP := $(if $(DEPS),$(DEPS)/.done)
# The flags a build dir was compiled with: other flags (a newer Makefile's
# or the caller's) rebuild it, instead of linking objects of both.
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW := $(CC) $(NOOK_CFLAGS) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS)
ifneq ($(file < $(FLAGS_STAMP)),$(FLAGS_NOW))
$(shell mkdir -p $(BUILD))
$(file > $(FLAGS_STAMP),$(FLAGS_NOW))
endif

.PHONY: unit-build all deps cross cross-check xunit-build xunit-check check unit-check priv-check vm-check bench clean install demo format format-check

all: $(BUILD)/nook $(BUILD)/nook-test $(BUILD)/nook-nosys

deps: $(DEPS_STAMP)

build/deps/%/.done: board/deps.sh
	board/deps.sh $* build/deps/$*

IS_MIPS16 := $(filter -mips16,$(CC) $(NOOK_CFLAGS) $(CFLAGS))
ifneq ($(IS_MIPS16),)
NOOK_LDFLAGS += -Wl,-T,board/mips16.ld
endif

$(BUILD)/obj/%.o: %.c $(DEPS_STAMP) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(NOOK_CFLAGS) $(CFLAGS) $(CPPFLAGS) $(FILE_CFLAGS) -c $< -o $@

# Under -mips16 (MIPS16=1, or in the caller's CFLAGS as OpenWrt's
# CONFIG_USE_MIPS16 puts it, or in its CC as a Yocto tune may): the
# allocator in standard MIPS (see NOOK_NOMIPS16), and board/mips16.ld at
# the link.
$(BUILD)/obj/oci/alloc.o: FILE_CFLAGS := $(if $(IS_MIPS16),-mno-mips16)

$(BUILD)/libnook.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/nook.unstripped: $(MAIN_OBJ) $(BUILD)/libnook.a monitor/hot.ld $(if $(IS_MIPS16),board/mips16.ld)
	$(CC) $(CFLAGS) $(NOOK_LDFLAGS) $(HOT_LDFLAGS) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(BUILD)/libnook.a $(LIBS)

$(BUILD)/nook: $(BUILD)/nook.unstripped
	cp $< $@.tmp
	$(STRIP) $@.tmp
	mv -f $@.tmp $@ # a running monitor executes the old one
	ln -sf nook $(BUILD)/nook-runtime
	@echo "  SIZE    $@: $$(stat -c %s $@) bytes stripped"

# The static test payload run inside containers by the tests.
$(BUILD)/nook-test: tests/payload/nook-test.c $(DEPS_STAMP) $(FLAGS_STAMP)
	$(CC) $(NOOK_CFLAGS) $(CFLAGS) $(NOOK_LDFLAGS) $(LDFLAGS) -o $@ $<
	$(STRIP) $@

# Runs a command with some syscalls answering ENOSYS (tests/run-fallback.sh).
$(BUILD)/nook-nosys: tests/payload/nosys.c $(DEPS_STAMP) $(FLAGS_STAMP)
	$(CC) $(NOOK_CFLAGS) $(CFLAGS) $(NOOK_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIBS)
	$(STRIP) $@

CROSS_TARGETS := x86_64 armhf aarch64 mips mipsel

cross:
	for t in $(CROSS_TARGETS); do $(MAKE) TARGET=$$t || exit 1; done

# The unit tests built like nook itself (static, this target's toolchain,
# no sanitizers) in build/<target>/unit, run under qemu-<arch>-static
# (x86_64 natively), result lines prefixed "<target>: ".
QEMU_armhf := qemu-arm-static
QEMU_aarch64 := qemu-aarch64-static
QEMU_mips := qemu-mips-static
QEMU_mipsel := qemu-mipsel-static
QEMU ?= $(QEMU_$(TARGET))
XUNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test-*.c))

$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libnook.a
	@mkdir -p $(dir $@)
	$(CC) $(NOOK_CFLAGS) $(CFLAGS) $(CPPFLAGS) $(NOOK_LDFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libnook.a $(LIBS)

xunit-build: $(XUNIT_TESTS)

# The store's streams (inflate, sha256) at full speed: tests/bench/stream.sh.
$(BUILD)/bench-stream: tests/bench/stream.c $(BUILD)/libnook.a
	$(CC) $(NOOK_CFLAGS) $(CFLAGS) $(CPPFLAGS) $(NOOK_LDFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libnook.a $(LIBS)

xunit-check: $(XUNIT_TESTS)
	tests/run-cross.sh $(notdir $(BUILD)) "$(QEMU)" $(XUNIT_TESTS)

# Every target, even when one fails to build ("not ok - <build>: build"),
# and mips with MIPS16=1 (build/mips-mips16).
CROSS_CHECKS := $(CROSS_TARGETS) mips-mips16
cross-check:
	@rc=0; for b in $(CROSS_CHECKS); do \
		case $$b in *-mips16) a="TARGET=$${b%-mips16} MIPS16=1" ;; *) a=TARGET=$$b ;; esac; \
		if $(MAKE) -s --no-print-directory $$a all xunit-build; then \
			$(MAKE) -s --no-print-directory $$a xunit-check || rc=1; \
		else \
			echo "not ok - $$b: build: make $$a all xunit-build failed"; rc=1; \
		fi; \
	done; \
	for b in $(CROSS_CHECKS); do \
		echo "# size: $$b: $$(stat -c %s build/$$b/nook 2>/dev/null || echo '?') bytes stripped"; \
	done; exit $$rc

# Unit tests: host gcc (glibc) with ASan/UBSan against Debian's libseccomp and
# libcjson; they need no root.
UNIT_BUILD := build/unit
UNIT_CC ?= gcc
UNIT_CFLAGS := -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer
UNIT_LIB_OBJS := $(LIB_SRCS:%.c=$(UNIT_BUILD)/obj/%.o)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(UNIT_BUILD)/%,$(wildcard tests/unit/test-*.c))

$(UNIT_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(UNIT_CC) $(NOOK_CFLAGS) $(UNIT_CFLAGS) -c $< -o $@

$(UNIT_BUILD)/%: tests/unit/%.c $(UNIT_LIB_OBJS) tests/unit/unit.h
	$(UNIT_CC) $(NOOK_CFLAGS) $(UNIT_CFLAGS) -o $@ $< $(UNIT_LIB_OBJS) -lseccomp -lcjson

unit-build: $(UNIT_TESTS)

unit-check: $(UNIT_TESTS)
	tests/run-unit.sh $(UNIT_TESTS)

priv-check: all
	tests/run-priv.sh $(BUILD)

check: all $(UNIT_TESTS)
	tests/check.sh $(BUILD) $(UNIT_TESTS)

vm-check: all
	board/vm/run.sh $(BUILD)

# The benchmarks' timer: posix_spawn, wait, the wall time (tests/bench/spawn.c).
$(BUILD)/bench-spawn: tests/bench/spawn.c $(DEPS_STAMP) $(FLAGS_STAMP)
	$(CC) $(NOOK_CFLAGS) $(CFLAGS) $(NOOK_LDFLAGS) $(LDFLAGS) -o $@ $<

bench: all $(BUILD)/bench-spawn
	tests/bench/breakdown.sh $(BUILD)
	tests/bench/runtime.sh $(BUILD)
	tests/bench/engine.sh $(BUILD)
	tests/bench/images.sh $(BUILD)
	tests/bench/network.sh $(BUILD)

demo: all
	tests/demo.sh $(BUILD)

format:
	clang-format -i $(LIB_SRCS) $(MAIN_SRC) $(wildcard */*.h tests/unit/*.[ch] tests/payload/*.c)

format-check:
	clang-format --dry-run --Werror $(LIB_SRCS) $(MAIN_SRC) $(wildcard */*.h tests/unit/*.[ch] tests/payload/*.c)

install: $(BUILD)/nook
	install -D -m 0755 $(BUILD)/nook $(DESTDIR)$(PREFIX)/bin/nook
	ln -sf nook $(DESTDIR)$(PREFIX)/bin/nook-runtime

clean:
	rm -rf build/x86_64 build/armhf build/aarch64 build/mips build/mipsel build/mips-mips16 build/unit build/vm $(BUILD)

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_LIB_OBJS:.o=.d) $(XUNIT_TESTS:=.d)
