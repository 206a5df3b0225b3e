/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alloc: nook's malloc (oci/alloc.c), which keeps freed memory for reuse.
 * A long-lived process calls alloc_trim() once its setup is over: the
 * pages that hold only freed blocks go back to the kernel.
 */
#ifndef NOOK_OCI_ALLOC_H
#define NOOK_OCI_ALLOC_H

void alloc_trim(void);

#endif
