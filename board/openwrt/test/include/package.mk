# SPDX-License-Identifier: GPL-2.0-or-later
# A stand-in for OpenWrt's $(INCLUDE_DIR)/package.mk, for
# board/openwrt/check.sh (see ../rules.mk).  BuildPackage checks what a feed
# package must define and makes these targets:
#   dump       the package's fields, one "NAME: value" line each
#   compile    Build/Prepare (a copy of NOOK_SRC without build/, or a
#              symlink to USE_SOURCE_DIR as OpenWrt makes it), Build/Compile
#   install    Build/Install when PKG_INSTALL is 1, then Package/NAME/install
#              into $(OUT)/ipkg-NAME, and its conffiles into CONTROL/conffiles

PKG_BUILD_DIR ?= $(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
PKG_INSTALL_DIR ?= $(PKG_BUILD_DIR)/ipkg-install

MAKE_PATH = .
MAKE_VARS = \
	CFLAGS="$(TARGET_CFLAGS) $(EXTRA_CFLAGS) $(TARGET_CPPFLAGS) $(EXTRA_CPPFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS) $(EXTRA_LDFLAGS)"
MAKE_FLAGS = \
	$(TARGET_CONFIGURE_OPTS) \
	CROSS="$(TARGET_CROSS)" \
	ARCH="$(ARCH)"
MAKE_INSTALL_FLAGS = \
	$(MAKE_FLAGS) \
	DESTDIR="$(PKG_INSTALL_DIR)"

ifdef USE_SOURCE_DIR
define Build/Prepare/Default
	rm -rf $(PKG_BUILD_DIR)
	mkdir -p $(BUILD_DIR)
	ln -s $(USE_SOURCE_DIR) $(PKG_BUILD_DIR)
endef
else
define Build/Prepare/Default
	rm -rf $(PKG_BUILD_DIR)
	mkdir -p $(PKG_BUILD_DIR)
	tar -C $(NOOK_SRC) --exclude=./build --exclude=./.git -cf - . | tar -C $(PKG_BUILD_DIR) -xf -
endef
endif

define Build/Compile/Default
	$(MAKE_VARS) $(MAKE) -C $(PKG_BUILD_DIR)/$(MAKE_PATH) $(MAKE_FLAGS) $(1)
endef

define Build/Install/Default
	$(MAKE_VARS) $(MAKE) -C $(PKG_BUILD_DIR)/$(MAKE_PATH) $(MAKE_INSTALL_FLAGS) $(if $(1),$(1),install)
endef

Build/Prepare = $(Build/Prepare/Default)
Build/Compile = $(Build/Compile/Default)
Build/Install = $(Build/Install/Default)

# The fields a Package/NAME definition may set.
define Package/Default
  SECTION:=
  CATEGORY:=
  SUBMENU:=
  TITLE:=
  URL:=
  DEPENDS:=
  PKGARCH:=
endef

PKG_REQUIRED := PKG_NAME PKG_VERSION PKG_RELEASE PKG_LICENSE
PKG_SOURCE_OK = $(or $(USE_SOURCE_DIR),$(PKG_SOURCE),$(and $(PKG_SOURCE_PROTO),$(PKG_SOURCE_URL),$(PKG_SOURCE_VERSION)))

define BuildPackage
$(eval $(Package/Default))
$(eval $(Package/$(1)))
$(foreach v,$(PKG_REQUIRED),$(if $($(v)),,$(error $(1): $(v) is not set)))
$(if $(PKG_SOURCE_OK),,$(error $(1): no source: PKG_SOURCE, or PKG_SOURCE_PROTO with PKG_SOURCE_URL and PKG_SOURCE_VERSION))
$(foreach v,SECTION CATEGORY TITLE,$(if $($(v)),,$(error Package/$(1): $(v) is not set)))
$(if $(value Package/$(1)/install),,$(error Package/$(1)/install is not defined))
$(if $(value Package/$(1)/description),,$(error Package/$(1)/description is not defined))

.PHONY: dump compile install
dump:
	@echo "Package: $(1)"
	@echo "Version: $(PKG_VERSION)-$(PKG_RELEASE)"
	@echo "License: $(PKG_LICENSE)"
	@echo "LicenseFiles: $(PKG_LICENSE_FILES)"
	@echo "Source: $(PKG_SOURCE_PROTO) $(PKG_SOURCE_URL) $(PKG_SOURCE_VERSION)"
	@echo "Section: $(SECTION)"
	@echo "Category: $(CATEGORY)"
	@echo "Title: $(TITLE)"
	@echo "Depends: $(strip $(DEPENDS))"
	@echo "Conffiles: $$(strip $$(Package/$(1)/conffiles))"

compile:
	$$(call Build/Prepare)
	$$(call Build/Compile)

install: compile
	$(if $(filter 1,$(PKG_INSTALL)),$$(call Build/Install))
	rm -rf $(OUT)/ipkg-$(1)
	mkdir -p $(OUT)/ipkg-$(1)/CONTROL
	$$(call Package/$(1)/install,$(OUT)/ipkg-$(1))
	printf '%s\n' $$(Package/$(1)/conffiles) >$(OUT)/ipkg-$(1)/CONTROL/conffiles
endef
