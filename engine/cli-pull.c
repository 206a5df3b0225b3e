// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-pull: pull, login, logout: podman's commands and output (progress
 * lines on stderr, the image id on stdout; "Login Succeeded!").
 */
#include <getopt.h>
#include <termios.h>

#include "engine/cli.h"
#include "engine/images.h"

enum { OPT_PLATFORM = 256, OPT_TLS, OPT_PWSTDIN, OPT_ALL };

/* --tls-verify[=BOOL] into *v; -1 for anything but a boolean. */
static int tls_flag(const char *arg, int *v)
{
	if (!arg || !strcmp(arg, "true") || !strcmp(arg, "1"))
		*v = 1;
	else if (!strcmp(arg, "false") || !strcmp(arg, "0"))
		*v = 0;
	else
		return -1;
	return 0;
}

int cli_cmd_pull(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "quiet", no_argument, NULL, 'q' },
					    { "platform", required_argument, NULL, OPT_PLATFORM },
					    { "tls-verify", optional_argument, NULL, OPT_TLS },
					    { 0 } };
	struct pull_opts o = { .tls_verify = 1, .progress = stderr };
	_cleanup_free_ char *id = NULL, *name = NULL;
	struct err e = { 0 };
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
		if (ch == 'q')
			o.progress = NULL;
		else if (ch == OPT_PLATFORM)
			o.platform = optarg;
		else if (ch != OPT_TLS || tls_flag(optarg, &o.tls_verify) < 0)
			return cli_usage_err("pull", "invalid option");
	}
	if (argc - optind != 1)
		return cli_usage_err("pull", "requires exactly 1 image");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_image_pull(&c->en, argv[optind], &o, &id, &name, &e) < 0)
		return cli_report(&e);
	printf("%s\n", id);
	return 0;
}

/* A line of standard input after the prompt what (none if NULL), echo off
 * on a terminal for a password. */
static char *prompt(const char *what, int echo)
{
	struct termios t, old;
	char buf[1024];
	int tty = tcgetattr(0, &old) == 0;

	if (what) {
		fprintf(stderr, "%s: ", what);
		fflush(stderr);
	}
	if (tty && !echo) {
		t = old;
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &t);
	}
	if (!fgets(buf, sizeof(buf), stdin))
		buf[0] = '\0';
	if (tty && !echo) {
		tcsetattr(0, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

int cli_cmd_login(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "username", required_argument, NULL, 'u' },
					    { "password", required_argument, NULL, 'p' },
					    { "password-stdin", no_argument, NULL, OPT_PWSTDIN },
					    { "tls-verify", optional_argument, NULL, OPT_TLS },
					    { 0 } };
	_cleanup_free_ char *user = NULL, *pass = NULL;
	struct err e = { 0 };
	int ch, tls = 1, pwstdin = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "u:p:", lo, NULL)) != -1) {
		if (ch == 'u' || ch == 'p') {
			free(ch == 'u' ? user : pass);
			*(ch == 'u' ? &user : &pass) = xstrdup(optarg);
		} else if (ch == OPT_PWSTDIN) {
			pwstdin = 1;
		} else if (ch != OPT_TLS || tls_flag(optarg, &tls) < 0) {
			return cli_usage_err("login", "invalid option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_err("login", "requires a registry (HOST[:PORT])");
	if (pwstdin && (pass || !user))
		return cli_usage_err("login", "--password-stdin needs -u USER and no -p");
	if (!user && !isatty(0))
		return cli_usage_err("login", "no terminal to ask for the user name: give -u USER");
	if (!user)
		user = prompt("Username", 1);
	if (!pass) {
		if (!pwstdin && !isatty(0))
			return cli_usage_err("login", "give -p PASS or --password-stdin");
		pass = pwstdin ? prompt(NULL, 1) : prompt("Password", 0);
	}
	if (!*user || !*pass)
		return cli_usage_err("login", "an empty user name or password");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (registry_login(&c->en.st, argv[optind], user, pass, tls, &e) < 0)
		return cli_report(&e);
	puts("Login Succeeded!");
	return 0;
}

int cli_cmd_logout(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "all", no_argument, NULL, 'a' }, { 0 } };
	struct err e = { 0 };
	int ch, all = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "a", lo, NULL)) != -1) {
		if (ch != 'a')
			return cli_usage_err("logout", "invalid option");
		all = 1;
	}
	if (argc - optind != !all)
		return cli_usage_err("logout", "requires a registry, or --all");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (registry_logout(&c->en.st, all ? NULL : argv[optind], &e) < 0)
		return cli_report(&e);
	printf("Removed login credentials for %s\n", all ? "all registries" : argv[optind]);
	return 0;
}
