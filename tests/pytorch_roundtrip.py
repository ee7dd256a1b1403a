#!/usr/bin/python3
"""Round trip with real PyTorch (Debian's python3-torch): a user's CNN goes into csq-train and comes back.

Python initializes a small CNN (trains nothing), saves its state_dict and a TorchScript archive; csq-train
imports each through a model spec and a name map and must report the float test accuracy Python computes
on the same data (to 0.01 points), trains a short CSQ run and exports; Python then loads quantized.pt and
dequantized_state_dict.pt into its own model and must get the logits `csq-train --evaluate` prints for the
same test images (to 1e-5).

Usage: pytorch_roundtrip.py CSQ_TRAIN WORK_DIR [FASHION_MNIST_DIR]
"""
import json
import pathlib
import shutil
import sys

try:
    import torch
    from torch import nn
except ImportError:
    sys.exit("pytorch_roundtrip: this test needs Debian's python3-torch (bash packaging/install-deps.sh)")

from pytorch_support import accuracy, check, evaluated, load_split, normalizer, write_dataset
from pytorch_support import run as run_command


def run(cmd):
    return run_command(cmd, "pytorch_roundtrip")

TRAIN_IMAGES, TEST_IMAGES, LOGIT_ROWS = 3000, 1000, 16


class UserNet(nn.Module):
    """The user's model, with its own names: the spec calls these features.* and classifier.*."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1, bias=True)
        self.bn2 = nn.BatchNorm2d(16)
        self.head = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        x = torch.max_pool2d(torch.relu(self.bn2(self.conv2(x))), 2)
        return self.head(x.flatten(1))


SPEC = {
    "name": "user-cnn",
    "layers": [
        {"type": "conv", "name": "features.0", "out": 8, "kernel": 3, "padding": 1, "bias": False},
        {"type": "batchnorm", "name": "features.1"}, {"type": "relu"}, {"type": "maxpool", "kernel": 2},
        {"type": "conv", "name": "features.4", "out": 16, "kernel": 3, "padding": 1},
        {"type": "batchnorm", "name": "features.5"}, {"type": "relu"}, {"type": "maxpool", "kernel": 2},
        {"type": "flatten"}, {"type": "linear", "name": "classifier", "out": "classes"},
    ],
}
# Theirs -> ours: a prefix rename per module.
NAME_MAP = {"conv1.": "features.0.", "bn1.": "features.1.", "conv2.": "features.4.", "bn2.": "features.5.",
            "head.": "classifier."}


def ours_to_theirs(name):
    for theirs, ours in NAME_MAP.items():
        if name.startswith(ours):
            return theirs + name[len(ours):]
    return name


def main():
    csq_train, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    source = pathlib.Path(sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist")
    shutil.rmtree(work, ignore_errors=True)
    data = work / "data"
    write_dataset(source, data, TRAIN_IMAGES, TEST_IMAGES)
    train_images, _ = load_split(data, "train", TRAIN_IMAGES)
    test_images, test_labels = load_split(data, "t10k", TEST_IMAGES)
    inputs = normalizer(train_images)(test_images)

    torch.manual_seed(0)
    model = UserNet().eval()
    with torch.no_grad():  # non-trivial batch-norm statistics, so importing the buffers matters
        for bn in (model.bn1, model.bn2):
            bn.running_mean.uniform_(-0.2, 0.2)
            bn.running_var.uniform_(0.5, 2.0)
    python_accuracy = accuracy(model, inputs, test_labels)
    torch.save(dict(model.state_dict()), work / "state_dict.pt")
    torch.jit.save(torch.jit.script(model), work / "scripted.pt")
    (work / "spec.json").write_text(json.dumps(SPEC))
    (work / "name_map.json").write_text(json.dumps(NAME_MAP))

    config = {"data": str(data), "model_spec": str(work / "spec.json"), "name_map": str(work / "name_map.json"),
              "epochs": 2, "float_epochs": 0.5, "ticket_epoch": 1.5, "finetune_epochs": 1, "target_bits": 3,
              "batch_size": 100, "threads": 1, "seed": 3, "log_every": 10}
    (work / "config.json").write_text(json.dumps(config))

    for kind in ("state_dict", "scripted"):
        out = work / ("run-" + kind)
        run([csq_train, "--config", work / "config.json", "--weights", work / (kind + ".pt"), "--out", out])
        summary = json.loads((out / "summary.json").read_text())
        check(abs(summary["imported_test_accuracy"] - python_accuracy) <= 0.01,
              f"{kind}: csq-train float accuracy {summary['imported_test_accuracy']:.4f} = Python {python_accuracy:.4f}")

    out = work / "run-state_dict"
    printed = run([csq_train, "--evaluate", out / "quantized.pt", "--data", data, "--logits", LOGIT_ROWS])
    accuracy_line, csq_logits = evaluated(printed)
    check(csq_logits.shape == (LOGIT_ROWS, 10), f"--evaluate printed {LOGIT_ROWS} rows of 10 logits")

    # quantized.pt: integer codes and scales, read with plain torch.load.
    q = torch.load(out / "quantized.pt")
    state = {}
    for key, value in q.items():
        if key.startswith("__") or not torch.is_tensor(value):
            continue
        if key.endswith(".codes"):
            layer = key[:-len(".codes")]
            steps = float(2 ** int(q[layer + ".max_bits"]) - 1)
            state[ours_to_theirs(layer + ".weight")] = value.float() * q[layer + ".scale"] / steps
        elif not key.endswith((".scale", ".kept")):
            state[ours_to_theirs(key)] = value
    from_codes = UserNet().eval()
    from_codes.load_state_dict(state, strict=True)
    with torch.no_grad():
        codes_logits = from_codes(inputs[:LOGIT_ROWS])
    check(torch.allclose(codes_logits, csq_logits, rtol=0, atol=1e-5),
          f"logits from quantized.pt equal --evaluate's (max diff {(codes_logits - csq_logits).abs().max():.2e})")
    check(abs(accuracy(from_codes, inputs, test_labels) - accuracy_line) <= 0.01,
          "quantized.pt in PyTorch has the accuracy --evaluate prints")

    dequantized = UserNet().eval()
    dequantized.load_state_dict(torch.load(out / "dequantized_state_dict.pt"), strict=True)
    with torch.no_grad():
        dq_logits = dequantized(inputs[:LOGIT_ROWS])
    check(torch.allclose(dq_logits, csq_logits, rtol=0, atol=1e-5),
          f"logits from dequantized_state_dict.pt equal --evaluate's (max diff {(dq_logits - csq_logits).abs().max():.2e})")
    print("pytorch_roundtrip: all checks passed")


if __name__ == "__main__":
    main()
