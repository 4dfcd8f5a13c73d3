# The image decoder under libFuzzer (clang -fsanitize=fuzzer, with ASan and
# UBSan), built into build-fuzz/. `make fuzz` runs it for FUZZ_SECONDS from
# the seed corpus tests/fuzz/corpus (images dump wrote of the fixtures);
# inputs it finds go to build-fuzz/corpus, a crashing one to build-fuzz/.

CLANGXX      ?= clang++
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_BIN     := $(FUZZ_BUILD)/image_fuzz
# pointer-overflow is off: RapidJSON's Stack offsets a null pointer on its
# first push (include/rapidjson/internal/stack.h), which UBSan reports.
FUZZ_FLAGS   := -g -O1 -std=c++20 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-sanitize=pointer-overflow
# The decoder, the check and the renderers image show uses.
FUZZ_SRCS    := tests/fuzz/image_fuzz.cpp src/image/framing.cpp src/image/decoder.cpp \
	src/image/image_check.cpp src/image/restorability.cpp src/collect/memory_map.cpp \
	src/model/join.cpp src/model/describe.cpp src/model/pfn_runs.cpp src/model/page_size.cpp \
	src/render/json_out.cpp src/render/json_lines.cpp src/render/snapshot_json.cpp src/render/snapshot_table.cpp \
	src/render/name_json.cpp src/render/name_text.cpp src/render/utf8.cpp
FUZZ_OBJS    := $(patsubst %.cpp,$(FUZZ_BUILD)/%.o,$(FUZZ_SRCS)) $(FUZZ_BUILD)/uringdump.pb.o

$(FUZZ_BUILD)/%.o: %.cpp $(PROTO_HDR)
	@mkdir -p $(@D)
	$(CLANGXX) $(FUZZ_FLAGS) -Isrc -I$(BUILD) -Ibpf -c $< -o $@

$(FUZZ_BUILD)/uringdump.pb.o: $(BUILD)/image/uringdump.pb.cc $(PROTO_HDR)
	@mkdir -p $(@D)
	$(CLANGXX) $(FUZZ_FLAGS) -I$(BUILD) -c $< -o $@

$(FUZZ_BIN): $(FUZZ_OBJS)
	$(CLANGXX) $(FUZZ_FLAGS) $^ -o $@ -lprotobuf -lfmt -lz

.PHONY: fuzz
fuzz: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_BUILD)/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -artifact_prefix=$(FUZZ_BUILD)/ \
		$(FUZZ_BUILD)/corpus tests/fuzz/corpus
