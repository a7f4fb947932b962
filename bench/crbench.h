/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crbench: measures `crrun checkpoint` and `crrun restore` on workload
 * processes (bench/workload.c) against plain memory and file baselines of
 * the same size, and reports medians. It only measures: nothing here
 * passes or fails on a timing.
 */
#ifndef _CRBENCH_H
#define _CRBENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#define BENCH_MAX_RUNS	    50
#define BENCH_MAX_WORKLOADS 16

/* A figure that was not measured (a failed step, or a step not taken). */
#define BENCH_NONE (-1.0)

/* Baselines over the same number of bytes as the workload touched. */
struct bench_baseline {
	double memcpy_s;   /* memcpy between two touched buffers */
	double write_s;	   /* write(2) into a new file beside the image */
	double rewrite_s;  /* the same again at once (warm memory) */
	double fsync_s;	   /* the same, then fsync(2): checkpoint --sync */
	double fresh_s;	   /* memcpy into new 4 KiB pages, a fault each */
	double populate_s; /* mmap(MAP_POPULATE) + memcpy */
	double thp_s;	   /* MADV_HUGEPAGE mapping + memcpy */
};

struct bench_run {
	double ckpt_s;	    /* fork to reap of `crrun checkpoint` */
	double ckpt_sync_s; /* the same with --sync (o->sync only) */
	double stop_ms;	    /* largest gap the workload saw meanwhile */
	double stopped_ms;  /* sum of its gaps over 2 ms meanwhile */
	double image_bytes;
	double ckpt_rss_kib; /* ru_maxrss of crrun checkpoint */
	double rstr_run_s;   /* fork of `crrun restore` to the first
			      * instruction the restored workload ran */
	double rstr_exit_s;  /* fork to reap of `crrun restore --detach` */
	double rstr_rss_kib;
	double lazy_run_s; /* rstr_run_s of `crrun restore --lazy` */
	double lazy_rss_kib;
	struct bench_baseline base;
};

struct bench_workload {
	char name[40];
	char *args[4];	    /* workload arguments, NULL-terminated */
	uint64_t bytes;	    /* touched bytes: the baselines' size */
	long ready_rss_kib; /* the workload's RSS once filled */
	int nruns;	    /* runs that completed */
	bool verified;	    /* a restored copy checked its own memory */
	bool lazy_verified; /* and so did a copy restored with --lazy */
	struct bench_run runs[BENCH_MAX_RUNS];
	char error[512]; /* the first failure, empty if none */
};

struct bench_opts {
	int runs;
	int timeout_s; /* bound on every step */
	const char *crrun;
	const char *workload;
	const char *dir;     /* where images go (a fresh directory in it) */
	const char *out;     /* the Markdown file to update, or NULL */
	const char *made_by; /* the command line to record */
	const char *rev;     /* the crrun revision to record, or NULL */
	bool sync;	     /* also time `crrun checkpoint --sync` */
	bool has_lazy;	     /* `crrun restore --help` lists --lazy */
	bool has_sync;	     /* `crrun checkpoint --help` lists --sync */
	char workdir[4096];  /* the directory made under dir */
};

/* proc.c: children, bounded waits, the workload's output */

uint64_t bench_now_ns(void);
void bench_track(pid_t pid);
void bench_untrack(pid_t pid);
void bench_kill_tracked(void);
pid_t bench_spawn(char *const argv[], int fd0, int fd1, int fd2);
int bench_wait(pid_t pid, int timeout_ms, int *status, struct rusage *ru);
int bench_kill_wait(pid_t pid, int timeout_ms);
int bench_wait_gone(pid_t pid, int timeout_ms);

struct bench_lines {
	int fd;
	size_t len;
	char buf[4096];
};

int bench_read_line(struct bench_lines *lr, char *line, size_t size,
		    int timeout_ms);
int bench_help_lists(const char *crrun, const char *cmd, const char *opt,
		     int timeout_ms);

/* baseline.c */

int bench_measure_baseline(const struct bench_opts *o, uint64_t bytes,
			   struct bench_baseline *b);

/* run.c */

int bench_run_workload(const struct bench_opts *o, struct bench_workload *w,
		       int run);

/* report.c */

int bench_report(const struct bench_opts *o, struct bench_workload *w, int nw,
		 double elapsed_s);

#endif /* _CRBENCH_H */
