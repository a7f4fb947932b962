// SPDX-License-Identifier: GPL-2.0
/*
 * One run of one workload: baselines; start the workload; checkpoint it
 * while it runs (and, with o->sync, once more with --sync); kill it;
 * restore it; check that it runs (and on the first run, that its memory
 * came back); kill it; restore the same image with --lazy and check it the
 * same way; kill it. Every step is bounded by o->timeout_s and every
 * process is killed on the way out.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crbench.h"

/* what one run keeps while it goes */
struct run_state {
	const struct bench_opts *o;
	struct bench_workload *w;
	struct bench_run *r;
	char image[4200], sync_image[4200], pidfile[4200], errfile[4200];
	int devnull;
	pid_t orig;		/* the workload as started */
	pid_t restored;		/* the restored workload */
	struct bench_lines out; /* the stdout of whichever runs */
};

static void run_fail(struct run_state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* keep the first failure of a workload; later runs are not attempted */
static void run_fail(struct run_state *s, const char *fmt, ...)
{
	va_list ap;

	if (s->w->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->w->error, sizeof(s->w->error), fmt, ap);
	va_end(ap);
}

/* the first line crrun wrote to stderr, for the report */
static const char *first_err_line(struct run_state *s, char *buf, size_t n)
{
	FILE *f = fopen(s->errfile, "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)n, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	return buf[0] ? buf : "(nothing on stderr)";
}

static int step_ms(struct run_state *s)
{
	return s->o->timeout_s * 1000;
}

/* wait for a line starting with @tag, skipping "gap" lines; -errno */
static int expect_line(struct run_state *s, const char *tag, char *line,
		       size_t size, double *gap_sum_ms)
{
	size_t tl = strlen(tag);
	int ret;

	for (;;) {
		ret = bench_read_line(&s->out, line, size, step_ms(s));
		if (ret <= 0)
			return ret ? ret : -EPIPE;
		if (!strncmp(line, tag, tl) && line[tl] == ' ')
			return 0;
		if (!strncmp(line, "gap ", 4) && gap_sum_ms) {
			unsigned long long a, b;

			if (sscanf(line + 4, "%llu %llu", &a, &b) == 2)
				*gap_sum_ms += (b - a) / 1e6;
		}
	}
}

/* on SIGUSR1 the workload reports its largest gap since the last report */
static int ask_max_gap(struct run_state *s, pid_t pid, double *max_ms,
		       double *gap_sum_ms)
{
	unsigned long long gap, at;
	char line[256];
	int ret;

	if (kill(pid, SIGUSR1))
		return -errno;
	ret = expect_line(s, "max", line, sizeof(line), gap_sum_ms);
	if (ret)
		return ret;
	if (sscanf(line, "max %llu %llu", &gap, &at) != 2)
		return -EPROTO;
	if (max_ms)
		*max_ms = gap / 1e6;
	return 0;
}

static int start_workload(struct run_state *s)
{
	char *argv[6] = {(char *)s->o->workload};
	char line[256];
	int pfd[2], i, ret;
	long rss;

	for (i = 0; s->w->args[i]; i++)
		argv[i + 1] = s->w->args[i];
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	s->orig = bench_spawn(argv, s->devnull, pfd[1], s->devnull);
	close(pfd[1]);
	if (s->orig < 0) {
		close(pfd[0]);
		return s->orig;
	}
	s->out = (struct bench_lines){.fd = pfd[0]};
	ret = expect_line(s, "ready", line, sizeof(line), NULL);
	if (ret)
		return ret;
	if (sscanf(line, "ready %ld", &rss) == 1)
		s->w->ready_rss_kib = rss;
	return 0;
}

/* crrun checkpoint [--sync] of the original: bounded, timed fork to reap */
static int run_checkpoint(struct run_state *s, bool sync, const char *image,
			  double *secs, struct rusage *ru)
{
	char pid[24], err[512], *argv[6];
	uint64_t t0;
	int fd, status, ret, n = 0;
	pid_t c;

	snprintf(pid, sizeof(pid), "%d", (int)s->orig);
	argv[n++] = (char *)s->o->crrun;
	argv[n++] = "checkpoint";
	if (sync)
		argv[n++] = "--sync";
	argv[n++] = pid;
	argv[n++] = (char *)image;
	argv[n] = NULL;
	fd = open(s->errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	t0 = bench_now_ns();
	c = bench_spawn(argv, s->devnull, fd, fd);
	ret = c < 0 ? c : bench_wait(c, step_ms(s), &status, ru);
	*secs = (bench_now_ns() - t0) / 1e9;
	close(fd);
	if (ret)
		return ret;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		run_fail(s, "crrun checkpoint%s exited %#x: %s",
			 sync ? " --sync" : "", status,
			 first_err_line(s, err, sizeof(err)));
		return -ECANCELED;
	}
	return 0;
}

static int do_checkpoint(struct run_state *s)
{
	struct rusage ru;
	struct stat st;
	int ret;

	/* reset the workload's max gap just before */
	ret = ask_max_gap(s, s->orig, NULL, NULL);
	if (ret)
		return ret;
	ret = run_checkpoint(s, false, s->image, &s->r->ckpt_s, &ru);
	if (ret)
		return ret;
	s->r->ckpt_rss_kib = ru.ru_maxrss;
	s->r->stopped_ms = 0;
	ret = ask_max_gap(s, s->orig, &s->r->stop_ms, &s->r->stopped_ms);
	if (ret)
		return ret;
	if (s->r->stopped_ms < s->r->stop_ms)
		s->r->stopped_ms = s->r->stop_ms;
	if (stat(s->image, &st))
		return -errno;
	s->r->image_bytes = (double)st.st_size;
	return 0;
}

/*
 * The same checkpoint with --sync, into an image of its own that goes at
 * once: the restores below use the image of the plain checkpoint.
 */
static int do_checkpoint_sync(struct run_state *s)
{
	struct rusage ru;
	int ret;

	ret = run_checkpoint(s, true, s->sync_image, &s->r->ckpt_sync_s, &ru);
	unlink(s->sync_image);
	return ret;
}

/* what one `crrun restore` gave */
struct restore_figures {
	double run_s;  /* fork to the restored workload's first instruction */
	double exit_s; /* fork to reap of crrun */
	double rss_kib;
};

/* crrun restore [--lazy]: bounded; the restored pid from the pid file */
static int run_restore(struct run_state *s, bool lazy, int out_fd, uint64_t *t0,
		       struct restore_figures *fig)
{
	char err[512], *argv[8];
	struct rusage ru;
	int fd, status, ret, n = 0;
	FILE *f;
	pid_t c;

	argv[n++] = (char *)s->o->crrun;
	argv[n++] = "restore";
	if (lazy)
		argv[n++] = "--lazy";
	argv[n++] = "--detach";
	argv[n++] = "--pidfile";
	argv[n++] = s->pidfile;
	argv[n++] = s->image;
	argv[n] = NULL;
	fd = open(s->errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	unlink(s->pidfile);
	*t0 = bench_now_ns();
	c = bench_spawn(argv, s->devnull, out_fd, fd);
	ret = c < 0 ? c : bench_wait(c, step_ms(s), &status, &ru);
	fig->exit_s = (bench_now_ns() - *t0) / 1e9;
	close(fd);
	if (ret)
		return ret;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		run_fail(s, "crrun restore%s exited %#x: %s",
			 lazy ? " --lazy" : "", status,
			 first_err_line(s, err, sizeof(err)));
		return -ECANCELED;
	}
	fig->rss_kib = ru.ru_maxrss;
	f = fopen(s->pidfile, "r");
	if (!f || fscanf(f, "%d", &s->restored) != 1) {
		run_fail(s, "crrun restore wrote no pid to %s", s->pidfile);
		ret = -ECANCELED;
	} else {
		/* crbench is a subreaper: the detached process is its child */
		bench_track(s->restored);
	}
	if (f)
		fclose(f);
	return ret;
}

/*
 * Kill whichever process runs from the image (the original, or an earlier
 * restored copy), wait until its pid is free for the restore, and restore
 * it with its stdout on a new pipe.
 */
static int do_restore(struct run_state *s, bool lazy,
		      struct restore_figures *fig)
{
	pid_t *prev = s->orig > 0 ? &s->orig : &s->restored;
	unsigned long long from, to;
	char line[256];
	int pfd[2], ret;
	uint64_t t0 = 0;

	ret = bench_kill_wait(*prev, step_ms(s));
	if (ret)
		return ret;
	*prev = 0;
	close(s->out.fd);
	s->out.fd = -1;
	/* the restored workload's stdout is crrun restore's: a new pipe */
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	s->out = (struct bench_lines){.fd = pfd[0]};
	ret = run_restore(s, lazy, pfd[1], &t0, fig);
	close(pfd[1]);
	if (ret)
		return ret;
	/* its first gap ends at its first instruction after the restore */
	ret = expect_line(s, "gap", line, sizeof(line), NULL);
	if (ret)
		return ret;
	if (sscanf(line, "gap %llu %llu", &from, &to) != 2)
		return -EPROTO;
	fig->run_s = to > t0 ? (to - t0) / 1e9 : 0;
	/* and it answers: its signal handler came back too */
	return ask_max_gap(s, s->restored, NULL, NULL);
}

static int do_restore_copy(struct run_state *s)
{
	struct restore_figures fig;
	int ret = do_restore(s, false, &fig);

	if (ret)
		return ret;
	s->r->rstr_run_s = fig.run_s;
	s->r->rstr_exit_s = fig.exit_s;
	s->r->rstr_rss_kib = fig.rss_kib;
	return 0;
}

static int do_restore_lazy(struct run_state *s)
{
	struct restore_figures fig;
	int ret = do_restore(s, true, &fig);

	if (ret)
		return ret;
	s->r->lazy_run_s = fig.run_s;
	s->r->lazy_rss_kib = fig.rss_kib;
	return 0;
}

/* the restored workload rereads its memory against its own pattern */
static int verify_restored(struct run_state *s, bool *verified)
{
	char line[256];
	int ret;

	if (kill(s->restored, SIGUSR2))
		return -errno;
	ret = expect_line(s, "verify", line, sizeof(line), NULL);
	if (ret)
		return ret;
	if (strcmp(line, "verify ok")) {
		run_fail(s, "the restored workload's memory differs: %s", line);
		return -ECANCELED;
	}
	*verified = true;
	return 0;
}

static void run_cleanup(struct run_state *s)
{
	if (s->orig > 0)
		bench_kill_wait(s->orig, step_ms(s));
	if (s->restored > 0)
		bench_kill_wait(s->restored, step_ms(s));
	if (s->out.fd >= 0)
		close(s->out.fd);
	if (s->devnull >= 0)
		close(s->devnull);
	unlink(s->image);
	unlink(s->sync_image);
	unlink(s->pidfile);
	unlink(s->errfile);
	/* anything else that was reparented to crbench */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* the steps of a run, in their order */
enum run_step {
	STEP_BASELINES,
	STEP_START,
	STEP_CHECKPOINT,
	STEP_CHECKPOINT_SYNC,
	STEP_RESTORE,
	STEP_VERIFY,
	STEP_RESTORE_LAZY,
	STEP_VERIFY_LAZY,
	STEP_DONE,
};

static const char *const step_names[] = {
	[STEP_BASELINES] = "baselines",
	[STEP_START] = "workload start",
	[STEP_CHECKPOINT] = "checkpoint",
	[STEP_CHECKPOINT_SYNC] = "checkpoint --sync",
	[STEP_RESTORE] = "restore",
	[STEP_VERIFY] = "verify",
	[STEP_RESTORE_LAZY] = "restore --lazy",
	[STEP_VERIFY_LAZY] = "verify after restore --lazy",
};

/* one step, or 0 for a step this run leaves out */
static int run_step(struct run_state *s, enum run_step step, int run)
{
	const struct bench_opts *o = s->o;

	switch (step) {
	case STEP_BASELINES:
		return bench_measure_baseline(o, s->w->bytes, &s->r->base);
	case STEP_START:
		return start_workload(s);
	case STEP_CHECKPOINT:
		return do_checkpoint(s);
	case STEP_CHECKPOINT_SYNC:
		return o->sync && o->has_sync ? do_checkpoint_sync(s) : 0;
	case STEP_RESTORE:
		return do_restore_copy(s);
	case STEP_VERIFY:
		return run ? 0 : verify_restored(s, &s->w->verified);
	case STEP_RESTORE_LAZY:
		return o->has_lazy ? do_restore_lazy(s) : 0;
	case STEP_VERIFY_LAZY:
		if (run || !o->has_lazy)
			return 0;
		return verify_restored(s, &s->w->lazy_verified);
	default:
		return 0;
	}
}

/**
 * bench_run_workload() - one run of a workload
 * @o: the options
 * @w: the workload; the run's figures go in w->runs[run]
 * @run: the run's index; run 0 also verifies the restored memory
 *
 * Return: 0, or -errno with w->error saying what failed.
 */
int bench_run_workload(const struct bench_opts *o, struct bench_workload *w,
		       int run)
{
	struct run_state s = {.o = o, .w = w, .r = &w->runs[run], .out.fd = -1};
	enum run_step step;
	int ret = 0;

	/* figures of steps this run may leave out */
	s.r->ckpt_sync_s = BENCH_NONE;
	s.r->lazy_run_s = BENCH_NONE;
	s.r->lazy_rss_kib = BENCH_NONE;
	snprintf(s.image, sizeof(s.image), "%s/image", o->workdir);
	snprintf(s.sync_image, sizeof(s.sync_image), "%s/image.sync",
		 o->workdir);
	snprintf(s.pidfile, sizeof(s.pidfile), "%s/pid", o->workdir);
	snprintf(s.errfile, sizeof(s.errfile), "%s/crrun.err", o->workdir);
	s.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (s.devnull < 0)
		return -errno;

	for (step = 0; step < STEP_DONE && !ret; step++) {
		ret = run_step(&s, step, run);
		if (ret)
			run_fail(&s, "%s: %s", step_names[step],
				 strerror(-ret));
	}
	run_cleanup(&s);
	return ret;
}
