#!/usr/bin/env python3
"""Expected verdicts for kvtuner's preset reader (lib/core/kv_config.cpp), decided by PyYAML itself.

The official KVTuner FlexibleQuantizedCacheConfig loads a per-layer preset with

    with open(per_layer_config_path, 'r') as f:
        self.per_layer_config = yaml.safe_load(f)

and FlexibleQuantizedCache.update() reads config[layer_idx]['nbits_key'] / ['nbits_value'] with an int
layer_idx (per-head presets: config[layer_idx].items() → head_idx → the same two fields).

For every case below this script loads the text exactly that way and records what PyYAML returns. The
verdict is PyYAML's result checked against kvtuner's contract (docs/formats.md, "Validation"):

  * yaml.safe_load raises                                  → refuse
  * the result is not a dict of int keys 0..L-1            → refuse (keys must be Python int: a quoted "0"
                                                             is a str, `true` is a bool, `0.0` a float)
  * a layer (or kv_head) is not a dict of exactly nbits_key and nbits_value, each a Python int in 1..8 or 16
                                                           → refuse
  * otherwise                                              → accept, with the layers PyYAML produced

kvtuner is stricter than the official cache in three documented places, and those are refusals here too:
a repeated key in one mapping (PyYAML keeps the last one silently; found below with PyYAML's own
constructor), a field other than nbits_key/nbits_value in a layer (the cache ignores it), and keys that are
not layer indices (the cache never looks them up). `kvtuner_id` is the error id kvtuner must give
(docs/errors.md); it is written by hand for refusals and must be absent for acceptances, which this script
checks against PyYAML's verdict.

Regenerate (checked with PyYAML 6.0.3, Python 3.11):

    python3 tests/lib/core/presets/make_expectations.py > tests/lib/core/presets/expectations.json

tests/lib/core/test_kv_config_pyyaml.cpp reads expectations.json; the C++ tests never run Python.
"""
import json
import os
import sys
import tempfile

import yaml


def layer(k, v):
    return "{nbits_key: %s, nbits_value: %s}" % (k, v)


def block(keys, pairs=None):
    """Block-style preset with the given key spellings; pair i is (4, 2) unless given."""
    pairs = pairs or [(4, 2)] * len(keys)
    return "".join("%s:\n  nbits_key: %s\n  nbits_value: %s\n" % (k, p[0], p[1]) for k, p in zip(keys, pairs))


TWO = block(["0", "1"], [(2, 2), (4, 2)])

# (name, text, kvtuner error id for a refusal or None)
CASES = [
    # --- accepted: the official layout and everything YAML 1.1 spells the same way
    ("block", TWO, None),
    ("block_crlf", TWO.replace("\n", "\r\n"), None),
    ("block_bom", "\ufeff" + TWO, None),
    ("block_comments", "# preset\n0: # layer 0\n  nbits_key: 2 # K\n  nbits_value: 2\n1:\n  nbits_key: 4\n  nbits_value: 2\n", None),
    ("kvtuner_metadata_lines", '# kvtuner: {"scheme":"kivi"}\n' + TWO, None),
    ("layers_out_of_order", block(["1", "0"], [(4, 2), (2, 2)]), None),
    ("flow", "{0: %s, 1: %s}\n" % (layer(2, 2), layer(4, 2)), None),
    ("flow_multiline", "{\n  0: %s,\n  1: %s\n}\n" % (layer(2, 2), layer(4, 2)), None),
    ("flow_trailing_comma", "{0: %s, 1: %s,}\n" % (layer(2, 2), layer(4, 2)), None),
    ("flow_quoted_fields", '{0: {"nbits_key": 2, \'nbits_value\': 2}, 1: {nbits_key: 4, nbits_value: 2}}\n', None),
    ("flow_layers_in_block", "0: %s\n1: %s\n" % (layer(2, 2), layer(4, 2)), None),
    ("explicit_document_start", "---\n" + TWO, None),
    ("document_end_marker", TWO + "...\n", None),
    ("yaml_directive", "%YAML 1.1\n---\n" + TWO, None),
    ("complex_key_syntax", "? 0\n: %s\n? 1\n: %s\n" % (layer(2, 2), layer(4, 2)), None),
    ("keys_hex", block(["0x0", "0x1", "0x2"]), None),
    ("keys_octal", block(["00", "01", "02", "03", "04", "05", "06", "07", "010"]), None),
    ("keys_binary", block(["0b0", "0b1", "0b1_0"]), None),
    ("keys_plus_sign", block(["+0", "+1"]), None),
    ("keys_underscore", block([str(i) for i in range(10)] + ["1_0"]), None),
    ("keys_sexagesimal", block([str(i) for i in range(60)] + ["1:00"]), None),
    ("key_int_tag", '!!int "0": %s\n' % layer(4, 2), None),
    ("key_nonspecific_tag", "! 0: %s\n" % layer(4, 2), None),
    ("values_hex_octal", "0:\n  nbits_key: 0x8\n  nbits_value: 010\n1:\n  nbits_key: 04\n  nbits_value: 0x10\n", None),
    ("values_binary_plus", "0:\n  nbits_key: 0b100\n  nbits_value: +2\n", None),
    ("values_underscore", "0:\n  nbits_key: 1_6\n  nbits_value: 0_2\n", None),
    ("value_int_tag", '0:\n  nbits_key: !!int "4"\n  nbits_value: !!int 2\n', None),
    ("value_nonspecific_tag", "0:\n  nbits_key: ! 4\n  nbits_value: ! '2'\n", None),
    ("anchor_alias", "0: &a %s\n1: *a\n" % layer(4, 2), None),
    ("merge_key", "0: &a %s\n1:\n  <<: *a\n  nbits_value: 4\n" % layer(4, 2), None),
    ("merge_key_list", "0: &a %s\n1: &b %s\n2:\n  <<: [*a, *b]\n" % (layer(4, 2), layer(8, 8)), None),
    ("merge_then_override_order", "0: &a %s\n1:\n  nbits_key: 2\n  <<: *a\n" % layer(4, 8), None),
    ("per_head_block", "0:\n  0:\n    nbits_key: 8\n    nbits_value: 4\n  1:\n    nbits_key: 4\n    nbits_value: 4\n"
     "1:\n  0:\n    nbits_key: 4\n    nbits_value: 2\n  1:\n    nbits_key: 2\n    nbits_value: 2\n", None),
    ("per_head_flow", "{0: {0: %s, 1: %s}, 1: {0x0: %s, 01: %s}}\n" % (layer(8, 4), layer(4, 4), layer(4, 2), layer(2, 2)),
     None),
    ("bits_16", "0:\n  nbits_key: 16\n  nbits_value: 1\n", None),

    # --- refused by yaml.safe_load itself
    ("two_documents", TWO + "---\n" + block(["0"]), 802),
    ("empty_second_document", TWO + "---\n", 802),
    ("document_after_end_marker", TWO + "...\n" + block(["2"]), 802),
    ("yaml_version_2", "%YAML 2.0\n---\n" + TWO, 802),
    ("flow_unclosed", "{0: {nbits_key: 4, nbits_value: 2}\n", 802),
    ("tab_indentation", "0:\n\tnbits_key: 4\n\tnbits_value: 2\n", 802),
    ("merge_of_scalar", "0:\n  <<: 4\n  nbits_key: 4\n  nbits_value: 2\n", 802),
    ("value_int_tag_on_word", "0:\n  nbits_key: !!int four\n  nbits_value: 2\n", 803),
    ("value_hex_without_digits", "0:\n  nbits_key: 0x_\n  nbits_value: 2\n", 803),
    ("value_unknown_tag", "0:\n  nbits_key: !bits 4\n  nbits_value: 2\n", 803),
    ("key_unhashable", "[0]: %s\n" % layer(4, 2), 809),

    # --- loaded, but not what the official cache indexes: not int keys / not int bits
    ("empty_file", "", 801),
    ("comments_only", "# nothing here\n", 801),
    ("null_document", "---\n", 801),
    ("top_level_list", "- %s\n" % layer(4, 2), 802),
    ("top_level_scalar", "4\n", 802),
    ("key_double_quoted", block(['"0"', "1"]), 809),
    ("key_single_quoted", block(["'0'"]), 809),
    ("key_str_tag", "!!str 0: %s\n" % layer(4, 2), 809),
    ("key_0o_octal", block(["0o0"]), 809),
    ("key_leading_zero_nine", block(["0", "09"]), 809),
    ("key_upper_hex", block(["0", "0X1"]), 809),
    ("key_float", block(["0.0"]), 809),
    ("key_exponent", block(["0", "1e0"]), 809),
    ("key_bool", block(["false", "true"]), 809),
    ("key_null", block(["~"]), 809),
    ("key_negative", block(["0", "-1"]), 809),
    ("key_sexagesimal_out_of_range", block(["0", "1:60"]), 809),
    ("json_string_keys", '{"0": {"nbits_key": 4, "nbits_value": 2}}\n', 809),
    ("value_double_quoted", '0:\n  nbits_key: "4"\n  nbits_value: 2\n', 803),
    ("value_str_tag", "0:\n  nbits_key: !!str 4\n  nbits_value: 2\n", 803),
    ("value_float", "0:\n  nbits_key: 4.0\n  nbits_value: 2\n", 803),
    ("value_exponent", "0:\n  nbits_key: 4e0\n  nbits_value: 2\n", 803),
    ("value_0o_octal", "0:\n  nbits_key: 0o4\n  nbits_value: 2\n", 803),
    ("value_leading_zero_eight", "0:\n  nbits_key: 08\n  nbits_value: 2\n", 803),
    ("value_bool_on", "0:\n  nbits_key: on\n  nbits_value: 2\n", 803),
    ("value_bool_true", "0:\n  nbits_key: 4\n  nbits_value: true\n", 803),
    ("value_null", "0:\n  nbits_key: ~\n  nbits_value: 2\n", 803),
    ("value_list", "0:\n  nbits_key: [4]\n  nbits_value: 2\n", 803),
    ("value_octal_out_of_range", "0:\n  nbits_key: 012\n  nbits_value: 2\n", 804),
    ("value_zero", "0:\n  nbits_key: 0x0\n  nbits_value: 2\n", 804),
    ("layer_scalar", "0: 4\n", 805),
    ("layer_null", "0:\n", 805),
    ("field_missing", "0: {nbits_key: 4}\n", 808),
    ("gap", block(["0", "2"]), 811),
    ("gap_by_octal", block(["0", "010"]), 811),
    ("per_head_counts_differ", "0: {0: %s, 1: %s}\n1: {0: %s}\n" % (layer(4, 4), layer(4, 4), layer(4, 4)), 815),
    ("per_head_mixed", "0: {0: %s}\n1: %s\n" % (layer(4, 4), layer(4, 4)), 815),

    # --- loaded by PyYAML and usable by the official cache, but refused by kvtuner on purpose
    ("duplicate_layer", TWO + block(["1"], [(8, 8)]), 810),
    ("duplicate_layer_other_spelling", TWO + block(["0x1"], [(8, 8)]), 810),
    ("duplicate_field", "0:\n  nbits_key: 4\n  nbits_key: 2\n  nbits_value: 2\n", 807),
    ("extra_field", "0:\n  nbits_key: 4\n  nbits_value: 2\n  note: early layer\n", 806),
    ("extra_top_level_key", "defaults: &d %s\n0: *d\n" % layer(4, 2), 809),
]


class DuplicateCheckingLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (merged '<<' entries may be overridden)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable: safe_load refuses it already
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(None, None, "duplicate key %r" % (key,), key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def load_like_the_official_cache(text):
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", suffix=".yaml", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        with open(path, "r") as f:  # exactly FlexibleQuantizedCacheConfig's call
            return yaml.safe_load(f)
    finally:
        os.unlink(path)


class Refuse(Exception):
    pass


def indexed(mapping, what):
    for key in mapping:
        if type(key) is not int:
            raise Refuse("%s key %r is a Python %s, not an int" % (what, key, type(key).__name__))
        if key < 0:
            raise Refuse("%s %d is negative" % (what, key))
    if sorted(mapping) != list(range(len(mapping))):
        raise Refuse("%s indices %r are not 0..%d" % (what, sorted(mapping), len(mapping) - 1))
    return [mapping[i] for i in range(len(mapping))]


def bits_pair(entry, where):
    if type(entry) is not dict:
        raise Refuse("%s is a %s, not a dict" % (where, type(entry).__name__))
    if set(entry) != {"nbits_key", "nbits_value"}:
        raise Refuse("%s has fields %r" % (where, sorted(map(str, entry))))
    out = []
    for field in ("nbits_key", "nbits_value"):
        value = entry[field]
        if type(value) is not int:
            raise Refuse("%s %s is a Python %s (%r)" % (where, field, type(value).__name__, value))
        if not (1 <= value <= 8 or value == 16):
            raise Refuse("%s %s = %d is not in 1..8 or 16" % (where, field, value))
        out.append(value)
    return out


def kvtuner_contract(data):
    if data is None:
        raise Refuse("no layers (None)")
    if type(data) is not dict:
        raise Refuse("top level is a %s" % type(data).__name__)
    layers = indexed(data, "layer")
    if not layers:
        raise Refuse("no layers")
    per_head = type(layers[0]) is dict and len(layers[0]) > 0 and type(next(iter(layers[0]))) is int
    if not per_head:
        return {"layers": [bits_pair(entry, "layer %d" % l) for l, entry in enumerate(layers)]}
    heads = []
    for l, entry in enumerate(layers):
        if type(entry) is not dict or not entry or type(next(iter(entry))) is not int:
            raise Refuse("layer %d is not per-head like layer 0" % l)
        row = indexed(entry, "kv_head")
        heads.append([bits_pair(h, "layer %d kv_head %d" % (l, i)) for i, h in enumerate(row)])
        if len(heads[-1]) != len(heads[0]):
            raise Refuse("layer %d has %d kv_heads, layer 0 has %d" % (l, len(heads[-1]), len(heads[0])))
    return {"heads": heads}


def verdict(name, text, kvtuner_id):
    case = {"name": name, "text": text}
    try:
        data = load_like_the_official_cache(text)
    except Exception as e:  # ValueError too: construct_yaml_int('0x_') raises it
        case["pyyaml"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
        case["expect"] = "refuse"
    else:
        case["pyyaml"] = repr(data)
        try:
            yaml.load(text.lstrip("\ufeff"), Loader=DuplicateCheckingLoader)
            case.update(kvtuner_contract(data))
            case["expect"] = "accept"
        except (Refuse, yaml.YAMLError) as e:
            case["expect"] = "refuse"
            case["why"] = str(e).splitlines()[0]
    if (case["expect"] == "refuse") != (kvtuner_id is not None):
        sys.exit("case %s: PyYAML says %s (%s) but the table gives kvtuner id %r" %
                 (name, case["expect"], case.get("why", case["pyyaml"]), kvtuner_id))
    if kvtuner_id is not None:
        case["kvtuner_id"] = kvtuner_id
    return case


def main():
    names = [c[0] for c in CASES]
    if len(set(names)) != len(names):
        sys.exit("duplicate case names")
    out = {
        "generator": "tests/lib/core/presets/make_expectations.py",
        "pyyaml": yaml.__version__,
        "python": "%d.%d.%d" % sys.version_info[:3],
        "cases": [verdict(*c) for c in CASES],
    }
    # One case per line, so that a regenerated file diffs case by case.
    cases = out.pop("cases")
    head = json.dumps(out, ensure_ascii=True)[:-1]
    sys.stdout.write(head + ', "cases": [\n')
    sys.stdout.write(",\n".join(json.dumps(c, ensure_ascii=True) for c in cases))
    sys.stdout.write("\n]}\n")


if __name__ == "__main__":
    main()
