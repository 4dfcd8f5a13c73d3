// Exit codes, documented in man/uringdump.8 (EXIT STATUS) and each command's page.
#pragma once

namespace ud::cli {

enum Exit : int {
    kOk = 0,             // done (also: nothing to show)
    kError = 1,          // the operation failed (kernel, I/O)
    kUsage = 2,          // bad command line
    kNoSuchProcess = 3,  // a PID given does not exist
    kPermission = 4,     // not allowed to read a process
    kNotRestorable = 5,  // dump refused: state a restore could not recreate
    kBadImage = 6,       // image corrupt, truncated or of another version
    kNoBpf = 7,          // --require-bpf and BPF cannot be used
};

}  // namespace ud::cli
