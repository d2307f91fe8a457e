#pragma once
// Trains a SAMTok model from scratch for its two jobs on one shared backbone,
// as SAM2 + SAMTok do: (a) the round trip mask -> two codes -> mask, and
// (b) click and box prompts -> mask, with SAM-style iterative click simulation.
// No LibTorch types here: the CLI includes this header.
//
// A run lives in one folder: checkpoint.pt (resume state, written atomically),
// metrics.csv (one row per logged step) and, at the end, model.safetensors.
// Every step seeds its data and its random choices from (seed, step), so a
// resumed run continues exactly as an uninterrupted one would.
#include "model/ModelConfig.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace samtok::model {

class SamTokModelImpl;

// One training image at the model's input size with some of its instances.
struct TrainImage {
    std::vector<std::uint8_t> rgb;                 // size x size x 3
    std::vector<std::vector<std::uint8_t>> masks;  // size x size, 0/1, each non-empty
};
using TrainImageSource = std::function<TrainImage(std::uint64_t seed, int masks)>;

// Which of the round trip's three multimask candidates the mask loss trains.
enum class RoundTripCandidates {
    Best,             // the best one alone, as SAM trains multimask outputs
    All,              // their mean: every candidate on every mask
    BestAndReturned,  // the best one's plus the one the IoU head ranks first (what a decode returns)
};

struct TrainOptions {
    ModelConfig config;
    std::string runDir;
    int steps = 10000;
    int imagesPerStep = 4;
    int masksPerImage = 4;
    double learningRate = 1e-3;
    double weightDecay = 0.01;
    double warmupShare = 0.05;
    double clipNorm = 1.0;
    double codebookDecay = 0.99;
    double commitWeight = 1.0;
    double bceWeight = 1.0;    // mask loss = bceWeight * BCE + focalWeight * focal + diceWeight * Dice
    double focalWeight = 0.0;  // SAM's sigmoid focal loss (alpha 0.25, gamma 2); SAM weighs it 20:1 against Dice
    double diceWeight = 3.0;
    // Steps during which the decoder reads the encoder's latent itself, not its
    // quantization (the codebooks still follow the latents): the encoder learns
    // to describe the mask before it must pick codes.
    int quantizerWarmupSteps = 0;
    // Starts every two-way attention with k_proj = q_proj (orthogonal, gain
    // attentionInitGain), so that a prompt's positional encoding scores the
    // image positions near it highest from the first step: the decoder need not
    // discover where a prompt points before it can learn what to draw there.
    bool alignedAttentionInit = true;
    double attentionInitGain = 1.0;
    // The round trip's mask loss: the best of the three multimask candidates
    // (as SAM trains multimask outputs), their mean (every candidate trained on
    // every mask, so the one a decode returns cannot be a speck), or the best
    // one's plus the returned one's (see RoundTripCandidates).
    RoundTripCandidates roundTripCandidates = RoundTripCandidates::Best;
    // The prompt job's corrective clicks after the first box or click: none
    // on a quarter of the steps, else 0..maxCorrectiveClicks, each placed on
    // the model's own error. Interactive use goes on for many more clicks than
    // the default trains (SAM simulates 8), where the model has seen none.
    int maxCorrectiveClicks = 3;
    // Starts from this model file (as exportModel writes it, or a SAMTok
    // checkpoint with every tensor of the config; not a SAM2 .pt) instead of a
    // random initialisation.
    std::string initFrom;
    // Trains the IoU head alone (mask_decoder.iou_prediction_head), everything
    // else frozen, codebooks included: the tokens and the candidate masks of
    // initFrom stay exactly as they were, and only the head's ranking of the
    // candidates learns, which picks the mask a decode returns and, the decoder
    // being shared, the one a first click returns. Needs initFrom.
    bool iouHeadOnly = false;
    std::uint64_t seed = 1;
    int checkpointEvery = 250;
    int logEvery = 10;
    std::string device = "cpu";
};

// The aligned start of TrainOptions::alignedAttentionInit: in every attention of
// the two-way transformers k_proj = q_proj, one orthogonal matrix scaled by
// `gain`, biases zero. Scores then begin as gain^2 times a projection of q.k,
// so a positional encoding scores its own position highest.
void alignAttentionProjections(SamTokModelImpl& model, double gain);

struct TrainStatus {
    int step = 0, steps = 0;
    double loss = 0, maskLoss = 0, promptLoss = 0, commitLoss = 0, iouLoss = 0;
    double roundTripIou = 0, promptIou = 0;  // low-resolution IoU on this step's batch
    int codesInUse0 = 0, codesInUse1 = 0;    // codes picked during the last 500 steps
    double learningRate = 0;
    int correctiveClicks = 0;   // of the last step's prompts
    double secondsPerStep = 0;  // mean over the steps since the last report
    double dataSeconds = 0;     // of which the step waited for its images (decoding, warping, masks)
};

class Trainer {
public:
    // Resumes from runDir/checkpoint.pt when it exists (the options must then
    // match the ones it was written with: config and seed are checked).
    Trainer(TrainOptions options, TrainImageSource source);
    ~Trainer();

    int step() const;  // steps done so far
    // Runs until `steps` or until *stop becomes true; checkpoints every
    // checkpointEvery steps and on return.
    void run(const std::function<void(const TrainStatus&)>& progress, const std::atomic<bool>* stop = nullptr);
    // Weights and buffers under the official names, with the config as metadata.
    void exportModel(const std::string& safetensorsPath) const;
    // A digest of every weight (for tests that compare runs).
    std::vector<double> weightChecksums() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace samtok::model
