"""What the tests with real PyTorch (Debian's python3-torch) share: a small Fashion-MNIST subset as an
IDX dataset, csq-train's input normalization in PyTorch, running csq-train and reading --evaluate."""
import gzip
import re
import struct
import subprocess
import sys

import torch


def read_idx(path, count):
    """The first `count` items of a gzipped IDX file, as a complete IDX file of that many."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, _ = struct.unpack(">II", data[:8])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * (dims - 1), data[8:4 + 4 * dims])
    offset = 4 + 4 * dims
    size = 1
    for d in shape:
        size *= d
    return data[:4] + struct.pack(">I", count) + data[8:offset] + data[offset:offset + count * size]


def write_dataset(source, target, train_images, test_images):
    """The first images of Fashion-MNIST as a small IDX dataset (csq-train reads any image count)."""
    target.mkdir(parents=True, exist_ok=True)
    for stem, count in [("train-images-idx3-ubyte", train_images), ("train-labels-idx1-ubyte", train_images),
                        ("t10k-images-idx3-ubyte", test_images), ("t10k-labels-idx1-ubyte", test_images)]:
        with gzip.open(target / (stem + ".gz"), "wb") as f:
            f.write(read_idx(source / (stem + ".gz"), count))


def load_split(directory, prefix, count):
    def body(stem, header):
        with gzip.open(directory / (stem + ".gz"), "rb") as f:
            return f.read()[header:]
    images = torch.frombuffer(bytearray(body(prefix + "-images-idx3-ubyte", 16)), dtype=torch.uint8)
    labels = torch.frombuffer(bytearray(body(prefix + "-labels-idx1-ubyte", 8)), dtype=torch.uint8)
    return images.view(count, 1, 28, 28), labels.long()


def normalizer(train_images):
    """csq-train's normalization: per-channel mean and std of the training split, in double, then
    x * 1/(255 std) - mean/std in float."""
    x = train_images.double() / 255.0
    mean = x.mean().item()
    std = max((x.pow(2).mean().item() - mean * mean) ** 0.5, 1e-3)
    return given_normalizer([mean], [std])


def given_normalizer(mean, std):
    """x * 1/(255 std) - mean/std per channel in float, as csq-train applies a normalization; with no
    values, pixels / 255."""
    if not mean:
        return lambda images: images.float() / 255.0
    mean_t, std_t = torch.tensor(mean, dtype=torch.float32), torch.tensor(std, dtype=torch.float32)
    scale = (1.0 / (255.0 * std_t)).view(1, -1, 1, 1)
    shift = (-mean_t / std_t).view(1, -1, 1, 1)
    return lambda images: images.float() * scale + shift


def accuracy(model, inputs, labels):
    with torch.no_grad():
        return (model(inputs).argmax(1) == labels).double().mean().item() * 100.0


def run(cmd, test="test"):
    """Runs a command, prints the tail of its output, and stops the test when it fails."""
    done = attempt(cmd)
    if done.returncode != 0:
        sys.exit(f"{test}: {cmd[0]} failed with {done.returncode}")
    return done.stdout


def attempt(cmd):
    print("$", " ".join(map(str, cmd)), flush=True)
    done = subprocess.run(list(map(str, cmd)), capture_output=True, text=True)
    print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", flush=True)
    return done


def evaluated(printed):
    """The accuracy and the logits rows `csq-train --evaluate --logits N` printed."""
    rows = [list(map(float, line.split()[1:])) for line in printed.splitlines() if line.startswith("logits:")]
    return float(re.search(r"test_accuracy_quantized: (\S+)", printed).group(1)), torch.tensor(rows, dtype=torch.float32)


def check(ok, message):
    print(("ok: " if ok else "FAIL: ") + message, flush=True)
    if not ok:
        sys.exit(1)
