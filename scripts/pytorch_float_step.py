#!/usr/bin/env python3
"""PyTorch's float training step of a network given as a CSQ Studio model spec (JSON, docs/reference/model-spec.md), or
of a TorchScript module itself (--module FILE.pt, loaded with torch.jit.load).

csq-bench runs this after its own variants when `python3 -c "import torch"` works, so the measured results can
set CSQ's step beside PyTorch's for the very same network; it also runs alone:

    python3 scripts/pytorch_float_step.py --spec resources/models/resnet20.json --shape 3,32,32 \
        --batch 128 --threads 2 --steps 20

The network, batch, random input and optimizer are csq-bench's float variant: SGD with Nesterov
momentum 0.9, weight decay 5e-4, learning rate 0.05; images and weights in PyTorch's default layout
(NCHW), or with --channels-last in NHWC, the layout CSQ's networks run in on the CPU. Prints one JSON
line: the median seconds per step, images per second, threads, the network's parameter count
(csq-bench checks it against its own float network's), the torch version and the layout.
"""
import argparse
import json
import statistics
import sys
import time


def build(layers, shape, classes, nn):
    """The spec's layers as modules; `shape` is (channels, height, width), or (features,) after a flatten."""
    modules = []
    for spec in layers:
        kind = spec["type"]
        if kind == "conv":
            out = classes if spec["out"] == "classes" else spec["out"]
            kernel, stride, padding = spec.get("kernel", 3), spec.get("stride", 1), spec.get("padding", 0)
            modules.append(nn.Conv2d(shape[0], out, kernel, stride, padding, bias=spec.get("bias", True)))
            side = lambda n: (n + 2 * padding - kernel) // stride + 1
            shape = (out, side(shape[1]), side(shape[2]))
        elif kind == "linear":
            out = classes if spec["out"] == "classes" else spec["out"]
            modules.append(nn.Linear(shape[0], out, bias=spec.get("bias", True)))
            shape = (out,)
        elif kind == "batchnorm":
            make = nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d
            modules.append(make(shape[0], eps=spec.get("eps", 1e-5), momentum=spec.get("momentum", 0.1)))
        elif kind in ("relu", "relu6"):
            modules.append(nn.ReLU() if kind == "relu" else nn.ReLU6())
        elif kind in ("maxpool", "avgpool"):
            kernel = spec.get("kernel", 2)
            stride, padding = spec.get("stride", kernel), spec.get("padding", 0)
            make = nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d
            modules.append(make(kernel, stride, padding))
            side = lambda n: (n + 2 * padding - kernel) // stride + 1
            shape = (shape[0], side(shape[1]), side(shape[2]))
        elif kind == "adaptive_avgpool":
            size = spec.get("output_size", 1)
            modules.append(nn.AdaptiveAvgPool2d(size))
            shape = (shape[0], size, size)
        elif kind == "flatten":
            modules.append(nn.Flatten())
            shape = (shape[0] * shape[1] * shape[2],) if len(shape) == 3 else shape
        elif kind == "dropout":
            modules.append(nn.Dropout(spec.get("p", 0.5)))
        elif kind == "residual":
            body, out_shape = build(spec["body"], shape, classes, nn)
            shortcut, _ = build(spec.get("shortcut", []), shape, classes, nn)
            modules.append(Residual(body, shortcut, spec.get("activation", "relu") != "none", nn))
            shape = out_shape
        else:
            sys.exit(f"pytorch_float_step.py: unknown layer type '{kind}' in the spec")
    return nn.Sequential(*modules), shape


def Residual(body, shortcut, relu_after, nn):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.body, self.shortcut, self.relu_after = body, shortcut, relu_after

        def forward(self, x):
            y = self.body(x) + self.shortcut(x)
            return y.relu() if self.relu_after else y

    return Block()


def main():
    parser = argparse.ArgumentParser(description="Time PyTorch's float training step of a model spec or module.")
    model = parser.add_mutually_exclusive_group(required=True)
    model.add_argument("--spec", help="model spec JSON (resources/models/<name>.json)")
    model.add_argument("--module", help="a TorchScript archive (torch.jit.save), trained as it is")
    parser.add_argument("--shape", required=True, help="input channels,height,width, e.g. 3,32,32")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20, help="timed steps (median reported)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--channels-last", action="store_true", help="NHWC images and weights (torch.channels_last)")
    args = parser.parse_args()
    try:
        import torch
        from torch import nn
    except ImportError as e:
        sys.exit(f"pytorch_float_step.py: PyTorch is not importable ({e}); install python3-torch")
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    shape = tuple(int(v) for v in args.shape.split(","))
    if args.module:
        net = torch.jit.load(args.module)
    else:
        with open(args.spec) as f:
            net, _ = build(json.load(f)["layers"], shape, args.classes, nn)
    net.train()
    layout = torch.channels_last if args.channels_last else torch.contiguous_format
    net = net.to(memory_format=layout)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    images = torch.randn(args.batch, *shape)
    if len(shape) == 3:
        images = images.contiguous(memory_format=layout)
    labels = torch.randint(0, args.classes, (args.batch,))

    def step():
        loss = nn.functional.cross_entropy(net(images), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    seconds = []
    for _ in range(max(1, args.steps)):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    parameters = sum(p.numel() for p in net.parameters())
    print(json.dumps({"seconds_per_step": median, "ips": args.batch / median, "threads": torch.get_num_threads(),
                      "parameters": parameters, "torch": torch.__version__,
                      "channels_last": args.channels_last}))


if __name__ == "__main__":
    main()
