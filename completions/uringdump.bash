# bash completion for uringdump(8)                          -*- shell-script -*-
#
# Commands and their words; PIDs only of processes holding an io_uring or
# epoll fd; image paths for `image`; bpffs paths for `iter`.

# PIDs of processes with an io_uring or epoll fd (those show can show).
_uringdump_pids()
{
    find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/fd/*' \( -lname 'anon_inode:\[io_uring\]' -o -lname 'anon_inode:\[eventpoll\]' \) \
        2>/dev/null | cut -d/ -f3 | sort -un
}

# Paths below a bpffs mount (for iter pin and unpin).
_uringdump_bpffs()
{
    local cur=$1
    [[ $cur == /* ]] || cur=/sys/fs/bpf/$cur
    compgen -f -- "$cur"
}

# The one word of $2... that $1 names: itself, or the only one it is a
# prefix of (uringdump takes any unique prefix: sh = show).
_uringdump_word()
{
    local w=$1 c found= n=0
    shift
    for c in "$@"; do
        [[ $c == "$w" ]] && { echo "$c"; return; }
        [[ $c == "$w"* ]] && { found=$c; ((n++)); }
    done
    ((n == 1)) && echo "$found"
}

_uringdump()
{
    local cur prev words cword
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD

    local globals='-j --json -p --pretty -d --debug --require-bpf --procfs -V --version -h --help'
    local commands='show top dump image iter feature export help'

    # The command: the first word after the options.
    local i cmd= cmd_at=0
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} != -* ]]; then
            cmd=$(_uringdump_word "${words[i]}" $commands)
            cmd_at=$i
            break
        fi
    done
    ((cmd_at)) && [[ -z $cmd ]] && return

    if [[ $cur == -* ]]; then
        local opts=$globals
        case $cmd in
            dump) opts+=' -o --output --force --pages --check' ;;
            top) opts+=' -d --delay -b --batch -n --iterations' ;;
            export) opts+=' --listen --min-interval --textfile --interval --once --aggregate' ;;
        esac
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
    fi

    case $cmd in
        show)
            COMPREPLY=($(compgen -W "$(_uringdump_pids)" -- "$cur"))
            ;;
        top)
            case $prev in
                -d|--delay|-n|--iterations) return ;;
            esac
            COMPREPLY=($(compgen -W "$(_uringdump_pids)" -- "$cur"))
            ;;
        dump)
            if [[ $prev == -o || $prev == --output ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(_uringdump_pids)" -- "$cur"))
            fi
            ;;
        image)
            if ((cword == cmd_at + 1)); then
                COMPREPLY=($(compgen -W 'show check help' -- "$cur"))
            else
                # Images first (*.udimg), directories to reach them.
                COMPREPLY=($(compgen -f -X '!*.udimg' -- "$cur") $(compgen -d -- "$cur"))
            fi
            ;;
        iter)
            local sub
            sub=$(_uringdump_word "${words[cmd_at+1]}" pin list unpin)
            if ((cword == cmd_at + 1)); then
                COMPREPLY=($(compgen -W 'pin list unpin help' -- "$cur"))
            elif [[ $sub == pin ]]; then
                case $((cword - cmd_at)) in
                    2) COMPREPLY=($(compgen -W 'io_uring_file io_uring_buf io_uring_req epoll' -- "$cur")) ;;
                    3) COMPREPLY=($(_uringdump_bpffs "$cur")) ;;
                    4) COMPREPLY=($(compgen -W 'pid' -- "$cur")) ;;
                    5) COMPREPLY=($(compgen -W "$(_uringdump_pids)" -- "$cur")) ;;
                esac
            elif [[ $sub == unpin ]] && ((cword == cmd_at + 2)); then
                COMPREPLY=($(_uringdump_bpffs "$cur"))
            fi
            ;;
        export)
            case $prev in
                --textfile) COMPREPLY=($(compgen -f -X '!*.prom' -- "$cur") $(compgen -d -- "$cur")) ;;
                --aggregate) COMPREPLY=($(compgen -W 'comm' -- "$cur")) ;;
            esac
            ;;
        help)
            ((cword == cmd_at + 1)) && COMPREPLY=($(compgen -W "$commands" -- "$cur"))
            ;;
    esac
}

complete -F _uringdump uringdump
