#pragma once
// Seeded corruption of valid inputs, for the mutation tests: byte-level damage
// (bit flips, boundary values written over length and offset fields, cuts,
// deletions, insertions, repeated chunks) and, for JSON, structural damage
// (a value replaced by one of another type or an extreme, a key removed, deep
// nesting). The same seed gives the same corruption, so a failure names the
// round that reproduces it.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <random>
#include <string>

namespace samtok::test {

class Mutator {
public:
    explicit Mutator(std::uint64_t seed) : rng_(seed) {}

    // 1 to 4 byte-level changes. Positions fall in [focusBegin, focusEnd) half
    // of the time (a file's header, say), anywhere otherwise.
    std::string bytes(std::string s, std::size_t focusBegin = 0, std::size_t focusEnd = std::string::npos);
    // 1 to 3 structural changes, then sometimes one byte-level change of the text.
    std::string json(nlohmann::json j);

    std::size_t below(std::size_t n) { return n ? std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_) : 0; }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

private:
    void mutateOnce(std::string& s, std::size_t focusBegin, std::size_t focusEnd);
    nlohmann::json extremeValue();
    std::mt19937_64 rng_;
};

// Rounds per input: SAMTOK_MUTATIONS, else `fallback` (the sanitizer build
// raises it, scripts/sanitize.sh).
int mutationRounds(int fallback);

}  // namespace samtok::test
