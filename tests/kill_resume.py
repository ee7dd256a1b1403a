#!/usr/bin/python3
"""Crash safety: csq-train killed with SIGKILL mid-epoch resumes from its last autosaved epoch with
--resume and ends exactly as an uninterrupted run of the same config (epoch rows of metrics.csv equal,
timing column aside; same summary figures).

Usage: kill_resume.py CSQ_TRAIN WORK_DIR [DATASET_DIR]
"""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys


def epoch_rows(run):
    """The epoch rows without their throughput, the one cell that differs between equal runs."""
    header, *lines = (run / "metrics.csv").read_text().splitlines()
    drop = header.split(",").index("images_per_second")
    return [",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines if line.startswith("epoch,")]


def check(ok, message):
    print(("ok: " if ok else "FAIL: ") + message, flush=True)
    if not ok:
        sys.exit(1)


def main():
    csq_train, work = sys.argv[1], pathlib.Path(sys.argv[2])
    data = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    flags = ["--data", data, "--train-limit", "6000", "--epochs", "3", "--float-epochs", "1", "--ticket", "2",
             "--finetune-epochs", "1", "--threads", "1", "--log-every", "5", "--seed", "5"]

    whole = work / "whole"
    subprocess.run([csq_train, *flags, "--out", whole], check=True, capture_output=True)

    killed = work / "killed"
    # The run stops itself at step 60, in its second epoch (47 batches each), so the kill lands
    # mid-epoch after the first epoch's checkpoint however fast or busy the machine is.
    env = dict(os.environ, CSQ_TEST_FREEZE_AT_STEP="60")
    child = subprocess.Popen([csq_train, *flags, "--out", killed], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=env)
    _, status = os.waitpid(child.pid, os.WUNTRACED)
    check(os.WIFSTOPPED(status), "csq-train froze itself in its second epoch")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    check(not (killed / "summary.json").exists(), "the killed run left no summary")
    for name in ("config.json", "checkpoint.pt", "metrics.csv"):
        check((killed / name).stat().st_size > 0, f"{name} is whole after the kill")

    resumed = subprocess.run([csq_train, "--resume", killed / "checkpoint.pt"], capture_output=True, text=True)
    print(resumed.stdout[-1500:], resumed.stderr[-1500:])
    check(resumed.returncode == 0, "--resume finished the killed run")
    check(epoch_rows(killed) == epoch_rows(whole),
          f"epoch rows equal the uninterrupted run's ({len(epoch_rows(whole))} epochs)")
    a, b = (json.loads((d / "summary.json").read_text()) for d in (whole, killed))
    for key in ("avg_bits", "weighted_avg_bits", "test_accuracy", "test_accuracy_quantized", "layers"):
        check(a[key] == b[key], f"summary {key} equal")
    print("kill_resume: all checks passed")


if __name__ == "__main__":
    main()
