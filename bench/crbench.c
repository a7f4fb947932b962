// SPDX-License-Identifier: GPL-2.0
/*
 * crbench: `make bench`. For each workload, BENCH_RUNS runs of: the
 * baselines, a checkpoint of the running workload (and with --sync 1 one
 * more with `checkpoint --sync`), a restore of it, a restore of the same
 * image with --lazy; then a table of medians, printed and written into
 * docs/PERFORMANCE.md between its crbench markers. What this crrun lacks
 * (`restore --lazy`, `checkpoint --sync`) is reported as "n/a".
 *
 * crbench --crrun PATH --workload PATH [--runs N] [--sizes "64 512 2048"]
 *         [--sparse MAPPED_MIB/TOUCHED_MIB] [--no-small] [--sync 0|1]
 *         [--dir DIR] [--timeout SECONDS] [--out FILE] [--made-by TEXT]
 *         [--rev TEXT]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crbench.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct bench_plan {
	char sizes[256];
	unsigned long sparse_mapped, sparse_touched;
	bool small;
};

static struct bench_workload workloads[BENCH_MAX_WORKLOADS];

/* what crbench makes in its work directory, named once for the handlers */
static const char *const work_files[] = {"image", "image.sync",
					 "baseline.write", "pid", "crrun.err"};
static char work_paths[ARRAY_SIZE(work_files)][4200];
static char workdir_to_remove[4096];

/* Context: async-signal-safe (unlink and rmdir of names made earlier). */
static void remove_workdir(void)
{
	unsigned int i;

	if (!workdir_to_remove[0])
		return;
	for (i = 0; i < ARRAY_SIZE(work_files); i++)
		unlink(work_paths[i]);
	rmdir(workdir_to_remove);
	workdir_to_remove[0] = 0;
}

static void at_exit(void)
{
	bench_kill_tracked();
	remove_workdir();
}

static void on_fatal(int sig)
{
	bench_kill_tracked();
	remove_workdir();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: crbench --crrun PATH --workload PATH [--runs N]\n"
		"               [--sizes \"64 512 2048\"] [--sparse 4096/64]\n"
		"               [--no-small] [--sync 0|1] [--dir DIR]\n"
		"               [--timeout SECONDS] [--out FILE]\n"
		"               [--made-by TEXT] [--rev TEXT]\n");
	exit(2);
}

static void parse_opts(int argc, char **argv, struct bench_opts *o,
		       struct bench_plan *p)
{
	static const struct option longopts[] = {
		{"crrun", required_argument, NULL, 'c'},
		{"workload", required_argument, NULL, 'w'},
		{"runs", required_argument, NULL, 'n'},
		{"sizes", required_argument, NULL, 's'},
		{"sparse", required_argument, NULL, 'p'},
		{"no-small", no_argument, NULL, 'S'},
		{"sync", required_argument, NULL, 'y'},
		{"dir", required_argument, NULL, 'd'},
		{"timeout", required_argument, NULL, 't'},
		{"out", required_argument, NULL, 'o'},
		{"made-by", required_argument, NULL, 'm'},
		{"rev", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->crrun = optarg;
			break;
		case 'w':
			o->workload = optarg;
			break;
		case 'n':
			o->runs = atoi(optarg);
			break;
		case 's':
			snprintf(p->sizes, sizeof(p->sizes), "%s", optarg);
			break;
		case 'p':
			if (sscanf(optarg, "%lu/%lu", &p->sparse_mapped,
				   &p->sparse_touched) != 2)
				usage();
			break;
		case 'S':
			p->small = false;
			break;
		case 'y':
			o->sync = atoi(optarg) != 0;
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 't':
			o->timeout_s = atoi(optarg);
			break;
		case 'o':
			o->out = *optarg ? optarg : NULL;
			break;
		case 'm':
			o->made_by = optarg;
			break;
		case 'r':
			o->rev = *optarg ? optarg : NULL;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !o->crrun || !o->workload || o->runs < 1 ||
	    o->runs > BENCH_MAX_RUNS || o->timeout_s < 1)
		usage();
}

static struct bench_workload *add_workload(int *nw, const char *name,
					   uint64_t bytes)
{
	struct bench_workload *w;

	if (*nw == BENCH_MAX_WORKLOADS) {
		fprintf(stderr, "crbench: too many workloads\n");
		exit(2);
	}
	w = &workloads[(*nw)++];
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->bytes = bytes;
	return w;
}

/* the workloads of the plan, in the order they run */
static int plan_workloads(struct bench_plan *p)
{
	char *save = NULL, *tok, name[40];
	struct bench_workload *w;
	int nw = 0;

	for (tok = strtok_r(p->sizes, " ,", &save); tok;
	     tok = strtok_r(NULL, " ,", &save)) {
		unsigned long mib = strtoul(tok, NULL, 10);

		if (!mib)
			continue;
		snprintf(name, sizeof(name), "touched %lu MiB", mib);
		w = add_workload(&nw, name, (uint64_t)mib << 20);
		w->args[0] = "touched";
		w->args[1] = strdup(tok);
	}
	if (p->sparse_mapped) {
		snprintf(name, sizeof(name), "sparse %lu/%lu MiB",
			 p->sparse_mapped, p->sparse_touched);
		w = add_workload(&nw, name, (uint64_t)p->sparse_touched << 20);
		w->args[0] = "sparse";
		asprintf(&w->args[1], "%lu", p->sparse_mapped);
		asprintf(&w->args[2], "%lu", p->sparse_touched);
	}
	if (p->small) {
		w = add_workload(&nw, "small (2 MiB heap)", 2ULL << 20);
		w->args[0] = "small";
	}
	return nw;
}

/* what this crrun can do: an option it lacks is "n/a" in the report */
static void probe_crrun(struct bench_opts *o)
{
	int ms = o->timeout_s * 1000;
	int lazy = bench_help_lists(o->crrun, "restore", "--lazy", ms);
	int sync = bench_help_lists(o->crrun, "checkpoint", "--sync", ms);

	if (lazy < 0 || sync < 0) {
		fprintf(stderr, "crbench: %s --help: %s\n", o->crrun,
			strerror(-(lazy < 0 ? lazy : sync)));
		exit(1);
	}
	o->has_lazy = lazy;
	o->has_sync = sync;
	if (!o->has_lazy)
		fprintf(stderr, "crbench: %s restore has no --lazy: n/a\n",
			o->crrun);
	if (o->sync && !o->has_sync)
		fprintf(stderr, "crbench: %s checkpoint has no --sync: n/a\n",
			o->crrun);
}

static void setup_process(struct bench_opts *o)
{
	struct sigaction sa = {.sa_handler = on_fatal};
	int i;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	atexit(at_exit);
	/* `crrun restore --detach` leaves its process to us, not to init */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		perror("crbench: PR_SET_CHILD_SUBREAPER");
	snprintf(o->workdir, sizeof(o->workdir), "%s/crbench.XXXXXX", o->dir);
	if (!mkdtemp(o->workdir)) {
		fprintf(stderr, "crbench: mkdtemp %s: %s\n", o->workdir,
			strerror(errno));
		exit(1);
	}
	for (i = 0; i < (int)ARRAY_SIZE(work_files); i++)
		snprintf(work_paths[i], sizeof(work_paths[i]), "%s/%s",
			 o->workdir, work_files[i]);
	snprintf(workdir_to_remove, sizeof(workdir_to_remove), "%s",
		 o->workdir);
}

int main(int argc, char **argv)
{
	struct bench_opts o = {.runs = 5, .timeout_s = 120, .dir = "/tmp"};
	struct bench_plan p = {.sizes = "64 512 2048",
			       .sparse_mapped = 4096,
			       .sparse_touched = 64,
			       .small = true};
	uint64_t t0 = bench_now_ns();
	int nw, i, run, failed = 0;

	parse_opts(argc, argv, &o, &p);
	nw = plan_workloads(&p);
	setup_process(&o);
	probe_crrun(&o);
	for (i = 0; i < nw; i++) {
		struct bench_workload *w = &workloads[i];

		for (run = 0; run < o.runs; run++) {
			fprintf(stderr, "crbench: %s, run %d of %d\n", w->name,
				run + 1, o.runs);
			if (bench_run_workload(&o, w, run)) {
				fprintf(stderr, "crbench: %s: %s\n", w->name,
					w->error);
				failed++;
				break;
			}
			w->nruns++;
		}
	}
	remove_workdir();
	if (bench_report(&o, workloads, nw, (bench_now_ns() - t0) / 1e9))
		failed++;
	return failed ? 1 : 0;
}
