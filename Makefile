# uringdump: BPF objects -> skeletons -> binary; tests, bench, install.
#
# The BPF side is compiled with clang for the bpf target against the small
# CO-RE header in bpf/ (never against the build host's kernel headers), and
# bpftool turns each object into a skeleton header the C++ side includes.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
# systemd looks in /usr/local/lib/systemd/system as well as /lib/systemd/system.
UNITDIR ?= $(PREFIX)/lib/systemd/system

CXX      ?= g++
CLANG    ?= clang
PROTOC   ?= protoc
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)

BUILD    := build
BIN      := uringdump
ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# SANITIZE: extra compiler and linker flags for every C++ object (asan-test).
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++20 -Wall -Wextra -Wno-missing-field-initializers -MMD -MP $(SANITIZE)
LDFLAGS  += $(SANITIZE)
# NDEBUG: RapidJSON checks its nesting with assert() on every value otherwise.
# Not RAPIDJSON_SSE2: the vectorised string scan of Debian 12's RapidJSON
# (1.1.0) compares bytes with 0x19, not 0x1F, and writes 0x1A-0x1F (ESC among
# them) unescaped, which no JSON parser accepts (fixed upstream after 1.1.0).
# Long strings are pre-formatted (render/json_lines.h); little is lost.
CPPFLAGS += -Isrc -I$(BUILD) -Ibpf -DNDEBUG
# prometheus-cpp: pkg-config names them prometheus-cpp-pull and -core.
LDLIBS   += -lbpf -lelf -lz -luring -lfmt -lprotobuf -lncursesw -lprometheus-cpp-pull -lprometheus-cpp-core

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Ibpf

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS)) \
	$(patsubst bpf/%.bpf.c,$(BUILD)/%.lskel.h,$(BPF_SRCS))
BPF_DEPS := $(wildcard bpf/*.h)

# The image schema (src/image/uringdump.proto, installed with the tool)
# compiles to build/image/uringdump.pb.{h,cc}.
PROTO_SRC := src/image/uringdump.proto
PROTO_HDR := $(BUILD)/image/uringdump.pb.h
PROTO_OBJ := $(BUILD)/image/uringdump.pb.o

APP_SRCS := $(filter-out src/cli/main.cpp,$(wildcard src/*/*.cpp))
APP_CSRCS := $(wildcard src/*/*.c)
APP_OBJS := $(patsubst src/%.cpp,$(BUILD)/src/%.o,$(APP_SRCS)) $(patsubst src/%.c,$(BUILD)/src/%.o,$(APP_CSRCS)) \
	$(PROTO_OBJ)
MAIN_OBJ := $(BUILD)/src/cli/main.o

# Debian 12 packages the build, the tests and the demo need (make deps);
# qemu and busybox-static for the kernel matrix (make test-kernels).
DEB_PACKAGES := make g++ clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev liburing-dev \
	libfmt-dev rapidjson-dev doctest-dev util-linux fio protobuf-compiler libprotobuf-dev libclang-rt-14-dev \
	zsh fish mandoc libncurses-dev tmux python3 \
	prometheus-cpp-dev prometheus prometheus-node-exporter \
	qemu-system-x86 busybox-static

.PHONY: all clean test bench install uninstall deps demo
# Generated headers and BPF objects are kept: deleting them as intermediate
# files would rebuild everything that includes them on every make.
.SECONDARY:
all: $(BIN)

# Installs what the build needs; as root on Debian 12.
deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES)

# The bundled demo workload: fixture processes with a ring (fixed files,
# buffers on a huge page) and epoll sets; shows them, then ends them.
demo: uringdump $(BUILD)/tests/ud_fixture
	@mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
	@sh tests/demo.sh ./uringdump $(BUILD)/tests/ud_fixture

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# The light skeleton (CO-RE resolved by the kernel), named X_light.
$(BUILD)/%.lskel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton -L $< name $*_light > $@.tmp && mv $@.tmp $@

$(BUILD)/%.pb.cc $(BUILD)/%.pb.h: src/%.proto
	@mkdir -p $(@D)
	$(PROTOC) --cpp_out=$(BUILD) -Isrc $<

$(PROTO_OBJ): $(BUILD)/image/uringdump.pb.cc $(PROTO_HDR)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

# Every C++ object may include a skeleton or the schema's header; generating
# them first keeps dependency tracking simple.
$(BUILD)/src/%.o: src/%.cpp $(BPF_SKELS) $(PROTO_HDR)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(BUILD)/src/%.o: src/%.c $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -O2 -g -Wall -MMD -MP $(SANITIZE) -c $< -o $@

$(BIN): $(APP_OBJS) $(MAIN_OBJ)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# install / uninstall: binary, man pages (man/*.8 and man/*.5: the
# overview, one per command, the image format), shell completions, the
# image schema, export's systemd unit and sample alert rules in their
# standard places below $(DESTDIR)$(PREFIX).
MAN8 := $(wildcard man/*.8)
MAN5 := $(wildcard man/*.5)
INSTALL_FILES := \
	$(BINDIR)/uringdump \
	$(patsubst man/%,$(MANDIR)/man8/%,$(MAN8)) \
	$(patsubst man/%,$(MANDIR)/man5/%,$(MAN5)) \
	$(PREFIX)/share/bash-completion/completions/uringdump \
	$(PREFIX)/share/zsh/vendor-completions/_uringdump \
	$(PREFIX)/share/fish/vendor_completions.d/uringdump.fish \
	$(PREFIX)/share/uringdump/uringdump.proto \
	$(UNITDIR)/uringdump-export.service \
	$(PREFIX)/share/uringdump/uringdump-alerts.yml

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/uringdump
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -D -m 0644 completions/uringdump.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/uringdump
	install -D -m 0644 completions/_uringdump $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_uringdump
	install -D -m 0644 completions/uringdump.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/uringdump.fish
	install -D -m 0644 $(PROTO_SRC) $(DESTDIR)$(PREFIX)/share/uringdump/uringdump.proto
	install -D -m 0644 contrib/uringdump-alerts.yml $(DESTDIR)$(PREFIX)/share/uringdump/uringdump-alerts.yml
	@mkdir -p $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(BINDIR)|g' contrib/uringdump-export.service > $(DESTDIR)$(UNITDIR)/uringdump-export.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/uringdump-export.service

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))
	-rmdir $(DESTDIR)$(PREFIX)/share/uringdump 2>/dev/null

include tests/tests.mk
include tests/bench/bench.mk
include tests/fuzz/fuzz.mk
include tests/kernels/kernels.mk

clean:
	rm -rf $(BUILD) uringdump build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
