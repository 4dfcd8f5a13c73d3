# The kernel matrix: the same suite as `make test`, inside qemu (TCG) on
# Debian's 6.1 and 6.12 cloud kernels, which uringdump claims to support
# beside the host's. `make test-kernels` ends with one line per kernel,
# "VERSION: N passed, N failed, N skipped"; consoles in build/kernels/.
#
#   KERNELS="6.1 6.12"   series to run (newest Debian package of each)
#   TEST_ARGS=...         doctest options, as for make test
#   KERNEL_TIMEOUT=2400   seconds one kernel may take before it counts as hung
#   KERNELS_PARALLEL=1    0: one kernel after the other
#   QEMU_CPU, QEMU_SMP, QEMU_MEM   the guest (qemu64, 2, 4G)
# (make passes variables given on its command line to the scripts.)

KERNELS ?= 6.1 6.12
KERNEL_DIR := $(BUILD)/kernels
KERNEL_INITRD := $(KERNEL_DIR)/initramfs.cpio.gz

.PHONY: test-kernels

# One archive serves every kernel (nothing in it is built per kernel). It
# is rebuilt when what goes into it changes; host programs and libraries
# are taken as installed.
$(KERNEL_INITRD): $(BIN) $(TEST_BIN) $(FIXTURE) $(wildcard tests/data/*/*) $(PROTO_SRC) \
		$(wildcard contrib/*) tests/kernels/initramfs.sh tests/kernels/guest-init.sh
	@mkdir -p $(@D)
	tests/kernels/initramfs.sh $@

# TEST_ARGS reach the guest unexpanded (exported, not pasted into a command
# line), where its shell splits them as make's shell does for `make test`.
test-kernels: export UD_TEST_ARGS = $(TEST_ARGS)
test-kernels: $(KERNEL_INITRD)
	@tests/kernels/matrix.sh $(KERNEL_DIR) $(KERNEL_INITRD) $(KERNELS)
