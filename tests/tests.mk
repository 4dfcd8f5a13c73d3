# Tests: doctest unit tests (linked with the tool's objects) and integration
# tests that run ./uringdump against fixture processes. `make test` ends with
# the line "N passed, N failed".

TEST_SRCS := $(wildcard tests/*.cpp tests/support/*.cpp tests/unit/*.cpp tests/integration/*.cpp)
TEST_OBJS := $(patsubst tests/%.cpp,$(BUILD)/tests/%.o,$(TEST_SRCS))
TEST_BIN  := $(BUILD)/tests/ud_tests
FIXTURE   := $(BUILD)/tests/ud_fixture

$(BUILD)/tests/%.o: tests/%.cpp $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -Itests $(CXXFLAGS) -c $< -o $@

$(TEST_BIN): $(TEST_OBJS) $(APP_OBJS)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS) -lpthread

FIXTURE_SRCS := $(wildcard tests/fixtures/*.c)

$(FIXTURE): $(FIXTURE_SRCS) $(wildcard tests/fixtures/*.h)
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -o $@ $(FIXTURE_SRCS) -luring -lpthread

.PHONY: test-build
test-build: uringdump $(TEST_BIN) $(FIXTURE)

# TEST_ARGS passes doctest options, e.g. TEST_ARGS='-tc="show*"'.
test: test-build
	@UD_BIN=./uringdump UD_FIXTURE=$(FIXTURE) $(TEST_BIN) $(TEST_ARGS)
