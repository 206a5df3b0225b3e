// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-err: error kinds are set in one step, survive the context a caller
 * adds, and map to the command line's exit codes by kind, never by the
 * message's words.
 */
#define UNIT_NAME "test-err"
#include "tests/unit/unit.h"

#include "oci/err.h"

#include <errno.h>

static void test_setk(void)
{
	struct err e = { 0 };

	CHECK(err_setk(&e, ERRK_EXEC_NOT_FOUND, 0, "exec: \"%s\": gone", "x") == -1);
	CHECK(e.kind == ERRK_EXEC_NOT_FOUND);
	CHECK(e.errnum == 0);
	CHECK_STR(e.msg, "exec: \"x\": gone");
	CHECK(err_setk(NULL, ERRK_EXEC_DENIED, EACCES, "nothing to set") == -1);
}

static void test_kind_survives_wrap(void)
{
	struct err e = { 0 };

	err_setk(&e, ERRK_EXEC_DENIED, 0, "exec: \"sh\": permission denied");
	err_wrap(&e, "container %s", "web");
	CHECK(e.kind == ERRK_EXEC_DENIED);
	CHECK_STR(e.msg, "container web: exec: \"sh\": permission denied");
}

static void test_exit_codes(void)
{
	struct err e = { 0 };

	err_setk(&e, ERRK_EXEC_NOT_FOUND, 0, "anything");
	CHECK(err_exit_code(&e, 125) == 127);
	err_setk(&e, ERRK_EXEC_DENIED, 0, "anything");
	CHECK(err_exit_code(&e, 125) == 126);
	/* the words alone decide nothing */
	err_set(&e, 0, "exec: \"x\": executable file not found in $PATH");
	CHECK(e.kind == ERRK_GENERIC);
	CHECK(err_exit_code(&e, 125) == 125);
	CHECK(err_exit_code(&e, 1) == 1);
}

/* One table: the API's statuses are podman's, and every kind has a row
 * (an unknown kind reads as a generic error, never out of the table). */
static void test_kind_table(void)
{
	CHECK(err_kind_info(ERRK_NO_SUCH)->http == 404);
	CHECK_STR(err_kind_info(ERRK_NO_SUCH)->cause, "no such container");
	CHECK(err_kind_info(ERRK_STATE_INVALID)->http == 409);
	CHECK(err_kind_info(ERRK_ALREADY_STOPPED)->http == 304);
	CHECK(err_kind_info(ERRK_INVALID_ARG)->http == 400);
	CHECK_STR(err_kind_info(ERRK_INVALID_ARG)->cause, "invalid argument");
	CHECK(err_kind_info(ERRK_NOT_IMPLEMENTED)->http == 501);
	CHECK(err_kind_info(ERRK_INTERNAL)->http == 500);
	CHECK(err_kind_info(ERRK_EXEC_NOT_FOUND)->exit == 127);
	CHECK(err_kind_info(ERRK_RUNTIME)->exit == 0);
	for (int k = ERRK_GENERIC; k <= ERRK_EXEC_DENIED; k++)
		CHECK(err_kind_info(k)->http >= 300 && err_kind_info(k)->cause);
	CHECK(err_kind_info(-1) == err_kind_info(ERRK_GENERIC));
	CHECK(err_kind_info(ERRK_EXEC_DENIED + 1) == err_kind_info(ERRK_GENERIC));
}

int main(void)
{
	RUN(test_setk);
	RUN(test_kind_survives_wrap);
	RUN(test_exit_codes);
	RUN(test_kind_table);
	UNIT_EXIT();
}
