# make bench: the benchmark driver (tests/bench/bench_main.cpp) and its
# floor programs, run against fixture workloads. Results: build/bench/results.txt.
# The driver links the tool's objects: the walk floor needs what show's
# start-up learns of the kernel (collect/bpf_reader.h).

BENCH_DIR  := $(BUILD)/bench
BENCH_BIN  := $(BENCH_DIR)/ud_bench
BENCH_SRCS := $(wildcard tests/bench/*.cpp) tests/support/fixture.cpp tests/support/paths.cpp tests/support/run.cpp \
	tests/support/http.cpp tests/support/kernel.cpp \
	tests/support/procfs_truth.cpp
BENCH_OBJS := $(patsubst tests/%.cpp,$(BENCH_DIR)/%.o,$(BENCH_SRCS))

$(BENCH_DIR)/floor.bpf.o: tests/bench/floor.bpf.c bpf/vmlinux_core.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/floor.skel.h: $(BENCH_DIR)/floor.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# The walk floor: uringdump's own programs, every write discarded.
$(BENCH_DIR)/walk_floor.bpf.o: bpf/uringdump.bpf.c $(BPF_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -DUD_DISCARD_OUTPUT -c $< -o $@

$(BENCH_DIR)/walk_floor.skel.h: $(BENCH_DIR)/walk_floor.bpf.o
	$(BPFTOOL) gen skeleton $< name walk_floor_bpf > $@.tmp && mv $@.tmp $@

$(BENCH_DIR)/%.o: tests/%.cpp $(BENCH_DIR)/floor.skel.h $(BENCH_DIR)/walk_floor.skel.h $(BPF_SKELS) $(PROTO_HDR)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -Itests -I$(BENCH_DIR) $(CXXFLAGS) -c $< -o $@

$(BENCH_BIN): $(BENCH_OBJS) $(APP_OBJS)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

bench: uringdump $(FIXTURE) $(BENCH_BIN)
	@mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	@UD_BIN=./uringdump UD_FIXTURE=$(FIXTURE) $(BENCH_BIN)
