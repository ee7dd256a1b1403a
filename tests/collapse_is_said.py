#!/usr/bin/python3
"""A run that collapses to chance says so: from scratch on a small set (mlp, no float warm-up, seed 3)
the loss sits at ln 10 and every epoch at 10 %. The log names the epoch and what to try, summary.json
holds collapsed_epoch, and under on_divergence rollback the collapse is a divergence (the run fails
with the message, as a NaN would). The same run with a float warm-up trains and says nothing.

Usage: collapse_is_said.py CSQ_TRAIN WORK_DIR
"""
import json
import pathlib
import shutil
import sys

from pytorch_support import attempt, check

COLLAPSING = ["--model", "mlp", "--train-limit", 4000, "--epochs", 2, "--ticket", 1.5, "--finetune-epochs", 1,
              "--target-bits", 3, "--seed", 3, "--threads", 1]


def main():
    csq_train, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    done = attempt([csq_train, *COLLAPSING, "--float-epochs", 0, "--out", work / "collapsed"])
    check(done.returncode == 0, "the collapsing run ends")
    output = done.stdout + done.stderr
    check("collapsed to chance in epoch 1" in output and "float warm-up" in output,
          "the log says the network collapsed in epoch 1 and what to try")
    summary = json.loads((work / "collapsed" / "summary.json").read_text())
    check(summary.get("collapsed_epoch") == 1 and summary["test_accuracy_quantized"] <= 11.5,
          f"summary.json: collapsed_epoch {summary.get('collapsed_epoch')}, at chance")

    done = attempt([csq_train, *COLLAPSING, "--float-epochs", 0, "--on-divergence", "rollback", "--out", work / "rollback"])
    check(done.returncode == 1 and "collapsed to chance" in done.stdout + done.stderr,
          "under on_divergence rollback the collapse stops the run with the message")

    done = attempt([csq_train, *COLLAPSING, "--float-epochs", 1, "--out", work / "healthy"])
    summary = json.loads((work / "healthy" / "summary.json").read_text())
    check(done.returncode == 0 and "collapsed_epoch" not in summary and summary["test_accuracy_quantized"] > 50,
          f"with a float warm-up the run trains ({summary['test_accuracy_quantized']:.2f} %) and nothing is said")
    print("collapse_is_said: all checks passed")


if __name__ == "__main__":
    main()
