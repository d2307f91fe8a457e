// The ready-to-run start beside each export (see Writers.h). The shell scripts find the export from their own
// location, so a moved export still starts; the trainers that add no tokens train a copy of the base model made
// once by add_mask_tokens.py.
#include "export/Writers.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>

namespace samtok::exporter {
namespace {

struct Entries {
    // Registry names (comma-separated where a split is written in parts); val empty without a val split.
    std::string train, val;
    std::string trainFile, valFile;                          // the first file of each split
    std::vector<std::pair<std::string, std::string>> parts;  // every registry name and its file
};

// One registry name per file: NAME_train, or NAME_train_00000, NAME_train_00001, ... for a split in parts.
Entries entriesOf(const std::string& name, const std::vector<SplitFile>& files) {
    Entries e;
    std::map<std::string, int> perSplit;
    for (const auto& f : files) ++perSplit[f.split];
    std::map<std::string, int> seen;
    for (const auto& f : files) {
        std::string entry = f.split.empty() ? name : name + "_" + f.split;
        if (perSplit[f.split] > 1) {
            char part[16];
            std::snprintf(part, sizeof part, "_%05d", seen[f.split]++);
            entry += part;
        }
        e.parts.emplace_back(entry, f.file);
        std::string& names = f.split == "val" ? e.val : e.train;
        names += (names.empty() ? "" : ",") + entry;
        std::string& first = f.split == "val" ? e.valFile : e.trainFile;
        if (first.empty()) first = f.file;
    }
    return e;
}

const char* const kHere = "HERE=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n";

// A value quoted for the shell, for YAML and for Python (a JSON string is valid in both of the last two).
std::string shellQuoted(const std::string& v) {
    std::string q = "'";
    for (char c : v) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}
std::string jsonQuoted(const std::string& v) {
    return nlohmann::json(v).dump();
}

// The base model a start file names for the family's records (the user edits it).
std::string qwenBaseModel(ModelFamily f) {
    return f == ModelFamily::Qwen2VL    ? "Qwen/Qwen2-VL-2B-Instruct"
           : f == ModelFamily::Qwen25VL ? "Qwen/Qwen2.5-VL-3B-Instruct"
                                        : "Qwen/Qwen3-VL-4B-Instruct";
}

// The shell lines that make (once) and name the model with the mask tokens. The copy is named after the base model:
// qwen-vl-finetune picks the model class from the name (qwen3, qwen2.5, and MoE by an "a" in it).
std::string withMaskTokens(const std::string& baseModel) {
    return std::string("BASE_MODEL=${BASE_MODEL:-") + baseModel +
           "}\n"
           "MODEL=${MODEL:-$HERE/$(basename \"$BASE_MODEL\")-mt}\n"
           "# This trainer adds no tokens: train a copy of the base model that has them (made once).\n"
           "[ -d \"$MODEL\" ] || python3 \"$HERE/add_mask_tokens.py\" \"$BASE_MODEL\" \"$MODEL\"\n";
}

std::string llamaFactory(const std::string& name, const Entries& e, const Layout& l, const std::string& addTokens) {
    const bool qwen2 = l.family == ModelFamily::Qwen2VL || l.family == ModelFamily::Qwen25VL;
    const std::string base = qwenBaseModel(l.family);
    std::string y =
        "# LLaMA-Factory SFT on this export: llamafactory-cli train train_llamafactory.yaml\n"
        "# Edit the model and the hyper-parameters; the template must match the model.\n"
        "model_name_or_path: " +
        std::string(qwen2 ? "Qwen/Qwen2.5-VL-3B-Instruct" : "Qwen/Qwen3-VL-4B-Instruct") +
        "\n"
        "template: " +
        (qwen2 ? "qwen2_vl" : "qwen3_vl_nothink") +
        "\n"
        "stage: sft\ndo_train: true\n"
        "finetuning_type: lora\nlora_target: all\n"
        "# The mask tokens' new rows must train too: under LoRA they would stay frozen.\n"
        "additional_target: embed_tokens,lm_head\n"
        "dataset_dir: " +
        jsonQuoted(l.trainerDir()) + "\ndataset: " + e.train + "\n";
    if (!e.val.empty()) y += "eval_dataset: " + e.val + "\n";
    y += "# SAMTok's recipe: the mask tokens as ordinary (non-special) tokens, embeddings resized.\n"
         "add_tokens: " +
         addTokens + "\nresize_vocab: true\n";
    if (l.family == ModelFamily::Qwen25VL)
        y += "# The refdet boxes are in pixels of images resized within these limits.\nimage_min_pixels: " +
             std::to_string(l.minPixels) + "\nimage_max_pixels: " + std::to_string(l.maxPixels) + "\n";
    y += "cutoff_len: 4096\n"
         "per_device_train_batch_size: 1\ngradient_accumulation_steps: 8\n"
         "learning_rate: 1.0e-4\nnum_train_epochs: 1.0\nbf16: true\n"
         "output_dir: " +
         jsonQuoted("saves/" + name + "-lora") + "\n";
    return y;
}

std::string swift(const std::string& name, const Entries& e) {
    std::string sh = std::string(
                         "#!/usr/bin/env bash\n"
                         "# ms-swift SFT on this export: bash sft_swift.sh. Edit the model and the\n"
                         "# hyper-parameters. ms-swift adds the mask tokens as special tokens: decode with\n"
                         "# skip_special_tokens=False.\n"
                         "set -euo pipefail\n") +
                     kHere +
                     "swift sft \\\n"
                     "  --model Qwen/Qwen3-VL-4B-Instruct \\\n"
                     "  --dataset \"$HERE/" +
                     e.trainFile + "\" \\\n";
    if (!e.val.empty()) sh += "  --val_dataset \"$HERE/" + e.valFile + "\" \\\n";
    sh +=
        "  --new_special_tokens \"$HERE/tokens.txt\" \\\n"
        "  --train_type lora --target_modules all-linear \\\n"
        "  --modules_to_save embed_tokens lm_head \\\n"
        "  --torch_dtype bfloat16 --max_length 4096 \\\n"
        "  --num_train_epochs 1 --per_device_train_batch_size 1 --gradient_accumulation_steps 8 \\\n"
        "  --learning_rate 1e-4 --output_dir " +
        shellQuoted("output/" + name) + "\n";
    return sh;
}

// qwen-vl-finetune's registry (qwenvl/data/__init__.py) maps a name to an annotation file and a data root.
std::string qwenvlEntry(const Entries& e, const Layout& l) {
    std::string py =
        "# qwen-vl-finetune: paste these lines at the end of qwenvl/data/__init__.py (after data_dict),\n"
        "# then train with --dataset_use " +
        e.train +
        " (train_qwenvl.sh does). The records' image paths are\n"
        "# absolute, so data_path stays empty. SAMTOK_EXPORT overrides where the export is.\n"
        "import os as _os\n\n"
        "_SAMTOK_EXPORT = _os.environ.get(\"SAMTOK_EXPORT\", " +
        jsonQuoted(l.trainerDir()) + ")\n";
    auto line = [](const std::string& entry, const std::string& file) {
        return "data_dict[\"" + entry + "\"] = {\"annotation_path\": _os.path.join(_SAMTOK_EXPORT, \"" + file +
               "\"), \"data_path\": \"\"}\n";
    };
    for (const auto& [entry, file] : e.parts) py += line(entry, file);
    return py;
}

std::string qwenvlLaunch(const std::string& name, const Entries& e, const Layout& l) {
    const std::string base = qwenBaseModel(l.family);
    // Qwen2.5-VL's refdet boxes are in pixels of images resized within the export's limits: train with the same.
    const std::string pixels =
        l.family == ModelFamily::Qwen25VL
            ? "  --min_pixels " + std::to_string(l.minPixels) + " --max_pixels " + std::to_string(l.maxPixels) + " \\\n"
            : std::string();
    return std::string(
               "#!/usr/bin/env bash\n"
               "# qwen-vl-finetune (the qwen-vl-finetune folder of QwenLM/Qwen3-VL or Qwen2.5-VL) on this\n"
               "# export. Paste qwenvl_dataset.py's lines into qwenvl/data/__init__.py once, then, from the\n"
               "# qwen-vl-finetune folder: bash <this folder>/train_qwenvl.sh. Edit the hyper-parameters.\n"
               "set -euo pipefail\n") +
           kHere + withMaskTokens(base) +
           "export SAMTOK_EXPORT=\"$HERE\"\n"
           "torchrun --nproc_per_node=\"${NPROC:-1}\" qwenvl/train/train_qwen.py \\\n"
           "  --model_name_or_path \"$MODEL\" \\\n"
           "  --dataset_use " +
           e.train +
           " \\\n"
           "  --tune_mm_vision False --tune_mm_mlp True --tune_mm_llm True \\\n"
           "  --bf16 --output_dir " +
           shellQuoted("./output/" + name) +
           " \\\n"
           "  --num_train_epochs 1 --per_device_train_batch_size 1 --gradient_accumulation_steps 8 \\\n"
           "  --learning_rate 1e-5 --model_max_length 4096 \\\n" +
           pixels + "  --report_to none\n";
}

std::string llavaLaunch(const std::string& name, const Entries& e) {
    return std::string(
               "#!/usr/bin/env bash\n"
               "# LLaVA v1.5 (haotian-liu/LLaVA) fine-tuning on this export, from the LLaVA folder:\n"
               "#   bash <this folder>/train_llava.sh. Edit the model and the hyper-parameters.\n"
               "set -euo pipefail\n") +
           kHere + withMaskTokens("liuhaotian/llava-v1.5-7b") +
           "deepspeed llava/train/train_mem.py --deepspeed ./scripts/zero3.json \\\n"
           "  --model_name_or_path \"$MODEL\" --version v1 \\\n"
           "  --data_path \"$HERE/" +
           e.trainFile +
           "\" --image_folder \"$HERE\" \\\n"
           "  --vision_tower openai/clip-vit-large-patch14-336 --mm_projector_type mlp2x_gelu \\\n"
           "  --mm_vision_select_layer -2 --mm_use_im_start_end False --mm_use_im_patch_token False \\\n"
           "  --image_aspect_ratio pad --group_by_modality_length True --bf16 True \\\n"
           "  --output_dir " +
           shellQuoted("./checkpoints/" + name) +
           " --num_train_epochs 1 --per_device_train_batch_size 4 \\\n"
           "  --gradient_accumulation_steps 4 --learning_rate 2e-5 --model_max_length 2048 \\\n"
           "  --gradient_checkpointing True --lazy_preprocess True --report_to none\n";
}

std::string internvlLaunch(const std::string& name, const Entries& e, const Layout& l) {
    std::string sh = std::string(
                         "#!/usr/bin/env bash\n"
                         "# InternVL chat fine-tuning (OpenGVLab/InternVL, internvl_chat) on this export, "
                         "from the\n"
                         "# internvl_chat folder: bash <this folder>/train_internvl.sh. Edit the model and "
                         "the\n# hyper-parameters. InternVL trains on every entry of a meta file: the val "
                         "split has its own.\n"
                         "set -euo pipefail\n") +
                     kHere + withMaskTokens("OpenGVLab/InternVL3-2B") + "INTERNVL_CHAT=${INTERNVL_CHAT:-$(pwd)}\n";
    if (l.prefix.empty()) sh += "cd \"$HERE\"  # the meta file names its files relative to this folder\n";
    sh +=
        "PYTHONPATH=\"$INTERNVL_CHAT:${PYTHONPATH:-}\" torchrun --nproc_per_node=\"${NPROC:-1}\" \\\n"
        "  \"$INTERNVL_CHAT/internvl/train/internvl_chat_finetune.py\" \\\n"
        "  --model_name_or_path \"$MODEL\" --conv_style internvl2_5 --use_fast_tokenizer False \\\n"
        "  --meta_path \"$HERE/" +
        e.train + "_meta.json\" --output_dir \"$INTERNVL_CHAT/work_dirs/" + name +
        "\" \\\n"
        "  --force_image_size 448 --max_dynamic_patch 6 --down_sample_ratio 0.5 --drop_path_rate 0.0 \\\n"
        "  --freeze_llm False --freeze_mlp False --freeze_backbone True --vision_select_layer -1 \\\n"
        "  --bf16 True --num_train_epochs 1 --per_device_train_batch_size 1 --gradient_accumulation_steps 8 \\\n"
        "  --learning_rate 1e-5 --weight_decay 0.05 --warmup_ratio 0.03 --lr_scheduler_type cosine \\\n"
        "  --max_seq_length 4096 --do_train True --grad_checkpoint True --group_by_length True \\\n"
        "  --dynamic_image_size True --use_thumbnail True --ps_version v2 --report_to none\n";
    return sh;
}

}  // namespace

std::vector<Registration> startFiles(Target t, const std::string& name, const std::vector<SplitFile>& files,
                                     const Layout& layout, const std::string& addTokens) {
    const Entries e = entriesOf(name, files);
    if (e.train.empty()) return {};  // every image fell into val: nothing to train on
    switch (t) {
        case Target::LlamaFactory:
            return {{"train_llamafactory.yaml", llamaFactory(name, e, layout, addTokens)}};
        case Target::Swift:
            return {{"sft_swift.sh", swift(name, e)}};
        case Target::SamTokJson:
        case Target::SamTokJsonl:
            return {{"qwenvl_dataset.py", qwenvlEntry(e, layout)}, {"train_qwenvl.sh", qwenvlLaunch(name, e, layout)}};
        case Target::Llava:
            return {{"train_llava.sh", llavaLaunch(name, e)}};
        case Target::InternVL:
            return {{"train_internvl.sh", internvlLaunch(name, e, layout)}};
    }
    return {};
}

}  // namespace samtok::exporter
