# bash completion for etcd-autopsy (installed to share/bash-completion/completions)
_etcd_autopsy()
{
	local cur prev words cword
	_init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
	local cmds="wal db snap history diff verify replay export report help"
	if [ "$cword" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
		return
	fi
	case "$prev" in
		-w|--write-out) COMPREPLY=($(compgen -W "table json" -- "$cur")); return ;;
		--tombstone-rule) COMPREPLY=($(compgen -W "classic skip auto" -- "$cur")); return ;;
		-o|--logs|--against) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--kind) COMPREPLY=($(compgen -W "put delete_range txn compaction lease_grant lease_revoke lease_checkpoint alarm empty confchange:add confchange:remove confchange:update confchange:add_learner v2:PUT v2:SYNC unknown" -- "$cur")); return ;;
	esac
	local sub=""
	[ "$cword" -ge 2 ] && sub=${words[2]}
	case "${words[1]}" in
		wal) if [ "$cword" -eq 2 ]; then COMPREPLY=($(compgen -W "ls stat" -- "$cur")); return; fi
		     [[ $cur == -* ]] && { COMPREPLY=($(compgen -W "--records --from --to --kind --k8s-prefix --resource --namespace -w --write-out --no-crc -q --quiet --help" -- "$cur")); return; } ;;
		db) if [ "$cword" -eq 2 ]; then COMPREPLY=($(compgen -W "stat check ls history get hash pages space" -- "$cur")); return; fi
		    [[ $cur == -* ]] && { COMPREPLY=($(compgen -W "--prefix --rev --salvage --page --depth --top --tombstone-rule --etcd-version --k8s --k8s-prefix --resource --namespace -w --write-out -q --quiet --help" -- "$cur")); return; } ;;
		snap) if [ "$cword" -eq 2 ]; then COMPREPLY=($(compgen -W "ls" -- "$cur")); return; fi ;;
		history) [[ $cur == -* ]] && { COMPREPLY=($(compgen -W "--terms --logs --force -w --write-out -q --quiet --help" -- "$cur")); return; } ;;
		diff) [[ $cur == -* ]] && { COMPREPLY=($(compgen -W "--logs --force --list-findings --etcd-version -w --write-out -q --quiet --help" -- "$cur")); return; } ;;
		verify) [[ $cur == -* ]] && { COMPREPLY=($(compgen -W "--against --etcd-version -w --write-out -q --quiet --help" -- "$cur")); return; } ;;
		replay) [[ $cur == -* ]] && { COMPREPLY=($(compgen -W "--all --from --to --against --at -w --write-out -q --quiet --help" -- "$cur")); return; } ;;
		export) [[ $cur == -* ]] && { COMPREPLY=($(compgen -W "-o --values --no-records --force --k8s-prefix --logs --help" -- "$cur")); return; } ;;
		report) [[ $cur == -* ]] && { COMPREPLY=($(compgen -W "-o --force --logs --help" -- "$cur")); return; } ;;
	esac
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _etcd_autopsy etcd-autopsy
