// SPDX-License-Identifier: GPL-2.0
/*
 * crrun show [--json] [--verify] IMAGE
 *
 * Decode every object of an image, one line each (or one JSON array).
 * Objects are read with the generic header reader, not the restore's
 * checks, so that show also explains images restore refuses. The image
 * is untrusted: every length is bounded before anything is allocated or
 * read, and a damaged image prints what came before the damage, then one
 * line "crrun: IMAGE: <what> at offset N", and exits 1.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/image_io.h"
#include "core/mm/pgarr.h"
#include "core/mm/vma_flags.h"

static const char show_usage[] =
	"usage: crrun show [--json] [--verify] IMAGE\n"
	"\n"
	"Print every object of IMAGE: one line each, or with --json one JSON\n"
	"array of objects. Page contents are not printed.\n"
	"\n"
	"  -j, --json     print JSON\n"
	"  -c, --verify   also check the image's checksum\n"
	"  -v, --verbose  print the end marker of each VMA's pages too\n"
	"  -h, --help     this text\n";

/* Upper bound of an object's payload for types show decodes. */
#define SHOW_MAX_PAYLOAD	(1U << 20)

struct show {
	struct cr_ctx ctx;
	const char *image;
	u64 size;			/* of the image file */
	bool json, verify;
	unsigned int nr_out;		/* JSON records printed */

	/* one object of lookahead, for the FNAME that follows some */
	bool have_next;
	struct cr_hdr next;
	u64 next_at;			/* its offset */
	u32 next_csum;			/* checksum of the bytes before it */
	u32 next_meta_csum;		/* the same, less page data */

	u64 at;				/* offset of the object being shown */
	u32 at_csum;			/* checksum of the bytes before it */
	u32 at_meta_csum;		/* the same, less page data */
	u32 version;			/* the head's */
	bool seen_tail;
	unsigned int vma_nr;
	int *ofd_fd;			/* objref -> first fd, for dups */
	u32 ofd_max;

	char err[256];
	u64 err_at;
};

static int __printf(3, 4) show_fail(struct show *sh, u64 at,
				    const char *fmt, ...)
{
	va_list ap;

	if (sh->err[0])
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(sh->err, sizeof(sh->err), fmt, ap);
	va_end(ap);
	sh->err_at = at;
	return -EINVAL;
}

/* ---- output: text or JSON ---- */

/* Text: printable ASCII as is, the rest escaped, so a hostile image
 * cannot send terminal control sequences. */
static void text_str(const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* JSON: escapes by RFC 8259; bytes >= 0x80 become \u00XX (Latin-1) so
 * that the output is valid whatever the image holds. */
static void json_str_value(const char *s, size_t max)
{
	size_t i;

	putchar('"');
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"':  fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		default:
			if (c < 0x20 || c >= 0x7f)
				printf("\\u%04x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

static void json_begin(struct show *sh, const char *type)
{
	printf("%s  {\"type\": \"%s\", \"offset\": %llu",
	       sh->nr_out++ ? ",\n" : "", type, (unsigned long long)sh->at);
}

static void json_end(void)
{
	putchar('}');
}

static void json_u(const char *key, u64 v)
{
	printf(", \"%s\": %llu", key, (unsigned long long)v);
}

static void json_x(const char *key, u64 v)
{
	printf(", \"%s\": \"0x%llx\"", key, (unsigned long long)v);
}

static void json_b(const char *key, bool v)
{
	printf(", \"%s\": %s", key, v ? "true" : "false");
}

static void json_s(const char *key, const char *s, size_t max)
{
	printf(", \"%s\": ", key);
	json_str_value(s, max);
}

/* ---- reading ---- */

/* Peek at the next object header. -ENODATA: the image ends cleanly. */
static int show_peek(struct show *sh)
{
	int ret;

	if (sh->have_next)
		return 0;
	if (sh->ctx.pos == sh->size)
		return -ENODATA;
	sh->next_at = sh->ctx.pos;
	sh->next_csum = sh->ctx.csum;
	sh->next_meta_csum = sh->ctx.meta_csum;
	ret = cr_read_hdr(&sh->ctx, &sh->next);
	if (ret == -EIO)
		return show_fail(sh, sh->next_at, "image ends inside an "
				 "object header");
	if (ret == -EINVAL)
		return show_fail(sh, sh->next_at, "object header: reserved "
				 "field not zero");
	if (ret)
		return show_fail(sh, sh->next_at, "read error: %s",
				 strerror(-ret));
	if (sh->next.len > sh->size - sh->ctx.pos)
		return show_fail(sh, sh->next_at, "%s: len %u goes past the "
				 "end of the image",
				 cr_hdr_type_name(sh->next.type),
				 sh->next.len);
	sh->have_next = true;
	return 0;
}

static void show_take(struct show *sh, struct cr_hdr *h)
{
	*h = sh->next;
	sh->at = sh->next_at;
	sh->at_csum = sh->next_csum;
	sh->at_meta_csum = sh->next_meta_csum;
	sh->have_next = false;
}

/* Read the payload of @h (its length already checked against the file). */
static int show_payload(struct show *sh, const struct cr_hdr *h, void *buf)
{
	int ret = cr_kread(&sh->ctx, buf, h->len);

	if (ret)
		return show_fail(sh, sh->at, "%s: cannot read its %u bytes: "
				 "%s", cr_hdr_type_name(h->type), h->len,
				 ret == -EIO ? "image truncated" :
					       strerror(-ret));
	return 0;
}

/*
 * Pass over @n bytes, reading them so that the checksums cover them: page
 * data (@data) only the whole-image one.
 */
static int show_skip(struct show *sh, u64 n, const char *what, bool data)
{
	static char buf[64 << 10];
	u64 at = sh->ctx.pos;

	if (n > sh->size - at)
		return show_fail(sh, at, "%s: %llu bytes go past the end of "
				 "the image", what, (unsigned long long)n);
	while (n) {
		size_t c = min(n, (u64)sizeof(buf));

		if ((data ? cr_kread_data : cr_kread)(&sh->ctx, buf, c))
			return show_fail(sh, sh->ctx.pos, "%s: read error",
					 what);
		n -= c;
	}
	return 0;
}

/*
 * The FNAME that follows a VMA, an fd, fs or mm. Return: 0 with @name set,
 * 1 if the next object is not an FNAME (left for the main loop), -errno.
 */
static int show_follow_fname(struct show *sh, char *name, size_t n)
{
	struct cr_hdr h;
	u64 at = sh->at;
	int ret;

	name[0] = '\0';
	ret = show_peek(sh);
	if (ret == -ENODATA)
		return 1;
	if (ret)
		return ret;
	if (sh->next.type != CR_HDR_FNAME)
		return 1;
	show_take(sh, &h);
	if (h.len < 2 || h.len > n)
		return show_fail(sh, sh->at, "fname: len %u out of range "
				 "[2, %zu]", h.len, n);
	ret = show_payload(sh, &h, name);
	if (ret)
		return ret;
	name[h.len - 1] = '\0';	/* shown as far as its first NUL */
	sh->at = at;
	return 0;
}

/* ---- the objects ---- */

static const char *const vma_type_names[] = {
	[CR_VMA_ANON] = "anon",
	[CR_VMA_FILE] = "file",
	[CR_VMA_VDSO] = "vdso",
	[CR_VMA_VVAR] = "vvar",
	[CR_VMA_VVAR_VCLOCK] = "vvar_vclock",
	[CR_VMA_VSYSCALL] = "vsyscall",
};

static const char *fd_type_names[] = {
	[CR_FD_FILE] = "file",
	[CR_FD_DIR] = "dir",
	[CR_FD_CHR] = "chr",
	[CR_FD_INHERIT] = "inherit",
};

static int show_head(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_head *hh = buf;
	char when[64] = "?";
	time_t t = (time_t)hh->time;
	struct tm tm;

	sh->version = hh->version;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (sh->json) {
		json_begin(sh, "head");
		json_x("magic", hh->magic);
		json_u("version", hh->version);
		json_u("arch", hh->arch);
		json_u("page_size", hh->page_size);
		json_x("flags", hh->flags);
		json_u("time", hh->time);
		json_s("release", hh->release, sizeof(hh->release));
		json_s("machine", hh->machine, sizeof(hh->machine));
		json_end();
		return 0;
	}
	printf("head: crrun image v%u arch %u%s page %u flags 0x%x created "
	       "%s kernel ", hh->version, hh->arch,
	       hh->arch == CR_ARCH_X86_64 ? " (x86_64)" : "", hh->page_size,
	       hh->flags, when);
	text_str(hh->release, sizeof(hh->release));
	putchar(' ');
	text_str(hh->machine, sizeof(hh->machine));
	putchar('\n');
	return 0;
}

static int show_task(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_task *hh = buf;
	const u32 *groups = (const u32 *)(hh + 1);
	u32 i, ng = hh->ngroups;

	if ((u64)h->len != sizeof(*hh) + (u64)ng * sizeof(u32))
		return show_fail(sh, sh->at, "task: len %u does not match "
				 "ngroups %u", h->len, ng);
	if (sh->json) {
		json_begin(sh, "task");
		json_u("pid", hh->pid);
		json_u("nr_threads", hh->nr_threads);
		json_u("uid", hh->uid);
		json_u("euid", hh->euid);
		json_u("suid", hh->suid);
		json_u("fsuid", hh->fsuid);
		json_u("gid", hh->gid);
		json_u("egid", hh->egid);
		json_u("sgid", hh->sgid);
		json_u("fsgid", hh->fsgid);
		fputs(", \"groups\": [", stdout);
		for (i = 0; i < ng; i++)
			printf("%s%u", i ? ", " : "", groups[i]);
		putchar(']');
		json_x("personality", hh->personality);
		json_x("cap_inheritable", hh->cap_inheritable);
		json_x("cap_permitted", hh->cap_permitted);
		json_x("cap_effective", hh->cap_effective);
		json_x("cap_bset", hh->cap_bset);
		json_x("cap_ambient", hh->cap_ambient);
		json_s("comm", hh->comm, sizeof(hh->comm));
		json_end();
		return 0;
	}
	printf("task: pid %u comm \"", hh->pid);
	text_str(hh->comm, sizeof(hh->comm));
	printf("\" threads %u uid %u/%u/%u/%u gid %u/%u/%u/%u groups",
	       hh->nr_threads, hh->uid, hh->euid, hh->suid, hh->fsuid,
	       hh->gid, hh->egid, hh->sgid, hh->fsgid);
	for (i = 0; i < ng && i < 16; i++)
		printf("%s%u", i ? "," : " ", groups[i]);
	if (!ng)
		fputs(" none", stdout);
	else if (ng > 16)
		printf(",... (%u)", ng);
	printf(" personality 0x%x cap eff 0x%llx prm 0x%llx inh 0x%llx "
	       "bnd 0x%llx amb 0x%llx\n", hh->personality,
	       (unsigned long long)hh->cap_effective,
	       (unsigned long long)hh->cap_permitted,
	       (unsigned long long)hh->cap_inheritable,
	       (unsigned long long)hh->cap_bset,
	       (unsigned long long)hh->cap_ambient);
	return 0;
}

static int show_fs(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_fs *hh = buf;
	char *cwd = malloc(CR_FNAME_MAX);
	int ret;

	if (!cwd)
		return show_fail(sh, sh->at, "out of memory");
	ret = show_follow_fname(sh, cwd, CR_FNAME_MAX);
	if (ret < 0)
		goto out_free;
	if (sh->json) {
		json_begin(sh, "fs");
		printf(", \"umask\": \"%04o\"", hh->umask);
		if (!ret)
			json_s("cwd", cwd, CR_FNAME_MAX);
		json_end();
	} else {
		printf("fs: umask %04o cwd ", hh->umask);
		text_str(ret ? "(missing)" : cwd, CR_FNAME_MAX);
		putchar('\n');
	}
	ret = 0;
out_free:
	free(cwd);
	return ret;
}

static int show_mm(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_mm *hh = buf;
	const u64 *auxv = (const u64 *)(hh + 1);
	char *exe = NULL;
	u32 i;
	int ret = 1;

	if ((u64)h->len != sizeof(*hh) + (u64)hh->nr_auxv * sizeof(u64))
		return show_fail(sh, sh->at, "mm: len %u does not match "
				 "nr_auxv %u", h->len, hh->nr_auxv);
	sh->vma_nr = 0;
	if (hh->exe_fname) {
		exe = malloc(CR_FNAME_MAX);
		if (!exe)
			return show_fail(sh, sh->at, "out of memory");
		ret = show_follow_fname(sh, exe, CR_FNAME_MAX);
		if (ret < 0)
			goto out_free;
	}
	if (sh->json) {
		json_begin(sh, "mm");
		json_u("objref", hh->objref);
		json_u("map_count", hh->map_count);
		json_x("start_code", hh->start_code);
		json_x("end_code", hh->end_code);
		json_x("start_data", hh->start_data);
		json_x("end_data", hh->end_data);
		json_x("start_brk", hh->start_brk);
		json_x("brk", hh->brk);
		json_x("start_stack", hh->start_stack);
		json_x("arg_start", hh->arg_start);
		json_x("arg_end", hh->arg_end);
		json_x("env_start", hh->env_start);
		json_x("env_end", hh->env_end);
		json_x("flags", hh->flags);
		fputs(", \"auxv\": [", stdout);
		for (i = 0; i < hh->nr_auxv; i++)
			printf("%s\"0x%llx\"", i ? ", " : "",
			       (unsigned long long)auxv[i]);
		putchar(']');
		if (!ret)
			json_s("exe", exe, CR_FNAME_MAX);
		json_end();
	} else {
		printf("mm: %u vmas code 0x%llx-0x%llx data 0x%llx-0x%llx "
		       "brk 0x%llx-0x%llx stack 0x%llx args 0x%llx-0x%llx "
		       "env 0x%llx-0x%llx auxv %u words exe ", hh->map_count,
		       (unsigned long long)hh->start_code,
		       (unsigned long long)hh->end_code,
		       (unsigned long long)hh->start_data,
		       (unsigned long long)hh->end_data,
		       (unsigned long long)hh->start_brk,
		       (unsigned long long)hh->brk,
		       (unsigned long long)hh->start_stack,
		       (unsigned long long)hh->arg_start,
		       (unsigned long long)hh->arg_end,
		       (unsigned long long)hh->env_start,
		       (unsigned long long)hh->env_end, hh->nr_auxv);
		text_str(ret ? "(none)" : exe, CR_FNAME_MAX);
		putchar('\n');
	}
	ret = 0;
out_free:
	free(exe);
	return ret;
}

static int show_vma(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_vma *hh = buf;
	const char *type = hh->vma_type <= CR_VMA_TYPE_MAX &&
				   vma_type_names[hh->vma_type] ?
			   vma_type_names[hh->vma_type] : "unknown";
	u64 f = hh->vm_flags;
	char *path = NULL;
	int ret = 1;

	if (hh->vma_type == CR_VMA_FILE) {
		path = malloc(CR_FNAME_MAX);
		if (!path)
			return show_fail(sh, sh->at, "out of memory");
		ret = show_follow_fname(sh, path, CR_FNAME_MAX);
		if (ret < 0)
			goto out_free;
	}
	if (sh->json) {
		json_begin(sh, "vma");
		json_u("index", sh->vma_nr);
		printf(", \"vma_type\": \"%s\"", type);
		json_x("vm_start", hh->vm_start);
		json_x("vm_end", hh->vm_end);
		json_x("vm_flags", hh->vm_flags);
		json_u("vm_pgoff", hh->vm_pgoff);
		if (hh->vma_type == CR_VMA_FILE) {
			json_u("f_dev", hh->f_dev);
			json_u("f_ino", hh->f_ino);
			json_u("f_size", hh->f_size);
			json_u("f_mtime_ns", hh->f_mtime_ns);
			if (!ret)
				json_s("path", path, CR_FNAME_MAX);
		}
		json_end();
	} else {
		printf("  vma %u: 0x%llx-0x%llx %c%c%c%c %s", sh->vma_nr,
		       (unsigned long long)hh->vm_start,
		       (unsigned long long)hh->vm_end,
		       f & VM_READ ? 'r' : '-', f & VM_WRITE ? 'w' : '-',
		       f & VM_EXEC ? 'x' : '-',
		       f & (VM_SHARED | VM_MAYSHARE) ? 's' : 'p', type);
		if (hh->vma_type == CR_VMA_FILE) {
			putchar(' ');
			text_str(ret ? "(no name)" : path, CR_FNAME_MAX);
			printf(" pgoff %llu",
			       (unsigned long long)hh->vm_pgoff);
		}
		if (f & VM_GROWSDOWN)
			fputs(" growsdown", stdout);
		if (f & ~CR_VM_KNOWN)
			printf(" unknown-flags 0x%llx",
			       (unsigned long long)(f & ~CR_VM_KNOWN));
		putchar('\n');
	}
	sh->vma_nr++;
	ret = 0;
out_free:
	free(path);
	return ret;
}

/* A batch of pages: addresses in the payload, then padding and data. */
static int show_pgarr(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_pgarr *hh = buf;
	const u64 *vaddr = (const u64 *)(hh + 1);
	u64 nr = hh->nr_pages, data_at;
	int ret;

	if (nr > CR_PGARR_CHUNK || h->len != sizeof(*hh) + nr * sizeof(u64))
		return show_fail(sh, sh->at, "pgarr: len %u does not match "
				 "nr_pages %llu", h->len,
				 (unsigned long long)nr);
	if (nr) {
		ret = cr_read_page_pad(&sh->ctx);
		if (ret)
			return show_fail(sh, sh->ctx.pos, "pgarr: %s before "
					 "the page data", ret == -EIO ?
					 "image truncated" :
					 "padding not zero");
	}
	data_at = sh->ctx.pos;
	if (sh->json) {
		json_begin(sh, "pgarr");
		json_u("nr_pages", nr);
		if (nr) {
			json_x("first", vaddr[0]);
			json_x("last", vaddr[nr - 1]);
			json_u("data_offset", data_at);
		}
		json_end();
	} else if (nr) {
		printf("    pgarr: %llu pages 0x%llx-0x%llx\n",
		       (unsigned long long)nr, (unsigned long long)vaddr[0],
		       (unsigned long long)(vaddr[nr - 1] + PAGE_SIZE));
	} else if (cli_verbose) {
		puts("    pgarr: end");
	}
	return nr ? show_skip(sh, nr * PAGE_SIZE, "pgarr page data", true) : 0;
}

/* Bits of a segment descriptor, as the CPU lays them out. */
static int show_mm_context(struct show *sh, const struct cr_hdr *h,
			   void *buf)
{
	const struct cr_hdr_mm_context *hh = buf;
	const u8 *d = (const u8 *)(hh + 1);
	u32 i;

	if (hh->ldt_entry_size != CR_LDT_ENTRY_SIZE ||
	    (u64)h->len != sizeof(*hh) + (u64)hh->nldt * CR_LDT_ENTRY_SIZE)
		return show_fail(sh, sh->at, "mm_context: len %u does not "
				 "match nldt %u of %u bytes", h->len,
				 hh->nldt, hh->ldt_entry_size);
	if (sh->json) {
		json_begin(sh, "mm_context");
		json_u("ldt_entry_size", hh->ldt_entry_size);
		json_u("nldt", hh->nldt);
		fputs(", \"ldt\": [", stdout);
	} else {
		printf("  mm_context: %u ldt entries\n", hh->nldt);
	}
	for (i = 0; i < hh->nldt; i++, d += CR_LDT_ENTRY_SIZE) {
		u64 raw;
		u32 base, limit;

		memcpy(&raw, d, sizeof(raw));
		base = (u32)(raw >> 16 & 0xffffff) | (u32)(raw >> 56) << 24;
		limit = (u32)(raw & 0xffff) | (u32)(raw >> 48 & 0xf) << 16;
		if (sh->json) {
			printf("%s\"0x%016llx\"", i ? ", " : "",
			       (unsigned long long)raw);
			continue;
		}
		if (!raw && !cli_verbose)
			continue;
		printf("    ldt %u: raw 0x%016llx base 0x%x limit 0x%x%s type "
		       "%u dpl %u%s%s%s\n", i, (unsigned long long)raw, base,
		       limit, raw >> 55 & 1 ? " (pages)" : "",
		       (unsigned int)(raw >> 40 & 0xf),
		       (unsigned int)(raw >> 45 & 3),
		       raw >> 47 & 1 ? " present" : "",
		       raw >> 53 & 1 ? " 64-bit" :
				       raw >> 54 & 1 ? " 32-bit" : " 16-bit",
		       raw >> 52 & 1 ? " avl" : "");
	}
	if (sh->json) {
		putchar(']');
		json_end();
	}
	return 0;
}

static int show_files(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_files *hh = buf;

	if (sh->json) {
		json_begin(sh, "files");
		json_u("objref", hh->objref);
		json_u("nfds", hh->nfds);
		json_end();
	} else {
		printf("files: %u fds\n", hh->nfds);
	}
	return 0;
}

static void flags_text(char *out, size_t n, u32 flags)
{
	static const struct { u32 bit; const char *name; } names[] = {
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_SYNC, "O_SYNC" }, { O_DSYNC, "O_DSYNC" },
		{ O_ASYNC, "O_ASYNC" }, { O_DIRECT, "O_DIRECT" },
		/* the kernel's bit; glibc's O_LARGEFILE is 0 on x86-64 */
		{ 0100000, "O_LARGEFILE" },
		{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
		{ O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
		{ O_PATH, "O_PATH" },
	};
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
					   "O_ACCMODE" };
	size_t len;
	unsigned int i;

	snprintf(out, n, "%s", acc[flags & O_ACCMODE]);
	flags &= ~O_ACCMODE;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if ((flags & names[i].bit) != names[i].bit)
			continue;
		len = strlen(out);
		snprintf(out + len, n - len, "|%s", names[i].name);
		flags &= ~names[i].bit;
	}
	if (flags) {
		len = strlen(out);
		snprintf(out + len, n - len, "|0x%x", flags);
	}
}

static void ofd_remember(struct show *sh, u32 objref, int fd)
{
	if (objref >= CR_NFDS_MAX + 1U)
		return;
	if (objref >= sh->ofd_max) {
		u32 max = max(objref + 1, sh->ofd_max * 2);
		int *p = realloc(sh->ofd_fd, max * sizeof(*p));

		if (!p)
			return;
		for (u32 i = sh->ofd_max; i < max; i++)
			p[i] = -1;
		sh->ofd_fd = p;
		sh->ofd_max = max;
	}
	if (sh->ofd_fd[objref] < 0)
		sh->ofd_fd[objref] = fd;
}

/* An fd: its entry, and for the first fd of an open file its data. */
static int show_fd_ent(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_fd_ent *ent = buf;
	struct cr_hdr_fd_data data;
	const char *type = NULL;
	char flags[160], *path;
	struct cr_hdr dh;
	u64 at = sh->at;
	int ret, fname = 1;
	bool has_data = false;

	path = malloc(CR_FNAME_MAX);
	if (!path)
		return show_fail(sh, sh->at, "out of memory");
	path[0] = '\0';
	ret = show_peek(sh);
	if (ret && ret != -ENODATA)
		goto out_free;
	if (!ret && sh->next.type == CR_HDR_FD_DATA) {
		show_take(sh, &dh);
		if (dh.len != sizeof(data)) {
			ret = show_fail(sh, sh->at, "fd_data: len %u, "
					"expected %zu", dh.len, sizeof(data));
			goto out_free;
		}
		ret = show_payload(sh, &dh, &data);
		if (ret)
			goto out_free;
		has_data = true;
		type = data.fd_type <= CR_FD_TYPE_MAX &&
			       fd_type_names[data.fd_type] ?
		       fd_type_names[data.fd_type] : "unknown";
		if (data.fd_type != CR_FD_INHERIT) {
			fname = show_follow_fname(sh, path, CR_FNAME_MAX);
			if (fname < 0) {
				ret = fname;
				goto out_free;
			}
		}
		flags_text(flags, sizeof(flags), data.f_flags);
		ofd_remember(sh, ent->objref, ent->fd);
	}
	sh->at = at;

	if (sh->json) {
		json_begin(sh, "fd_ent");
		printf(", \"fd\": %d", ent->fd);
		json_u("objref", ent->objref);
		json_b("close_on_exec", ent->close_on_exec);
		if (has_data) {
			printf(", \"data\": {\"fd_type\": \"%s\"", type);
			json_x("f_flags", data.f_flags);
			json_s("f_flags_names", flags, sizeof(flags));
			json_u("f_pos", data.f_pos);
			json_u("f_dev", data.f_dev);
			json_u("f_ino", data.f_ino);
			json_u("f_size", data.f_size);
			json_u("f_mtime_ns", data.f_mtime_ns);
			if (!fname)
				json_s("path", path, CR_FNAME_MAX);
			putchar('}');
		}
		json_end();
	} else {
		printf("  fd %d:", ent->fd);
		if (has_data) {
			printf(" %s ", type);
			if (data.fd_type != CR_FD_INHERIT)
				text_str(fname ? "(no name)" : path,
					 CR_FNAME_MAX);
			else
				fputs("(from crrun restore)", stdout);
			printf(" %s pos %llu", flags,
			       (unsigned long long)data.f_pos);
		} else if (ent->objref < sh->ofd_max &&
			   sh->ofd_fd[ent->objref] >= 0) {
			printf(" same open file as fd %d",
			       sh->ofd_fd[ent->objref]);
		} else {
			printf(" open file %u (not described)", ent->objref);
		}
		printf("%s\n", ent->close_on_exec ? " cloexec" : "");
	}
	ret = 0;
out_free:
	free(path);
	return ret;
}

static void sa_flags_text(char *out, size_t n, u64 flags)
{
	static const struct { u64 bit; const char *name; } names[] = {
		{ SA_NOCLDSTOP, "NOCLDSTOP" }, { SA_NOCLDWAIT, "NOCLDWAIT" },
		{ SA_SIGINFO, "SIGINFO" }, { 0x04000000, "RESTORER" },
		{ SA_ONSTACK, "ONSTACK" }, { SA_RESTART, "RESTART" },
		{ SA_NODEFER, "NODEFER" }, { SA_RESETHAND, "RESETHAND" },
	};
	unsigned int i;
	size_t len;

	out[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(flags & names[i].bit))
			continue;
		len = strlen(out);
		snprintf(out + len, n - len, "%s%s", len ? "|" : "",
			 names[i].name);
		flags &= ~names[i].bit;
	}
	if (flags) {
		len = strlen(out);
		snprintf(out + len, n - len, "%s0x%llx", len ? "|" : "",
			 (unsigned long long)flags);
	}
	if (!out[0])
		snprintf(out, n, "0");
}

static void sig_name(char *out, size_t n, int sig)
{
	const char *abbrev = sig < SIGRTMIN ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(out, n, "SIG%s", abbrev);
	else if (sig >= 32)
		snprintf(out, n, "SIGRT%d", sig - 32);
	else
		snprintf(out, n, "signal %d", sig);
}

static int show_sighand(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_sighand *hh = buf;
	unsigned int i, nr = 0;
	char name[32], flags[128];

	for (i = 0; i < CR_NSIG; i++)
		nr += hh->action[i].handler || hh->action[i].flags ||
		      hh->action[i].mask;
	if (sh->json) {
		json_begin(sh, "sighand");
		fputs(", \"actions\": [", stdout);
	} else {
		printf("sighand: %u signals not default\n", nr);
	}
	for (i = 0, nr = 0; i < CR_NSIG; i++) {
		const struct cr_sigaction *a = &hh->action[i];

		if (!a->handler && !a->flags && !a->mask)
			continue;
		sig_name(name, sizeof(name), i + 1);
		sa_flags_text(flags, sizeof(flags), a->flags);
		if (sh->json) {
			printf("%s{\"sig\": %u, \"name\": \"%s\"",
			       nr++ ? ", " : "", i + 1, name);
			json_x("handler", a->handler);
			json_x("flags", a->flags);
			json_x("restorer", a->restorer);
			json_x("mask", a->mask);
			putchar('}');
			continue;
		}
		printf("  sig %u %s: ", i + 1, name);
		if (a->handler == 0)
			fputs("SIG_DFL", stdout);
		else if (a->handler == 1)
			fputs("SIG_IGN", stdout);
		else
			printf("handler 0x%llx",
			       (unsigned long long)a->handler);
		printf(" flags %s mask 0x%llx restorer 0x%llx\n", flags,
		       (unsigned long long)a->mask,
		       (unsigned long long)a->restorer);
	}
	if (sh->json) {
		putchar(']');
		json_end();
	}
	return 0;
}

static int show_tty(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_tty *hh = buf;
	unsigned int i;

	if (sh->json) {
		json_begin(sh, "tty");
		printf(", \"fd\": %d", hh->fd);
		json_x("c_iflag", hh->c_iflag);
		json_x("c_oflag", hh->c_oflag);
		json_x("c_cflag", hh->c_cflag);
		json_x("c_lflag", hh->c_lflag);
		json_u("c_ispeed", hh->c_ispeed);
		json_u("c_ospeed", hh->c_ospeed);
		json_u("c_line", hh->c_line);
		printf(", \"c_cc\": [");
		for (i = 0; i < CR_TTY_NCCS; i++)
			printf("%s%u", i ? ", " : "", hh->c_cc[i]);
		printf("]");
		json_u("ws_row", hh->ws_row);
		json_u("ws_col", hh->ws_col);
		json_u("ws_xpixel", hh->ws_xpixel);
		json_u("ws_ypixel", hh->ws_ypixel);
		json_end();
	} else if (hh->fd < 0) {
		printf("tty: none on fds 0-2\n");
	} else {
		printf("tty: fd %d iflag 0x%x oflag 0x%x cflag 0x%x lflag 0x%x line %u speed %u/%u window %ux%u\n",
		       hh->fd, hh->c_iflag, hh->c_oflag, hh->c_cflag,
		       hh->c_lflag, hh->c_line, hh->c_ispeed, hh->c_ospeed,
		       hh->ws_row, hh->ws_col);
	}
	return 0;
}

static int show_signal(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_signal *hh = buf;

	if (sh->json) {
		json_begin(sh, "signal");
		json_x("blocked", hh->blocked);
		json_x("ss_sp", hh->ss_sp);
		json_u("ss_size", hh->ss_size);
		json_x("ss_flags", hh->ss_flags);
		json_u("stop_sig", hh->stop_sig);
		json_end();
	} else {
		printf("signal: blocked 0x%llx altstack 0x%llx size %llu "
		       "flags 0x%x%s%s\n", (unsigned long long)hh->blocked,
		       (unsigned long long)hh->ss_sp,
		       (unsigned long long)hh->ss_size, hh->ss_flags,
		       hh->stop_sig ? " stopped by " : "",
		       hh->stop_sig ? strsignal(hh->stop_sig) : "");
	}
	return 0;
}

static int show_thread(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_thread *hh = buf;
	u32 len = sh->version >= 3 ? sizeof(*hh) : CR_THREAD_V2_SIZE;

	/* the buffer is zeroed past the payload: a v2 object reads 0 there */
	if (h->len != len)
		return show_fail(sh, sh->at, "thread: len %u, expected %u",
				 h->len, len);
	if (sh->json) {
		json_begin(sh, "thread");
		json_x("rseq_addr", hh->rseq_addr);
		json_u("rseq_len", hh->rseq_len);
		json_x("rseq_sig", hh->rseq_sig);
		json_x("clear_child_tid", hh->clear_child_tid);
		json_x("robust_list", hh->robust_list);
		json_u("robust_len", hh->robust_len);
		json_end();
	} else {
		printf("thread: rseq 0x%llx len %u sig 0x%x clear_child_tid "
		       "0x%llx robust_list 0x%llx len %llu\n",
		       (unsigned long long)hh->rseq_addr, hh->rseq_len,
		       hh->rseq_sig, (unsigned long long)hh->clear_child_tid,
		       (unsigned long long)hh->robust_list,
		       (unsigned long long)hh->robust_len);
	}
	return 0;
}

static const char *const greg_names[CR_NR_GREGS] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
	"rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags",
	"rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

enum { G_RAX = 10, G_ORIG_RAX = 15, G_RIP = 16, G_RSP = 19,
       G_FS_BASE = 21, G_GS_BASE = 22 };

static int show_cpu(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_cpu *hh = buf;
	const u8 *xs = (const u8 *)(hh + 1);
	u64 xstate_bv = 0;
	unsigned int i;

	if ((u64)h->len != sizeof(*hh) + (u64)hh->xstate_size)
		return show_fail(sh, sh->at, "cpu: len %u does not match "
				 "xstate_size %u", h->len, hh->xstate_size);
	if (hh->xstate_size >= 512 + 64)
		memcpy(&xstate_bv, xs + 512, sizeof(xstate_bv));
	if (sh->json) {
		json_begin(sh, "cpu");
		for (i = 0; i < CR_NR_GREGS; i++)
			json_x(greg_names[i], hh->gregs[i]);
		json_u("xstate_size", hh->xstate_size);
		json_x("xstate_bv", xstate_bv);
		json_end();
		return 0;
	}
	printf("cpu: rip 0x%llx rsp 0x%llx rax 0x%llx orig_rax %lld fs_base "
	       "0x%llx gs_base 0x%llx xstate %u bytes xstate_bv 0x%llx\n",
	       (unsigned long long)hh->gregs[G_RIP],
	       (unsigned long long)hh->gregs[G_RSP],
	       (unsigned long long)hh->gregs[G_RAX],
	       (long long)hh->gregs[G_ORIG_RAX],
	       (unsigned long long)hh->gregs[G_FS_BASE],
	       (unsigned long long)hh->gregs[G_GS_BASE], hh->xstate_size,
	       (unsigned long long)xstate_bv);
	if (cli_verbose) {
		for (i = 0; i < CR_NR_GREGS; i++)
			printf("%s%s 0x%llx", i % 6 ? " " : "  ",
			       greg_names[i],
			       (unsigned long long)hh->gregs[i]);
		putchar('\n');
	}
	return 0;
}

static int show_tail(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const struct cr_hdr_tail *hh = buf;
	u32 csum = sh->at_csum;		/* of the bytes before this object */
	u32 meta_csum = sh->version >= 2 ? sh->at_meta_csum : 0;

	if (sh->json) {
		json_begin(sh, "tail");
		json_x("magic", hh->magic);
		json_x("csum", hh->csum);
		json_x("meta_csum", hh->meta_csum);
		json_u("size", hh->size);
		if (sh->verify)
			json_b("checksum_ok", hh->csum == csum &&
					      hh->meta_csum == meta_csum &&
					      hh->size == sh->at);
		json_end();
	} else {
		printf("tail: %llu bytes before it, csum 0x%08x meta_csum 0x%08x\n",
		       (unsigned long long)hh->size, hh->csum, hh->meta_csum);
	}
	sh->seen_tail = true;
	if (!sh->verify)
		return 0;
	if (hh->magic != CR_TAIL_MAGIC)
		return show_fail(sh, sh->at, "tail: bad magic 0x%llx",
				 (unsigned long long)hh->magic);
	if (hh->size != sh->at)
		return show_fail(sh, sh->at, "tail: size %llu, but the tail "
				 "is at offset %llu",
				 (unsigned long long)hh->size,
				 (unsigned long long)sh->at);
	if (hh->meta_csum != meta_csum)
		return show_fail(sh, sh->at, "object checksum mismatch: the "
				 "image says 0x%08x, its bytes give 0x%08x",
				 hh->meta_csum, meta_csum);
	if (hh->csum != csum)
		return show_fail(sh, sh->at, "checksum mismatch: the image "
				 "says 0x%08x, its bytes give 0x%08x",
				 hh->csum, csum);
	return 0;
}

static int show_string(struct show *sh, const struct cr_hdr *h, void *buf)
{
	const char *s = buf;
	const char *type = cr_hdr_type_name(h->type);

	if (sh->json) {
		json_begin(sh, type);
		json_s("value", s, h->len);
		json_end();
	} else {
		printf("%s: ", type);
		text_str(s, h->len);
		putchar('\n');
	}
	return 0;
}

struct show_type {
	u32 type;
	u32 min_len;		/* the fixed part */
	bool exact;		/* no variable part */
	int (*show)(struct show *sh, const struct cr_hdr *h, void *buf);
};

static const struct show_type show_types[] = {
	{ CR_HDR_HEAD, sizeof(struct cr_hdr_head), true, show_head },
	{ CR_HDR_STRING, 1, false, show_string },
	{ CR_HDR_FNAME, 1, false, show_string },
	{ CR_HDR_TASK, sizeof(struct cr_hdr_task), false, show_task },
	{ CR_HDR_FS, sizeof(struct cr_hdr_fs), true, show_fs },
	{ CR_HDR_MM, sizeof(struct cr_hdr_mm), false, show_mm },
	{ CR_HDR_VMA, sizeof(struct cr_hdr_vma), true, show_vma },
	{ CR_HDR_PGARR, sizeof(struct cr_hdr_pgarr), false, show_pgarr },
	{ CR_HDR_MM_CONTEXT, sizeof(struct cr_hdr_mm_context), false,
	  show_mm_context },
	{ CR_HDR_FILES, sizeof(struct cr_hdr_files), true, show_files },
	{ CR_HDR_FD_ENT, sizeof(struct cr_hdr_fd_ent), true, show_fd_ent },
	{ CR_HDR_TTY, sizeof(struct cr_hdr_tty), true, show_tty },
	{ CR_HDR_SIGHAND, sizeof(struct cr_hdr_sighand), true, show_sighand },
	{ CR_HDR_SIGNAL, sizeof(struct cr_hdr_signal), true, show_signal },
	{ CR_HDR_THREAD, CR_THREAD_V2_SIZE, false, show_thread },
	{ CR_HDR_CPU, sizeof(struct cr_hdr_cpu), false, show_cpu },
	{ CR_HDR_TAIL, sizeof(struct cr_hdr_tail), true, show_tail },
};

/* An object show has no decoder for, or that is out of place. */
static int show_unknown(struct show *sh, const struct cr_hdr *h)
{
	if (sh->json) {
		json_begin(sh, cr_hdr_type_name(h->type));
		json_u("type_nr", h->type);
		json_u("len", h->len);
		json_u("parent", h->parent);
		json_end();
	} else {
		printf("%s (type %u): %u bytes, parent %u\n",
		       cr_hdr_type_name(h->type), h->type, h->len, h->parent);
	}
	return show_skip(sh, h->len, cr_hdr_type_name(h->type), false);
}

static int show_one(struct show *sh, const struct cr_hdr *h)
{
	const struct show_type *st = NULL;
	unsigned int i;
	void *buf;
	int ret;

	for (i = 0; i < ARRAY_SIZE(show_types); i++)
		if (show_types[i].type == h->type)
			st = &show_types[i];
	if (!st)
		return show_unknown(sh, h);
	if (h->len < st->min_len || (st->exact && h->len != st->min_len) ||
	    h->len > SHOW_MAX_PAYLOAD)
		return show_fail(sh, sh->at, "%s: len %u, expected %s%u",
				 cr_hdr_type_name(h->type), h->len,
				 st->exact ? "" : "at least ", st->min_len);

	/* the variable parts are u64 or u32 arrays: keep them aligned */
	buf = calloc(1, ALIGN((size_t)h->len, 8) + 8);
	if (!buf)
		return show_fail(sh, sh->at, "out of memory");
	ret = show_payload(sh, h, buf);
	if (!ret)
		ret = st->show(sh, h, buf);
	free(buf);
	return ret;
}

/* The head must open the image: anything else is not a crrun image. */
static int show_check_head(struct show *sh)
{
	struct {
		struct cr_hdr h;
		u64 magic;
	} start;

	if (!sh->size)
		return show_fail(sh, 0, "empty file, not a crrun image");
	if (pread(sh->ctx.fd, &start, sizeof(start), 0) != sizeof(start) ||
	    start.h.type != CR_HDR_HEAD || start.magic != CR_IMAGE_MAGIC)
		return show_fail(sh, 0, "not a crrun image (no head object)");
	return 0;
}

static int show_image(struct show *sh)
{
	struct cr_hdr h;
	int ret;

	ret = show_check_head(sh);
	if (ret)
		return ret;
	for (;;) {
		ret = show_peek(sh);
		if (ret == -ENODATA) {
			if (!sh->seen_tail)
				return show_fail(sh, sh->ctx.pos, "no tail "
						 "object: the image is "
						 "truncated");
			return 0;
		}
		if (ret)
			return ret;
		if (sh->seen_tail)
			return show_fail(sh, sh->next_at, "data after the "
					 "tail object");
		show_take(sh, &h);
		ret = show_one(sh, &h);
		if (ret)
			return ret;
	}
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verify", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct show sh = { 0 };
	struct stat st;
	int c, fd, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jcvh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			sh.json = true;
			break;
		case 'c':
			sh.verify = true;
			break;
		case 'v':
			cli_verbose = 1;
			break;
		case 'h':
			fputs(show_usage, stdout);
			return 0;
		default:
			fputs(show_usage, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "crrun: show takes one IMAGE\n");
		fputs(show_usage, stderr);
		return 2;
	}
	sh.image = argv[optind];

	fd = open(sh.image, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "crrun: %s: %s\n", sh.image, strerror(errno));
		return 1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "crrun: %s: not a regular file\n", sh.image);
		close(fd);
		return 1;
	}
	sh.size = st.st_size;

	/* the engine's own messages would repeat ours: keep them quiet */
	ret = cr_ctx_init(&sh.ctx, CR_CTX_RSTR, fd, NULL, NULL, NULL);
	if (ret) {
		fprintf(stderr, "crrun: %s\n", strerror(-ret));
		close(fd);
		return 1;
	}
	if (sh.json)
		puts("[");
	ret = show_image(&sh);
	if (sh.json)
		printf("%s]\n", sh.nr_out ? "\n" : "");
	else if (!ret && sh.verify)
		puts("checksum ok");
	fflush(stdout);
	if (ret)
		fprintf(stderr, "crrun: %s: %s at offset %llu\n", sh.image,
			sh.err[0] ? sh.err : strerror(-ret),
			(unsigned long long)sh.err_at);

	cr_ctx_fini(&sh.ctx);
	free(sh.ofd_fd);
	close(fd);
	return ret ? 1 : 0;
}
