#!/usr/bin/python3
"""Every TorchScript file csq-train cannot quantize is refused before training, in plain words.

Python writes one bad file per case; csq-train --model-spec FILE must exit 1 with a message that names
the file and says what is wrong (and what to do), without a crash, and without touching the run folder
it was pointed at (files of an earlier run stay byte for byte).

Usage: torchscript_refusals.py CSQ_TRAIN WORK_DIR [FASHION_MNIST_DIR]
"""
import pathlib
import shutil
import sys

try:
    import torch
    from torch import nn
except ImportError:
    sys.exit("torchscript_refusals: this test needs Debian's python3-torch (bash packaging/install-deps.sh)")

from pytorch_support import attempt, check, write_dataset


def small_cnn(in_channels=1, classes=10, batch_norm=True, image=28):
    layers = [nn.Conv2d(in_channels, 4, 3, padding=1)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(4))
    layers += [nn.ReLU(), nn.Flatten(), nn.Linear(4 * image * image, classes)]
    return nn.Sequential(*layers)


class Pair(nn.Module):
    """Returns two tensors, as Inception's auxiliary head does."""

    def __init__(self):
        super().__init__()
        self.net = small_cnn()

    def forward(self, x):
        y = self.net(x)
        return y, y


class Throws(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = small_cnn()

    def forward(self, x):
        if x.size(0) > 0:
            raise RuntimeError("this model refuses every batch")
        return self.net(x)


def write_cases(work):
    """(file, words the message must hold) per case."""
    cases = []

    def case(name, save, *words):
        path = work / name
        save(path)
        cases.append((path, words))

    case("state_dict.pt", lambda p: torch.save(dict(small_cnn().state_dict()), p),
         "not a TorchScript archive", "torch.jit.script")
    case("noise.pt", lambda p: p.write_bytes(bytes(range(256)) * 4), "not a TorchScript archive nor a JSON model spec")
    case("frozen.pt", lambda p: torch.jit.freeze(torch.jit.script(small_cnn().eval())).save(str(p)),
         "frozen", "before freezing")
    case("no_layers.pt", lambda p: torch.jit.script(nn.Sequential(nn.Flatten(), nn.BatchNorm1d(784))).save(str(p)),
         "no Conv2d or Linear")
    case("seven_classes.pt", lambda p: torch.jit.script(small_cnn(classes=7)).save(str(p)),
         "[2, 7]", "not [2, 10]", "10 outputs")
    case("rgb.pt", lambda p: torch.jit.script(small_cnn(in_channels=3)).save(str(p)),
         "takes 3 input channels", "1-channel 28x28", "--in-channels 1")
    case("wrong_size.pt", lambda p: torch.jit.script(small_cnn(image=32)).save(str(p)),
         "cannot run on the dataset's input (1-channel 28x28 images)", "mat1 and mat2")
    case("throws.pt", lambda p: torch.jit.script(Throws()).save(str(p)), "this model refuses every batch")
    case("tuple.pt", lambda p: torch.jit.script(Pair()).save(str(p)), "returns a Tuple", "logits alone")
    case("eval_trace.pt", lambda p: torch.jit.trace(small_cnn().eval(), torch.zeros(2, 1, 28, 28)).save(str(p)),
         "traced in eval mode", "batch_norm", "torch.jit.script")
    return cases


def folder_state(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def main():
    csq_train, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    source = pathlib.Path(sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist")
    shutil.rmtree(work, ignore_errors=True)
    data = work / "data"
    write_dataset(source, data, 64, 32)
    earlier = work / "earlier-run"
    earlier.mkdir()
    (earlier / "config.json").write_text('{"model": "lenet5"}')
    (earlier / "metrics.csv").write_text("kind,step\nepoch,1\n")
    before = folder_state(earlier)

    for path, words in write_cases(work):
        done = attempt([csq_train, "--model-spec", path, "--data", data, "--epochs", 1, "--out", earlier])
        message = done.stderr
        check(done.returncode == 1, f"{path.name}: refused with exit code 1 (got {done.returncode})")
        check(str(path) in message, f"{path.name}: the message names the file")
        for word in words:
            check(word in message, f"{path.name}: the message says '{word}'")
        check(folder_state(earlier) == before, f"{path.name}: the run folder is as it was")

    good = work / "good.pt"
    torch.jit.script(small_cnn()).save(str(good))
    done = attempt([csq_train, "--model-spec", good, "--data", data, "--epochs", 1, "--act-bits", 4, "--out", earlier])
    check(done.returncode == 1 and "act_bits" in done.stderr and "zoo and spec models only" in done.stderr,
          "activation quantization of a TorchScript model is refused, naming act_bits")
    done = attempt([csq_train, "--model-spec", good, "--data", data, "--epochs", 1, "--layer-rules", "0=float, 4=float",
                    "--out", earlier])
    check(done.returncode == 1 and "no quantized layer" in done.stderr,
          "layer rules that keep every layer float are refused (there is nothing to search)")
    check(folder_state(earlier) == before, "the run folder is as it was")
    print("torchscript_refusals: all checks passed")


if __name__ == "__main__":
    main()
