#pragma once
// Exporting a project as an MLLM fine-tuning dataset (see
// ../shared/docs/mllm-dataset-formats.md): the tasks' samples are built once
// from the project and written by one thin writer per trainer.
//
// Everything is decided by the project and the options: the templates by a
// seeded hash of each sample's subject, the train / val split by a seeded hash
// of each image's checksum (so an image never straddles splits, and adding
// images does not move the others), instances left to right, then top to bottom.
#include "export/Grounding.h"
#include "export/Sample.h"
#include "export/Target.h"
#include "export/TaskTemplates.h"
#include "store/ProjectStore.h"

#include <opencv2/core.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace samtok::exporter {

// Absolute: every path is the file's absolute path. Relative: images are
// copied (or hard-linked) under the export folder and paths are relative to
// it; the trainer's data root is the export folder. Never mixed.
enum class PathPolicy { Absolute, Relative };
enum class ImageTransfer { Copy, Link };

struct ExportOptions {
    Target target = Target::SamTokJsonl;
    std::vector<Task> tasks{Task::RefSeg, Task::Gres, Task::Gcg, Task::RegionCaption, Task::RegionVqa};
    std::string outDir;
    std::string name = "samtok";
    RowId tokenizerId = 0;
    std::uint64_t seed = 0;
    double valFraction = 0;  // share of images in the val split; 0: one file
    PathPolicy paths = PathPolicy::Relative;
    // Where the export will live when it is trained on (relative paths only): records and registrations name
    // files as PREFIX/images/... . Unset, targets whose loader resolves relative paths from wherever it is launched
    // (SAMTok's own loader, ms-swift) get the export folder's absolute path, and the others stay relative to it.
    std::string pathPrefix;
    ImageTransfer transfer = ImageTransfer::Copy;
    // SAMTok targets: each split's records in files of at most this many (NAME_train-00000-of-00012.jsonl), as
    // SAMTok's own data is sharded; 0: one file per split.
    std::size_t recordsPerFile = 0;
    TemplatePools templates = TemplatePools::defaults();
    // The model family the records teach: its grounding markup (GCG) and box coordinates (refdet). Unset:
    // InternVL for the InternVL target, else Qwen3-VL. minPixels / maxPixels: Qwen2.5-VL's resize limits, which
    // its boxes are measured in (they must be those the trainer's processor uses).
    std::optional<ModelFamily> family;
    int minPixels = kQwenMinPixels, maxPixels = kQwenMaxPixels;
    // GRES "No target." samples: classes absent from an image, at most this
    // many per image, drawn only from images marked done / reviewed (labelled
    // exhaustively) unless assumeExhaustive.
    int noTargetPerImage = 1;
    bool assumeExhaustive = false;
    // Answers quote the mask tokens ("mask_2d": "<|mt_start|>...", valid JSON, the
    // published form) or not (SAMTok's GRES script).
    bool quoteMaskTokens = true;
    bool skipUntokenized = false;  // else regions lacking tokens stop the export before any file is written
    bool skipRejected = true;      // regions a reviewer rejected are left out
    bool requireOfficial = false;  // refuse tokens of a model that is not the official SAMTok tokenizer's kind
    // Regions whose two tokens rebuild the mask worse than this IoU are left
    // out (SAMTok's scripts drop pairs below 0.5); 0 keeps all.
    double minReconstructionIou = 0;
    // Region captioning's zoom-in view: the crop's codes, computed by the same
    // tokenizer. Required when regioncap is exported and a region is small.
    std::function<TokenPair(const cv::Mat& rgb, const Mask& mask)> tokenizeCrop;
    std::function<void(std::size_t done, std::size_t total)> progress;  // per image, then per crop
    const std::atomic<bool>* cancel = nullptr;                          // set: stop before any record file is written
};

struct ExportReport {
    std::map<std::string, std::map<std::string, int>> records;  // split -> task -> count
    int images = 0;                                             // distinct project images referenced
    int crops = 0;                                              // zoom-in crops written
    int untokenized = 0;                                        // regions left out for lack of tokens (skipUntokenized)
    int belowIou = 0;                                           // regions left out under minReconstructionIou
    int unnamed = 0;                                            // regions no task could name, in no record
    int regions = 0;                                            // distinct regions in the records
    std::optional<double> meanIou;                              // their mean reconstruction IoU, where known
    int regionsBelowHalf = 0;                                   // of them, rebuilt with IoU < 0.5
    std::vector<std::string> files;                             // written, relative to outDir
    std::vector<std::string> notes;                             // what was left out and why
    std::string tokenizerWarning;  // non-empty: the tokens are not those Qwen-VL-SAMTok models read
    int total() const;
};

// Why tokens of this tokenizer mean nothing to released Qwen-VL-SAMTok models, or empty when it has the official
// tokenizer's architecture (SAM 2.1 Hiera-L, 2 x 256 codes), as mask_tokenizer_256x2.pth has.
std::string unofficialTokenizerWarning(const TokenizerModel& tokenizer);

ModelFamily familyOf(const ExportOptions& o);
// True for targets whose loader resolves relative image paths from the folder it is launched in.
bool resolvesFromLaunchFolder(Target t);

// Throws UserError naming the first option that cannot work (before anything is read or written).
void checkExportOptions(const ExportOptions& options);

// Writes into outDir (created; existing export files there are replaced).
ExportReport exportDataset(const ProjectStore& store, const ExportOptions& options);

}  // namespace samtok::exporter
