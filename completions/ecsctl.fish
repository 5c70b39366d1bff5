# fish completion for ecsctl. Thin by design: every candidate (with its
# description) comes from `ecsctl __complete`.
function __ecsctl_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    $words[1] __complete fish (count $words) $words $cur 2>/dev/null | string match -v -- ':nospace'
end
complete -c ecsctl -f -a '(__ecsctl_complete)'
