# Tests: doctest unit tests (linked with the tool's objects) and integration
# tests that run ./uringdump against fixture processes. `make test` ends with
# the line "N passed, N failed".

TEST_SRCS := $(wildcard tests/*.cpp tests/support/*.cpp tests/unit/*.cpp tests/integration/*.cpp)
TEST_OBJS := $(patsubst tests/%.cpp,$(BUILD)/tests/%.o,$(TEST_SRCS))
TEST_BIN  := $(BUILD)/tests/ud_tests
FIXTURE   := $(BUILD)/tests/ud_fixture

$(BUILD)/tests/%.o: tests/%.cpp $(BPF_SKELS) $(PROTO_HDR)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -Itests $(CXXFLAGS) -c $< -o $@

$(TEST_BIN): $(TEST_OBJS) $(APP_OBJS)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS) -lpthread

FIXTURE_SRCS := $(wildcard tests/fixtures/*.c)

$(FIXTURE): $(FIXTURE_SRCS) $(wildcard tests/fixtures/*.h)
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -o $@ $(FIXTURE_SRCS) -luring -lpthread

.PHONY: test-build
test-build: $(BIN) $(TEST_BIN) $(FIXTURE)

# TEST_ARGS passes doctest options, e.g. TEST_ARGS='-tc="show*"'.
test: test-build
	@UD_BIN=./$(BIN) UD_FIXTURE=$(FIXTURE) $(TEST_BIN) $(TEST_ARGS)

# The image tests (dump, image show/check, corrupt images, the decoder's unit
# tests) under AddressSanitizer and UBSan, built into build-asan/. UBSan's
# pointer-overflow check is off: RapidJSON's Stack offsets a null pointer on
# its first push (include/rapidjson/internal/stack.h).
ASAN_BUILD := build-asan
.PHONY: asan-test
asan-test:
	$(MAKE) BUILD=$(ASAN_BUILD) BIN=$(ASAN_BUILD)/uringdump \
		SANITIZE='-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-sanitize=pointer-overflow -fno-omit-frame-pointer' \
		test-build
	@ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		UD_BIN=./$(ASAN_BUILD)/uringdump UD_FIXTURE=$(ASAN_BUILD)/tests/ud_fixture \
		$(ASAN_BUILD)/tests/ud_tests -tc='image*,dump*' $(TEST_ARGS)
