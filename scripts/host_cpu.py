"""Which CPU a benchmark ran on, for the header line of the benchmark scripts.

`/proc/cpuinfo` on these VMs names every host "AMD EPYC", yet two kinds turn up: family 25 model 17 (Zen 4:
AVX-512 on 256-bit units, about 32 float32 flops per cycle per core, 32 KiB L1d) and family 26 (Zen 5:
512-bit units, about 64, 48 KiB L1d). A figure from one is not comparable with one from the other (numpy's
single-threaded SGEMM: about 100 against 190 GFLOP/s), so every benchmark prints this line with its results.

Usage: python3 scripts/host_cpu.py (prints the line), or `from host_cpu import describe`.
"""
import os

# (vendor, family) -> microarchitecture by model range, from the vendors' published family/model tables
_AMD = {23: "Zen/Zen 2", 25: "Zen 3/Zen 4", 26: "Zen 5"}
_ZEN4_MODELS = set(range(0x10, 0x20)) | set(range(0x60, 0x80)) | set(range(0xA0, 0xB0))


def _cpuinfo():
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break  # the first processor is enough
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    return fields


def _cache(index):
    try:
        with open(f"/sys/devices/system/cpu/cpu0/cache/index{index}/size") as f:
            return f.read().strip()
    except OSError:
        return "?"


def microarchitecture(vendor, family, model):
    """A best guess at the core's design from CPUID's family and model ('?' where unknown)."""
    if vendor == "AuthenticAMD" and family in _AMD:
        if family == 25:
            return "Zen 4" if model in _ZEN4_MODELS else "Zen 3"
        return _AMD[family]
    return "?"


def describe():
    """One line: model name, family/model, the guessed design, L1d and L2 per core, AVX-512 or not, cores."""
    info = _cpuinfo()
    vendor = info.get("vendor_id", "?")
    try:
        family, model = int(info.get("cpu family", "-1")), int(info.get("model", "-1"))
    except ValueError:
        family, model = -1, -1
    avx512 = "avx512f" in info.get("flags", "").split()
    return (f"CPU {info.get('model name', '?')} (family {family} model {model}, "
            f"{microarchitecture(vendor, family, model)}), L1d {_cache(0)}, L2 {_cache(2)} per core, "
            f"{'AVX-512' if avx512 else 'no AVX-512'}, {os.cpu_count()} cores")


if __name__ == "__main__":
    print(describe())
