// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: arbitrary bytes as an image, fed to the layout
 * pre-scan, to `crrun show`'s reader path (cr_read_hdr) and to a whole
 * restore into a mock target, copied and --lazy. Any crash, sanitizer
 * report, leak or unbalanced get/put of the mock is a bug.
 *
 *   make fuzz FUZZ_SECONDS=600
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "core/cr.h"
#include "core/image_io.h"
#include "shim/mock/mock_mm.h"

static int fuzz_image_fd(const uint8_t *data, size_t size)
{
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("crrun-fuzz", 0);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET))
		abort();
	return fd;
}

static struct cr_target *fuzz_target(void)
{
	struct cr_target *t = mock_mm_new();

	if (IS_ERR_OR_NULL(t))
		abort();
	if (mock_mm_add_special(t, CR_VMA_VVAR, 0x7f0000100000, 0x4000) ||
	    mock_mm_add_special(t, CR_VMA_VDSO, 0x7f0000104000, 0x2000))
		abort();
	return t;
}

/* One restore of the image on @fd into a fresh mock, with @flags. */
static void fuzz_restore(int fd, unsigned int flags)
{
	struct cr_target *t;
	struct cr_ctx ctx;
	char why[256];

	t = fuzz_target();
	mock_mm_set_image(t, fd);
	if (lseek(fd, 0, SEEK_SET))
		abort();
	if (!cr_ctx_init(&ctx, flags, fd, &mock_kops, t, NULL))
		cr_restart(&ctx);
	if (ctx.hbuf_gets)
		abort();
	cr_ctx_fini(&ctx);
	if (mock_check_balanced(t, why, sizeof(why))) {
		fprintf(stderr, "unbalanced mock after restore: %s\n", why);
		abort();
	}
	mock_mm_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cr_layout layout;
	int fd = fuzz_image_fd(data, size);

	cr_image_layout(fd, NULL, &layout);
	cr_layout_free(&layout);

	/* a copy, and restore --lazy, which maps page data from the image */
	fuzz_restore(fd, CR_CTX_RSTR);
	fuzz_restore(fd, CR_CTX_RSTR | CR_CTX_LAZY);
	return 0;
}
