"""Forward parity: Hugging Face transformers and kvtuner give the same per-token log-probabilities (fp32).

For every fixture model of tests/interop/interop_fixtures.cpp (each architecture and config shape the
fixture writer makes) and for the bundled demo model on its held-out text:
  - transformers loads the directory unchanged (AutoModelForCausalLM.from_pretrained, local files only)
    with no missing, unexpected or mismatched weights, as the class config.json names;
  - kvtuner (`inspect --json`) reads the same shape from config.json: layers, heads, KV heads, head_dim,
    vocabulary, tying, and the same parameter count;
  - `kvtuner-search perplexity --ids FILE --per-token` and transformers' log_softmax(logits) agree on every
    predicted token within --tolerance (default 5e-4; docs/interop.md says why);
  - and, as a negative control, that an off-by-one sliding window in transformers' config alone fails by far.
Usage: forward_parity.py --kvtuner BIN --fixtures BIN --source-dir DIR --work DIR [--tolerance T]
Writes WORK/forward_parity.json (per model: tokens compared, max |delta|) and prints one line per model.
"""
import argparse
import json
import math
import os
import shutil
import time

import torch
import transformers
from tokenizers import Tokenizer
from transformers import AutoConfig, AutoModelForCausalLM

from parity_common import ParityError, main_wrapper, read_jsonl, run, write_jsonl

DEMO_WINDOWS = 24  # context-long windows of the demo model's held-out text compared (6144 tokens)
TOLERANCE = 5e-4  # max |delta| of a log-probability (nats); docs/interop.md, "Forward parity", says why


def transformers_logprobs(model, ids):
    """log p(ids[t] | ids[:t]) for t = 1..T-1, fp32, as a list of floats."""
    if len(ids) < 2:
        return []
    x = torch.tensor([ids], dtype=torch.long)
    with torch.no_grad():
        logits = model(input_ids=x).logits[0].float()
    lp = torch.log_softmax(logits[:-1], dim=-1).gather(-1, x[0, 1:, None])[:, 0]
    return lp.tolist()


def load_transformers(model_dir, **config_overrides):
    config = AutoConfig.from_pretrained(model_dir, local_files_only=True, **config_overrides)
    model, info = AutoModelForCausalLM.from_pretrained(model_dir, config=config, local_files_only=True,
                                                       dtype=torch.float32, output_loading_info=True)
    model.eval()
    for kind in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        if info.get(kind):
            raise ParityError(f"{model_dir}: transformers reports {kind} {sorted(info[kind])[:5]}")
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        declared = json.load(f)["architectures"][0]
    if type(model).__name__ != declared:
        raise ParityError(f"{model_dir}/config.json: transformers built {type(model).__name__}, not {declared}")
    return config, model


def check_shape(name, model_dir, config, model, args):
    """kvtuner's reading of config.json (inspect --json) against transformers' config and module tree."""
    k = json.loads(run([args.kvtuner, "inspect", "--model", model_dir, "--json"], f"{name}: kvtuner inspect"))
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    attn = model.model.layers[0].self_attn
    want = {
        "architecture": type(model).__name__,
        "layers": config.num_hidden_layers,
        "hidden_size": config.hidden_size,
        "attention_heads": config.num_attention_heads,
        "kv_heads": config.num_key_value_heads,
        "head_dim": head_dim,
        "intermediate_size": config.intermediate_size,
        "vocab_size": config.vocab_size,
        "tie_word_embeddings": bool(model.lm_head.weight is model.model.embed_tokens.weight),
        "attention_bias": attn.q_proj.bias is not None,
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    if attn.q_proj.out_features != config.num_attention_heads * head_dim:
        raise ParityError(f"{name}: transformers' q_proj has {attn.q_proj.out_features} outputs, not heads x head_dim")
    for key, value in want.items():
        if k.get(key) != value:
            raise ParityError(f"{name}: kvtuner inspect says {key} = {k.get(key)!r}, transformers {value!r}")


def kvtuner_logprobs(name, model_dir, ids_path, args):
    lines = run([args.kvtuner, "perplexity", "--model", model_dir, "--ids", ids_path, "--per-token", "-q"],
                f"{name}: kvtuner perplexity").split("\n")
    return [json.loads(line) for line in lines if line.strip()]


def max_delta(model, prompts, ours):
    worst = 0.0
    for ids, line in zip(prompts, ours):
        worst = max([worst] + [abs(a - b) for a, b in zip(line["logprobs"], transformers_logprobs(model, ids))])
    return worst


def negative_control(manifest, args):
    """The comparison is not vacuous: with the sliding window off by one in transformers' config only, the
    sliding-window fixture must fail the tolerance by far."""
    m = next(m for m in manifest if m["name"] == "mistral-window8-gqa-f32")
    _, model = load_transformers(m["dir"], sliding_window=9)
    worst = max_delta(model, read_jsonl(m["ids"]), kvtuner_logprobs(m["name"], m["dir"], m["ids"], args))
    print(f"negative control: {m['name']} with transformers' sliding_window 9 instead of 8: max |delta| {worst:.3e}",
          flush=True)
    if not worst > 100 * args.tolerance:
        raise ParityError(f"negative control: an off-by-one sliding window gives max |delta| {worst:.3e}, not above "
                          f"100 x tolerance: the comparison does not see the window")


def compare(name, model_dir, ids_path, args, results):
    start = time.time()
    config, model = load_transformers(model_dir)
    check_shape(name, model_dir, config, model, args)
    prompts = read_jsonl(ids_path)
    ours = kvtuner_logprobs(name, model_dir, ids_path, args)
    if len(ours) != len(prompts):
        raise ParityError(f"{name}: kvtuner printed {len(ours)} sequences for {len(prompts)} prompts in {ids_path}")
    worst, worst_at, tokens = 0.0, None, 0
    for i, (ids, line) in enumerate(zip(prompts, ours)):
        theirs = transformers_logprobs(model, ids)
        mine = line["logprobs"]
        if line["sequence"] != i or line["tokens"] != len(ids) or len(mine) != len(theirs):
            raise ParityError(f"{name}: sequence {i}: kvtuner gave {len(mine)} log-probabilities for {len(ids)} tokens, "
                              f"transformers {len(theirs)}")
        for t, (a, b) in enumerate(zip(mine, theirs)):
            if not (math.isfinite(a) and math.isfinite(b)):
                raise ParityError(f"{name}: sequence {i} token {t + 1}: non-finite log-probability ({a}, {b})")
            d = abs(a - b)
            if d > worst:
                worst, worst_at = d, (i, t + 1, a, b)
        tokens += len(mine)
    if tokens == 0:
        raise ParityError(f"{name}: no token compared")
    results.append({"model": name, "shape": results_shape(config), "sequences": len(prompts), "tokens": tokens,
                    "max_abs_delta": worst, "seconds": round(time.time() - start, 2)})
    where = f" (sequence {worst_at[0]}, token {worst_at[1]}: kvtuner {worst_at[2]:.7f}, transformers {worst_at[3]:.7f})" \
        if worst_at else ""
    print(f"{name}: {tokens} tokens in {len(prompts)} sequences, max |delta| {worst:.3e}{where}", flush=True)
    if worst > args.tolerance:
        raise ParityError(f"{name}: max |delta| {worst:.3e} > tolerance {args.tolerance:g}{where}")


def results_shape(config):
    return {k: getattr(config, k, None) for k in ("model_type", "num_hidden_layers", "num_attention_heads",
                                                  "num_key_value_heads", "head_dim", "sliding_window",
                                                  "tie_word_embeddings")}


def demo_ids(source_dir, work):
    """The demo model's held-out text, tokenized by the Rust tokenizers library (BOS added as the tokenizer's
    post-processor says), cut into windows of the model's context; the first DEMO_WINDOWS of them."""
    model_dir = os.path.join(source_dir, "data/models/kvt-demo-6l")
    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        context = json.load(f)["max_position_embeddings"]
    with open(os.path.join(model_dir, "heldout.txt"), encoding="utf-8") as f:
        ids = tokenizer.encode(f.read()).ids
    prompts = [ids[i:i + context] for i in range(0, len(ids), context)][:DEMO_WINDOWS]
    if len(prompts) < DEMO_WINDOWS or len(prompts[-1]) < context:
        raise ParityError(f"{model_dir}/heldout.txt: only {len(ids)} tokens, fewer than {DEMO_WINDOWS} windows of {context}")
    path = os.path.join(work, "kvt-demo-6l.heldout.ids.jsonl")
    write_jsonl(path, prompts)
    return model_dir, path


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kvtuner", required=True)
    p.add_argument("--fixtures", required=True)
    p.add_argument("--source-dir", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = p.parse_args()
    torch.manual_seed(0)
    # One thread: the models are tiny, and CTest runs other tests beside this one (two intra-op threads on a
    # busy 2-core machine made the transformers side 6x slower).
    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    models_dir = os.path.join(args.work, "models")
    run([args.fixtures, "models", models_dir], "writing the fixture models")
    with open(os.path.join(models_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    print(f"transformers {transformers.__version__}, torch {torch.__version__}; tolerance {args.tolerance:g}", flush=True)
    results = []
    for m in manifest:
        compare(m["name"], m["dir"], m["ids"], args, results)
    model_dir, ids = demo_ids(args.source_dir, args.work)
    compare("kvt-demo-6l (held-out)", model_dir, ids, args, results)
    negative_control(manifest, args)
    with open(os.path.join(args.work, "forward_parity.json"), "w", encoding="utf-8") as f:
        json.dump({"transformers": transformers.__version__, "torch": torch.__version__, "tolerance": args.tolerance,
                   "models": results}, f, indent=2)
    print(f"forward parity: {len(results)} models, max |delta| {max(r['max_abs_delta'] for r in results):.3e} "
          f"<= {args.tolerance:g}")
    return 0


if __name__ == "__main__":
    main_wrapper(main)
