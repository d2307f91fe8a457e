#include "store/Records.h"

#include "util/Error.h"

#include <array>
#include <chrono>

namespace samtok {
namespace {

template <typename E, std::size_t N>
E parseEnum(const std::array<const char*, N>& names, const std::string& s, const char* what) {
    for (std::size_t i = 0; i < N; ++i)
        if (s == names[i]) return static_cast<E>(i);
    std::string allowed;
    for (const char* n : names) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
    throw UserError("unknown " + std::string(what) + " '" + s + "' (expected one of: " + allowed + ")");
}

constexpr std::array<const char*, 4> kImageStatus{"unlabelled", "in_progress", "done", "reviewed"};
constexpr std::array<const char*, 4> kSource{"click", "brush", "polygon", "import"};
constexpr std::array<const char*, 3> kReview{"unreviewed", "accepted", "rejected"};

}  // namespace

const char* toString(ImageStatus s) {
    return kImageStatus[static_cast<std::size_t>(s)];
}
const char* toString(AnnotationSource s) {
    return kSource[static_cast<std::size_t>(s)];
}
const char* toString(ReviewState s) {
    return kReview[static_cast<std::size_t>(s)];
}

ImageStatus imageStatusFromString(const std::string& s) {
    return parseEnum<ImageStatus>(kImageStatus, s, "image status");
}
AnnotationSource annotationSourceFromString(const std::string& s) {
    return parseEnum<AnnotationSource>(kSource, s, "annotation source");
}
ReviewState reviewStateFromString(const std::string& s) {
    return parseEnum<ReviewState>(kReview, s, "review state");
}

Millis nowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace samtok
