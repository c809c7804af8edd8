"""An Open Inference Protocol client in Python, framed exactly as tritonclient.http does it.

It uses only numpy and the standard library (tritonclient itself cannot be installed on our build
machines): InferInput.set_data_from_numpy puts arr.tobytes() after the JSON with a binary_data_size
parameter (or, with binary_data=False, a flat list of .item() values); _get_inference_request adds
"binary_data_output": true when no output is requested and the Inference-Header-Content-Length header
when binary data follows; InferResult reads the JSON header and slices each binary output by its
binary_data_size. Usage: python3 oip_client.py BASE_URL MODEL. Prints one line per check; exit 0
when every check passed.
"""
import json
import sys
import urllib.error
import urllib.request

import numpy as np

BASE, MODEL = sys.argv[1].rstrip("/"), sys.argv[2]
NP = {"FP32": np.float32, "INT64": np.int64, "INT32": np.int32, "BOOL": bool}


def request(method, path, body=None, headers=None):
    req = urllib.request.Request(BASE + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()  # header names are case-insensitive
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def infer(inputs, outputs=None):
    """inputs: list of (name, datatype, numpy array, binary); outputs: list of (name, binary) or None."""
    tensors, raw = [], []
    for name, datatype, arr, binary in inputs:
        t = {"name": name, "shape": list(arr.shape), "datatype": datatype}
        if binary:
            b = arr.tobytes()
            t["parameters"] = {"binary_data_size": len(b)}
            raw.append(b)
        else:
            t["data"] = [v.item() for v in arr.flatten()]
        tensors.append(t)
    req = {"inputs": tensors}
    if outputs:
        req["outputs"] = [{"name": n, "parameters": {"binary_data": b}} for n, b in outputs]
    else:
        req["parameters"] = {"binary_data_output": True}
    body = json.dumps(req)
    headers = {}
    if raw:
        headers["Inference-Header-Content-Length"] = str(len(body))
    status, h, content = request("POST", "/v2/models/%s/infer" % MODEL, body.encode() + b"".join(raw), headers)
    hl = h.get("Inference-Header-Content-Length")
    if hl is None:
        return status, json.loads(content), {}
    result = json.loads(content[: int(hl)])
    buffers, at = {}, int(hl)
    for o in result["outputs"]:
        size = o.get("parameters", {}).get("binary_data_size")
        if size is not None:
            buffers[o["name"]] = content[at: at + size]
            at += size
    return status, result, buffers


def as_numpy(result, buffers, name):
    for o in result["outputs"]:
        if o["name"] == name:
            if name in buffers:
                a = np.frombuffer(buffers[name], dtype=NP[o["datatype"]])
            else:
                a = np.array(o["data"], dtype=NP[o["datatype"]])
            return a.reshape(o["shape"])
    return None


failures = []


def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


status, _, body = request("GET", "/v2/health/ready")
check("server ready", status == 200 and json.loads(body)["ready"] is True)
status, _, body = request("GET", "/v2/models/" + MODEL)
meta = json.loads(body)
check("metadata", status == 200 and meta["inputs"][0]["shape"] == [-1, 4] and meta["inputs"][0]["datatype"] == "FP32")
x = np.arange(8, dtype=np.float32).reshape(2, 4) / 4
status, res, buf = infer([("input", "FP32", x, True)])
check("binary in, binary out", status == 200 and np.array_equal(as_numpy(res, buf, "output"), x * 2 + 1))
status, res, buf = infer([("input", "FP32", x, False)], [("output", False)])
check("JSON in, JSON out", status == 200 and np.array_equal(as_numpy(res, buf, "output"), x * 2 + 1))
status, res, buf = infer([("input", "FP32", x, False)], [("output", True)])
check("JSON in, binary out", status == 200 and np.array_equal(as_numpy(res, buf, "output"), x * 2 + 1))
i = np.array([[1, -2, 3, 4]], dtype=np.int64)
status, res, buf = infer([("input", "INT64", i, True)])
check("INT64 binary", status == 200 and np.array_equal(as_numpy(res, buf, "output"), (i * 2 + 1).astype(np.float32)))
b = np.array([[True, False, False, True]])
status, res, buf = infer([("input", "BOOL", b, True)], [("output", False)])
check("BOOL binary", status == 200 and np.array_equal(as_numpy(res, buf, "output"), b.astype(np.float32) * 2 + 1))
status, res, _ = infer([("input", "FP32", np.zeros((1, 5), dtype=np.float32), True)])
check("wrong shape is 400 with an error", status == 400 and "[N, 4]" in res["error"])
print("%d failed" % len(failures))
sys.exit(1 if failures else 0)
