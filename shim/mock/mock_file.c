// SPDX-License-Identifier: GPL-2.0
/*
 * Files of the mock target: a registry of in-memory files the tests add,
 * and filp_open/filp_close over it, falling back to a real file on disk
 * (read whole into memory, identified by fstat).
 *
 * A file's contents (struct mock_inode) are shared and counted: the
 * registry, each open file and each VMA mapping it hold a reference, so
 * that closing a file after mapping it is fine, as in the kernel.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim/mock/mock_priv.h"

/**
 * mock_inode_get() - take a reference to a file's contents
 * @inode: the contents
 */
void mock_inode_get(struct mock_inode *inode)
{
	inode->refcount++;
}

/**
 * mock_inode_put() - drop a reference; the last one frees the contents
 * @inode: the contents, or NULL
 */
void mock_inode_put(struct mock_inode *inode)
{
	if (!inode || --inode->refcount)
		return;
	free(inode->data);
	free(inode->path);
	free(inode);
}

struct mock_inode *mock_inode_new(const char *path, const void *data,
				  size_t size, const struct cr_file_id *id)
{
	struct mock_inode *inode;

	inode = calloc(1, sizeof(*inode));
	if (!inode)
		return NULL;
	inode->path = strdup(path);
	if (!inode->path)
		goto out_free_inode;
	if (size) {
		inode->data = malloc(size);
		if (!inode->data)
			goto out_free_path;
		if (data)
			memcpy(inode->data, data, size);
	}
	inode->size = size;
	inode->id = *id;
	inode->refcount = 1;
	INIT_LIST_HEAD(&inode->reg);
	return inode;

out_free_path:
	free(inode->path);
out_free_inode:
	free(inode);
	return NULL;
}

static struct mock_inode *mock_inode_lookup(struct cr_target *t,
					    const char *path)
{
	struct mock_inode *inode;

	list_for_each_entry(inode, &t->inodes, reg) {
		if (!strcmp(inode->path, path))
			return inode;
	}
	return NULL;
}

/**
 * mock_mm_add_file() - register an in-memory file
 * @t: the mock target
 * @path: the path filp_open will find it by (copied)
 * @data: its contents (copied); NULL with @size > 0 leaves them undefined
 * @size: bytes of @data
 * @id: what filp_open reports as its identity
 *
 * Return: 0, -EINVAL for a missing path or id or one too long, -EEXIST if
 * @path is registered already, -ENOMEM.
 */
int mock_mm_add_file(struct cr_target *t, const char *path, const void *data,
		     size_t size, const struct cr_file_id *id)
{
	struct mock_inode *inode;

	if (!path || !id || strlen(path) >= CR_FNAME_MAX)
		return -EINVAL;
	if (mock_inode_lookup(t, path))
		return -EEXIST;
	inode = mock_inode_new(path, data, size, id);
	if (!inode)
		return -ENOMEM;
	list_add_tail(&inode->reg, &t->inodes);
	return 0;
}

/* Read a real file whole; errno becomes a negative return here. */
static struct mock_inode *mock_inode_from_disk(const char *path)
{
	struct mock_inode *inode;
	struct cr_file_id id;
	struct stat st;
	size_t done = 0;
	long err;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ERR_PTR(-errno);
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out_close;
	}
	err = -EACCES;		/* only regular files are mapped */
	if (!S_ISREG(st.st_mode))
		goto out_close;
	id.dev = st.st_dev;
	id.ino = st.st_ino;
	id.size = st.st_size;
	id.mtime_ns = (u64)st.st_mtim.tv_sec * 1000000000ULL +
		      st.st_mtim.tv_nsec;
	err = -ENOMEM;
	inode = mock_inode_new(path, NULL, st.st_size, &id);
	if (!inode)
		goto out_close;
	while (done < inode->size) {
		ssize_t n = read(fd, inode->data + done, inode->size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;	/* shrank under us */
			goto out_put_inode;
		}
		done += n;
	}
	close(fd);
	return inode;

out_put_inode:
	mock_inode_put(inode);
out_close:
	close(fd);
	return ERR_PTR(err);
}

/**
 * mock_filp_open() - kops->filp_open: the registry first, then the disk
 * @t: the mock target
 * @path: the file
 * @flags: must be O_RDONLY (plus O_CLOEXEC and the like)
 * @id: filled with the file's identity
 *
 * Return: a file, or ERR_PTR(-EINVAL) for other access modes or a bad
 * path, the errno of open/fstat/read, -EACCES for a file that is not
 * regular, -ENOMEM.
 */
struct cr_file *mock_filp_open(struct cr_target *t, const char *path,
			       int flags, struct cr_file_id *id)
{
	struct mock_inode *inode;
	struct cr_file *file;
	int err;

	err = mock_fault_hit(t, MOCK_OP_FILP_OPEN);
	if (err)
		return ERR_PTR(err);
	if (!path || !*path || (flags & O_ACCMODE) != O_RDONLY)
		return ERR_PTR(-EINVAL);

	file = calloc(1, sizeof(*file));
	if (!file)
		return ERR_PTR(-ENOMEM);
	inode = mock_inode_lookup(t, path);
	if (inode) {
		mock_inode_get(inode);
	} else {
		inode = mock_inode_from_disk(path);
		if (IS_ERR(inode)) {
			free(file);
			return ERR_PTR(PTR_ERR(inode));
		}
	}
	file->inode = inode;
	list_add_tail(&file->list, &t->files);
	t->nr_open_files++;
	if (id)
		*id = inode->id;
	return file;
}

/**
 * mock_filp_close() - kops->filp_close
 * @t: the mock target
 * @file: what mock_filp_open() returned
 *
 * Closing NULL or a closed file is recorded as MOCK_MISUSE_FILE.
 */
void mock_filp_close(struct cr_target *t, struct cr_file *file)
{
	mock_fault_hit(t, MOCK_OP_FILP_CLOSE);
	if (IS_ERR_OR_NULL(file) || !file->inode) {
		mock_misuse(t, MOCK_MISUSE_FILE, (unsigned long)file);
		return;
	}
	mock_inode_put(file->inode);
	file->inode = NULL;
	t->nr_open_files--;
}

/**
 * mock_file_inode() - the contents of an open file, for mmap and exe
 * @t: the mock target
 * @file: a file from mock_filp_open()
 *
 * Return: the contents, or NULL (recorded as MOCK_MISUSE_FILE) when @file
 * is NULL or closed.
 */
struct mock_inode *mock_file_inode(struct cr_target *t, struct cr_file *file)
{
	if (IS_ERR_OR_NULL(file) || !file->inode) {
		mock_misuse(t, MOCK_MISUSE_FILE, (unsigned long)file);
		return NULL;
	}
	return file->inode;
}

/**
 * mock_files_fini() - free the registry and every file ever opened
 * @t: the mock target
 */
void mock_files_fini(struct cr_target *t)
{
	struct mock_inode *inode, *ni;
	struct cr_file *file, *nf;

	list_for_each_entry_safe(file, nf, &t->files, list) {
		mock_inode_put(file->inode);
		free(file);
	}
	list_for_each_entry_safe(inode, ni, &t->inodes, reg)
		mock_inode_put(inode);
}
