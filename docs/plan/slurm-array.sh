#!/usr/bin/env bash
# A planning sweep as a Slurm job array: each array task evaluates one shard. llmsim reads
# SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT, so --shard auto needs no
# count here. Submit, then merge once every task has finished:
#   sbatch docs/plan/slurm-array.sh
#   sbatch --dependency=afterok:<jobid> --wrap "npx llmsim merge results/shard-*.json --chart results/front.png > results/plan.txt"
#SBATCH --job-name=llmsim-plan
#SBATCH --array=0-15
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=00:30:00
#SBATCH --output=results/%x-%a.log
set -euo pipefail
mkdir -p results
npx llmsim plan --scenario examples/plan-deepseek-v3.yaml --shard auto --out results --threads "${SLURM_CPUS_PER_TASK:-2}" --rows results/rows.parquet
