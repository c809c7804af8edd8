# Usage: OMP_NUM_THREADS=2 /usr/bin/python3 scripts/torch_lenet_predictions.py TRAINED.pt OUT.safetensors PRED.npy
# (TRAINED.pt from scripts/torch_fashion_train.py lenet ... SAVE), then
# java --add-modules jdk.incubator.vector -cp "samples/target/cairn-samples.jar:samples/target/lib/*" scripts/CairnLenetPredictions.java OUT.safetensors PRED.npy
# Loads a PyTorch-trained lenet, saves its state dict as safetensors for Cairn, and writes its test-set classes.
import sys, os, json, struct, time
HERE = __import__("os").path.dirname(__import__("os").path.abspath(__file__)); sys.path.insert(0, HERE); sys.path.insert(0, __import__("os").path.join(HERE, "..", "..", "shared", "models"))
import torch, numpy as np
from check_fashion_model import find, read_idx
from make_cases import save_safetensors
import reference_models
torch.manual_seed(0)
d = "/usr/share/datasets/fashion-mnist"
x = torch.from_numpy(read_idx(find(d, "t10k-images-idx3-ubyte")).copy()).float().div(255).unsqueeze(1)
m = reference_models.lenet()
sd = torch.load(sys.argv[1])
m.load_state_dict(sd)
m.eval()
with torch.no_grad():
    pred = m(x).argmax(1)
save_safetensors(sys.argv[2], {k: v for k, v in m.state_dict().items()}, {"made_by": "torch"}, keep_dtypes=True)
np.save(sys.argv[3], pred.numpy())
y = torch.from_numpy(read_idx(find(d, "t10k-labels-idx1-ubyte")).astype("int64"))
print("torch test accuracy", (pred == y).float().mean().item())
