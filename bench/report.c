// SPDX-License-Identifier: GPL-2.0
/*
 * The report: medians (with min and max) of every figure, the ratios the
 * issue sets targets on, and the machine they were measured on. Printed,
 * and written into the Markdown file between the crbench markers; what
 * the file holds outside them (notes, analysis) is kept. A figure of an
 * option this crrun lacks reads "n/a"; one of a step not asked for, "-".
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "crbench.h"

#define MARK_BEGIN "<!-- crbench:begin -->"
#define MARK_END   "<!-- crbench:end -->"
#define MIB	   1048576.0

struct summary {
	double med, min, max;
	int n;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct summary summary_of(double *v, int n)
{
	struct summary s = {BENCH_NONE, BENCH_NONE, BENCH_NONE, n};

	if (!n)
		return s;
	qsort(v, n, sizeof(v[0]), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

static double field_of(const struct bench_run *r, size_t off)
{
	return *(const double *)((const char *)r + off);
}

/* a figure of every run, found at offset @off of struct bench_run */
static struct summary summarize(const struct bench_workload *w, size_t off)
{
	double v[BENCH_MAX_RUNS];
	int i, n = 0;

	for (i = 0; i < w->nruns; i++)
		if (field_of(&w->runs[i], off) >= 0)
			v[n++] = field_of(&w->runs[i], off);
	return summary_of(v, n);
}

/*
 * The ratio of two figures of the same run, over the runs: a run's crrun
 * figure and its baselines were taken a few seconds apart, so the pair
 * shares the machine's mood (this VM's page faults vary 2x from minute
 * to minute).
 */
static struct summary summarize_ratio(const struct bench_workload *w,
				      size_t num, size_t den)
{
	double v[BENCH_MAX_RUNS];
	int i, n = 0;

	for (i = 0; i < w->nruns; i++) {
		double a = field_of(&w->runs[i], num);
		double b = field_of(&w->runs[i], den);

		if (a >= 0 && b > 0)
			v[n++] = a / b;
	}
	return summary_of(v, n);
}

#define SUM(w, field) summarize(w, offsetof(struct bench_run, field))
#define RATIO(w, a, b)                                                         \
	summarize_ratio(w, offsetof(struct bench_run, a),                      \
			offsetof(struct bench_run, b))

/* "med (min-max)", each scaled and printed with @prec decimals */
static const char *fmt_sum(char *buf, size_t n, struct summary s, double scale,
			   int prec)
{
	if (!s.n)
		snprintf(buf, n, "-");
	else if (s.n == 1)
		snprintf(buf, n, "%.*f", prec, s.med * scale);
	else
		snprintf(buf, n, "%.*f (%.*f-%.*f)", prec, s.med * scale, prec,
			 s.min * scale, prec, s.max * scale);
	return buf;
}

/* fmt_sum() of a figure of an option: "n/a" if this crrun lacks it */
static const char *fmt_opt(char *buf, size_t n, bool has, struct summary s,
			   double scale, int prec)
{
	if (!has) {
		snprintf(buf, n, "n/a");
		return buf;
	}
	return fmt_sum(buf, n, s, scale, prec);
}

/*
 * checkpoint --sync is timed only when asked for (o->sync): "-" when not
 * asked for, "n/a" when asked for from a crrun without it
 */
static bool sync_asked_na(const struct bench_opts *o)
{
	return o->sync && !o->has_sync;
}

static void table_crrun(FILE *f, const struct bench_opts *o,
			struct bench_workload *ws, int nw)
{
	char a[64], a1[64], b[64], c[64], d[64], e[64], g[64], g1[64], h[64],
		k[64];
	int i;

	fprintf(f, "crrun, median (min-max) of the runs:\n\n"
		   "| workload | runs | checkpoint s | checkpoint --sync s | "
		   "stop gap ms | gaps>2ms sum ms | image MiB | "
		   "ckpt RSS MiB | restore-to-run s | "
		   "lazy restore-to-run s | restore exit s | "
		   "restore RSS MiB |\n"
		   "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < nw; i++) {
		struct bench_workload *w = &ws[i];

		fprintf(f,
			"| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | "
			"%s | %s |\n",
			w->name, w->nruns, fmt_sum(a, 64, SUM(w, ckpt_s), 1, 3),
			fmt_opt(a1, 64, !sync_asked_na(o), SUM(w, ckpt_sync_s),
				1, 3),
			fmt_sum(b, 64, SUM(w, stop_ms), 1, 1),
			fmt_sum(c, 64, SUM(w, stopped_ms), 1, 1),
			fmt_sum(d, 64, SUM(w, image_bytes), 1 / MIB, 1),
			fmt_sum(e, 64, SUM(w, ckpt_rss_kib), 1 / 1024.0, 1),
			fmt_sum(g, 64, SUM(w, rstr_run_s), 1, 3),
			fmt_opt(g1, 64, o->has_lazy, SUM(w, lazy_run_s), 1, 3),
			fmt_sum(h, 64, SUM(w, rstr_exit_s), 1, 3),
			fmt_sum(k, 64, SUM(w, rstr_rss_kib), 1 / 1024.0, 1));
	}
}

static void table_baseline(FILE *f, struct bench_workload *ws, int nw)
{
	char a[64], b[64], b1[64], b2[64], c[64], d[64], e[64];
	int i;

	fprintf(f, "\nBaselines over the same bytes (the workload's touched "
		   "bytes), seconds, median (min-max):\n\n"
		   "| workload | bytes MiB | memcpy | file write | "
		   "file write, again at once | file write + fsync | fresh "
		   "copy (fault/page) | "
		   "MAP_POPULATE copy | THP copy |\n"
		   "|---|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < nw; i++) {
		struct bench_workload *w = &ws[i];

		fprintf(f, "| %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n",
			w->name, w->bytes / MIB,
			fmt_sum(a, 64, SUM(w, base.memcpy_s), 1, 4),
			fmt_sum(b, 64, SUM(w, base.write_s), 1, 4),
			fmt_sum(b1, 64, SUM(w, base.rewrite_s), 1, 4),
			fmt_sum(b2, 64, SUM(w, base.fsync_s), 1, 4),
			fmt_sum(c, 64, SUM(w, base.fresh_s), 1, 4),
			fmt_sum(d, 64, SUM(w, base.populate_s), 1, 4),
			fmt_sum(e, 64, SUM(w, base.thp_s), 1, 4));
	}
}

/* the largest peak RSS of crrun over a workload's runs, KiB; -1 if none */
static double peak_rss_kib(const struct bench_workload *w)
{
	struct summary r[] = {SUM(w, ckpt_rss_kib), SUM(w, rstr_rss_kib),
			      SUM(w, lazy_rss_kib)};
	double rss = BENCH_NONE;
	unsigned int i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (r[i].n && r[i].max > rss)
			rss = r[i].max;
	return rss;
}

static void table_ratios(FILE *f, const struct bench_opts *o,
			 struct bench_workload *ws, int nw)
{
	char a[64], a1[64], a2[64], a3[64], b[64], c[64], d[64], e[32];
	int i;

	fprintf(f, "\nRatios, each taken within one run, median (min-max) "
		   "over the runs; the issue's targets in brackets:\n\n"
		   "| workload | checkpoint / file write | "
		   "checkpoint / file write again [2048: <= 1.2] | "
		   "checkpoint / (write + fsync) | "
		   "checkpoint --sync / (write + fsync) | "
		   "stop gap ms [< 50] | restore-to-run / fresh copy "
		   "[2048: <= 0.6] | image / touched | crrun peak RSS MiB, "
		   "largest [< 64] |\n|---|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < nw; i++) {
		struct bench_workload *w = &ws[i];
		struct summary img = SUM(w, image_bytes);
		double rss = peak_rss_kib(w);

		fmt_sum(d, 64, img, 1.0 / w->bytes, 3);
		if (rss >= 0)
			snprintf(e, sizeof(e), "%.1f", rss / 1024);
		else
			snprintf(e, sizeof(e), "-");
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			w->name,
			fmt_sum(a, 64, RATIO(w, ckpt_s, base.write_s), 1, 2),
			fmt_sum(a1, 64, RATIO(w, ckpt_s, base.rewrite_s), 1, 2),
			fmt_sum(a2, 64, RATIO(w, ckpt_s, base.fsync_s), 1, 2),
			fmt_opt(a3, 64, !sync_asked_na(o),
				RATIO(w, ckpt_sync_s, base.fsync_s), 1, 2),
			fmt_sum(b, 64, SUM(w, stop_ms), 1, 1),
			fmt_sum(c, 64, RATIO(w, rstr_run_s, base.fresh_s), 1,
				2),
			d, e);
	}
}

static struct bench_workload *find_workload(struct bench_workload *ws, int nw,
					    const char *kind, const char *arg)
{
	int i;

	for (i = 0; i < nw; i++)
		if (ws[i].nruns && !strcmp(ws[i].args[0], kind) &&
		    (!arg || (ws[i].args[1] && !strcmp(ws[i].args[1], arg))))
			return &ws[i];
	return NULL;
}

static void target_line(FILE *f, const char *what, const char *target,
			struct summary s, double limit, int prec,
			const char *unit)
{
	char v[64];

	if (!s.n) {
		fprintf(f, "| %s | %s | not measured | - |\n", what, target);
		return;
	}
	fmt_sum(v, sizeof(v), s, 1, prec);
	fprintf(f, "| %s | %s | %s%s | %s |\n", what, target, v, unit,
		s.med <= limit ? "met" : "missed");
}

/* a target on a figure of an option this crrun lacks */
static void target_na(FILE *f, const char *what, const char *target)
{
	fprintf(f, "| %s | %s | n/a | - |\n", what, target);
}

/* the targets, each against the figure it names */
static void table_targets(FILE *f, const struct bench_opts *o,
			  struct bench_workload *ws, int nw)
{
	struct bench_workload *big = find_workload(ws, nw, "touched", "2048");
	struct bench_workload *t64 = find_workload(ws, nw, "touched", "64");
	struct bench_workload *sp = find_workload(ws, nw, "sparse", NULL);
	struct bench_workload *sm = find_workload(ws, nw, "small", NULL);
	struct summary none = {BENCH_NONE, BENCH_NONE, BENCH_NONE, 0};
	struct summary rss = none;
	double v[BENCH_MAX_WORKLOADS];
	char what[80];
	int i, n = 0;

	fprintf(f, "\nThe issue's targets (median (min-max); met means the "
		   "median is within it):\n\n"
		   "| figure | target | measured | |\n|---|---|---|---|\n");
	target_line(f, "checkpoint 2048 MiB / file write again", "<= 1.2",
		    big ? RATIO(big, ckpt_s, base.rewrite_s) : none, 1.2, 2,
		    "");
	target_line(f, "checkpoint 2048 MiB / first file write", "<= 1.2",
		    big ? RATIO(big, ckpt_s, base.write_s) : none, 1.2, 2, "");
	/* the bar is the 2048 MiB one; the others show the trend */
	if (!big)
		target_line(f, "stop gap, 2048 MiB checkpoint", "< 50 ms", none,
			    50, 1, " ms");
	for (i = 0; i < nw; i++) {
		snprintf(what, sizeof(what), "stop gap, %s checkpoint",
			 ws[i].name);
		target_line(f, what, "< 50 ms", SUM(&ws[i], stop_ms), 50, 1,
			    " ms");
	}
	target_line(f, "restore-to-run 2048 MiB / fresh copy", "<= 0.6",
		    big ? RATIO(big, rstr_run_s, base.fresh_s) : none, 0.6, 2,
		    "");
	if (o->has_lazy)
		target_line(f, "restore --lazy of 2048 MiB", "< 50 ms",
			    big ? SUM(big, lazy_run_s) : none, 0.050, 4, " s");
	else
		target_na(f, "restore --lazy of 2048 MiB", "< 50 ms");
	target_line(f, "small: checkpoint", "< 10 ms",
		    sm ? SUM(sm, ckpt_s) : none, 0.010, 4, " s");
	target_line(f, "small: restore-to-run", "< 10 ms",
		    sm ? SUM(sm, rstr_run_s) : none, 0.010, 4, " s");
	/* same touched bytes: the sparse one should cost what 64 MiB does */
	if (sp && t64 && sp->bytes == t64->bytes) {
		struct summary a = SUM(sp, ckpt_s), b = SUM(t64, ckpt_s);
		struct summary c = SUM(sp, rstr_run_s),
			       d = SUM(t64, rstr_run_s);

		a.med /= b.med, a.min /= b.med, a.max /= b.med;
		c.med /= d.med, c.min /= d.med, c.max /= d.med;
		target_line(f, "sparse / touched 64 MiB: checkpoint", "about 1",
			    a, 1.25, 2, "");
		target_line(f, "sparse / touched 64 MiB: restore-to-run",
			    "about 1", c, 1.25, 2, "");
	}
	for (i = 0; i < nw; i++) {
		double kib = peak_rss_kib(&ws[i]);

		if (kib >= 0)
			v[n++] = kib / 1024;
	}
	if (n) {
		rss = summary_of(v, n);
		rss.med = rss.max;
		rss.n = 1; /* one figure: the largest */
	}
	target_line(f, "crrun peak RSS, largest of all runs", "< 64 MiB", rss,
		    64, 1, " MiB");
}

static void cpu_model(char *buf, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, n, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			colon += 1 + strspn(colon + 1, " \t");
			colon[strcspn(colon, "\n")] = 0;
			snprintf(buf, n, "%s", colon);
			break;
		}
	}
	fclose(f);
}

static void first_line_of(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, n, "?");
	if (!f)
		return;
	if (fgets(buf, (int)n, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static const char *sync_note(const struct bench_opts *o)
{
	if (!o->has_sync)
		return "`checkpoint` has no `--sync` (it fsyncs every image: "
		       "*checkpoint s* includes that)";
	if (o->sync)
		return "`checkpoint --sync` measured (BENCH_SYNC=1)";
	return "`checkpoint --sync` not measured (BENCH_SYNC=0)";
}

static void header(FILE *f, const struct bench_opts *o, double elapsed_s)
{
	char date[64], cpu[256], thp[128], mem[128];
	time_t now = time(NULL);
	struct utsname u;

	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	uname(&u);
	cpu_model(cpu, sizeof(cpu));
	first_line_of("/sys/kernel/mm/transparent_hugepage/enabled", thp,
		      sizeof(thp));
	first_line_of("/proc/meminfo", mem, sizeof(mem));
	fprintf(f, "Made by `%s`%s%s%s on %s, in %.0f s.\n\n",
		o->made_by ? o->made_by : "crbench", o->rev ? " at crrun " : "",
		o->rev ? o->rev : "", "", date, elapsed_s);
	fprintf(f, "- kernel `%s` (`uname -r`), %s\n", u.release, u.machine);
	fprintf(f, "- CPU: %s, %ld online\n", cpu,
		sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "- %s; THP: `%s`\n", mem, thp);
	fprintf(f,
		"- images in `%s`; %d runs a workload; every step bounded "
		"by %d s\n",
		o->dir, o->runs, o->timeout_s);
	fprintf(f, "- this crrun: `restore --lazy` %s; %s\n\n",
		o->has_lazy ? "measured" : "not supported (n/a)", sync_note(o));
}

static void failures(FILE *f, const struct bench_opts *o,
		     struct bench_workload *ws, int nw)
{
	int i, any = 0;

	for (i = 0; i < nw; i++) {
		if (!ws[i].error[0])
			continue;
		if (!any++)
			fprintf(f, "\nFailures (the run stopped there):\n\n");
		fprintf(f, "- %s, after %d good run(s): `%s`\n", ws[i].name,
			ws[i].nruns, ws[i].error);
	}
	for (i = 0; i < nw; i++) {
		if (ws[i].nruns && !ws[i].verified)
			fprintf(f,
				"\n- %s: the restored memory was NOT "
				"verified\n",
				ws[i].name);
		if (ws[i].nruns && o->has_lazy && !ws[i].lazy_verified)
			fprintf(f,
				"\n- %s: the memory restored with --lazy was "
				"NOT verified\n",
				ws[i].name);
	}
}

/* the whole block, markers included */
static char *render(const struct bench_opts *o, struct bench_workload *ws,
		    int nw, double elapsed_s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "%s\n", MARK_BEGIN);
	header(f, o, elapsed_s);
	table_crrun(f, o, ws, nw);
	table_baseline(f, ws, nw);
	table_ratios(f, o, ws, nw);
	table_targets(f, o, ws, nw);
	failures(f, o, ws, nw);
	fprintf(f, "%s\n", MARK_END);
	if (fclose(f))
		return NULL;
	return text;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	if (m) {
		while ((c = getc(f)) != EOF)
			putc(c, m);
		fclose(m);
	}
	fclose(f);
	return buf;
}

/* replace the block between the markers, or add it at the end */
static int update_file(const char *path, const char *block)
{
	char *old = slurp(path), *b = NULL, *e = NULL, tmp[4200];
	FILE *f;
	int ret = 0;

	if (old) {
		b = strstr(old, MARK_BEGIN);
		e = b ? strstr(b, MARK_END) : NULL;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		ret = -errno;
		goto out_free;
	}
	if (!old)
		fprintf(f, "# Performance\n\n");
	if (b && e) {
		fwrite(old, 1, b - old, f);
		fputs(block, f);
		e += strlen(MARK_END);
		fputs(*e == '\n' ? e + 1 : e, f);
	} else {
		if (old)
			fprintf(f, "%s\n", old);
		fputs(block, f);
	}
	if (fclose(f) || rename(tmp, path))
		ret = -errno;
out_free:
	free(old);
	return ret;
}

/**
 * bench_report() - print the tables, and write them into o->out
 * @o: the options
 * @ws: the workloads
 * @nw: how many
 * @elapsed_s: how long the whole benchmark took
 *
 * Return: 0, or -errno if the file could not be written.
 */
int bench_report(const struct bench_opts *o, struct bench_workload *ws, int nw,
		 double elapsed_s)
{
	char *block = render(o, ws, nw, elapsed_s);
	int ret = 0;

	if (!block)
		return -ENOMEM;
	fputs(block, stdout);
	if (o->out) {
		ret = update_file(o->out, block);
		if (ret)
			fprintf(stderr, "crbench: writing %s: %s\n", o->out,
				strerror(-ret));
		else
			fprintf(stderr, "crbench: wrote %s\n", o->out);
	}
	free(block);
	return ret;
}
