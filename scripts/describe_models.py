"""Prints PyTorch's print(model) for each sample model, separated by '== NAME' lines.

Usage: /usr/bin/python3 scripts/describe_models.py > samples/src/test/resources/describe/pytorch.txt
"""
import sys, os
sys.path.insert(0, os.path.dirname(__file__))
from torch_models import MODELS

for name, (factory, _) in MODELS.items():
    print("== " + name)
    print(factory())
