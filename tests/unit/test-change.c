// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * commit --change (store/change): each instruction's forms as docker
 * parses them (exec and shell form, KEY=VALUE with quotes and KEY VALUE,
 * ports with protocols, relative WORKDIR), $VAR and ${VAR} from the Env
 * (where docker expands them and where it does not), and the refusals:
 * unknown instructions, missing and malformed values, open quotes, a bad
 * ${; the message names the line.  Under ASan: the word splitter reads
 * user text, and $VAR's value can be longer than the line.
 */
#define UNIT_NAME "test-change"
#include "tests/unit/unit.h"

#include "store/change.h"

static struct err err;

/* the config start (JSON, ' for ") after the changes (NULL-terminated),
 * unformatted JSON; NULL when one was refused (its message in err) */
static char *apply_on(const char *start, const char *const *changes)
{
	char *js = xstrdup(start);
	cJSON *c;
	char *out = NULL;

	for (char *p = js; *p; p++)
		*p = *p == '\'' ? '"' : *p;
	c = cJSON_Parse(js);
	free(js);

	err = (struct err){ 0 };
	for (size_t i = 0; changes[i]; i++)
		if (image_change(c, changes[i], &err) < 0)
			goto done;
	out = cJSON_PrintUnformatted(c);
done:
	cJSON_Delete(c);
	return out;
}

static char *apply(const char *const *changes)
{
	return apply_on("{}", changes);
}

#define CHANGE_IS(want, ...)                                             \
	do {                                                             \
		const char *_ch[] = { __VA_ARGS__, NULL };               \
		char *_got = apply(_ch);                                 \
		char _buf[1024];                                         \
		snprintf(_buf, sizeof(_buf), "%s", _got ?: "(refused)"); \
		free(_got);                                              \
		CHECK_STR(_buf, want);                                   \
	} while (0)

/* CHANGE_IS on the config start (' for ") */
#define CHANGE_ON(start, want, ...)                                      \
	do {                                                             \
		const char *_ch[] = { __VA_ARGS__, NULL };               \
		char *_got = apply_on(start, _ch);                       \
		char _buf[1024];                                         \
		snprintf(_buf, sizeof(_buf), "%s", _got ?: "(refused)"); \
		free(_got);                                              \
		CHECK_STR(_buf, want);                                   \
	} while (0)

#define REFUSED(change, what)                         \
	do {                                          \
		const char *_ch[] = { change, NULL }; \
		char *_got = apply(_ch);              \
		free(_got);                           \
		CHECK(!_got);                         \
		CHECK_HAS(err.msg, "\"" change "\""); \
		CHECK_HAS(err.msg, what);             \
		CHECK(!strchr(err.msg, '\n'));        \
	} while (0)

static void test_cmd_entrypoint(void)
{
	CHANGE_IS(q("{'Cmd':['a','b c']}"), "CMD [\"a\", \"b c\"]");
	CHANGE_IS("{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo \\\"$X\\\" && ls\"]}",
		  "CMD echo \"$X\" && ls  ");
	CHANGE_IS(q("{'Cmd':['/bin/sh','-c','[not json']}"), "cmd [not json");
	CHANGE_IS(q("{'Entrypoint':['/bin/echo']}"), "ENTRYPOINT [\"/bin/echo\"]");
	CHANGE_IS(q("{'Entrypoint':[]}"), "ENTRYPOINT");
	CHANGE_IS(q("{'Cmd':['x']}"), "CMD a", "CMD [\"x\"]");
	CHANGE_IS(q("{'Cmd':['/bin/sh','-c','[1, 2]']}"), "CMD [1, 2]");
	REFUSED("CMD", "CMD takes");
	REFUSED("CMD  ", "CMD takes");
}

static void test_env_label(void)
{
	CHANGE_IS(q("{'Env':['A=1','B=two words','C=x y','D=']}"),
		  "ENV A=1 \"B=two words\" C=x\\ y D=");
	CHANGE_IS(q("{'Env':['K=some value']}"), "ENV K some value");
	CHANGE_IS(q("{'Env':['A=3','B=1']}"), "ENV A=1", "ENV B=1", "ENV A=3");
	CHANGE_IS("{\"Env\":[\"Q=it's\"]}", "ENV Q='it'\\''s'");
	CHANGE_IS(q("{'Labels':{'k':'v w','a':'b'}}"), "LABEL k=\"v w\"", "LABEL a=b");
	CHANGE_IS(q("{'Labels':{'k':'2'}}"), "LABEL k=1 k=2");
	CHANGE_IS(q("{'Labels':{'k':'v'}}"), "LABEL=k=v");
	REFUSED("ENV", "ENV takes");
	REFUSED("ENV A", "ENV takes");
	REFUSED("ENV A=\"open", "ENV takes");
	REFUSED("ENV A=1 =2", "ENV takes");
	REFUSED("LABEL novalue", "LABEL takes");
}

static void test_expose_volume(void)
{
	CHANGE_IS(q("{'ExposedPorts':{'53/udp':{},'9/sctp':{},'80/tcp':{}}}"), "EXPOSE 80 53/UDP",
		  "EXPOSE 9/sctp 80/tcp");
	REFUSED("EXPOSE", "EXPOSE takes");
	REFUSED("EXPOSE 0", "EXPOSE takes");
	REFUSED("EXPOSE 65536", "EXPOSE takes");
	REFUSED("EXPOSE 80/icmp", "EXPOSE takes");
	REFUSED("EXPOSE 80x", "EXPOSE takes");
	/* a range: its ports, as docker has them */
	CHANGE_IS(q("{'ExposedPorts':{'80/tcp':{},'81/tcp':{},'82/tcp':{},'53/udp':{}}}"),
		  "EXPOSE 80-82 53-53/UDP");
	REFUSED("EXPOSE 90-80", "EXPOSE takes");
	REFUSED("EXPOSE 80-", "EXPOSE takes");
	REFUSED("EXPOSE 80-65536", "EXPOSE takes");
	REFUSED("EXPOSE 80-x", "EXPOSE takes");
	REFUSED("EXPOSE -80", "EXPOSE takes");
	CHANGE_IS(q("{'Volumes':{'/a':{},'/b':{},'/c':{}}}"), "VOLUME /a /b", "VOLUME [\"/c\"]");
	REFUSED("VOLUME", "VOLUME takes");
	REFUSED("VOLUME rel", "VOLUME takes");
	REFUSED("VOLUME [\"\"]", "VOLUME takes");
}

static void test_user_workdir_signal(void)
{
	CHANGE_IS(q("{'User':'1000:1000'}"), "USER 1000:1000");
	CHANGE_IS(q("{'WorkingDir':'/srv/app/x'}"), "WORKDIR /srv/", "WORKDIR app", "WORKDIR x");
	CHANGE_IS(q("{'WorkingDir':'/rel'}"), "WORKDIR rel");
	CHANGE_IS(q("{'WorkingDir':'/abs'}"), "WORKDIR /srv", "WORKDIR /abs");
	CHANGE_IS(q("{'StopSignal':'SIGUSR1'}"), "STOPSIGNAL SIGUSR1");
	CHANGE_IS(q("{'StopSignal':'9'}"), "stopsignal 9");
	CHANGE_IS(q("{'OnBuild':['RUN a','RUN b']}"), "ONBUILD RUN a", "ONBUILD RUN b");
	REFUSED("USER", "USER takes");
	REFUSED("WORKDIR ", "WORKDIR takes");
	REFUSED("STOPSIGNAL NOPE", "STOPSIGNAL takes");
	REFUSED("STOPSIGNAL 0", "STOPSIGNAL takes");
}

/* $VAR and ${VAR}: the value in Env as the line found it */
#define ENV0 "{'Env':['PATH=/usr/bin:/bin','A=1','LONG=" LONGV "']}"
#define LONGV "a-value-longer-than-the-line-that-names-it"

static void test_vars_env(void)
{
	CHANGE_ON(ENV0, q("{'Env':['PATH=/usr/bin:/bin:/opt/bin','A=1','LONG=" LONGV "']}"),
		  "ENV PATH=$PATH:/opt/bin");
	CHANGE_ON(ENV0, q("{'Env':['PATH=/usr/bin:/bin','A=1','LONG=" LONGV "','B=x1y']}"),
		  "ENV B=x${A}y");
	/* an unknown variable is empty; the old form takes them too */
	CHANGE_ON(ENV0,
		  q("{'Env':['PATH=/usr/bin:/bin','A=1','LONG=" LONGV "','B=a.b','C=1 and 1']}"),
		  "ENV B=a$NOPE.b${NOPE}", "ENV C $A and ${A}");
	/* ENV A=2 B=$A takes the A before the line; the next line, the new */
	CHANGE_ON(ENV0, q("{'Env':['PATH=/usr/bin:/bin','A=2','LONG=" LONGV "','B=1','C=2']}"),
		  "ENV A=2 B=$A", "ENV C=$A");
	/* longer than the line: once, twice, in quotes */
	CHANGE_ON(ENV0,
		  q("{'Env':['PATH=/usr/bin:/bin','A=1','LONG=" LONGV "','L=" LONGV LONGV
		    "','M=" LONGV " " LONGV "']}"),
		  "ENV L=$LONG$LONG \"M=$LONG ${LONG}\"");
	/* Env with no variables, or none at all */
	CHANGE_IS(q("{'Env':['B=']}"), "ENV B=$A");
}

static void test_vars_quotes(void)
{
	/* \$, single quotes: a literal $; double quotes expand */
	CHANGE_ON(ENV0,
		  q("{'Env':['PATH=/usr/bin:/bin','A=1','LONG=" LONGV "','B=$A','C=$A','D=1']}"),
		  "ENV B=\\$A C='$A' D=\"$A\"");
	CHANGE_ON(ENV0, q("{'Env':['PATH=/usr/bin:/bin','A=1','LONG=" LONGV "','B=${A}']}"),
		  "ENV B=\\${A}");
	/* a $ that starts no name stays */
	CHANGE_ON(ENV0, q("{'Env':['PATH=/usr/bin:/bin','A=1','LONG=" LONGV "','B=5$','C=$/x']}"),
		  "ENV B=5$ C=$/x");
	/* a ${ not closed, empty, or with a form docker's reference has not */
	REFUSED("ENV B=${A", "ENV takes");
	REFUSED("ENV B=${}", "ENV takes");
	REFUSED("ENV B=${A:=x}", "ENV takes");
	REFUSED("ENV B=${A#x}", "ENV takes");
	REFUSED("ENV B=${A:-x", "ENV takes");
	REFUSED("ENV B=${A:-${C}", "ENV takes");
	REFUSED("LABEL k=${A", "LABEL takes");
	REFUSED("USER ${U", "USER takes");
}

/* ${A:-word}: word when A is empty or unset; ${A:+word}: when it is not;
 * word holds references, escapes and spaces */
static void test_vars_default(void)
{
	const char *e = "{'Env':['A=1','E=','LONG=" LONGV "']}";

	CHANGE_ON(e,
		  q("{'Env':['A=1','E=','LONG=" LONGV "','B=1','C=x','D=x','F=','G=y',"
		    "'H=1:1','I=$A}','J=a b']}"),
		  "ENV B=${A:-x} C=${E:-x} D=${NOPE:-x} F=${E:+y} G=${A:+y}",
		  "ENV H=${NOPE:-$A:${A}} I=${NOPE:-\\$A\\}} J=${NOPE:-a b}");
	/* the value, or a word, longer than the line */
	CHANGE_ON(e, q("{'Env':['A=1','E=','LONG=" LONGV "','L=" LONGV LONGV "','M=" LONGV "']}"),
		  "ENV L=${NOPE:-$LONG$LONG} M=${LONG:-short}");
	/* a word not taken: its references are not either */
	CHANGE_ON(e, q("{'Env':['A=1','E=','LONG=" LONGV "','N=1']}"),
		  "ENV N=${A:-${LONG}${LONG}}");
	CHANGE_ON(e, q("{'Env':['A=1','E=','LONG=" LONGV "'],'Labels':{'k':'dflt 1'}}"),
		  "LABEL k=\"${E:-dflt} ${E:+no}$A\"");
}

static void test_vars_where(void)
{
	const char *e = "{'Env':['A=1','P=8080','D=/data','U=1000:1000','S=USR1','W=srv']}";

	CHANGE_ON(e,
		  q("{'Env':['A=1','P=8080','D=/data','U=1000:1000','S=USR1','W=srv'],"
		    "'Labels':{'k':'1','a':'1 and 1'},'ExposedPorts':{'8080/tcp':{},'53/udp':{}},"
		    "'Volumes':{'/data':{},'/data/x':{},'/data/y':{}},'User':'1000:1000',"
		    "'StopSignal':'SIGUSR1','WorkingDir':'/srv/app'}"),
		  "LABEL k=$A", "LABEL a $A and ${A}", "EXPOSE $P 53/udp", "VOLUME $D ${D}/x",
		  "VOLUME [\"$D/y\"]", "USER $U", "STOPSIGNAL SIG$S", "WORKDIR /$W", "WORKDIR app");
	/* never in CMD, ENTRYPOINT (exec or shell form) or ONBUILD */
	CHANGE_ON(e,
		  q("{'Env':['A=1','P=8080','D=/data','U=1000:1000','S=USR1','W=srv'],"
		    "'Cmd':['/bin/sh','-c','echo $A ${A}'],'Entrypoint':['$A','${A}'],"
		    "'OnBuild':['RUN echo $A']}"),
		  "CMD echo $A ${A}", "ENTRYPOINT [\"$A\", \"${A}\"]", "ONBUILD RUN echo $A");
	CHANGE_ON(e,
		  q("{'Env':['A=1','P=8080','D=/data','U=1000:1000','S=USR1','W=srv'],"
		    "'Cmd':['$A'],'Entrypoint':['/bin/sh','-c','echo $A']}"),
		  "CMD [\"$A\"]", "ENTRYPOINT echo $A");
	/* a value that is empty once expanded is none */
	REFUSED("WORKDIR $NOPE", "WORKDIR takes");
	REFUSED("USER ${NOPE}", "USER takes");
	REFUSED("EXPOSE $NOPE", "EXPOSE takes");
}

static void test_unknown(void)
{
	REFUSED("FOO bar", "unknown instruction \"FOO\"");
	REFUSED("RUN echo hi", "unknown instruction \"RUN\"");
	REFUSED("CMDX a", "unknown instruction \"CMDX\"");
	REFUSED("CMD1 a", "unknown instruction \"CMD1\"");
	REFUSED("", "unknown instruction");
	REFUSED("  ", "unknown instruction");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(test_cmd_entrypoint);
	RUN(test_env_label);
	RUN(test_expose_volume);
	RUN(test_user_workdir_signal);
	RUN(test_vars_env);
	RUN(test_vars_quotes);
	RUN(test_vars_default);
	RUN(test_vars_where);
	RUN(test_unknown);
	UNIT_EXIT();
}
