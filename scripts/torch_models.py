"""The eight sample models in PyTorch, exactly as ../shared/golden/README.md defines them.

Used by make_cases.py (fresh reference cases) and describe_models.py (PyTorch's printed structure).
"""
import torch
from torch import nn
from torch.nn import functional as F


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self._modules[str(idx)] = module

    def forward(self, X):
        for block in self._modules.values():
            X = block(X)
        return X


class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.rand_weight = torch.rand((20, 20), requires_grad=False)
        self.linear = nn.Linear(20, 20)

    def _apply(self, fn, *args, **kwargs):
        # rand_weight is a plain attribute (not in the state dict), so move it by hand with .to()/.cuda()
        self.rand_weight = fn(self.rand_weight)
        return super()._apply(fn, *args, **kwargs)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()


class NestMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))


class CenteredLayer(nn.Module):
    def forward(self, X):
        return X - X.mean()


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return F.relu(torch.matmul(X, self.weight) + self.bias)


def tied():
    shared = nn.Linear(8, 8)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1))


MODELS = {
    "mlp": (MLP, 20),
    "mysequential": (lambda: MySequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10)), 20),
    "fixed_hidden_mlp": (FixedHiddenMLP, 20),
    "nest_mlp": (NestMLP, 20),
    "chimera": (lambda: nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP()), 20),
    "tied": (tied, 4),
    "centered": (lambda: nn.Sequential(nn.Linear(8, 128), CenteredLayer()), 8),
    "mylinear": (lambda: nn.Sequential(MyLinear(64, 8), MyLinear(8, 1)), 64),
}


def state_dict_with_constants(model):
    """The state dict plus FixedHiddenMLP's rand_weight (a plain attribute in PyTorch) under <prefix>rand_weight."""
    sd = dict(model.state_dict())
    for name, module in model.named_modules():
        if isinstance(module, FixedHiddenMLP):
            sd[(name + "." if name else "") + "rand_weight"] = module.rand_weight
    return sd


def load_with_constants(model, sd):
    """Loads a Cairn-written state dict, including FixedHiddenMLP's rand_weight."""
    plain = {k: v for k, v in sd.items() if not k.endswith("rand_weight")}
    model.load_state_dict(plain, strict=True)
    for name, module in model.named_modules():
        if isinstance(module, FixedHiddenMLP):
            module.rand_weight = sd[(name + "." if name else "") + "rand_weight"].clone()
