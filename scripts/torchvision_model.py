#!/usr/bin/python3
"""Writes a scripted torchvision architecture that fits a dataset, for csq-train --model-spec.

torchvision's models expect 3-channel images and 1000 classes. This script builds one for C input
channels (its first convolution rebuilt with C inputs) and K classes, scripts it with torch.jit.script
and saves it. Untrained by default; with --train it first trains the float model briefly in PyTorch on
an IDX dataset (Fashion-MNIST style), so CSQ starts from a trained network, as it would from yours.

  scripts/torchvision_model.py mobilenet_v2 --in-channels 1 --classes 10 --width 0.5 mnv2.pt
  scripts/torchvision_model.py shufflenet_v2_x0_5 --in-channels 1 --classes 10 \\
      --train /usr/share/datasets/fashion-mnist --epochs 2 --train-limit 20000 shufflenet.pt

With --train it prints the --input-normalization flag that feeds csq-train the input the model was
trained on (the training images' own mean and std). Needs Debian's python3-torch and python3-torchvision.
"""
import argparse
import gzip
import inspect
import math
import pathlib
import struct
import sys
import time

try:
    import torch
    import torchvision
    from torch import nn
except ImportError:
    sys.exit("torchvision_model.py: needs Debian's python3-torch and python3-torchvision (bash packaging/install-deps.sh)")


def build(name, in_channels, classes, width):
    builder = getattr(torchvision.models, name, None)
    if builder is None or not callable(builder) or name.startswith("_"):
        sys.exit(f"torchvision_model.py: torchvision {torchvision.__version__} has no model '{name}' "
                 "(e.g. mobilenet_v2, mobilenet_v3_small, shufflenet_v2_x0_5, resnet18, efficientnet_b0, mnasnet0_5)")
    options = {"num_classes": classes}
    if width is not None:
        if name != "mobilenet_v2":
            sys.exit(f"torchvision_model.py: --width sets MobileNetV2's width_mult; {name} has its width in its name")
        options["width_mult"] = width
    if "aux_logits" in inspect.signature(builder).parameters or name in ("googlenet", "inception_v3"):
        options["aux_logits"] = False  # forward then returns the logits alone
        options["init_weights"] = True
    model = builder(**options)
    stem_parent, stem_name, stem = first_conv(model)
    if stem.in_channels != in_channels:
        setattr(stem_parent, stem_name,
                nn.Conv2d(in_channels, stem.out_channels, stem.kernel_size, stem.stride, stem.padding, stem.dilation,
                          bias=stem.bias is not None, padding_mode=stem.padding_mode))
    return model


def first_conv(model):
    for parent in model.modules():
        for child_name, child in parent.named_children():
            if isinstance(child, nn.Conv2d):
                return parent, child_name, child
    sys.exit("torchvision_model.py: the model has no Conv2d to take the input channels")


def read_idx(path):
    with gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def find(folder, stem):
    for candidate in (folder / (stem + ".gz"), folder / stem):
        if candidate.exists():
            return candidate
    sys.exit(f"torchvision_model.py: no {stem}[.gz] in {folder}")


def train(model, folder, epochs, limit, batch, lr, seed):
    folder = pathlib.Path(folder)
    images = read_idx(find(folder, "train-images-idx3-ubyte"))
    labels = read_idx(find(folder, "train-labels-idx1-ubyte")).long()
    if limit:
        images, labels = images[:limit], labels[:limit]
    x = images.float().div(255).unsqueeze(1) if images.dim() == 3 else images.float().div(255)
    mean, std = x.mean(dim=(0, 2, 3)), x.std(dim=(0, 2, 3), unbiased=False)
    x = (x - mean.view(1, -1, 1, 1)) / std.view(1, -1, 1, 1)
    torch.manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    steps = epochs * math.ceil(len(x) / batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * s / steps)))
    model.train()
    for epoch in range(epochs):
        start, seen, correct, loss_sum = time.time(), 0, 0, 0.0
        for index in torch.randperm(len(x)).split(batch):
            logits = model(x[index])
            loss = nn.functional.cross_entropy(logits, labels[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            seen += len(index)
            correct += (logits.argmax(1) == labels[index]).sum().item()
            loss_sum += loss.item() * len(index)
        print(f"epoch {epoch + 1}/{epochs}: loss {loss_sum / seen:.4f}, train accuracy {100 * correct / seen:.2f}%, "
              f"{seen / (time.time() - start):.0f} images/s", flush=True)
    return mean, std


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("name", help="a torchvision.models builder, e.g. mobilenet_v2, shufflenet_v2_x0_5, resnet18")
    parser.add_argument("out", help="the TorchScript file to write")
    parser.add_argument("--in-channels", type=int, default=1, help="input channels of the dataset (default 1)")
    parser.add_argument("--classes", type=int, default=10, help="classes of the dataset (default 10)")
    parser.add_argument("--width", type=float, help="MobileNetV2's width multiplier (width_mult)")
    parser.add_argument("--train", metavar="DATA", help="train the float model first on this IDX dataset folder")
    parser.add_argument("--epochs", type=int, default=1, help="with --train: epochs (default 1)")
    parser.add_argument("--train-limit", type=int, default=0, help="with --train: first N training images, 0 = all")
    parser.add_argument("--batch-size", type=int, default=128, help="with --train: batch size (default 128)")
    parser.add_argument("--lr", type=float, default=0.05, help="with --train: SGD learning rate, cosine decay (default 0.05)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the initial weights and the order (default 0)")
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads, 0 = PyTorch's default")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = build(args.name, args.in_channels, args.classes, args.width)
    if args.train:
        mean, std = train(model, args.train, args.epochs, args.train_limit, args.batch_size, args.lr, args.seed)
        flag = ",".join(f"{m:.6g}" for m in mean.tolist()) + "/" + ",".join(f"{s:.6g}" for s in std.tolist())
        print(f"trained on input normalized as --input-normalization {flag}")
    model.eval()  # scripted modules keep train()/eval(): csq-train switches modes itself
    scripted = torch.jit.script(model)
    scripted.save(args.out)
    layers = sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in model.modules())
    print(f"wrote {args.out}: torchvision {args.name}, {layers} Conv2d/Linear layers, "
          f"{sum(p.numel() for p in model.parameters())} parameters")


if __name__ == "__main__":
    main()
