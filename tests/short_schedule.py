#!/usr/bin/env python3
"""csq-train --epochs N alone scales the default schedule to N epochs (the defaults' proportions),
says so, trains to the end and records the scaled schedule in config.json; an explicit schedule that
does not fit is still a clear error. Usage: short_schedule.py CSQ_TRAIN OUT_DIR"""
import json, pathlib, shutil, subprocess, sys

train, out = sys.argv[1], pathlib.Path(sys.argv[2])
shutil.rmtree(out, ignore_errors=True)
run = subprocess.run([train, "--epochs", "2", "--train-limit", "2000", "--batch-size", "64", "--threads", "2",
                      "--log-every", "20", "--out", str(out / "run")], capture_output=True, text=True)
assert run.returncode == 0, run.stdout + run.stderr
assert "--epochs 2 over the default schedule" in run.stdout, run.stdout
config = json.loads((out / "run" / "config.json").read_text())
# defaults: 6 epochs, float warm-up 2, ticket at 5, 4 finetune epochs -> scaled by 2/6
assert config["epochs"] == 2 and abs(config["float_epochs"] - 0.67) < 1e-9, config
assert abs(config["ticket_epoch"] - 1.67) < 1e-9 and config["finetune_epochs"] == 1, config
summary = json.loads((out / "run" / "summary.json").read_text())
assert summary["epochs"] == 3, summary

# A schedule flag overrides its part; the rest still follows the defaults' proportions (the GUI's rule).
part = subprocess.run([train, "--epochs", "2", "--finetune-epochs", "0", "--train-limit", "640", "--batch-size", "64",
                       "--threads", "2", "--out", str(out / "part")], capture_output=True, text=True)
assert part.returncode == 0, part.stdout + part.stderr
config_part = json.loads((out / "part" / "config.json").read_text())
assert abs(config_part["ticket_epoch"] - 1.67) < 1e-9 and config_part["finetune_epochs"] == 0, config_part

bad = subprocess.run([train, "--epochs", "2", "--ticket", "5", "--out", str(out / "bad")], capture_output=True, text=True)
assert bad.returncode != 0 and "ticket_epoch" in bad.stderr, bad.stderr
assert not (out / "bad" / "summary.json").exists()
print("scaled schedule:", {k: config[k] for k in ("epochs", "float_epochs", "ticket_epoch", "finetune_epochs")})
