/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli: what the engine's command-line files (engine/cli*.c) share, and
 * nothing else includes: the context of one command, the errors printed
 * once, the option helpers, and the commands that cli.c's table runs.
 */
#ifndef NOOK_CLI_H
#define NOOK_CLI_H

#include <cjson/cJSON.h>

#include "engine/container.h"
#include "oci/util.h"

/* podman's exit code for an engine error */
#define EXIT_ENGINE 125

struct cli {
	char **argv; /* as main got it: the sealed re-exec repeats it */
	const char *root, *runroot;
	struct engine en;
	int opened;
};

/* Prints e as "Error: ..." on stderr; returns the exit code it means
 * (127 and 126 for a process that could not start, else 125). */
int cli_report(const struct err *e);
/* cli_report for podman's rm and rmi: 1 for a missing one, 2 for one in
 * use (a state that refuses), else cli_report's code. */
int cli_rm_report(const struct err *e);
/* write(arg, fd) into out (made as out.tmp, fsync'd, renamed: never a
 * half-written archive under the final name), or to stdout when out is
 * NULL; a failure is reported (the exit code returned). */
int cli_write_archive(const char *out, int (*write)(void *arg, int fd, struct err *e), void *arg);

/* "Error: CMD: ..." and where to look (the command's --help, or the line
 * of the defaults file being parsed, cli_conf_at); returns EXIT_ENGINE. */
int cli_usage_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "FILE:LINE" while create/run parse the flags of the defaults file
 * (engine/conf), else NULL: a bad value there is named as coming from it. */
extern const char *cli_conf_at;

/* Open c->en once (later calls do nothing): read-write, or read-only for
 * the commands that only read (a missing store is then an empty one, not
 * one to create: the root may be a disk that is not mounted yet).  -1
 * after the error is printed. */
int cli_open(struct cli *c);
int cli_open_ro(struct cli *c);

/* 1 after printing usage when argv (before any "--") holds --help or -h. */
int cli_opt_help(int argc, char **argv, const char *usage);

/* For commands without options, which still take flags anywhere (podman's
 * cobra intersperses them) and "--": the index of the first container
 * argument (argv permuted), or -1 after a usage error for an unknown
 * option. */
int cli_no_opts(const char *cmd, int argc, char **argv);

/* The ls of volumes and networks (podman's): rows of podman's inspect
 * objects printed as JSON (--format json), through a template (--format
 * T), by name (-q, the string name_key), or as a table: header, then
 * row() for each.  Takes ownership of rows (NULL: fetch failed, e). */
struct cli_ls {
	const char *cmd, *name_key, *header;
	void (*row)(const cJSON *r);
};
int cli_ls(const struct cli_ls *l, int argc, char **argv,
	   cJSON *(*fetch)(struct cli *c, struct err *e), struct cli *c);

/* The rm [-f] NAME... of volumes and networks (podman's): each removed
 * one printed; exit 1 for a missing one (fine with -f), 2 for one in use,
 * else cli_report's. */
/* `inspect [-f FORMAT] NAME...` of what get returns for each name (one
 * JSON object), as a JSON array or a template per object; rw: the store
 * opened for writing. */
int cli_inspect(const char *cmd, const char *what, int rw, int argc, char **argv, struct cli *c,
		cJSON *(*get)(struct engine *en, const char *name, struct err *e));
int cli_rm(const char *cmd, int argc, char **argv, struct cli *c,
	   int (*rm)(struct engine *en, const char *name, int force, struct err *e));

/* A decimal in [min, max] into *out; -1 if s is not one. */
int cli_parse_int(const char *s, long min, long max, long *out);

/* Run op for each container argument from argv[first] (none: a usage
 * error) after opening the engine (read-only with CLI_EACH_RO); with
 * CLI_EACH_PRINT each one done is printed.  One already stopped
 * (ERRK_ALREADY_STOPPED) counts as done.  The last error decides the exit
 * code. */
enum { CLI_EACH_PRINT = 1, CLI_EACH_RO = 2 };
int cli_for_each(struct cli *c, int argc, char **argv, int first, const char *cmd,
		 int (*op)(struct cli *, const char *, void *, struct err *), void *arg,
		 unsigned flags);

/* -e onto *env, as podman takes it for run and exec alike: K=V as it is;
 * a bare K gets K's value from our environment, and is dropped when K is
 * not set there. */
void cli_env_add(char ***env, const char *arg);

/* --env-file: its lines, but blanks and comments, onto *env as -e takes
 * them; e set if the file cannot be read. */
void cli_env_file(const char *path, char ***env, struct err *e);

/* The commands: argv[0] is the command's name; the exit code returned.
 * The table in cli.c answers --help for those that have a usage text. */
int cli_cmd_create(struct cli *c, int argc, char **argv); /* cli-create.c */
int cli_cmd_run(struct cli *c, int argc, char **argv);
int cli_cmd_init(struct cli *c, int argc, char **argv); /* cli-ctr.c */
int cli_cmd_start(struct cli *c, int argc, char **argv);
int cli_cmd_stop(struct cli *c, int argc, char **argv);
int cli_cmd_restart(struct cli *c, int argc, char **argv);
int cli_cmd_kill(struct cli *c, int argc, char **argv);
int cli_cmd_pause(struct cli *c, int argc, char **argv);
int cli_cmd_unpause(struct cli *c, int argc, char **argv);
int cli_cmd_rm(struct cli *c, int argc, char **argv);
int cli_cmd_cleanup(struct cli *c, int argc, char **argv);
int cli_cmd_sync(struct cli *c, int argc, char **argv);
int cli_cmd_batch(struct cli *c, int argc, char **argv);
int cli_cmd_attach(struct cli *c, int argc, char **argv);
int cli_cmd_exec(struct cli *c, int argc, char **argv);
int cli_cmd_wait(struct cli *c, int argc, char **argv);
int cli_cmd_ps(struct cli *c, int argc, char **argv); /* cli-info.c */
int cli_cmd_inspect(struct cli *c, int argc, char **argv);
int cli_cmd_logs(struct cli *c, int argc, char **argv);
int cli_cmd_events(struct cli *c, int argc, char **argv);
int cli_cmd_mount(struct cli *c, int argc, char **argv); /* cli-fs.c */
int cli_cmd_unmount(struct cli *c, int argc, char **argv);
int cli_cmd_export(struct cli *c, int argc, char **argv);
int cli_cmd_artifact(struct cli *c, int argc, char **argv);
int cli_cmd_cp(struct cli *c, int argc, char **argv);
int cli_cmd_system(struct cli *c, int argc, char **argv); /* cli-system.c */
int cli_cmd_checkpoint(struct cli *c, int argc, char **argv); /* cli-checkpoint.c: and restore */
int cli_cmd_load(struct cli *c, int argc, char **argv); /* cli-image.c */
int cli_cmd_images(struct cli *c, int argc, char **argv);
int cli_cmd_import(struct cli *c, int argc, char **argv);
int cli_cmd_save(struct cli *c, int argc, char **argv);
int cli_cmd_commit(struct cli *c, int argc, char **argv);
int cli_cmd_history(struct cli *c, int argc, char **argv);
int cli_cmd_image(struct cli *c, int argc, char **argv);
int cli_cmd_rmi(struct cli *c, int argc, char **argv);
int cli_cmd_tag(struct cli *c, int argc, char **argv);
int cli_cmd_untag(struct cli *c, int argc, char **argv);
int cli_cmd_volume(struct cli *c, int argc, char **argv); /* cli-volume.c */
int cli_cmd_network(struct cli *c, int argc, char **argv); /* cli-network.c */
int cli_cmd_port(struct cli *c, int argc, char **argv);
int cli_cmd_pull(struct cli *c, int argc, char **argv); /* cli-pull.c */
int cli_cmd_login(struct cli *c, int argc, char **argv);
int cli_cmd_logout(struct cli *c, int argc, char **argv);

#endif
