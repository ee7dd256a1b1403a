#!/usr/bin/python3
"""Small TorchScript models for the C++ and GUI tests (Debian's python3-torch), written once per test run.

  tiny_cnn.pt       1-channel 28x28 input, 10 classes: conv (16 wide), depthwise conv, batch norm, SiLU,
                    a concatenation, a linear head: what a TorchScript model brings that a spec cannot
  rgb_cnn.pt        the same for 3-channel input: it does not fit a 1-channel dataset

Usage: make_scripted_models.py OUT_DIR
"""
import pathlib
import sys

try:
    import torch
    from torch import nn
except ImportError:
    sys.exit("make_scripted_models: needs Debian's python3-torch (bash packaging/install-deps.sh)")


class TinyCnn(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_channels, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16),
                                  nn.SiLU())
        self.depthwise = nn.Sequential(nn.Conv2d(16, 16, 3, padding=1, groups=16, bias=False), nn.BatchNorm2d(16))
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        x = self.stem(x)
        x = torch.cat([x, self.depthwise(x)], 1)
        return self.head(x.mean((2, 3)))


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    torch.jit.script(TinyCnn(1)).save(str(out / "tiny_cnn.pt"))
    torch.jit.script(TinyCnn(3)).save(str(out / "rgb_cnn.pt"))
    print(f"make_scripted_models: wrote tiny_cnn.pt and rgb_cnn.pt in {out}")


if __name__ == "__main__":
    main()
