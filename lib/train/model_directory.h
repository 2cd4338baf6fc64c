// Writes a trained model as a Hugging Face model directory: config.json (LlamaForCausalLM),
// model.safetensors, tokenizer.json, tokenizer_config.json, generation_config.json.
#pragma once
#include <c10/core/ScalarType.h>

#include <string>
#include <vector>

#include "lib/train/bpe_trainer.h"
#include "lib/train/llama_parameters.h"

namespace kvt::train {

// The files write_model_directory() creates, relative to the directory.
const std::vector<std::string>& model_directory_files();

// dtype: Float, BFloat16 or Half; config.json's torch_dtype follows it. Every file is written
// atomically. @throws InputError when a file exists and !force.
void write_model_directory(const std::string& dir, const LlamaParameters& model, const BpeVocabulary& vocabulary,
                           c10::ScalarType dtype, bool force);

}  // namespace kvt::train
