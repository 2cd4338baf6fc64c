"""KV-config parity: every YAML config `kvtuner-search run` writes reads, the way the official KVTuner
`FlexibleQuantizedCache` reads it, as the same per-layer bits that `kvtuner-search show` reports.

The official loader (KVTuner's flexible_quant/flexible_quantized_cache.py, https://github.com/cmd2001/KVTuner):
`FlexibleQuantizedCacheConfig(per_layer_quant=True, per_layer_config_path=PATH)` loads the file with PyYAML's
`yaml.safe_load`, and the cache's update() for layer `layer_idx` (an int) takes
`per_layer_config[layer_idx]['nbits_key']` and `per_layer_config[layer_idx]['nbits_value']`.
transformers' own QuantizedCache uses other quantizers (quanto, HQQ), so no claim is made about it.

Runs `kvtuner-search run` twice on a 4-layer fixture model (`kvt_interop_fixtures run-inputs`), once per scheme
(per-token-asym and kivi), with a small search, and checks every *.yaml under both output directories.
Usage: kv_config_parity.py --kvtuner BIN --fixtures BIN --work DIR
"""
import argparse
import glob
import json
import os
import re
import shutil

import yaml

from parity_common import ParityError, main_wrapper, run

SCHEMES = ("per-token-asym", "kivi")


def official_read(path, num_layers):
    """(nbits_key, nbits_value) per layer, read as FlexibleQuantizedCache reads them."""
    with open(path, "r") as f:
        per_layer_config = yaml.safe_load(f)
    if not isinstance(per_layer_config, dict):
        raise ParityError(f"{path}: yaml.safe_load gives a {type(per_layer_config).__name__}, not a mapping")
    if set(per_layer_config) != set(range(num_layers)):
        raise ParityError(f"{path}: yaml.safe_load gives layer keys {sorted(per_layer_config, key=str)}, "
                          f"not the ints 0..{num_layers - 1}")
    pairs = []
    for layer_idx in range(num_layers):
        entry = per_layer_config[layer_idx]
        k, v = entry["nbits_key"], entry["nbits_value"]
        if type(k) is not int or type(v) is not int:
            raise ParityError(f"{path}: layer {layer_idx}: nbits_key/nbits_value load as {type(k).__name__}/"
                              f"{type(v).__name__}, not int")
        pairs.append((k, v))
    return pairs


def show_read(args, path):
    """Per-layer (K, V) and the average bits from `kvtuner-search show --config PATH`."""
    out = run([args.kvtuner, "show", "--config", path], f"{path}: kvtuner show")
    pairs, average = [], None
    for line in out.splitlines():
        m = re.match(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+KV?\d+", line)
        if m:
            if int(m.group(1)) != len(pairs):
                raise ParityError(f"{path}: kvtuner show lists layer {m.group(1)} after {len(pairs)} layers")
            pairs.append((int(m.group(2)), int(m.group(3))))
        m = re.match(r"^average bits: ([0-9.]+) ", line)
        if m:
            average = float(m.group(1))
    if not pairs or average is None:
        raise ParityError(f"{path}: no per-layer rows or no 'average bits' line in kvtuner show's output:\n{out}")
    return pairs, average


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--kvtuner", "--fixtures", "--work"):
        p.add_argument(name, required=True)
    args = p.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    inputs = os.path.join(args.work, "inputs")
    run([args.fixtures, "run-inputs", inputs], "writing the run inputs")
    model = os.path.join(inputs, "model")
    with open(os.path.join(model, "config.json"), encoding="utf-8") as f:
        num_layers = json.load(f)["num_hidden_layers"]

    checked = 0
    for scheme in SCHEMES:
        out = os.path.join(args.work, f"run-{scheme}")
        run([args.kvtuner, "run", "-q", "--model", model, "--ids", os.path.join(inputs, "calib.jsonl"),
             "--heldout-ids", os.path.join(inputs, "heldout.jsonl"), "--min-tokens", "2", "--scheme", scheme,
             "--pop", "16", "--generations", "20", "--gen-tokens", "6", "--budgets", "4,6", "--out", out],
            f"kvtuner-search run --scheme {scheme}")
        files = sorted(glob.glob(os.path.join(out, "**", "*.yaml"), recursive=True))
        finals = [f for f in files if os.path.dirname(f) == out]
        if len(finals) < 2:
            raise ParityError(f"{out}: expected a final YAML config per budget (4 and 6), found {finals}")
        for path in files:
            official = official_read(path, num_layers)
            shown, average = show_read(args, path)
            if official != shown:
                raise ParityError(f"{path}: FlexibleQuantizedCache reads {official}, kvtuner show reports {shown}")
            mean = sum(k + v for k, v in official) / (2 * num_layers)
            if abs(mean - average) > 5e-5:
                raise ParityError(f"{path}: mean of the official (nbits_key + nbits_value)/2 is {mean:.4f}, "
                                  f"kvtuner show's average bits {average:.4f}")
            checked += 1
            print(f"{os.path.relpath(path, args.work)}: {num_layers} layers "
                  f"{' '.join(f'K{k}V{v}' for k, v in official)}, average {average:.4f}: identical", flush=True)
    print(f"kv-config parity: {checked} YAML configs written by run read identically by yaml.safe_load "
          f"(as FlexibleQuantizedCache) and kvtuner show")
    return 0


if __name__ == "__main__":
    main_wrapper(main)
