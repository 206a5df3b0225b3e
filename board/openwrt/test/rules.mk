# SPDX-License-Identifier: GPL-2.0-or-later
# A stand-in for OpenWrt's $(TOPDIR)/rules.mk, for board/openwrt/check.sh:
# just the names board/openwrt/nook/Makefile uses, with host values (the
# host's compiler plays the target's, Debian's libseccomp and libcjson the
# staging dir's).  Written for this check, not taken from OpenWrt, which
# sets many more.  OUT (a scratch directory) is given by check.sh.

OUT ?= /tmp/nook-openwrt-check
INCLUDE_DIR := $(TOPDIR)/include
BUILD_DIR := $(OUT)/build_dir/target-host
STAGING_DIR := $(OUT)/staging_dir/target-host_glibc
BIN_DIR := $(OUT)/bin

ARCH := $(shell uname -m)
TARGET_CROSS :=
TARGET_CC := cc
TARGET_CFLAGS := -Os -pipe -fstack-protector -D_FORTIFY_SOURCE=1
TARGET_CPPFLAGS := -I$(STAGING_DIR)/usr/include
TARGET_LDFLAGS := -L$(STAGING_DIR)/usr/lib -Wl,-z,now -Wl,-z,relro
TARGET_CONFIGURE_OPTS = \
	AR="$(TARGET_CROSS)ar" \
	CC="$(TARGET_CC)" \
	LD="$(TARGET_CROSS)ld" \
	NM="$(TARGET_CROSS)nm" \
	RANLIB="$(TARGET_CROSS)ranlib" \
	STRIP="$(TARGET_CROSS)strip"

INSTALL_DIR := install -d -m0755
INSTALL_BIN := install -m0755
INSTALL_DATA := install -m0644
INSTALL_CONF := install -m0600
CP := cp -fpR
LN := ln -sf
