#include "export/Export.h"

#include "export/Samples.h"
#include "export/Writers.h"
#include "export/ZoomCrop.h"
#include "io/ImageIO.h"
#include "tokens/TokenText.h"
#include "util/AtomicFile.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace samtok::exporter {

const char* toString(Target t) {
    switch (t) {
        case Target::SamTokJson:
            return "samtok-json";
        case Target::SamTokJsonl:
            return "samtok-jsonl";
        case Target::LlamaFactory:
            return "llamafactory";
        case Target::Swift:
            return "swift";
        case Target::Llava:
            return "llava";
        case Target::InternVL:
            return "internvl";
    }
    return "?";
}

Target targetFromString(const std::string& s) {
    for (Target t : {Target::SamTokJson, Target::SamTokJsonl, Target::LlamaFactory, Target::Swift, Target::Llava,
                     Target::InternVL})
        if (s == toString(t)) return t;
    throw UserError("unknown export target '" + s +
                    "' (choose samtok-json, samtok-jsonl, llamafactory, swift, llava, internvl)");
}

ModelFamily familyOf(const ExportOptions& o) {
    if (o.family) return *o.family;
    return o.target == Target::InternVL ? ModelFamily::InternVL : ModelFamily::Qwen3VL;
}

bool resolvesFromLaunchFolder(Target t) {
    return t == Target::SamTokJson || t == Target::SamTokJsonl || t == Target::Swift;
}

int ExportReport::total() const {
    int n = 0;
    for (const auto& [split, tasks] : records)
        for (const auto& [task, count] : tasks) n += count;
    return n;
}

namespace {

// Users' text (expressions, captions, questions and answers) is written verbatim, so it is checked where it enters
// the export: a placeholder or control token in it would be read by the trainer as markup (a wrong image count, a
// cut turn), and so would the tokens the exporter writes itself (<image>, Qwen's object refs, mask tokens). Such a
// text is left out (the region's other texts stay), counted, and the first one named.
struct TextsWithMarkup {
    int count = 0;
    std::string first;

    bool refuse(const std::string& text, const std::string& where) {
        std::optional<std::string> markup = trainerMarkupIn(text);
        for (const char* own : {"<image>", "<|object_ref_start|>", "<|object_ref_end|>", "<|mt_"})
            if (!markup && text.find(own) != std::string::npos) markup = own;
        if (!markup) return false;
        if (count++ == 0) first = "'" + *markup + "' in " + where;
        return true;
    }
};

}  // namespace

std::string unofficialTokenizerWarning(const TokenizerModel& t) {
    std::string config;
    int codebook = 0, levels = 0;
    try {
        const auto j = nlohmann::json::parse(t.configJson);
        config = j.value("name", std::string());
        if (j.contains("quantizer")) {
            codebook = j["quantizer"].value("codebook_size", 0);
            levels = j["quantizer"].value("codebook_depth", 2);
        }
    } catch (const nlohmann::json::exception&) {
    }
    if (config == "sam2.1_hiera_large" && codebook == 256 && levels == 2) return {};
    return "these are tokens of '" + t.name + "' (" + t.checkpointSha256.substr(0, 8) + ", config '" +
           (config.empty() ? std::string("unknown") : config) +
           "'), not of the official SAMTok tokenizer (mask_tokenizer_256x2.pth): released Qwen-VL-SAMTok models "
           "read them as other masks. Train such a model on them from scratch, or tokenize with the official "
           "tokenizer (samtok tokenize --model mask_tokenizer_256x2.pth) before exporting";
}

namespace {

void makeExecutable(const fs::path& p) {
    std::error_code ec;
    fs::permissions(p, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add,
                    ec);
}

std::string trimmedPrefix(const ExportOptions& o) {
    std::string p = o.pathPrefix;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
}

int codebookSizeOf(const TokenizerModel& t) {
    try {
        const auto j = nlohmann::json::parse(t.configJson);
        if (j.contains("quantizer")) return j["quantizer"].value("codebook_size", 256);
    } catch (const nlohmann::json::exception&) {
    }
    return 256;
}

ImageContent loadContent(const ProjectStore& store, const ImageRecord& image, const ExportOptions& o,
                         TextsWithMarkup& markup) {
    ImageContent c;
    c.image = image;
    c.path = fs::absolute(store.resolveImagePath(image)).lexically_normal().string();
    for (auto& a : store.annotationsForImage(image.id)) {
        if (o.skipRejected && a.review == ReviewState::Rejected) continue;
        const std::string region = "region " + std::to_string(a.id);
        if (markup.refuse(a.caption, region + "'s caption")) a.caption.clear();
        RegionText text;
        text.expressions = store.referringExpressions(a.id);
        text.questions = store.regionQuestions(a.id);
        auto& e = text.expressions;
        e.erase(std::remove_if(e.begin(), e.end(),
                               [&](const std::string& t) { return markup.refuse(t, region + "'s expression"); }),
                e.end());
        auto& q = text.questions;
        q.erase(std::remove_if(q.begin(), q.end(),
                               [&](const RegionQuestion& r) {
                                   return markup.refuse(r.question + "\n" + r.answer, region + "'s question");
                               }),
                q.end());
        if (!text.expressions.empty() || !text.questions.empty()) c.text[a.id] = std::move(text);
        c.regions.push_back(std::move(a));
    }
    c.expressions = store.imageExpressions(image.id);
    c.expressions.erase(std::remove_if(c.expressions.begin(), c.expressions.end(),
                                       [&](const ImageExpression& e) {
                                           return markup.refuse(e.text, "image expression " + std::to_string(e.id));
                                       }),
                        c.expressions.end());
    c.caption = store.groundedCaption(image.id);
    if (c.caption && markup.refuse(c.caption->text, "the grounded caption of image " + std::to_string(image.id)))
        c.caption.reset();
    return c;
}

void writeCropPng(const cv::Mat& rgb, const std::string& path) {
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<unsigned char> png;
    if (!cv::imencode(".png", bgr, png)) throw UserError("cannot encode the crop '" + path + "'");
    writeFileAtomic(path, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

// Crops: read each image once, cut, tokenize on the crop, write, fill in the tokens.
void resolveCrops(SampleBuilder& builder, const ProjectStore& store, const ExportOptions& o, int codebookSize,
                  const fs::path& cropDir, ExportReport& report) {
    if (builder.crops().empty()) return;
    fs::create_directories(cropDir);
    RowId loaded = 0;
    DecodedImage image;
    std::vector<Annotation> regions;
    std::size_t done = 0;
    for (const PendingCrop& p : builder.crops()) {
        if (o.cancel && o.cancel->load())
            throw UserError("the export was cancelled while making zoom-in crops; no record file was written");
        if (o.progress) o.progress(++done, builder.crops().size());
        const auto record = store.image(p.imageId);
        if (loaded != p.imageId) {
            image = readImage(store.resolveImagePath(*record));
            if (image.rgb.cols != record->width || image.rgb.rows != record->height)
                throw UserError("'" + store.resolveImagePath(*record) + "' is now " + std::to_string(image.rgb.cols) +
                                "x" + std::to_string(image.rgb.rows) + ", the project recorded " +
                                std::to_string(record->width) + "x" + std::to_string(record->height));
            regions = store.annotationsForImage(p.imageId);
            loaded = p.imageId;
        }
        const Annotation* a = nullptr;
        for (const auto& r : regions) a = r.id == p.annotationId ? &r : a;
        const ZoomCrop crop = makeZoomCrop(image.rgb, rle::decode(a->mask), a->bbox);
        const TokenPair pair = o.tokenizeCrop(crop.rgb, crop.mask);
        const fs::path file =
            cropDir / (fs::path(record->path).stem().string() + "-r" + std::to_string(a->id) + ".png");
        writeCropPng(crop.rgb, file.string());
        Sample& s = builder.samples()[p.sample];
        for (auto& t : s.turns)
            t.text = replaceAll(t.text, SampleBuilder::kCropSlot, formatMaskTokens(pair, codebookSize));
        s.images.push_back({fs::absolute(file).lexically_normal().string(), crop.rgb.cols, crop.rgb.rows, true});
        ++report.crops;
    }
}

// Where each referenced file appears in the records. Relative exports keep
// the images' folder structure below their deepest common folder, so
// DAVIS's bike-trial/00000.jpg and dogs-jump/00000.jpg stay apart and readable.
class PathPlan {
public:
    PathPlan(const ExportOptions& o, fs::path outDir, const std::vector<Sample>& samples)
        : o_(o), out_(std::move(outDir)), prefix_(recordPrefix(o, out_)) {
        std::optional<fs::path> common;
        for (const auto& s : samples)
            for (const auto& im : s.images) {
                if (im.isCrop || names_.count(im.source)) continue;
                names_[im.source];
                const fs::path dir = fs::path(im.source).parent_path();
                if (!common) {
                    common = dir;
                    continue;
                }
                fs::path shared;
                for (auto a = common->begin(), b = dir.begin(); a != common->end() && b != dir.end() && *a == *b;
                     ++a, ++b)
                    shared /= *a;
                common = shared;
            }
        for (auto& [src, rel] : names_) rel = "images/" + fs::path(src).lexically_relative(*common).generic_string();
    }

    std::string place(const SampleImage& im) const {
        if (o_.paths == PathPolicy::Absolute) return im.source;
        const std::string rel = im.isCrop ? fs::relative(im.source, out_).generic_string() : names_.at(im.source);
        return prefix_.empty() ? rel : prefix_ + "/" + rel;
    }

    // What relative record paths are prefixed with: the user's --path-prefix, or the export folder itself for
    // loaders that would resolve them from wherever they are launched.
    static std::string recordPrefix(const ExportOptions& o, const fs::path& out) {
        if (o.paths == PathPolicy::Absolute) return {};
        if (!o.pathPrefix.empty()) return trimmedPrefix(o);
        return resolvesFromLaunchFolder(o.target) ? out.generic_string() : std::string();
    }

    // Copies or links the project images into the export.
    void transfer(std::vector<std::string>& notes) const {
        if (o_.paths == PathPolicy::Absolute) return;
        fs::create_directories(out_ / "images");
        bool linkFailed = false;
        for (const auto& [src, rel] : names_) {
            const fs::path dst = out_ / rel;
            std::error_code ec;
            fs::create_directories(dst.parent_path(), ec);
            if (fs::exists(dst, ec) && fs::file_size(dst, ec) == fs::file_size(src, ec)) continue;
            fs::remove(dst, ec);
            if (o_.transfer == ImageTransfer::Link) {
                fs::create_hard_link(src, dst, ec);
                if (!ec) continue;
                linkFailed = true;
            }
            fs::copy_file(src, dst, fs::copy_options::overwrite_existing, ec);
            if (ec) throw UserError("cannot copy '" + src + "' to '" + dst.string() + "': " + ec.message());
        }
        if (linkFailed) notes.push_back("some images could not be hard-linked (another file system?) and were copied");
    }

private:
    const ExportOptions& o_;
    fs::path out_;
    std::string prefix_;
    std::map<std::string, std::string> names_;
};

std::string pathsSection(const ExportOptions& o, const std::string& outAbs) {
    std::ostringstream s;
    s << "## Paths\n\n";
    const std::string prefix = o.pathPrefix.empty() && resolvesFromLaunchFolder(o.target) ? outAbs : trimmedPrefix(o);
    if (o.paths == PathPolicy::Absolute)
        s << "Every image path is absolute, the project's own files; no data root is needed.\n";
    else if (!prefix.empty())
        s << "Image paths name the copies in this folder as `" << prefix << "/images/...`"
          << (o.pathPrefix.empty() ? " (SAMTok's own loader and ms-swift resolve relative paths from wherever they are "
                                     "launched, so they get full paths)"
                                   : " (`--path-prefix`)")
          << ": the export must be at `" << prefix << "` when trained on. Moved elsewhere, export again with "
          << "`--path-prefix NEW_PLACE`.\n";
    else
        s << "Image paths are relative to this folder (`" << outAbs << "` when exported), and the start files find it "
          << "from their own location: the export can move. LLaMA-Factory's `dataset_dir` (its `media_dir` follows) "
          << "and LLaVA's `--image_folder` point here; the InternVL meta files name their files relative to this "
          << "folder, where `train_internvl.sh` launches. With `--path-prefix` they name them where the export will "
             "live instead.\n";
    return s.str();
}

std::string trainingSection(const ExportOptions& o, const std::vector<SplitFile>& files) {
    std::ostringstream s;
    s << "\n## Training\n\n| trainer | start | the mask tokens |\n|---|---|---|\n";
    switch (o.target) {
        case Target::SamTokJson:
        case Target::SamTokJsonl:
            s << "| qwen-vl-finetune | paste `qwenvl_dataset.py` into `qwenvl/data/__init__.py`, then "
                 "`bash train_qwenvl.sh` from its folder | added by `add_mask_tokens.py` (the script runs it once) |\n"
              << "| SAMTok's own loader (xtuner) | these records, in its config | added by `add_mask_tokens.py` |\n";
            break;
        case Target::LlamaFactory:
            s << "| LLaMA-Factory | `llamafactory-cli train train_llamafactory.yaml` | `add_tokens` + "
                 "`resize_vocab` in the yaml |\n";
            break;
        case Target::Swift:
            s << "| ms-swift | `bash sft_swift.sh` | `--new_special_tokens tokens.txt` (special tokens) |\n";
            break;
        case Target::Llava:
            s << "| LLaVA v1.5 | `bash train_llava.sh` from the LLaVA folder | added by `add_mask_tokens.py` (the "
                 "script runs it once) |\n";
            break;
        case Target::InternVL:
            s << "| InternVL | `bash train_internvl.sh` from `internvl_chat` | added by `add_mask_tokens.py` (the "
                 "script runs it once) |\n";
            break;
    }
    s << "\n`python3 add_mask_tokens.py BASE_MODEL OUT_DIR` follows SAMTok's recipe: the tokens as ordinary "
      << "(non-special) tokens, the embeddings resized, the new input rows set to the mean of the old ones plus small "
      << "noise. It refuses a model that already has them (released `*-SAMTok` models do): train those as they are. "
      << "Decoding with `skip_special_tokens=True` keeps ordinary tokens; where a trainer adds them as special tokens "
      << "(ms-swift `--new_special_tokens`, LLaMA-Factory `add_special_tokens`), decode with "
      << "`skip_special_tokens=False`. With LoRA, train the embeddings and the output layer too (the start files "
      << "do: `additional_target` / `--modules_to_save embed_tokens lm_head`).\n"
      << "\nCheck the files before training: `samtok validate " << (files.empty() ? std::string("FILE") : files[0].file)
      << " --target " << toString(o.target) << " --decode --model <the checkpoint above>`.\n";
    return s.str();
}

std::string readme(const TokenizerModel& tok, int codebookSize, const ExportOptions& o, const ExportReport& r,
                   const std::vector<SplitFile>& files, const std::string& outAbs) {
    std::ostringstream s;
    if (!r.tokenizerWarning.empty()) s << "**Warning: " << r.tokenizerWarning << ".**\n\n";
    s << "# " << o.name << ": a SAMTok mask-token dataset (" << toString(o.target) << ")\n\n"
      << "Exported by SAMTok Studio. Mask tokens are only meaningful with the tokenizer that made them:\n\n"
      << "- tokenizer: `" << tok.name << "`\n"
      << "- checkpoint SHA-256: `" << tok.checkpointSha256 << "`\n"
      << "- codebooks: 2 x " << codebookSize << " codes; a mask reads `<|mt_start|><|mt_AAAA|><|mt_BBBB|><|mt_end|>`, "
      << "the second code offset by " << codebookSize << "\n\n"
      << "## Files\n\n";
    for (const auto& f : files)
        s << "- `" << f.file << "`: " << f.records << " record(s)"
          << (f.split.empty() ? "" : " (" + f.split + " split)") << "\n";
    s << "- `tokens.txt`: the " << 2 * codebookSize + 2
      << " added tokens, one per line (ms-swift `--new_special_tokens tokens.txt`)\n"
      << "- `mask_tokens_added.json`: the same as Hugging Face AddedToken entries (non-special, no stripping, not "
         "normalized); not named `added_tokens.json`, which a tokenizer folder reads as a {token: id} map\n"
      << "- `add_tokens.txt`: the same, comma-separated (LLaMA-Factory `add_tokens`)\n";
    if (r.crops)
        s << "- `crops/`: " << r.crops
          << " zoom-in crop(s) for region captioning; their tokens were computed on the crop\n";
    if (o.paths == PathPolicy::Relative)
        s << "- `images/`: the project's images (" << (o.transfer == ImageTransfer::Link ? "hard links" : "copies")
          << ")\n";
    s << "\n## Records\n\n| split | task | records |\n|---|---|---|\n";
    for (const auto& [split, tasks] : r.records)
        for (const auto& [task, n] : tasks)
            s << "| " << (split.empty() ? "all" : split) << " | " << task << " | " << n << " |\n";
    if (r.meanIou) {
        char line[200];
        std::snprintf(line, sizeof line,
                      "\n%d region(s); their tokens rebuild the masks with mean IoU %.3f, %d of them below 0.5.%s\n",
                      r.regions, *r.meanIou, r.regionsBelowHalf,
                      *r.meanIou < 0.5 ? " Such tokens teach a model poor masks: consider a stronger tokenizer or "
                                         "`--min-iou 0.5`."
                                       : "");
        s << line;
    }
    if (!r.notes.empty()) {
        s << "\n## Left out\n\n";
        for (const auto& n : r.notes) s << "- " << n << "\n";
    }
    s << "\nTemplates were chosen with seed " << o.seed << "; regions are listed left to right, then top to bottom"
      << " by box centre; the split is by image. Grounding markup and boxes are written for " << toString(familyOf(o))
      << (familyOf(o) == ModelFamily::Qwen25VL
              ? " (boxes in pixels of images resized within " + std::to_string(o.minPixels) + ".." +
                    std::to_string(o.maxPixels) + " pixels: the trainer's processor must use the same limits)"
              : std::string())
      << ".\n\n"
      << pathsSection(o, outAbs) << trainingSection(o, files);
    return s.str();
}

// For trainers that add no tokens themselves: SAMTok's recipe as a script beside the export.
const char* const kAddMaskTokensScript = R"py(#!/usr/bin/env python3
"""Adds the SAMTok mask tokens to a Hugging Face model, as SAMTok's recipe does.

    python3 add_mask_tokens.py BASE_MODEL OUT_DIR

For trainers that do not add tokens themselves (qwen-vl-finetune, SAMTok's own loader, LLaVA, InternVL): run it once,
then train from OUT_DIR (the train_*.sh beside it do). The tokens (tokens.txt beside this script) are added as
ordinary, non-special tokens; the embeddings are resized and the new input rows start at the mean of the old ones plus
noise of 0.02 x their per-dimension spread (at least 1e-3). A model that already has them (released *-SAMTok models
do) is refused rather than extended twice. With LoRA, train the embeddings and the output layer too
(e.g. modules_to_save embed_tokens lm_head).
"""
import json
import os
import sys


def read_config(base):
    """The model's own config.json, from its folder or the Hub (AutoConfig would rewrite an original LLaVA's)."""
    path = os.path.join(base, "config.json")
    if not os.path.isfile(path):
        try:
            from huggingface_hub import hf_hub_download

            path = hf_hub_download(base, "config.json")
        except Exception:  # offline, or not on the Hub: the loaders below say what is wrong
            return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load(base):
    import transformers as tf

    try:
        processor = tf.AutoProcessor.from_pretrained(base, trust_remote_code=True)
    except Exception:  # text-only processors, custom-code models
        processor = tf.AutoTokenizer.from_pretrained(base, trust_remote_code=True, use_fast=False)
    tokenizer = getattr(processor, "tokenizer", processor)
    config = read_config(base)
    if "mm_vision_tower" in config:  # an original LLaVA checkpoint: only LLaVA's own class reads it
        from llava.model import LlavaLlamaForCausalLM

        return processor, tokenizer, LlavaLlamaForCausalLM.from_pretrained(base, torch_dtype="auto")
    errors = []
    for name in ("AutoModelForImageTextToText", "AutoModelForVision2Seq", "AutoModelForCausalLM", "AutoModel"):
        cls = getattr(tf, name, None)
        if cls is None:
            continue
        try:
            return processor, tokenizer, cls.from_pretrained(base, torch_dtype="auto", trust_remote_code=True)
        except (ValueError, KeyError, OSError) as e:
            errors.append(f"{name}: {e}")
    sys.exit(f"cannot load {base}: " + "; ".join(errors))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    base, out = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "tokens.txt"), encoding="utf-8") as f:
        tokens = [line.strip() for line in f if line.strip()]
    import torch

    processor, tokenizer, model = load(base)
    present = [t for t in tokens if t in tokenizer.get_vocab()]
    if present:
        sys.exit(f"{base} already has {len(present)} of the {len(tokens)} mask tokens (e.g. {present[0]}): "
                 "train it as it is; adding them again would give them new, untrained rows")
    old = len(tokenizer)
    from transformers import AddedToken

    added = tokenizer.add_tokens(
        [AddedToken(t, lstrip=False, rstrip=False, single_word=False, normalized=False) for t in tokens],
        special_tokens=False,
    )
    try:
        model.resize_token_embeddings(len(tokenizer))
        language = model
    except NotImplementedError:  # InternVL's chat model: its language model, as its own fine-tuning script does
        language = model.language_model
        language.resize_token_embeddings(len(tokenizer))
    for cfg in (getattr(model.config, "llm_config", None), getattr(language, "config", None)):
        if cfg is not None:
            cfg.vocab_size = len(tokenizer)
    with torch.no_grad():
        rows = language.get_input_embeddings().weight
        mean, std = rows[:old].mean(0), rows[:old].float().std(0).clamp(min=1e-3).to(rows.dtype)
        rows[old:] = mean + 0.02 * std * torch.randn_like(rows[old:])
    processor.save_pretrained(out)
    if processor is not tokenizer:
        tokenizer.save_pretrained(out)
    model.save_pretrained(out)
    print(f"added {added} tokens to {base}; saved to {out}")


if __name__ == "__main__":
    main()
)py";

void writeVocabulary(const fs::path& out, int codebookSize, std::vector<std::string>& written) {
    const auto vocab = maskTokenVocabulary(codebookSize);
    std::string lines, commas;
    nlohmann::ordered_json added = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < vocab.size(); ++i) {
        lines += vocab[i] + "\n";
        commas += (i ? "," : "") + vocab[i];
        added.push_back({{"content", vocab[i]},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", false}});
    }
    writeFileAtomic((out / "tokens.txt").string(), lines);
    writeFileAtomic((out / "add_tokens.txt").string(), commas + "\n");
    writeFileAtomic((out / "mask_tokens_added.json").string(), added.dump(2) + "\n");
    writeFileAtomic((out / "add_mask_tokens.py").string(), kAddMaskTokensScript);
    written.insert(written.end(), {"tokens.txt", "add_tokens.txt", "mask_tokens_added.json", "add_mask_tokens.py"});
}

}  // namespace

void checkExportOptions(const ExportOptions& o) {
    if (o.outDir.empty()) throw UserError("no export folder given");
    if (o.tasks.empty()) throw UserError("no task to export");
    if (o.valFraction < 0 || o.valFraction >= 1) throw UserError("the val share must be in [0, 1)");
    if (!o.pathPrefix.empty() && o.paths == PathPolicy::Absolute)
        throw UserError("--path-prefix names where a relative export will live; it does not apply to absolute paths");
    if (o.minPixels < 28 * 28 || o.maxPixels < o.minPixels)
        throw UserError("the pixel limits must satisfy 784 <= min-pixels <= max-pixels");
    if (o.recordsPerFile && o.target != Target::SamTokJsonl && o.target != Target::SamTokJson)
        throw UserError(std::string("records in parts (--records-per-file) are for the samtok-jsonl and samtok-json "
                                    "targets; ") +
                        toString(o.target) + "'s loader is given one file per split");
    // The name becomes file names and registry entries, and appears in the start scripts.
    if (o.name.empty() || o.name.find_first_not_of(
                              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != std::string::npos)
        throw UserError("the dataset name '" + o.name + "' must be letters, digits, '.', '_' and '-' only");
}

namespace {

TokenizerModel tokenizerOf(const ProjectStore& store, const ExportOptions& o) {
    for (const auto& t : store.tokenizers())
        if (t.id == o.tokenizerId) return t;
    throw UserError("the project has no tokenizer " + std::to_string(o.tokenizerId) + "; run `samtok tokenize` first");
}

// What the built samples leave out or cannot place, said in the report (or refused, where the user asked for it).
void summarise(const SampleBuilder& builder, const ExportOptions& o, const TokenizerModel& tok, ExportReport& report) {
    if (!builder.missing().empty()) {
        report.untokenized = static_cast<int>(builder.missing().size());
        if (!o.skipUntokenized)
            throw UserError(std::to_string(builder.missing().size()) + " region(s) have no tokens of '" + tok.name +
                            "' (" + tok.checkpointSha256.substr(0, 8) +
                            "): run `samtok tokenize` with that model first, or "
                            "pass --skip-untokenized to leave their samples out");
        report.notes.push_back(std::to_string(builder.missing().size()) + " region(s) without tokens were left out");
    }
    report.belowIou = static_cast<int>(builder.poor().size());
    if (report.belowIou)
        report.notes.push_back(std::to_string(report.belowIou) + " region(s) rebuilt below IoU " +
                               std::to_string(o.minReconstructionIou).substr(0, 4) + " were left out");
    double iouSum = 0;
    int iouCount = 0;
    for (const auto& [id, iou] : builder.used()) {
        ++report.regions;
        if (!iou) continue;
        iouSum += *iou, ++iouCount;
        report.regionsBelowHalf += *iou < 0.5;
    }
    if (iouCount) report.meanIou = iouSum / iouCount;
    // Regions no task could use are said, never left out silently (the studio's summary and the README show it).
    std::size_t unused = 0;
    for (RowId id : builder.seen())
        unused += !builder.used().count(id) && !builder.missing().count(id) && !builder.poor().count(id);
    report.unnamed = static_cast<int>(unused);
    if (unused)
        report.notes.push_back(std::to_string(unused) + " of " + std::to_string(builder.seen().size()) +
                               " region(s) are in no record: no class, referring expression or caption names "
                               "them for the chosen tasks (give them a class or an expression)");
    if (!builder.crops().empty() && !o.tokenizeCrop)
        throw UserError(std::to_string(builder.crops().size()) +
                        " small region(s) need a zoom-in crop tokenized by the model");
    report.notes.insert(report.notes.end(), builder.notes().begin(), builder.notes().end());
}

// Each sample in its split ("" without --val) with its images placed in the export, in the builder's order.
std::map<std::string, std::vector<PlacedSample>> placeSamples(const SampleBuilder& builder, const ExportOptions& o,
                                                              const PathPlan& plan, ExportReport& report,
                                                              int& multiImage) {
    std::map<std::string, std::vector<PlacedSample>> bySplit;
    std::set<RowId> referenced;
    for (const Sample& s : builder.samples()) {
        // LLaVA's loader joins `image` to its folder as one path: a record with a zoom-in crop (two images)
        // raises TypeError there and stops the training. Left out, and counted.
        if (o.target == Target::Llava && s.images.size() > 1) {
            ++multiImage;
            continue;
        }
        const double u = static_cast<double>(stableHash(o.seed, "split/" + s.imageChecksum) >> 11) * 0x1.0p-53;
        const std::string split = o.valFraction > 0 ? (u < o.valFraction ? "val" : "train") : "";
        PlacedSample p{&s, {}};
        for (const auto& im : s.images) p.paths.push_back(plan.place(im));
        bySplit[split].push_back(std::move(p));
        ++report.records[split][toString(s.task)];
        referenced.insert(s.imageId);
    }
    report.images = static_cast<int>(referenced.size());
    return bySplit;
}

// The record files: one per split, or parts of --records-per-file records each.
std::vector<SplitFile> writeRecords(const std::map<std::string, std::vector<PlacedSample>>& bySplit,
                                    const ExportOptions& o, const fs::path& out, ExportReport& report) {
    std::vector<SplitFile> files;
    for (const auto& [split, samples] : bySplit) {
        const std::string base = split.empty() ? o.name : o.name + "_" + split;
        const std::size_t per = o.recordsPerFile ? o.recordsPerFile : samples.size();
        const std::size_t parts = std::max<std::size_t>(1, (samples.size() + per - 1) / per);
        for (std::size_t k = 0; k < parts; ++k) {
            char suffix[48] = "";
            if (parts > 1) std::snprintf(suffix, sizeof suffix, "-%05zu-of-%05zu", k, parts);
            const std::string file = base + suffix + fileExtension(o.target);
            const std::vector<PlacedSample> part(
                samples.begin() + static_cast<std::ptrdiff_t>(k * per),
                samples.begin() + static_cast<std::ptrdiff_t>(std::min(samples.size(), (k + 1) * per)));
            writeFileAtomic((out / file).string(), formatRecords(o.target, part, base));
            files.push_back({split, file, part.size()});
            report.files.push_back(file);
        }
    }
    return files;
}

// Beside the records: the trainer's registrations, the token vocabulary, the start files and the README.
void writeSupportFiles(const std::vector<SplitFile>& files, const ExportOptions& o, const TokenizerModel& tok,
                       int codebookSize, const fs::path& out, ExportReport& report) {
    const Layout layout{out.string(),
                        o.paths == PathPolicy::Relative ? trimmedPrefix(o) : std::string(),
                        o.paths == PathPolicy::Absolute,
                        familyOf(o),
                        o.minPixels,
                        o.maxPixels};
    for (const auto& reg : registrations(o.target, o.name, files, layout)) {
        writeFileAtomic((out / reg.file).string(), reg.content);
        report.files.push_back(reg.file);
    }
    writeVocabulary(out, codebookSize, report.files);
    std::string addTokens;
    for (const auto& token : maskTokenVocabulary(codebookSize)) addTokens += (addTokens.empty() ? "" : ",") + token;
    for (const auto& start : startFiles(o.target, o.name, files, layout, addTokens)) {
        writeFileAtomic((out / start.file).string(), start.content);
        if (start.file.size() > 3 && start.file.compare(start.file.size() - 3, 3, ".sh") == 0)
            makeExecutable(out / start.file);
        report.files.push_back(start.file);
    }
    writeFileAtomic((out / "README.md").string(), readme(tok, codebookSize, o, report, files, out.string()));
    report.files.push_back("README.md");
}

}  // namespace

ExportReport exportDataset(const ProjectStore& store, const ExportOptions& o) {
    checkExportOptions(o);
    const TokenizerModel tok = tokenizerOf(store, o);
    const int codebookSize = codebookSizeOf(tok);
    const std::string unofficial = unofficialTokenizerWarning(tok);
    if (o.requireOfficial && !unofficial.empty()) throw UserError("--require-official: " + unofficial);

    std::map<RowId, std::string> classNames;
    for (const auto& c : store.classes()) classNames[c.id] = c.name;
    std::unordered_map<RowId, MaskTokens> tokens;
    for (auto& t : store.tokensOf(tok.id)) tokens.emplace(t.annotationId, t);

    // 1. Build every sample in memory: nothing is written unless all of it can be.
    ExportReport report;
    report.tokenizerWarning = unofficial;
    SampleBuilder builder(o, codebookSize, classNames, tokens);
    const auto images = store.images();
    auto stopIfCancelled = [&] {
        if (o.cancel && o.cancel->load()) throw UserError("the export was cancelled; no record file was written");
    };
    TextsWithMarkup markup;
    for (std::size_t i = 0; i < images.size(); ++i) {
        stopIfCancelled();
        builder.add(loadContent(store, images[i], o, markup));
        if (o.progress) o.progress(i + 1, images.size());
    }
    summarise(builder, o, tok, report);

    // 2. Files: crops, images, records, registrations, vocabulary, README.
    const fs::path out = fs::absolute(o.outDir).lexically_normal();
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw UserError("cannot create the export folder '" + out.string() + "': " + ec.message());
    resolveCrops(builder, store, o, codebookSize, out / "crops", report);
    stopIfCancelled();

    const PathPlan plan(o, out, builder.samples());
    int multiImage = 0;
    const auto bySplit = placeSamples(builder, o, plan, report, multiImage);
    if (markup.count)
        report.notes.push_back(std::to_string(markup.count) +
                               " text(s) left out: they hold what trainers read as markup (first: " + markup.first +
                               "); edit the expression, caption or question");
    if (multiImage)
        report.notes.push_back(std::to_string(multiImage) +
                               " record(s) with a zoom-in crop left out: LLaVA takes one image per record");
    plan.transfer(report.notes);
    writeSupportFiles(writeRecords(bySplit, o, out, report), o, tok, codebookSize, out, report);
    return report;
}

}  // namespace samtok::exporter
