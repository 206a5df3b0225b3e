// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-state: store/state, the typed container record <-> state.json.
 *
 * Hazards covered: a state.json an earlier nook wrote (every key it ever
 * wrote, exec sessions inside it) must load with every field; unknown
 * keys must survive a load and a save; a field must not be written twice
 * (from the field and from extra); the same record must always give the
 * same text (the engine skips writes by comparing texts); "exitCode"
 * present with 0 differs from absent (refresh after a reboot records -1
 * only where no end was recorded); netLinks empty differs from absent.
 */
#define UNIT_NAME "test-state"
#include "tests/unit/unit.h"

#include "store/state.h"

static char *text_of(const struct ctr_state *s)
{
	cJSON *j = ctr_state_to_json(s);
	char *t = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return t;
}

/* What the engine wrote before the record was typed (its key order). */
static const char *old_running =
	"{'state':'running','restartCount':2,'name':'web','rootfs':'/srv/"
	"r','created':1795348800000000000,"
	"'command':['/bin/sh','-c','sleep 1'],'pid':4242,'pidStart':987654,'monitorPid':4240,"
	"'monitorStart':987650,'cgroup':'/sys/fs/cgroup/nook/x','bootId':'b-1',"
	"'stoppedByUser':false,'startedAt':1795348801000000000,'mountCount':1,"
	"'checkpointed':false,'checkpointedAt':1795348802000000000,'restored':true,"
	"'restoredAt':1795348803000000000,'netLinks':['nk1','nk2'],"
	"'execSessions':{'e1':{'pid':4300,'pidStart':5,'command':['ls','-l']}},"
	"'future':{'a':[1,2]}}";

static void old_file_loads(void)
{
	cJSON *j = cJSON_Parse(q(old_running));
	struct ctr_state s;

	CHECK(j);
	ctr_state_from_json(j, &s);
	cJSON_Delete(j);
	CHECK(s.state == ST_RUNNING);
	CHECK(s.restart_count == 2);
	CHECK_STR(s.name, "web");
	CHECK_STR(s.rootfs, "/srv/r");
	CHECK(s.created == 1795348800000000000LL);
	CHECK(s.command && strv_len(s.command) == 3);
	CHECK_STR(s.command[2], "sleep 1");
	CHECK(s.pid == 4242 && s.pid_start == 987654);
	CHECK(s.monitor_pid == 4240 && s.monitor_start == 987650);
	CHECK_STR(s.cgroup, "/sys/fs/cgroup/nook/x");
	CHECK_STR(s.boot_id, "b-1");
	CHECK(!s.stopped_by_user && !s.exit_known);
	CHECK(s.started_at == 1795348801000000000LL);
	CHECK(s.mount_count == 1);
	CHECK(!s.checkpointed && s.restored);
	CHECK(s.checkpointed_at == 1795348802000000000LL);
	CHECK(s.restored_at == 1795348803000000000LL);
	CHECK(s.net_links && strv_len(s.net_links) == 2);
	CHECK(s.n_execs == 1);
	CHECK_STR(s.execs[0].id, "e1");
	CHECK(s.execs[0].pid == 4300 && s.execs[0].pid_start == 5);
	CHECK_STR(s.execs[0].command[1], "-l");
	CHECK(s.extra);
	ctr_state_free(&s);
	ctr_state_free(&s); /* freeing twice is fine */
}

static void round_trip(void)
{
	cJSON *j = cJSON_Parse(q(old_running)), *out;
	struct ctr_state s, t;
	char *a, *b;

	CHECK(j);
	ctr_state_from_json(j, &s);
	cJSON_Delete(j);
	a = text_of(&s);
	/* exec sessions go to exec.json, not state.json; unknown keys stay */
	CHECK(!strstr(a, "execSessions"));
	CHECK_HAS(a, q("'future':{'a':[1,2]}"));
	CHECK_HAS(a, q("'netLinks':['nk1','nk2']"));
	out = cJSON_Parse(a);
	ctr_state_from_json(out, &t);
	cJSON_Delete(out);
	b = text_of(&t);
	CHECK_STR(a, b); /* the same record, the same text */
	free(a);
	free(b);
	ctr_state_free(&s);
	ctr_state_free(&t);
}

static int count(const char *s, const char *sub)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, sub)); p++)
		n++;
	return n;
}

static void no_key_twice(void)
{
	cJSON *j = cJSON_Parse(q(old_running));
	struct ctr_state s;
	char *a;

	ctr_state_from_json(j, &s);
	cJSON_Delete(j);
	a = text_of(&s);
	CHECK(count(a, "\"state\"") == 1);
	CHECK(count(a, "\"cgroup\"") == 1);
	CHECK(count(a, "\"netLinks\"") == 1);
	CHECK(count(a, "\"future\"") == 1);
	free(a);
	ctr_state_free(&s);
}

static void exit_code_presence(void)
{
	struct ctr_state s = { .state = ST_EXITED };
	cJSON *j;
	char *a;

	a = text_of(&s);
	CHECK(!strstr(a, "exitCode"));
	free(a);
	s.exit_known = true;
	a = text_of(&s);
	CHECK_HAS(a, q("'exitCode':0"));
	j = cJSON_Parse(a);
	free(a);
	ctr_state_from_json(j, &s);
	cJSON_Delete(j);
	CHECK(s.exit_known && s.exit_code == 0);
	ctr_state_free(&s);
}

static void links_presence(void)
{
	struct ctr_state s = { .state = ST_CREATED };
	char *a;

	a = text_of(&s);
	CHECK(!strstr(a, "netLinks"));
	free(a);
	ctr_state_set_links(&s, (char *[]){ NULL });
	a = text_of(&s);
	CHECK_HAS(a, q("'netLinks':[]"));
	free(a);
	ctr_state_free(&s);
}

static void minimal_and_unknown_state(void)
{
	cJSON *j = cJSON_Parse(q("{'state':'configured'}"));
	struct ctr_state s;

	ctr_state_from_json(j, &s);
	cJSON_Delete(j);
	CHECK(s.state == ST_CONFIGURED && !s.name && !s.command && !s.extra);
	ctr_state_free(&s);
	j = cJSON_Parse(q("{'state':'runn','pid':'x'}"));
	ctr_state_from_json(j, &s);
	cJSON_Delete(j);
	CHECK(s.state == ST_UNKNOWN);
	CHECK(s.pid == 0); /* a field of another type reads as zero */
	ctr_state_free(&s);
}

static void exec_sessions(void)
{
	struct ctr_state s = { .state = ST_RUNNING };
	cJSON *ss;
	char *t;

	ctr_state_exec_put(&s, "a", 10, 1, (char *[]){ "sh", NULL });
	ctr_state_exec_put(&s, "b", 11, 2, NULL);
	ctr_state_exec_put(&s, "c", 12, 3, (char *[]){ "ls", NULL });
	ctr_state_exec_put(&s, "b", 0, 0, NULL); /* dropped */
	CHECK(s.n_execs == 2);
	ss = ctr_state_execs_to_json(&s);
	t = cJSON_PrintUnformatted(ss);
	cJSON_Delete(ss);
	CHECK_STR(t, q("{'a':{'pid':10,'pidStart':1,'command':['sh']},"
		       "'c':{'pid':12,'pidStart':3,'command':['ls']}}"));
	free(t);
	ctr_state_execs_from_json(&s, NULL);
	CHECK(s.n_execs == 0 && !s.execs);
	ctr_state_free(&s);
}

static void names(void)
{
	CHECK(state_from("paused") == ST_PAUSED);
	CHECK(state_from("unknown") == ST_UNKNOWN);
	CHECK(state_from(NULL) == ST_UNKNOWN);
	CHECK(state_from("nope") == ST_UNKNOWN);
	CHECK_STR(state_names[ST_REMOVING], "removing");
}

int main(void)
{
	RUN(old_file_loads);
	RUN(round_trip);
	RUN(no_key_twice);
	RUN(exit_code_presence);
	RUN(links_presence);
	RUN(minimal_and_unknown_state);
	RUN(exec_sessions);
	RUN(names);
	UNIT_EXIT();
}
