# bash completion for ecsctl                                 -*- shell-script -*-
# Thin by design: every candidate comes from `ecsctl __complete`, which knows the
# commands, flags, enum values and live resource names.
_ecsctl() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n =: || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
    fi
    local line nospace=
    COMPREPLY=()
    while IFS= read -r line; do
        if [[ $line == ":nospace" ]]; then
            nospace=1
            continue
        fi
        [[ -n $line ]] && COMPREPLY+=("$line")
    done < <("${words[0]}" __complete bash "$cword" "${words[@]:0:cword}" "$cur" 2>/dev/null)
    [[ -n $nospace ]] && compopt -o nospace 2>/dev/null
    # Readline replaces only the part of the word after '=' or ':'.
    if [[ $cur == *=* && $COMP_WORDBREAKS == *=* ]]; then
        local prefix=${cur%%=*}=
        COMPREPLY=("${COMPREPLY[@]#"$prefix"}")
        cur=${cur#"$prefix"}
    fi
    if declare -F __ltrim_colon_completions >/dev/null 2>&1; then
        __ltrim_colon_completions "$cur"
    fi
    return 0
}
complete -F _ecsctl ecsctl
