#pragma once
// The paper's central value: a mask as two codes of the two-level residual
// quantizer, c0 from the first codebook and c1 from the second. Every layer
// passes this type; the text form is in TokenText.h, the stored form (with its
// tokenizer and reconstruction IoU) in store/Records.h. Header-only, no
// dependencies, so that the LibTorch model code can use it too.
#include <tuple>

namespace samtok {

// The second code is absent: a one-code group repaired by the tolerant parser.
constexpr int kMissingCode = -1;

// How a decoder reads a pair whose second code is missing.
enum class MissingCodeRule {
    AsCodeZero,     // the official behaviour: a missing second code reads as code 0
    FirstCodeOnly,  // decode from the first code alone
};

struct TokenPair {
    int c0 = 0;
    int c1 = 0;  // or kMissingCode

    bool hasSecondCode() const { return c1 != kMissingCode; }
    // The missing-code rule of the official decoder: an absent second code is read as code 0.
    int decodedC1() const { return hasSecondCode() ? c1 : 0; }
    // Both codes name entries of codebooks of this size (a missing second code is allowed).
    bool fits(int codebookSize) const {
        return c0 >= 0 && c0 < codebookSize && (c1 == kMissingCode || (c1 >= 0 && c1 < codebookSize));
    }

    friend bool operator==(const TokenPair& a, const TokenPair& b) { return a.c0 == b.c0 && a.c1 == b.c1; }
    friend bool operator!=(const TokenPair& a, const TokenPair& b) { return !(a == b); }
    friend bool operator<(const TokenPair& a, const TokenPair& b) {
        return std::tie(a.c0, a.c1) < std::tie(b.c0, b.c1);
    }
};

}  // namespace samtok
