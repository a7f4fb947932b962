# SPDX-License-Identifier: GPL-2.0
#
# A real program: bash, counting in a loop of builtins only (no child
# processes, which crrun does not save), checkpointed while it counts;
# after restore its variables are intact and it goes on counting.
declare -a squares
for ((i = 0; i < 1000; i++)); do squares[i]=$((i * i)); done
count=0
echo ready
while [[ ! -e $CR_GO ]]; do
	count=$((count + 1))
done
before=$count
for ((j = 0; j < 1000; j++)); do count=$((count + 1)); done
sum=0
for ((i = 0; i < 1000; i++)); do sum=$((sum + squares[i])); done
if ((sum != 332833500 || count != before + 1000 || before < 1)); then
	echo "FAIL sum $sum count $count before $before" >&2
	exit 1
fi
echo ok
