# SPDX-License-Identifier: GPL-2.0-or-later
# nook: one static binary.  Plain GNU make that obeys the toolchain it is
# handed (OpenWrt passes CC=/CROSS_COMPILE= on the command line, Yocto exports
# CC with --sysroot).  When no toolchain is handed to us, board/deps.sh builds
# musl, libseccomp and cJSON for TARGET from Debian's source packages into
# build/deps/<target> (cached).
#
#   make [TARGET=x86_64|armhf|aarch64|mips|mipsel]   build/<target>/nook
#   make check        unit tests (ASan/UBSan) + privileged tests (root)
#   make vm-check     the cgroup tests in a qemu VM with all controllers
#   make bench        nook vs crun vs runc
#   make cross        every target
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

# Toolchain: ours only when the caller gave none.
DEPS :=
ifeq ($(origin CC),default)
ifdef CROSS_COMPILE
CC := $(CROSS_COMPILE)gcc
else
DEPS := build/deps/$(TARGET)
CC := $(DEPS)/bin/musl-gcc
ifneq ($(TARGET),x86_64)
CROSS_COMPILE := $(TRIPLE)-
endif
endif
endif
STRIP ?= $(CROSS_COMPILE)strip
ifeq ($(origin STRIP),default)
STRIP := $(CROSS_COMPILE)strip
endif

CFLAGS ?= -Os
ifdef PKG_CONFIG
LIBS ?= $(shell $(PKG_CONFIG) --libs libseccomp libcjson)
CFLAGS += $(shell $(PKG_CONFIG) --cflags libseccomp libcjson)
else
LIBS ?= -lseccomp -lcjson
endif
STATIC ?= -static

NOOK_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I. -Wall -Wextra -Wno-unused-parameter \
	-Wmissing-prototypes -Wmissing-declarations -Wshadow -Wformat=2 \
	-ffunction-sections -fdata-sections -MMD -MP
ifeq ($(WERROR),1)
NOOK_CFLAGS += -Werror
endif
NOOK_LDFLAGS := $(STATIC) -Wl,--gc-sections

LIB_SRCS := $(wildcard oci/*.c store/*.c monitor/*.c) $(filter-out engine/cli.c,$(wildcard engine/*.c))
MAIN_SRC := engine/cli.c
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/obj/%.o)
DEPS_STAMP := $(if $(DEPS),$(DEPS)/.done)

.PHONY: unit-build all deps cross check unit-check priv-check vm-check bench clean install demo format format-check

all: $(BUILD)/nook $(BUILD)/nook-test

deps: $(DEPS_STAMP)

build/deps/%/.done:
	board/deps.sh $* build/deps/$*

$(BUILD)/obj/%.o: %.c $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(NOOK_CFLAGS) $(CFLAGS) $(CPPFLAGS) -c $< -o $@

$(BUILD)/libnook.a: $(LIB_OBJS)
	rm -f $@
	$(CROSS_COMPILE)ar rcs $@ $^

$(BUILD)/nook.unstripped: $(MAIN_OBJ) $(BUILD)/libnook.a
	$(CC) $(CFLAGS) $(NOOK_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/nook: $(BUILD)/nook.unstripped
	$(STRIP) -o $@ $<
	ln -sf nook $(BUILD)/nook-runtime
	@echo "  SIZE    $@: $$(stat -c %s $@) bytes stripped ($(TARGET))"

# The static test payload run inside containers by the tests.
$(BUILD)/nook-test: tests/payload/nook-test.c $(DEPS_STAMP)
	$(CC) $(NOOK_CFLAGS) $(CFLAGS) $(NOOK_LDFLAGS) $(LDFLAGS) -o $@ $<
	$(STRIP) $@

cross:
	for t in x86_64 armhf aarch64 mips mipsel; do $(MAKE) TARGET=$$t || exit 1; done

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

bench: all
	tests/bench/runtime.sh $(BUILD)

demo: all
	tests/demo.sh $(BUILD)

format:
	clang-format -i $(LIB_SRCS) $(MAIN_SRC) $(wildcard */*.h tests/unit/*.c tests/payload/*.c)

format-check:
	clang-format --dry-run --Werror $(LIB_SRCS) $(MAIN_SRC) $(wildcard */*.h tests/unit/*.c tests/payload/*.c)

install: $(BUILD)/nook
	install -D -m 0755 $(BUILD)/nook $(DESTDIR)$(PREFIX)/bin/nook
	ln -sf nook $(DESTDIR)$(PREFIX)/bin/nook-runtime

clean:
	rm -rf build/x86_64 build/armhf build/aarch64 build/mips build/mipsel build/unit build/vm

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_LIB_OBJS:.o=.d)
