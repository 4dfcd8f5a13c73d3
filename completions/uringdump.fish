# fish completion for uringdump(8)

# PIDs of processes with an io_uring or epoll fd (those show can show).
function __uringdump_pids
    find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/fd/*' \( -lname 'anon_inode:\[io_uring\]' -o -lname 'anon_inode:\[eventpoll\]' \) \
        2>/dev/null | cut -d/ -f3 | sort -un
end

function __uringdump_bpffs
    set -l cur (commandline -ct)
    if not string match -q '/*' -- $cur
        set cur /sys/fs/bpf/$cur
    end
    __fish_complete_path $cur
end

# True when the words after `iter pin` number exactly $argv[1].
function __uringdump_iter_pin_arg
    set -l words (commandline -opc)
    set -l i (contains -i -- pin $words)
    test -n "$i"; and test (math (count $words) - $i) -eq $argv[1]
end

set -l commands show top dump image iter feature export help
complete -c uringdump -f
complete -c uringdump -s j -l json -d 'JSON output'
complete -c uringdump -s p -l pretty -d 'indented JSON output'
complete -c uringdump -s d -l debug -d "print libbpf's messages"
complete -c uringdump -l require-bpf -d 'fail instead of falling back to /proc'
complete -c uringdump -l procfs -d 'read /proc only'
complete -c uringdump -s V -l version -d 'print the version'
complete -c uringdump -s h -l help -d 'print help'

complete -c uringdump -n "not __fish_seen_subcommand_from $commands" -a show -d 'rings, fixed files, buffers and epoll items'
complete -c uringdump -n "not __fish_seen_subcommand_from $commands" -a top -d 'live view'
complete -c uringdump -n "not __fish_seen_subcommand_from $commands" -a dump -d 'write a checkpoint image'
complete -c uringdump -n "not __fish_seen_subcommand_from $commands" -a image -d 'show or check an image'
complete -c uringdump -n "not __fish_seen_subcommand_from $commands" -a iter -d 'pinned text iterators'
complete -c uringdump -n "not __fish_seen_subcommand_from $commands" -a feature -d 'probe the kernel'
complete -c uringdump -n "not __fish_seen_subcommand_from $commands" -a export -d 'Prometheus metrics'
complete -c uringdump -n "not __fish_seen_subcommand_from $commands" -a help -d 'print help'

complete -c uringdump -n "__fish_seen_subcommand_from show top dump" -a '(__uringdump_pids)' -d 'io_uring/epoll process'
complete -c uringdump -n "__fish_seen_subcommand_from top" -s b -l batch -d 'plain text refreshes'
complete -c uringdump -n "__fish_seen_subcommand_from top" -s n -l iterations -x -d 'number of refreshes'
complete -c uringdump -n "__fish_seen_subcommand_from top" -s d -l delay -x -d 'seconds between refreshes'
complete -c uringdump -n "__fish_seen_subcommand_from dump" -s o -l output -r -F -d 'image to write'
complete -c uringdump -n "__fish_seen_subcommand_from dump" -l force -d 'write despite obstacles'
complete -c uringdump -n "__fish_seen_subcommand_from dump" -l pages -d 'include buffer contents'
complete -c uringdump -n "__fish_seen_subcommand_from dump" -l check -d 'only report'
complete -c uringdump -n "__fish_seen_subcommand_from export" -l listen -x -d 'serve /metrics on [ADDR:]PORT'
complete -c uringdump -n "__fish_seen_subcommand_from export" -l min-interval -x -d 'read the kernel at most once per SECONDS'
complete -c uringdump -n "__fish_seen_subcommand_from export" -l textfile -r -a '(__fish_complete_suffix .prom)' -d 'write for node_exporter'
complete -c uringdump -n "__fish_seen_subcommand_from export" -l interval -x -d 'seconds between textfile writes'
complete -c uringdump -n "__fish_seen_subcommand_from export" -l once -d 'write the textfile once'
complete -c uringdump -n "__fish_seen_subcommand_from export" -l aggregate -x -a comm -d 'sum by comm'

complete -c uringdump -n "__fish_seen_subcommand_from image; and not __fish_seen_subcommand_from show check" -a 'show check'
complete -c uringdump -n "__fish_seen_subcommand_from image; and __fish_seen_subcommand_from show check" -a '(__fish_complete_suffix .udimg)'

complete -c uringdump -n "__fish_seen_subcommand_from iter; and not __fish_seen_subcommand_from pin list unpin" -a 'pin list unpin'
complete -c uringdump -n "__fish_seen_subcommand_from iter; and __uringdump_iter_pin_arg 0" -a 'io_uring_file io_uring_buf io_uring_req epoll'
complete -c uringdump -n "__fish_seen_subcommand_from iter; and __uringdump_iter_pin_arg 1" -a '(__uringdump_bpffs)'
complete -c uringdump -n "__fish_seen_subcommand_from iter; and __uringdump_iter_pin_arg 2" -a pid
complete -c uringdump -n "__fish_seen_subcommand_from iter; and __uringdump_iter_pin_arg 3" -a '(__uringdump_pids)'
complete -c uringdump -n "__fish_seen_subcommand_from iter; and __fish_seen_subcommand_from unpin" -a '(__uringdump_bpffs)'
