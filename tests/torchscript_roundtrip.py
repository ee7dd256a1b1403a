#!/usr/bin/python3
"""Any PyTorch model in, the same model back quantized: a scripted torchvision architecture round trip.

Python builds the architecture (scripts/torchvision_model.py: a 1-channel stem, 10 classes), trains it
briefly and saves it with torch.jit.script; csq-train quantizes it from that file alone
(--model-spec model.pt) and writes quantized_module.pt. Python then loads that module with
torch.jit.load and must get the accuracy and the logits `csq-train --evaluate` prints for it (logits to
1e-4), which must be the accuracy the run reported; every quantized layer's weights must take no more
distinct values than its kept bits allow; quantized.pt must evaluate the same, and
dequantized_state_dict.pt must load into the user's own model under its own names.

Usage: torchscript_roundtrip.py CSQ_TRAIN WORK_DIR ARCHITECTURE [FASHION_MNIST_DIR]
  ARCHITECTURE: a torchvision builder, e.g. mobilenet_v2 (depthwise convolutions, ReLU6, residual adds)
  or shufflenet_v2_x0_5 (concatenation, chunk, channel shuffle). mobilenet_v2 runs at width 0.5 with
  the run's default input normalization; the others with --input-normalization none.
"""
import json
import pathlib
import shutil
import sys

try:
    import torch
    from torch import nn
except ImportError:
    sys.exit("torchscript_roundtrip: this test needs Debian's python3-torch (bash packaging/install-deps.sh)")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "scripts"))
from pytorch_support import accuracy, check, evaluated, given_normalizer, load_split, normalizer, write_dataset
from pytorch_support import run as run_command
from torchvision_model import build

TRAIN_IMAGES, TEST_IMAGES, LOGIT_ROWS = 1200, 400, 16


def run(cmd):
    return run_command(cmd, "torchscript_roundtrip")


def train_briefly(model, inputs, labels):
    """One epoch of SGD in PyTorch: a trained network, as a user's would be, in a few seconds."""
    torch.manual_seed(0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for index in torch.randperm(len(inputs)).split(64):
        loss = nn.functional.cross_entropy(model(inputs[index]), labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    # Batch norm's running statistics as the exact average over the images (so evaluation is
    # meaningful after so few steps).
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    with torch.no_grad():
        for index in torch.arange(len(inputs)).split(200):
            model(inputs[index])
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = 0.1
    model.eval()


def expressible_codes(kept):
    """Every integer code q = sum over kept bits b of 2^b (p_b - q_b), p_b, q_b in {0, 1}."""
    codes = {0}
    for b, keep in enumerate(kept):
        if keep:
            codes = {c + d * 2 ** b for c in codes for d in (-1, 0, 1)}
    return codes


def main():
    csq_train, work, architecture = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
    source = pathlib.Path(sys.argv[4] if len(sys.argv) > 4 else "/usr/share/datasets/fashion-mnist")
    shutil.rmtree(work, ignore_errors=True)
    data = work / "data"
    write_dataset(source, data, TRAIN_IMAGES, TEST_IMAGES)
    train_images, train_labels = load_split(data, "train", TRAIN_IMAGES)
    test_images, test_labels = load_split(data, "t10k", TEST_IMAGES)
    dataset_normalized = architecture == "mobilenet_v2"
    normalize = normalizer(train_images) if dataset_normalized else given_normalizer([], [])

    torch.manual_seed(0)
    model = build(architecture, 1, 10, 0.5 if architecture == "mobilenet_v2" else None)
    train_briefly(model, normalize(train_images), train_labels)
    python_float_accuracy = accuracy(model, normalize(test_images), test_labels)
    scripted = torch.jit.script(model)
    scripted.save(str(work / "model.pt"))
    layer_names = [name for name, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]

    out = work / "run"
    cmd = [csq_train, "--model-spec", work / "model.pt", "--data", data, "--epochs", 2, "--float-epochs", 0.5,
           "--ticket", 1.5, "--finetune-epochs", 1, "--target-bits", 4, "--max-bits", 6, "--batch-size", 100,
           "--threads", 1, "--seed", 3, "--log-every", 4, "--out", out]
    if not dataset_normalized:
        cmd += ["--input-normalization", "none"]
    run(cmd)
    summary = json.loads((out / "summary.json").read_text())
    check(abs(summary["imported_test_accuracy"] - python_float_accuracy) <= 0.01,
          f"csq-train's accuracy of the imported module {summary['imported_test_accuracy']:.2f} = "
          f"Python's {python_float_accuracy:.2f}")
    scheme = json.loads((out / "scheme.json").read_text())["layers"]
    check([layer["name"] for layer in scheme] == layer_names,
          f"every Conv2d and Linear ({len(layer_names)}) is a CSQ layer under its qualified name, in module order")

    printed = run([csq_train, "--evaluate", out / "quantized_module.pt", "--data", data, "--logits", LOGIT_ROWS])
    module_accuracy, csq_logits = evaluated(printed)
    check(csq_logits.shape == (LOGIT_ROWS, 10), f"--evaluate printed {LOGIT_ROWS} rows of 10 logits")
    check(abs(module_accuracy - summary["test_accuracy_quantized"]) <= 0.01,
          f"quantized_module.pt's accuracy {module_accuracy:.2f} is the run's exact model's "
          f"{summary['test_accuracy_quantized']:.2f}")

    extra = {"csq.json": "", "scheme.json": ""}
    quantized = torch.jit.load(str(out / "quantized_module.pt"), _extra_files=extra)
    meta = json.loads(extra["csq.json"])
    check(meta["input_normalization"] == ("dataset" if dataset_normalized else "none"),
          f"csq.json names the input normalization ({meta['input_normalization']})")
    check(json.loads(extra["scheme.json"])["layers"] == scheme, "the module carries the run's scheme.json")
    inputs = given_normalizer(meta["mean"], meta["std"])(test_images)
    quantized.eval()
    with torch.no_grad():
        python_logits = quantized(inputs[:LOGIT_ROWS])
    check(torch.allclose(python_logits, csq_logits, rtol=0, atol=1e-4),
          f"Python's logits of quantized_module.pt equal --evaluate's (max diff {(python_logits - csq_logits).abs().max():.2e})")
    check(abs(accuracy(quantized, inputs, test_labels) - module_accuracy) <= 0.01,
          "quantized_module.pt in PyTorch has the accuracy --evaluate prints")

    # Each layer's weights are s·q/(2^N − 1) with integer codes q its kept bits can express.
    modules, codes = dict(quantized.named_modules()), torch.load(out / "quantized.pt")
    for layer in scheme:
        name, allowed = layer["name"], expressible_codes(layer["kept"])
        q, scale = codes[name + ".codes"], codes[name + ".scale"]
        weight = modules[name].weight
        values = weight.unique().numel()
        check(torch.equal(weight, scale * (q.float() / float(2 ** layer["max_bits"] - 1))) and
              set(q.unique().tolist()) <= allowed and values <= len(allowed),
              f"{name}: {values} distinct weights, codes of its {sum(layer['kept'])} kept bits ({len(allowed)} possible)")

    printed = run([csq_train, "--evaluate", out / "quantized.pt", "--data", data, "--logits", LOGIT_ROWS])
    codes_accuracy, codes_logits = evaluated(printed)
    check(abs(codes_accuracy - module_accuracy) <= 0.01 and torch.allclose(codes_logits, csq_logits, rtol=0, atol=1e-4),
          "quantized.pt (codes) evaluates as quantized_module.pt does")

    own = build(architecture, 1, 10, 0.5 if architecture == "mobilenet_v2" else None)
    own.load_state_dict(torch.load(out / "dequantized_state_dict.pt"), strict=True)
    own.eval()
    with torch.no_grad():
        own_logits = own(inputs[:LOGIT_ROWS])
    check(torch.allclose(own_logits, csq_logits, rtol=0, atol=1e-4),
          f"dequantized_state_dict.pt loads into the user's model class (max diff {(own_logits - csq_logits).abs().max():.2e})")
    print(f"torchscript_roundtrip {architecture}: all checks passed")


if __name__ == "__main__":
    main()
