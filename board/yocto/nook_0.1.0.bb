# SPDX-License-Identifier: GPL-2.0-or-later
# nook for Yocto/OpenEmbedded (written for scarthgap, 5.0 LTS).  Needs
# meta-oe (cjson); libseccomp is in oe-core.  Copy board/yocto into a layer
# of yours as recipes-containers/nook/ (see board/README.packaging), or
# build a local checkout with externalsrc:
#	INHERIT += "externalsrc"
#	EXTERNALSRC:pn-nook = "/path/to/nook"
SUMMARY = "Container engine and OCI runtime in one small binary"
DESCRIPTION = "nook runs containers without a daemon: podman's lifecycle \
(run, stop, logs, exec, restart policies, dependencies between containers) \
in one small binary, which is also a runc-compatible OCI runtime \
(nook-runtime) for containerd or podman.  Its init script or systemd unit \
starts the containers whose restart policy asks for it at boot and stops \
them at shutdown."
SECTION = "console/utils"
LICENSE = "GPL-2.0-or-later"
LIC_FILES_CHKSUM = "file://LICENSE;md5=b234ee4d69f5fce4486a80fdaf4a4263"

# FIXME: the public repository, and the commit of the v0.1.0 tag.
SRC_URI = "git://git.example.org/nook.git;protocol=https;branch=main"
SRCREV = "0000000000000000000000000000000000000000"
# Yocto 5.1: S = "${UNPACKDIR}/git"; 5.2 and later: drop S (git unpacks
# into the default one).
S = "${WORKDIR}/git"

DEPENDS = "libseccomp cjson"

# static: one self-contained binary, no libseccomp/libcjson at run time.  It
# needs their static libraries in the sysroot, which oe-core and meta-oe do
# not build by default (see board/README.packaging).
PACKAGECONFIG ??= ""
PACKAGECONFIG[static] = ""

inherit update-rc.d systemd

# nook's Makefile obeys the toolchain it is handed (CC carries --sysroot)
# and builds in BUILD, a directory of the source tree: one per tune and libc
# (an externalsrc checkout may serve several MACHINEs).
NOOK_BUILD = "build/yocto-${MULTIMACH_TARGET_SYS}"
EXTRA_OEMAKE = "\
    BUILD=${NOOK_BUILD} \
    CROSS_COMPILE=${TARGET_PREFIX} \
    'CC=${CC}' 'AR=${AR}' \
    'CFLAGS=${CFLAGS}' 'LDFLAGS=${LDFLAGS}' \
    'LIBS=-lseccomp -lcjson' \
    ${@bb.utils.contains('PACKAGECONFIG', 'static', '', 'STATIC=', d)} \
"

# The unstripped binary: do_package strips it and splits the debug info
# into nook-dbg (a stripped one fails QA's already-stripped).
do_compile() {
    oe_runmake ${NOOK_BUILD}/nook.unstripped
}

do_install() {
    install -D -m 0755 ${B}/${NOOK_BUILD}/nook.unstripped ${D}${bindir}/nook
    ln -sf nook ${D}${bindir}/nook-runtime
    # start/stop/status of the containers: the init script itself, and the
    # helper of the systemd unit
    install -D -m 0755 ${S}/board/sysv/S60nook ${D}${libexecdir}/nook/nook-init
    if ${@bb.utils.contains('DISTRO_FEATURES', 'sysvinit', 'true', 'false', d)}; then
        install -D -m 0755 ${S}/board/sysv/S60nook ${D}${INIT_D_DIR}/nook
    fi
    if ${@bb.utils.contains('DISTRO_FEATURES', 'systemd', 'true', 'false', d)}; then
        install -D -m 0644 ${S}/board/yocto/files/nook.service ${D}${systemd_system_unitdir}/nook.service
        sed -i -e 's,@BINDIR@,${bindir},g' -e 's,@LIBEXECDIR@,${libexecdir},g' \
            ${D}${systemd_system_unitdir}/nook.service
    fi
}

# Started after the network and local mounts; stopped early, before them.
INITSCRIPT_NAME = "nook"
INITSCRIPT_PARAMS = "start 60 2 3 4 5 . stop 10 0 1 6 ."
SYSTEMD_SERVICE:${PN} = "nook.service"

# Images are overlay mounts; the kernel features (namespaces, cgroup v2 with
# BPF, seccomp) are kernel configuration: board/yocto/files/nook.cfg.
RRECOMMENDS:${PN} = "kernel-module-overlay"
