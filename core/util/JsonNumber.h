#pragma once
// Whole numbers from JSON files we do not trust. nlohmann's own conversion of a
// float to an integer type is a plain cast: 1e308, -1e308 or NaN into an int is
// undefined behaviour, and 4294967552 into an int silently becomes 256.
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <optional>

namespace samtok {

// The value as an integer when it is one: an integer, or a float with an integral
// value within +-2^53 (where a double holds every integer). Else nullopt.
inline std::optional<std::int64_t> wholeNumber(const nlohmann::json& v) {
    if (v.is_number_unsigned()) {
        if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
        return static_cast<std::int64_t>(v.get<std::uint64_t>());
    }
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) <= 9007199254740992.0)
            return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

// The same, within [lo, hi].
inline std::optional<std::int64_t> wholeNumberIn(const nlohmann::json& v, std::int64_t lo, std::int64_t hi) {
    const auto n = wholeNumber(v);
    if (!n || *n < lo || *n > hi) return std::nullopt;
    return n;
}

}  // namespace samtok
