// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials: read from /proc/PID/status at checkpoint; at restore,
 * checked against what the restoring user has (->set_creds) and applied
 * by injected calls when the child is let run (cr_linux_resume()).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/prctl.h>

#include "shim/linux/target.h"

#define CR_STATUS_MAX	(1 << 20)

#define CR_CAP_SETGID	6
#define CR_CAP_SETUID	7
#define CR_CAP_SETPCAP	8

/* The ids, groups and capabilities of a process, from its status. */
static int cr_read_status_creds(pid_t pid, struct cr_creds *c)
{
	static const char *const capkeys[] = {
		"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
	};
	u64 *caps[] = {
		&c->cap_inheritable, &c->cap_permitted, &c->cap_effective,
		&c->cap_bset, &c->cap_ambient,
	};
	char *status, val[256], *p, *end;
	unsigned int i, n;
	int ret;

	/* up to NGROUPS_MAX groups of up to 10 digits each */
	status = malloc(CR_STATUS_MAX);
	if (!status)
		return -ENOMEM;
	ret = cr_proc_read_file(pid, "status", status, CR_STATUS_MAX);
	if (ret < 0)
		goto out_free;
	ret = -EINVAL;
	if (cr_proc_status_field(status, "Uid", val, sizeof(val)) ||
	    sscanf(val, "%u %u %u %u", &c->uid, &c->euid, &c->suid,
		   &c->fsuid) != 4)
		goto out_free;
	if (cr_proc_status_field(status, "Gid", val, sizeof(val)) ||
	    sscanf(val, "%u %u %u %u", &c->gid, &c->egid, &c->sgid,
		   &c->fsgid) != 4)
		goto out_free;
	for (i = 0; i < ARRAY_SIZE(capkeys); i++) {
		*caps[i] = 0;
		if (cr_proc_status_field(status, capkeys[i], val, sizeof(val)))
			continue;	/* CapAmb is 4.3+ */
		*caps[i] = strtoull(val, NULL, 16);
	}

	/* Groups: a list as long as NGROUPS_MAX: count, then convert */
	p = strstr(status, "\nGroups:");
	if (!p)
		goto out_free;
	p += 8;
	end = strchrnul(p, '\n');
	*end = '\0';
	for (n = 0; ; n++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n == 0 && !c->groups) {
			/* at most one id per two characters */
			c->groups = malloc((strlen(p) / 2 + 1) * sizeof(u32));
			if (!c->groups) {
				ret = -ENOMEM;
				goto out_free;
			}
		}
		c->groups[n] = strtoul(p, &p, 10);
	}
	c->ngroups = n;
	ret = 0;
out_free:
	free(status);
	return ret;
}

/**
 * cr_linux_get_creds() - ->get_creds from /proc/PID/{status,comm,personality}
 * @t: the target
 * @c: filled; c->groups is allocated (free() it)
 *
 * Return: 0 or -errno.
 */
int cr_linux_get_creds(struct cr_target *t, struct cr_creds *c)
{
	char buf[64];
	int ret;

	memset(c, 0, sizeof(*c));
	c->pid = t->pid;
	ret = cr_read_status_creds(t->pid, c);
	if (ret < 0)
		goto out_free;
	ret = cr_proc_read_file(t->pid, "comm", buf, sizeof(buf));
	if (ret < 0)
		goto out_free;
	buf[strcspn(buf, "\n")] = '\0';
	buf[sizeof(c->comm) - 1] = '\0';
	memcpy(c->comm, buf, strlen(buf) + 1);
	ret = cr_proc_read_file(t->pid, "personality", buf, sizeof(buf));
	if (ret < 0)
		goto out_free;
	c->personality = strtoul(buf, NULL, 16);
	return 0;

out_free:
	free(c->groups);
	c->groups = NULL;
	return ret;
}

static bool cr_id_in(u32 id, u32 a, u32 b, u32 c)
{
	return id == a || id == b || id == c;
}

static bool cr_groups_equal(const u32 *a, u32 na, const u32 *b, u32 nb)
{
	u32 i, j;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && b[j] != a[i]; j++)
			;
		if (j == nb)
			return false;
	}
	for (j = 0; j < nb; j++) {
		for (i = 0; i < na && a[i] != b[j]; i++)
			;
		if (i == na)
			return false;
	}
	return true;
}

static bool cr_caps_all(u64 eff)
{
	u64 need = (1ULL << CR_CAP_SETGID) | (1ULL << CR_CAP_SETUID) |
		   (1ULL << CR_CAP_SETPCAP);

	return (eff & need) == need;
}

/*
 * May we, as we are, make a process with @c? Root (all of setuid, setgid
 * and setpcap in our effective set) may; anyone else only to ids they
 * already hold, their own groups, and capabilities they have.
 */
static int cr_check_creds(struct cr_target *t, const struct cr_creds *c)
{
	struct cr_creds me = { 0 };
	int ret;

	ret = cr_read_status_creds(0, &me);
	if (ret < 0)
		goto out_free;
	if (cr_caps_all(me.cap_effective))
		goto out_free;
	ret = -EPERM;
	if (!cr_id_in(c->uid, me.uid, me.euid, me.suid) ||
	    !cr_id_in(c->euid, me.uid, me.euid, me.suid) ||
	    !cr_id_in(c->suid, me.uid, me.euid, me.suid) ||
	    !cr_id_in(c->gid, me.gid, me.egid, me.sgid) ||
	    !cr_id_in(c->egid, me.gid, me.egid, me.sgid) ||
	    !cr_id_in(c->sgid, me.gid, me.egid, me.sgid)) {
		cr_lerr(t, "credentials: ids %u/%u/%u %u/%u/%u are not the restoring user's: more privilege than the restoring user has",
			c->uid, c->euid, c->suid, c->gid, c->egid, c->sgid);
		goto out_free;
	}
	if (!cr_groups_equal(c->groups, c->ngroups, me.groups, me.ngroups)) {
		cr_lerr(t, "credentials: the image's %u supplementary groups are not the restoring user's: more privilege than the restoring user has",
			c->ngroups);
		goto out_free;
	}
	if ((c->cap_permitted | c->cap_effective | c->cap_inheritable |
	     c->cap_ambient) & ~me.cap_permitted ||
	    c->cap_bset & ~me.cap_bset) {
		cr_lerr(t, "credentials: capabilities %#llx beyond the restoring user's %#llx: more privilege than the restoring user has",
			(unsigned long long)c->cap_permitted,
			(unsigned long long)me.cap_permitted);
		goto out_free;
	}
	ret = 0;
out_free:
	free(me.groups);
	return ret;
}

/**
 * cr_linux_set_creds() - ->set_creds: check @c now, apply it at resume
 * @t: a restore child
 * @c: the image's credentials (copied)
 *
 * Return: 0, -EPERM if @c gives more than the restoring user has, -errno.
 */
int cr_linux_set_creds(struct cr_target *t, const struct cr_creds *c)
{
	u32 *groups = NULL;
	int ret;

	if (c->ngroups > CR_NGROUPS_MAX)
		return -EINVAL;
	ret = cr_check_creds(t, c);
	if (ret < 0)
		return ret;
	if (c->ngroups) {
		groups = malloc(c->ngroups * sizeof(u32));
		if (!groups)
			return -ENOMEM;
		memcpy(groups, c->groups, c->ngroups * sizeof(u32));
	}
	free(t->creds.groups);
	t->creds = *c;
	t->creds.groups = groups;
	t->have_creds = true;
	return 0;
}

static int cr_last_cap(void)
{
	char buf[32];
	int fd, n;

	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 40;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 40;
	buf[n] = '\0';
	return atoi(buf);
}

static long cr_rsys_ok(long ret)
{
	return ret < 0 ? ret : 0;
}

/* Bounding set first (it needs CAP_SETPCAP, which setresuid may drop). */
static int cr_apply_bset(struct cr_target *t, const struct cr_creds *c,
			 const struct cr_creds *now)
{
	int cap, last = cr_last_cap();
	long ret;

	for (cap = 0; cap <= last && cap < 64; cap++) {
		if (!(now->cap_bset & (1ULL << cap)) ||
		    (c->cap_bset & (1ULL << cap)))
			continue;
		ret = cr_rsys(t, __NR_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int cr_apply_ids(struct cr_target *t, const struct cr_creds *c,
			const struct cr_creds *now)
{
	long ret;

	if (!cr_groups_equal(c->groups, c->ngroups, now->groups,
			     now->ngroups)) {
		ret = cr_scratch_put(t, 0, c->groups,
				     c->ngroups * sizeof(u32));
		if (!ret)
			ret = cr_rsys(t, __NR_setgroups, c->ngroups,
				      t->scratch);
		if (ret < 0)
			return ret;
	}
	ret = cr_rsys(t, __NR_setresgid, c->gid, c->egid, c->sgid);
	if (ret < 0)
		return ret;
	/* setfsgid returns the old fsgid: only an injection failure is < 0 */
	ret = cr_rsys(t, __NR_setfsgid, c->fsgid);
	if (ret < 0)
		return ret;
	/* keep the permitted set across the uid change; capset trims it */
	ret = cr_rsys(t, __NR_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0);
	if (!ret)
		ret = cr_rsys(t, __NR_setresuid, c->uid, c->euid, c->suid);
	if (ret < 0)
		return ret;
	ret = cr_rsys(t, __NR_setfsuid, c->fsuid);
	if (ret < 0)
		return ret;
	return cr_rsys_ok(cr_rsys(t, __NR_prctl, PR_SET_KEEPCAPS, 0, 0, 0, 0));
}

static int cr_apply_caps(struct cr_target *t, const struct cr_creds *c)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ (u32)c->cap_effective, (u32)c->cap_permitted,
		  (u32)c->cap_inheritable },
		{ (u32)(c->cap_effective >> 32), (u32)(c->cap_permitted >> 32),
		  (u32)(c->cap_inheritable >> 32) },
	};
	int cap;
	long ret;

	ret = cr_scratch_put(t, 0, &hdr, sizeof(hdr));
	if (!ret)
		ret = cr_scratch_put(t, 64, data, sizeof(data));
	if (!ret)
		ret = cr_rsys(t, __NR_capset, t->scratch, t->scratch + 64);
	if (!ret)
		ret = cr_rsys(t, __NR_prctl, PR_CAP_AMBIENT,
			      PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (cap = 0; !ret && cap < 64; cap++) {
		if (c->cap_ambient & (1ULL << cap))
			ret = cr_rsys(t, __NR_prctl, PR_CAP_AMBIENT,
				      PR_CAP_AMBIENT_RAISE, cap, 0, 0);
	}
	return cr_rsys_ok(ret);
}

/**
 * cr_linux_apply_creds() - make the restore child what ->set_creds said
 * @t: the child, with its injection area
 *
 * In the order the kernel allows: bounding set, groups, gids, uids (with
 * the permitted set kept), capabilities, ambient set; then the name, the
 * personality, and dumpable again (an id change cleared it).
 *
 * Return: 0 or -errno.
 */
int cr_linux_apply_creds(struct cr_target *t)
{
	const struct cr_creds *c = &t->creds;
	struct cr_creds now = { 0 };
	long ret;

	if (!t->have_creds)
		return 0;
	ret = cr_read_status_creds(t->pid, &now);
	if (ret < 0)
		goto out_free;
	ret = cr_apply_bset(t, c, &now);
	if (!ret)
		ret = cr_apply_ids(t, c, &now);
	if (!ret)
		ret = cr_apply_caps(t, c);
	if (!ret)
		ret = cr_scratch_put(t, 0, c->comm, sizeof(c->comm));
	if (!ret)
		ret = cr_rsys_ok(cr_rsys(t, __NR_prctl, PR_SET_NAME,
					 t->scratch, 0, 0, 0));
	if (!ret)
		ret = cr_rsys_ok(cr_rsys(t, __NR_personality,
					 c->personality));
	if (!ret)
		ret = cr_rsys_ok(cr_rsys(t, __NR_prctl, PR_SET_DUMPABLE, 1,
					 0, 0, 0));
out_free:
	free(now.groups);
	return ret;
}
